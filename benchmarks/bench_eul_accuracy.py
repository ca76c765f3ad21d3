"""End User List matching quality: recall over perturbations of every listed name, false alarms over synthetic names.

Run:  .venv/bin/python benchmarks/bench_eul_accuracy.py [path/to/20250929_4.xlsx] [--misses N]
Default input: ../shared/reference/eul-2025-09-29-layout.xlsx (a reconstruction, read in place).

* Recall: every entry's name and aliases perturbed as users type them (tests/eul/test_eul_accuracy.py
  ``perturbations``: case, punctuation, full width, legal form, alias, one-letter typos, a dropped word, and — as
  Japanese clerks write names — traditional / simplified / Japanese character forms, the place in katakana, the
  first characters of a Chinese-script name without its city or legal form, abbreviations (Univ., Inst., Tech.,
  Intl, Mfg., Corp., Co., Centre/Center) and two words run together), each screened to the entry's country.
  Targets: ≥ 99 % found as a hit or a possible hit, ≥ 95 % as a hit.
* False alarms: ≥ 10,000 distinct synthetic company names (``synthetic_names``: Faker's company names for ja_JP,
  zh_CN, zh_TW, ko_KR, en_US, de_DE, ru_RU and fa_IR, and names composed of Faker surnames and cities with common
  words and legal forms — "Hicks Components Ltd.", "高橋電機株式会社", "长沙红梅科技有限公司"; seed fixed), each
  screened to every country of the list. Targets: no name with a hit, ≤ 0.5 % of the names with a possible hit.
  The 50 hard negatives of the tests (real-looking companies sharing generic words and places with listed ones)
  are shown too.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from exportscreen.eul import import_list  # noqa: E402


def recall(eul, show: int) -> tuple[float, float, int]:
    from test_eul_accuracy import perturbations

    pert = perturbations(eul.entries)
    by_kind: dict[str, Counter] = {}
    misses = []
    for kind, q, country, no in pert:
        found = next((h for h in eul.match(q, country, limit=50) if h.entry.no == no), None)
        stat = by_kind.setdefault(kind, Counter())
        stat["n"] += 1
        stat[found.kind if found else "miss"] += 1
        if found is None:
            misses.append((kind, q, country, no))
    n = len(pert)
    hits = sum(s["hit"] for s in by_kind.values())
    found = n - len(misses)
    print(f"recall over {n:,} perturbed names of {len(eul.entries)} entries (screened to the entry's country)")
    print(f"  {'kind':15s} {'names':>6s} {'hit':>7s} {'possible':>9s} {'missed':>7s}")
    for kind, s in sorted(by_kind.items()):
        print(f"  {kind:15s} {s['n']:6d} {s['hit']:7d} {s['possible']:9d} {s['miss']:7d}")
    print(f"  hit or possible {found / n:.2%}, hit {hits / n:.2%}")
    for m in misses[:show]:
        print("  MISS", m)
    return found / n, hits / n, n


def false_alarms(eul, show: int) -> tuple[int, float, int]:
    from test_eul_accuracy import HARD_NEGATIVES, synthetic_names

    names = synthetic_names()
    countries = list(eul.country_counts())
    fam_n: Counter = Counter()
    fam_hit: Counter = Counter()
    fam_possible: Counter = Counter()
    pairs = Counter()
    examples = []
    t = time.perf_counter()
    for family, name in names:
        fam_n[family] += 1
        kinds = set()
        for c in countries:
            hs = eul.match(name, c)
            for h in hs:
                pairs[h.kind] += 1
            kinds |= {h.kind for h in hs}
            if hs and len(examples) < 200:
                examples.append((family, name, c, hs[0]))
        if "hit" in kinds:
            fam_hit[family] += 1
        elif kinds:
            fam_possible[family] += 1
    dt = time.perf_counter() - t
    n, n_pairs = len(names), len(names) * len(countries)
    hits, possibles = sum(fam_hit.values()), sum(fam_possible.values())
    print(
        f"\nfalse alarms over {n:,} distinct synthetic names × {len(countries)} countries of the list "
        f"({n_pairs:,} screenings, {dt:.1f} s)"
    )
    print(f"  {'family':13s} {'names':>6s} {'with a hit':>11s} {'possible only':>14s}")
    for family in sorted(fam_n):
        print(f"  {family:13s} {fam_n[family]:6d} {fam_hit[family]:11d} {fam_possible[family]:14d}")
    print(
        f"  names with a hit: {hits} ({hits / n:.2%}); with a possible hit only: {possibles} ({possibles / n:.2%}); "
        f"screenings: {pairs['hit']} hits, {pairs['possible']} possible ({pairs['possible'] / n_pairs:.3%})"
    )
    seen = set()
    for family, name, c, h in examples:
        if name in seen or len(seen) >= show:
            continue
        seen.add(name)
        print(f"  ALARM [{family}] {name!r} → {c}: {h.kind} {h.score:.2f} No.{h.entry.no} {h.matched_name!r}")
    neg = [(q, c, eul.match(q, c)) for q, c in HARD_NEGATIVES]
    neg_hit = sum(1 for _, _, hs in neg if any(h.kind == "hit" for h in hs))
    neg_possible = sum(1 for _, _, hs in neg if hs and all(h.kind == "possible" for h in hs))
    where = "tests/eul/test_eul_accuracy.py"
    print(f"  hard negatives ({len(neg)}, {where}): {neg_hit} with a hit, {neg_possible} possible")
    for q, c, hs in neg:
        for h in hs[:1]:
            print(f"    {q!r} [{c}] → {h.kind} {h.score:.2f} No.{h.entry.no} {h.matched_name!r}")
    return hits, possibles / n, n


def main(argv: list[str]) -> int:
    args = [a for a in argv[1:] if not a.startswith("--")]
    show = 30
    if "--misses" in argv:
        show = int(argv[argv.index("--misses") + 1])
        args = [a for a in args if a != str(show)]
    src = Path(args[0]) if args else ROOT.parent / "shared" / "reference" / "eul-2025-09-29-layout.xlsx"
    if not src.is_file():
        print(f"no workbook at {src}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        xlsx = Path(tmp) / "20250929_4.xlsx"
        shutil.copy(src, xlsx)
        eul = import_list(xlsx, effective="2025-10-09", home=Path(tmp))
    found, hit, _ = recall(eul, show)
    alarms, possible_rate, n = false_alarms(eul, show)
    ok = found >= 0.99 and hit >= 0.95 and alarms == 0 and possible_rate <= 0.005 and n >= 10_000
    print(
        "\ntargets (recall ≥ 99 % hit or possible, ≥ 95 % hit; ≥ 10,000 names: 0 hits, ≤ 0.5 % possible):",
        "met" if ok else "NOT met",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
