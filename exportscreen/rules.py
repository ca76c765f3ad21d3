"""Load and validate the law data in ``rules/``.

Every file carries a provenance header (``source:`` for YAML, ``#`` lines for CSV); every record its legal
source and, where it changed, the day it took effect (``valid_from``) or ended (``valid_to``), half-open:
a record applies on ``valid_from <= day < valid_to``. Loading fails with :class:`RulesError` naming the file
and record when the data is inconsistent. The result is an immutable :class:`Rules` with a version stamp
(latest effective date + content hash) that every decision carries.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import pycountry
import yaml

from exportscreen import yamlload
from exportscreen.errors import UserError
from exportscreen.ids.item_no import NOT_LISTED_WORDS
from exportscreen.ids.text import fold
from exportscreen.ids.values import END_USES, INFORMS
from exportscreen.reasons import Catalogue


class RulesError(UserError):
    """The law data is inconsistent; the message names the file and the record."""


@dataclass(frozen=True)
class Period:
    valid_from: date | None
    valid_to: date | None
    source: str

    def covers(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day < self.valid_to)


@dataclass(frozen=True)
class Amendment:
    """An amendment to 輸出令別表第一 / 貨物等省令 (``rules/amendments.yaml``): the day it came into force and the 項 it
    touches (empty: scope not known, every 項)."""

    effective: date
    kou: frozenset[str]
    name_ja: str
    name_en: str
    source: str

    def touches(self, kou: str | None) -> bool:
        """Whether a classification of 項 ``kou`` (None: 非該当, judged against every 項) must be judged again."""
        return not self.kou or kou is None or kou in self.kou


@dataclass(frozen=True)
class Country:
    iso2: str
    name_ja: str
    name_en: str


@dataclass(frozen=True)
class CountryList:
    id: str
    name_ja: str
    name_en: str
    members: dict[str, tuple[Period, ...]]  # iso2 -> periods of membership

    def contains(self, iso2: str, day: date) -> bool:
        return any(p.covers(day) for p in self.members.get(iso2, ()))

    def on(self, day: date) -> list[str]:
        return sorted(iso2 for iso2 in self.members if self.contains(iso2, day))


@dataclass(frozen=True)
class Item:
    kou: str
    name_ja: str
    name_en: str
    source: str


@dataclass(frozen=True)
class SubItem:
    kou: str
    sub: str
    name_ja: str
    name_en: str
    source: str


@dataclass(frozen=True)
class ChapterRule:
    cls: str  # "16" (before 2025-10-09) or "16(2)"
    chapters: frozenset[int]
    period: Period


@dataclass(frozen=True)
class HsGroup:
    clause: int
    prefixes: tuple[str, ...]
    excepts: tuple[str, ...]
    name_ja: str
    name_en: str
    source: str


@dataclass(frozen=True, eq=False)
class HsNomenclature:
    """The HS nomenclature (``hs_nomenclature.csv``): every chapter (2 digits), heading (4) and subheading (6)."""

    names: dict[str, str]  # code -> English description
    codes: dict[int, tuple[str, ...]]  # 2 / 4 / 6 -> the codes with that many digits, sorted

    def __contains__(self, code: object) -> bool:
        return code in self.names

    def under(self, prefix: str, digits: int = 6) -> tuple[str, ...]:
        """The codes of ``digits`` digits that start with ``prefix`` (the real subheadings under a prefix)."""
        codes = self.codes[digits]
        return codes[bisect_left(codes, prefix) : bisect_left(codes, prefix + ":")]  # ":" sorts after "9"


@dataclass(frozen=True)
class SmallValueRule:
    items: frozenset[str]
    threshold: float
    schedule_3_3_threshold: float
    schedule_3_3: dict[str, frozenset[str] | str]  # kou -> sub-items, or "all"
    article: str  # the provision cited in reasons (輸出令4条1項5号; one number earlier before 2025-10-09)
    period: Period

    def in_schedule_3_3(self, kou: str, sub: str | None) -> bool:
        entry = self.schedule_3_3.get(kou)
        if entry is None:
            return False
        if entry == "all" or sub is None:  # no sub-item given: the stricter threshold
            return True
        return sub in entry


@dataclass(frozen=True)
class Overlay:
    id: str
    countries: frozenset[str]
    goods: str | frozenset[str]  # "all" | "listed" | "unlisted" | set of 項
    outcome: str
    ja: str
    en: str
    ref: str
    period: Period


@dataclass(frozen=True)
class Notice:
    """A note added to every decision for a destination (a country list, or named countries), in its period."""

    id: str
    list: str | None
    countries: frozenset[str]
    ja: str
    en: str
    ref: str
    period: Period


PLACEHOLDER_FIELDS = ("end_user", "end_use", "item", "inform", "value")


@dataclass(frozen=True, eq=False)
class Placeholders:
    """What clerks type for a fact they do not know yet (``rules/placeholders.yaml``): per field, the pattern a whole
    folded cell matches when it is made only of placeholder words and marks, and the words that make a longer cell
    one when it begins with them (or, for the fields in ``anywhere``, contains them)."""

    whole: dict[str, re.Pattern[str]]
    leading: dict[str, tuple[str, ...]]
    anywhere: frozenset[str]

    def match(self, field: str, text: str) -> bool:
        """Whether the cell text of ``field`` (end_user, end_use, item, inform) says the fact is not known."""
        key = fold(text)
        if self.whole[field].fullmatch(key):
            return True
        lead = self.leading[field]
        return any(w in key for w in lead) if field in self.anywhere else key.startswith(lead)


@dataclass(frozen=True, eq=False)
class Rules:
    countries: dict[str, Country]
    aliases: dict[str, str]  # folded name -> iso2
    names: CountryNames  # countries and aliases (the same dicts), ambiguous names
    lists: dict[str, CountryList]
    items: dict[str, Item]
    subitems: dict[tuple[str, str], SubItem]
    chapter_rules: tuple[ChapterRule, ...]
    hs_groups: tuple[HsGroup, ...]
    hs_groups_period: Period
    hs_nomenclature: HsNomenclature
    small_value: tuple[SmallValueRule, ...]
    overlays: tuple[Overlay, ...]
    notices: tuple[Notice, ...]
    coverage_from: date
    reasons: Catalogue  # the wording of every reason (reasons.yaml)
    placeholders: Placeholders  # cell texts that say a fact is not known (placeholders.yaml)
    technology: Technology  # 外為令別表, technology catch-all, exemptions, 特定類型, 提供方法, pre-report scheme
    content_hash: str
    latest_effective: date
    files: tuple[str, ...]
    eul_lists: tuple = field(default=())  # End User List versions (exportscreen.eul.EndUserList), oldest first
    licence_registers: tuple = field(default=())  # licence register versions (exportscreen.licences.Register)
    licence_usage: dict = field(default_factory=dict)  # folded 許可番号 -> shipments.Usage (recorded shipments)
    amendments: tuple[Amendment, ...] = ()  # amendments to 別表第一 / 貨物等省令, oldest first (amendments.yaml)
    product_masters: tuple = ()  # 品番マスタ versions (exportscreen.products.Master), oldest first

    @cached_property
    def version(self) -> str:
        return f"R{self.latest_effective.isoformat()}.{self.content_hash[:8]}"

    def with_eul(self, lists) -> Rules:
        import dataclasses

        return dataclasses.replace(self, eul_lists=tuple(lists))

    def eul_on(self, day: date):
        """The End User List version in force on ``day`` (latest effective date <= day), or None."""
        from exportscreen.eul import in_force

        return in_force(self.eul_lists, day)

    @cached_property
    def quantity_limits(self) -> bool:
        """Whether a licence of the registers has a 数量上限: only then does a line's 数量 reach the engine (and its
        memo keys: :func:`exportscreen.engine.screen`)."""
        return any(lic.quantity is not None for reg in self.licence_registers for lic in reg.licences)

    def with_licences(self, registers) -> Rules:
        import dataclasses

        return dataclasses.replace(self, licence_registers=tuple(registers))

    def with_shipments(self, usage) -> Rules:
        """These rules with the shipments recorded against each licence (folded 許可番号 -> shipments.Usage): the
        balances screening checks a line's value against."""
        import dataclasses

        return dataclasses.replace(self, licence_usage=dict(usage))

    def licences_on(self, day: date):
        """The licence register version in force on ``day`` (latest effective date <= day), or None."""
        from exportscreen.licences import in_force

        return in_force(self.licence_registers, day)

    @cached_property
    def last_amendment(self) -> date:
        """The day the latest amendment came into force (date.min when there is none): a 品番マスタ classification
        judged on or after it is made stale by none (:func:`exportscreen.engine.product_stale`)."""
        return max((a.effective for a in self.amendments), default=date.min)

    def with_products(self, masters) -> Rules:
        import dataclasses

        return dataclasses.replace(self, product_masters=tuple(sorted(masters, key=lambda m: m.effective)))

    def master_on(self, day: date):
        """The 品番マスタ version in force on ``day`` (latest effective date <= day), or None."""
        best = None
        for m in self.product_masters:
            if m.effective <= day:
                best = m
        return best


