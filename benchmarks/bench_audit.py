"""Audit log throughput: one run of N records (buffered, one transaction), then verify.

    python benchmarks/bench_audit.py [-n 100000] [--url URL] [--pg] [--export]

Default: a fresh SQLite file in a temporary folder. ``--pg`` also starts a throwaway PostgreSQL server
(same helper as the tests) and measures it; ``--url`` measures an existing database (it appends to it).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from exportscreen.audit import AuditLog  # noqa: E402


def bench(url: str, n: int, export: bool) -> dict:
    from conftest_pg import sample_lines

    lines = sample_lines()
    log = AuditLog(url)
    t0 = time.perf_counter()
    with log.run(kind="screen", file="bench.xlsx", file_sha256="0" * 64, sheet="受注") as run:
        for i in range(n):
            inputs, decision, _row = lines[i % len(lines)]
            run.record({**inputs, "order_no": f"B-{i}"}, decision, row=i + 2)
        t_buffer = time.perf_counter() - t0
    t_total = time.perf_counter() - t0
    t1 = time.perf_counter()
    problems = log.verify()
    t_verify = time.perf_counter() - t1
    assert not problems, problems[:3]
    res = {
        "url": url.split("?")[0],
        "records": n,
        "record_s": t_buffer,
        "commit_s": t_total - t_buffer,
        "records_per_s": n / t_total,
        "verify_s": t_verify,
        "verify_per_s": log.count() / t_verify,
    }
    if export:
        from exportscreen.audit_export import export as do_export

        t2 = time.perf_counter()
        with tempfile.TemporaryDirectory() as d:
            r = do_export(log, Path(d) / "bench.xlsx", run_id=run.id)
        res["export_s"] = time.perf_counter() - t2
        res["export_forms"] = r.forms
    log.close()
    return res


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--url")
    ap.add_argument("--pg", action="store_true", help="also start a throwaway PostgreSQL and measure it")
    ap.add_argument("--export", action="store_true", help="also time `audit export` of the run (slow for big N)")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as d:
        results.append(bench(args.url or f"sqlite:///{d}/audit.sqlite3", args.n, args.export))
    if args.pg:
        from conftest_pg import PgServer, find_pg_bin

        bindir = find_pg_bin()
        if bindir is None:
            print("no PostgreSQL binaries found", file=sys.stderr)
        else:
            server = PgServer(bindir)
            try:
                server.start()
                results.append(bench(server.new_database("bench"), args.n, args.export))
            finally:
                server.stop()
    for r in results:
        line = (
            f"{r['url']}: {r['records']:,} records in {r['record_s'] + r['commit_s']:.2f} s "
            f"(buffer {r['record_s']:.2f} s + commit {r['commit_s']:.2f} s) = {r['records_per_s']:,.0f} records/s; "
            f"verify {r['verify_s']:.2f} s = {r['verify_per_s']:,.0f} entries/s"
        )
        if "export_s" in r:
            line += f"; export {r['export_s']:.1f} s ({r['export_forms']} forms)"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
