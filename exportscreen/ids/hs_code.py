"""HS codes (関税率表番号 / 統計品目番号) as clerks type them, read the same way in a cell, a csv file, the CLI and
the spreadsheet functions. Nothing is ever guessed: a zero is never added in front of text, and a code that does
not say which of two codes it is gets refused.

Text is read as written: separators (``.``, ``-``, spaces) are dropped, nothing is added. ``8471.30``, ``847130``
and ``8471.30-000`` are the subheading 8471.30 (the national digits of a 9-digit 統計品目番号 are kept; only the
first six classify). An odd number of digits is a prefix, not a code that lost a leading zero: ``8458.1`` or
``84581`` (what Excel shows for 8458.10, or a code typed short) stands for every subheading 8458.1x, ``854`` for
every heading 854x. The dot comes after the heading (or the chapter): text with three digits before the dot
(``901.11``) may be 0901.11 without its leading zero or the prefix 9011.1, and is refused
(:class:`LeadingZeroLost`).

A number is what Excel stored, and the decimal point sits after the heading: 8471.3 is 8471.30 (Excel drops the
trailing zero) and 901.11 is 0901.11 (and the leading one). A whole number has no point to tell where the heading
ends and is read like text: 847130 is 8471.30, 84581 the prefix 8458.1, 854 the prefix 854.

Whether the code exists is checked against the HS nomenclature by the engine (the rules are not known here).

>>> parse("8471.30-000")
'847130000'
>>> parse(8471.3)
'847130'
>>> parse(901.11)
'090111'
>>> parse("8458.1")
'84581'
>>> parse(854)
'854'
"""

from __future__ import annotations

import re
from functools import lru_cache

from exportscreen.ids import InvalidInput
from exportscreen.ids.text import cell_text, nfkc

_SEPARATORS = re.compile(r"[\s.\-]")


class LeadingZeroLost(InvalidInput):
    """Text with three digits before its dot (``901.11``): 0901.11 that lost its leading zero in a csv export, or
    the prefix 9011.1 — the clerk has to say which. ``readings`` are both, as digits."""

    def __init__(self, text: str, readings: tuple[str, str]):
        one, other = format_hs(readings[0]), format_hs(readings[1])
        super().__init__(
            "hs",
            f"HSコード「{text}」は「.」の前が3桁のため読めません（{one} か {other}）",
            f"HS code {text!r} has 3 digits before the dot ({one} or {other}?)",
        )
        self.text = text
        self.readings = readings


def _unreadable(text: str) -> InvalidInput:
    return InvalidInput(
        "hs",
        f"HSコード「{text}」を読めません（例: 8471.30）",
        f"HS code {text!r} is not a tariff number (e.g. 8471.30)",
    )


def _number_digits(norm: str, text: str) -> str:
    """The digits of a number as Excel stored it (``8471.3``, ``901.11``, ``847130``)."""
    if "." not in norm:
        return norm  # a whole number: no point to place the heading by, read like text
    whole, frac = norm.split(".", 1)
    if len(whole) in (1, 3):
        whole = "0" + whole  # the point is after the chapter or heading: only a leading zero can be missing
    if len(whole) not in (2, 4):
        raise _unreadable(text)
    return whole + frac.ljust(2, "0")  # and a trailing zero: 8471.3 is 8471.30


def _text_digits(norm: str, text: str) -> str:
    """The digits of text as written (``8471.30-000``, ``8458.1``, ``854``)."""
    if "." in norm:
        head = _SEPARATORS.sub("", norm.split(".", 1)[0])
        if len(head) == 3 and head.isascii() and head.isdigit():
            tail = _SEPARATORS.sub("", norm.split(".", 1)[1])
            raise LeadingZeroLost(text, ("0" + head + tail, head + tail))
        if len(head) not in (2, 4, 6):
            raise _unreadable(text)
    return _SEPARATORS.sub("", norm)


@lru_cache(maxsize=65536)
def _parse_text(text: str, numeric: bool) -> str:
    norm = nfkc(text)
    digits = _number_digits(norm, text) if numeric else _text_digits(norm, text)
    if not re.fullmatch(r"[0-9]{2,10}", digits):
        raise _unreadable(text)
    return digits


def parse(value) -> str | None:
    """Digits of the HS code (an odd count of 3 or 5 is a prefix of a heading or subheading), or None when the
    cell is empty."""
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    text = cell_text(value)
    if text is None:
        return None
    return _parse_text(text, numeric)


def format_hs(digits: str) -> str:
    """``8471.30``, ``8471.30-000``, ``8458.1`` (a prefix), ``8542``, ``854``, ``84``."""
    if len(digits) <= 4:
        return digits
    return f"{digits[:4]}.{digits[4:6]}" + (f"-{digits[6:]}" if len(digits) > 6 else "")
