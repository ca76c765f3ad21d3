"""Name normalisation for End User List matching.

One function, :func:`normalise`, turns a company name into a :class:`Norm`:

* Unicode NFKC (full-width letters, ㈱ → (株)), casefold;
* apostrophes dropped (``Qa'ida`` → ``qaida``), dotted initials joined (``L.L.C.`` → ``llc``),
  ``&`` read as ``and``, every other punctuation and white space folded to one space;
* legal forms removed wherever they stand (``Co., Ltd.``, ``Company Limited``, ``LLC``, ``JSC``,
  ``株式会社``, ``有限公司`` …), so that ``X Co., Ltd.`` = ``X Company Limited`` = ``X``;
* *distinctive* tokens: what is left once generic words (Trading, General, International …) and
  stop words (of, the, and, al …) are also dropped. Fuzzy scores are computed on these only, so that
  two names sharing only generic words never look alike.

Everything here is pure and cached (``lru_cache``): a name is normalised once per process.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

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
    private pte pty fze fzco fzc fzllc fz gmbh mbh ag kg jsc ojsc pjsc cjsc zao oao pao ao ooo tov
    sa sal sarl spa srl bv nv bhd sdn jv jvc""".split()
)
# CJK legal forms, removed as substrings (longest first). ㈱ becomes (株) under NFKC.
CJK_LEGAL = tuple(
    sorted(
        (
            "株式会社",
            "有限会社",
            "合同会社",
            "合資会社",
            "合名会社",
            "有限責任公司",
            "有限责任公司",
            "股份有限公司",
            "有限公司",
            "集団公司",
            "集团公司",
            "総公司",
            "总公司",
            "公司",
            "会社",
            "(株)",
            "(有)",
            "株",
        ),
        key=len,
        reverse=True,
    )
)

# --- generic words --------------------------------------------------------------------------------
# Words that say what kind of business a company is, not which one. A name made only of these
# (after legal forms are gone) is "generic only" and never makes a hit.
GENERIC_WORDS = frozenset(
    """trading trade trades trader traders general generals international intl inter industries industry
    industrial group groups engineering engineer engineers technology technologies tech techno technical
    technic import imports importer export exports exporter commercial commerce services service holding
    holdings development developments global worldwide universal united enterprise enterprises
    manufacturing manufacture manufacturer manufacturers production products product solutions solution
    systems system supply supplies supplier suppliers equipment equipments machinery logistics shipping
    investment investments consulting consultants management partners partner joint venture ventures
    electronic electronics electrical electric new star best advanced modern world overseas resources agency agencies
    business mercantile merchandise merchants distribution distributors distributor marketing sales
    materials material projects project construction contracting contractors operations science
    sciences scientific research institute center centre""".split()
)
# Grammatical words and articles (English, Arabic, Persian, Romance), dropped from distinctive tokens.
STOP_WORDS = frozenset("of the and for a an in on at by to de la le el al va ve y du".split())
# Words that are part of many listed names but say little on their own: places, nationalities,
# honorifics (Shahid), kinds of institution. They count in the fuzzy score, but a name whose
# distinctive tokens are all weak is treated like a generic-only one (never a hit on its own).
WEAK_WORDS = frozenset(
    """korea korean dprk choson chosun iran iranian persia persian pars china chinese prc zhongguo russia
    russian rossii pakistan pakistani syria syrian lebanon lebanese emirates uae dubai sharjah ajman hong
    kong hongkong taiwan egypt egyptian yemen india indian israel afghanistan beijing shanghai shenzhen
    guangzhou tianjin dalian chengdu nanjing harbin xian wuhan changsha hangzhou dandong shenyang moscow
    petersburg tehran teheran isfahan esfahan shiraz tabriz mashhad karaj yazd pyongyang nampo rason
    karachi lahore islamabad rawalpindi damascus beirut north south east west northern southern eastern
    western southwest northwest southeast northeast central asia asian middle far national state islamic
    shahid university academy bureau office department branch""".split()
)
CJK_GENERIC = tuple(
    sorted(
        (
            "貿易",
            "贸易",
            "国際",
            "國際",
            "国际",
            "工業",
            "工业",
            "技術",
            "技术",
            "科技",
            "集団",
            "集团",
            "総",
            "总",
            "商事",
            "商社",
            "産業",
            "产业",
            "有限",
            "輸出入",
            "进出口",
        ),
        key=len,
        reverse=True,
    )
)

_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_CJK_RE = re.compile(f"[{_CJK}]")
_APOS_RE = re.compile(r"['’‘`´ʻʼ]")
_INITIALS_RE = re.compile(r"(?<![^\W_])((?:[^\W_]\.){2,})")
_NON_WORD_RE = re.compile(r"[\W_]+")
_BRACKET_RE = re.compile(r"[(\[{]([^()\[\]{}]*)[)\]}]")


@dataclass(frozen=True, slots=True)
class Norm:
    """A normalised name: ``full`` (legal forms removed), its ``compact`` form (no spaces) for exact
    comparison, and the ``distinctive`` tokens used for fuzzy scoring."""

    full: str
    compact: str
    body: str  # ``full`` without stop words: compared when the distinctive tokens agree
    distinctive: tuple[str, ...]
    strong: bool  # at least one distinctive token that is not a weak word

    @property
    def generic_only(self) -> bool:
        """Nothing but generic, stop and weak words: such a name never makes a hit on its own."""
        return not self.strong

    @property
    def dist_text(self) -> str:
        return " ".join(self.distinctive)


def fold(text: str) -> str:
    """NFKC + casefold + punctuation/white space folded to single spaces (legal forms kept)."""
    s = unicodedata.normalize("NFKC", text).casefold()
    s = s.replace("&", " ").replace("+", " ")
    s = _APOS_RE.sub("", s)
    s = _INITIALS_RE.sub(lambda m: m.group(1).replace(".", ""), s)
    return _NON_WORD_RE.sub(" ", s).strip()


def _strip_cjk(token: str, forms: tuple[str, ...]) -> str:
    for form in forms:
        if form in token:
            token = token.replace(form, " ")
    return token


@lru_cache(maxsize=65536)
def normalise(text: str) -> Norm:
    s = unicodedata.normalize("NFKC", text)
    if _CJK_RE.search(s):
        s = _strip_cjk(s, CJK_LEGAL)
    tokens = fold(s).split()
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
    distinctive: list[str] = []
    for tok in kept:
        if tok in GENERIC_WORDS or tok in STOP_WORDS:
            continue
        if _CJK_RE.search(tok):
            distinctive.extend(_strip_cjk(tok, CJK_GENERIC).split())
        else:
            distinctive.append(tok)
    full = " ".join(kept)
    strong = any(t not in WEAK_WORDS for t in distinctive)
    body = " ".join(t for t in kept if t not in STOP_WORDS)
    # "and" is left out of the compact form so that "Oil & Vehicle" = "Oil and Vehicle" = "Oil Vehicle"
    return Norm(
        full=full,
        compact="".join(t for t in kept if t != "and"),
        body=body,
        distinctive=tuple(distinctive),
        strong=strong,
    )


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


def is_acronym(part: str) -> bool:
    """A bracketed part that reads as an acronym: capitals/digits, short, at most 3 words (``CETC 14``)."""
    p = unicodedata.normalize("NFKC", part).strip()
    return bool(_ACRONYM_RE.match(p)) and len(p.split()) <= 3 and any(c.isalpha() for c in p) and len(p) <= 12