def _date(value, where: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RulesError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


LIST_IDS = ("group_a", "un_arms_embargo", "concern", "russia_third_countries")
OUTCOMES = ("PROHIBITED", "LICENSE_REQUIRED", "REVIEW")  # what an overlay can decide (a notice only informs)
GOODS = ("all", "listed", "unlisted")  # or a list of 項 of 別表第一 1–15
PERIOD_KEYS = {"valid_from", "valid_to", "source"}


def _closed(record: Any, keys: set[str], where: str) -> dict:
    """The record as a mapping with only ``keys``: a key the loader does not know is refused, not ignored."""
    if not isinstance(record, dict):
        raise RulesError(f"{where}: expected a mapping, got {record!r}")
    unknown = sorted(set(record) - keys)
    if unknown:
        raise RulesError(f"{where}: unknown key {', '.join(map(repr, unknown))} (known: {', '.join(sorted(keys))})")
    return record


def _one_of(value: Any, allowed: tuple[str, ...], what: str, where: str) -> str:
    if value not in allowed:
        raise RulesError(f"{where}: {what} {value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _period(record: dict, where: str) -> Period:
    start, end = _date(record.get("valid_from"), where), _date(record.get("valid_to"), where)
    if start and end and not start < end:
        raise RulesError(f"{where}: valid_from {start} is not before valid_to {end}")
    source = record.get("source")
    if not source:
        raise RulesError(f"{where}: record has no source")
    return Period(start, end, str(source))


def _load_yaml(path: Path) -> dict:
    try:
        data = yamlload.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RulesError(f"{path.name}: not valid YAML ({exc})") from None
    header = data.get("source") if isinstance(data, dict) else None
    if not isinstance(header, dict) or not {"instrument", "read"} <= header.keys():
        raise RulesError(f"{path.name}: provenance header 'source' with 'instrument' and 'read' is missing")
    return data


def _load_csv(path: Path, columns: list[str]) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if not lines or not lines[0].startswith("#"):
        raise RulesError(f"{path.name}: provenance header (# lines) is missing")
    body = "\n".join(line for line in lines if not line.startswith("#"))
    reader = csv.DictReader(io.StringIO(body))
    if reader.fieldnames != columns:
        raise RulesError(f"{path.name}: columns are {reader.fieldnames}, expected {columns}")
    rows = list(reader)
    for n, row in enumerate(rows, start=2):
        if any(row[c] is None for c in columns):
            raise RulesError(f"{path.name}: record {n} has missing columns")
    return rows


def _chapters(spec: str, where: str) -> frozenset[int]:
    out: set[int] = set()
    for part in spec.split(","):
        lo, _, hi = part.strip().partition("-")
        try:
            out.update(range(int(lo), int(hi or lo) + 1))
        except ValueError:
            raise RulesError(f"{where}: bad chapter range {part!r}") from None
    return frozenset(out)


def _hs_nomenclature(folder: Path) -> HsNomenclature:
    name = "hs_nomenclature.csv"
    names: dict[str, str] = {}
    for n, row in enumerate(_load_csv(folder / name, ["code", "description"]), start=2):
        code, where = row["code"].strip(), f"{name} record {n} ({row['code']})"
        if not re.fullmatch(r"\d\d(\d\d){0,2}", code):
            raise RulesError(f"{where}: a code has 2, 4 or 6 digits")
        if code in names:
            raise RulesError(f"{where}: duplicate code")
        if not row["description"].strip():
            raise RulesError(f"{where}: record has no description")
        names[code] = row["description"].strip()
    parents = {code[:-2] for code in names if len(code) > 2}
    for code in names:
        if len(code) > 2 and code[:-2] not in names:
            raise RulesError(f"{name}: {code}: its {'chapter' if len(code) == 4 else 'heading'} {code[:-2]} is missing")
        if len(code) < 6 and code not in parents:
            raise RulesError(f"{name}: {code} has no {'headings' if len(code) == 2 else 'subheadings'}")
    return HsNomenclature(names, {k: tuple(sorted(c for c in names if len(c) == k)) for k in (2, 4, 6)})


# Names a clerk may mean for more than one country: never an alias, refused asking the clerk to choose between
# the names given (each of which must resolve; shown in this order).
AMBIGUOUS_NAMES: dict[str, tuple[str, ...]] = {
    "Korea": ("大韓民国", "北朝鮮"),
    "コリア": ("大韓民国", "北朝鮮"),
    "朝鮮": ("大韓民国", "北朝鮮"),
    "Congo": ("コンゴ共和国", "コンゴ民主共和国"),
    "コンゴ": ("コンゴ共和国", "コンゴ民主共和国"),
    "ドミニカ": ("ドミニカ国", "ドミニカ共和国"),
    "Virgin Islands": ("英領バージン諸島", "米領バージン諸島"),
    "バージン諸島": ("英領バージン諸島", "米領バージン諸島"),
}


@dataclass(frozen=True, eq=False)
class CountryNames:
    """``rules/countries.csv`` as a name index: the one country authority. The engine (destinations) and the End
    User List importer (its 国名 cells) both resolve names through it. Matching is exact on the folded name
    (:func:`~exportscreen.ids.text.fold`: NFKC, case, spaces and punctuation)."""

    countries: dict[str, Country]
    aliases: dict[str, str]  # folded name -> iso2
    ambiguous: dict[str, tuple[tuple[str, str], ...]]  # folded name -> (name to type, iso2) of each country it may mean

    def lookup(self, text: str) -> str | None:
        """The ISO code a name (or code) stands for, or None (unknown, or one of the ambiguous names)."""
        return self.aliases.get(fold(text))

    def choices(self, text: str) -> tuple[tuple[str, str], ...]:
        """(name, iso2) of each country an ambiguous name may mean; () for any other text."""
        return self.ambiguous.get(fold(text), ())


def _countries(folder: Path) -> CountryNames:
    path = folder / "countries.csv"
    rows = _load_csv(path, ["iso2", "name_ja", "name_en", "aliases", "source"])
    countries: dict[str, Country] = {}
    aliases: dict[str, str] = {}
    ambiguous = {fold(name) for name in AMBIGUOUS_NAMES}

    def add(name: str, iso2: str, where: str, strict: bool) -> None:
        key = fold(name)
        if not key:
            return
        if key in ambiguous:
            if strict:
                raise RulesError(f"{where}: name {name!r} may mean more than one country (AMBIGUOUS_NAMES)")
            return
        other = aliases.get(key)
        if other and other != iso2:
            if strict:
                raise RulesError(f"{where}: name {name!r} maps to both {other} and {iso2}")
            return
        aliases[key] = iso2

    for n, row in enumerate(rows, start=2):
        where = f"countries.csv record {n} ({row['iso2']})"
        iso2 = row["iso2"].strip().upper()
        if iso2 in countries:
            raise RulesError(f"{where}: duplicate country {iso2}")
        pc = pycountry.countries.get(alpha_2=iso2)
        if pc is None:
            raise RulesError(f"{where}: {iso2} is not an ISO 3166-1 code")
        if not row["source"].strip():
            raise RulesError(f"{where}: record has no source")
        countries[iso2] = Country(iso2, row["name_ja"].strip(), row["name_en"].strip())
        for name in [row["name_ja"], row["name_en"], *row["aliases"].split("|")]:
            add(name, iso2, where, strict=True)
    # Codes and pycountry's English names last, without overriding what our own data says; names that a clerk
    # may mean for two countries ("Congo": CG or CD) never resolve. Japanese names come from our data only.
    for iso2 in countries:
        pc = pycountry.countries.get(alpha_2=iso2)
        if pc is None:
            continue  # a code pycountry does not know: our own names only
        add(pc.alpha_2, iso2, "pycountry", strict=False)
        add(pc.alpha_3, iso2, "pycountry", strict=False)
        for attr in ("name", "official_name", "common_name"):
            name = getattr(pc, attr, None)
            if name:
                add(name, iso2, "pycountry", strict=False)
    choices: dict[str, tuple[tuple[str, str], ...]] = {}
    for word, names in AMBIGUOUS_NAMES.items():
        pairs = tuple((name, aliases[fold(name)]) for name in names if fold(name) in aliases)
        if len(pairs) != len(names) or len(names) < 2 or len({iso2 for _, iso2 in pairs}) != len(pairs):
            raise RulesError(f"countries.csv: the choices {names} for {word!r} are not distinct known countries")
        choices[fold(word)] = pairs
    return CountryNames(countries, aliases, choices)


@lru_cache(maxsize=1)
def country_names() -> CountryNames:
    """The bundled country table alone (without loading the rest of the law data), loaded once per process: what
    the End User List importer resolves its 国名 cells with."""
    from exportscreen.state import data_dir

    return _countries(data_dir("rules"))


def load(folder: Path | None = None) -> Rules:
    from exportscreen.state import data_dir

    folder = Path(folder) if folder else data_dir("rules")
    files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".csv"))
    digest = hashlib.sha256()
    for p in files:
        digest.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    effective: list[date] = []

    def track(period: Period) -> Period:
        effective.extend(d for d in (period.valid_from, period.valid_to) if d)
        return period

    names = _countries(folder)
    countries, aliases = names.countries, names.aliases

    lists: dict[str, CountryList] = {}
    for path in files:
        if not path.name.startswith("beppyo") or path.suffix != ".yaml":
            continue
        data = _load_yaml(path)
        if "members" not in data:
            continue
        _one_of(data.get("list"), LIST_IDS, "list id", path.name)
        if data["list"] in lists:
            raise RulesError(f"{path.name}: list {data['list']!r} is defined twice")
        members: dict[str, list[Period]] = {}
        for n, rec in enumerate(data["members"], start=1):
            where = f"{path.name} member {n} ({rec.get('iso2') if isinstance(rec, dict) else rec})"
            _closed(rec, {"iso2"} | PERIOD_KEYS, where)
            iso2 = str(rec.get("iso2", "")).upper()
            if iso2 not in countries:
                raise RulesError(f"{where}: {iso2!r} is not a known country")
            members.setdefault(iso2, []).append(track(_period(rec, where)))
        lists[data["list"]] = CountryList(
            data["list"], data["name_ja"], data["name_en"], {k: tuple(v) for k, v in members.items()}
        )
    for needed in LIST_IDS:
        if needed not in lists:
            raise RulesError(f"rules: the list {needed!r} is missing")
    _check_disjoint(lists["group_a"], lists["un_arms_embargo"])

    items_data = _load_yaml(folder / "beppyo1_items.yaml")
    items = {}
    for n, rec in enumerate(items_data["items"], start=1):
        _closed(rec, {"kou", "name_ja", "name_en", "source"}, f"beppyo1_items.yaml item {n}")
        if not rec.get("source"):
            raise RulesError(f"beppyo1_items.yaml item {n}: record has no source")
        items[str(rec["kou"])] = Item(str(rec["kou"]), rec["name_ja"], rec["name_en"], rec["source"])
    subitems = {}
    for n, row in enumerate(
        _load_csv(folder / "beppyo1_subitems.csv", ["kou", "sub", "name_ja", "name_en", "source"]), start=2
    ):
        key = (row["kou"].strip(), row["sub"].strip())
        where = f"beppyo1_subitems.csv record {n} ({key[0]}の項({key[1]}))"
        if key[0] not in items or key[0] == "16":
            raise RulesError(f"{where}: item {key[0]!r} is not one of items 1–15")
        if key in subitems:
            raise RulesError(f"{where}: duplicate sub-item")
        if not row["source"].strip() or not row["name_ja"].strip():
            raise RulesError(f"{where}: record has no name or no source")
        subitems[key] = SubItem(key[0], key[1], row["name_ja"].strip(), row["name_en"].strip(), row["source"].strip())

    scope = _load_yaml(folder / "catchall_scope.yaml")
    for n, rec in enumerate(scope["chapters"], start=1):
        where = f"catchall_scope.yaml chapters {n}"
        _one_of(_closed(rec, {"class", "chapters"} | PERIOD_KEYS, where).get("class"), ("16", "16(2)"), "class", where)
    _closed(scope["headings_16_1"], {"valid_from", "valid_to", "class", "groups"}, "catchall_scope.yaml headings_16_1")
    for n, g in enumerate(scope["headings_16_1"]["groups"], start=1):
        _closed(g, {"clause", "hs", "except", "name_ja", "name_en", "source", "note"}, f"catchall_scope.yaml group {n}")
    chapter_rules = tuple(
        ChapterRule(
            rec["class"],
            _chapters(rec["chapters"], f"catchall_scope.yaml chapters {n}"),
            track(_period(rec, f"catchall_scope.yaml chapters {n}")),
        )
        for n, rec in enumerate(scope["chapters"], start=1)
    )
    h = scope["headings_16_1"]
    hs_period = track(_period({**h, "source": "貨物等省令第14条の2"}, "catchall_scope.yaml headings_16_1"))
    hs_groups = tuple(
        HsGroup(g["clause"], tuple(g["hs"]), tuple(g.get("except", ())), g["name_ja"], g["name_en"], g["source"])
        for g in h["groups"]
    )
    hs_nomenclature = _hs_nomenclature(folder)
    for g in hs_groups:
        for code in g.prefixes + g.excepts:
            if code not in hs_nomenclature:
                raise RulesError(f"catchall_scope.yaml group {g.clause}: HS {code} is not in hs_nomenclature.csv")

    sv = _load_yaml(folder / "small_value.yaml")
    sv_keys = {"article", "items", "threshold_jpy", "schedule_3_3_threshold_jpy", "schedule_3_3", "not_to"}
    for n, r in enumerate(sv["rules"], start=1):
        where = f"small_value.yaml rule {n}"
        _closed(r, sv_keys | PERIOD_KEYS, where)
        for kou in [*r["items"], *r["schedule_3_3"]]:
            if str(kou) not in items or str(kou) == "16":
                raise RulesError(f"{where}: {kou!r} is not an item of 別表第一 1–15")
        for kou, subs in r["schedule_3_3"].items():
            for s in [] if subs == "all" else subs:
                if (str(kou), str(s)) not in subitems:
                    raise RulesError(f"{where}: schedule_3_3 names {kou}の項({s}), which is not a sub-item")
        if not r.get("article"):
            raise RulesError(f"small_value.yaml rule {n}: no article (the provision cited in reasons)")
        if r.get("not_to") != "concern":
            raise RulesError(
                f"small_value.yaml rule {n}: not_to must be 'concern' (別表第四), the only exclusion the engine knows"
            )
    small_value = tuple(
        SmallValueRule(
            frozenset(r["items"]),
            float(r["threshold_jpy"]),
            float(r["schedule_3_3_threshold_jpy"]),
            {k: (v if v == "all" else frozenset(v)) for k, v in r["schedule_3_3"].items()},
            str(r["article"]),
            track(_period(r, f"small_value.yaml rule {n}")),
        )
        for n, r in enumerate(sv["rules"], start=1)
    )

    sanctions = _load_yaml(folder / "sanctions.yaml")
    overlays = []
    for n, rec in enumerate(sanctions["overlays"], start=1):
        where = f"sanctions.yaml overlay {n} ({rec.get('id')})"
        _closed(rec, {"id", "countries", "goods", "outcome", "ja", "en", "ref"} | PERIOD_KEYS, where)
        for iso2 in rec["countries"]:
            if iso2 not in countries:
                raise RulesError(f"{where}: {iso2!r} is not a known country")
        goods = rec["goods"]
        if isinstance(goods, list):
            for kou in goods:
                if str(kou) not in items or str(kou) == "16":
                    raise RulesError(f"{where}: goods names {kou!r}, which is not an item of 別表第一 1–15")
        else:
            _one_of(goods, GOODS, "goods", where)
        _one_of(rec.get("outcome"), OUTCOMES, "outcome", where)
        overlays.append(
            Overlay(
                rec["id"],
                frozenset(rec["countries"]),
                goods if isinstance(goods, str) else frozenset(map(str, goods)),
                rec["outcome"],
                rec["ja"],
                rec["en"],
                rec["ref"],
                track(_period(rec, where)),
            )
        )
    notices = []
    for n, rec in enumerate(sanctions.get("notices", ()), start=1):
        where = f"sanctions.yaml notice {n} ({rec.get('id')})"
        _closed(rec, {"id", "list", "countries", "ja", "en", "ref"} | PERIOD_KEYS, where)
        if (rec.get("list") is None) == (rec.get("countries") is None):
            raise RulesError(f"{where}: give either 'list' or 'countries'")
        if rec.get("list") is not None and rec["list"] not in lists:
            raise RulesError(f"{where}: unknown list {rec['list']!r}")
        for iso2 in rec.get("countries") or ():
            if iso2 not in countries:
                raise RulesError(f"{where}: {iso2!r} is not a known country")
        notices.append(
            Notice(
                rec["id"],
                rec.get("list"),
                frozenset(rec.get("countries") or ()),
                rec["ja"],
                rec["en"],
                rec["ref"],
                track(_period(rec, where)),
            )
        )

    try:
        reasons = Catalogue.from_data(_load_yaml(folder / "reasons.yaml"))
    except ValueError as exc:
        raise RulesError(str(exc)) from None
    ids = [o.id for o in overlays] + [x.id for x in notices]
    for rid in ids:
        if ids.count(rid) > 1 or rid in reasons.reasons:
            raise RulesError(f"sanctions.yaml: the id {rid!r} is used twice (ids of sanctions and reasons are unique)")

    technology = _technology(folder, items, subitems, chapter_rules, lists, track)

    coverage = _load_yaml(folder / "coverage.yaml")
    coverage_from = _date(coverage["coverage"]["from"], "coverage.yaml")
    if coverage_from is None:
        raise RulesError("coverage.yaml: 'from' is required")

    return Rules(
        countries=countries,
        aliases=aliases,
        names=names,
        lists=lists,
        items=items,
        subitems=subitems,
        chapter_rules=chapter_rules,
        hs_groups=hs_groups,
        hs_groups_period=hs_period,
        hs_nomenclature=hs_nomenclature,
        small_value=small_value,
        overlays=tuple(overlays),
        notices=tuple(notices),
        coverage_from=coverage_from,
        reasons=reasons,
        placeholders=_placeholders(folder),
        technology=technology,
        content_hash=digest.hexdigest(),
        latest_effective=max(effective),
        files=tuple(p.name for p in files),
        amendments=_amendments(folder),
    )


