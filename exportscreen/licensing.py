"""Screening with the licence register (issue 15 §2): a 許可要 line that a licence in the register covers is
許可取得済 (LICENSED), naming the licence; a line no licence covers stays 許可要 and says why each candidate does
not apply. Pure: the register versions come inside the rules (:meth:`exportscreen.rules.Rules.with_licences`); the
version in force on the line's ship date (as-of date) is used. Wording in ``rules/reasons.yaml`` (LICENCE-*).
A technology line (:mod:`exportscreen.technology`) is checked the same way against the licences whose 対象 is 技術
(``target="technology"``: its listing is TECH-LISTED, 外為令別表 1–15, its catch-all TECH-CATCHALL-*; its provision
date, recipient and destinations stand for the ship date, end user and destination), the reasons worded for a
provision (:data:`TECH_WORDING`); a goods licence never covers a technology line, nor a technology licence goods.

What is checked, the stricter reading where the facts note is not verified ([U]):

- only a line whose every 許可要 reason is the listing (輸出令別表第一 1–15), or, for the catch-all (16の項), an
  individual licence naming the goods and the end user; sanctions and any other 許可要 are never covered;
- a bulk licence never covers a line with an inform, an End User List hit, or a WMD or military use given;
- 一般包括: a destination in 別表第三 on the ship date; 特別一般包括: never a 別表第三の二 / 別表第四 destination;
  1の項 is outside both ([U], stricter);
- the 項番 and, where the licence names them, the end user and the 品番 (a line without one is not covered);
  validity (許可日..有効期限) containing the ship date;
- a value limit: a line value over it is not covered; no value, or a limit in another currency, 要確認;
- a quantity limit (数量上限 and 数量単位): a line quantity over it is not covered; no quantity (or one that cannot
  be read), or one not in the licence's unit (the cell's unit, else its column's: 数量（台）; a quantity without a
  unit is not taken to be in the licence's unit, and units are never converted — the stricter readings), 要確認;
- the balance (issue 15 §3): the shipments recorded against the licence (``exportscreen shipments record``) come in
  with the rules (:meth:`Rules.with_shipments`); a yen or quantity limit they use up is not covered
  (LICENCE-WHY-EXHAUSTED, -QUANTITY-EXHAUSTED); a line value or quantity over what is left, or a recorded shipment of
  unknown value or quantity, 要確認. Earlier lines of the same run are counted by :func:`in_run`, which the screening
  pipeline calls line by line in row order (the engine stays pure and memoised: a decision depends on the line and
  the rules only).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from functools import lru_cache
from itertools import chain, islice
from typing import Any, NamedTuple

from exportscreen.engine import _memo
from exportscreen.ids.text import fold
from exportscreen.licences import KIND_NAMES
from exportscreen.model import SEVERITY, Code, Decision
from exportscreen.products import part_key
from exportscreen.reasons import Phrase

L, R, C = Code.LICENSE_REQUIRED, Code.REVIEW, Code.LICENSED
BULK_EXCLUDED_KOU = {"general": ("1",), "special_general": ("1",)}  # 1の項 outside 一般/特別一般包括 ([U], stricter)
KIND_EN = {
    "individual": "individual",
    "general": "general bulk",
    "special_general": "special general bulk",
    "specific": "specific bulk",
    "special_return": "special bulk (returns)",
    "subsidiary": "specific subsidiary bulk",
}
# 対象 -> (the reason of a listing, the head of the catch-all reasons): the only 許可要 a licence of it may cover
COVERABLE = {"goods": ("LIST-LISTED", "CATCHALL-"), "technology": ("TECH-LISTED", "TECH-CATCHALL-")}
# A technology line's licence reasons: the same ids, worded for a provision (提供日, 提供先, 外為法25条) by these
# templates of rules/reasons.yaml (Catalogue.aliased).
TECH_WORDING = {
    "LICENCE-COVERED": "LICENCE-TECH-COVERED",
    "LICENCE-CHECK": "LICENCE-TECH-CHECK",
    "LICENCE-NOT-COVERED": "LICENCE-TECH-NOT-COVERED",
    "LICENCE-MORE": "LICENCE-TECH-MORE",
    "LICENCE-NONE": "LICENCE-TECH-NONE",
    "LICENCE-WHY-CATCHALL": "LICENCE-TECH-WHY-CATCHALL",
    "LICENCE-WHY-BULK-CONCERN": "LICENCE-TECH-WHY-BULK-CONCERN",
    "LICENCE-WHY-NOT-YET": "LICENCE-TECH-WHY-NOT-YET",
    "LICENCE-WHY-EXPIRED": "LICENCE-TECH-WHY-EXPIRED",
    "LICENCE-WHY-DESTINATION": "LICENCE-TECH-WHY-DESTINATION",
    "LICENCE-WHY-NOT-GROUP-A": "LICENCE-TECH-WHY-NOT-GROUP-A",
    "LICENCE-WHY-SPECIAL-GENERAL": "LICENCE-TECH-WHY-SPECIAL-GENERAL",
    "LICENCE-WHY-NO-END-USER": "LICENCE-TECH-WHY-NO-END-USER",
    "LICENCE-WHY-END-USER": "LICENCE-TECH-WHY-END-USER",
    "LICENCE-WHY-NO-PART": "LICENCE-TECH-WHY-NO-PART",
}
MAX_CANDIDATES = 3  # candidates named one by one; the rest counted
FOUND_MAX = 65536  # searches remembered per register version (Index.found)
# why a candidate does not cover the line -> how far it is from covering it (the nearest are named first)
FARTHER = {
    "LICENCE-WHY-DESTINATION": 1,
    "LICENCE-WHY-NOT-GROUP-A": 1,
    "LICENCE-WHY-SPECIAL-GENERAL": 1,
    "LICENCE-WHY-ITEM": 2,
}


class _Line(NamedTuple):
    """What the register checks of a line (apply's search and :func:`_check`)."""

    iso2: str
    day: date
    parties: list[str]
    code: Any  # the item code (ids.item_no.ItemCode)
    concern: bool  # an inform, an End User List hit, or a WMD or military use
    catch_all: bool  # its 許可要 is the catch-all's (else the listing's)
    value: float | None
    standing: tuple[bool, bool, bool]  # (Group A, 別表第三の二, 別表第四) on the day
    part: str | None
    quantity: tuple | None


def apply(
    rules: Any,
    d: Decision,
    iso2: str,
    day: date,
    names: tuple,
    facts: Any,
    value: float | None,
    standing: tuple[bool, bool, bool],
    target: str = "goods",
    part: str | None = None,
    quantity: tuple | None = None,
) -> Decision:
    """``d`` under the register in force on ``day``: LICENSED when a licence covers it, else 許可要 with the
    reasons why not. ``names`` the line's parties (str, a placeholder, or None), ``facts`` its engine.Facts (item,
    informs, end use), ``value`` the line's value in yen,
    ``standing`` the destination's (Group A, 別表第三の二, 別表第四) membership on ``day``; ``target`` the 対象 of
    the licences that may cover it (goods, or technology for a technology line: :data:`COVERABLE`); ``part`` the
    line's 品番 (a licence naming 品番 covers only the lines of one of them); ``quantity`` the line's 数量 as
    (number, folded unit or None), or None (:func:`exportscreen.engine._line_quantity`; given only when the register
    has a licence with a 数量上限)."""
    if d.code is not L:
        return d
    reg = _register_on(rules, day)
    if reg is None:
        return d
    index = reg.index if target == "goods" else reg.tech_index
    if not index.goods:
        return d
    listed, catch_all_prefix = COVERABLE[target]
    listing = catch_all = True  # every 許可要 reason the listing; else every one the catch-all
    for r in d.reasons:
        if r.severity is L:
            if r.rule_id != listed:
                listing = False
            if not r.rule_id.startswith(catch_all_prefix):
                catch_all = False
    catch_all = catch_all and not listing
    if not (listing or catch_all):
        return d
    T = rules.reasons if target == "goods" else _tech_wording(rules.reasons)
    code = facts.item
    concern = bool(facts.informs) or facts.end_use in ("wmd", "military") or any(r.hits for r in d.reasons)
    parties = [n for n in names if isinstance(n, str) and n]
    # every licence that could cover the line is among ``near``; lines that meet the same licences the same way find
    # the same: memoised where that is known from a few facts — no licence names the line's parties, and those naming
    # none have no value or quantity limit (the day then matters only through their dates: Index.settled)
    near, dates = index.near(code.kou, iso2, tuple(parties))
    settled = None if dates is None else (code.kou, iso2, bisect_right(dates, day))
    key = None if settled is None else (settled, T, code, standing, concern, catch_all, bool(parties), part)
    found = None if key is None else index.found.get(key)
    if found is None:
        line = _Line(iso2, day, parties, code, concern, catch_all, value, standing, part, quantity)
        found = _search(rules, T, index, reg, near, line)
        if key is not None:
            index.remember(key, found)
    lic, notes = found
    if lic is not None:
        left = _left(rules, lic)
        q_left = _quantity_left(rules, lic)
        q_limit = None if lic.quantity is None else (lic.quantity, lic.quantity_unit, q_left)
        lead = _covered(
            T,
            lic.no,
            lic.kind,
            lic.expires,
            lic.value,
            lic.currency,
            left,
            lic.conditions,
            reg.version,
            q_limit,
            lic.product,
        )
        kept = [_licensed(r) if r.severity is L else r for r in d.reasons]
        reviews = [T.reason("LICENCE-CHECK", R, number=lic.no, why=p) for p in notes]
        reasons = sorted([lead, *reviews, *kept], key=lambda r: -SEVERITY[r.severity])
        code_ = reasons[0].severity  # the most severe
        used = {
            "no": lic.no,
            "version": reg.version,
            "value": value,
            "left": left,
            "quantity": _in_unit(lic, quantity),  # in the licence's unit; None: not given, or in another unit
            "quantity_left": q_left,
            "quantity_limit": lic.quantity,
            "quantity_unit": lic.quantity_unit,
        }
        return d.with_reasons(code_, tuple(reasons), licence=used)
    return d.with_reasons(d.code, (*d.reasons, *notes))


def _search(rules: Any, T: Any, index: Any, reg: Any, near: tuple, line: _Line) -> tuple[Any, Any]:
    """(the licence that covers the line, the checks it leaves), or (None, the reasons no licence covers it)."""

    iso2, code, standing = line.iso2, line.code, line.standing

    def check(lic: Any) -> tuple[tuple[str, dict] | None, list[Phrase]]:
        return _check(rules, lic, line)

    verdicts = []
    for lic in near:
        if _hopeless(lic, standing):  # named below if there is room
            continue
        why, notes = check(lic)
        verdicts.append((lic, why, notes))
    covered = [v for v in verdicts if v[1] is None]
    if covered:  # a licence needing no check first
        lic, _, notes = covered[0] if len(covered) == 1 else min(covered, key=lambda v: len(v[2]))
        return lic, notes
    # None covers the line. Named, nearest first, each with the first check it fails: the licences for its 項 and
    # destination (its country, 別表第三 or 全地域) — those that could cover it, then those that cannot on that day
    # or name other end users, while there is room —, up to MAX_CANDIDATES; with none, the first of its 項 for another
    # destination; the candidates left unnamed are counted (the register's other licences are not: they are for
    # other 項 or destinations). With no licence for its 項 at all, the line says so (LICENCE-NONE): naming licences
    # of other 項 explains nothing and lengthens every 理由.
    named: list[tuple[Any, Any]] = [(lic, why) for lic, why, _ in verdicts if why]
    room = MAX_CANDIDATES - len(named)
    if room > 0:
        hopeless = (lic for lic in near if _hopeless(lic, standing))
        for lic in islice(chain(hopeless, index.other_end_users(code.kou, iso2, near)), room):
            named.append((lic, check(lic)[0]))
    named = sorted((v for v in named if v[1] is not None), key=lambda v: FARTHER.get(v[1][0], 0))[:MAX_CANDIDATES]
    if not named and index.by_kou.get(code.kou):  # one of its 項 for another destination: named, as the nearest
        lic = index.by_kou[code.kou][0]
        named = [(lic, why) for why in (check(lic)[0],) if why is not None]
    if not named:
        out = [_none_for(T, code.format(), _country(rules, iso2), len(index.goods), reg.version)]
        return None, tuple(out)
    failing: dict[tuple, list] = {}  # the licences that fail the line the same way: one reason
    for lic, why in named:
        failing.setdefault((why[0], tuple(why[1].items())), []).append((lic.kind, lic.no))
    out = [_not_covered(T, tuple(lics), why, params) for (why, params), lics in failing.items()]
    if len(named) == MAX_CANDIDATES:  # the candidates left unnamed, counted
        total = index.candidates(code.kou, iso2)
        if total > len(named):
            out.append(_more(T, total - len(named), reg.version))
    return None, tuple(out)


@lru_cache(maxsize=4096)
def _licensed(r: Any) -> Any:
    """A 許可要 reason of a line a licence covers, as LICENSED (memoised: a listing's reason is shared by lines)."""
    return replace(r, severity=C)


@lru_cache(maxsize=8)
def _tech_wording(T: Any) -> Any:
    """The reason catalogue ``T`` with the licence reasons worded for technology (:data:`TECH_WORDING`)."""
    return T.aliased(TECH_WORDING)


@lru_cache(maxsize=16384)
def _not_covered(T: Any, licences: tuple[tuple[str, str], ...], why: str, params: tuple) -> Any:
    """The reason ``licences`` ((kind, 許可番号) each) do not cover a line (memoised: many lines fail a licence the
    same way)."""
    return T.reason("LICENCE-NOT-COVERED", L, licences=_named(licences), why=T.phrase(why, **dict(params)))


def _named(licences: tuple[tuple[str, str], ...]) -> Phrase:
    """一般包括許可 GB-1・GB-2、特別一般包括許可 SG-1 / general bulk licences GB-1, GB-2 and special general bulk
    licence SG-1: the licences by kind, in their order."""
    kinds: dict[str, list[str]] = {}
    for kind, no in licences:
        kinds.setdefault(kind, []).append(no)
    ja = "、".join(f"{KIND_NAMES[k]}許可 {'・'.join(nos)}" for k, nos in kinds.items())
    en = [f"{KIND_EN[k]} licence{'s' if len(nos) > 1 else ''} {', '.join(nos)}" for k, nos in kinds.items()]
    return Phrase(ja, " and ".join(en) if len(en) < 3 else ", ".join(en[:-1]) + " and " + en[-1])


@lru_cache(maxsize=4096)
def _covered(
    T: Any,
    no: str,
    kind: str,
    expires: date,
    value: Any,
    currency: str,
    left: Any,
    conditions: str,
    version: str,
    quantity: tuple | None = None,
    product: str = "",
) -> Any:
    """The reason naming the licence that covers a line (memoised: a licence covers many lines); ``quantity`` its
    quantity limit, unit and what is left of it (None: not known), when it has one; ``product`` its 品名, shown for
    the clerk to see the goods are the licence's (a 品名 is not compared: only 品番 are)."""
    limit: Any = T.phrase("LICENCE-LIMIT", value=value, currency=currency) if value is not None else ""
    if left is not None and left != value:  # shipments recorded: the balance too
        limit = T.phrase("LICENCE-LIMIT-LEFT", value=value, left=left)
    if quantity is not None:
        q, unit, q_left = quantity
        more = T.phrase("LICENCE-QUANTITY-LIMIT", limit=q, unit=unit)
        if q_left is not None and q_left != q:
            more = T.phrase("LICENCE-QUANTITY-LEFT", limit=q, left=q_left, unit=unit)
        limit = Phrase(getattr(limit, "ja", "") + more.ja, getattr(limit, "en", "") + more.en)
    cond: Any = T.phrase("LICENCE-CONDITIONS", text=conditions) if conditions else ""
    if product:
        goods = T.phrase("LICENCE-PRODUCT", text=product)
        cond = Phrase(goods.ja + getattr(cond, "ja", ""), goods.en + getattr(cond, "en", ""))
    kind_ = Phrase(KIND_NAMES[kind], KIND_EN[kind])
    return T.reason(
        "LICENCE-COVERED", C, number=no, kind=kind_, expires=expires, limit=limit, conditions=cond, version=version
    )


def _hopeless(lic: Any, standing: tuple[bool, bool, bool]) -> bool:
    """A licence that cannot cover a line to a destination of this standing on its day: a 一般包括 licence, or one
    for 別表第三, outside 別表第三; a 特別一般包括 licence to a 別表第三の二 / 別表第四 destination (as
    :func:`_check` finds)."""
    if lic.kind == "general" or lic.group == "group_a":
        return not standing[0]
    return lic.kind == "special_general" and (standing[1] or standing[2])


@lru_cache(maxsize=64)
def _more(T: Any, count: int, version: str) -> Any:
    return T.reason("LICENCE-MORE", L, count=count, version=version)


@lru_cache(maxsize=4096)
def _none_for(T: Any, code: str, country: Phrase, count: int, version: str) -> Any:
    """No licence of the register is for the line's 項番 and destination (one reason per 項番 and country)."""
    return T.reason("LICENCE-NONE", L, code=code, country=country, count=count, version=version)


class Index:
    """The licences of one 対象 (``target``: goods or technology) of one register version, indexed for screening
    (built once per version, :attr:`exportscreen.licences.Register.index` and ``tech_index``; :attr:`goods` holds
    the licences of the target): by 項 and destination, so a line is checked against the licences
    that could cover it — of its 項, naming its destination or a group (別表第三, 全地域), naming its end user or
    none — and not against the whole register (issue 15 §4: 1,000 licences add at most 10 % to screening)."""

    def __init__(self, licences: tuple, target: str = "goods") -> None:
        self.goods = tuple(lic for lic in licences if lic.target == target)
        self.position = {id(lic): i for i, lic in enumerate(self.goods)}
        self.by_kou: dict[str, list] = {}
        self.by_destination: dict[tuple[str, str], list] = {}
        self.by_group: dict[str, list] = {}
        self.parties = {id(lic): frozenset(fold(p) for p in lic.parties) for lic in self.goods}
        for lic in self.goods:
            for kou in dict.fromkeys(r.kou for r in lic.items):
                self.by_kou.setdefault(kou, []).append(lic)
                if lic.group is not None:
                    self.by_group.setdefault(kou, []).append(lic)
                for iso2 in lic.countries:
                    self.by_destination.setdefault((kou, iso2), []).append(lic)
        self._slots: dict[tuple[str, str], tuple] = {}
        self._dates: dict[tuple[str, str], Any] = {}  # the dates of the licences naming no end user (settled)
        self.found: dict[tuple, tuple] = {}  # what apply's search found, by the facts it depends on (settled)
        self._near: dict[tuple, tuple] = {}  # (項, destination, parties) -> near's answer

    def _slot(self, kou: str, iso2: str) -> tuple:
        """(naming no end user, by folded end user, naming one) for a 項 and a destination, each in register order;
        built once."""
        slot = self._slots.get((kou, iso2))
        if slot is None:
            found = {id(lic): lic for lic in (*self.by_destination.get((kou, iso2), ()), *self.by_group.get(kou, ()))}
            ordered = sorted(found.values(), key=lambda lic: self.position[id(lic)])
            by_party: dict[str, list] = {}
            for lic in ordered:
                for p in self.parties[id(lic)]:
                    by_party.setdefault(p, []).append(lic)
            anyone = tuple(lic for lic in ordered if not lic.parties)
            party = tuple(lic for lic in ordered if lic.parties)
            slot = self._slots[(kou, iso2)] = (anyone, by_party, party)
        return slot

    def near(self, kou: str, iso2: str, parties: tuple[str, ...]) -> tuple[tuple, tuple | None]:
        """(the licences that could cover a line of 項 ``kou`` to ``iso2`` for ``parties`` — of that 項, naming the
        destination or a group (別表第三, 全地域), naming one of the parties or none —, in register order: a
        superset of those that do (the checks themselves are :func:`_check`'s); the dates that settle the search
        (:meth:`settled`), or None). Remembered by the three."""
        key = (kou, iso2, parties)
        hit = self._near.get(key)
        if hit is None:
            anyone, by_party, _party = self._slot(kou, iso2)
            extra = [lic for p in parties for lic in by_party.get(_fold(p), ())] if by_party else ()
            if not extra:
                hit = (anyone, self.settled(kou, iso2))
            else:
                both = {id(lic): lic for lic in (*anyone, *extra)}
                hit = (tuple(sorted(both.values(), key=lambda lic: self.position[id(lic)])), None)
            if len(self._near) >= FOUND_MAX:
                self._near.clear()
            self._near[key] = hit
        return hit

    def settled(self, kou: str, iso2: str) -> tuple | None:
        """For a line that no licence of the 項 and destination names the parties of (its candidates are those naming
        no end user): when none of them has a value or quantity limit, the dates where the search may find otherwise
        (許可日, the day after 有効期限) — it depends, besides the line's goods, standing and concern, on the 項, the
        destination and where the day falls among those dates; the other candidates fail on what they are for,
        before their dates. Else None (the search is not memoised)."""
        dates = self._dates.get((kou, iso2), False)
        if dates is False:
            anyone = self._slot(kou, iso2)[0]
            limited = any(lic.value is not None or lic.quantity is not None for lic in anyone)
            days = {d for lic in anyone for d in (lic.granted, lic.expires + timedelta(days=1))}
            dates = self._dates[(kou, iso2)] = None if limited else tuple(sorted(days))
        return dates

    def remember(self, key: tuple, found: tuple) -> None:
        if len(self.found) >= FOUND_MAX:
            self.found.clear()
        self.found[key] = found

    def candidates(self, kou: str, iso2: str) -> int:
        """How many licences are for the 項 and the destination (its country, 別表第三 or 全地域), whatever end user
        they name: those :meth:`near` and :meth:`other_end_users` give together."""
        anyone, _by_party, party = self._slot(kou, iso2)
        return len(anyone) + len(party)

    def other_end_users(self, kou: str, iso2: str, near: tuple) -> Iterator:
        """The licences of the 項 for the destination that name other end users (those ``near`` leaves out)."""
        skip = {id(lic) for lic in near}
        return (lic for lic in self._slot(kou, iso2)[2] if id(lic) not in skip)


def _check(rules: Any, lic: Any, line: _Line) -> tuple[tuple[str, dict] | None, list[Phrase]]:
    """(why the licence does not cover the line — a LICENCE-WHY-* id and its parameters, the first check it fails:
    what it is for, then when, then how much — or None; the checks it leaves to the clerk when it does)."""
    T = rules.reasons
    iso2, day, parties, code, concern, catch_all, value, standing, part, quantity = line
    group_a, un_embargo, concern_list = standing
    if not _covers(lic.items, code):
        return ("LICENCE-WHY-ITEM", {"code": code.format(), "items": "、".join(i.format() for i in lic.items)}), []
    if code.kou in BULK_EXCLUDED_KOU.get(lic.kind, ()):
        return ("LICENCE-WHY-KOU-1", {"code": code.format()}), []
    if catch_all and (lic.bulk or not lic.parties):
        return ("LICENCE-WHY-CATCHALL", {}), []
    if lic.bulk and concern:
        return ("LICENCE-WHY-BULK-CONCERN", {}), []
    if not (iso2 in lic.countries or lic.group in ("all", "group_a")):
        return ("LICENCE-WHY-DESTINATION", {"country": _country(rules, iso2)}), []
    if (lic.kind == "general" or lic.group == "group_a") and not group_a:
        return ("LICENCE-WHY-NOT-GROUP-A", {"country": _country(rules, iso2)}), []
    if lic.kind == "special_general" and (un_embargo or concern_list):
        return ("LICENCE-WHY-SPECIAL-GENERAL", {"country": _country(rules, iso2)}), []
    if lic.parties:
        allowed = _folded(lic.parties)
        if not parties:
            return ("LICENCE-WHY-NO-END-USER", {"parties": "、".join(lic.parties)}), []
        if any(_fold(p) not in allowed for p in parties):
            return ("LICENCE-WHY-END-USER", {"parties": "、".join(lic.parties)}), []
    if lic.parts:  # a licence for named 品番: only lines of one of them ([U] how 品番 limit a licence: stricter)
        if not part:
            return ("LICENCE-WHY-NO-PART", {"parts": "、".join(lic.parts)}), []
        if part_key(part) not in _part_keys(lic.parts):
            return ("LICENCE-WHY-PART", {"parts": "、".join(lic.parts)}), []
    # the dates after what the licence is for (goods, destination, parties): a licence that could never cover the
    # line does not say "not yet granted" (a clerk would wait for it)
    if day < lic.granted:
        return ("LICENCE-WHY-NOT-YET", {"granted": lic.granted}), []
    if day > lic.expires:
        return ("LICENCE-WHY-EXPIRED", {"expires": lic.expires}), []
    notes: list[Phrase] = []
    usage = _usage(rules, lic) if lic.value is not None or lic.quantity is not None else None
    if lic.value is not None:
        shipped = usage.value if usage is not None else 0.0
        if lic.currency != "JPY":
            notes.append(T.phrase("LICENCE-CHECK-CURRENCY", limit=lic.value, currency=lic.currency))
        elif value is not None and value > lic.value:
            return ("LICENCE-WHY-VALUE-OVER", {"limit": lic.value}), []
        elif usage is not None and usage.unknown:
            notes.append(T.phrase("LICENCE-CHECK-BALANCE-UNKNOWN", count=usage.unknown, limit=lic.value))
        elif shipped >= lic.value:
            return ("LICENCE-WHY-EXHAUSTED", {"shipped": shipped, "limit": lic.value}), []
        elif value is None:
            notes.append(T.phrase("LICENCE-CHECK-NO-VALUE", limit=lic.value))
        elif value > lic.value - shipped:
            notes.append(T.phrase("LICENCE-CHECK-BALANCE", value=value, left=lic.value - shipped, limit=lic.value))
    if lic.quantity is not None:  # never converted: a quantity in another unit, or none, is 要確認
        limit, unit, q = lic.quantity, lic.quantity_unit, _in_unit(lic, quantity)
        shipped = usage.quantity if usage is not None else 0.0
        if q is not None and q > limit:
            return ("LICENCE-WHY-QUANTITY-OVER", {"limit": limit, "unit": unit}), []
        if shipped >= limit:  # shipments of unknown quantity can only add to it
            return ("LICENCE-WHY-QUANTITY-EXHAUSTED", {"shipped": shipped, "limit": limit, "unit": unit}), []
        if usage is not None and usage.quantity_unknown:
            notes.append(
                T.phrase("LICENCE-CHECK-QUANTITY-UNKNOWN", count=usage.quantity_unknown, limit=limit, unit=unit)
            )
        elif quantity is None:
            notes.append(T.phrase("LICENCE-CHECK-NO-QUANTITY", limit=limit, unit=unit))
        elif q is None:
            unit_note = T.phrase("LICENCE-CHECK-QUANTITY-UNIT", limit=limit, unit=unit) if unit else None
            notes.append(unit_note or T.phrase("LICENCE-CHECK-QUANTITY-UNIT-NONE", limit=limit))
        elif q > limit - shipped:
            notes.append(T.phrase("LICENCE-CHECK-QUANTITY-BALANCE", left=limit - shipped, limit=limit, unit=unit))
    return None, notes


def _in_unit(lic: Any, quantity: tuple | None) -> float | None:
    """The line's quantity when it is in the licence's unit (the same folded text; both without one), else None."""
    if quantity is None or lic.quantity is None:
        return None
    number, unit = quantity
    return number if (unit or "") == _fold(lic.quantity_unit) else None


_fold = lru_cache(maxsize=65536)(fold)  # names and 許可番号 recur: folded once each


def _register_on(rules: Any, day: date) -> Any:
    """The register version in force on ``day`` (memoised with the engine's caches: every 許可要 line asks)."""
    return rules.licences_on(day)


_register_on = _memo(maxsize=4096)(_register_on)


@_memo(maxsize=1024)
def _country(rules: Any, iso2: str) -> Phrase:
    """The destination as a why-not names it (memoised with the engine's caches)."""
    c = rules.countries[iso2]
    return Phrase(c.name_ja, c.name_en)


def _covers(items: tuple, code: Any) -> bool:
    for i in items:
        if i.covers(code):
            return True
    return False


@lru_cache(maxsize=4096)
def _folded(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(_fold(n) for n in names)


@lru_cache(maxsize=4096)
def _part_keys(parts: tuple[str, ...]) -> frozenset[str]:
    return frozenset(part_key(p) for p in parts)


def _usage(rules: Any, lic: Any) -> Any:
    """The shipments recorded against the licence (shipments.Usage), or None."""
    return rules.licence_usage.get(_fold(lic.no))


def _left(rules: Any, lic: Any) -> float | None:
    """The licence's value balance in yen before this run: its 金額上限 less the shipments recorded against it;
    None when it has no yen limit or a recorded shipment's value is not known."""
    if lic.value is None or lic.currency != "JPY":
        return None
    usage = _usage(rules, lic)
    if usage is None:
        return lic.value
    return None if usage.unknown else lic.value - usage.value


def _quantity_left(rules: Any, lic: Any) -> float | None:
    """The licence's quantity balance before this run: its 数量上限 less the quantities of the shipments recorded
    against it; None when it has no quantity limit or a recorded shipment's quantity is not known."""
    if lic.quantity is None:
        return None
    usage = _usage(rules, lic)
    if usage is None:
        return lic.quantity
    return None if usage.quantity_unknown else lic.quantity - usage.quantity


def no_register(rules: Any, d: Decision) -> Phrase | None:
    """What LICENCE_FOR adds to a 許可要 line when no licence register is in force on its date, else None."""
    if d.code is L and rules.licences_on(d.as_of) is None:
        return rules.reasons.phrase("LICENCE-NO-REGISTER")
    return None


def in_run(rules: Any, d: Decision, used: dict[str, tuple]) -> Decision:
    """``d`` after the earlier lines of the same run (``used``: licence -> (yen, quantity, lines of no quantity in
    the licence's unit, lines of no value) of the lines before this one that the licence covers, updated here). A
    line whose value, or quantity, is more than the balance left once those lines are counted is 要確認
    (LICENCE-BALANCE-RUN, LICENCE-BALANCE-RUN-QUANTITY); so is a line of a licence with a 金額上限 or 数量上限 after
    such lines whose value or quantity is not known (the stricter reading: LICENCE-BALANCE-RUN-VALUE-UNKNOWN,
    LICENCE-BALANCE-RUN-QUANTITY-UNKNOWN). Every line the licence covers counts, 要確認 or not: a line the clerk
    clears is shipped under it too. Called by the screening pipeline in row order (the engine cannot: it decides one
    line, memoised)."""
    lic = d.licence
    if lic is None:
        return d
    no, value, left, quantity, q_left = lic["no"], lic["value"], lic["left"], lic["quantity"], lic["quantity_left"]
    before, q_before, q_unknown, v_unknown = used.get(no, (0.0, 0.0, 0, 0))
    limited = lic["quantity_limit"] is not None
    used[no] = (
        before + (value or 0.0),
        q_before + (quantity or 0.0),
        q_unknown + (limited and quantity is None),
        v_unknown + (left is not None and value is None),
    )
    over = []
    if left is not None and value is not None and v_unknown:
        over.append(rules.reasons.reason("LICENCE-BALANCE-RUN-VALUE-UNKNOWN", R, number=no, count=v_unknown))
    elif left is not None and value is not None and before and value > left - before:
        over.append(
            rules.reasons.reason(
                "LICENCE-BALANCE-RUN", R, number=no, earlier=before, left=max(left - before, 0.0), value=value
            )
        )
    if limited and quantity is not None and q_unknown:
        over.append(rules.reasons.reason("LICENCE-BALANCE-RUN-QUANTITY-UNKNOWN", R, number=no, count=q_unknown))
    elif q_left is not None and quantity is not None and q_before and quantity > q_left - q_before:
        left_now = max(q_left - q_before, 0.0)
        over.append(
            rules.reasons.reason(
                "LICENCE-BALANCE-RUN-QUANTITY",
                R,
                number=no,
                earlier=q_before,
                left=left_now,
                quantity=quantity,
                unit=lic["quantity_unit"],
            )
        )
    if not over:
        return d
    code = max((d.code, R), key=SEVERITY.__getitem__)
    reasons = tuple(sorted((*over, *d.reasons), key=lambda r: -SEVERITY[r.severity]))
    return d.with_reasons(code, reasons)


def _kind(lic: Any) -> Phrase:
    return Phrase(lic.kind_name, KIND_EN[lic.kind])
