"""Benchmark: peak memory of screening a big csv order table, against the file's size.

    .venv/bin/python benchmarks/bench_csv.py [--mb 100] [--encoding utf-8|cp932]

Generates a csv of about ``--mb`` MB shaped like bench_screen.py's workbook (CRLF, UTF-8 with a BOM or CP932;
a quoted field with a comma on every tenth line), screens it in place in a fresh process as the product runs it
(every line recorded in a fresh SQLite audit log under a temporary EXPORTSCREEN_HOME), and prints the time, the
peak RSS and its ratio to the file size (the target: at most 3×). Prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_screen import COUNTRIES, HEADERS, HS, INFORMS, ITEMS, USERS, USES, peak_rss_mb, temporary_home  # noqa: E402


def make_csv(path: Path, mb: float, encoding: str, seed: int = 7) -> int:
    """About ``mb`` MB of order lines; returns the number of lines."""
    rnd = random.Random(seed)
    start = date(2025, 6, 1)
    limit = int(mb * 1e6)
    n = 0
    with open(path, "wb") as fh:
        if encoding == "utf-8":
            fh.write(b"\xef\xbb\xbf")
        fh.write(("受注一覧（ベンチマーク）\r\n" + ",".join(HEADERS[:-2]) + "\r\n").encode(encoding))
        size = fh.tell()
        while size < limit:
            rows = []
            for _ in range(10_000):
                user = rnd.choice(USERS)
                if n % 10 == 0:
                    user = '"' + user + ', 本社"'
                rows.append(
                    f"SO-{n:07d},{rnd.choice(COUNTRIES)},{rnd.choice(ITEMS)},{rnd.choice(HS)},"
                    f"{user},{rnd.choice(USES)},{rnd.choice(INFORMS)},"
                    f"{rnd.choice([30000, 45000, 90000, 250000, 800000, 1200000, 5000000])},"
                    f"{(start + timedelta(days=rnd.randrange(400))).isoformat()}\r\n"
                )
                n += 1
            data = "".join(rows).encode(encoding)
            fh.write(data)
            size += len(data)
    return n


def child(path: str) -> None:
    from exportscreen.screening import screen_file

    t = time.perf_counter()
    s = screen_file(path, as_of=date(2026, 1, 5), show_progress=False)
    info = {
        "seconds": round(time.perf_counter() - t, 2),
        "lines": s.lines,
        "split": {k: round(v, 2) for k, v in s.timings.items()},
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    print(json.dumps(info, ensure_ascii=False))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=100.0)
    ap.add_argument("--encoding", default="utf-8", choices=["utf-8", "cp932"])
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    temporary_home()
    if args.child:
        child(args.child)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-csv-") as tmp:
        src = Path(tmp) / "orders.csv"
        t = time.perf_counter()
        lines = make_csv(src, args.mb, args.encoding)
        size = src.stat().st_size
        print(f"generated {lines:,} lines, {size / 1e6:.1f} MB ({args.encoding}) in {time.perf_counter() - t:.1f}s")
        res = subprocess.run(
            [sys.executable, __file__, "--child", str(src)], capture_output=True, text=True, check=True
        )
        info = json.loads(res.stdout.strip().splitlines()[-1])
        rss = info["peak_rss_mb"] * 2**20
        print(
            f"exportscreen screen: {info['seconds']:.1f} s, {info['lines']:,} lines, "
            f"peak RSS {info['peak_rss_mb']:.0f} MB = {rss / size:.2f}× the file (target <= 3×); "
            f"phases (s): {', '.join(f'{k} {v:.2f}' for k, v in info['split'].items())}"
        )
        print(f"written file: {src.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
