"""HS codes (関税率表番号 / 統計品目番号) as clerks type them: ``8471.30``, ``847130``, ``8471.30-000``, or a
number such as 8471.3 (Excel dropped the trailing zero) or 901.11 (dropped the leading zero of 0901.11).

>>> parse("8471.30-000")
'847130000'
>>> parse(8471.3)
'847130'
>>> parse(901.11)
'090111'
"""

from __future__ import annotations

import re
from functools import lru_cache

from exportscreen.ids import InvalidInput
from exportscreen.ids.text import cell_text, nfkc


@lru_cache(maxsize=65536)
def _parse_text(text: str, numeric: bool) -> str:
    norm = nfkc(text)
    if numeric and "." in norm:
        whole, frac = norm.split(".", 1)
        if len(whole) % 2:
            whole = "0" + whole
        if len(whole) == 4:
            frac = frac.ljust(2, "0")
        digits = whole + frac
    else:
        digits = re.sub(r"[\s.\-]", "", norm)
        if numeric and len(digits) % 2 and len(digits) < 9:
            digits = "0" + digits
    if not re.fullmatch(r"\d{2,10}", digits):
        raise InvalidInput(
            "hs",
            f"HSコード「{text}」を読めません（例: 8471.30）",
            f"HS code {text!r} is not a tariff number (e.g. 8471.30)",
        )
    if len(digits) in (3, 5):
        digits = "0" + digits
    return digits


def parse(value) -> str | None:
    """Digits of the HS code, or None when the cell is empty."""
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    text = cell_text(value)
    if text is None:
        return None
    return _parse_text(text, numeric)


def format_hs(digits: str) -> str:
    if len(digits) <= 4:
        return digits
    return f"{digits[:4]}.{digits[4:6]}" + (f"-{digits[6:]}" if len(digits) > 6 else "")
