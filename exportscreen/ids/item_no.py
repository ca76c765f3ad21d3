"""輸出令別表第一 item codes (項番) as clerks type them.

Accepted: ``7の項(1)``, ``7(1)``, ``7項(1)``, ``７の項（１）``, ``3の2の項(1)``, ``2の項(12)``, ``1の項(13の2)``,
``7-1``, ``7の項1`` and ``7-(1)`` (read as 7の項(1)), ``7の項`` (項 only), ``16の項(1)``; and for goods outside
items 1–15: 非該当, 該当なし, NLR.
A trailing sub-sub designation (``2の項(12)1``, ``5の項(1)イ``) is kept as text but not checked.

>>> parse("７の項（１）")
ItemCode(kou='7', sub='1', detail='')
>>> parse("3の2の項(1)")
ItemCode(kou='3の2', sub='1', detail='')
>>> parse("非該当")
ItemCode(kou='', sub=None, detail='')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from exportscreen.ids import InvalidInput
from exportscreen.ids.text import cell_text, nfkc

_CODE = re.compile(
    r"^(?:輸出令)?(?:別表第一)?\s*(?P<kou>\d{1,2}(?:の\d)?)\s*(?:の項|項)?\s*"
    r"(?:\(\s*(?P<sub>\d{1,2}(?:の\d{1,2})?)\s*\)|-\s*(?P<sub2>\d{1,2}(?:の\d{1,2})?))?"
    r"\s*(?P<detail>[\dイロハニホヘトチリヌルヲワカヨタレソツネナラム()\s-]{0,8})$"
)
NOT_LISTED_WORDS = {
    "非該当",
    "該当なし",
    "該当無し",
    "非該当品",
    "リスト非該当",
    "リスト規制非該当",
    "対象外",
    "nlr",
    "notlisted",
    "nonlisted",
    "nonlisteditem",
    "no",
}  # not None / N/A / - / ?: those are placeholders (rules/placeholders.yaml), 入力エラー in the engine


@dataclass(frozen=True)
class ItemCode:
    kou: str  # "" for a good not listed in items 1–15
    sub: str | None
    detail: str

    @property
    def listed(self) -> bool:
        return self.kou not in ("", "16")

    def format(self) -> str:
        if not self.kou:
            return "非該当"
        return f"{self.kou}の項" + (f"({self.sub})" if self.sub else "") + self.detail


@lru_cache(maxsize=8192)
def _parse_text(text: str) -> ItemCode:
    norm = nfkc(text)
    folded = re.sub(r"[\s()・-]", "", norm.casefold())
    if folded in NOT_LISTED_WORDS or folded.startswith("非該当"):
        return ItemCode("", None, "")
    m = _CODE.match(norm)
    if not m:
        raise InvalidInput(
            "item",
            f"品目「{text}」を項番として読めません（例: 7の項(1)、非該当）",
            f"item {text!r} is not an item code (e.g. 7の項(1), or 非該当 / NLR for a non-listed good)",
        )
    sub = m.group("sub") or m.group("sub2")
    detail = m.group("detail").strip()
    bare = re.fullmatch(r"-?\s*\(?\s*(\d{1,2}(?:の\d{1,2})?)\s*\)?", detail) if sub is None else None
    if bare:  # 7の項1, 7-(1): the sub-item without its brackets (the law has no sub-sub-item without a sub-item)
        sub, detail = bare.group(1), ""
    return ItemCode(m.group("kou"), sub, detail)


def parse(value) -> ItemCode:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = cell_text(value)
        if text is not None and re.fullmatch(r"\d{1,2}\.\d{1,2}", text):  # 7.1 typed as a number: 7の項(1)
            kou, sub = text.split(".")
            return ItemCode(kou, sub, "")
    else:
        text = cell_text(value)
    if text is None:
        raise InvalidInput("item", "品目（該非）が空です", "item (classification) is empty")
    return _parse_text(text)
