"""What Excel's classic COM bridge (xlwings VBA wrapper → pywin32 → Python) hands a UDF, reproduced on Linux.

The xlwings decorators are no-ops off Windows, so tests call the UDFs as plain functions; this shim makes the
arguments look the way Excel delivers them and checks the result the way the cell would show it:

- every number arrives as ``float`` (Excel has only doubles): 40000 → 40000.0, an HS code typed 8471.3;
- an empty cell or an omitted optional argument arrives as ``None``; a formula returning "" as ``""``;
- a date cell arrives as a naive ``datetime`` (xlwings converts pywintypes time); an unformatted date as its serial;
- an error value (#N/A …) arrives as the COM error int (``-2146826246``), see :data:`ERRORS`;
- a range arrives as a tuple of row tuples (with ``ndim=2``, xlwings makes lists of lists: same shape).

The VBA wrapper puts ``Err.Description`` into the cell when Python raises; :meth:`Excel.call` raises
:class:`CellShowsTraceback` instead, so a test fails loudly.
"""

from __future__ import annotations

from datetime import date, datetime

COM_ERROR_BASE = -2146828288
ERRORS = {
    "#NULL!": COM_ERROR_BASE + 2000,
    "#DIV/0!": COM_ERROR_BASE + 2007,
    "#VALUE!": COM_ERROR_BASE + 2015,
    "#REF!": COM_ERROR_BASE + 2023,
    "#NAME?": COM_ERROR_BASE + 2029,
    "#NUM!": COM_ERROR_BASE + 2036,
    "#N/A": COM_ERROR_BASE + 2042,  # -2146826246
    "#SPILL!": COM_ERROR_BASE + 2045,
    "#CALC!": COM_ERROR_BASE + 2050,
}
CELL_TEXT_LIMIT = 32767  # Excel's limit on the characters of one cell


class CellShowsTraceback(AssertionError):
    """The UDF raised: in Excel the cell would show the exception text."""


class Error:
    """An error value in a cell (typed or produced by a formula), e.g. ``Error("#N/A")``."""

    def __init__(self, text: str):
        self.text = text


def to_com(value):
    """One cell's value as the COM bridge delivers it."""
    if isinstance(value, Error):
        return ERRORS[value.text]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    raise TypeError(f"a cell cannot hold {type(value).__name__}")


def range_(rows, trailing_blank_rows: int = 0):
    """A multi-cell range: a tuple of row tuples, padded to a rectangle with None (empty cells), plus
    ``trailing_blank_rows`` empty rows as a whole-column reference (A:I) delivers them."""
    width = max((len(r) for r in rows), default=1)
    out = [tuple(to_com(v) for v in r) + (None,) * (width - len(r)) for r in rows]
    out += [(None,) * width] * trailing_blank_rows
    return tuple(out)


def _check_cell(value):
    if value is None or isinstance(value, (str, float, int, bool, datetime)):
        if isinstance(value, str):
            assert len(value) <= CELL_TEXT_LIMIT, "text longer than an Excel cell holds"
            if "Traceback (most recent call last)" in value:
                raise CellShowsTraceback(value)
        return
    raise AssertionError(f"Excel cannot show a {type(value).__name__} in a cell: {value!r}")


class Excel:
    """Calls UDFs as Excel's classic xlwings bridge would."""

    def call(self, func, *args, **kwargs):
        com_args = [a if isinstance(a, tuple) else to_com(a) for a in args]
        com_kwargs = {k: (v if isinstance(v, tuple) else to_com(v)) for k, v in kwargs.items()}
        return self._invoke(func, com_args, com_kwargs)

    def call_raw(self, func, *args):
        """Pass arguments exactly as given (already COM-shaped, or junk), for robustness tests."""
        return self._invoke(func, list(args), {})

    def _invoke(self, func, com_args, com_kwargs):
        try:
            result = func(*com_args, **com_kwargs)
        except BaseException as exc:  # the VBA wrapper would write Err.Description into the cell
            raise CellShowsTraceback(f"{func.__name__} raised {type(exc).__name__}: {exc}") from exc
        if isinstance(result, (list, tuple)):
            assert result and all(isinstance(r, (list, tuple)) for r in result), "an array result must be 2-D"
            width = len(result[0])
            for row in result:
                assert len(row) == width, "an array result must be rectangular"
                for v in row:
                    _check_cell(v)
        else:
            _check_cell(result)
        return result
