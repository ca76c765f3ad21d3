"""The public Python API (``exportscreen.check``, ``screen_frame``, ``screen_records``, ``rules_info``): order lines
from a notebook or another system, decided by the one pipeline (:func:`exportscreen.screening.decide`) and rendered
by the one renderer (:mod:`exportscreen.render`), so that the API never disagrees with ``screen``, ``check`` or the
spreadsheet functions.

Columns are found by the header names a workbook's are (:func:`exportscreen.orders.find_header`, the same refusal of
two columns for one field) or mapped explicitly; cells are read as a workbook's cells are (:func:`_cell`: a NaN, None,
``pd.NA`` or ``NaT`` is a blank cell, numpy numbers are numbers, a ``Timestamp`` a date and time). Each distinct line
is decided once and its result given to every row that has it. pandas is imported only by :func:`screen_frame`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from exportscreen import orders
from exportscreen.errors import UserError
from exportscreen.messages import tr
from exportscreen.model import Decision

if TYPE_CHECKING:
    import pandas as pd

FIELDS = orders.FIELDS
# the columns screen_frame / screen_records add, in the language asked for
RESULT_COLUMNS = {
    "ja": ("判定", "判定コード", "理由", "規則バージョン", "基準日", "仕向地区分"),
    "en": ("decision", "code", "reasons", "rules_version", "as_of", "destination_group"),
}
PANDAS_EXTRA = "pip install 'exportscreen[pandas]'"


class InputError(UserError, ValueError):
    """Bad input to the Python API (an unknown column, two columns for one field, a bad date or rate): a
    :class:`~exportscreen.errors.UserError` (``.ja``, ``.en``) and a ``ValueError``, whose ``str()`` is in the
    language asked for."""

    def __init__(self, ja: str, en: str | None = None, lang: str = "ja") -> None:
        super().__init__(ja, en)
        self.lang = lang

    def __str__(self) -> str:
        return self.text(self.lang)


def _lang(lang: str) -> str:
    if lang not in RESULT_COLUMNS:
        raise InputError(f'lang={lang!r}: "ja" か "en" を指定してください', f'lang={lang!r}: give "ja" or "en"')
    return lang


def _as_of(as_of: Any, lang: str) -> date:
    """The as-of date of lines without a ship date: today by default; a date, a datetime (its day) or a text read as
    a date cell is (2025-10-01, 令和7年10月1日, R7.10.1 …)."""
    if as_of is None:
        return date.today()
    if isinstance(as_of, datetime):
        return as_of.date()
    if isinstance(as_of, date):
        return as_of
    from exportscreen.commands import parse_date

    try:
        day = parse_date(str(as_of), "as_of")
    except UserError as exc:
        raise InputError(exc.ja, exc.en, lang) from None
    assert day is not None
    return day


def _rates(rates: Any, lang: str) -> tuple[tuple[str, float], ...]:
    """``{"USD": 150}``, ``["USD=150"]`` or ``[("USD", 150)]`` as the engine takes them: (currency, yen per unit)
    pairs, checked as ``--rate`` is."""
    if not rates:
        return ()
    from exportscreen.commands import parse_rates

    items = rates.items() if isinstance(rates, Mapping) else rates
    texts = [item if isinstance(item, str) else "{}={}".format(*item) for item in items]
    try:
        return parse_rates(texts)
    except UserError as exc:
        raise InputError(exc.ja, exc.en, lang) from None


def _cell(v: Any) -> Any:
    """A value as a workbook cell holds it: None for a blank (None, NaN, ``pd.NA``, ``NaT``), Python numbers for
    numpy numbers (a float 8471.3 is what Excel stores for an HS code typed as a number), a datetime for a pandas
    ``Timestamp`` (its wall-clock time: a cell has no time zone); text and everything else as it is."""
    cls = v.__class__
    if v is None or cls is str or cls is bool or cls is int:
        return v
    if cls is float:
        return None if v != v else v
    if cls.__module__ == "numpy":
        if cls.__name__ == "datetime64":  # .item() of a nanosecond one is an int
            import pandas as pd

            return _cell(pd.Timestamp(v))
        return v if cls.__name__ == "timedelta64" else _cell(v.item())
    if cls.__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(v, datetime):
        if hasattr(v, "to_pydatetime"):
            v = v.to_pydatetime()
        return v.replace(tzinfo=None) if v.tzinfo is not None else v
    if isinstance(v, float):
        return None if v != v else float(v)
    return v


def _header(names: Sequence[Any], columns: Mapping[Any, str] | None, lang: str) -> orders.Header:
    """The header of a table whose columns are ``names``: found by name as a workbook's (``columns`` None), or the
    columns ``columns`` maps (column -> field or header name: ``{"dest": "country"}``, ``{"amt": "金額(USD)"}``),
    with the identifying columns (注文番号, 品名 …) found by name for the audit record."""
    if columns is None:
        texts: list[Any] = list(names)
    else:
        missing = [k for k in columns if k not in names]
        if missing:
            raise InputError(
                f"columns: 列 {', '.join(map(str, missing))} がありません（列: {', '.join(map(str, names))}）",
                f"columns: no column {', '.join(map(str, missing))} (columns: {', '.join(map(str, names))})",
                lang,
            )
        unknown = [v for v in columns.values() if not isinstance(v, str) or orders.match_column(v) is None]
        if unknown:
            fields = ", ".join(FIELDS)
            raise InputError(
                f"columns: {', '.join(map(repr, unknown))} は項目名ではありません（{fields} または見出し名）",
                f"columns: {', '.join(map(repr, unknown))} names no field (give one of {fields} or a header name)",
                lang,
            )
        texts = [
            columns[n]
            if n in columns
            else n
            if isinstance(n, str) and orders.match_column(n) in orders.REF_FIELDS
            else None
            for n in names
        ]
    try:
        header = orders.find_header([texts], max_rows=1)
    except orders.ColumnClash as exc:
        raise InputError(exc.ja, exc.en, lang) from None
    if header is None:
        raise InputError(
            "仕向地と品目の列が見つかりません（仕向地/Country と 品目/Item の見出し、または columns={...} で指定）",
            "no destination and item columns (head them 仕向地/Country and 品目/Item, or map them with columns={...})",
            lang,
        )
    if columns is not None:  # the audit record names the identifying columns as the table does
        header.refs = [(c, f, str(names[c])) for c, f, _h in header.refs]
    return header


def _used(header: orders.Header) -> list[int]:
    """The columns a line's decision depends on (:func:`exportscreen.orders.used_columns`), in order; 数量 too when a
    licence of the register has a 数量上限 (:func:`exportscreen.screening.quantity_reader`)."""
    from exportscreen import state
    from exportscreen.screening import quantity_reader

    used = orders.used_columns(header)
    at = quantity_reader(header, state.rules())
    if at is not None:
        used[header.refs[at[0]][0]] = "quantity"
    return sorted(used)


class _Lines:
    """The distinct lines of a table (each the cells of its used columns), read as a workbook's lines
    (:func:`exportscreen.orders.lines_of`: goods, or technology by 取引区分 / a technology-only column) and decided
    once each as ``screen`` decides them (:func:`exportscreen.screening.decide_line`)."""

    def __init__(self, header: orders.Header, width: int, used: list[int], distinct: Iterable[Sequence[Any]]):
        self.header = header
        rows = []
        for cells in distinct:  # a row as wide as the table, blank but for the used columns
            row: list[Any] = [None] * width
            for c, v in zip(used, cells):
                row[c] = _cell(v)
            rows.append(row)
        table = orders.lines_of(rows, header)  # blank and totals rows skipped, values not in yen as Money
        self.lines: list[orders.OrderLine | None] = [None] * len(rows)
        for line in table.lines:
            self.lines[line.row] = line
        # a line without destination and item is a totals row when another of its cells says 合計: see per row
        self.suspect = {line.row for line in table.lines if line.values[0] is None and line.values[1] is None}

    def decide(self, as_of: date, rates: tuple) -> list[Decision | None]:
        from exportscreen import state
        from exportscreen.screening import decide_line, quantity_reader

        rules = state.rules()
        at = quantity_reader(self.header, rules)
        return [None if line is None else decide_line(line, rules, as_of, rates, quantity=at) for line in self.lines]

    def record(self, g: int) -> tuple[tuple, tuple]:
        """(names, values) of line ``g`` as its audit record names them (a technology line's with its kind)."""
        from exportscreen.screening import record_of

        line = self.lines[g]
        assert line is not None
        return record_of(line)

    def is_total(self, row: Sequence[Any]) -> bool:
        return orders.is_total_row([_cell(v) for v in row], self.header)


def _results(decisions: list[Decision | None], lang: str) -> list[tuple | None]:
    """Per decision, the values of :data:`RESULT_COLUMNS` (None for a blank or totals row)."""
    from exportscreen import render

    out: list[tuple | None] = []
    for d in decisions:
        if d is None:
            out.append(None)
            continue
        group = d.country.get("group_label") if d.country else None
        out.append(
            (render.label(d.code, lang), d.code.value, render.reason_text(d, lang), d.rules_version, d.as_of, group)
        )
    return out


def _record(label: str | None, header: orders.Header, lines: Iterable[tuple[int, tuple, Decision, Any]]) -> None:
    """Every line in the audit log, in one run of kind "api" named ``label``, as ``screen`` records a workbook's:
    the line's (names, values), decision, row (1-based) and identifying cells."""
    from exportscreen.audit import open_log

    with open_log().run(kind="api", file=label or "python") as run:
        run.set_refs([h for _c, _f, h in header.refs])
        record = run.record_values
        for row, (names, values), d, refs in lines:
            record(names, values, d, row, refs)


def check(
    country: Any,
    item: Any,
    hs: Any = None,
    end_user: Any = None,
    end_use: Any = None,
    inform: Any = None,
    value_jpy: Any = None,
    ship_date: Any = None,
    final_destination: Any = None,
    final_end_user: Any = None,
    *,
    as_of: date | str | None = None,
    rates: Mapping[str, float] | Iterable[Any] | None = None,
    lang: str = "ja",
    record: bool = False,
    label: str | None = None,
) -> Decision:
    """Screen one order line, as ``exportscreen check`` and ``=SCREEN(...)`` do: the cells as a workbook would hold
    them (text such as "米国", "7の項(1)", "8471.30"; numbers; dates), ``as_of`` the date of a line without a ship
    date (default today), ``rates`` the yen rates of other currencies (``{"USD": 150}``). Returns the
    :class:`~exportscreen.model.Decision` (``.code``, ``.label``, ``.reasons``, ``.reason_text(lang)``,
    ``.to_dict(lang)``). ``record=True`` records the line in the audit log (a run of kind "api" named ``label``).
    Bad options raise :class:`InputError` (a ``ValueError``) in ``lang``."""
    from exportscreen.screening import decide

    lang = _lang(lang)
    cells = tuple(
        _cell(v)
        for v in (country, item, hs, end_user, end_use, inform, value_jpy, ship_date, final_destination, final_end_user)
    )
    d = decide(*cells, as_of=_as_of(as_of, lang), rates=_rates(rates, lang))
    if record:
        from exportscreen.audit import open_log

        with open_log().run(kind="api", file=label or "python") as run:
            run.record_values(FIELDS, cells, d)
    return d


def screen_frame(
    df: pd.DataFrame,
    *,
    columns: Mapping[Any, str] | None = None,
    as_of: date | str | None = None,
    lang: str = "ja",
    rates: Mapping[str, float] | Iterable[Any] | None = None,
    record: bool = False,
    label: str | None = None,
) -> pd.DataFrame:
    """Screen a pandas DataFrame of order lines; returns a new DataFrame (``df`` untouched): ``df``'s columns and
    判定, 判定コード, 理由, 規則バージョン, 基準日, 仕向地区分 (``lang="en"``: decision, code, reasons, rules_version,
    as_of, destination_group) — empty for blank and totals rows, as a workbook's.

    Columns are found by the header names workbooks use (仕向地/Country, 品目/Item, HSコード, 需要者, 金額(USD) …;
    two columns for one field are refused) or, with ``columns``, only those mapped (``{"dest": "country", "eccn":
    "item", "amount": "金額(USD)"}``: a field of :data:`exportscreen.orders.FIELDS` or a header name). Each distinct
    line is decided once. ``record=True`` records every line in the audit log (a run of kind "api" named ``label``;
    rows numbered from 1 in the frame's order). Needs pandas: ``pip install 'exportscreen[pandas]'``."""
    try:
        import numpy as np
        import pandas as pd
    except ImportError:
        raise ImportError(
            tr(
                f"exportscreen.screen_frame には pandas が必要です: {PANDAS_EXTRA}",
                f"exportscreen.screen_frame needs pandas: {PANDAS_EXTRA}",
                lang,
            )
        ) from None
    lang = _lang(lang)
    day, rates_ = _as_of(as_of, lang), _rates(rates, lang)
    names = list(df.columns)
    header = _header(names, columns, lang)
    used = _used(header)
    sub = df.iloc[:, used]
    ids, first = _group(pd, np, sub)
    lines = _Lines(header, len(names), used, sub.iloc[first].itertuples(index=False, name=None))
    decisions = lines.decide(day, rates_)
    if lines.suspect:  # rows without destination and item: a totals row by another of their cells
        suspect_rows = np.flatnonzero(np.isin(ids, list(lines.suspect)))
        totals = [i for i in suspect_rows if lines.is_total(df.iloc[i].tolist())]
    else:
        totals = []
    results = _results(decisions, lang)
    if record:
        refs_cols = [c for c, _f, _h in header.refs]
        refs = df.iloc[:, refs_cols].itertuples(index=False, name=None) if refs_cols else (None for _ in range(len(df)))
        skip = set(totals)
        _record(
            label,
            header,
            (
                (i + 1, lines.record(g), decisions[g], None if r is None else tuple(map(_cell, r)))
                for i, (g, r) in enumerate(zip(ids.tolist(), refs))
                if decisions[g] is not None and i not in skip
            ),
        )
    out = df.copy()
    for j, name in enumerate(RESULT_COLUMNS[lang]):
        per_line = np.empty(len(results), dtype=object)
        per_line[:] = [None if r is None else r[j] for r in results]
        values = per_line[ids]
        values[totals] = None
        out[name] = values
    return out


def _group(pd: Any, np: Any, sub: Any) -> tuple[Any, Any]:
    """(each row's line number, each line's first row) of the distinct tuples of ``sub``'s values, a blank cell
    (NaN, None, pd.NA, NaT) one value; True and 1 kept apart."""
    n = len(sub)
    key = np.zeros(n, dtype=np.int64)
    for j in range(sub.shape[1]):
        col = sub.iloc[:, j]
        try:
            codes, uniques = pd.factorize(col)
            if col.dtype == object and any(type(u).__name__ in ("bool", "bool_") for u in uniques):
                codes, uniques = pd.factorize(pd.Series([(type(v).__name__, v) for v in col], dtype=object))
        except TypeError:  # an unhashable cell: its rows each their own line
            codes, uniques = np.arange(n), range(n)
        key, _ = pd.factorize(key * (len(uniques) + 1) + (codes + 1))  # numbered again: stays below n
    _, first = np.unique(key, return_index=True)
    return key, first


def screen_records(
    records: Iterable[Mapping[str, Any]],
    *,
    columns: Mapping[Any, str] | None = None,
    as_of: date | str | None = None,
    lang: str = "ja",
    rates: Mapping[str, float] | Iterable[Any] | None = None,
    record: bool = False,
    label: str | None = None,
) -> list[dict[str, Any]]:
    """:func:`screen_frame` without pandas: order lines as mappings (the keys are the column names, as from
    ``csv.DictReader`` or a database cursor); returns new dicts, each a line's items and the result columns (None
    for a blank or totals row). The records are untouched."""
    lang = _lang(lang)
    day, rates_ = _as_of(as_of, lang), _rates(rates, lang)
    records = list(records)
    if not records:
        return []
    names: list[Any] = list(dict.fromkeys(k for r in records for k in r))
    header = _header(names, columns, lang)
    used = _used(header)
    used_names = [names[c] for c in used]
    groups: dict[tuple, int] = {}
    distinct: list[tuple] = []
    ids = []
    for r in records:
        cells = tuple(_cell(r.get(k)) for k in used_names)
        key: Any = cells if bool not in map(type, cells) else (cells, tuple(map(type, cells)))  # True is not 1
        try:
            g = groups.setdefault(key, len(distinct))
        except TypeError:  # an unhashable cell
            g = len(distinct)
        if g == len(distinct):
            distinct.append(cells)
        ids.append(g)
    lines = _Lines(header, len(names), used, distinct)
    decisions = lines.decide(day, rates_)
    totals = {i for i, g in enumerate(ids) if g in lines.suspect and lines.is_total([records[i].get(k) for k in names])}
    if record:
        ref_names = [names[c] for c, _f, _h in header.refs]
        _record(
            label,
            header,
            (
                (i + 1, lines.record(g), d, tuple(_cell(records[i].get(k)) for k in ref_names) if ref_names else None)
                for i, g in enumerate(ids)
                if (d := decisions[g]) is not None and i not in totals
            ),
        )
    results = _results(decisions, lang)
    cols = RESULT_COLUMNS[lang]
    blank = dict.fromkeys(cols)
    return [
        {**r, **(blank if (res := results[g]) is None or i in totals else dict(zip(cols, res)))}
        for i, (r, g) in enumerate(zip(records, ids))
    ]


def rules_info(as_of: date | str | None = None) -> dict[str, Any]:
    """What law data is in use on ``as_of`` (default today), as ``exportscreen rules info --json`` prints it: the
    rules version, its latest effective date and coverage, the data files, the country lists and their members,
    the sanctions in force, the End User List in force (None when none is imported) and the state folder."""
    from exportscreen.commands.rules import info_dict

    return info_dict(_as_of(as_of, "ja"))
