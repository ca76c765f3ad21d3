"""Engine throughput on 1,000,000 generated order lines in one process (prints figures; not a test).

Run: .venv/bin/python benchmarks/bench_engine.py [N]
- repeating lines: a realistic order book where lines recur (memoised decisions);
- all-distinct lines: every line differs (a distinct value or ship date), so every line is decided afresh.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta

from exportscreen import engine, state
from exportscreen.rules import bundled

COUNTRIES = [
    "米国",
    "ドイツ",
    "韓国",
    "中国",
    "タイ",
    "イラン",
    "イラク",
    "アフガニスタン",
    "北朝鮮",
    "ロシア",
    "シンガポール",
    "インド",
    "台湾",
    "ベトナム",
]
ITEMS = ["非該当", "非該当", "非該当", "7の項(1)", "6の項(2)", "15の項(1)", "8の項", "3の2の項(1)"]
HS = ["8458.11", "3926.90", "0901.11", "8542.31", "8542.90", "8471.30", "9030.20", None]
USES = ["民生", "民生", "軍事", "不明", None]
USERS = ["Tokyo Trading", "Shanghai Machinery", "Bangkok Parts", None]


def lines(n: int, distinct: bool, seed: int = 1):
    rnd = random.Random(seed)
    base = date(2025, 1, 1)
    pool = [
        (
            rnd.choice(COUNTRIES),
            rnd.choice(ITEMS),
            rnd.choice(HS),
            rnd.choice(USERS),
            rnd.choice(USES),
            None,
            rnd.choice([40000, 900000, 5000000]),
            base + timedelta(days=rnd.randrange(700)),
        )
        for _ in range(2000)
    ]
    for i in range(n):
        c, it, hs, user, use, inform, value, ship = pool[i % len(pool)] if not distinct else rnd.choice(pool)
        if distinct:
            value = 1000 + i  # every line differs
        yield c, it, hs, user, use, inform, value, ship


def run(n: int, distinct: bool) -> float:
    rules = bundled()
    state.reset_rules()
    today = date(2026, 11, 25)
    data = list(lines(n, distinct))
    screen = engine.screen
    t0 = time.perf_counter()
    for c, it, hs, user, use, inform, value, ship in data:
        screen(
            c,
            it,
            hs=hs,
            end_user=user,
            end_use=use,
            inform=inform,
            value_jpy=value,
            ship_date=ship,
            rules=rules,
            today=today,
        )
    return n / (time.perf_counter() - t0)


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    bundled()
    print(f"engine, repeating lines (memoised): {run(n, False):,.0f} lines/s over {n:,} lines")
    print(f"engine, all-distinct lines:          {run(n, True):,.0f} lines/s over {n:,} lines")
