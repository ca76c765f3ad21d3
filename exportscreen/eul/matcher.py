"""The match index of one End User List, and the scoring of a query name against it.

Strategy (fast, and exhaustive for the variants we promise to catch):

1. Every listed name, alias, bracketed acronym and other-script name becomes a *candidate name*,
   normalised once (:mod:`exportscreen.eul.normalise`).
2. Exact path: a dict from the compact normalised form to candidates (``name_exact`` / ``alias_match``),
   and one for acronyms (``acronym_match``).
3. Fuzzy path, by token blocking: an inverted index from distinctive tokens to candidates. A query
   token reaches a listed token when they are equal, or — for tokens of 5+ letters — within one edit
   (symmetric-delete lookup, as in SymSpell: substitutions, insertions, deletions, transpositions), or
   — for CJK tokens — when they share a character bigram. Every such pair is then scored with
   ``rapidfuzz.fuzz.ratio``. A candidate is scored only if its reached tokens could give a score at the
   possible threshold; for the candidates left, the score is
   ``1 − 0.5·(share of the listed name's distinctive text not found) − 0.3·(share of the query's
   distinctive text not explained)`` (each token weighed by its length and its similarity), or
   ``rapidfuzz.fuzz.token_sort_ratio`` of the two distinctive texts if higher.
4. Generic-only names (only generic/weak words, e.g. "General Technology Ltd", "Beijing Institute of
   Technology"): an exact (normalised) match is a hit when the name has a weak word (a place …), and
   capped below the hit threshold when it is generic words alone; otherwise a generic-only query is
   compared only with generic-only listed names sharing a weak word (Beijing …), by the lower of
   token_sort_ratio on the whole names and on the weak words — generic words alone never match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from exportscreen.eul.countries import to_iso2
from exportscreen.eul.features import COUNTRY_MISMATCH
from exportscreen.eul.model import EulEntry, Hit, Thresholds
from exportscreen.eul.normalise import WEAK_WORDS, Norm, is_acronym, normalise, split_brackets

_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
MIN_TYPO_LEN = 5  # tokens shorter than this must match exactly
CJK_MIN_SIM = 0.6
LATIN_MIN_SIM = 0.7
WEAK_WEIGHT = 0.3  # a weak word (place, Shahid, University …) counts for 30 % of its length
GENERIC_FLOOR = 0.7  # fuzzy score × (0.7 + 0.3 · agreement of the whole names, generic words included)
MISS_LISTED = 0.5  # penalty per share of the listed name's distinctive text not found
EXTRA_QUERY = 0.3  # penalty per share of the query's distinctive text not explained


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


def _w(token: str) -> float:
    """A token's weight: its length (at least 3, so that "56" or "K" still count), 30 % for weak words."""
    return max(len(token), 3) * (WEAK_WEIGHT if token in WEAK_WORDS else 1.0)


def _deletes(token: str) -> list[str]:
    return [token[:i] + token[i + 1 :] for i in range(len(token))]


def _bigrams(token: str) -> list[str]:
    return [token[i : i + 2] for i in range(len(token) - 1)] or [token]


def _name_variants(text: str, kind: str) -> list[tuple[str, str]]:
    """(kind, text) pairs for one listed name or alias: the name without its brackets, the name with
    non-acronym bracket content inline, and each bracketed part (acronym or other-script name)."""
    text = unicodedata.normalize("NFKC", text)
    lines = [ln.strip() for ln in text.replace("\r", "\n").split("\n") if ln.strip()]
    main: list[str] = []
    extra: list[str] = []
    for ln in lines:
        (extra if ln.startswith(("(", "（")) and ln.endswith((")", "）")) else main).append(ln)
    joined = " ".join(main + extra)
    outer, parts = split_brackets(joined)
    out: list[tuple[str, str]] = []
    if outer:
        out.append((kind, outer))
    inline_parts = [p for p in parts if not _CJK_RE.search(p)]
    if outer and inline_parts:
        out.append((kind, " ".join(re.sub(r"[()\[\]{}]", " ", " ".join(main)).split())))
    for p in parts:
        if is_acronym(p):
            out.append(("acronym", p))
        elif not normalise(p).generic_only:  # a qualifier such as "(China)" or "(General)" is no name
            out.append((kind, p))
    return out