def _amendments(folder: Path) -> tuple[Amendment, ...]:
    path = folder / "amendments.yaml"
    if not path.exists():
        return ()
    out = []
    for n, rec in enumerate(_load_yaml(path).get("amendments") or [], start=1):
        where = f"amendments.yaml amendment {n}"
        rec = _closed(rec, {"effective", "kou", "name_ja", "name_en", "source"}, where)
        day = _date(rec.get("effective"), where)
        if day is None or not rec.get("source"):
            raise RulesError(f"{where}: effective (YYYY-MM-DD) and source are required")
        kou = frozenset(str(k) for k in rec.get("kou") or ())
        if any(k not in {str(i) for i in range(1, 17)} for k in kou):
            raise RulesError(f"{where}: kou must be 項 numbers 1–16, got {sorted(kou)}")
        out.append(Amendment(day, kou, rec.get("name_ja") or "", rec.get("name_en") or "", rec["source"]))
    return tuple(sorted(out, key=lambda a: a.effective))


def _check_disjoint(a: CountryList, b: CountryList) -> None:
    for iso2, periods in a.members.items():
        for p in periods:
            for q in b.members.get(iso2, ()):
                start = max(p.valid_from or date.min, q.valid_from or date.min)
                end = min(p.valid_to or date.max, q.valid_to or date.max)
                if start < end:
                    raise RulesError(f"{iso2} is in both {a.id} and {b.id} from {start}")


