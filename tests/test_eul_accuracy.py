"""Accuracy of End User List matching on the real list (the reference reconstruction).

* Perturbation set: for each entry, variants a user could type (case, punctuation, legal form, alias,
  one-letter typo, dropped word, full-width). Recall must be 100 % counting hits and possible hits.
* Hard negatives: real-looking unrelated companies that share generic words with listed ones. No hit
  (kind "hit") is allowed; the possible-hit rate is printed.

The perturbation generator and the hard negatives live here so that ``benchmarks/bench_eul.py`` can
reuse them. Run ``pytest -s tests/test_eul_accuracy.py`` to see the figures.
"""

from __future__ import annotations

import re
import shutil
import string
from pathlib import Path

import pytest

REF = Path(__file__).resolve().parents[1].parent / "shared" / "reference"
XLSX = REF / "eul-2025-09-29-layout.xlsx"

# --- perturbations ---------------------------------------------------------------------------------
LEGAL_SWAPS = [
    (r"\bCo\.,? ?Ltd\.?", "Company Limited"),
    (r"\bCompany Limited\b", "Co., Ltd."),
    (r"\bL\.L\.C\.?", "LLC"),
    (r"\bLLC\b", "L.L.C."),
    (r"\bCorporation\b", "Corp."),
    (r"\bCorp\b\.?", "Corporation"),
    (r"\bLimited\b", "Ltd."),
    (r"\bLtd\b\.?", "Limited"),
    (r"\bCo\.", "Company"),
    (r"\bCompany\b", "Co."),
    (r"\bJSC\b", "Joint Stock Company"),
    (r"\bPvt\.? Ltd\.?", "Private Limited"),
]
PUNCT = re.compile("[" + re.escape(string.punctuation) + "、。・“”‘’（）]")


def _main_name(name: str) -> str:
    """The entry's name without bracketed parts and other-script lines (what a user types in Latin)."""
    from exportscreen.eul.normalise import split_brackets

    lines = [ln for ln in name.split("\n") if ln.strip() and not ln.strip().startswith("(")]
    return split_brackets(" ".join(lines))[0]


def _fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in s)


def _typo(s: str, kind: str) -> str | None:
    """A one-letter typo in the longest distinctive word of 7+ letters (substitution or deletion)."""
    from exportscreen.eul.normalise import GENERIC_WORDS, LEGAL_TOKENS, STOP_WORDS, WEAK_WORDS

    words = [(m.start(), m.group()) for m in re.finditer(r"[A-Za-z]{7,}", s)]
    words = [(i, w) for i, w in words if w.lower() not in GENERIC_WORDS | WEAK_WORDS | STOP_WORDS | LEGAL_TOKENS]
    if not words:
        return None
    i, w = max(words, key=lambda iw: len(iw[1]))
    k = len(w) // 2
    if kind == "sub":
        c = w[k]
        new = "x" if c.lower() != "x" else "z"
        w2 = w[:k] + (new.upper() if c.isupper() else new) + w[k + 1 :]
    else:
        w2 = w[:k] + w[k + 1 :]
    return s[:i] + w2 + s[i + len(w) :]


def _drop_word(s: str) -> str | None:
    """For names of 4+ words: drop one word that is not what identifies the name — a generic, stop or
    weak word if there is one (``of``, ``Trading``, ``Korea``), else the shortest distinctive word
    when at least three remain."""
    from exportscreen.eul.normalise import GENERIC_WORDS, LEGAL_TOKENS, STOP_WORDS, WEAK_WORDS, normalise

    words = s.split()
    if len(words) < 4 or normalise(s).generic_only:
        return None  # a generic-only listed name is identified by its exact wording alone
    keys = [re.sub(r"\W", "", w).lower() for w in words]
    filler = GENERIC_WORDS | STOP_WORDS | WEAK_WORDS
    pick = next((i for i, k in enumerate(keys) if k in filler and k not in LEGAL_TOKENS), None)
    if pick is None:
        dist = [i for i, k in enumerate(keys) if k and k not in LEGAL_TOKENS]
        if len(dist) < 3:
            return None
        pick = min(dist, key=lambda i: len(keys[i]))
    out = " ".join(words[:pick] + words[pick + 1 :])
    return out if normalise(out).compact else None


def perturbations(entries):
    """(kind, query, country, entry no.) for every entry of the list."""
    out = []
    for e in entries:
        full = " ".join(e.name.split())
        main = _main_name(e.name)
        variants = [("case", full.swapcase()), ("punct", PUNCT.sub(" ", full)), ("fullwidth", _fullwidth(full))]
        for pat, rep in LEGAL_SWAPS:
            if re.search(pat, main):
                variants.append(("legal", re.sub(pat, rep, main, count=1)))
                break
        variants += [("alias", a) for a in e.aliases]
        for kind in ("sub", "del"):
            t = _typo(main, kind)
            if t:
                variants.append((f"typo_{kind}", t))
        d = _drop_word(main)
        if d:
            variants.append(("drop_word", d))
        out += [(kind, q, e.country, e.no) for kind, q in variants if q.strip()]
    return out


