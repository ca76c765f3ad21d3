"""The feature table: every reason a name can match, with a stable id, a weight and its explanation in Japanese
and English.

In the spirit of nomenklatura's ``logic-v1``: the score of a candidate is the strongest *name* feature
(``name_exact``, ``alias_match``, ``name_fuzzy``, ``cjk_prefix``, ``acronym_match``), plus the weights of the
*adjustment* features that fired (``country_mismatch``), clipped to [0, 1] and rounded to two decimals;
``generic_only`` caps the score below the hit threshold. *Notes* (weight 0) say which foldings made the names
equal (``script_variant``, ``place_alias``, ``abbreviation``, ``run_together``).

``Hit.features`` holds each feature that fired as data (:class:`exportscreen.eul.model.Fired`: id, value, facts);
the renderer (:mod:`exportscreen.render`) writes ``ja`` or ``en`` below with the facts filled in. A template
uses the facts by name; a fact a template names but a feature lacks is left out with its clause (each template
is the short form ``ja``/``en`` plus an optional ``*_detail`` that needs the facts).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Feature:
    id: str
    weight: float  # for name features: the score when it fires fully; for adjustments: added to the score
    en: str
    ja: str
    en_detail: str = ""  # with the facts: str.format fields named after them
    ja_detail: str = ""
    en_short: str = ""  # a word or two for a one-line summary (=EUL_MATCH); none for an exact match
    ja_short: str = ""


FEATURES: dict[str, Feature] = {
    f.id: f
    for f in (
        Feature(
            "name_exact",
            1.0,
            "The name equals the listed name once case, punctuation, width, character variants and legal forms are "
            "ignored.",
            "大文字小文字・記号・全角半角・字体・会社形態を除くと掲載名と一致します。",
            "The name equals the listed name '{listed}' once case, punctuation, width, character variants and legal "
            "forms are ignored.",
            "大文字小文字・記号・全角半角・字体・会社形態を除くと掲載名「{listed}」と一致します。",
        ),
        Feature(
            "alias_match",
            1.0,
            "The name equals one of the entry's aliases (別名) once normalised.",
            "正規化すると掲載の別名と一致します。",
            "The name equals the entry's alias '{listed}' once normalised.",
            "正規化すると掲載の別名「{listed}」と一致します。",
            en_short="alias",
            ja_short="別名と一致",
        ),
        Feature(
            "name_fuzzy",
            1.0,
            "The distinctive words of the name are close to those of a listed name or alias (score = similarity).",
            "固有の語が掲載名または別名の固有の語とよく似ています（スコア＝類似度）。",
            "The distinctive words '{query_words}' are close to '{listed_words}' of the listed name '{listed}' "
            "(similarity {value:.2f}: {found:.0%} of the listed words found, {explained:.0%} of the name's words "
            "explained, whole names {agree:.0%} alike).",
            "固有の語「{query_words}」が掲載名「{listed}」の固有の語「{listed_words}」とよく似ています（類似度"
            "{value:.2f}：掲載名の語の{found:.0%}が見つかり、入力の語の{explained:.0%}が掲載名で説明され、名称全体の"
            "一致度{agree:.0%}）。",
            en_short="close spelling",
            ja_short="表記が近い",
        ),
        Feature(
            "query_extra",
            0.0,
            "Words of the name that the listed name does not have lower the score.",
            "掲載名にない入力の語があるため、スコアを下げています。",
            "Words of the name that the listed name does not have lower the score: {words}.",
            "掲載名にない入力の語があるため、スコアを下げています（{words}）。",
        ),
        Feature(
            "cjk_prefix",
            0.95,
            "The name is the beginning of a listed Chinese-script name, leaving out its place and legal form.",
            "入力が漢字の掲載名の先頭（地名・会社形態を除く）と一致します。",
            "The name is the beginning of the listed name '{listed}', leaving out its place and legal form "
            "({covered} of its {own} own characters).",
            "入力が漢字の掲載名「{listed}」の先頭（地名・会社形態を除く）と一致します（固有の{own}字のうち{covered}字）。",
            en_short="beginning of the Chinese-script name",
            ja_short="漢字名の先頭と一致",
        ),
        Feature(
            "acronym_match",
            0.90,
            "The name equals the acronym the list gives in brackets; acronyms are short, so this is only a "
            "possible hit.",
            "掲載名の括弧内の略称と一致します（略称は短いため「要確認」止まり）。",
            "The name equals the acronym '{listed}' the list gives in brackets; acronyms are short, so this is "
            "only a possible hit.",
            "掲載名の括弧内の略称「{listed}」と一致します（略称は短いため「要確認」止まり）。",
            en_short="acronym",
            ja_short="略称と一致",
        ),
        Feature(
            "country_match",
            0.0,
            "The destination country is the entry's country.",
            "仕向国が掲載国と同じです。",
            "The destination country is the entry's country ({country}).",
            "仕向国が掲載国（{country}）と同じです。",
        ),
        Feature(
            "country_mismatch",
            -0.15,
            "The destination country differs from the entry's country (the entity may still act there).",
            "仕向国が掲載国と異なります（減点。掲載企業が他国で取引する可能性は残ります）。",
            "The destination ({destination}) differs from the entry's country ({country}): {value:+.2f} (the "
            "entity may still act there).",
            "仕向国（{destination}）が掲載国（{country}）と異なります（{value:+.2f}。掲載企業が他国で取引する"
            "可能性は残ります）。",
        ),
        Feature(
            "place_mismatch",
            -0.2,
            "The name names another place than the listed name (Beijing … / Nanjing …).",
            "入力の地名が掲載名の地名と異なります（北京…／南京… など）。",
            "The name names another place ({query_places}) than the listed name ({listed_places}): {value:+.2f}.",
            "入力の地名（{query_places}）が掲載名の地名（{listed_places}）と異なります（{value:+.2f}）。",
            en_short="another place",
            ja_short="地名が異なる",
        ),
        Feature(
            "generic_only",
            0.0,
            "One side is made only of generic words (Trading, General, International, places…): capped below a hit.",
            "一般的な語（貿易・総合・国際・地名など）だけの名称のため、「該当」にはしません。",
            en_short="generic words only",
            ja_short="一般語のみ",
        ),
        Feature(
            "script_variant",
            0.0,
            "Simplified, traditional and Japanese forms of the same characters were read as one.",
            "簡体字・繁体字・日本の字体の違いを同じ字として照合しました。",
            "Simplified, traditional and Japanese forms of the same characters were read as one ({pairs}).",
            "簡体字・繁体字・日本の字体の違いを同じ字として照合しました（{pairs}）。",
            en_short="character forms",
            ja_short="字体の違い",
        ),
        Feature(
            "place_alias",
            0.0,
            "A place written in katakana was read as the list writes it (rules/eul_place_names.yaml).",
            "カタカナの地名を掲載の表記として照合しました（rules/eul_place_names.yaml）。",
            "A place written in katakana was read as the list writes it: {pairs}.",
            "カタカナの地名を掲載の表記として照合しました（{pairs}）。",
            en_short="katakana place",
            ja_short="カタカナ地名",
        ),
        Feature(
            "abbreviation",
            0.0,
            "Abbreviations and spellings were read as the full word (Univ. = University, Centre = Center …).",
            "略語・綴りの違いを同じ語として照合しました（Univ.＝University、Centre＝Center など）。",
            "Abbreviations and spellings were read as the full word: {pairs}.",
            "略語・綴りの違いを同じ語として照合しました（{pairs}）。",
            en_short="abbreviation",
            ja_short="略語・綴り",
        ),
        Feature(
            "run_together",
            0.0,
            "Words written together were read as separate words (TRADINGCOMPANY = Trading Company).",
            "続けて書かれた語を区切って照合しました（TRADINGCOMPANY＝Trading Company など）。",
            "Words written together were read as separate words: {pairs}.",
            "続けて書かれた語を区切って照合しました（{pairs}）。",
            en_short="words together",
            ja_short="続け書き",
        ),
    )
}
COUNTRY_MISMATCH = FEATURES["country_mismatch"].weight
NAME_FEATURES = ("name_exact", "alias_match", "name_fuzzy", "cjk_prefix", "acronym_match")
