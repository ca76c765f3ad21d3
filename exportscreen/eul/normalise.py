"""Name normalisation for End User List matching.

One function, :func:`normalise`, turns a company name into a :class:`Norm`:

* Unicode NFKC (full-width letters, ㈱ → (株)), casefold;
* Chinese and Japanese script: katakana place names read as the list writes them (ハルビン → 哈爾浜, テヘラン → Tehran;
  ``rules/eul_place_names.yaml``), character variants folded to one form (発 = 發 = 发, 興 = 兴, 閃 = 闪;
  :mod:`exportscreen.eul.script`, OpenCC), legal forms removed (株式会社, 有限公司, 会社 …) and each run of Chinese
  characters cut into words: places (北京, 朝鮮), generic words (科技, 貿易, 研究所 …) and what is left, the name's
  own words (闪亮之夜) — 北京閃亮之夜科技発展有限公司 → ``北京 闪亮之夜 科技 发展``;
* apostrophes dropped (``Qa'ida`` → ``qaida``), dotted initials joined (``L.L.C.`` → ``llc``),
  ``&`` read as ``and``, every other punctuation and white space folded to one space;
* abbreviations and spellings read as one word (Univ. → university, Inst. → institute, Tech. → technology, Intl →
  international, Mfg. → manufacturing, Centre → center, Organisation → organization, Peking → Beijing), and
  generic or legal words written together with another word split off (TRADINGCOMPANY → trading company,
  ZarvanTrading → zarvan trading);
* legal forms removed wherever they stand (``Co., Ltd.``, ``Company Limited``, ``LLC``, ``JSC``, ``GmbH`` …), so
  that ``X Co., Ltd.`` = ``X Company Limited`` = ``X``;
* *distinctive* tokens: what is left once generic words (Trading, General, International, Components …) and
  stop words (of, the, and, al …) are also dropped. Fuzzy scores are computed on these only, so that
  two names sharing only generic words never look alike. *Weak* words (places, nationalities, University,
  short codes such as HK) are distinctive but never make a match on their own.

Everything here is pure and cached (``lru_cache``): a name is normalised once per process.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

# --- legal forms --------------------------------------------------------------------------------
# Multi-word forms first (longest first when matching); all are matched on whole tokens.
LEGAL_PHRASES: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        (
            tuple(p.split())
            for p in (
                "company limited",
                "co ltd",
                "co limited",
                "company ltd",
                "corp ltd",
                "pvt ltd",
                "private limited",
                "private ltd",
                "pte ltd",
                "pty ltd",
                "sdn bhd",
                "limited liability company",
                "limited liability partnership",
                "limited company",
                "joint stock company",
                "open joint stock company",
                "closed joint stock company",
                "public joint stock company",
                "joint stock co",
                "stock company",
                "public company",
                "public limited company",
                "holding company",
                "aktsionernoe obshchestvo",
                "otkrytoe aktsionernoe obshchestvo",
                "zakrytoe aktsionernoe obshchestvo",
                "publichnoe aktsionernoe obshchestvo",
                "obshchestvo s ogranichennoi otvetstvennostyu",
                "obshchestvo s ogranichennoy otvetstvennostyu",
                "kabushiki kaisha",
                "yugen kaisha",
                "godo kaisha",
                "youxian gongsi",
                "youxian zeren gongsi",
                "gufen youxian gongsi",
                "public joint stock co",
                "open joint stock co",
                "closed joint stock co",
                "public stock company",
                "public stock co",
                "l l c",
                "l l p",
                "j s c",
                "p j s c",
                "o j s c",
                "c j s c",
                "p l c",
                "l t d",
                "f z e",
                "f z c o",
                "f z c",
                "p v t",
                "g m b h",
                "s a",
                "s a l",
                "s a r l",
                "s p a",
                "b v",
                "n v",
                "a g",
            )
        ),
        key=len,
        reverse=True,
    )
)
_PHRASES_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _p in LEGAL_PHRASES:
    _PHRASES_BY_FIRST.setdefault(_p[0], []).append(_p)
LEGAL_TOKENS = frozenset(
    """co company companies corp corporation inc incorporated ltd limited llc lllp llp lp plc pvt
    private pte pty fze fzco fzc fzllc fz gmbh mbh ag kg kgaa gbr ohg ug ev eg jsc ojsc pjsc cjsc zao oao pao ao ooo tov
    sa sal sarl spa srl bv nv bhd sdn jv jvc kk gongsi zonggongsi liability coltd pvtltd pteltd ptyltd sdnbhd colimited
    aktsionernoe obshchestvo otkrytoe zakrytoe publichnoe""".split()
)
# CJK legal forms, removed as substrings (longest first), in the folded form of :mod:`exportscreen.eul.script`
# (written here as Japanese and Chinese write them; folded when the tables are built). ㈱ becomes (株) under NFKC.
CJK_LEGAL_FORMS = (
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "有限責任公司",
    "股份有限公司",
    "有限公司",
    "公司",
    "会社",
    "(株)",
    "(有)",
    "コーポレーション",
    "カンパニー",
    "リミテッド",
)

# --- generic words --------------------------------------------------------------------------------
# Words that say what kind of business a company is, not which one. A name made only of these
# (after legal forms are gone) is "generic only" and never makes a hit.
GENERIC_WORDS = frozenset(
    """trading trade trades trader traders general generals international inter industries industry
    industrial group groups engineering engineer engineers technology technologies technique techno technical
    technic import imports importer export exports exporter commercial commerce services service holding
    holdings development developments global worldwide universal united enterprise enterprises
    manufacturing manufacture manufacturer manufacturers production products product solutions solution
    systems system supply supplies supplier suppliers equipment equipments machinery logistics shipping
    investment investments consulting consultants consultancy management partners partner joint venture ventures
    electronic electronics electrical electric new star best advanced modern world overseas resources agency agencies
    business mercantile merchandise merchants distribution distributors distributor marketing sales
    materials material projects project construction contracting contractors operations science
    sciences scientific research institute center centers components component parts devices network networks
    software digital media telecom telecommunications associates sons brothers corporate keji maoyi guoji jituan
    jinchukou shiye""".split()
)
# Grammatical words and articles (English, Arabic, Persian, Romance), dropped from distinctive tokens.
STOP_WORDS = frozenset("of the and for a an in on at by to de la le el al va ve y du und".split())
# Words that are part of many listed names but say little on their own: nationalities, countries, honorifics
# (Shahid), kinds of institution, compass words, short codes (HK, UAE), and the weak places of
# rules/eul_place_names.yaml (Beijing, Tehran …). They count in the fuzzy score, but a name whose distinctive
# tokens are all weak is treated like a generic-only one (never a hit on its own).
BASE_WEAK_WORDS = frozenset(
    """korea korean dprk iran iranian persia persian pars chinese russia russian rossii pakistan pakistani syria
    syrian lebanon lebanese emirates uae hong kong egypt egyptian yemen india indian israel afghanistan
    north south east west northern southern eastern western southwest northwest southeast northeast central
    asia asian middle far national state islamic shahid university academy bureau office department branch
    hk prc usa uk us eu ksa rok roc cn ir kp pk ru ae sy lb tw""".split()
)
# Abbreviations read as the word (both the query and the listed names go through this).
REWRITES: dict[str, str] = {
    "univ": "university",
    "inst": "institute",
    "instt": "institute",
    "tech": "technology",
    "techn": "technology",
    "intl": "international",
    "intnl": "international",
    "int": "international",
    "mfg": "manufacturing",
    "mfr": "manufacturer",
    "mfrs": "manufacturers",
    "corp": "corporation",
    "ctr": "center",
    "cntr": "center",
    "natl": "national",
    "assn": "association",
    "assoc": "association",
    "dept": "department",
    "govt": "government",
    "engg": "engineering",
    "eng": "engineering",
    "mgmt": "management",
    "svcs": "services",
    "acad": "academy",
    "lab": "laboratory",
    "labs": "laboratories",
    "eqpt": "equipment",
    "equip": "equipment",
    "chem": "chemical",
    "bros": "brothers",
    "indl": "industrial",
    "ind": "industries",
    "inds": "industries",
}
# British spellings read as American ones (Centre = Center). The matcher also reaches a listed word from a typo of
# its British spelling (Alumxnium → aluminum).
SPELLINGS: dict[str, str] = {
    "centre": "center",
    "centres": "centers",
    "fibre": "fiber",
    "metre": "meter",
    "theatre": "theater",
    "defence": "defense",
    "licence": "license",
    "aluminium": "aluminum",
    "programme": "program",
    "colour": "color",
    "labour": "labor",
    "harbour": "harbor",
    "tyre": "tire",
    "tyres": "tires",
    "sulphur": "sulfur",
    "jewellery": "jewelry",
    "catalogue": "catalog",
}

# Chinese-script words (written as Japanese or Chinese write them; folded when the tables are built).
# Generic: what a company does or what kind of body it is (科技 technology, 貿易 trade, 研究所 institute …).
CJK_GENERIC_WORDS = """
科技 技術 技术 発展 发展 開発 开发 貿易 商貿 工貿 経貿 実業 工業 産業 企業 興業 商業 電子 電気 電機 電器 電源
機械 機電 機器 重機械 設備 装備 材料 新材料 複合材料 複合 化学 化工 光電 光学 精密 精機 儀器 儀表 自動化 自動
控制 通信 測控 情報 信息 網絡 軟件 伝媒 传媒 資訊 智能 能源 環境 工程 建設 建築 製造 重工 重型 汽車 自動車
車輌 車両 車輛 運輸 物流 海運 航運 国際 進出口 輸出入 輸入 輸出 集団 控股 投資 咨詢 服務 管理 研究 研究所
研究院 研究中心 研究設計院 設計 設計院 中心 科学 工場 工廠 製作所 製鉄 製鉄所 鋼鉄 鉄鋼 鉄工 鋁業 磁業 橡塑
陶瓷 合金 特種 高新技術 高新 新技術 高科技 連合 聯合 合営 合作 共同組合 組合 協力 連合企業所 企業所 連合体
総合 綜合 商社 商事 商会 物産 通商 委員会 協会 事務所 辦事處 代表處 支社 分公司 分社 支店 百貨店 銀行 金融
信用 信託 保険 医薬 薬業 生物 食品 水産 農林 鉱業 鑛業 印刷 電訊 電話 交換局 総局 病院 診療所 建設部 技研 製薬
化成 倉庫 不動産 証券 商店 ホールディングス グループ インターナショナル エンジニアリング テクノロジー
テクノロジーズ システム システムズ サービス トレーディング エレクトロニクス センター ガス
""".split()
# Weak: places come from rules/eul_place_names.yaml; these are the kinds of institution (大学 = University).
CJK_WEAK_WORDS = "大学 学院 科学院 国家 国営 国立 国防 中央".split()
# One character after a place (北京市, 河北省): part of the place, read as a generic word.
CJK_PLACE_SUFFIX = frozenset("市省区县県道州")
# One character that ends a name's own word (新力机器厂, 金策制铁所): a kind of body, split off as a generic word.
CJK_BODY_SUFFIX = frozenset("厂廠厰所院局部社店场場省")
_SINGLE_LEGAL = frozenset("株有")  # 株 or 有 standing alone: (株), (有) once the brackets are gone

_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_CJK_RE = re.compile(f"[{_CJK}]")
_KATAKANA_RE = re.compile(r"[\u30a0-\u30ff]")
_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_SEGMENT_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_APOS_RE = re.compile(r"['’‘`´ʻʼ]")
_INITIALS_RE = re.compile(r"(?<![^\W_])((?:[^\W_]\.){2,})")
_NON_WORD_RE = re.compile(r"[\W_]+")
_BRACKET_RE = re.compile(r"[(\[{]([^()\[\]{}]*)[)\]}]")
MIN_SPLIT_WORD = 4  # a generic/legal word split off a token written together has at least 4 letters
MIN_TOGETHER = 5  # … and such a token at least 5 letters (STARCO, ANDCO)


@dataclass(frozen=True, eq=False)  # hashed by identity: one per process
class Tables:
    """The word lists in the form names are compared in (built once, on first use)."""

    weak: frozenset[str]  # Latin weak words, CJK places and kinds of institution
    generic: frozenset[str]  # Latin generic words and CJK generic words
    cjk_legal: tuple[str, ...]  # folded CJK legal forms, longest first
    cjk_legal_cut: re.Pattern  # the beginning of a folded CJK legal form at the end of a name
    cjk_words: dict[str, str]  # folded CJK word → "weak" | "generic" (the segmentation dictionary)
    cjk_places: dict[str, str]  # folded kanji of a weak place → the place's Latin name (北京 → beijing)
    cjk_ending: dict[str, tuple[str, ...]]  # last character → the CJK words that end in it, longest first
    rewrites: dict[str, str]  # abbreviations, spellings, Latin place variants
    long_legal: tuple[str, ...]  # legal words of 5+ letters (company, limited …), longest first
    split_words: frozenset[str]  # generic and weak words of 4+ letters …
    split_later: frozenset[str]  # … and the short legal forms and connecting words written after them (co, llc, and)


@lru_cache(maxsize=1)
def tables() -> Tables:
    from exportscreen.eul.places import places
    from exportscreen.eul.script import fold_variants

    p = places()
    cjk_words: dict[str, str] = {}
    for w in CJK_GENERIC_WORDS:
        cjk_words[fold_variants(unicodedata.normalize("NFKC", w))] = "generic"
    cjk_places = {fold_variants(unicodedata.normalize("NFKC", k)): v for k, v in p.weak_kanji.items()}
    for w in (*CJK_WEAK_WORDS, *cjk_places):
        cjk_words[fold_variants(unicodedata.normalize("NFKC", w))] = "weak"
    legal = sorted({fold_variants(unicodedata.normalize("NFKC", f)) for f in CJK_LEGAL_FORMS}, key=len, reverse=True)
    cut = sorted({f[:k] for f in legal if _HAN_RE.match(f) for k in range(2, len(f))} | {"公"}, key=len, reverse=True)
    weak = BASE_WEAK_WORDS | p.weak_latin | {w for w, k in cjk_words.items() if k == "weak"}
    generic = GENERIC_WORDS | {w for w, k in cjk_words.items() if k == "generic"} | _SINGLE_SUFFIXES
    return Tables(
        weak=frozenset(weak),
        generic=frozenset(generic),
        cjk_legal=tuple(legal),
        cjk_legal_cut=re.compile(f"(?:{'|'.join(re.escape(c) for c in cut)})\\s*$"),
        cjk_words=cjk_words,
        cjk_places=cjk_places,
        cjk_ending={
            ch: tuple(sorted((w for w in cjk_words if w[-1] == ch and len(w) >= 2), key=len, reverse=True))
            for ch in {w[-1] for w in cjk_words}
        },
        rewrites={**REWRITES, **SPELLINGS, **p.latin},
        long_legal=tuple(sorted((w for w in LEGAL_TOKENS if len(w) >= 5), key=len, reverse=True)),
        split_words=frozenset(w for w in GENERIC_WORDS | weak if len(w) >= MIN_SPLIT_WORD and w.isascii()),
        split_later=frozenset(w for w in LEGAL_TOKENS | STOP_WORDS if len(w) < 5),
    )


_SINGLE_SUFFIXES = frozenset(CJK_PLACE_SUFFIX | CJK_BODY_SUFFIX | {"总", "総"})


def __getattr__(name: str):
    """``WEAK_WORDS``: every weak word (built with the place table on first use)."""
    if name == "WEAK_WORDS":
        return tables().weak
    raise AttributeError(name)


class Norm(NamedTuple):
    """A normalised name: ``full`` (legal forms removed), its ``compact`` form (no spaces) for exact
    comparison, and the ``distinctive`` tokens used for fuzzy scoring. (A named tuple: made for every name, it is
    quicker to build than a frozen dataclass.)"""

    full: str
    compact: str
    body: str  # ``full`` without stop words: compared when the distinctive tokens agree
    distinctive: tuple[str, ...]
    strong: bool  # at least one distinctive token that is not a weak word
    cjk_lead: str = ""  # the places a Chinese-script name begins with (北京)
    cjk_rest: str = ""  # the Chinese-script words after them (闪亮之夜科技发展), compared as prefixes
    cjk_kinds: str = ""  # per character of cjk_rest: "c" the name's own, "g" generic, "w" weak
    reads: tuple[tuple[str, str, str], ...] = ()  # (kind, written, read): place, abbreviation, run_together

    @property
    def generic_only(self) -> bool:
        """Nothing but generic, stop and weak words: such a name never makes a hit on its own."""
        return not self.strong

    @property
    def dist_text(self) -> str:
        return " ".join(self.distinctive)


def fold(text: str) -> str:
    """NFKC + casefold + punctuation/white space folded to single spaces (legal forms kept)."""
    return _fold(unicodedata.normalize("NFKC", text))


def _fold(s: str) -> str:
    s = s.casefold().replace("&", " ").replace("+", " ")
    s = _APOS_RE.sub("", s)
    if "." in s:
        s = _INITIALS_RE.sub(lambda m: m.group(1).replace(".", ""), s)
    return _NON_WORD_RE.sub(" ", s).strip()


def _segment(run: str, t: Tables) -> list[tuple[str, str]]:
    """One run of Chinese characters/kana cut into (word, kind): dictionary words (a place, "weak", or a generic
    word) and, between them, the name's own words ("c"). Matched from the end (the longest dictionary word ending at
    each position), as a Chinese company name is place + own name + trade words + legal form: 浩通商贸 → 浩通 商贸,
    not 浩 通商 贸."""
    rev: list[tuple[str, str]] = []
    buf = ""
    j = len(run)
    words, ending = t.cjk_words, t.cjk_ending
    while j > 0:
        for word in ending.get(run[j - 1], ()):  # the dictionary words ending in this character, longest first
            if len(word) <= j and run.endswith(word, 0, j):
                break
        else:
            buf = run[j - 1] + buf
            j -= 1
            continue
        if buf:
            rev.append((buf, "c"))
            buf = ""
        rev.append((t.cjk_places.get(word, word), words[word]))  # a place is read as its Latin name: 北京 → beijing
        j -= len(word)
    if buf:
        rev.append((buf, "c"))
    # 市/省 right after a place (三河市 → sanhe 市), a kind of body at the end of the name's own word (新力机器厂 →
    # 新力 机器 厂), a lone 株/有 (of (株), (有)), 总, 所 …
    fixed: list[tuple[str, str]] = []
    for w, kind in reversed(rev):
        if kind == "c":
            if fixed and fixed[-1][1] == "weak" and w[0] in CJK_PLACE_SUFFIX:
                fixed.append((w[0], "generic"))
                w = w[1:]
                if not w:
                    continue
            if w in _SINGLE_LEGAL:
                continue
            if len(w) >= 3 and w[-1] in CJK_BODY_SUFFIX:
                fixed += [(w[:-1], "c"), (w[-1], "generic")]
                continue
            if w in _SINGLE_SUFFIXES:
                kind = "generic"
        fixed.append((w, kind))
    return fixed


def _cjk(s: str, t: Tables, reads: list[tuple[str, str, str]]) -> tuple[str, str, str, str]:
    """Chinese/Japanese script: katakana places read, variants folded, legal forms removed, words cut. Returns the
    text with the words separated by spaces, the leading places, and the characters after them with their kinds."""
    from exportscreen.eul.places import places
    from exportscreen.eul.script import fold_variants

    if _KATAKANA_RE.search(s):
        p = places()
        if p.kana_re is not None:
            reads += [("place", m.group(0), p.kana_shown[m.group(0)]) for m in p.kana_re.finditer(s)]
        s = p.read_kana(s)
    s = fold_variants(s)
    for form in t.cjk_legal:
        if form in s:
            s = s.replace(form, " ")
    s = t.cjk_legal_cut.sub(" ", s)  # a legal form cut short at the end (有限, 股份有限公, 公): what a prefix leaves
    lead_words, rest, kinds = [], [], []
    lead = True
    pieces: list[str] = []
    pos = 0
    first = _SEGMENT_RE.search(s)
    if first and first.start():  # Latin words before the Chinese script: places (a katakana place read) lead
        before = _fold(s[: first.start()]).split()
        if before and all(w in t.weak for w in before):
            lead_words += before
        elif before:
            lead = False
    for m in _SEGMENT_RE.finditer(s):
        pieces.append(s[pos : m.start()])
        words = _segment(m.group(0), t)
        pieces.append(" " + " ".join(w for w, _ in words) + " ")
        pos = m.end()
        for w, kind in words:
            if lead and (kind == "weak" or (kind == "generic" and w in CJK_PLACE_SUFFIX)):
                if kind == "weak":
                    lead_words.append(w)
                continue
            lead = False
            rest.append(w)
            kinds.append(kind[0] * len(w))
    pieces.append(s[pos:])
    return "".join(pieces), "".join(lead_words), "".join(rest), "".join(kinds)


@lru_cache(maxsize=16384)
def _split_together(token: str, t: Tables) -> tuple[str, ...]:
    """A legal form, or a short legal form or connecting word after a generic word, written together with the name
    (``paintcompany`` → paint company, ``companyangstrem`` → company angstrem, ``tradingllc`` → trading llc,
    ``starco``, ``andtechnology``), split off. Other compounds stay whole: ``intertech``, ``medialab``,
    ``rosoboronexport`` are names (the matcher reads them against the listed words,
    :meth:`exportscreen.eul.matcher.Index.reread`)."""
    for w in t.long_legal:
        if len(token) - len(w) >= 2:
            if token.endswith(w) and (len(token) - len(w) >= 3 or token[: -len(w)] in t.weak):  # hklimited
                return (*_split_together(token[: -len(w)], t), w)
            if token.startswith(w) and len(token) - len(w) >= 3:
                return (w, *_split_together(token[len(w) :], t))
    for i in range(2, len(token) - 1):
        x, y = token[:i], token[i:]
        if (x in t.split_words or x in t.split_later) and y in t.split_later:  # tradingllc, andco, incsarl
            return (x, y)
        if x in STOP_WORDS and y in t.split_words:  # andtechnology
            return (x, y)
    return (token,)


def _rewrite(tokens: list[str], t: Tables, reads: list[tuple[str, str, str]]) -> list[str]:
    """Abbreviations and spellings read as the word, generic words written together split; each reading is added
    to ``reads`` as (kind, written, read)."""
    out: list[str] = []
    rewrites = t.rewrites
    for tok in tokens:
        r = rewrites.get(tok)
        if r is not None:
            out.append(r)
            reads.append(("abbreviation", tok, r))
        elif len(tok) < MIN_TOGETHER:
            out.append(tok)
        elif tok.endswith(("isation", "isations")):
            out.append(tok.replace("isation", "ization"))
            reads.append(("abbreviation", tok, out[-1]))
        elif tok.isascii() and tok.isalpha() and tok not in t.generic and tok not in t.weak and tok not in LEGAL_TOKENS:
            parts = _split_together(tok, t)
            if len(parts) > 1:
                reads.append(("run_together", tok, " ".join(parts)))
                parts = tuple(rewrites.get(w, w) for w in parts)
            out.extend(parts)
        else:
            out.append(tok)
    return out


@lru_cache(maxsize=65536)
def normalise(text: str) -> Norm:
    t = tables()
    s = unicodedata.normalize("NFKC", text)
    lead = rest = kinds = ""
    reads: list[tuple[str, str, str]] = []
    if _CJK_RE.search(s):
        s, lead, rest, kinds = _cjk(s, t, reads)
    tokens = _rewrite(_fold(s).split(), t, reads)
    kept: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        for phrase in _PHRASES_BY_FIRST.get(tokens[i], ()):
            k = len(phrase)
            if tuple(tokens[i : i + k]) == phrase:
                i += k
                break
        else:
            if tokens[i] not in LEGAL_TOKENS:
                kept.append(tokens[i])
            i += 1
    # a name that is nothing but a legal form ("(Pvt)", "Company Limited") normalises to nothing
    generic, weak = t.generic, t.weak
    distinctive = tuple(tok for tok in kept if tok not in generic and tok not in STOP_WORDS)
    # "and" is left out of the compact form so that "Oil & Vehicle" = "Oil and Vehicle" = "Oil Vehicle"
    return Norm(
        full=" ".join(kept),
        compact="".join(tok for tok in kept if tok != "and"),
        body=" ".join(tok for tok in kept if tok not in STOP_WORDS),
        distinctive=distinctive,
        strong=any(tok not in weak for tok in distinctive),
        cjk_lead=lead,
        cjk_rest=rest,
        cjk_kinds=kinds,
        reads=tuple(reads),
    )


def is_cjk(token: str) -> bool:
    return bool(_CJK_RE.search(token))


def split_brackets(text: str) -> tuple[str, list[str]]:
    """``"Ummah Tameer E-Nau (UTN)"`` → (``"Ummah Tameer E-Nau"``, [``"UTN"``]): the name without its
    top-level bracketed parts, and those parts (acronyms, other-script names, qualifiers). Nested
    brackets stay inside their part: ``快急送物流(中國)有限公司`` is one part."""
    outer: list[str] = []
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        if ch in "([{（［｛":
            if depth == 0:
                cur = []
            else:
                cur.append(ch)
            depth += 1
        elif ch in ")]}）］｝" and depth:
            depth -= 1
            if depth == 0:
                if "".join(cur).strip():
                    parts.append("".join(cur).strip())
                outer.append(" ")
            else:
                cur.append(ch)
        elif depth:
            cur.append(ch)
        elif ch not in ")]}）］｝":
            outer.append(ch)
    if depth and "".join(cur).strip():  # unbalanced: keep what followed the open bracket
        parts.append("".join(cur).strip())
    return " ".join("".join(outer).split()), parts


_ACRONYM_RE = re.compile(r"^[A-Z0-9][A-Z0-9&.\- ]{0,12}$")
_SHORT_WORD_RE = re.compile(r"^[A-Za-z][A-Za-z0-9&.\-]{1,7}$")


def is_acronym(part: str, any_case: bool = False) -> bool:
    """A bracketed part that reads as an acronym: capitals/digits, short, at most 3 words (``CETC 14``) — but not
    a short code (``(HK)``, ``(UAE)``) or a legal form (``(LLC)``, ``(Pvt)``), which name no one. With ``any_case``
    (a name typed by a clerk) one short word in any case is one too (``(kaio)``)."""
    p = unicodedata.normalize("NFKC", part).strip()
    if any_case and _SHORT_WORD_RE.match(p):
        p = p.upper()
    if not (_ACRONYM_RE.match(p) and len(p.split()) <= 3 and any(c.isalpha() for c in p) and len(p) <= 12):
        return False
    n = normalise(p)
    return bool(n.compact) and not n.generic_only
