"""One screening pipeline: read an order table, decide each distinct line once, write 判定/理由 back, record
every line in the audit log. The CLI (``screen``, ``rescreen``, ``check``), the spreadsheet functions, tests and
benchmarks call this module; none of them decides or renders anything itself.

    cell values ──orders──▶ OrderLine ──engine.screen(rules, as-of)──▶ Decision ──render──▶ 判定 / 理由 text
                                                                         └──audit.Run.record──▶ hash-chained log
"""

from __future__ import annotations

import gc
import sys
import time
from array import array
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from exportscreen import csvfile, files, messages, orders, render, state, xlsxpatch
from exportscreen.engine import screen, screen_technology, with_formula_cells
from exportscreen.errors import UserError
from exportscreen.licensing import in_run
from exportscreen.model import Code, Decision
from exportscreen.technology import TECH_FIELDS
from exportscreen.xlsxstyles import CellFormat

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")
PROGRESS_MIN_LINES = 1000  # fewer lines are screened within a second


def decide(*cells: Any, as_of: date | None = None, rates: tuple = (), **fields: Any) -> Decision:
    """One order line (the fields of :data:`exportscreen.orders.FIELDS`, positionally or by name) under the rules in
    use (:func:`exportscreen.state.rules`), as of ``as_of`` (default today) for a line without a ship date, with the
    exchange ``rates`` the user gave ((currency, yen per unit) pairs)."""
    return screen(*cells, **fields, rules=state.rules(), today=as_of or date.today(), rates=rates)


def decide_technology(as_of: date | None = None, **fields: Any) -> Decision:
    """One technology line (:data:`exportscreen.technology.TECH_FIELDS`) under the rules in use, as of ``as_of``
    (default today) for a line without a provision date."""
    return screen_technology(**fields, rules=state.rules(), today=as_of or date.today())


TECH_RECORD = ("kind", *TECH_FIELDS)  # what a technology line's audit record names
GOODS_RECORD = ("kind", *orders.FIELDS)


def decide_line(
    line: orders.OrderLine, rules, as_of: date, rates: tuple = (), *, quantity: tuple[int, str | None] | None
) -> Decision:
    """An order line's decision: goods (screen), technology (screen_technology), or 入力エラー naming a 取引区分 that
    is neither. ``quantity``: where the line's 数量 is, from :func:`quantity_reader` for the line's table (None: not
    read) — required, so that no adapter leaves it out by mistake (its lines under a licence with a 数量上限 would be
    要確認 for want of the quantity)."""
    tech = line.tech
    if tech is None:
        if quantity is None or line.refs is None:
            return screen(*line.values, rules=rules, today=as_of, rates=rates)
        at, unit = quantity
        return screen(*line.values, rules=rules, today=as_of, rates=rates, quantity=line.refs[at], quantity_unit=unit)
    if tech.__class__ is tuple:
        return screen_technology(*tech, rules=rules, today=as_of)
    message = rules.reasons.phrase("KIND-BAD", text=tech)
    reason = rules.reasons.reason("INPUT-KIND", Code.INVALID, message=message)
    return Decision(Code.INVALID, (reason,), as_of, rules.version)


def quantity_reader(header: orders.Header, rules) -> tuple[int, str | None] | None:
    """(which of a line's refs is its 数量, the unit its column's header names) when the table has a 数量 column and
    the rules' registers a licence with a 数量上限 — the only check that reads it (:func:`exportscreen.engine.screen`);
    else None: the quantity is not read. Every adapter that screens a table passes it to :func:`decide_line` (which
    requires it)."""
    at = header.quantity_ref
    if at is None or not rules.quantity_limits:
        return None
    return at, orders.quantity_unit(header.refs[at][2])


def _kind_record(line: orders.OrderLine) -> tuple[tuple, tuple]:
    """(names, values) of a line that is not plain goods, for its audit record: the kind first."""
    if line.tech.__class__ is tuple:
        return TECH_RECORD, ("technology", *line.tech)
    return GOODS_RECORD, (line.tech, *line.values)


def record_of(line: orders.OrderLine) -> tuple[tuple, tuple]:
    """(names, values) of any line as its audit record names them (goods: orders.FIELDS and its values)."""
    return (orders.FIELDS, line.values) if line.tech is None else _kind_record(line)


