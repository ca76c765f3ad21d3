"""元号 (Japanese eras) as data: ``rules/eras.yaml``, loaded once, for the date parser (:mod:`exportscreen.ids.values`).

Each era has its name (令和), its letter (R) and the first day (and, when it has ended, the day after its last day,
half-open as everywhere in ``rules/``). The file is checked when it is loaded: a provenance header, a source per
era, known keys only, a letter per era, and periods that follow each other without a gap or an overlap.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

FILE = "eras.yaml"
_KEYS = {"name", "abbr", "valid_from", "valid_to", "source"}


@dataclass(frozen=True)
class Era:
    name: str  # 令和
    abbr: str  # R
    valid_from: date
    valid_to: date | None  # the day after its last day; None while it lasts
    source: str

    def contains(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    def gregorian_year(self, year: int) -> int:
        """The Gregorian year of year ``year`` of the era (元年 = 1)."""
        return self.valid_from.year + year - 1

    @property
    def last_day(self) -> date | None:
        return None if self.valid_to is None else self.valid_to - timedelta(days=1)

    def span(self) -> str:
        """e.g. ``1989-01-08～2019-04-30`` or ``2019-05-01～``."""
        last = self.last_day
        return f"{self.valid_from.isoformat()}～{last.isoformat() if last else ''}"


def _error(message: str) -> Exception:
    from exportscreen.rules import RulesError  # here: exportscreen.rules imports this package

    return RulesError(f"{FILE}: {message}")


def _day(value, where: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _error(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def load(folder: Path | None = None) -> tuple[Era, ...]:
    """The eras of ``folder/eras.yaml`` (by default the bundled rules), newest first."""
    import yaml

    from exportscreen import yamlload

    if folder is None:
        from exportscreen.state import data_dir  # here: state imports the rules, which import this package

        folder = data_dir("rules")
    path = Path(folder) / FILE
    try:
        data = yamlload.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise _error(f"cannot be read ({type(exc).__name__})") from None
    header = data.get("source") if isinstance(data, dict) else None
    if not isinstance(header, dict) or not {"instrument", "read"} <= header.keys():
        raise _error("provenance header 'source' with 'instrument' and 'read' is missing")
    records = data.get("eras")
    if not isinstance(records, list) or not records:
        raise _error("no 'eras' list")
    eras = []
    for n, rec in enumerate(records, start=1):
        where = f"era {n} ({rec.get('name') if isinstance(rec, dict) else rec})"
        if not isinstance(rec, dict) or set(rec) - _KEYS:
            raise _error(f"{where}: unknown keys {sorted(set(rec) - _KEYS) if isinstance(rec, dict) else rec!r}")
        name, abbr, source = str(rec.get("name") or ""), str(rec.get("abbr") or ""), str(rec.get("source") or "")
        if not name or unicodedata.normalize("NFKC", name) != name:
            raise _error(f"{where}: the name must be given as NFKC text (令和, not ㋿)")
        if not (len(abbr) == 1 and abbr.isascii() and abbr.isalpha() and abbr.isupper()):
            raise _error(f"{where}: abbr must be one capital letter (R, H, S)")
        if not source:
            raise _error(f"{where}: record has no source")
        start, end = _day(rec.get("valid_from"), where), _day(rec.get("valid_to"), where)
        if start is None or (end is not None and end <= start):
            raise _error(f"{where}: valid_from is required and must be before valid_to")
        eras.append(Era(name, abbr, start, end, source))
    eras.sort(key=lambda e: e.valid_from, reverse=True)
    if eras[0].valid_to is not None:
        raise _error(f"the newest era {eras[0].name} has a valid_to: the current era has no end")
    for newer, older in zip(eras, eras[1:]):
        if older.valid_to != newer.valid_from:
            raise _error(f"{older.name} must end (valid_to) on the day {newer.name} begins ({newer.valid_from})")
    for key in ("name", "abbr"):
        values = [getattr(e, key) for e in eras]
        if len(set(values)) != len(values):
            raise _error(f"two eras share a {key}")
    return tuple(eras)


@cache
def bundled() -> tuple[Era, ...]:
    """The bundled eras (``rules/eras.yaml``), loaded once."""
    return load()


@cache
def lookup(token: str) -> Era | None:
    """The era named ``token``: its name (平成) or its letter, either case (H, h)."""
    for era in bundled():
        if token == era.name or token.upper() == era.abbr:
            return era
    return None