# Real-looking companies that are NOT on the list but share generic words (and often places) with it.
HARD_NEGATIVES = [
    ("Global General Trading LLC", "AE"),
    ("International Industries Co., Ltd.", "CN"),
    ("Tokyo Engineering Corporation", "JP"),
    ("Al Noor Trading FZE", "AE"),
    ("Gulf Star General Trading LLC", "AE"),
    ("Emirates Technology Services FZCO", "AE"),
    ("Shanghai Electronics Import & Export Co., Ltd.", "CN"),
    ("Beijing General Trading Co., Ltd.", "CN"),
    ("Shenzhen Technology Development Co., Ltd.", "CN"),
    ("Hong Kong International Trading Limited", "HK"),
    ("Pacific Engineering Services Pvt. Ltd.", "PK"),
    ("Karachi Industrial Supplies", "PK"),
    ("Tehran Commercial Services Co.", "IR"),
    ("Iran Industrial Development Group", "IR"),
    ("Moscow Engineering Center LLC", "RU"),
    ("Russian Technologies Import Export LLC", "RU"),
    ("Pyongyang General Trading Company", "KP"),
    ("Dubai Logistics Services LLC", "AE"),
    ("Star Electronics Trading FZE", "AE"),
    ("United Engineering Group", "SY"),
    ("Damascus International Services", "SY"),
    ("Beirut Technology Holding SAL", "LB"),
    ("Taipei Precision Machinery Co., Ltd.", "TW"),
    ("Cairo Chemical Industries", "EG"),
    ("Delhi Electronics Pvt Ltd", "IN"),
    ("Haifa Systems Ltd", "IL"),
    ("New Century Technology Co., Ltd.", "CN"),
    ("Asia Pacific Trading Co., Ltd.", "HK"),
    ("Global Supply Chain Solutions FZE", "AE"),
    ("Osaka Machinery Trading Co., Ltd.", "JP"),
    ("Sunrise Industrial Group", "CN"),
    ("Golden Bridge International Trade Co., Ltd.", "HK"),
    ("Dalian Ocean Shipping Company", "CN"),
    ("Korea Trading Corporation", "KP"),
    ("China National Electronics Import & Export Corporation", "CN"),
    ("Islamabad Engineering Services", "PK"),
    ("Rawalpindi Scientific Instruments", "PK"),
    ("Moscow Aviation Services JSC", "RU"),
    ("Shahid Trading Company", "IR"),
    ("Pars Electronics Co.", "IR"),
    ("Sharif Trading LLC", "AE"),
    ("General Electronics Industries", "IR"),
    ("Advanced Technology Solutions Ltd", "HK"),
    ("National Engineering Services Pakistan (Pvt) Ltd", "PK"),
    ("Siberian Machinery Plant JSC", "RU"),
    ("Yokohama Industrial Supply Co., Ltd.", "JP"),
    ("Nagoya Electronics Trading Co., Ltd.", "JP"),
    ("Seoul International Trading Co., Ltd.", "KR"),
    ("Singapore Marine Engineering Pte Ltd", "SG"),
    ("Kuala Lumpur Technology Sdn Bhd", "MY"),
]


@pytest.fixture(scope="module")
def eul(tmp_path_factory):
    if not XLSX.is_file():
        pytest.skip("reference workbook not present")
    from exportscreen.eul import import_list

    home = tmp_path_factory.mktemp("eulhome")
    src = home / "20250929_4.xlsx"
    shutil.copy(XLSX, src)
    return import_list(src, effective="2025-10-09", home=home)


def evaluate(eul):
    pert = perturbations(eul.entries)
    misses, kinds = [], {"hit": 0, "possible": 0}
    by_kind: dict[str, list[int]] = {}
    for kind, q, country, no in pert:
        hits = eul.match(q, country, limit=50)
        found = next((h for h in hits if h.entry.no == no), None)
        stat = by_kind.setdefault(kind, [0, 0])
        stat[0] += 1
        if found is None:
            misses.append((kind, q, country, no))
        else:
            stat[1] += 1
            kinds[found.kind] += 1
    neg = []
    for q, country in HARD_NEGATIVES:
        neg.append((q, country, eul.match(q, country)))
    return pert, misses, kinds, by_kind, neg


def test_perturbation_recall_and_hard_negatives(eul):
    pert, misses, kinds, by_kind, neg = evaluate(eul)
    n = len(pert)
    print(f"\nperturbation set: {n} queries over {len(eul.entries)} entries")
    for kind, (tot, ok) in sorted(by_kind.items()):
        print(f"  {kind:10s} {ok}/{tot}")
    print(
        f"recall (hit or possible): {(n - len(misses)) / n:.2%}; as hit {kinds['hit']}, as possible {kinds['possible']}"
    )
    for m in misses[:30]:
        print("  MISS", m)
    neg_hits = [(q, c, h) for q, c, hs in neg for h in hs if h.kind == "hit"]
    neg_possible = [(q, c) for q, c, hs in neg if hs and all(h.kind == "possible" for h in hs)]
    print(
        f"hard negatives: {len(neg)}; with a hit {len({q for q, _, _ in neg_hits})}; "
        f"with only possible hits {len(neg_possible)} ({len(neg_possible) / len(neg):.1%})"
    )
    for q, c, hs in neg:
        for h in hs:
            print(f"  NEG {q!r} [{c}] -> {h.kind} {h.score:.2f} No.{h.entry.no} {h.matched_name!r}")
    assert not misses
    assert not neg_hits
    assert len(HARD_NEGATIVES) >= 30
