"""The feature table: every reason a name can match, with a stable id, a weight and a description.

In the spirit of nomenklatura's ``logic-v1``: the score of a candidate is the strongest *name* feature
(``name_exact``, ``alias_match``, ``name_fuzzy``, ``acronym_match``), plus the weights of the
*adjustment* features that fired (``country_mismatch``), clipped to [0, 1]; ``generic_only`` caps the
score below the hit threshold. ``Hit.features`` lists ``"<id>: <detail>"`` for each feature that fired,
and ``Hit.explain`` renders them with the descriptions below.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Feature:
    id: str
    weight: float  # for name features: the score when it fires fully; for adjustments: added to the score
    en: str
    ja: str


FEATURES: dict[str, Feature] = {
    f.id: f
    for f in (
        Feature(
            "name_exact",
            1.0,
            "The name equals the listed name once case, punctuation, width and legal forms are ignored.",
            "大文字小文字・記号・全角半角・会社形態を除くと掲載名と一致します。",
        ),
        Feature(
            "alias_match",
            1.0,
            "The name equals one of the entry's aliases (別名) once normalised.",
            "正規化すると掲載の別名と一致します。",
        ),
        Feature(
            "name_fuzzy",
            1.0,
            "The distinctive words of the name are close to those of a listed name or alias (score = similarity).",
            "固有の語が掲載名または別名の固有の語とよく似ています（スコア＝類似度）。",
        ),
        Feature(
            "acronym_match",
            0.90,
            "The name equals the acronym the list gives in brackets; acronyms are short, so this is only a "
            "possible hit.",
            "掲載名の括弧内の略称と一致します（略称は短いため「要確認」止まり）。",
        ),
        Feature("country_match", 0.0, "The destination country is the entry's country.", "仕向国が掲載国と同じです。"),
        Feature(
            "country_mismatch",
            -0.15,
            "The destination country differs from the entry's country (the entity may still act there).",
            "仕向国が掲載国と異なります（減点。掲載企業が他国で取引する可能性は残ります）。",
        ),
        Feature(
            "generic_only",
            0.0,
            "One side is made only of generic words (Trading, General, International, places…): capped below a hit.",
            "一般的な語（貿易・総合・国際・地名など）だけの名称のため、「該当」にはしません。",
        ),
    )
}
COUNTRY_MISMATCH = FEATURES["country_mismatch"].weight
