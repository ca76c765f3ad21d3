"""The match index of one End User List, and the scoring of a query name against it.

Strategy (fast, and exhaustive for the variants we promise to catch):

1. Every listed name, alias, bracketed acronym and other-script name becomes a *candidate name*,
   normalised once (:mod:`exportscreen.eul.normalise`: script variants, katakana places, abbreviations,
   legal forms, Chinese-script names cut into words).
2. Exact path: a dict from the compact normalised form to candidates (``name_exact`` / ``alias_match``),
   and one for acronyms (``acronym_match``).
3. Fuzzy path, by token blocking: an inverted index from distinctive tokens to candidates. A query
   token reaches a listed token when they are equal, or — for tokens of 5+ letters — within one edit
   (symmetric-delete lookup, as in SymSpell: substitutions, insertions, deletions, transpositions), or
   — for Chinese-script tokens — when they share a character bigram. Query words written together that are two
   listed words (``raadsepahan``), or apart that are one listed word (``rad sepahan`` → ``radsepahan``), are read as
   the listed words. Every pair is scored with ``rapidfuzz.fuzz.ratio``. A candidate is scored only if its
   reached tokens could give a score at the possible threshold; for the candidates left, the score is
   ``1 − 0.5·(share of the listed name's distinctive text not found) − 0.5·(share of the query's distinctive
   text not explained)`` (each token weighed by its length — a Chinese character as two letters, a weak word at
   30 % — and its similarity), or ``rapidfuzz.fuzz.token_sort_ratio`` of the two distinctive texts if higher, times
   ``0.7 + 0.3 · agreement of the whole names``. A query word the listing does not explain therefore costs as much
   as a listed word the query lacks: "Sakura Components" is not "Electronic Components Industries".
4. Chinese-script prefixes: a query that is the beginning of a listed Chinese-script name once its leading places
   and legal form are left out (闪亮之夜, 闪亮之夜科技 for 北京闪亮之夜科技发展有限公司) scores 0.95 when it covers the
   name's own characters (3 or more), 0.86 when it covers half of them (at least 2); a place, a generic word or a
   legal form alone covers none and never matches.
5. Generic-only names (only generic/weak words, e.g. "General Technology Ltd", "Beijing Institute of
   Technology"): an exact (normalised) match is a hit when the name has a weak word (a place …), and
   capped below the hit threshold when it is generic words alone; otherwise a generic-only query is
   compared only with generic-only listed names sharing a weak word (Beijing …), by the lower of
   token_sort_ratio on the whole names and on the weak words — generic words alone never match.

Scores are rounded to two decimals before the thresholds are applied, so the score shown is the one that decided.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler

from exportscreen.eul.countries import to_iso2
from exportscreen.eul.features import COUNTRY_MISMATCH, FEATURES
from exportscreen.eul.model import EulEntry, Fired, Hit, Thresholds
from exportscreen.eul.normalise import (
    LEGAL_TOKENS,
    SPELLINGS,
    STOP_WORDS,
    Norm,
    is_acronym,
    normalise,
    split_brackets,
    tables,
)
from exportscreen.eul.places import places

T = TypeVar("T")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_SPECIAL_RE = re.compile(r"[\r\n(\[{（［｛]")
MIN_TYPO_LEN = 5  # tokens shorter than this must match exactly
LONG_WORD = 8  # words shorter than this are reached with one typo at most (longer ones: two)
CJK_MIN_SIM = 0.6
LATIN_MIN_SIM = 0.7
WEAK_WEIGHT = 0.15  # a weak word (place, Shahid, University …) counts for 15 % of its length
CJK_CHAR_WEIGHT = 2.0  # a Chinese character (or kana, hangul) weighs as much as two letters
GENERIC_FLOOR = 0.7  # fuzzy score × (0.7 + 0.3 · agreement of the whole names, generic words included)
CJK_FLOOR = 0.5  # … × (0.5 + 0.5 · agreement of the words) between two Chinese-script names
READ_AS = 0.9  # a query word this close to a listed word is read as it when the whole names are compared
SCORED_CACHE = 65536  # normalised names whose candidates are kept (emptied when full)
MISS_LISTED = 0.5  # penalty per share of the listed name's distinctive text not found
EXTRA_QUERY = 0.5  # penalty per share of the query's distinctive text not explained
CJK_PREFIX_FULL = FEATURES["cjk_prefix"].weight  # the query covers all the listed name's own characters (3+)
CJK_PREFIX_PART = 0.86  # … half of them (2+), or both of a 2-character one
PLACE_MISMATCH = FEATURES["place_mismatch"].weight  # the names name different places (Beijing … / Nanjing …)


@dataclass(frozen=True, slots=True)
class Cand:
    id: int
    entry: int  # index into entries
    kind: str  # "name" | "alias" | "acronym"
    text: str  # as listed
    norm: Norm
    total: float  # total weight of the distinctive tokens
    wtoks: tuple[tuple[str, float], ...]  # distinctive tokens (repeats kept) with their weights
    weak_total: float  # the part of ``total`` that weak words carry
    tokw: dict  # token -> its summed weight in this name
    dist_text: str  # the distinctive tokens joined
    places: frozenset[str]  # the places the name names (Beijing, 北京 → beijing)


def _frozen(index: dict[str, list[T]]) -> dict[str, tuple[T, ...]]:
    return {key: tuple(value) for key, value in index.items()}


def _weight(token: str, weak: frozenset[str]) -> float:
    """A token's weight: its length (at least 3, so that "56" or "K" still count; a Chinese character counts
    twice), 30 % for weak words."""
    base = CJK_CHAR_WEIGHT * len(token) if ord(token[0]) >= 0x3040 else max(len(token), 3)
    return base * (WEAK_WEIGHT if token in weak else 1.0)


def _deletes(token: str) -> list[str]:
    return [token[:i] + token[i + 1 :] for i in range(len(token))]


def _bigrams(token: str) -> list[str]:
    return [token[i : i + 2] for i in range(len(token) - 1)] or [token]


def _name_variants(text: str, kind: str) -> list[tuple[str, str]]:
    """(kind, text) pairs for one listed name or alias: the name without its brackets, the name with
    non-acronym bracket content inline, and each bracketed part (acronym or other-script name). A query that gives
    a Latin-letter name and a Chinese-script name side by side is also read as each of them."""
    text = unicodedata.normalize("NFKC", text)
    if not _SPECIAL_RE.search(text):
        text = text.strip()
        if not text:
            return []
        return [(kind, text), *_script_parts(text)] if kind == "query" and _CJK_RE.search(text) else [(kind, text)]
    out = _bracket_variants(text, kind)
    if kind == "query" and _CJK_RE.search(text):
        out += [v for k, t in out if k == kind for v in _script_parts(t)]
    return out


_CJK_SPAN_RE = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff](?:.*[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])?"
)
_LETTERS_RE = re.compile(r"[A-Za-z]{2}")


def _script_parts(text: str) -> list[tuple[str, str]]:
    """``Pyongyang Trading Company 平壌貿易会社`` → its Latin-letter part and its Chinese-script part, two queries."""
    m = _CJK_SPAN_RE.search(text)
    if not m:
        return []
    latin = f"{text[: m.start()]} {text[m.end() :]}".strip()
    if not _LETTERS_RE.search(latin) or _CJK_RE.search(latin):
        return []
    return [("query", latin), ("query", m.group(0))]


def _bracket_variants(text: str, kind: str) -> list[tuple[str, str]]:
    lines = [ln.strip() for ln in text.replace("\r", "\n").split("\n") if ln.strip()]
    main: list[str] = []
    extra: list[str] = []
    for ln in lines:
        (extra if ln.startswith(("(", "（")) and ln.endswith((")", "）")) else main).append(ln)
    joined = " ".join(main + extra)
    if "(" not in joined and "[" not in joined and "{" not in joined:
        return [(kind, joined)] if joined else []
    outer, parts = split_brackets(joined)
    out: list[tuple[str, str]] = []
    if outer:
        out.append((kind, outer))
    acronyms = {p for p in parts if is_acronym(p, any_case=kind == "query")}
    # the bracketed words inline too (Korea Rungrado (General) Trading; an acronym, which a clerk may type without
    # its brackets and which tells a name of generic words apart), never another script
    inline_parts = [p for p in parts if not _CJK_RE.search(p)]
    if outer and inline_parts:
        out.append((kind, " ".join(re.sub(r"[()\[\]{}]", " ", " ".join(main)).split())))
    for p in parts:
        if p in acronyms:
            out.append(("acronym", p))
            continue
        n = normalise(p)
        # a qualifier such as "(China)", "(HK)" or "(General)" is no name; a Chinese-script name of a place
        # and generic words (哈爾浜工業大学, 平壌貿易会社) is one, identified by its exact wording like
        # "Beijing Institute of Technology"
        if not n.generic_only or (_CJK_RE.search(p) and len(n.full.split()) >= 2):
            out.append((kind, p))
    return out


class Index:
    def __init__(self, entries: tuple[EulEntry, ...]):
        self.entries = entries
        self.weak = weak = tables().weak
        self.place_words = place_words = places().weak_latin
        self.cands: list[Cand] = []
        exact: dict[str, list[int]] = {}  # compact normalised name -> candidates
        acronyms: dict[str, list[int]] = {}  # compact acronym -> candidates
        tokens: dict[str, list[int]] = {}  # distinctive token -> candidates (strong names only)
        weak_index: dict[str, list[int]] = {}  # full-name token -> generic-only candidates
        prefixes: dict[str, list[int]] = {}  # first two characters of a Chinese-script name's rest -> candidates
        dels: dict[str, list[str]] = {}  # one-deletion variant -> vocabulary tokens
        bigrams: dict[str, list[str]] = {}  # CJK bigram -> vocabulary tokens
        seen: set[tuple[int, str, str]] = set()
        for ei, e in enumerate(entries):
            for kind0, text0 in [("name", e.name)] + [("alias", a) for a in e.aliases]:
                for kind, text in _name_variants(text0, kind0):
                    norm = normalise(text)
                    if not norm.compact or (ei, kind, norm.compact) in seen:
                        continue
                    seen.add((ei, kind, norm.compact))
                    wtoks = tuple((t, _weight(t, weak)) for t in norm.distinctive)
                    total = sum(w for _, w in wtoks) or 1.0
                    weak_total = sum(w for t, w in wtoks if t in weak)
                    tokw: dict[str, float] = {}
                    for t, w in wtoks:
                        tokw[t] = tokw.get(t, 0.0) + w
                    named = frozenset(t for t in norm.distinctive if t in place_words)
                    c = Cand(
                        len(self.cands), ei, kind, text, norm, total, wtoks, weak_total, tokw, norm.dist_text, named
                    )
                    self.cands.append(c)
                    if kind == "acronym":
                        acronyms.setdefault(norm.compact, []).append(c.id)
                        continue
                    exact.setdefault(norm.compact, []).append(c.id)
                    if norm.cjk_kinds.count("c") >= 2:
                        prefixes.setdefault(norm.cjk_rest[:2], []).append(c.id)
                    for t in set(norm.distinctive):
                        (tokens if norm.strong else weak_index).setdefault(t, []).append(c.id)
        self.british: dict[str, list[str]] = {}
        british = self.british
        for uk, us in SPELLINGS.items():
            british.setdefault(us, []).append(uk)
        for t in tokens:
            if _CJK_RE.search(t):
                for b in set(_bigrams(t)):
                    bigrams.setdefault(b, []).append(t)
            elif len(t) >= MIN_TYPO_LEN:
                # the word and its British spelling (a typo of "aluminium" reaches "aluminum")
                for d in {d for form in (t, *british.get(t, ())) for d in _deletes(form)}:
                    dels.setdefault(d, []).append(t)
        tb = tables()
        self.generic = tb.generic
        self.rewrites = tb.rewrites
        self.known = tb.generic | tb.weak | LEGAL_TOKENS | STOP_WORDS | set(tb.rewrites)  # words that are not names
        # generic and legal words of 6+ letters (and British spellings of generic words), for their typos: the
        # word a typo is read as (centre → center)
        long_words = {w: w for w in tb.generic | LEGAL_TOKENS if len(w) >= 6 and w.isascii()}
        long_words.update({uk: us for uk, us in SPELLINGS.items() if us in tb.generic and len(uk) >= 6})
        self.known_long = long_words
        known_dels: dict[str, list[str]] = {}  # one-deletion variant -> generic/legal word (typos of them)
        for word in long_words:
            for d in set(_deletes(word)):
                known_dels.setdefault(d, []).append(word)
        # the posting lists as tuples: a tuple of strings and numbers is not tracked by Python's garbage collector,
        # so that its collections, frequent while names are scored, do not walk the index (≈ 100,000 lists)
        self.exact = _frozen(exact)
        self.acronyms = _frozen(acronyms)
        self.tokens = _frozen(tokens)
        self.weak_index = _frozen(weak_index)
        self.prefixes = _frozen(prefixes)
        self.dels = _frozen(dels)
        self.bigrams = _frozen(bigrams)
        self.known_dels = _frozen(known_dels)
        self.postings: dict[str, tuple[tuple[int, float], ...]] = {  # distinctive token -> (candidate, its weight)
            t: tuple((cid, self.cands[cid].tokw[t]) for cid in cids) for t, cids in tokens.items()
        }
        self.reach = lru_cache(maxsize=65536)(self._reach)
        self.wcache: dict[str, float] = {}  # query token -> weight
        self._scored: dict[tuple, tuple] = {}  # see scored()

    # --- token reach ---------------------------------------------------------------------------------
    def _reach(self, q: str) -> tuple[tuple[str, float], ...]:
        """Listed tokens that a query token reaches, with their similarity in (0, 1]."""
        found: dict[str, float] = {}
        if q in self.tokens:
            found[q] = 1.0
        if _CJK_RE.search(q):
            near = {v for b in _bigrams(q) for v in self.bigrams.get(b, ())}
            floor = CJK_MIN_SIM
        else:
            near = set()
            if len(q) >= MIN_TYPO_LEN - 1:
                near.update(self.dels.get(q, ()))  # q lacks one letter
            if len(q) >= MIN_TYPO_LEN:
                for d in _deletes(q):
                    if d in self.tokens and len(d) >= MIN_TYPO_LEN - 1:
                        near.add(d)  # q has one letter too many
                    near.update(self.dels.get(d, ()))  # one substitution / transposition
            floor = LATIN_MIN_SIM
        latin = floor == LATIN_MIN_SIM
        for v in near:
            if v in found:
                continue
            s = fuzz.ratio(q, v) / 100.0
            if latin:
                forms = (v, *self.british.get(v, ()))
                edits = min(OSA.distance(q, f) for f in forms)
                if edits > 1 and min(len(q), len(v)) < LONG_WORD:
                    continue  # short words: one typo at most (Martin is not Marine)
                if edits == 1 and min(len(q), len(v)) >= LONG_WORD - 1:
                    # one typo in a long word weighs little (conxern ~ concern 0.93 where ratio says 0.86)
                    s = max(s, max(JaroWinkler.normalized_similarity(q, f) for f in forms))
            if s >= floor:
                found[v] = s
        return tuple(found.items())

    def reread(self, q: Norm) -> tuple[tuple[str, ...], str, list[tuple[str, str]]]:
        """The query's words read against the listed words: two words that are one listed word written apart
        (``rad sepahan`` → ``radsepahan``); one word that is a listed word and another listed, generic or legal word
        written together (``raadsepahan`` → ``raad sepahan``, ``zarvantrading`` → ``zarvan trading``); a word one
        letter away from a generic or legal word and from no listed word is that word (``liabxlity``). Returns the
        distinctive tokens, the body (for the whole-name agreement) and the (written, read) pairs of run-together
        words."""
        vocab, known = self.tokens, self.known
        full = q.full.split()
        if all(t in vocab or t in known for t in full):
            return q.distinctive, q.body, []
        out: list[str] = []
        pairs: list[tuple[str, str]] = []
        i, n = 0, len(full)
        while i < n:
            a = full[i]
            if i + 1 < n:
                b = full[i + 1]
                if (a not in vocab or b not in vocab) and a + b in vocab:
                    out.append(a + b)
                    pairs.append((f"{a} {b}", a + b))
                    i += 2
                    continue
            i += 1
            if a in vocab or a in known or len(a) < 6 or not a.isascii() or self.reach(a):
                out.append(a)  # a listed, generic or legal word, or a typo of a listed word
                continue
            split = self._split(a)
            if split:
                out += split
                pairs.append((a, " ".join(split)))
            else:
                out.append(self._known_typo(a) or a)
        generic = self.generic
        tokens = tuple(t for t in out if t not in generic and t not in STOP_WORDS)
        return tokens, " ".join(t for t in out if t not in STOP_WORDS), pairs

    def _split(self, a: str) -> list[str] | None:
        """``a`` as two words written together, at least one of them listed, the other listed, generic or legal
        (or one letter from a generic or legal word: ``tradingxompany`` → trading company)."""
        vocab, known, rewrites = self.tokens, self.known, self.rewrites
        for k in range(3, len(a) - 2):
            x, y = rewrites.get(a[:k], a[:k]), rewrites.get(a[k:], a[k:])
            xv, yv = x in vocab, y in vocab
            if (xv or yv) and (xv or x in known) and (yv or y in known):
                return [x, y]
        for k in range(4, len(a) - 3):
            x, y = a[:k], a[k:]
            if x in known and len(y) >= 6:
                y2 = self._known_typo(y)
                if y2:
                    return [x, y2]
            if y in known and len(x) >= 6:
                x2 = self._known_typo(x)
                if x2:
                    return [x2, y]
        return None

    def _known_typo(self, a: str) -> str | None:
        """The generic or legal word ``a`` is one edit from, when it reaches no listed word."""
        if self.reach(a):
            return None
        near = set(self.known_dels.get(a, ()))
        for d in _deletes(a):
            if d in self.known_long:
                near.add(d)
            near.update(self.known_dels.get(d, ()))
        best, best_s = None, 0.0
        for w in near:
            sim = fuzz.ratio(a, w)
            if sim > best_s:
                best, best_s = w, sim
        return self.known_long[best] if best is not None and best_s >= 80 else None

    # --- matching --------------------------------------------------------------------------------------
    def match(self, name: str, country: str | None, th: Thresholds, limit: int = 10) -> tuple[Hit, ...]:
        q_iso = to_iso2(country) if country else None
        best: dict[int, tuple[float, Cand, Any, Norm]] = {}
        for kind, text in _name_variants(name, "query"):
            q = normalise(text)
            if not q.compact:
                continue
            for cid, score, feats in self.scored(q, kind == "acronym", th):
                c = self.cands[cid]
                cur = best.get(c.entry)
                if cur is None or score > cur[0]:
                    best[c.entry] = (score, c, feats, q)
        hits: list[Hit] = []
        for ei, (score, c, feats, q) in best.items():
            e = self.entries[ei]
            where: tuple[Fired, ...] = ()
            if q_iso is not None:
                if q_iso == e.country:
                    where = (Fired("country_match", 0.0, (("country", e.country),)),)
                else:
                    score += COUNTRY_MISMATCH
                    where = (
                        Fired("country_mismatch", COUNTRY_MISMATCH, (("destination", q_iso), ("country", e.country))),
                    )
            score = round(max(0.0, min(1.0, score)), 2)
            if score < th.possible:
                continue
            if type(feats) is tuple:  # built only now, for the candidate that won its entry
                feats = feats[0](*feats[1])
            kind = "hit" if score >= th.hit else "possible"
            hits.append(Hit(e, score, c.text, kind, (*feats, *where, *self._notes(name, q, c))))
        hits.sort(key=lambda h: (-h.score, h.entry.no))
        return tuple(hits[:limit])

    def scored(self, q: Norm, acronym_only: bool, th: Thresholds) -> tuple:
        """The candidates a normalised name reaches, with their scores: computed once per normalised name (a name
        typed in other case, width, punctuation, legal form or script reads the same and is scored once)."""
        key = (q.full, q.compact, acronym_only, th)
        out = self._scored.get(key)
        if out is None:
            if len(self._scored) >= SCORED_CACHE:
                self._scored.clear()
            out = self._scored[key] = tuple(self._score_variant(q, acronym_only, th))
        return out

    def _score_variant(self, q: Norm, acronym_only: bool, th: Thresholds):
        cap = th.hit - 0.01  # generic-only names never reach a hit
        exact: dict[int, float] = {}  # entries this name matched exactly: not scored again by similarity
        for cid in self.acronyms.get(q.compact, ()):
            c = self.cands[cid]
            yield cid, FEATURES["acronym_match"].weight, [Fired("acronym_match", 0.90, (("listed", c.text),))]
        for cid in self.exact.get(q.compact, ()):
            c = self.cands[cid]
            fid = "name_exact" if c.kind == "name" else "alias_match"
            if (q.strong and c.norm.strong) or c.norm.distinctive:
                # an exact match of a name with a place or other weak word ("Iran Electronics Industries",
                # "Beijing Institute of Technology") is a hit; only names of generic words alone are capped
                exact[c.entry] = 1.0
                yield cid, 1.0, [Fired(fid, 1.0, (("listed", c.text),))]
            else:
                score = min(1.0, cap)
                yield cid, score, [Fired(fid, score, (("listed", c.text),)), Fired("generic_only")]
        if acronym_only:
            return
        if q.cjk_rest:
            yield from self._score_prefix(q, cap)
        tokens, body, pairs = self.reread(q)
        if not any(t not in self.weak for t in tokens):
            yield from self._score_weak(q, cap)
            return
        yield from self._score_fuzzy(q, tokens, body, pairs, th, exact)

    def _score_prefix(self, q: Norm, cap: float):
        """The query is the beginning of a listed Chinese-script name once places and legal forms are left out."""
        rest = q.cjk_rest
        if len(rest) < 2:
            return
        for cid in self.prefixes.get(rest[:2], ()):
            c = self.cands[cid]
            n = c.norm
            if not n.cjk_rest.startswith(rest) or n.compact == q.compact:
                continue
            kinds = n.cjk_kinds
            own = kinds.count("c")
            covered = kinds[: len(rest)].count("c")
            # at least 2 of its own characters, and half of them or its whole first own word (航天 of
            # 航天科学技术工业集团第二研究院第二十三研究所)
            first_end = kinds.index("c") + len(kinds[kinds.index("c") :].split("g", 1)[0].split("w", 1)[0])
            if covered < 2 or (2 * covered < own and len(rest) <= first_end):
                continue
            # all its own characters, 3 or more, or the whole name but for its place (浩通商贸 of 丹东浩通商贸)
            whole = covered == own and (own >= 3 or (rest == n.cjk_rest and len(rest) >= 3))
            score = CJK_PREFIX_FULL if whole else CJK_PREFIX_PART
            if q.cjk_lead and n.cjk_lead and q.cjk_lead != n.cjk_lead:
                if own < 3:
                    continue  # a two-character name in another city is another company
                score += PLACE_MISMATCH
            if not n.strong:
                score = min(score, cap)
            yield (
                cid,
                score,
                [Fired("cjk_prefix", score, (("listed", c.text), ("covered", covered), ("own", own)))],
            )

    def _score_weak(self, q: Norm, cap: float):
        """Generic-only query: compared with generic-only listed names that share a weak word (a place,
        "University" …); the score is the lower of the whole-name and the weak-word similarities, so
        that generic words alone never lift it. Names of generic words only match exactly or not at all."""
        seen: set[int] = set()
        for t in q.distinctive:
            for cid in self.weak_index.get(t, ()):
                if cid in seen:
                    continue
                seen.add(cid)
                c = self.cands[cid]
                if c.norm.compact == q.compact:
                    continue  # already scored as exact
                if q.cjk_rest or c.norm.cjk_rest:  # Chinese-script words: one character makes another word
                    whole = _word_overlap(q.body, c.norm.body)
                    words = _word_overlap(q.dist_text, c.dist_text)
                else:
                    whole = fuzz.token_sort_ratio(q.body, c.norm.body) / 100.0
                    words = fuzz.token_sort_ratio(q.dist_text, c.dist_text) / 100.0
                s = min(whole, words)
                if s >= 0.8:
                    score = min(s, cap)
                    yield (
                        cid,
                        score,
                        [
                            Fired(
                                "name_fuzzy",
                                score,
                                (
                                    ("listed", c.text),
                                    ("query_words", q.full),
                                    ("listed_words", c.norm.full),
                                    ("found", round(words, 4)),
                                    ("explained", round(words, 4)),
                                    ("agree", round(whole, 4)),
                                ),
                            ),
                            Fired("generic_only"),
                        ],
                    )

    def _score_fuzzy(self, q: Norm, q_tokens: tuple[str, ...], body: str, pairs: list, th: Thresholds, so_far: dict):
        weak, wcache, cands, place_words = self.weak, self.wcache, self.cands, self.place_words
        qw: dict[str, float] = {}  # query token -> its weight (repeats summed)
        for t in q_tokens:
            w = wcache.get(t)
            if w is None:
                w = wcache[t] = _weight(t, weak)
            qw[t] = qw.get(t, 0.0) + w
        q_total = sum(qw.values()) or 1.0
        # listed token -> [(query token, similarity)]
        reach_map: dict[str, list[tuple[str, float]]] = {}
        for qt in qw:
            for vt, sim in self.reach(qt):
                lst = reach_map.get(vt)
                if lst is None:
                    reach_map[vt] = [(qt, sim)]
                else:
                    lst.append((qt, sim))
        # candidates: those sharing a strong (non-weak) token; upper bound of the listed share found
        upper: dict[int, float] = {}
        postings = self.postings
        for vt in reach_map:
            if vt in weak:
                continue
            for cid, w in postings[vt]:
                upper[cid] = upper.get(cid, 0.0) + w
        floor = th.possible
        need = 1.0 - (1.0 - floor) / MISS_LISTED  # the listed share found needed to reach `floor`
        q_text = " ".join(q_tokens)
        q_compact = q.compact
        cjk = bool(q.cjk_rest)
        for cid, ub in upper.items():
            c = cands[cid]
            if ub + c.weak_total < need * c.total or c.norm.compact == q_compact:
                continue  # cannot reach the possible band, or already scored as exact
            if c.entry in so_far:
                continue  # the entry already matched exactly
            found = 0.0
            q_best: dict[str, float] = {}
            q_read: dict[str, str] = {}  # query token -> the listed token it is read as
            for t, w in c.wtoks:
                reached = reach_map.get(t)
                if reached:
                    best = 0.0
                    for qt, sim in reached:
                        if sim > best:
                            best = sim
                        if sim > q_best.get(qt, 0.0):
                            q_best[qt] = sim
                            if sim >= READ_AS:
                                q_read[qt] = t
                    found += best * w
            c_cov = found / c.total
            if c_cov < need:
                continue
            q_cov = sum(qw[qt] * sim for qt, sim in q_best.items()) / q_total
            s = 1.0 - MISS_LISTED * (1.0 - c_cov) - EXTRA_QUERY * (1.0 - q_cov)
            s2 = fuzz.token_sort_ratio(q_text, c.dist_text) / 100.0
            if s2 > s:
                s = s2
            if s < floor:
                continue
            # the whole names, each query word read as the listed word it matched: a typo is not counted twice
            read = " ".join([q_read.get(w, w) for w in body.split()]) if q_read else body
            if cjk and c.norm.cjk_rest:
                # Chinese-script names: the trade words are words, and they tell two companies of one short own
                # name apart (平和电子工业 is not 平和自动车)
                agree = _word_overlap(read, c.norm.body)
                s *= CJK_FLOOR + (1.0 - CJK_FLOOR) * agree
            else:
                agree = fuzz.token_set_ratio(read, c.norm.body) / 100.0
                s *= GENERIC_FLOOR + (1.0 - GENERIC_FLOOR) * agree
            other_place = None
            if c.places:
                q_places = {t for t in qw if t in place_words}
                if q_places and not q_places & c.places:
                    other_place = q_places
                    s += PLACE_MISMATCH
            if s < floor:
                continue
            yield cid, s, (_fuzzy_features, (c, s, q_text, c_cov, q_cov, agree, other_place, qw, q_best, pairs))

    # --- notes: which foldings made the names meet (for the hits returned only) ------------------------------------
    def _notes(self, query: str, q: Norm, c: Cand) -> list[Fired]:
        notes: list[Fired] = []
        if q.cjk_rest and c.norm.cjk_rest:
            pairs = _variant_pairs(unicodedata.normalize("NFKC", query), unicodedata.normalize("NFKC", c.text))
            if pairs:
                notes.append(Fired("script_variant", 0.0, (("pairs", "、".join(pairs[:8])),)))
        by_kind: dict[str, list[str]] = {}
        for kind, written, read in q.reads:
            by_kind.setdefault(kind, []).append(f"{written}＝{read}")
        for kind, fid in (("place", "place_alias"), ("abbreviation", "abbreviation"), ("run_together", "run_together")):
            if kind in by_kind:
                notes.append(Fired(fid, 0.0, (("pairs", "、".join(dict.fromkeys(by_kind[kind]))),)))
        return notes


def _fuzzy_features(c, s, q_text, c_cov, q_cov, agree, other_place, qw, q_best, pairs) -> list[Fired]:
    """The features of a fuzzy match, built for the best candidate of an entry only."""
    feats = [
        Fired(
            "name_fuzzy",
            s,
            (
                ("listed", c.text),
                ("query_words", q_text),
                ("listed_words", c.dist_text),
                ("found", round(c_cov, 4)),
                ("explained", round(q_cov, 4)),
                ("agree", round(agree, 4)),
            ),
        )
    ]
    if other_place:
        feats.append(
            Fired(
                "place_mismatch",
                PLACE_MISMATCH,
                (("query_places", " ".join(sorted(other_place))), ("listed_places", " ".join(sorted(c.places)))),
            )
        )
    extra = [t for t in qw if q_best.get(t, 0.0) < 0.5]
    if extra:
        feats.append(Fired("query_extra", -EXTRA_QUERY * (1.0 - q_cov), (("words", " ".join(extra)),)))
    if pairs:
        feats.append(Fired("run_together", 0.0, (("pairs", "、".join(f"{a}＝{b}" for a, b in pairs)),)))
    return feats


def _word_overlap(a: str, b: str) -> float:
    """2·|words in common| / (|words of a| + |words of b|)."""
    wa, wb = a.split(), b.split()
    if not wa or not wb:
        return 0.0
    common = sum(min(wa.count(w), wb.count(w)) for w in set(wa))
    return 2.0 * common / (len(wa) + len(wb))


def _variant_pairs(query: str, listed: str) -> list[str]:
    """``閃＝闪``: characters of the query written in another form (simplified, traditional, Japanese) in the listed
    name."""
    from exportscreen.eul.script import table

    tb = table()
    listed_forms: dict[str, set[str]] = {}
    for ch in listed:
        listed_forms.setdefault(tb.get(ord(ch), ch), set()).add(ch)
    pairs = []
    for ch in dict.fromkeys(query):
        if ch in listed:
            continue
        for other in sorted(listed_forms.get(tb.get(ord(ch), ch), ())):
            pairs.append(f"{ch}＝{other}")
    return pairs