def _placeholders(folder: Path) -> Placeholders:
    """Load ``placeholders.yaml``: groups of words and marks, and which groups each field uses. Refused: a word
    that is not quoted text or folds to nothing, an unknown group or field, and a placeholder that would swallow
    an answer of its field (an end use, an inform answer, a 非該当 word)."""
    name = "placeholders.yaml"
    data = _load_yaml(folder / name)
    groups: dict[str, tuple[list[str], list[str], str]] = {}
    for gid, g in (data.get("groups") or {}).items():
        where = f"{name} group {gid}"
        g = _closed(g, {"words", "leading", "marks"}, where)
        words, leading, marks = g.get("words") or [], g.get("leading") or [], g.get("marks") or ""
        if not isinstance(words, list) or not isinstance(leading, list) or not isinstance(marks, str):
            raise RulesError(f"{where}: words and leading are lists, marks is a text")
        for w in (*words, *leading):
            if not isinstance(w, str):
                raise RulesError(f"{where}: {w!r} is not quoted text (YAML reads 0, null, ? unquoted as other things)")
            if not fold(w):
                raise RulesError(f"{where}: {w!r} folds to nothing: list its characters under marks")
        groups[str(gid)] = (words, leading, marks)
    fields = data.get("fields")
    if not isinstance(fields, dict) or sorted(fields) != sorted(PLACEHOLDER_FIELDS):
        raise RulesError(f"{name}: fields must be {', '.join(PLACEHOLDER_FIELDS)}")
    whole: dict[str, re.Pattern[str]] = {}
    leading_of: dict[str, tuple[str, ...]] = {}
    anywhere: set[str] = set()
    for fid, spec in fields.items():
        where = f"{name} field {fid}"
        spec = _closed(spec, {"groups", "anywhere"}, where)
        gids = spec.get("groups") or []
        unknown = [g for g in gids if g not in groups]
        if not gids or unknown:
            raise RulesError(f"{where}: groups must name groups of the file (unknown: {unknown})")
        words = {fold(w) for g in gids for w in groups[g][0]}
        marks = {fold(c) for g in gids for c in groups[g][2]}
        alternatives = sorted((words | marks) - {""}, key=lambda w: (-len(w), w))
        body = "|".join(map(re.escape, alternatives)) or "(?!)"
        # A cell with nothing left after folding ("-", "・") is a placeholder where some mark folds to nothing.
        whole[fid] = re.compile(f"(?:{body}){'*' if '' in marks else '+'}")
        leading_of[fid] = tuple(sorted({fold(w) for g in gids for w in groups[g][1]}))
        if spec.get("anywhere"):
            anywhere.add(fid)
    out = Placeholders(whole, leading_of, frozenset(anywhere))
    answers = {
        "end_use": [w for key, words in END_USES.items() if key != "unknown" for w in words],
        "inform": [w for words in INFORMS.values() for w in words],
        "item": ["非該当", *NOT_LISTED_WORDS],
    }
    for fid, words in answers.items():
        for w in words:
            if out.match(fid, w):
                raise RulesError(f"{name} field {fid}: the placeholders would read the answer {w!r} as not known")
    return out


