"""Benchmark: screening the 100,000-line workbook of ``bench_screen.py`` with a licence register of 1,000 licences
vs without one (issue 15 §4: the register adds at most 10 %).

    .venv/bin/python benchmarks/bench_licences.py [--rows 100000] [--licences 1000] [--repeat 7]

1. Generates the order workbook of ``bench_screen.make_workbook`` (same seed, same lines) and a register of
   ``--licences`` licences over its countries, items and buyers (:func:`make_register`); imported into a store of
   its own, with shipments recorded against a tenth of the licences (so balances are read as well).
2. Side by side, ``--repeat`` rounds (each runs both, one after the other, in turn first), each in a fresh process:
   ``screen_file`` as the product runs it (``bench_screen.py``'s child: every line recorded in the audit log) in a
   home without a register and in the home with it. Prints every time, the best of each, their ratio, the median of
   the rounds' ratios (steadier where the machine's speed comes in phases) and how many lines each decision got.
Prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bench_screen  # noqa: E402

START = date(2025, 6, 1)  # bench_screen's first ship date (400 days from it)
ITEMS = ["7の項(1)", "15の項(1)", "6の項(2)", "8の項", "3の項(1)", "3の項", "7の項", "2の項(12)"]


def make_register(path: Path, n: int, seed: int = 11) -> None:
    """A company's register of ``n`` licences: its 一般包括 and 特別一般包括 licences (one of each in force at a time:
    the current ones and the ones they replaced), 特定包括 licences for 4 % of its buyers, and individual licences
    (six months, a value limit, one buyer, one to three destinations, one or two items) granted across the
    workbook's 400 days of ship dates."""
    from exportscreen.licences import HEADERS

    rnd = random.Random(seed)
    countries = sorted(set(bench_screen.COUNTRIES) - {"Atlantis", "北朝鮮", "イラン", "イラク"})
    bulk_items = "、".join(ITEMS[:5])
    rows = [
        {"no": "GB-1", "kind": "一般包括", "countries": "別表第三", "items": bulk_items, "granted": "2023-04-01"},
        {"no": "GB-2", "kind": "一般包括", "countries": "別表第三", "items": bulk_items, "granted": "2026-04-01"},
        {"no": "SG-1", "kind": "特別一般包括", "countries": "全地域", "items": "7の項、3の項", "granted": "2024-10-01"},
    ]
    for row in rows:
        row["expires"] = (date.fromisoformat(row["granted"]) + timedelta(days=3 * 365 - 5)).isoformat()
    for i in range(len(rows), n):
        granted = START + timedelta(days=rnd.randrange(-30, 380))
        row = {"no": f"EX-{i:05d}", "granted": granted.isoformat(), "parties": rnd.choice(bench_screen.USERS)}
        row["countries"] = "、".join(rnd.sample(countries, rnd.choice([1, 1, 2, 3])))
        row["items"] = "、".join(rnd.sample(ITEMS, rnd.choice([1, 2])))
        if i % 25 == 0:  # 特定包括: a buyer's licence for three years
            row.update(kind="特定包括", expires=(granted + timedelta(days=3 * 365 - 5)).isoformat())
        else:
            row.update(kind="個別", expires=(granted + timedelta(days=180)).isoformat())
            row["value"] = str(rnd.choice([1_000_000, 5_000_000, 20_000_000]))
        rows.append(row)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS.values())
        for r in rows:
            w.writerow([{"target": "貨物", **r}.get(k, "") for k in HEADERS])


def prepare_home(home: Path, register: Path, n: int) -> None:
    """Import the register into ``home``'s store and record shipments against a tenth of the licences."""
    os.environ["EXPORTSCREEN_HOME"] = str(home)
    from exportscreen import shipments
    from exportscreen.ids.text import fold
    from exportscreen.licences import import_register
    from exportscreen.rules import bundled
    from exportscreen.store import open_store

    reg = import_register(register, bundled(), START - timedelta(days=60))
    now = "2026-01-01T00:00:00"
    rows = [
        {
            "licence_no": lic.no,
            "licence_key": fold(lic.no),
            "register_version": reg.version,
            "file_name": "bench.xlsx",
            "file_sha256": "0" * 64,
            "row": i + 2,
            "line_ref": f"B-{i}",
            "value_jpy": 100_000.0,
            "ship_date": lic.granted.isoformat(),
            "recorded_at": now,
        }
        for i, lic in enumerate(reg.licences[: n // 10])
    ]
    with open_store().write() as conn:
        conn.execute(shipments.shipments_t.insert(), rows)


def measure(home: Path, src: Path, out: Path) -> dict:
    env = {**os.environ, "EXPORTSCREEN_HOME": str(home)}
    env.pop("EXPORTSCREEN_DB_URL", None)
    res = subprocess.run(
        [sys.executable, bench_screen.__file__, "--child", "screen", str(src), str(out)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--licences", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=7, help="rounds; each runs both, one after the other")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-licences-") as tmp:
        tmp = Path(tmp)
        src = tmp / "orders.xlsx"
        t = time.perf_counter()
        bench_screen.make_workbook(src, args.rows)
        make_register(tmp / "register.csv", args.licences)
        plain, with_reg = tmp / "home-plain", tmp / "home-register"
        plain.mkdir()
        prepare_home(with_reg, tmp / "register.csv", args.licences)
        print(f"generated {args.rows:,} lines and {args.licences:,} licences in {time.perf_counter() - t:.1f}s")
        best = bench_screen.best_of(
            {
                "without": lambda: measure(plain, src, tmp / "out-without.xlsx"),
                "with": lambda: measure(with_reg, src, tmp / "out-with.xlsx"),
            },
            args.repeat,
        )
        a, b = best["without"]["seconds"], best["with"]["seconds"]
        print(f"without a register (best of {args.repeat}): {a:7.2f} s   decisions {best['without']['counts']}")
        print(
            f"with {args.licences:,} licences (best of {args.repeat}):  {b:7.2f} s   decisions {best['with']['counts']}"
        )
        print(f"  phases without: {bench_screen._split(best['without'])}")
        print(f"  phases with:    {bench_screen._split(best['with'])}")
        print(f"the register adds {100 * (b / a - 1):+.1f} % (target: at most +10 %)")
        pairs = bench_screen.pair_ratio(best["without"], best["with"])
        print(f"  the median of the {args.repeat} pairs: {100 * (pairs - 1):+.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
