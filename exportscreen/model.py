"""Value types shared by the engine and every adapter.

A :class:`Decision` is what the engine returns for one order line. Adapters (CLI, workbook screening,
Excel/Calc functions, audit log) only render it; none of them decides anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any


class Code(str, Enum):
    """Decision codes, most severe first (INVALID stands apart: the line could not be screened)."""

    PROHIBITED = "PROHIBITED"
    LICENSE_REQUIRED = "LICENSE_REQUIRED"
    REPORT_REQUIRED = "REPORT_REQUIRED"  # 事前報告要: a critical technology to be reported first (外為法55条の8)
    REVIEW = "REVIEW"
    LICENSED = "LICENSED"  # 許可取得済: a licence in the register covers the line (issue 15 §2)
    NO_LICENSE = "NO_LICENSE"
    INVALID = "INVALID"

    @property
    def label(self) -> str:
        return LABELS[self][0]

    @property
    def label_en(self) -> str:
        return LABELS[self][1]

    @property
    def severity(self) -> int:
        """Higher is more severe; INVALID ranks above everything so that it is never hidden."""
        return SEVERITY[self]


LABELS = {
    Code.PROHIBITED: ("輸出禁止", "Prohibited"),
    Code.LICENSE_REQUIRED: ("許可要", "Licence required"),
    Code.REPORT_REQUIRED: ("事前報告要", "Prior report required"),
    Code.REVIEW: ("要確認", "Review required"),
    Code.LICENSED: ("許可取得済", "Licensed"),
    Code.NO_LICENSE: ("許可不要", "No licence required"),
    Code.INVALID: ("入力エラー", "Input error"),
}
SEVERITY = {
    Code.NO_LICENSE: 0,
    Code.LICENSED: 1,  # above 許可不要, below everything that asks for action: it never hides 要確認 or 許可要
    Code.REVIEW: 2,
    Code.REPORT_REQUIRED: 3,
    Code.LICENSE_REQUIRED: 4,
    Code.PROHIBITED: 5,
    Code.INVALID: 6,
}


TOPICS_JA = {
    "destination": "仕向地",
    "goods": "貨物",
    "use": "用途",
    "user": "需要者",
    "inform": "インフォーム",
    "exemption": "特例",
    "sanctions": "制裁措置",
    "input": "入力",
    "licence": "許可",
}


@dataclass(frozen=True)
class Reason:
    """One step of the decision: what fired, how severe it is, in Japanese and English, the law, what it is about
    (``topic``: destination, goods, use, user, inform, exemption, sanctions, input) and, for reasons about the
    buyer, the End User List hits behind it. Built from ``rules/reasons.yaml`` by :mod:`exportscreen.reasons`."""

    rule_id: str
    severity: Code
    ja: str
    en: str
    ref: str  # legal reference, e.g. "輸出令別表第一 7の項(1); 外為法48条1項"
    topic: str
    hits: tuple = ()  # End User List hits (exportscreen.eul.Hit) this reason is about

    def text(self, lang: str = "ja") -> str:
        return self.en if lang == "en" else self.ja


@dataclass(frozen=True, slots=True)
class Money:
    """A value cell that is not plain yen, as an order table gives it (built by :mod:`exportscreen.orders`, read by
    the engine with the exchange rates of the run): the cell (``amount``), the unit the table names for it (a
    header such as 金額(USD) or 金額（千円）, or the line's 通貨 cell; None: the cell's own text says), and the
    quantity when the cell is a unit price (単価 × 数量)."""

    amount: object
    unit: str | None = None
    quantity: object = None
    per_unit: bool = False

    def __str__(self) -> str:  # the audit log keeps inputs as text
        text = f"{self.amount}" + (f" [{self.unit}]" if self.unit else "")
        return text + (f" × {self.quantity}" if self.per_unit else "")


@dataclass(frozen=True)
class Decision:
    code: Code
    reasons: tuple[Reason, ...]
    as_of: date
    rules_version: str
    country: dict | None = None  # {"iso2", "name_ja", "name_en", "groups": [...]} when the country was understood
    item: dict | None = None  # {"code", "kou", "sub", "class", "name_ja", "name_en", "hs"} when understood
    eul_version: str | None = None  # date of the End User List used, when one was consulted
    final_destination: dict | None = None  # like ``country``, for a final destination other than the destination
    # the licence that covers the line (許可取得済, or 要確認 with checks left): {"no", "version" (register), "value"
    # (the line's value in yen, or None), "left" (the value balance before this line, yen; None: no yen limit, or
    # not known)} — what `shipments record` records the line against and the run's balance check reads
    licence: dict | None = None
    extra: dict = field(default_factory=dict, compare=False)  # the renderer's cache (decisions are shared)

    @property
    def label(self) -> str:
        return self.code.label

    def with_reasons(self, code: Code, reasons: tuple[Reason, ...], **fields: Any) -> Decision:
        """This decision with another code and reasons, and any other ``fields`` given (``licence``): as
        ``dataclasses.replace``, without its per-call introspection and checks (the engine does this for every line
        screened by 品番, and for every 許可要 line when a licence register is in force); a fresh renderer's cache."""
        d = object.__new__(Decision)  # the frozen dataclass's __init__ sets each field through object.__setattr__
        values = d.__dict__
        values.update(self.__dict__)
        values.update(fields)
        values["code"], values["reasons"], values["extra"] = code, reasons, {}
        return d

    def reason_text(self, lang: str = "ja") -> str:
        """The 理由 cell: see :func:`exportscreen.render.reason_text`."""
        from exportscreen.render import reason_text

        return reason_text(self, lang)

    def to_dict(self, lang: str = "ja") -> dict:
        from exportscreen.render import decision_dict

        return decision_dict(self, lang)
