"""``exportscreen screen PATH``: screen every order line of a workbook (xlsx/xlsm/csv) and write the decision
and its reasons into the 判定 / 理由 columns, losing nothing else (see :mod:`addin.xlsxpatch`)."""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

from addin import orders, xlsxpatch
from addin.errors import UserError
from addin.model import LABELS, Code

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")
PROGRESS_MIN_LINES = 2000


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "screen",
        help="screen every order line of a workbook and write 判定/理由 into it",
        description="Screen the order table of an xlsx/xlsm/csv file and write the decision (判定) and the "
        "reasons with legal references (理由) into each line. Everything else in the workbook is kept.",
    )
    p.add_argument("path", help="order workbook (.xlsx, .xlsm) or .csv")
    p.add_argument("--sheet", help="worksheet holding the order table (default: the first sheet that has one)")
    p.add_argument("--out", help="write the screened copy here instead of changing PATH in place")
    p.add_argument("--date", help="as-of date YYYY-MM-DD for lines without a ship date (default: today)")
    p.add_argument("--lang", choices=("ja", "en"), default="ja", help="language of the reasons (default ja)")
    p.set_defaults(func=run)


@dataclass
class ScreenSummary:
    source: Path
    output: Path
    sheet: str | None
    lines: int = 0
    unique_lines: int = 0
    counts: Counter = field(default_factory=Counter)  # Code -> lines
    skipped: dict[str, int] = field(default_factory=dict)
    rules_version: str = "-"
    as_of: date | None = None
    columns_created: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds: read, screen, write

    def render(self, lang: str = "ja") -> str:
        where = f"{self.source.name}" + (f" [{self.sheet}]" if self.sheet else "")
        counts = " / ".join(
            f"{(c.label if lang != 'en' else c.label_en)} {self.counts.get(c, 0)}" for c in Code
        )
        skipped = ", ".join(f"{n} {why}" for why, n in self.skipped.items()) or "none"
        return "\n".join(
            [
                f"screened {self.lines} lines ({self.unique_lines} distinct) in {where}",
                f"  {counts}",
                f"  skipped: {skipped}",
                f"  written: {self.output}",
                f"  rules {self.rules_version}; as-of date {self.as_of.isoformat() if self.as_of else '-'}",
            ]
        )


def _record_audit(source: Path, sheet: str | None, row: int, line: dict[str, Any], code: Code, reason_text: str,
                  rules_version: str) -> None:
    """INTEGRATION POINT (audit log, addin/audit.py): called once per screened line, in row order, in the
    main process. ``row`` is the 1-based worksheet row, ``line`` the raw order fields given to the engine.
    The full Decision is not kept for every line (memory on 1M-line sheets); if the audit record needs it,
    call ``addin.engine.screen(**line, today=as_of)`` again here: it is memoised. No-op until wired; it must
    never change the screening result."""
    return None


def _engine() -> Callable:
    try:
        from addin.engine import screen
    except ImportError as exc:
        raise UserError(f"the screening engine is not available ({exc})") from None
    return screen


def _parse_date(text: str | None) -> date:
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"--date {text!r}: expected YYYY-MM-DD") from None


def _progress(total: int):
    """A rich progress bar on stderr when it is a terminal and the run is long; else None."""
    if total < PROGRESS_MIN_LINES or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    return Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True,
    )


PARALLEL_MIN_LINES = 20_000
CHUNK_LINES = 2000
_WORK: tuple | None = None  # (engine, as_of, lang) inherited by forked workers


def _decide_one(values: tuple, screen, as_of: date, lang: str) -> tuple:
    kwargs = dict(zip(orders.FIELDS, values))
    d = screen(kwargs.pop("country"), kwargs.pop("item"), **kwargs, today=as_of)
    label = d.code.label if lang != "en" else LABELS[d.code][1]
    return label, d.reason_text(lang), d.code, d.rules_version


def _decide_chunk(chunk: list[tuple]) -> list[tuple]:
    screen, as_of, lang = _WORK
    return [_decide_one(v, screen, as_of, lang) for v in chunk]


def _workers(n: int) -> int:
    env = os.environ.get("EXPORTSCREEN_WORKERS")
    if env and env.isdigit():
        return max(1, int(env))
    if n < PARALLEL_MIN_LINES or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), 8))


def _screen_distinct(distinct: list[tuple], screen, as_of: date, lang: str, show_progress: bool) -> dict[tuple, tuple]:
    """{values: (label, reason text, Code, rules version)} for each distinct line. With several CPUs and many lines
    the engine runs in forked worker processes (the loaded rules are shared copy-on-write)."""
    global _WORK
    workers = _workers(len(distinct))
    progress = _progress(len(distinct)) if show_progress else None
    out: dict[tuple, tuple] = {}
    texts: dict[str, str] = {}  # one string object per distinct reason text

    def keep(res: tuple) -> tuple:
        return res[0], texts.setdefault(res[1], res[1]), res[2], res[3]

    try:
        if progress is not None:
            progress.start()
            task = progress.add_task("screening", total=len(distinct))
        step = CHUNK_LINES
        chunks = [distinct[i : i + step] for i in range(0, len(distinct), step)]
        if workers > 1 and len(chunks) > 1:
            _WORK = (screen, as_of, lang)
            try:
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    for chunk, res in zip(chunks, pool.imap(_decide_chunk, chunks)):
                        out.update(zip(chunk, map(keep, res)))
                        if progress is not None:
                            progress.advance(task, len(chunk))
            finally:
                _WORK = None
        else:
            for chunk in chunks:
                out.update(zip(chunk, [keep(_decide_one(v, screen, as_of, lang)) for v in chunk]))
                if progress is not None:
                    progress.advance(task, len(chunk))
    finally:
        if progress is not None:
            progress.stop()
    return out