@lru_cache(maxsize=1)
def bundled() -> Rules:
    """The bundled law data, loaded once per process."""
    return load()


# --- Technology provision (外為法25条): 外為令別表, the technology catch-all, 貿易外省令9条2項 exemptions, 特定類型,
# 提供方法 (gaitamerei_beppyo.yaml, technology_provision.yaml) and the pre-report scheme (prereport_technologies.yaml).

TECH_AREAS = ("all", "all_but_group_a")  # 外為令別表 下欄: 全地域 / 全地域（輸出令別表第三を除く。）
TECH_PHASES = ("design", "manufacture", "use")  # 設計・製造・使用
TECH_DESTINATIONS = ("group_a", "un_arms_embargo", "other")  # destination classes of the technology catch-all
TECH_REQUIREMENTS = (
    "wmd_use",
    "wmd_user",
    "inform_wmd",
    "conventional_use",
    "conventional_user",
    "inform_conventional",
)
EXEMPTION_IDS = ("public", "basic-research", "patent", "minimum-use", "mass-market")  # the CLI's --exemption values
SPECIFIC_TYPE_IDS = ("1", "2", "3")  # 特定類型 ①②③
METHOD_IDS = ("document", "email", "data_transmission", "media", "oral", "trainee")  # 提供方法
METHOD_ACTS = ("provision", "transmission", "media")  # 25条1項 only / 25条3項 送信 / 25条3項 記録媒体等の輸出
PREREPORT_CHANNELS = ("subsidiary", "joint_venture", "outsourcing", "licensing")
MARKS = ("[V]", "[S]", "[U]")
_MARKED = re.compile(r"^\[[VSU]\]")
_SUB = re.compile(r"^[1-9][0-9]?(の[1-9][0-9]?)?$")
_CT_ID = re.compile(r"^CT\d\d$")


@dataclass(frozen=True)
class TechItem:
    kou: str
    name_ja: str
    name_en: str
    area: str  # one of TECH_AREAS
    source: str


@dataclass(frozen=True)
class TechSubItem:
    """One （n） of 外為令別表 (sub "" for 1, 14 and 16の項). A deleted one (削除) has no name, phases or goods."""

    kou: str
    sub: str
    name_ja: str
    name_en: str
    phases: frozenset[str]
    goods: tuple[tuple[str, str], ...]  # (kou, sub or "") of 輸出令別表第一 the 中欄 names
    ordinance: str  # 貨物等省令 paragraph defining it, "" when the 中欄 needs none
    deleted: bool
    source: str

    @property
    def code(self) -> str:
        return f"{self.kou}の項" + (f"({self.sub})" if self.sub else "")


@dataclass(frozen=True)
class TechRequirement:
    destinations: str  # one of TECH_DESTINATIONS
    requires: frozenset[str]  # of TECH_REQUIREMENTS
    ref: str
    mark: str
    source: str


@dataclass(frozen=True)
class TechCatchAll:
    """外為令別表16の項: technology for goods of these tariff chapters (the HS of the goods it is for decides)."""

    item: str
    chapters: frozenset[int]
    requirements: dict[str, TechRequirement]  # destination class -> what takes the line out of the relief
    end_user_list: bool
    informs: tuple[Notice, ...]
    source: str


