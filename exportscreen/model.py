"""Value types shared by the engine and every adapter.

A :class:`Decision` is what the engine returns for one order line. Adapters (CLI, workbook screening,
Excel/Calc functions, audit log) only render it; none of them decides anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum


class Code(str, Enum):
    """Decision codes, most severe first (INVALID stands apart: the line could not be screened)."""

    PROHIBITED = "PROHIBITED"
    LICENSE_REQUIRED = "LICENSE_REQUIRED"
    REVIEW = "REVIEW"
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
    Code.REVIEW: ("要確認", "Review required"),
    Code.NO_LICENSE: ("許可不要", "No licence required"),
    Code.INVALID: ("入力エラー", "Input error"),
}
SEVERITY = {
    Code.NO_LICENSE: 0,
    Code.REVIEW: 1,
    Code.LICENSE_REQUIRED: 2,
    Code.PROHIBITED: 3,
    Code.INVALID: 4,
}
CODE_BY_LABEL = {label: code for code, (label, _en) in LABELS.items()}


@dataclass(frozen=True)
class Reason:
    """One step of the decision: what fired, how severe it is, in Japanese and English, and the law."""

    rule_id: str
    severity: Code
    ja: str
    en: str
    ref: str  # legal reference, e.g. "輸出令別表第一 7の項(1); 外為法48条1項"

    def text(self, lang: str = "ja") -> str:
        return self.en if lang == "en" else self.ja

    def to_dict(self, lang: str = "ja") -> dict:
        return {"rule_id": self.rule_id, "severity": self.severity.value, "text": self.text(lang), "ref": self.ref}


@dataclass(frozen=True)
class Decision:
    code: Code
    reasons: tuple[Reason, ...]
    as_of: date
    rules_version: str
    country: dict | None = None  # {"iso2", "name_ja", "name_en", "groups": [...]} when the country was understood
    item: dict | None = None  # {"code", "kou", "sub", "class", "name_ja", "name_en", "hs"} when understood
    eul_version: str | None = None  # date of the End User List used, when one was consulted
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def label(self) -> str:
        return self.code.label

    def reason_text(self, lang: str = "ja") -> str:
        """All reasons in one cell: ``text（ref）`` joined by new lines, plus the version stamp (rendered once
        per decision: the engine shares decisions between equal lines)."""
        text = self.extra.get(lang)
        if text is None:
            text = self.extra[lang] = self._reason_text(lang)
        return text

    def _reason_text(self, lang: str) -> str:
        parts = [f"{r.text(lang)}（{r.ref}）" if lang != "en" else f"{r.text(lang)} ({r.ref})" for r in self.reasons]
        stamp = (
            f"[規則 {self.rules_version} / 基準日 {self.as_of.isoformat()}]"
            if lang != "en"
            else f"[rules {self.rules_version} / as of {self.as_of.isoformat()}]"
        )
        return "\n".join(parts + [stamp])

    def to_dict(self, lang: str = "ja") -> dict:
        return {
            "decision": self.code.value,
            "label": self.code.label if lang != "en" else self.code.label_en,
            "reasons": [r.to_dict(lang) for r in self.reasons],
            "country": dict(self.country) if self.country else None,  # copies: the engine shares these dicts
            "item": dict(self.item) if self.item else None,
            "as_of": self.as_of.isoformat(),
            "rules_version": self.rules_version,
            "eul_version": self.eul_version,
        }
