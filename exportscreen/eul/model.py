"""Value types of the End User List: entries, the list itself, hits and their explanations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from typing import Any

WMD_CODES = frozenset({"B", "C", "M", "N"})
CONCERN_CODES = WMD_CODES | {"CW"}


@dataclass(frozen=True)
class EulEntry:
    no: int
    country: str  # ISO2
    country_name: str  # the country cell as the list writes it (Japanese line first)
    name: str  # as listed, line breaks kept
    aliases: tuple[str, ...]
    concerns: frozenset[str]  # ⊆ {"B", "C", "M", "N", "CW"}

    @property
    def wmd(self) -> bool:
        return bool(self.concerns & WMD_CODES)

    @property
    def cw(self) -> bool:
        return "CW" in self.concerns

    def to_dict(self) -> dict:
        return {
            "no": self.no,
            "country": self.country,
            "country_name": self.country_name,
            "name": self.name,
            "aliases": list(self.aliases),
            "concerns": [c for c in ("B", "C", "M", "N", "CW") if c in self.concerns],
        }

    @classmethod
    def from_dict(cls, d: dict) -> EulEntry:
        return cls(
            no=int(d["no"]),
            country=d["country"],
            country_name=d.get("country_name", d["country"]),
            name=d["name"],
            aliases=tuple(d.get("aliases", ())),
            concerns=frozenset(d.get("concerns", ())),
        )


@dataclass(frozen=True)
class Thresholds:
    """Score bands: ``score ≥ hit`` → kind "hit" (該当); ``score ≥ possible`` → "possible" (要確認)."""

    hit: float = 0.92
    possible: float = 0.80

    def __post_init__(self):
        if not (0.0 < self.possible <= self.hit <= 1.0):
            raise ValueError(f"thresholds must satisfy 0 < possible <= hit <= 1, got {self}")


@dataclass(frozen=True, slots=True)
class Fired:
    """One feature that fired for a hit, as data (in the spirit of nomenklatura/yente's ``features``): its id in
    :data:`exportscreen.eul.features.FEATURES`, the value it contributed (a name feature: the score it gave; an
    adjustment: what it added; a note: 0) and the facts behind it (``(("listed", "Zarvan Trading"), ("found", 1.0))``),
    from which the renderer writes the explanation in the clerk's language."""

    id: str
    value: float = 0.0
    facts: tuple[tuple[str, Any], ...] = ()

    def fact(self, key: str, default: Any = None) -> Any:
        for k, v in self.facts:
            if k == key:
                return v
        return default

    def to_dict(self) -> dict:
        """``{"feature": "name_fuzzy", "value": 0.87, "listed": …}``: what the audit log keeps."""
        return {"feature": self.id, "value": round(self.value, 4), **dict(self.facts)}

    @classmethod
    def parse(cls, text: str) -> Fired:
        """A feature given as ``"<id>: <detail>"`` (the form before features were data)."""
        fid, _, detail = str(text).partition(": ")
        return cls(fid.strip(), 0.0, (("detail", detail),) if detail else ())


@dataclass(frozen=True)
class Hit:
    entry: EulEntry
    score: float  # in [0, 1], two decimals: the score shown is the score the thresholds were applied to
    matched_name: str  # the listed name, alias or acronym that matched, as listed
    kind: str  # "hit" | "possible"
    features: tuple[Fired, ...]  # strongest name feature first, then adjustments and notes

    def __post_init__(self):
        for f in self.features:
            if type(f) is not Fired:  # features given as "<id>: <detail>" texts
                object.__setattr__(
                    self, "features", tuple(f if isinstance(f, Fired) else Fired.parse(f) for f in self.features)
                )
                break

    @property
    def feature_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.features)


@dataclass(frozen=True, eq=False)
class EndUserList:
    list_date: date  # the date METI published the list
    effective: date  # the date it applies from (in force)
    entries: tuple[EulEntry, ...]
    source_name: str
    sha256: str
    thresholds: Thresholds = field(default_factory=Thresholds)

    @property
    def version(self) -> str:
        return f"EUL {self.list_date.isoformat()} ({len(self.entries)})"

    def country_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for e in self.entries:
            counts[e.country] = counts.get(e.country, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def report(self, lang: str = "ja") -> str:
        """A few lines for ``rules import-eul``: entries read, countries with counts, dates."""
        countries = ", ".join(f"{c} {n}" for c, n in self.country_counts().items())
        cw_only = sum(1 for e in self.entries if not e.wmd)
        if lang == "en":
            return (
                f"{self.version}: {len(self.entries)} entries from {self.source_name}; list date "
                f"{self.list_date.isoformat()}, in force from {self.effective.isoformat()}\n"
                f"{len(self.country_counts())} countries/regions: {countries}\n"
                f"conventional-weapons-only entries: {cw_only}; sha256 {self.sha256[:12]}…"
            )
        return (
            f"{self.version}: {self.source_name} から {len(self.entries)} 件を読み込みました。公表日 "
            f"{self.list_date.isoformat()}、適用日 {self.effective.isoformat()}\n"
            f"{len(self.country_counts())} か国・地域: {countries}\n"
            f"通常兵器のみの掲載: {cw_only} 件; sha256 {self.sha256[:12]}…"
        )

    def to_dict(self) -> dict:
        return {
            "format": "exportscreen-eul/1",
            "list_date": self.list_date.isoformat(),
            "effective": self.effective.isoformat(),
            "source_name": self.source_name,
            "sha256": self.sha256,
            "entries": [e.to_dict() for e in self.entries],
        }

    @classmethod
    def from_dict(cls, d: dict) -> EndUserList:
        return cls(
            list_date=date.fromisoformat(d["list_date"]),
            effective=date.fromisoformat(d["effective"]),
            entries=tuple(EulEntry.from_dict(e) for e in d["entries"]),
            source_name=d.get("source_name", ""),
            sha256=d.get("sha256", ""),
        )

    # --- matching ----------------------------------------------------------------------------------
    @cached_property
    def index(self):
        """The match index, built on first use (≈ tens of ms for 835 entries)."""
        from exportscreen.eul.matcher import Index

        return Index(self.entries)

    @cached_property
    def _memo(self):
        return lru_cache(maxsize=65536)(self._match)

    def match(self, name, country=None, thresholds: Thresholds | None = None, limit: int = 10) -> tuple[Hit, ...]:
        """The entries whose name or an alias matches ``name``, best first (memoised on its arguments).

        ``country`` (ISO2, Japanese or English name, or None) is the destination: an entry of another
        country loses 0.15; an unknown country costs nothing (a listed name is a red flag wherever it
        ships to)."""
        if name is None:
            return ()
        return self._memo(str(name), None if country is None else str(country), thresholds or self.thresholds, limit)

    def _match(self, name: str, country: str | None, thresholds: Thresholds, limit: int) -> tuple[Hit, ...]:
        return self.index.match(name, country, thresholds, limit)
