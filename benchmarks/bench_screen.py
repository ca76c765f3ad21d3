"""Benchmark: screening an order workbook in place vs. openpyxl load + save of the same file.

    .venv/bin/python benchmarks/bench_screen.py [--rows 100000] [--big 1000000] [--skip-big]

1. Generates an order workbook of N lines (xlsxwriter, constant_memory) shaped like the sample workbook.
2. Times openpyxl load_workbook + save (what a naive tool would do, and it loses parts).
3. Times ``screen_file`` (calamine read + engine on every line + lossless xlsxpatch write).
4. For the big run (1,000,000 lines), runs the screen in a child process and reports its peak RSS.
Prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

HEADERS = [
    "受注番号",
    "仕向地",
    "品目（該非）",
    "HSコード",
    "需要者",
    "用途",
    "インフォーム",
    "金額（円）",
    "出荷日",
    "判定",
    "理由",
]
COUNTRIES = [
    "米国",
    "中国",
    "ドイツ",
    "フランス",
    "シンガポール",
    "ロシア",
    "イラン",
    "韓国",
    "台湾",
    "タイ",
    "ベトナム",
    "インド",
    "英国",
    "北朝鮮",
    "イラク",
    "ブラジル",
] * 12 + ["Atlantis"]  # ~0.5 % unknown countries
ITEMS = ["非該当"] * 8 + ["7の項(1)", "15の項(1)", "6の項(2)", "8の項(1)", "3の項(1)"]
HS = ["8471.30", "8458.11", "3926.90", "0901.11", "8542.31", "8803.90", "8459.61", "8486.20"]
USERS = [f"取引先{i:03d}株式会社" for i in range(300)]
USES = ["民生"] * 10 + ["軍事", "不明", "大量破壊兵器"]
INFORMS = ["なし"] * 20 + ["通常兵器", "大量破壊兵器"]


def make_workbook(path: Path, n: int, seed: int = 7) -> None:
    import xlsxwriter

    rnd = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("受注一覧")
    money = wb.add_format({"num_format": "#,##0"})
    day = wb.add_format({"num_format": "yyyy/mm/dd"})
    head = wb.add_format({"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF"})
    ws.write(0, 0, "受注一覧（ベンチマーク）")
    for c, h in enumerate(HEADERS):
        ws.write(2, c, h, head)
    start = date(2025, 6, 1)
    for i in range(n):
        r = 3 + i
        ws.write_string(r, 0, f"SO-{i:07d}")
        ws.write_string(r, 1, rnd.choice(COUNTRIES))
        ws.write_string(r, 2, rnd.choice(ITEMS))
        ws.write_string(r, 3, rnd.choice(HS))
        ws.write_string(r, 4, rnd.choice(USERS))
        ws.write_string(r, 5, rnd.choice(USES))
        ws.write_string(r, 6, rnd.choice(INFORMS))
        ws.write_number(r, 7, rnd.choice([30000, 45000, 90000, 250000, 800000, 1200000, 5000000]), money)
        ws.write_datetime(r, 8, start + timedelta(days=rnd.randrange(400)), day)
    wb.add_worksheet("使い方").write(0, 0, "benchmark")
    wb.close()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def time_openpyxl(path: Path, out: Path) -> float:
    import openpyxl

    t = time.perf_counter()
    wb = openpyxl.load_workbook(path)
    wb.save(out)
    return time.perf_counter() - t


class _NoAuditRun:
    def record(self, *a, **k):
        pass


class _NoAuditLog:
    """Stands in for the audit log to measure screening alone (the product always records)."""

    def run(self, **k):
        from contextlib import nullcontext

        return nullcontext(_NoAuditRun())


def time_screen(path: Path, out: Path, audit: bool = True) -> tuple[float, dict]:
    from unittest import mock

    from exportscreen.screening import screen_file
    from exportscreen.state import reset_rules

    reset_rules()  # every measurement starts with cold caches
    t = time.perf_counter()
    if audit:
        s = screen_file(path, out=out, as_of=date(2026, 1, 5), show_progress=False)
    else:
        with mock.patch("exportscreen.audit.open_log", lambda *a, **k: _NoAuditLog()):
            s = screen_file(path, out=out, as_of=date(2026, 1, 5), show_progress=False)
    dt = time.perf_counter() - t
    return dt, {
        "lines": s.lines,
        "distinct": s.unique_lines,
        "counts": {c.label: n for c, n in s.counts.items()},
        "split": {k: round(v, 2) for k, v in s.timings.items()},
    }


def child(path: str, out: str) -> None:
    """Run one screen in this (fresh) process and print JSON with time and peak RSS."""
    dt, info = time_screen(Path(path), Path(out))
    info.update(seconds=round(dt, 2), peak_rss_mb=round(peak_rss_mb(), 1))
    print(json.dumps(info, ensure_ascii=False))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--big", type=int, default=1_000_000)
    ap.add_argument("--skip-big", action="store_true")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    os.environ.setdefault("EXPORTSCREEN_HOME", tempfile.mkdtemp(prefix="esh-bench-"))
    if args.child:
        child(*args.child)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-screen-") as tmp:
        tmp = Path(tmp)
        src = tmp / "orders.xlsx"
        t = time.perf_counter()
        make_workbook(src, args.rows)
        print(f"generated {args.rows:,} lines in {time.perf_counter() - t:.1f}s ({src.stat().st_size / 1e6:.1f} MB)")
        t_op = time_openpyxl(src, tmp / "openpyxl.xlsx")
        print(f"openpyxl load+save:            {t_op:7.2f} s")
        t_sc, info = time_screen(src, tmp / "screened.xlsx")
        print(f"exportscreen screen (all):     {t_sc:7.2f} s   lines {info['lines']:,}, distinct {info['distinct']:,}")
        print(f"  decisions: {info['counts']}")
        print(f"  split (s): {info['split']}")
        print(
            f"ratio screen / openpyxl:       {t_sc / t_op:7.2f}  (target <= 0.50; every line recorded in the audit log)"
        )
        t_na, info = time_screen(src, tmp / "screened-na.xlsx", audit=False)
        print(f"without the audit log:         {t_na:7.2f} s   ratio {t_na / t_op:.2f}   split {info['split']}")
        if not args.skip_big:
            big = tmp / "big.xlsx"
            t = time.perf_counter()
            make_workbook(big, args.big)
            print(f"generated {args.big:,} lines in {time.perf_counter() - t:.1f}s ({big.stat().st_size / 1e6:.1f} MB)")
            res = subprocess.run(
                [sys.executable, __file__, "--child", str(big), str(tmp / "big-out.xlsx")],
                capture_output=True,
                text=True,
                check=True,
            )
            info = json.loads(res.stdout.strip().splitlines()[-1])
            print(
                f"exportscreen screen {args.big:,} lines: {info['seconds']:.1f} s, peak RSS {info['peak_rss_mb']:.0f} MB "
                f"(target < 1024 MB), distinct lines {info['distinct']:,}, split {info['split']}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
