"""Dates, amounts and the enumerated fields (end use, inform) of an order line."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from exportscreen.ids import InvalidInput
from exportscreen.ids.text import cell_text, fold, nfkc

_EXCEL_EPOCH = date(1899, 12, 30)

END_USES = {
    "civil": ("civil", "民生", "民生用", "民需", "民間", "commercial", "civilian"),
    "military": ("military", "軍事", "軍用", "通常兵器", "conventional", "conventionalweapons", "兵器"),
    "wmd": ("wmd", "大量破壊兵器", "大量破壊兵器等", "核兵器", "化学兵器", "生物兵器", "ミサイル", "massdestruction"),
    "unknown": ("unknown", "不明", "未確認", "?", "？", "tbd"),
}
INFORMS = {
    "wmd": ("wmd", "大量破壊兵器", "大量破壊兵器等", "wmdinform"),
    "conventional": ("conventional", "通常兵器", "conv", "通常兵器インフォーム"),
    "both": ("both", "両方", "wmdconventional", "大量破壊兵器通常兵器"),
    "none": ("none", "なし", "無", "無し", "no", "-", "ー", "n/a", "na", "未受領"),
}
END_USE_LOOKUP = {fold(word): key for key, words in END_USES.items() for word in words}
INFORM_LOOKUP = {fold(word): key for key, words in INFORMS.items() for word in words}


def parse_date(value, field: str = "ship_date") -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel serial date (1900 system)
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise InvalidInput(field, f"出荷日「{value}」を日付として読めません", f"ship date {value!r} is not a date")
    text = cell_text(value)
    if text is None:
        return None
    return _parse_date_text(text, field)


@lru_cache(maxsize=4096)
def _parse_date_text(text: str, field: str) -> date:
    norm = nfkc(text)
    m = re.fullmatch(
        r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?", norm
    ) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", norm)
    try:
        if not m:
            raise ValueError
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise InvalidInput(
            field,
            f"出荷日「{text}」を日付として読めません（例: 2026-04-01）",
            f"ship date {text!r} is not a date (e.g. 2026-04-01)",
        ) from None


def parse_value(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        amount = float(value)
        if amount != amount:
            return None
    else:
        text = cell_text(value)
        if text is None:
            return None
        norm = re.sub(r"[,\s¥￥円]|JPY|jpy", "", nfkc(text))
        try:
            amount = float(norm)
        except ValueError:
            raise InvalidInput(
                "value_jpy", f"金額「{text}」を数値として読めません", f"value {text!r} is not a number"
            ) from None
    if amount < 0:
        raise InvalidInput("value_jpy", f"金額が負です（{amount:,.0f}）", f"value is negative ({amount:,.0f})")
    return amount


def _enum(value, lookup: dict, field: str, ja_name: str, choices: str) -> str | None:
    text = cell_text(value)
    if text is None:
        return None
    key = lookup.get(fold(text))
    if key is None:
        raise InvalidInput(
            field, f"{ja_name}「{text}」は選択肢にありません（{choices}）", f"{field} {text!r} is not one of {choices}"
        )
    return key


def parse_end_use(value) -> str:
    """civil | military | wmd | unknown (an empty cell is unknown)."""
    return _enum(value, END_USE_LOOKUP, "end_use", "用途", "民生/軍事/大量破壊兵器/不明") or "unknown"


def parse_inform(value) -> frozenset[str]:
    """The informs received: a subset of {"wmd", "conventional"}. Several may be given, separated by , or 、."""
    text = cell_text(value)
    if text is None:
        return frozenset()
    kinds: set[str] = set()
    for part in re.split(r"[,、，;／/]|\s+(?:and|&)\s+|及び|と", nfkc(text)):
        if not part.strip():
            continue
        key = _enum(part, INFORM_LOOKUP, "inform", "インフォーム", "なし/大量破壊兵器/通常兵器")
        if key == "both":
            kinds |= {"wmd", "conventional"}
        elif key is not None and key != "none":
            kinds.add(key)
    return frozenset(kinds)
