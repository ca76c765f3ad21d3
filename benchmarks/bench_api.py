"""exportscreen.screen_frame on a 1,000,000-row DataFrame of repeated order lines, against the same lines through
``exportscreen screen`` on a csv file (a fresh process, its audit log on), and screen_frame with record=True.

    .venv/bin/python benchmarks/bench_api.py [--rows N] [--distinct N]

Prints seconds for each; the README's Performance table quotes them.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COUNTRIES = ["米国", "中国", "ドイツ", "韓国", "シンガポール", "ロシア", "イラン", "ベトナム", "フランス", "タイ"]
ITEMS = ["非該当", "7の項(1)", "6の項(2)", "15の項(1)", "3の項(1)", "8の項"]
USERS = ["", "Northfield Semiconductor Inc.", "深圳宏達塑料有限公司", "OOO Volga Trade", "Clean Co"]
USES = ["民生", "", "軍事"]
HEADER = ["受注番号", "仕向地", "品目（該非）", "HSコード", "需要者", "用途", "金額（円）", "出荷日"]


def lines(rows: int, distinct: int) -> list[list]:
    """``rows`` order lines drawn from ``distinct`` different ones (each row its own order number)."""
    import random

    rnd = random.Random(18)
    kinds = [
        [
            rnd.choice(COUNTRIES),
            rnd.choice(ITEMS),
            rnd.choice(["8471.30", "8542.31", "3926.90", ""]),
            rnd.choice(USERS),
            rnd.choice(USES),
            rnd.choice([40_000, 380_000, 2_500_000, 6_800_000]) + i,
            f"2025-{11 + i % 2}-{1 + i % 28:02d}",
        ]
        for i in range(distinct)
    ]
    return [[f"SO-{n:07d}", *kinds[rnd.randrange(distinct)]] for n in range(rows)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--distinct", type=int, default=2_000)
    args = ap.parse_args()
    import pandas as pd

    import exportscreen

    data = lines(args.rows, args.distinct)
    df = pd.DataFrame(data, columns=HEADER)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["EXPORTSCREEN_HOME"] = tmp
        t = time.perf_counter()
        out = exportscreen.screen_frame(df, as_of="2025-10-01")
        frame_s = time.perf_counter() - t
        counts = out["判定"].value_counts().to_dict()
        t = time.perf_counter()
        exportscreen.screen_frame(df, as_of="2025-10-01", record=True, label="bench")
        record_s = time.perf_counter() - t

        path = Path(tmp) / "orders.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([HEADER, *data])
        del data
        cmd = [sys.executable, "-m", "exportscreen.cli", "screen", str(path), "--date", "2025-10-01"]
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        screen_s = time.perf_counter() - t
        with path.open(encoding="utf-8", newline="") as fh:
            cli = [r["判定"] for r in csv.DictReader(fh)]
        assert cli == out["判定"].tolist(), "screen_frame and screen disagree"

    print(f"{args.rows:,} rows, {args.distinct:,} distinct lines; decisions {counts}")
    print(f"screen_frame:                       {frame_s:6.1f} s")
    print(f"screen_frame(record=True):          {record_s:6.1f} s (every row in the audit log)")
    print(f"exportscreen screen (csv, recorded): {screen_s:6.1f} s — same decisions")


if __name__ == "__main__":
    main()