# lines someone must act on
ACTION_CODES = (Code.PROHIBITED, Code.LICENSE_REQUIRED, Code.REPORT_REQUIRED, Code.REVIEW, Code.INVALID)
ACTION_LIST_MAX = 20  # rows listed in the summary; the rest are counted


@dataclass
class ActionRow:
    """A line that needs action, as the summary lists it: its row (1-based, as Excel shows it), its order number
    (when the table has a column for it), its decision and first reason."""

    row: int
    order_no: str | None
    decision: Decision


@dataclass
class ScreenSummary:
    source: Path
    output: Path
    sheet: str | None
    lines: int = 0
    unique_lines: int = 0
    counts: Counter = field(default_factory=Counter)  # Code -> lines
    skipped: dict[str, int] = field(default_factory=dict)
    hidden_lines: int = 0  # lines in hidden rows (screened and written all the same)
    rules_version: str = "-"
    as_of: date | None = None
    rates: tuple = ()  # the exchange rates given (--rate USD=150): (currency, yen per unit) pairs
    columns_created: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds: read, screen, write, audit, audit_wait
    actions: list[ActionRow] = field(default_factory=list)  # the first ACTION_LIST_MAX lines that need action

    @property
    def action_count(self) -> int:
        return sum(self.counts.get(c, 0) for c in ACTION_CODES)

    def render(self, lang: str = "ja") -> str:
        from exportscreen.messages import tr

        en = lang == "en"
        where = f"{self.source.name}" + (f" [{self.sheet}]" if self.sheet else "")
        counts = " / ".join(
            f"{(c.label if not en else c.label_en)} {self.counts.get(c, 0)}"
            for c in Code
            # 事前報告要 (technology lines) and 許可取得済 (a licence register loaded): shown when there are some
            if c not in (Code.REPORT_REQUIRED, Code.LICENSED) or self.counts.get(c)
        )
        skip_ja = {"blank": "空行", "totals row": "合計行"}
        skipped = ", ".join(
            f"{n} {why}" if en else f"{skip_ja.get(why, why)} {n}" for why, n in self.skipped.items()
        ) or tr("なし", "none", lang)
        day = self.as_of.isoformat() if self.as_of else "-"
        out = [
            tr(
                f"{where} の {self.lines} 行を判定しました（異なる行 {self.unique_lines}）",
                f"screened {self.lines} lines ({self.unique_lines} distinct) in {where}",
                lang,
            ),
            f"  {counts}",
            tr(f"  読み飛ばし: {skipped}", f"  skipped: {skipped}", lang),
            *(
                [
                    tr(
                        f"  非表示の行: {self.hidden_lines} 行（判定・理由を書き込みました。再表示して確認を）",
                        f"  lines in hidden rows: {self.hidden_lines} (screened and written; unhide them to check)",
                        lang,
                    )
                ]
                if self.hidden_lines
                else []
            ),
            tr(f"  書き込み先: {self.output}", f"  written: {self.output}", lang),
            tr(
                f"  規則 {self.rules_version}、基準日 {day}（出荷日のない行）",
                f"  rules {self.rules_version}; as-of date {day}",
                lang,
            ),
        ]
        if self.rates:
            given = ", ".join(f"{code}={rate:g}" for code, rate in self.rates)
            out.append(tr(f"  換算レート（円）: {given}", f"  exchange rates (yen): {given}", lang))
        total = self.action_count
        if total:
            out.append(tr(f"対応が必要な行: {total}", f"lines that need action: {total}", lang))
            for a in self.actions:
                row = tr(f"{a.row} 行目", f"row {a.row}", lang)
                order = f" {a.order_no}" if a.order_no else ""
                first = a.decision.reasons[0].text(lang) if a.decision.reasons else ""
                decided = render.label(a.decision.code, lang)
                first = first.removeprefix(f"{decided}: ").removeprefix(f"{decided}：")  # said once
                out.append(f"  {row}{order}: {decided} — {_one_line(first)}")
            if total > len(self.actions):
                rest = total - len(self.actions)
                out.append(tr(f"  … ほか {rest} 行", f"  … and {rest} more", lang))
        else:
            out.append(tr("対応が必要な行はありません", "no line needs action", lang))
        return "\n".join(out)


