"""Reason texts as data (``rules/reasons.yaml``): the one place where a reason's sentences are filled in.

The engine decides *which* reasons apply and with which facts (``catalogue.reason("CATCHALL-WMD-USE", L,
article="4条1項3号")``); the wording, in Japanese and English, and the legal reference come from the data file,
so a compliance officer reviews them there. Parameter values are text or numbers, :class:`Phrase` (a filled
phrase of the same file, one text per language), End User List hits (rendered with the phrase ``EUL-HIT``), or
tuples of these (joined with 、 in Japanese and ", " in English).
"""

from __future__ import annotations

import string
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from exportscreen.eul.model import Hit
from exportscreen.model import Code, Reason

TOPICS = frozenset({"destination", "goods", "use", "user", "inform", "exemption", "sanctions", "input", "licence"})
LANGS = ("ja", "en")
JOIN = {"ja": "、", "en": ", "}
CONCERN_ORDER = ("B", "C", "M", "N", "CW")  # the one order in which concern types are shown


class CatalogueError(ValueError):
    """A reason or phrase that does not exist, or was given other parameters than it declares."""


@dataclass(frozen=True)
class Template:
    id: str
    params: tuple[str, ...]
    ja: str
    en: str
    ref: str = ""
    topic: str = ""

    def fields(self) -> set[str]:
        """The parameter names the templates use."""
        names = set()
        for text in (self.ja, self.en, self.ref):
            names |= {f.split(".")[0].split("[")[0] for _lit, f, _spec, _conv in string.Formatter().parse(text) if f}
        return names


@dataclass(frozen=True)
class Phrase:
    """A filled phrase: one text per language."""

    ja: str
    en: str

    def text(self, lang: str = "ja") -> str:
        return self.en if lang == "en" else self.ja


class Catalogue:
    """The reasons and phrases of ``rules/reasons.yaml``, validated."""

    def __init__(self, reasons: dict[str, Template], phrases: dict[str, Template]):
        self.reasons = reasons
        self.phrases = phrases

    @classmethod
    def from_data(cls, data: dict, where: str = "reasons.yaml") -> Catalogue:
        def templates(section: str, legal: bool) -> dict[str, Template]:
            out = {}
            for rid, rec in (data.get(section) or {}).items():
                at = f"{where} {section} {rid}"
                if not isinstance(rec, dict):
                    raise ValueError(f"{at}: expected a mapping")
                keys = {"params", "ja", "en"} | ({"ref", "topic"} if legal else set())
                missing = sorted(k for k in keys if k != "params" and not rec.get(k))
                if missing:
                    raise ValueError(f"{at}: missing {', '.join(missing)}")
                extra = sorted(set(rec) - keys)
                if extra:
                    raise ValueError(f"{at}: unknown key {', '.join(extra)}")
                if legal and rec["topic"] not in TOPICS:
                    raise ValueError(f"{at}: topic {rec['topic']!r} is not one of {', '.join(sorted(TOPICS))}")
                t = Template(
                    str(rid),
                    tuple(rec.get("params") or ()),
                    str(rec["ja"]),
                    str(rec["en"]),
                    str(rec.get("ref", "")),
                    str(rec.get("topic", "")),
                )
                unknown = t.fields() - set(t.params)
                if unknown:
                    raise ValueError(f"{at}: the text uses {', '.join(sorted(unknown))}, not among its params")
                out[t.id] = t
            return out

        return cls(templates("reasons", True), templates("phrases", False))

    @classmethod
    def load(cls, path: Path) -> Catalogue:
        from exportscreen import yamlload

        with path.open(encoding="utf-8") as f:
            return cls.from_data(yamlload.safe_load(f), path.name)

    def aliased(self, aliases: dict[str, str]) -> Catalogue:
        """This catalogue where each id of ``aliases`` is filled in from the template its value names: the same
        reason id (what audits and adapters match on), other wording and legal reference."""

        for a, t in aliases.items():
            templates = self.reasons if a in self.reasons else self.phrases
            if a not in templates or t not in templates or set(templates[t].params) != set(templates[a].params):
                raise CatalogueError(f"{a} cannot be worded as {t}: not both in reasons.yaml with the same params")

        def table(templates: dict[str, Template]) -> dict[str, Template]:
            return {**templates, **{a: replace(templates[t], id=a) for a, t in aliases.items() if a in templates}}

        return Catalogue(table(self.reasons), table(self.phrases))

    # ------------------------------------------------------------------------------------------ filling in

    def reason(self, rid: str, severity: Code, *, hits: tuple = (), **params: Any) -> Reason:
        t = self._template(self.reasons, rid, params)
        ja, en = (self._fill(t.ja, params, "ja"), self._fill(t.en, params, "en"))
        return Reason(rid, severity, ja, en, self._fill(t.ref, params, "ja"), t.topic, tuple(hits))

    def phrase(self, pid: str, **params: Any) -> Phrase:
        t = self._template(self.phrases, pid, params)
        return Phrase(self._fill(t.ja, params, "ja"), self._fill(t.en, params, "en"))

    def text(self, pid: str, lang: str = "ja", **params: Any) -> str:
        return self.phrase(pid, **params).text(lang)

    def hit(self, hit) -> Phrase:
        """How an End User List hit reads inside a reason (phrase EUL-HIT)."""
        e = hit.entry
        return self.phrase(
            "EUL-HIT",
            entry_no=e.no,
            name=" ".join(e.name.split()),
            concerns=concern_text(e.concerns),
            matched=" ".join(hit.matched_name.split()),
            score=hit.score,
        )

    @staticmethod
    def _template(table: dict[str, Template], tid: str, params: dict) -> Template:
        t = table.get(tid)
        if t is None:
            raise CatalogueError(f"reasons.yaml has no {tid!r}")
        if set(params) != set(t.params):
            raise CatalogueError(f"{tid}: given {sorted(params)}, declared {sorted(t.params)}")
        return t

    def _fill(self, template: str, params: dict, lang: str) -> str:
        if not params:
            return template
        return template.format(**{k: self._value(v, lang) for k, v in params.items()})

    def _value(self, v: Any, lang: str) -> Any:
        if isinstance(v, Phrase):
            return v.text(lang)
        if isinstance(v, tuple):
            return JOIN[lang].join(str(self._value(x, lang)) for x in v)
        if isinstance(v, Hit):
            return self.hit(v).text(lang)
        return v


def concern_text(concerns) -> str:
    """Concern types in the one fixed order: ``B,C,M,N,CW``."""
    return ",".join(c for c in CONCERN_ORDER if c in concerns)
