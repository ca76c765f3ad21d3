"""Parsers for the identifiers clerks type: countries, 別表第一 item codes, HS codes, dates, amounts.

Each parser takes a raw cell value (str, int, float, date, datetime or None) and returns a normalised value
or raises :class:`InvalidInput` with a fixed Japanese and English message naming the field.
"""

from __future__ import annotations


class InvalidInput(ValueError):
    """Input that cannot be screened. ``field`` names the order-line field; messages are one line each."""

    def __init__(self, field: str, ja: str, en: str):
        super().__init__(en)
        self.field = field
        self.ja = ja
        self.en = en