def _one_line(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


class _Progress:
    """A rich progress bar on stderr, shown only once the run has taken a second (short runs stay quiet)."""

    def __init__(self, total: int | None, description: str, delay: float = 1.0) -> None:
        self.total, self.description = total, description
        self.start = time.perf_counter() + delay
        self.bar: Any = None
        self.task: Any = None

    def update(self, done: int) -> None:
        if self.bar is None:
            if time.perf_counter() < self.start:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            self.bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.task = self.bar.add_task(self.description, total=self.total)
            self.bar.start()
        self.bar.update(self.task, completed=done)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _progress(total: int | None, description: str = "screening") -> _Progress | None:
    """A progress bar on stderr when it is a terminal and the table is big enough to take a second; else None.
    ``total`` None: a table read while it is screened (streamed), its size not known yet — the bar counts the lines
    done, and shows only once the run has taken a second."""
    if (total is not None and total < PROGRESS_MIN_LINES) or not sys.stderr.isatty():
        return None
    return _Progress(total, description)


def screen_file(
    path: str | Path,
    *,
    out: str | Path | None = None,
    sheet: str | None = None,
    as_of: date | None = None,
    lang: str = "ja",
    show_progress: bool = True,
    rates: tuple = (),
) -> ScreenSummary:
    """Screen the order table in ``path`` and write 判定/理由 into ``out`` (default: ``path`` in place), values in
    another currency converted with ``rates`` ((currency, yen per unit) pairs; without one, never read as yen)."""
    src = files.check_source(path)  # an ordinary file: not a folder, FIFO or device
    target = Path(out) if out else src
    files.check_target(target)  # not a symbolic link, folder, FIFO, device or read-only file
    suffix = src.suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES + CSV_SUFFIXES:
        # decide by content: a workbook is a zip (or an encrypted OLE file, refused by check_workbook)
        with open(src, "rb") as fh:
            suffix = ".xlsx" if fh.read(2) in (b"PK", b"\xd0\xcf") else ".csv"
    is_csv = suffix in CSV_SUFFIXES
    if out and target.suffix.lower() != src.suffix.lower() and not (is_csv and target.suffix.lower() in CSV_SUFFIXES):
        raise UserError(
            f"--out {target.name}: 入力と同じ種類のファイルにしてください（{src.suffix}）",
            f"--out {target.name}: must have the same type as the input ({src.suffix})",
        )
    if not target.parent.is_dir():
        raise UserError(
            f"--out: フォルダ {target.parent} がありません", f"--out: folder {target.parent} does not exist"
        )
    as_of = as_of or date.today()

    # refuse early, before the (possibly long) screening, and again under the lock
    files.refuse_if_open(target)
    # Reading, screening and recording allocate a few objects per line and form no reference cycles: the cyclic
    # collector would only rescan the whole table again and again (a third of the run time), so it pauses.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter()
        fingerprint = files.Fingerprint.take(src)  # checked again just before writing
        table = orders.read_order_table(src, sheet, kind="csv" if is_csv else "xlsx", stream=True)
        missing = table.header.output_columns()[2]
        summary = ScreenSummary(
            src,
            target,
            table.sheet,
            as_of=as_of,
            rates=rates,
            skipped=table.skipped,
            columns_created=[orders.HEADER_TEXT[f] for f in missing],
        )
        summary.timings["read"] = time.perf_counter() - t0
        return _screen_and_write(
            fingerprint, target, table, summary, as_of, lang, show_progress, is_csv, time.perf_counter()
        )
    finally:
        if gc_was_enabled:
            gc.enable()


def _screen_and_write(fingerprint, target, table, summary, as_of, lang, show_progress, is_csv, t1) -> ScreenSummary:
    from exportscreen.audit import open_log

    src = fingerprint.path
    header = table.header
    dcol, rcol, missing = header.output_columns()
    rules, rates = state.rules(), summary.rates
    # Screen in row order: each distinct line is decided once (the engine memoises), every line is recorded.
    log = open_log()
    with log.run(kind="screen", file=src, file_sha256=fingerprint.sha256, sheet=table.sheet, output=target) as run:
        _warn_incomplete(log, run.id, lang)
        cells = xlsxpatch.RowTexts((dcol, rcol))  # row -> (判定, 理由)
        distinct = array("q")  # each line's hash: a set of a million lines' values would keep them all
        counts: Counter = Counter()
        record, fields = run.record_values, orders.FIELDS
        run.set_refs([h for _c, _f, h in header.refs])  # 受注番号, PO, 品番, 品名, 数量 … kept with each line
        order_ref = header.order_ref
        total = None if isinstance(table.lines, csvfile.StreamedLines) else len(table.lines)
        progress = _progress(total, "判定中" if lang != "en" else "screening") if show_progress else None
        action_codes, actions = frozenset(ACTION_CODES), summary.actions
        reason_text, label, out, add_distinct = render.reason_cell, render.label, cells.lines, distinct.append
        formula_cells = table.formula_cells
        pairs: dict[tuple, tuple] = {}  # one (判定, 理由) tuple per distinct pair: a million lines share a few
        labels: dict = {}  # code -> 判定
        licence_used: dict[str, tuple] = {}  # licence -> what the lines so far it covers use (licensing.in_run)
        quantity = quantity_reader(header, rules)  # None unless a licence has a 数量上限
        try:
            for n, line in enumerate(table.lines, start=1):
                values, row, tech = line.values, line.row, line.tech
                if tech is None and quantity is None:
                    d = screen(*values, rules=rules, today=as_of, rates=rates)  # FIELDS: the engine's argument order
                elif tech is None:
                    d = decide_line(line, rules, as_of, rates, quantity=quantity)
                else:  # a technology line (or one whose 取引区分 is neither): recorded with its kind
                    d = decide_line(line, rules, as_of, quantity=None)
                    fields, values = _kind_record(line)
                if formula_cells and row in formula_cells:  # cached formula results: see xlsxcheck
                    d = with_formula_cells(d, rules, formula_cells[row])
                if d.licence is not None:  # the licence's balance less the earlier lines of this table
                    d = in_run(rules, d, licence_used)
                code = d.code
                pair = (labels.get(code) or labels.setdefault(code, label(code, lang)), reason_text(d, lang))
                out[row] = pairs.setdefault(pair, pair)
                counts[code] += 1
                refs = line.refs
                add_distinct(hash(values) if quantity is None or refs is None else hash((values, refs[quantity[0]])))
                record(fields, values, d, row + 1, refs)
                fields = orders.FIELDS
                if code in action_codes and len(actions) < ACTION_LIST_MAX:
                    no = None if order_ref is None or refs is None else refs[order_ref]
                    actions.append(ActionRow(line.row + 1, None if no is None else orders.cell_text(no), d))
                if progress is not None and n % 1000 == 0:
                    progress.update(n)
        finally:
            if progress is not None:
                progress.stop()
        summary.counts.update(counts)
        summary.rules_version = d.rules_version if table.lines else "-"
        summary.lines = len(table.lines)
        summary.skipped = table.skipped  # a csv file's lines are read while they are screened
        summary.unique_lines = _count_distinct(distinct)
        summary.hidden_lines = table.hidden_lines
        if summary.rules_version == "-":
            summary.rules_version = rules.version
        del distinct, pairs
        table.lines = []  # no longer needed; frees memory before the write
        dcol, rcol, missing = header.output_columns()  # a workbook's free columns are known once its lines are read
        cells.cols = (dcol, rcol)
        for f in missing:
            cells.extra.setdefault(header.row, {})[dcol if f == "decision" else rcol] = orders.HEADER_TEXT[f]

        t2 = time.perf_counter()
        summary.timings["screen"] = t2 - t1
        # the audit log takes the lines while the workbook is written; they and the run's summary entry are committed
        # before the written file is renamed into place (run.before_replace: a failure there leaves the file as it
        # was), and the run is complete after the rename (run.replaced)
        run.commit_in_background()

        def before_replace(tmp: Path) -> None:
            fingerprint.check()  # again: the file is read once more while it is written
            run.before_replace(tmp)

        with files.workbook_lock(target):  # a failed write marks the audit run as failed
            files.refuse_if_open(target)
            fingerprint.check()  # refused if the file changed while it was screened
            if is_csv:
                _write_csv(table, src, target, cells, before_replace)
            else:
                xlsxpatch.patch_workbook(
                    src,
                    target,
                    table.sheet,
                    rows=cells,
                    style_from_left_rows={header.row},
                    formats=_formats(dcol, rcol, lang),
                    widths={dcol if f == "decision" else rcol: COLUMN_WIDTHS[f] for f in missing},
                    before_replace=before_replace,
                )
            run.replaced()
        t3 = time.perf_counter()
        summary.timings["write"] = t3 - t2
    summary.timings["audit_wait"] = time.perf_counter() - t3  # the log finishing after the workbook is written
    summary.timings["audit"] = run.commit_seconds or 0.0  # writing the log, mostly alongside the workbook
    return summary


def _count_distinct(hashes: array, parts: int = 8) -> int:
    """The number of distinct values in ``hashes``, counted an eighth at a time: a set of a million int objects at
    once (~70 MB) was the run's peak."""
    return sum(len({h for h in hashes if h % parts == k}) for k in range(parts))


COLUMN_WIDTHS = {"decision": 12.0, "reason": 70.0}  # characters: the 判定 and 理由 columns the tool creates


def _formats(dcol: int, rcol: int, lang: str) -> dict[int, dict[str | None, CellFormat]]:
    """The 判定 cell in its decision's colours, the 理由 cell wrapped, both aligned to the top (as in the template)."""
    decision: dict[str | None, CellFormat] = {
        render.label(code, lang): CellFormat(fill=fill, font_color=font, bold=True, top=True)
        for code, (fill, font) in render.DECISION_COLOURS.items()
    }
    decision[None] = CellFormat(bold=True, top=True)
    return {dcol: decision, rcol: {None: CellFormat(wrap=True, top=True)}}


def _write_csv(
    table: orders.OrderTable, src: Path, target: Path, cells: Mapping[int, dict[int, str]], before_replace=None
) -> None:
    """The source streamed to an atomic temporary file with our cells written in; every other byte as it was."""
    files.atomic_write(
        target, lambda fh: csvfile.write_table(table.csv, src, fh, cells), mode_from=src, before_replace=before_replace
    )


def _warn_incomplete(log, run_id: int, lang: str) -> None:
    """Runs that wrote (or were writing) a file and were interrupted, on stderr (see ``audit verify``)."""
    from exportscreen.audit import describe_incomplete

    for r in log.incomplete_runs(exclude=run_id):
        what = describe_incomplete(r)
        print(
            messages.tr(
                f"exportscreen: 警告: 完了していない実行があります（audit verify で確認）: {what}",
                f"exportscreen: warning: an interrupted run (see audit verify): {what}",
                lang,
            ),
            file=sys.stderr,
        )


def reason_key(d: Decision) -> tuple:
    """What a decision says, apart from its wording and the list's version: each reason's id and the End User
    List entries it is about (name, country, hit or possible hit)."""
    return tuple((r.rule_id, tuple(sorted((h.entry.name, h.entry.country, h.kind) for h in r.hits))) for r in d.reasons)


def rescreen(path: str | Path, sheet: str | None = None, as_of: date | None = None) -> tuple[dict, list[dict]]:
    """Which lines of an order table change under the newest End User List: (about, changed lines), each
    changed line with its row, order number (None without an order number column), inputs, old and new decisions,
    and ``"decision_changed"``: False for a line whose decision stays but whose reasons change (a newly listed buyer
    on a line that stays 許可要)."""
    from exportscreen import eul as eul_mod
    from exportscreen.rules import bundled

    files.check_source(path)
    lists = eul_mod.load_lists()
    if not lists:
        raise UserError(*messages.pair("no_eul"))
    newest = max(lists, key=lambda e: (e.effective, e.list_date))
    previous = tuple(e for e in lists if e is not newest)
    base = bundled()
    old_rules, new_rules = base.with_eul(previous), base.with_eul(lists)
    today = as_of or max(date.today(), newest.effective)
    table = orders.read_order_table(path, sheet)
    order_ref = table.header.order_ref
    changed = []
    old_at, new_at = quantity_reader(table.header, old_rules), quantity_reader(table.header, new_rules)
    for line in table.lines:
        kw = line.kwargs() if line.tech is None else dict(zip(*_kind_record(line)))
        old = decide_line(line, old_rules, today, quantity=old_at)
        new = decide_line(line, new_rules, today, quantity=new_at)
        if old.code != new.code or (old is not new and reason_key(old) != reason_key(new)):
            no = None if order_ref is None or line.refs is None else line.refs[order_ref]
            changed.append(
                {
                    "row": line.row + 1,
                    "order_no": None if no is None else orders.cell_text(no),
                    "inputs": kw,
                    "old": old,
                    "new": new,
                    "decision_changed": old.code != new.code,
                }
            )
    previous_in_force = eul_mod.in_force(previous, today) if previous else None
    about = {
        "file": str(path),
        "sheet": table.sheet,
        "lines": len(table.lines),
        "as_of": today.isoformat(),
        "new_list": newest.version,
        "old_list": previous_in_force.version if previous_in_force else None,
    }
    return about, changed