@dataclass(frozen=True)
class Exemption:
    """A 貿易外省令9条2項 ground on which technology is provided without a licence."""

    id: str
    name_ja: str
    name_en: str
    clause: str
    clause_mark: str  # mark of the 号 number
    mark: str  # mark of the content
    aliases: tuple[str, ...]
    ja: str
    en: str
    not_for: frozenset[str]  # 項 of 外為令別表 it is not applied to
    pre_report: bool  # also an exclusion from the pre-report scheme
    source: str


@dataclass(frozen=True)
class SpecificType:
    id: str  # "1" / "2" / "3"
    name_ja: str
    name_en: str
    ja: str
    en: str
    mark: str
    period: Period


@dataclass(frozen=True)
class ProvisionMethod:
    id: str
    name_ja: str
    name_en: str
    act: str  # one of METHOD_ACTS
    aliases: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class CriticalTech:
    id: str
    name_ja: str
    name_en: str
    field_ja: str
    aliases: tuple[str, ...]
    mark: str
    period: Period


@dataclass(frozen=True)
class PreReportScheme:
    period: Period
    ref: str
    penalty_ref: str
    penalty_ja: str
    penalty_en: str
    not_to: str  # a list id: the destinations the scheme does not cover
    timing_ja: str
    timing_en: str
    channels: dict[str, tuple[str, str]]  # id -> (name_ja, name_en)
    exclusions: tuple[str, ...]  # exemption ids that also take a transaction out of the scheme
    list_verified: bool  # False: the designated list may be incomplete (a technology not in it: ask)
    technologies: dict[str, CriticalTech]


@dataclass(frozen=True, eq=False)
class Technology:
    text_as_of: date  # the text state of 外為令別表 the items reflect
    items: dict[str, TechItem]
    subitems: dict[tuple[str, str], TechSubItem]
    catchall: TechCatchAll
    exemptions: dict[str, Exemption]
    specific_types: dict[str, SpecificType]
    methods: dict[str, ProvisionMethod]
    prereport: PreReportScheme
    _names: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)  # vocabulary -> folded name -> id

    def exemption(self, text: str) -> Exemption | None:
        """The exemption an id, Japanese/English name or alias stands for (folded match), or None."""
        key = self._names["exemptions"].get(fold(text))
        return self.exemptions[key] if key else None

    def method(self, text: str) -> ProvisionMethod | None:
        key = self._names["methods"].get(fold(text))
        return self.methods[key] if key else None

    def critical_tech(self, text: str) -> CriticalTech | None:
        key = self._names["technologies"].get(fold(text))
        return self.prereport.technologies[key] if key else None


def _mark(value: Any, what: str, where: str, exact: bool = False) -> str:
    text = str(value or "")
    if (text not in MARKS) if exact else not _MARKED.match(text):
        raise RulesError(f"{where}: {what} {value!r} must {'be' if exact else 'start with'} one of {', '.join(MARKS)}")
    return text


def _names_index(vocab: str, records: dict[str, Any], path: str) -> dict[str, str]:
    """folded id / name / alias -> id; a name that two records share is refused."""
    index: dict[str, str] = {}
    for rid, rec in records.items():
        for name in (rid, rec.name_ja, rec.name_en, *rec.aliases):
            key = fold(str(name))
            if not key:
                raise RulesError(f"{path} {vocab} {rid}: the name {name!r} folds to nothing")
            if index.get(key, rid) != rid:
                raise RulesError(f"{path} {vocab} {rid}: the name {name!r} is also a name of {index[key]}")
            index[key] = rid
    return index


def _aliases(rec: dict, where: str) -> tuple[str, ...]:
    aliases = rec.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise RulesError(f"{where}: aliases must be a list of quoted texts")
    return tuple(aliases)


def _goods_code(code: Any, items: dict[str, Item], subitems: dict[tuple[str, str], SubItem], where: str) -> tuple:
    from exportscreen.ids import InvalidInput
    from exportscreen.ids.item_no import parse as parse_item

    try:
        parsed = parse_item(str(code))
    except InvalidInput:
        raise RulesError(f"{where}: goods {code!r} is not a 別表第一 code") from None
    key = (parsed.kou, parsed.sub or "")
    if parsed.detail or parsed.kou not in items or (parsed.sub and key not in subitems):
        raise RulesError(f"{where}: goods {code!r} is not an item or sub-item of 別表第一")
    if parsed.sub and subitems[key].name_ja == "削除":
        raise RulesError(f"{where}: goods {code!r} names a deleted sub-item")
    return key


def _tech_table(
    folder: Path, items: dict[str, Item], subitems: dict[tuple[str, str], SubItem]
) -> tuple[date, dict[str, TechItem], dict[tuple[str, str], TechSubItem]]:
    """gaitamerei_beppyo.yaml: 外為令別表 items 1–16 and their sub-items."""
    from exportscreen.ids.item_no import parse as parse_item

    name = "gaitamerei_beppyo.yaml"
    data = _load_yaml(folder / name)
    text_as_of = _date(data.get("text_as_of"), f"{name} text_as_of")
    if text_as_of is None:
        raise RulesError(f"{name}: text_as_of (the text state of 外為令別表 the data reflects) is missing")
    tech_items: dict[str, TechItem] = {}
    for n, rec in enumerate(data.get("items") or [], start=1):
        where = f"{name} item {n} ({rec.get('kou') if isinstance(rec, dict) else rec})"
        _closed(rec, {"kou", "name_ja", "name_en", "area", "source"}, where)
        kou = str(rec.get("kou", ""))
        if kou not in items:
            raise RulesError(f"{where}: {kou!r} is not an item (外為令別表 has the items of 別表第一, 1–16)")
        if kou in tech_items:
            raise RulesError(f"{where}: duplicate item")
        if not rec.get("source") or not rec.get("name_ja") or not rec.get("name_en"):
            raise RulesError(f"{where}: record has no name or no source")
        area = _one_of(rec.get("area"), TECH_AREAS, "area", where)
        tech_items[kou] = TechItem(kou, rec["name_ja"], rec["name_en"], area, rec["source"])
    if set(tech_items) != set(items):
        raise RulesError(f"{name}: items {sorted(set(items) - set(tech_items))} are missing")
    tech_subitems: dict[tuple[str, str], TechSubItem] = {}
    keys = {"kou", "sub", "name_ja", "name_en", "phases", "goods", "ordinance", "deleted", "source"}
    for n, rec in enumerate(data.get("subitems") or [], start=1):
        where = f"{name} subitem {n} ({rec.get('kou') if isinstance(rec, dict) else rec}の項({rec.get('sub', '')}))"
        _closed(rec, keys, where)
        kou, sub = str(rec.get("kou", "")), str(rec.get("sub", ""))
        if kou not in tech_items:
            raise RulesError(f"{where}: {kou!r} is not an item of 外為令別表")
        if sub and not _SUB.match(sub):
            raise RulesError(f"{where}: sub {sub!r} is not a sub-item number such as 1 or 5の2")
        code = f"{kou}の項" + (f"({sub})" if sub else "")
        parsed = parse_item(code)
        if (parsed.kou, parsed.sub or "") != (kou, sub):  # written as clerks' codes are read
            raise RulesError(f"{where}: {code} does not read back as the same code")
        if (kou, sub) in tech_subitems:
            raise RulesError(f"{where}: duplicate sub-item")
        if not rec.get("source"):
            raise RulesError(f"{where}: record has no source")
        deleted = rec.get("deleted", False)
        if deleted is True:
            extra = sorted(set(rec) & {"name_ja", "name_en", "phases", "goods", "ordinance"})
            if extra or "削除" not in str(rec["source"]):
                raise RulesError(
                    f"{where}: a deleted sub-item has no {', '.join(extra) or 'name'}; its source says 削除"
                )
            tech_subitems[(kou, sub)] = TechSubItem(
                kou, sub, "削除", "(deleted)", frozenset(), (), "", True, rec["source"]
            )
            continue
        if deleted is not False:
            raise RulesError(f"{where}: deleted is true or absent")
        if not rec.get("name_ja") or not rec.get("name_en"):
            raise RulesError(f"{where}: record has no name")
        phases = rec.get("phases") or []
        if not phases:
            raise RulesError(f"{where}: phases (design / manufacture / use) are missing")
        for p in phases:
            _one_of(p, TECH_PHASES, "phase", where)
        goods = tuple(_goods_code(g, items, subitems, where) for g in rec.get("goods") or [])
        ordinance = str(rec.get("ordinance") or "")
        if ordinance and not ordinance.startswith("貨物等省令第"):
            raise RulesError(f"{where}: ordinance {ordinance!r} is not a 貨物等省令 article")
        tech_subitems[(kou, sub)] = TechSubItem(
            kou, sub, rec["name_ja"], rec["name_en"], frozenset(phases), goods, ordinance, False, rec["source"]
        )
    for kou in tech_items:
        subs = [s for k, s in tech_subitems if k == kou]
        if not subs or ("" in subs and len(subs) > 1):
            raise RulesError(f"{name}: item {kou} needs either one record with sub '' or its sub-items")
    return text_as_of, tech_items, tech_subitems


