"""Benchmark: screening by part number (品番) against the product master vs. the same lines with 項番 typed in.

    .venv/bin/python benchmarks/bench_parts.py [--rows 100000] [--parts 50000] [--repeat 7]

1. Generates a product master of ``--parts`` parts (品番, 品名, 該非, HS, 判定日 after the last amendment) and
   imports it into a fresh store (a temporary EXPORTSCREEN_HOME, as ``exportscreen products import`` does).
2. Generates two order workbooks of the same ``--rows`` lines (bench_screen.py's shape and random choices): one
   with 品目（該非） and HSコード typed, one with a 品番 column instead, each line naming a part of the master whose
   該非 and HS are the ones typed in the first workbook.
3. Screens each in place in a fresh process (the product's path: every line recorded in the audit log), side by
   side, ``--repeat`` rounds (each runs both, one after the other, in turn first); prints the best of each, their
   ratio and the median of the rounds' ratios (the target, issue 14 §6: by 品番 at most 10 % slower; the median is
   the steadier figure where the machine's speed comes in phases, as a round's two runs share its phase). Checks that
   both give the same decision counts (the master supplies what was typed).
Prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_screen import (  # noqa: E402
    COUNTRIES,
    HEADERS,
    HS,
    INFORMS,
    ITEMS,
    USERS,
    USES,
    best_of,
    measure,
    pair_ratio,
    temporary_home,
)

# bench_screen's 該非 but for 8の項(1), which 別表第一 does not have (an order line's input error; a master refuses it)
PART_ITEMS = [i for i in ITEMS if i != "8の項(1)"]
PART_HS = [h for h in HS if h != "8803.90"]  # and its HS but for 8803.90, which HS2022 has not (a master refuses it)
JUDGED = "2025-11-01"  # after the 2025-10-09 amendment: no classification is stale on the benchmark's dates


def make_master(path: Path, parts: int, seed: int = 11) -> list[tuple[str, str, str]]:
    """A master csv of ``parts`` parts; returns [(品番, 該非, HS)]."""
    rnd = random.Random(seed)
    rows = [(f"PN-{i:06d}", rnd.choice(PART_ITEMS), rnd.choice(PART_HS)) for i in range(parts)]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["品番", "品名", "該非", "HSコード", "判定日", "判定者"])
        for no, item, hs in rows:
            w.writerow([no, f"製品 {no}", item, hs, JUDGED, "輸出管理課"])
    return rows


def make_workbooks(typed: Path, by_part: Path, n: int, parts: list[tuple[str, str, str]], seed: int = 7) -> None:
    """The same ``n`` lines twice: 該非 and HS typed, and the 品番 alone."""
    import xlsxwriter

    rnd = random.Random(seed)
    start = date(2025, 6, 1)
    books = []
    for path, heads in (
        (typed, HEADERS),
        (by_part, ["品番" if h == "品目（該非）" else h for h in HEADERS if h != "HSコード"]),
    ):
        wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        ws = wb.add_worksheet("受注一覧")
        fmt = {"money": wb.add_format({"num_format": "#,##0"}), "day": wb.add_format({"num_format": "yyyy/mm/dd"})}
        ws.write(0, 0, "受注一覧（ベンチマーク）")
        for c, h in enumerate(heads):
            ws.write(2, c, h)
        books.append((wb, ws, heads, fmt))
    for i in range(n):
        no, item, hs = rnd.choice(parts)
        line = {
            "受注番号": f"SO-{i:07d}",
            "仕向地": rnd.choice(COUNTRIES),
            "品目（該非）": item,
            "HSコード": hs,
            "品番": no,
            "需要者": rnd.choice(USERS),
            "用途": rnd.choice(USES),
            "インフォーム": rnd.choice(INFORMS),
            "金額（円）": rnd.choice([30000, 45000, 90000, 250000, 800000, 1200000, 5000000]),
            "出荷日": start + timedelta(days=rnd.randrange(400)),
        }
        for _wb, ws, heads, fmt in books:
            for c, h in enumerate(heads):
                v = line.get(h)
                if isinstance(v, date):
                    ws.write_datetime(3 + i, c, v, fmt["day"])
                elif isinstance(v, int):
                    ws.write_number(3 + i, c, v, fmt["money"])
                elif v is not None:
                    ws.write_string(3 + i, c, v)
    for wb, *_ in books:
        wb.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--parts", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=7, help="rounds; each runs both, one after the other")
    args = ap.parse_args()
    temporary_home("esh-bench-parts-", fresh=True)
    from exportscreen import products

    with tempfile.TemporaryDirectory(prefix="bench-parts-") as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        parts = make_master(tmp / "master.csv", args.parts)
        products.import_master(tmp / "master.csv", effective="2025-01-01")
        print(f"product master: {args.parts:,} parts imported in {time.perf_counter() - t:.1f} s")
        typed, by_part = tmp / "typed.xlsx", tmp / "by_part.xlsx"
        t = time.perf_counter()
        make_workbooks(typed, by_part, args.rows, parts)
        print(f"generated 2 × {args.rows:,} lines in {time.perf_counter() - t:.1f} s")
        best = best_of(
            {
                "項番 typed": lambda: measure("screen", typed, tmp / "typed-out.xlsx"),
                "by 品番": lambda: measure("screen", by_part, tmp / "by-part-out.xlsx"),
            },
            args.repeat,
        )
        a, b = best["項番 typed"], best["by 品番"]
        same = a["counts"] == b["counts"]
        print(f"項番 typed  (best of {args.repeat}): {a['seconds']:7.2f} s   decisions {a['counts']}")
        print(f"by 品番     (best of {args.repeat}): {b['seconds']:7.2f} s   decisions {b['counts']}")
        print(f"ratio by 品番 / typed: {b['seconds'] / a['seconds']:.3f} (target <= 1.10); same decisions: {same}")
        print(f"  the median of the {args.repeat} pairs' ratios: {pair_ratio(a, b):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
