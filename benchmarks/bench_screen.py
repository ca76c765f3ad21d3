"""Benchmark: screening an order workbook in place vs. openpyxl load + save of the same file.

    .venv/bin/python benchmarks/bench_screen.py [--rows 100000] [--repeat 3] [--no-audit] [--big [--big-rows N]]

1. Generates an order workbook of N lines (xlsxwriter, constant_memory) shaped like the sample workbook.
2. Side by side, alternating, ``--repeat`` times each, each in a fresh process: openpyxl load_workbook + save
   (what a naive tool would do, and it loses parts) and ``screen_file`` as the product runs it (calamine read +
   engine on every line + every line recorded in the audit log + lossless xlsxpatch write). Prints every time,
   the best of each, their ratio (the target: at most 0.40) and the phase timings of the best screen
   (``ScreenSummary.timings``: read, screen = engine + audit records, write, audit = writing the log (in the
   background, alongside the write), audit_wait = the part of it left after the workbook is written).
3. ``--no-audit``: also the screen without the audit log (the product always records; for comparison).
4. ``--big``: the 1,000,000-line run (``--big-rows``), also in a fresh process: its time, phases and peak RSS (target:
   at most 600 MB).
Prints figures; it is not a test. The audit log is a fresh SQLite file (EXPORTSCREEN_HOME in a temporary folder)
that the runs append to.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import random
import resource
import shutil
import statistics
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
    id = 0
    commit_seconds = 0.0

    def record(self, *a, **k):
        pass

    record_values = before_replace = replaced = set_refs = record

    def commit_in_background(self) -> bool:
        return False


class _NoAuditLog:
    """Stands in for the audit log to measure screening alone (the product always records)."""

    def run(self, **k):
        from contextlib import nullcontext

        return nullcontext(_NoAuditRun())

    def incomplete_runs(self, **k) -> list:
        return []


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


def child(kind: str, path: str, out: str) -> None:
    """Run one measurement in this (fresh) process and print JSON with its time and peak RSS."""
    if kind == "openpyxl":
        info = {"seconds": round(time_openpyxl(Path(path), Path(out)), 3)}
    else:
        dt, info = time_screen(Path(path), Path(out), audit=kind == "screen")
        info["seconds"] = round(dt, 3)
    info["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(json.dumps(info, ensure_ascii=False))


def temporary_home(prefix: str = "esh-bench-", fresh: bool = False) -> None:
    """EXPORTSCREEN_HOME in a temporary folder (unless one is set and ``fresh`` is false: a child measurement uses its
    parent's), removed when the benchmark ends — every screen records its lines in the audit log there (≈150 MB per
    100,000 lines), which would otherwise stay behind."""
    if fresh or "EXPORTSCREEN_HOME" not in os.environ:
        home = tempfile.mkdtemp(prefix=prefix)
        os.environ["EXPORTSCREEN_HOME"] = home
        atexit.register(shutil.rmtree, home, ignore_errors=True)


def measure(kind: str, path: Path, out: Path) -> dict:
    """One measurement in a fresh process: no caches or heap left over from the runs before it."""
    res = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path), str(out)], capture_output=True, text=True, check=True
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def _split(info: dict) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in info["split"].items())


def best_of(runs: dict, repeat: int) -> dict[str, dict]:
    """Each measurement of ``runs`` (name -> a function returning a child's JSON) ``repeat`` times, side by side
    (alternating, and the order of each round the reverse of the round before: neither always runs first), each
    printed; the fastest of each by name, with every time of that name in order (``times``)."""
    best: dict[str, dict] = {}
    times: dict[str, list[float]] = {name: [] for name in runs}
    for i in range(repeat):
        for name, run in list(runs.items())[:: -1 if i % 2 else 1]:
            info = run()
            times[name].append(info["seconds"])
            if name not in best or info["seconds"] < best[name]["seconds"]:
                best[name] = info
            print(f"  run {i + 1}: {name:>16} {info['seconds']:6.2f} s ({_split(info)})")
    for name, info in best.items():
        info["times"] = times[name]
    return best


def pair_ratio(base: dict, other: dict) -> float:
    """The median of ``other``'s time over ``base``'s, run by run (best_of): the two of a pair run one after the
    other, so a slow phase of the machine slows both — steadier here than the ratio of the bests."""
    return statistics.median(b / a for a, b in zip(base["times"], other["times"]))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each, side by side; the best counts")
    ap.add_argument("--no-audit", action="store_true", help="also time the screen without the audit log")
    ap.add_argument("--big", action="store_true", help="also the big run in a child process, with its peak RSS")
    ap.add_argument("--big-rows", type=int, default=1_000_000)
    ap.add_argument("--skip-big", action="store_true", help=argparse.SUPPRESS)  # the default now
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    temporary_home()
    if args.child:
        child(*args.child)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-screen-") as tmp:
        tmp = Path(tmp)
        src = tmp / "orders.xlsx"
        t = time.perf_counter()
        make_workbook(src, args.rows)
        print(f"generated {args.rows:,} lines in {time.perf_counter() - t:.1f}s ({src.stat().st_size / 1e6:.1f} MB)")
        t_ops, screens = [], []
        for i in range(args.repeat):
            t_op = measure("openpyxl", src, tmp / "openpyxl.xlsx")["seconds"]
            t_ops.append(t_op)
            info = measure("screen", src, tmp / "screened.xlsx")
            screens.append((info["seconds"], info))
            print(f"  run {i + 1}: openpyxl load+save {t_op:6.2f} s   screen {info['seconds']:6.2f} s ({_split(info)})")
        t_op = min(t_ops)
        t_sc, info = min(screens, key=lambda x: x[0])
        print(f"openpyxl load+save (best of {args.repeat}):  {t_op:7.2f} s")
        print(
            f"exportscreen screen (best of {args.repeat}): {t_sc:7.2f} s   "
            f"lines {info['lines']:,}, distinct {info['distinct']:,}"
        )
        print(f"  decisions: {info['counts']}")
        print(f"  phases (s): {_split(info)}")
        print(
            f"ratio screen / openpyxl:         {t_sc / t_op:7.2f}  "
            "(target <= 0.40; every line recorded in the audit log)"
        )
        if args.no_audit:
            na = [measure("screen-no-audit", src, tmp / "screened-na.xlsx") for _ in range(args.repeat)]
            info = min(na, key=lambda x: x["seconds"])
            t_na = info["seconds"]
            print(f"without the audit log:           {t_na:7.2f} s   ratio {t_na / t_op:.2f}   phases {_split(info)}")
        if args.big:
            big = tmp / "big.xlsx"
            t = time.perf_counter()
            make_workbook(big, args.big_rows)
            print(
                f"generated {args.big_rows:,} lines in {time.perf_counter() - t:.1f}s "
                f"({big.stat().st_size / 1e6:.1f} MB)"
            )
            info = measure("screen", big, tmp / "big-out.xlsx")
            print(
                f"exportscreen screen {args.big_rows:,} lines: {info['seconds']:.1f} s, "
                f"peak RSS {info['peak_rss_mb']:.0f} MB "
                "(target: at most 600 MB, issue 11 §4), "
                f"distinct lines {info['distinct']:,}, phases {_split(info)}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