def _tech_provision(
    folder: Path, tech_items: dict[str, TechItem], chapter_rules: tuple[ChapterRule, ...], track
) -> tuple[TechCatchAll, dict[str, Exemption], dict[str, SpecificType], dict[str, ProvisionMethod]]:
    """technology_provision.yaml: the technology catch-all, the exemptions, the 特定類型 and the 提供方法."""
    name = "technology_provision.yaml"
    data = _load_yaml(folder / name)
    _closed(data, {"source", "catchall", "exemptions", "specific_types", "methods"}, name)

    ca = _closed(data.get("catchall"), {"item", "chapters", "source", "requirements", "end_user_list", "informs"}, name)
    where = f"{name} catchall"
    if str(ca.get("item")) not in tech_items or tech_items[str(ca["item"])].area != "all_but_group_a":
        raise RulesError(f"{where}: item must be the 外為令別表 item whose 下欄 excludes 別表第三 (16)")
    chapters = _chapters(str(ca.get("chapters", "")), where)
    for rule in chapter_rules:
        if rule.chapters != chapters:
            raise RulesError(
                f"{where}: chapters differ from catchall_scope.yaml ({rule.cls}, {rule.period.valid_from or '…'}"
                f"–{rule.period.valid_to or '…'}); 外為令別表16の項 and 輸出令別表第一16の項 name the same chapters"
            )
    if not ca.get("source"):
        raise RulesError(f"{where}: record has no source")
    requirements: dict[str, TechRequirement] = {}
    for n, rec in enumerate(ca.get("requirements") or [], start=1):
        w = f"{where} requirement {n}"
        _closed(rec, {"destinations", "requires", "ref", "mark", "source"}, w)
        dest = _one_of(rec.get("destinations"), TECH_DESTINATIONS, "destinations", w)
        if dest in requirements:
            raise RulesError(f"{w}: destinations {dest!r} given twice")
        requires = rec.get("requires") or []
        for r in requires:
            _one_of(r, TECH_REQUIREMENTS, "requirement", w)
        if not rec.get("ref") or not rec.get("source"):
            raise RulesError(f"{w}: record has no ref or no source")
        requirements[dest] = TechRequirement(
            dest, frozenset(requires), rec["ref"], _mark(rec.get("mark"), "mark", w), rec["source"]
        )
    if set(requirements) != set(TECH_DESTINATIONS):
        raise RulesError(f"{where}: requirements must give each of {', '.join(TECH_DESTINATIONS)}")
    if not requirements["group_a"].requires <= {"inform_wmd", "inform_conventional"}:
        raise RulesError(f"{where}: to Group A only an inform can require a licence (外為令17条2項)")
    if not isinstance(ca.get("end_user_list"), bool):
        raise RulesError(f"{where}: end_user_list is true or false")
    informs = []
    for n, rec in enumerate(ca.get("informs") or [], start=1):
        w = f"{where} inform {n}"
        _closed(rec, {"ja", "en"} | PERIOD_KEYS, w)
        informs.append(Notice(f"TECH-INFORM-{n}", None, frozenset(), rec["ja"], rec["en"], "", track(_period(rec, w))))
    catchall = TechCatchAll(
        str(ca["item"]), chapters, requirements, ca["end_user_list"], tuple(informs), str(ca["source"])
    )

    exemptions: dict[str, Exemption] = {}
    keys = {"id", "name_ja", "name_en", "clause", "clause_mark", "mark", "aliases", "ja", "en", "not_for", "pre_report"}
    for n, rec in enumerate(data.get("exemptions") or [], start=1):
        w = f"{name} exemption {n} ({rec.get('id') if isinstance(rec, dict) else rec})"
        _closed(rec, keys | {"source"}, w)
        eid = _one_of(rec.get("id"), EXEMPTION_IDS, "id", w)
        if eid in exemptions:
            raise RulesError(f"{w}: duplicate id")
        missing = [k for k in ("name_ja", "name_en", "clause", "ja", "en", "source") if not rec.get(k)]
        if missing:
            raise RulesError(f"{w}: record has no {', '.join(missing)}")
        not_for = [str(k) for k in rec.get("not_for") or []]
        for kou in not_for:
            if kou not in tech_items:
                raise RulesError(f"{w}: not_for names {kou!r}, which is not an item of 外為令別表")
        if not isinstance(rec.get("pre_report"), bool):
            raise RulesError(f"{w}: pre_report is true or false")
        exemptions[eid] = Exemption(
            eid,
            rec["name_ja"],
            rec["name_en"],
            rec["clause"],
            _mark(rec.get("clause_mark"), "clause_mark", w, exact=True),
            _mark(rec.get("mark"), "mark", w, exact=True),
            _aliases(rec, w),
            " ".join(str(rec["ja"]).split()),
            " ".join(str(rec["en"]).split()),
            frozenset(not_for),
            rec["pre_report"],
            rec["source"],
        )
    if set(exemptions) != set(EXEMPTION_IDS):
        raise RulesError(f"{name}: exemptions {sorted(set(EXEMPTION_IDS) - set(exemptions))} are missing")

    specific_types: dict[str, SpecificType] = {}
    for n, rec in enumerate(data.get("specific_types") or [], start=1):
        w = f"{name} specific_type {n} ({rec.get('id') if isinstance(rec, dict) else rec})"
        _closed(rec, {"id", "name_ja", "name_en", "ja", "en", "mark"} | PERIOD_KEYS, w)
        tid = _one_of(str(rec.get("id")), SPECIFIC_TYPE_IDS, "id", w)
        if tid in specific_types:
            raise RulesError(f"{w}: duplicate id")
        period = track(_period(rec, w))
        if period.valid_from is None:
            raise RulesError(f"{w}: valid_from (the day the 役務通達 revision took effect) is missing")
        specific_types[tid] = SpecificType(
            tid,
            rec["name_ja"],
            rec["name_en"],
            " ".join(str(rec["ja"]).split()),
            " ".join(str(rec["en"]).split()),
            _mark(rec.get("mark"), "mark", w),
            period,
        )
    if set(specific_types) != set(SPECIFIC_TYPE_IDS):
        raise RulesError(f"{name}: specific_types must be {', '.join(SPECIFIC_TYPE_IDS)}")

    methods: dict[str, ProvisionMethod] = {}
    for n, rec in enumerate(data.get("methods") or [], start=1):
        w = f"{name} method {n} ({rec.get('id') if isinstance(rec, dict) else rec})"
        _closed(rec, {"id", "name_ja", "name_en", "act", "aliases", "source"}, w)
        mid = _one_of(rec.get("id"), METHOD_IDS, "id", w)
        if mid in methods:
            raise RulesError(f"{w}: duplicate id")
        if not rec.get("source") or not rec.get("name_ja") or not rec.get("name_en"):
            raise RulesError(f"{w}: record has no name or no source")
        act = _one_of(rec.get("act"), METHOD_ACTS, "act", w)
        methods[mid] = ProvisionMethod(mid, rec["name_ja"], rec["name_en"], act, _aliases(rec, w), rec["source"])
    if set(methods) != set(METHOD_IDS):
        raise RulesError(f"{name}: methods {sorted(set(METHOD_IDS) - set(methods))} are missing")
    return catchall, exemptions, specific_types, methods