class Index:
    def __init__(self, entries: tuple[EulEntry, ...]):
        self.entries = entries
        self.cands: list[Cand] = []
        self.exact: dict[str, list[int]] = {}
        self.acronyms: dict[str, list[int]] = {}
        self.tokens: dict[str, list[int]] = {}  # distinctive token -> candidates (strong names only)
        self.weak: dict[str, list[int]] = {}  # full-name token -> generic-only candidates
        self.dels: dict[str, list[str]] = {}  # one-deletion variant -> vocabulary tokens
        self.bigrams: dict[str, list[str]] = {}  # CJK bigram -> vocabulary tokens
        seen: set[tuple[int, str, str]] = set()
        for ei, e in enumerate(entries):
            for kind0, text0 in [("name", e.name)] + [("alias", a) for a in e.aliases]:
                for kind, text in _name_variants(text0, kind0):
                    norm = normalise(text)
                    if not norm.compact or (ei, kind, norm.compact) in seen:
                        continue
                    seen.add((ei, kind, norm.compact))
                    wtoks = tuple((t, _w(t)) for t in norm.distinctive)
                    total = sum(w for _, w in wtoks) or 1.0
                    weak = sum(w for t, w in wtoks if t in WEAK_WORDS)
                    tokw: dict[str, float] = {}
                    for t, w in wtoks:
                        tokw[t] = tokw.get(t, 0.0) + w
                    c = Cand(len(self.cands), ei, kind, text, norm, total, wtoks, weak, tokw)
                    self.cands.append(c)
                    if kind == "acronym":
                        self.acronyms.setdefault(norm.compact, []).append(c.id)
                        continue
                    self.exact.setdefault(norm.compact, []).append(c.id)
                    if norm.strong:
                        for t in set(norm.distinctive):
                            self.tokens.setdefault(t, []).append(c.id)
                    else:
                        for t in set(norm.distinctive):
                            self.weak.setdefault(t, []).append(c.id)
        for t in self.tokens:
            if _CJK_RE.search(t):
                for b in set(_bigrams(t)):
                    self.bigrams.setdefault(b, []).append(t)
            elif len(t) >= MIN_TYPO_LEN - 1:
                for d in set(_deletes(t)) if len(t) >= MIN_TYPO_LEN else ():
                    self.dels.setdefault(d, []).append(t)
        self.reach = lru_cache(maxsize=65536)(self._reach)

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
        for v in near:
            if v not in found:
                s = fuzz.ratio(q, v) / 100.0
                if s >= floor:
                    found[v] = s
        return tuple(found.items())

    # --- matching --------------------------------------------------------------------------------------
    def match(self, name: str, country: str | None, th: Thresholds, limit: int = 10) -> tuple[Hit, ...]:
        q_iso = to_iso2(country) if country else None
        best: dict[int, tuple[float, Cand, list[str]]] = {}
        for kind, text in _name_variants(name, "query"):
            q = normalise(text)
            if not q.compact:
                continue
            for cid, score, feats in self._score_variant(q, kind == "acronym", th):
                c = self.cands[cid]
                cur = best.get(c.entry)
                if cur is None or score > cur[0]:
                    best[c.entry] = (score, c, feats)
        hits: list[Hit] = []
        for ei, (score, c, feats) in best.items():
            e = self.entries[ei]
            feats = list(feats)
            if q_iso is not None:
                if q_iso == e.country:
                    feats.append(f"country_match: {e.country}")
                else:
                    score += COUNTRY_MISMATCH
                    feats.append(f"country_mismatch: {q_iso} ≠ {e.country} ({COUNTRY_MISMATCH:+.2f})")
            score = max(0.0, min(1.0, score))
            if score < th.possible:
                continue
            kind = "hit" if score >= th.hit else "possible"
            hits.append(Hit(e, round(score, 4), c.text, kind, tuple(feats)))
        hits.sort(key=lambda h: (-h.score, h.entry.no))
        return tuple(hits[:limit])

    def _score_variant(self, q: Norm, acronym_only: bool, th: Thresholds):
        cap = th.hit - 0.01  # generic-only names never reach a hit
        for cid in self.acronyms.get(q.compact, ()):
            c = self.cands[cid]
            yield cid, 0.90, [f"acronym_match: '{c.text}'"]
        for cid in self.exact.get(q.compact, ()):
            c = self.cands[cid]
            fid = "name_exact" if c.kind == "name" else "alias_match"
            if (q.strong and c.norm.strong) or c.norm.distinctive:
                # an exact match of a name with a place or other weak word ("Iran Electronics Industries",
                # "Beijing Institute of Technology") is a hit; only names of generic words alone are capped
                yield cid, 1.0, [f"{fid}: '{c.text}'"]
            else:
                yield cid, min(1.0, cap), [f"{fid}: '{c.text}'", "generic_only: exact match of a generic name"]
        if acronym_only:
            return
        if not q.strong:
            yield from self._score_weak(q, cap)
            return
        yield from self._score_fuzzy(q, th)

    def _score_weak(self, q: Norm, cap: float):
        """Generic-only query: compared with generic-only listed names that share a weak word (a place,
        "University" …); the score is the lower of the whole-name and the weak-word similarities, so
        that generic words alone never lift it. Names of generic words only match exactly or not at all."""
        seen: set[int] = set()
        for t in q.distinctive:
            for cid in self.weak.get(t, ()):
                if cid in seen:
                    continue
                seen.add(cid)
                c = self.cands[cid]
                if c.norm.compact == q.compact:
                    continue  # already scored as exact
                whole = fuzz.token_sort_ratio(q.body, c.norm.body) / 100.0
                words = fuzz.token_sort_ratio(q.dist_text, c.norm.dist_text) / 100.0
                s = min(whole, words)
                if s >= 0.8:
                    yield (
                        cid,
                        min(s, cap),
                        [
                            f"name_fuzzy: {s:.2f} '{q.full}' ~ '{c.norm.full}' (whole names {whole:.0%},"
                            f" weak words {words:.0%})" + (" (alias)" if c.kind == "alias" else ""),
                            "generic_only: both names are generic words only",
                        ],
                    )

    def _score_fuzzy(self, q: Norm, th: Thresholds):
        q_tokens = q.distinctive
        q_weights = [(t, _w(t)) for t in q_tokens]
        q_total = sum(w for _, w in q_weights) or 1.0
        # listed token -> [(query token, similarity)]
        reach_map: dict[str, list[tuple[str, float]]] = {}
        for qt in set(q_tokens):
            for vt, sim in self.reach(qt):
                reach_map.setdefault(vt, []).append((qt, sim))
        # candidates: those sharing a strong (non-weak) token; upper bound of the listed share found
        upper: dict[int, float] = {}
        for vt in reach_map:
            if vt in WEAK_WORDS:
                continue
            cands = self.cands
            for cid in self.tokens[vt]:
                upper[cid] = upper.get(cid, 0.0) + cands[cid].tokw[vt]
        floor = th.possible
        need = 1.0 - (1.0 - floor) / MISS_LISTED  # the listed share found needed to reach `floor`
        for cid, ub in upper.items():
            c = self.cands[cid]
            if ub + c.weak_total < need * c.total or c.norm.compact == q.compact:
                continue  # cannot reach the possible band, or already scored as exact
            found = 0.0
            q_best: dict[str, float] = {}
            for t, w in c.wtoks:
                pairs = reach_map.get(t)
                if pairs:
                    best = 0.0
                    for qt, sim in pairs:
                        if sim > best:
                            best = sim
                        if sim > q_best.get(qt, 0.0):
                            q_best[qt] = sim
                    found += best * w
            c_cov = found / c.total
            if 1.0 - MISS_LISTED * (1.0 - c_cov) < floor:
                continue
            q_cov = sum(q_best.get(t, 0.0) * w for t, w in q_weights) / q_total
            s = 1.0 - MISS_LISTED * (1.0 - c_cov) - EXTRA_QUERY * (1.0 - q_cov)
            s2 = fuzz.token_sort_ratio(q.dist_text, c.norm.dist_text) / 100.0
            how = "aligned"
            if s2 > s:
                s, how = s2, "token_sort"
            if s < floor:
                continue
            agree = fuzz.token_set_ratio(q.body, c.norm.body) / 100.0
            s *= GENERIC_FLOOR + (1.0 - GENERIC_FLOOR) * agree
            if s < floor:
                continue
            detail = (
                f"{s:.2f} '{q.dist_text}' ~ '{c.norm.dist_text}' ({how}; listed words found {c_cov:.0%},"
                f" query words explained {q_cov:.0%}, whole names agree {agree:.0%})"
                + (" (alias)" if c.kind == "alias" else "")
            )
            yield cid, s, [f"name_fuzzy: {detail}"]