def screen_file(
    path: str | Path,
    *,
    out: str | Path | None = None,
    sheet: str | None = None,
    as_of: date | None = None,
    lang: str = "ja",
    engine: Callable | None = None,
    show_progress: bool = True,
) -> ScreenSummary:
    """Screen the order table in ``path`` and write 判定/理由 into ``out`` (default: ``path`` in place)."""
    src = Path(path)
    target = Path(out) if out else src
    suffix = src.suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES + CSV_SUFFIXES:
        # decide by content: a workbook is a zip (or an encrypted OLE file, refused by check_workbook)
        if src.is_file() and src.read_bytes()[:2] in (b"PK", b"\xd0\xcf"):
            suffix = ".xlsx"
        elif not src.exists():
            raise UserError(f"{src.name}: file not found")
        else:
            suffix = ".csv"
    is_csv = suffix in CSV_SUFFIXES
    if out and target.suffix.lower() != src.suffix.lower() and not (is_csv and target.suffix.lower() in CSV_SUFFIXES):
        raise UserError(f"--out {target.name}: must have the same type as the input ({src.suffix})")
    if not src.exists():
        raise UserError(f"{src.name}: file not found")
    if not target.parent.is_dir():
        raise UserError(f"--out: folder {target.parent} does not exist")
    as_of = as_of or date.today()
    screen = engine or _engine()

    # refuse early, before the (possibly long) screening, and again under the lock
    xlsxpatch.refuse_if_open(target)
    t0 = time.perf_counter()
    table = orders.read_order_table(src, sheet, kind="csv" if is_csv else "xlsx")
    header = table.header
    dcol, rcol, missing = header.output_columns()
    summary = ScreenSummary(src, target, table.sheet, as_of=as_of, skipped=table.skipped, columns_created=[orders.HEADER_TEXT[f] for f in missing])

    t1 = time.perf_counter()
    summary.timings["read"] = t1 - t0
    # screen: each distinct line once (in worker processes when there are many), then fill the cells in row order
    distinct = list(dict.fromkeys(line.values for line in table.lines))
    results = _screen_distinct(distinct, screen, as_of, lang, show_progress)
    cells: dict[int, dict[int, str]] = {}  # 0-based row -> {col: text}
    for line in table.lines:
        label, text, code, version = results[line.values]
        cells[line.row] = {dcol: label, rcol: text}
        summary.counts[code] += 1
        _record_audit(src, table.sheet, line.row + 1, line.kwargs(), code, text, version)
        summary.rules_version = version
    summary.lines = len(table.lines)
    summary.unique_lines = len(distinct)
    if summary.rules_version == "-":
        summary.rules_version = _rules_version()
    del results, distinct
    table.lines = []  # no longer needed; frees memory before the write
    for f in missing:
        cells.setdefault(header.row, {})[dcol if f == "decision" else rcol] = orders.HEADER_TEXT[f]

    t2 = time.perf_counter()
    summary.timings["screen"] = t2 - t1
    with xlsxpatch.workbook_lock(target):
        xlsxpatch.refuse_if_open(target)
        if is_csv:
            _write_csv(table, src, target, cells)
        else:
            xlsxpatch.patch_workbook(src, target, table.sheet, rows=cells, style_from_left_rows={header.row})
    summary.timings["write"] = time.perf_counter() - t2
    return summary


def _write_csv(table: orders.OrderTable, src: Path, target: Path, cells: dict[int, dict[int, str]]) -> None:
    rows, _enc = orders.read_csv_rows(src)
    width = max([len(r) for r in rows] + [c + 1 for cols in cells.values() for c in cols])
    rows = [list(r) + [""] * (width - len(r)) for r in rows]
    for r, cols in cells.items():
        while r >= len(rows):
            rows.append([""] * width)
        for c, text in cols.items():
            rows[r][c] = text
    xlsxpatch.atomic_write(target, lambda fh: orders.write_csv(rows, fh, table.encoding), mode_from=src)


def _rules_version() -> str:
    try:
        from addin.engine import default_rules

        rules = default_rules()
        return str(getattr(rules, "version", "-"))
    except Exception:
        return "-"


def run(args) -> int:
    summary = screen_file(
        args.path, out=args.out, sheet=args.sheet, as_of=_parse_date(args.date), lang=args.lang
    )
    print(summary.render(args.lang))
    return 0