def _prereport(folder: Path, exemptions: dict[str, Exemption], lists: dict[str, CountryList], track) -> PreReportScheme:
    """prereport_technologies.yaml: the pre-report scheme and the designated 重要管理対象技術."""
    name = "prereport_technologies.yaml"
    data = _load_yaml(folder / name)
    _closed(data, {"source", "scheme", "technologies"}, name)
    keys = {"ref", "penalty_ref", "penalty_ja", "penalty_en", "not_to", "timing_ja", "timing_en", "channels"}
    s = _closed(data.get("scheme"), keys | {"exclusions", "list_verified"} | PERIOD_KEYS, f"{name} scheme")
    where = f"{name} scheme"
    missing = [k for k in sorted(keys - {"channels"}) if not s.get(k)]
    if missing:
        raise RulesError(f"{where}: {', '.join(missing)} missing")
    period = track(_period(s, where))
    if period.valid_from is None:
        raise RulesError(f"{where}: valid_from (the day the reporting obligation took effect) is missing")
    if s["not_to"] not in lists:
        raise RulesError(f"{where}: not_to {s['not_to']!r} is not a country list")
    channels: dict[str, tuple[str, str]] = {}
    for n, rec in enumerate(s.get("channels") or [], start=1):
        w = f"{where} channel {n}"
        _closed(rec, {"id", "name_ja", "name_en"}, w)
        cid = _one_of(rec.get("id"), PREREPORT_CHANNELS, "id", w)
        if cid in channels or not rec.get("name_ja") or not rec.get("name_en"):
            raise RulesError(f"{w}: duplicate id, or no name")
        channels[cid] = (rec["name_ja"], rec["name_en"])
    if set(channels) != set(PREREPORT_CHANNELS):
        raise RulesError(f"{where}: channels must be {', '.join(PREREPORT_CHANNELS)}")
    exclusions = tuple(str(e) for e in s.get("exclusions") or [])
    for e in exclusions:
        if e not in exemptions:
            raise RulesError(f"{where}: exclusion {e!r} is not an exemption of technology_provision.yaml")
        if not exemptions[e].pre_report:
            raise RulesError(f"{where}: exclusion {e!r} has pre_report false in technology_provision.yaml")
    if {e for e in exemptions if exemptions[e].pre_report} != set(exclusions):
        raise RulesError(f"{where}: exclusions and the exemptions marked pre_report differ")
    if not isinstance(s.get("list_verified"), bool):
        raise RulesError(f"{where}: list_verified is true or false")
    technologies: dict[str, CriticalTech] = {}
    for n, rec in enumerate(data.get("technologies") or [], start=1):
        w = f"{name} technology {n} ({rec.get('id') if isinstance(rec, dict) else rec})"
        _closed(rec, {"id", "name_ja", "name_en", "field_ja", "aliases", "mark"} | PERIOD_KEYS, w)
        tid = str(rec.get("id", ""))
        if not _CT_ID.match(tid) or tid in technologies:
            raise RulesError(f"{w}: id must be CT and two digits, once")
        if not rec.get("name_ja") or not rec.get("name_en") or not rec.get("field_ja"):
            raise RulesError(f"{w}: record has no name or no field")
        t_period = track(_period(rec, w))
        if t_period.valid_from is None or t_period.valid_from < period.valid_from:
            raise RulesError(f"{w}: valid_from is missing or before the scheme's {period.valid_from}")
        technologies[tid] = CriticalTech(
            tid,
            rec["name_ja"],
            rec["name_en"],
            rec["field_ja"],
            _aliases(rec, w),
            _mark(rec.get("mark"), "mark", w, exact=True),
            t_period,
        )
    if not technologies:
        raise RulesError(f"{name}: no technologies")
    return PreReportScheme(
        period,
        s["ref"],
        s["penalty_ref"],
        s["penalty_ja"],
        s["penalty_en"],
        s["not_to"],
        s["timing_ja"],
        s["timing_en"],
        channels,
        exclusions,
        s["list_verified"],
        technologies,
    )


def _technology(
    folder: Path,
    items: dict[str, Item],
    subitems: dict[tuple[str, str], SubItem],
    chapter_rules: tuple[ChapterRule, ...],
    lists: dict[str, CountryList],
    track,
) -> Technology:
    text_as_of, tech_items, tech_subitems = _tech_table(folder, items, subitems)
    catchall, exemptions, specific_types, methods = _tech_provision(folder, tech_items, chapter_rules, track)
    prereport = _prereport(folder, exemptions, lists, track)
    names = {
        "exemptions": _names_index("exemption", exemptions, "technology_provision.yaml"),
        "methods": _names_index("method", methods, "technology_provision.yaml"),
        "technologies": _names_index("technology", prereport.technologies, "prereport_technologies.yaml"),
    }
    return Technology(
        text_as_of, tech_items, tech_subitems, catchall, exemptions, specific_types, methods, prereport, names
    )
