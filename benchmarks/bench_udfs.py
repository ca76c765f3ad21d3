"""Cost of the spreadsheet functions in Python (prints figures; not a test).

Run: .venv/bin/python benchmarks/bench_udfs.py [N]

- warm SCREEN / SCREEN_REASON: the same line again (Excel recalculating a sheet), with arguments as the COM
  bridge delivers them (floats, datetime, None). Target: ≤ 10 µs per call of Python time.
- cold SCREEN: every line distinct (a distinct value), so the engine decides afresh.
- SCREEN_TABLE: a 2,000-line range with a header row, warm.
The VBA → COM → Python round trip Excel adds per cell is not included (it is not Python time).
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime

from exportscreen import engine, functions, state

LINE = ("米国", "7の項(1)", 8542.31, "Northfield Semiconductor Inc.", "民生", "なし", 2500000.0, datetime(2025, 11, 10))
LINE_2 = ("中国", "非該当", "8458.11", None, "軍事", None, None, None)


def per_call(fn, args, n: int, repeat: int = 5) -> float:
    fn(*args)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(n):
            fn(*args)
        times.append((time.perf_counter() - t) / n)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 100_000
    state.rules()  # load once, as the first recalculation does
    print(f"rules {state.rules().version}; {n} calls per figure, median of 5 runs")
    for name, fn, args in [
        ("SCREEN warm (8 args)", functions.SCREEN, LINE),
        ("SCREEN warm (2 args)", functions.SCREEN, LINE[:2]),
        ("SCREEN warm (None cells)", functions.SCREEN, LINE_2),
        ("SCREEN_REASON warm", functions.SCREEN_REASON, LINE),
        ("COUNTRY_GROUP warm", functions.COUNTRY_GROUP, ("米国",)),
        ("ITEM_CLASS warm", functions.ITEM_CLASS, ("非該当", 8458.11)),
        ("engine.screen warm (reference)", engine.screen, LINE),
    ]:
        print(f"  {name:32s} {per_call(fn, args, n) * 1e6:7.2f} µs")
    cold_n = min(n, 20_000)
    t = time.perf_counter()
    for i in range(cold_n):
        functions.SCREEN("中国", "非該当", "8458.11", None, "民生", None, float(1000 + i), None)
    print(f"  {'SCREEN cold (distinct lines)':32s} {(time.perf_counter() - t) / cold_n * 1e6:7.2f} µs")
    header = ("仕向地", "品目", "HSコード", "需要者", "用途", "インフォーム", "金額", "出荷日")
    table = (header,) + tuple(LINE if i % 2 else LINE_2 for i in range(2000)) + ((None,) * 8,) * 10000
    functions.SCREEN_TABLE(table)
    t = time.perf_counter()
    functions.SCREEN_TABLE(table)
    print(f"  {'SCREEN_TABLE 2,000 + 10,000 blank':32s} {(time.perf_counter() - t) * 1e3:7.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
