"""The screening engine: (order line, rules, as-of date) → :class:`~exportscreen.model.Decision`.

Pure: no I/O, no xlwings, no clock: the caller passes the rules and ``today`` (the thin default helper is
:func:`exportscreen.state.rules`). Memoised on the raw and on the normalised line; every cache is registered with
:func:`_memo` and cleared together by :func:`clear_caches`. Which reasons apply is decided here; their wording
and legal references are data (``rules/reasons.yaml``), filled in by :mod:`exportscreen.reasons`.

Order of evaluation (輸出令1条, 2条, 4条; facts §3.3 and §9): sanctions overlays, then list control
(別表第一 1–15), then catch-all (16の項), then exemptions (少額特例). The decision is the most severe
outcome; every step that fired contributes a :class:`Reason` with its legal reference. When a fact needed
for a requirement is missing the step says 要確認 naming the fact — it never concludes 許可不要.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache
from typing import Any, TypeVar

from exportscreen.ids import InvalidInput, hs_code, item_no
from exportscreen.ids.hs_code import format_hs
from exportscreen.ids.text import cell_text, fold
from exportscreen.ids.values import (
    parse_date,
    parse_end_use,
    parse_inform,
    parse_quantity,
    split_amount,
    split_quantity,
    unit_of,
)
from exportscreen.model import SEVERITY, Code, Decision, Money, Reason
from exportscreen.reasons import Phrase
from exportscreen.rules import Rules

ORDER_FIELDS = (
    "country",
    "item",
    "hs",
    "end_user",
    "end_use",
    "inform",
    "value_jpy",
    "ship_date",
    "final_destination",  # 最終仕向地: screened too when it is another country (transit, re-export)
    "final_end_user",  # 最終需要者: checked against the End User List too
    "part_no",  # 品番: looked up in the 品番マスタ (never read as an item code)
)
REVISION_2025 = date(2025, 10, 9)  # 16の項 split, Group A inform (輸出令改正, in force 2025-10-09)

R, L, P, N = Code.REVIEW, Code.LICENSE_REQUIRED, Code.PROHIBITED, Code.NO_LICENSE


# ---------------------------------------------------------------- caches

F = TypeVar("F", bound=Callable[..., Any])
_CACHES: list[Any] = []


def _memo(maxsize: int, typed: bool = False) -> Callable[[F], F]:
    """``functools.lru_cache``, registered so that :func:`clear_caches` clears every cache of the engine."""

    def wrap(f: F) -> F:
        cached = lru_cache(maxsize=maxsize, typed=typed)(f)
        _CACHES.append(cached)
        return cached  # type: ignore[return-value]

    return wrap


def clear_caches() -> None:
    """Forget every memoised result (memory only: results are keyed on the rules object, never stale)."""
    _seen.clear()
    for cached in _CACHES:
        cached.cache_clear()


# ---------------------------------------------------------------- facts of a line


@dataclass(frozen=True)
class Facts:
    """What list control and the catch-all need to know about a line: the destination's standing, not its name,
    and ``as_of`` = the first day of the rules period (epoch) the line's as-of date falls in."""

    as_of: date
    group_a: bool
    un_embargo: bool
    concern: bool
    item: item_no.ItemCode
    hs: str | None
    end_use: str
    informs: frozenset[str]
    within_small_value: bool | None  # the value against the small-value limit for this item; None: no value given
    value_unit: str | None = None  # the currency of a value that could not be converted to yen (no rate given)
    value_how: tuple | None = None  # how a value not given in yen was converted (phrases), for listed goods
    value_text: str | None = None  # a value cell read as not given (不明, -, 0 …: a placeholder), for listed goods


def _key(value):
    """A hashable, type-stable form of a raw cell value for memoisation."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, float) and value != value:
        return None
    return value


def screen(
    country: Any = None,
    item: Any = None,
    hs: Any = None,
    end_user: Any = None,
    end_use: Any = None,
    inform: Any = None,
    value_jpy: Any = None,
    ship_date: Any = None,
    final_destination: Any = None,
    final_end_user: Any = None,
    part_no: Any = None,
    *,
    rules: Rules,
    today: date,
    rates: tuple[tuple[str, float], ...] = (),
    quantity: Any = None,
    quantity_unit: str | None = None,
) -> Decision:
    """Screen one order line given as raw cell values, under ``rules``, with ``today`` as the as-of date of a line
    without a ship date. Never raises for bad input: it returns INVALID.

    ``value_jpy`` is yen, text naming its unit (USD 1,000; 5千円), or a :class:`~exportscreen.model.Money` (a value
    in the unit its column names); ``rates`` are the exchange rates the user gave, (currency, yen per unit) pairs
    (:func:`parse_rates`): a value in a currency without a rate is never read as yen.
    A ``final_destination`` other than ``country`` is screened too (the stricter decision wins, the reasons of each
    destination marked with it); a ``final_end_user`` is checked against the End User List with ``end_user``.
    A ``part_no`` (品番, never read as an item code) is looked up in the 品番マスタ the rules carry
    (:meth:`Rules.with_products`): see :func:`_by_part`. ``quantity`` (the 数量 cell: 10, 10台, 5 kg; its column's
    unit ``quantity_unit`` — 数量（台） — when the cell names none) is read for the licences with a 数量上限 only: with
    none in the rules' registers it is dropped here and enters no memo key (:func:`_line_quantity`)."""
    cells: tuple[Any, ...] = (
        country,
        item,
        hs,
        end_user,
        end_use,
        inform,
        value_jpy,
        ship_date,
        final_destination,
        final_end_user,
        part_no,
    )
    lq = None  # the quantity, read only for the licences with a 数量上限
    if quantity is not None and rules.quantity_limits and quantity.__hash__ is not None:
        lq = _line_quantity(quantity, quantity_unit)
    if bool in map(type, cells):  # TRUE/FALSE are text to us (True == 1 would share 1's memo entries)
        cells = tuple(("TRUE" if c else "FALSE") if type(c) is bool else c for c in cells)
    key = (rules, today, rates, *cells) if lq is None else (rules, today, rates, lq, *cells)  # (never the same length)
    try:
        return _seen[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable cell value: decide without the first-level cache
        return _decide(rules, today, rates, *map(_key, cells))
    *fields, part = map(_key, cells)
    if part is None:
        decision = (
            _decide(rules, today, rates, *fields)
            if lq is None
            else _decide(rules, today, rates, *fields, licence_quantity=lq)
        )
    else:  # remembered here only: _by_part's own look-ups are memoised, a second memo of the line would cost more
        decision = _by_part(rules, today, rates, tuple(fields), part, lq)
    if len(_seen) >= MEMO_LINES:
        _seen.clear()
    _seen[key] = decision
    return decision


_seen: dict[tuple, Decision] = {}  # first-level memo on the raw values, before any normalisation
MEMO_LINES = 10_000  # distinct lines remembered (each with its decision): a million would take gigabytes


@_memo(maxsize=8192, typed=True)
def _line_quantity(value: Any, header_unit: str | None) -> tuple[float, str | None] | None:
    """(number, folded unit — the cell's, else its column's — or None) of a line's 数量, as the licence check compares
    it with a 数量上限 (never converted: :func:`exportscreen.licensing._check`); None when the cell is blank or
    cannot be read as a quantity (the licence check then asks for it)."""
    try:
        number, unit = split_quantity(value)
    except InvalidInput:
        return None
    if number is None:
        return None
    unit = unit or header_unit
    return number, (fold(unit) or None) if unit else None


@_memo(maxsize=MEMO_LINES)
def _decide(
    rules: Rules,
    today: date,
    rates: tuple,
    country: Any,
    item: Any,
    hs: Any,
    end_user: Any,
    end_use: Any,
    inform: Any,
    value_jpy: Any,
    ship_date: Any,
    final_destination: Any,
    final_end_user: Any,
    part_no: Any = None,
    master: tuple | None = None,  # (positional: a memo key without keyword arguments is made with less work)
    *,
    licence_part: Any = None,
    licence_quantity: tuple | None = None,
) -> Decision:
    """``licence_part``: the 品番 of a line whose goods the master gave (:func:`_by_part`), for the licences that name
    their 品番 (a line without one is covered by none of them); ``licence_quantity``: the line's quantity
    (:func:`_line_quantity`), for the licences with a 数量上限 (passed only when the register has one); ``master``:
    the classification the 品番マスタ gave (its version, 該非, HS, 判定日), named in the reasons (PART-FROM-MASTER)."""
    if part_no is not None:
        cells = (country, item, hs, end_user, end_use, inform, value_jpy, ship_date, final_destination, final_end_user)
        return _by_part(rules, today, rates, cells, part_no, licence_quantity)
    try:
        iso2, as_of, names, facts = _facts(
            rules, today, country, item, hs, end_user, end_use, inform, value_jpy, ship_date, final_end_user, rates
        )
        final = _final_country(rules, final_destination)
    except InvalidInput as exc:
        as_of = today
        try:
            as_of = parse_date(ship_date) or today
        except InvalidInput:
            pass
        reason = rules.reasons.reason(f"INPUT-{exc.field.upper()}", Code.INVALID, message=Phrase(exc.ja, exc.en))
        return Decision(Code.INVALID, (reason,), as_of, rules.version)
    if final is None or final == iso2:
        # the master's reason among the others as they are sorted (not added to a decision made without it)
        decision = _evaluate(rules, iso2, as_of, names, facts, master)
        if rules.licence_registers and decision.code is L:  # the licence register (exportscreen/licensing.py)
            value = _value(rules, value_jpy, rates)[0]
            standing = _country_day(rules, iso2, as_of)
            decision = licensing.apply(
                rules,
                decision,
                iso2,
                as_of,
                names,
                facts,
                value,
                standing,
                part=licence_part,
                quantity=licence_quantity,
            )
        return decision
    # Transit or re-export: the goods are screened for the final destination as well; the stricter decision wins.
    group_a, un_embargo, concern = _country_day(rules, final, as_of)
    onward = replace(facts, group_a=group_a, un_embargo=un_embargo, concern=concern)
    decision = _both_destinations(
        rules, _evaluate(rules, iso2, as_of, names, facts, None), _evaluate(rules, final, as_of, names, onward, None)
    )
    return _adding(decision, _from_master(rules, *master)) if master else decision


def _by_part(rules: Rules, today: date, rates: tuple, cells: tuple, part_no: Any, lq: tuple | None = None) -> Decision:
    """A line naming a 品番: the 品番マスタ in force on the line's date supplies 該非 and HS where the line leaves
    them blank; where the line gives them too and they differ, the stricter decision (PART-DISAGREE). A 品番 the
    master does not hold is 要確認 (the typed goods still decide when stricter); with no master in force, a line
    that gives its goods is decided by them, one that does not is 要確認 (PART-NO-MASTER). A classification
    older than an amendment touching its 項, or past its 見直し期限, is 要確認 (PART-STALE, PART-REVIEW-DUE). The
    master's version is named in the reasons (PART-FROM-MASTER)."""
    item, hs = cells[1], cells[2]
    try:
        as_of = _ship_date(cells[7]) or today
    except InvalidInput:
        return _decide(rules, today, rates, *cells)  # the ship date's own error
    master = rules.master_on(as_of)
    part = part_no if part_no.__class__ is str else cell_text(part_no) or ""  # as shown (str: stripped by _key)
    kw: dict[str, Any] = {}  # (none without a register: the usual memo key, no keyword arguments in it)
    if rules.licence_registers:
        kw["licence_part"] = part  # for the licences naming their 品番
    if lq is not None:
        kw["licence_quantity"] = lq
    if master is None and item is not None:  # no master yet: the typed goods decide, as before masters existed
        return _decide(rules, today, rates, *cells, **kw)
    product = master.classified(part_no) if master is not None else None
    if product is None:
        unknown = part_missing(rules, master, part)
        if item is None:
            return code_unknown(unknown, [_decide(rules, today, rates, cells[0], c, *cells[2:]) for c in PROBE_ITEMS])
        return _adding(_decide(rules, today, rates, *cells, **kw), unknown)
    classified = (master.version, product.item, product.hs, product.judged)
    stale = product_stale(rules, product, as_of)
    if item is None and hs is None and stale is None:  # the usual line: the master gives both
        # part_no None, then the master (mypy cannot count the cells: ten, the fields before part_no)
        return _decide(rules, today, rates, cells[0], product.item, product.hs, *cells[3:], None, classified, **kw)  # type: ignore[call-arg]
    extra = [_from_master(rules, *classified)]
    if stale is not None:
        extra.append(stale)
    if item is None and hs is None:
        decision = _decide(rules, today, rates, cells[0], product.item, product.hs, *cells[3:], **kw)
        return decision if decision.code is Code.INVALID else _adding(decision, *extra)
    by_master = (cells[0], product.item, product.hs if product.hs is not None else hs, *cells[3:])
    typed = (cells[0], product.item if item is None else item, product.hs if hs is None else hs, *cells[3:])
    decision = _decide(rules, today, rates, *by_master, **kw)
    if typed != by_master:
        as_typed = _decide(rules, today, rates, *typed, **kw)
        if as_typed.code is Code.INVALID:
            return as_typed
        shown = describe_item(rules, typed[1], typed[2], as_of)
        master_shown = describe_item(rules, by_master[1], by_master[2], as_of)
        if shown != master_shown:
            extra.append(rules.reasons.reason("PART-DISAGREE", N, part=part, typed=shown, master=master_shown))
            if SEVERITY[as_typed.code] > SEVERITY[decision.code]:
                decision = as_typed
    if decision.code is Code.INVALID:
        return decision
    return _adding(decision, *extra)


@_memo(maxsize=4096)
def _from_master(rules: Rules, version: str, item: str, hs: Any, judged: date) -> Reason:
    """PART-FROM-MASTER: one Reason per classification (shared by the parts and lines that have it: rendered,
    measured and recorded once)."""
    shown_hs = format_hs(hs) if hs else "—"
    return rules.reasons.reason(
        "PART-FROM-MASTER", N, item=item, hs=shown_hs, judged=judged.isoformat(), version=version
    )


def part_missing(rules: Rules, master: Any, part: str) -> Reason:
    """要確認 for a 品番 the master in force does not hold (PART-UNKNOWN), or when none is in force (PART-NO-MASTER)."""
    if master is None:
        return rules.reasons.reason("PART-NO-MASTER", R, part=part)
    return rules.reasons.reason("PART-UNKNOWN", R, part=part, version=master.version)


PROBE_ITEMS = ("1の項", "非該当")  # a listed and a non-listed code: what both lines get applies whatever the code is


def code_unknown(missing: Reason, probes: list[Decision]) -> Decision:
    """The decision of a line whose code is not known (a 品番 the master cannot classify): 要確認 naming why
    (``missing``), with what applies whatever the code is — the sanctions reasons every probe (the line decided with
    each of :data:`PROBE_ITEMS`) has, so an embargo is never hidden behind 要確認 —, the sanctions that depend on the
    code as 要確認 (Russia: prohibited if listed, to be checked if not — the clerk sees which measure), or the line's
    input error when every probe has one (a bad country is 入力エラー, not 要確認)."""
    first = probes[0]
    if all(p.code is Code.INVALID for p in probes):
        return first
    shared = set.intersection(*({r.rule_id for r in p.reasons if r.topic == "sanctions"} for p in probes))
    kept = {r.rule_id: r for r in first.reasons if r.rule_id in shared}
    for p in probes:  # the code decides these: at most 要確認 until it is known
        for r in p.reasons:
            if r.topic == "sanctions" and r.rule_id not in kept:
                kept[r.rule_id] = r if SEVERITY[r.severity] <= SEVERITY[R] else replace(r, severity=R)
    reasons = tuple(sorted((missing, *kept.values()), key=_by_severity))
    return Decision(
        reasons[0].severity,
        reasons,
        first.as_of,
        first.rules_version,
        country=first.country,
        eul_version=first.eul_version,
    )


def product_stale(rules: Rules, product: Any, day: date, code: str | None = None) -> Reason | None:
    """Why a 品番マスタ classification must be judged again on ``day`` (要確認), or None: its 判定日 is before an
    amendment in force on ``day`` that touches its 項 (非該当: every amendment; scope unknown: every 項), or its
    見直し期限 has passed. ``code``: the classification used (the 技術該非 for a technology line; default 該非)."""
    if product.review_by is None and product.judged >= rules.last_amendment:
        return None  # judged since the last amendment, no 見直し期限: stale on no day (most products, most lines)
    kou: Any = False  # parsed when an amendment in force on ``day`` came after the 判定日
    for a in reversed(rules.amendments):
        if not product.judged < a.effective <= day:
            continue
        if kou is False:
            kou = item_no.parse(product.item if code is None else code).kou or None
        if a.touches(kou):
            return rules.reasons.reason(
                "PART-STALE",
                R,
                part=product.part_no,
                day=a.effective.isoformat(),
                judged=product.judged.isoformat(),
                amendment=Phrase(a.name_ja or f"{a.effective} 改正", a.name_en or f"{a.effective} amendment"),
            )
    if product.review_by is not None and product.review_by < day:
        return rules.reasons.reason("PART-REVIEW-DUE", R, part=product.part_no, day=product.review_by.isoformat())
    return None


def _adding(d: Decision, *extra: Reason) -> Decision:
    """``d`` with more reasons: the code the strictest of them all (an input error stays one)."""
    if d.code is Code.INVALID:
        return d
    code: Code = d.code
    reasons, at = d.reasons, 0
    for r in sorted(extra, key=_by_severity) if len(extra) > 1 else extra:
        rank = SEVERITY[r.severity]
        if rank > SEVERITY[code]:
            code = r.severity
        # after the reasons more severe (and the extra ones placed before it), before the others: as a stable sort
        while at < len(reasons) and SEVERITY[reasons[at].severity] > rank:
            at += 1
        reasons = (*reasons[:at], r, *reasons[at:])
        at += 1
    return d.with_reasons(code, reasons)


@_memo(maxsize=65536)
def _country_day(rules: Rules, iso2: str, day: date) -> tuple[bool, bool, bool]:
    """(Group A, 別表第三の二, 別表第四) membership of a country on a day."""
    lists = rules.lists
    return (
        lists["group_a"].contains(iso2, day),
        lists["un_arms_embargo"].contains(iso2, day),
        lists["concern"].contains(iso2, day),
    )


def _invalid(rules: Rules, field: str, pid: str, **params: Any) -> InvalidInput:
    p = rules.reasons.phrase(pid, **params)
    return InvalidInput(field, p.ja, p.en)


# Countries: exact names only (rules/countries.csv, the one country authority); suggestions never cross a border
# that matters (see suggest_country).
HOME = "JP"  # Japan: a line to Japan is not an export
SUGGEST_MIN_LEN = 4  # no suggestion for an input that folds to fewer characters
SUGGEST_SCORE = 80  # the suggested name is at least this similar to the input (rapidfuzz fuzz.ratio, 0-100)
SUGGEST_GUARD = 70  # no name this similar of a country of another standing, where either side is a sensitive country
SUGGEST_MARGIN = 10  # no name within this many points of the closest of a country of another standing
SENSITIVE_LISTS = ("un_arms_embargo", "concern")  # 別表第三の二, 別表第四 (and every country a sanctions overlay names)


def lookup_country(rules: Rules, value: Any, field: str = "country", what: str = "country") -> str:
    """The ISO code a country cell names: exact on the folded name. A name that may mean more than one country
    (Korea) is refused listing the countries; an unknown name is refused, with a suggestion where one is safe.
    The refusal is about ``field`` and its message names the cell as ``what`` (phrase COUNTRY-FIELD-<what>:
    仕向地, 最終仕向地, 提供先の国 …)."""
    label = rules.reasons.phrase(f"COUNTRY-FIELD-{what}")
    text = cell_text(value)
    if text is None:
        raise _invalid(rules, field, "COUNTRY-EMPTY", what=label)
    iso2 = rules.names.lookup(text)
    if iso2 is not None:
        return iso2
    choices = rules.names.choices(text)
    if choices:
        named = tuple(Phrase(f"{name} ({c})", f"{rules.countries[c].name_en} ({c})") for name, c in choices)
        raise _invalid(rules, field, "COUNTRY-AMBIGUOUS", what=label, text=text, choices=named)
    hint = suggest_country(rules, text)
    if hint:
        c = rules.countries[hint]
        raise _invalid(
            rules,
            field,
            "COUNTRY-UNKNOWN-HINT",
            what=label,
            text=text,
            hint=Phrase(f"{c.name_ja} ({hint})", f"{c.name_en} ({hint})"),
        )
    raise _invalid(rules, field, "COUNTRY-UNKNOWN", what=label, text=text)


def lookup_destination(rules: Rules, value: Any, field: str = "country") -> str:
    """:func:`lookup_country` for the destination of an export: Japan is refused (国内向け, not an export)."""
    iso2 = lookup_country(rules, value, field, field)
    if iso2 == HOME:
        raise _invalid(rules, field, "COUNTRY-DOMESTIC")
    return iso2


@_memo(maxsize=1024)
def suggest_country(rules: Rules, text: str) -> str | None:
    """The ISO code of the country an unknown name is a near miss of, or None. A suggestion never steers across a
    border that matters (:func:`_standing`: how the rules treat a country). Offered only when
    - the input folds to at least SUGGEST_MIN_LEN characters,
    - the closest name (every alias, code and ambiguous name; rapidfuzz ``fuzz.ratio`` on folded names) is at least
      SUGGEST_SCORE similar and names one country,
    - no name at least SUGGEST_GUARD similar names a country of another standing when that country or the
      suggested one is sensitive (別表第三の二, 別表第四, a sanctions overlay): a near miss of such a country is
      never turned into another kind of country, nor another country's near miss into one (Irak: Iraq or Iran?),
    - no name within SUGGEST_MARGIN of the closest names a country of another standing (Germny: ドイツ; Guernsey
      is far behind)."""
    from rapidfuzz import fuzz, process

    key = fold(text)
    if len(key) < SUGGEST_MIN_LEN:
        return None
    names = _country_names(rules)
    near = process.extract(key, list(names), scorer=fuzz.ratio, score_cutoff=SUGGEST_GUARD, limit=None)
    if not near or near[0][1] < SUGGEST_SCORE or len(names[near[0][0]]) != 1:
        return None
    (best,) = names[near[0][0]]
    standing, sensitive, top = _standing(rules, best), _sensitive(rules, best), near[0][1]
    for name, score, _i in near:
        for iso2 in names[name]:
            if _standing(rules, iso2) != standing and (
                sensitive or _sensitive(rules, iso2) or score >= top - SUGGEST_MARGIN
            ):
                return None
    return best


@_memo(maxsize=16)
def _country_names(rules: Rules) -> dict[str, tuple[str, ...]]:
    """Every folded name a suggestion is measured against -> the countries it names (several: an ambiguous name)."""
    out: dict[str, tuple[str, ...]] = {key: (iso2,) for key, iso2 in rules.aliases.items()}
    out.update({key: tuple(c for _name, c in choices) for key, choices in rules.names.ambiguous.items()})
    return out


@_memo(maxsize=1024)
def _standing(rules: Rules, iso2: str) -> tuple:
    """How the country rules treat a destination over the whole period the rules cover: its membership periods in
    every country list (別表第三, 別表第三の二, 別表第四, 別表第二の四), and the sanctions overlays and notices naming
    it. Countries of equal standing get the same list, sanctions and catch-all answers on every day."""
    start = rules.coverage_from

    def periods(ps) -> frozenset:
        return frozenset(
            (max(p.valid_from or start, start), p.valid_to) for p in ps if p.valid_to is None or p.valid_to > start
        )

    lists = tuple((lid, periods(lst.members.get(iso2, ()))) for lid, lst in sorted(rules.lists.items()))
    overlays = tuple((o.id, ps) for o in rules.overlays if iso2 in o.countries and (ps := periods([o.period])))
    notices = tuple((n.id, ps) for n in rules.notices if iso2 in n.countries and (ps := periods([n.period])))
    return lists, overlays, notices


@_memo(maxsize=1024)
def _sensitive(rules: Rules, iso2: str) -> bool:
    """In 別表第三の二 or 別表第四, or named by a sanctions overlay, on some day the rules cover."""
    day = rules.coverage_from
    covered = [p for lid in SENSITIVE_LISTS for p in rules.lists[lid].members.get(iso2, ())]
    covered += [o.period for o in rules.overlays if iso2 in o.countries]
    return any(p.valid_to is None or p.valid_to > day for p in covered)


def _facts(
    rules: Rules,
    today: date,
    country: Any,
    item: Any,
    hs: Any,
    end_user: Any,
    end_use: Any,
    inform: Any,
    value_jpy: Any,
    ship_date: Any,
    final_end_user: Any = None,
    rates: tuple = (),
) -> tuple[str, date, tuple, Facts]:
    """(country, as-of date, end-user names — the end user, then the final end user when one is given and differs
    —, Facts) of a line; raises InvalidInput."""
    as_of = _ship_date(ship_date) or today
    if as_of < rules.coverage_from:
        raise _invalid(rules, "ship_date", "BEFORE-COVERAGE", day=as_of, start=rules.coverage_from)
    iso2 = _country(rules, country)
    code = _item(rules, item)
    group_a, un_embargo, concern = _country_day(rules, iso2, as_of)
    value_text = _value_placeholder(rules, value_jpy)
    value, unit, how = (None, None, None) if value_text is not None else _value(rules, value_jpy, rates)
    if value is not None and value <= 0:  # free of charge is not a value within the limit
        value, value_text = None, cell_text(value_jpy.amount if value_jpy.__class__ is Money else value_jpy)
    names: tuple = (_end_user_name(rules, end_user),)
    final_name = _end_user_name(rules, final_end_user)
    if final_name is not None and final_name != names[0]:
        names = (names[0], final_name)
    if not code.listed:  # the value matters only against the small-value limit of listed goods
        unit = how = value_text = None
    return (
        iso2,
        as_of,
        names,
        Facts(
            as_of=_epoch(rules, as_of),
            group_a=group_a,
            un_embargo=un_embargo,
            concern=concern,
            item=code,
            hs=_hs(rules, hs),
            end_use=_end_use(rules, end_use),
            informs=_inform(rules, inform),
            # The value matters only against the small-value limit: keeping just that makes decisions share a cache.
            within_small_value=None
            if value is None or not code.listed
            else value <= _small_value_limit(rules, code, as_of)[0],
            value_unit=unit,
            value_how=how,
            value_text=value_text,
        ),
    )


# Each field of a line is parsed once per distinct cell value (a failed parse raises again and is not cached).
_ship_date = _memo(maxsize=8192, typed=True)(parse_date)


@_memo(maxsize=65536, typed=True)
def _value(rules: Rules, value: Any, rates: tuple = ()) -> tuple[float | None, str | None, tuple | None]:
    """(the value in yen, the currency it could not be converted from, how it was converted) of a value cell: yen
    as it is (1,000, ¥1,000, 40000円), a multiple of yen (5千円, a 金額（千円） column), a currency with the rate the
    user gave (``rates``), a unit price times its quantity (単価 × 数量). A currency without a rate (or a
    unit we cannot name: 外貨, XYZ) is never read as yen: the value is unknown and the currency named."""
    money = value if value.__class__ is Money else None
    amount, unit, shown = split_amount(money.amount if money else value)
    if amount is None:
        return None, None, None
    if money is not None and unit is None and money.unit is not None:  # the cell says no unit: the table's
        unit, shown = unit_of(money.unit), money.unit
        if unit is None:  # a currency cell that names no unit we know
            return None, money.unit, None
    T, how = rules.reasons, []
    if money is not None and money.per_unit:
        quantity = parse_quantity(money.quantity)
        if quantity is None:  # no quantity: the line's value is not known
            return None, None, None
        total = amount * quantity
        how.append(T.phrase("VALUE-PER-UNIT", price=_num(amount), quantity=_num(quantity), total=_num(total)))
        amount = total
    if unit is not None:
        code, factor = unit
        if code != "JPY":
            rate = dict(rates).get(code)
            if rate is None:
                return None, code, None
            yen = amount * factor * rate
            how.append(T.phrase("VALUE-RATE", amount=_num(amount * factor), unit=code, rate=_num(rate), yen=_num(yen)))
            return yen, None, tuple(how)
        if factor != 1:
            how.append(T.phrase("VALUE-FACTOR", amount=_num(amount), unit=shown or "", yen=_num(amount * factor)))
        amount *= factor
    return amount, None, tuple(how) or None


def _num(x: float) -> str:
    """1,234 or 1,234.5: a number as a reason shows it."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.4f}".rstrip("0").rstrip(".")


# Placeholders (rules/placeholders.yaml: 不明, TBD, N/A, -, ? …) are missing facts, never answers: checked here,
# before the field parsers, on the same raw cell values the caches are keyed on.


@dataclass(frozen=True)
class _Placeholder:
    """An end-user cell that says the buyer is not known yet: read as no end user given, never looked up in the
    End User List (where it would come back clean)."""

    text: str


@_memo(maxsize=65536, typed=True)
def _end_user_name(rules: Rules, value: Any) -> str | _Placeholder | None:
    """The buyer as typed; None for an empty cell, a :class:`_Placeholder` for 不明, TBD, - …"""
    text = cell_text(value)
    if text is not None and rules.placeholders.match("end_user", text):
        return _Placeholder(text)
    return text


@_memo(maxsize=4096, typed=True)
def _value_placeholder(rules: Rules, value: Any) -> str | None:
    """The value cell as typed when it says the value is not known (不明, TBD, -, N/A, 0 … in a plain or a currency
    column): read as no value — the small-value exemption is not applied, never a value of 0 within it."""
    text = cell_text(value.amount if value.__class__ is Money else value)
    if text is not None and rules.placeholders.match("value", text):
        return text
    return None


@_memo(maxsize=1024, typed=True)
def _end_use(rules: Rules, value: Any) -> str:
    """civil | military | wmd | unknown: an empty cell and a placeholder are unknown."""
    text = cell_text(value)
    if text is not None and rules.placeholders.match("end_use", text):
        return "unknown"
    return parse_end_use(value)


@_memo(maxsize=1024, typed=True)
def _inform(rules: Rules, value: Any) -> frozenset[str]:
    """The informs received. 不明, TBD, ? … are refused: whether METI sent an inform is a fact the exporter has
    (an empty cell, なし and - say none was received)."""
    text = cell_text(value)
    if text is not None and rules.placeholders.match("inform", text):
        raise _invalid(rules, "inform", "INFORM-PLACEHOLDER", text=text)
    return parse_inform(value)


@_memo(maxsize=8192, typed=True)
def _country(rules: Rules, value: Any) -> str:
    return lookup_destination(rules, value)


@_memo(maxsize=8192, typed=True)
def _final_country(rules: Rules, value: Any) -> str | None:
    """The final destination (最終仕向地), or None when none is given (a placeholder such as 不明 is refused: the
    exporter must know where the goods go)."""
    if cell_text(value) is None:
        return None
    return lookup_destination(rules, value, "final_destination")


@_memo(maxsize=8192, typed=True)
def _item(rules: Rules, value: Any) -> item_no.ItemCode:
    """The 別表第一 code of the item cell. A placeholder (未判定, 確認中, None, -, ?, 非該当（確認中） …) is refused:
    an unclassified good cannot be screened, the clerk gives the 該非判定."""
    text = cell_text(value)
    if text is not None and rules.placeholders.match("item", text):
        raise _invalid(rules, "item", "ITEM-PLACEHOLDER", text=text)
    code = item_no.parse(value)
    _check_item(rules, code)
    return code


# The name beppyo1_subitems.csv gives a sub-item the law marks 削除 (5の項(2), 14の項(4) …): the number stays in
# 別表第一 but lists nothing. The data has no date of deletion, so none is given.
DELETED = "削除"


def _check_item(rules: Rules, code: item_no.ItemCode) -> None:
    if not code.kou:
        return
    if code.kou not in rules.items:
        raise _invalid(rules, "item", "ITEM-NO-SUCH-KOU", kou=code.kou)
    if code.kou == "16":
        if code.sub not in (None, "1", "2"):
            raise _invalid(rules, "item", "ITEM-16-SUB", sub=code.sub)
        return
    if code.sub is not None and (code.kou, code.sub) not in rules.subitems:
        subs = [s for (k, s), si in rules.subitems.items() if k == code.kou and si.name_ja != DELETED]
        hint = _closest_sub(code.sub, subs)
        if hint:
            raise _invalid(rules, "item", "ITEM-NO-SUCH-SUB-HINT", kou=code.kou, sub=code.sub, hint=hint)
        raise _invalid(rules, "item", "ITEM-NO-SUCH-SUB", kou=code.kou, sub=code.sub)
    if code.sub is not None and rules.subitems[(code.kou, code.sub)].name_ja == DELETED:
        raise _invalid(rules, "item", "ITEM-DELETED", kou=code.kou, sub=code.sub)


def _closest_sub(sub: str, subs: list[str]) -> str | None:
    try:
        target = int(sub.split("の")[0])
    except ValueError:
        return None
    numbered = [(abs(int(s.split("の")[0]) - target), s) for s in subs if s.split("の")[0].isdigit()]
    return min(numbered)[1] if numbered else None


# ---------------------------------------------------------------- HS codes

HS_NAME_LEN = 48  # a nomenclature description is cut to this many characters in a message


@_memo(maxsize=8192, typed=True)
def _hs(rules: Rules, value: Any) -> str | None:
    """The digits of an HS cell (:func:`hs_code.parse`: read as written, never padded in front), checked against
    the HS nomenclature (:func:`_check_hs`); raises InvalidInput. A number with one decimal (8458.1) is 8458.10
    where HS has that subheading and otherwise what was typed, the prefix 8458.1: in HS a subheading ending in 0
    has no siblings 1-9, so the two readings never classify differently."""
    try:
        digits = hs_code.parse(value)
    except hs_code.LeadingZeroLost as exc:
        readings = tuple(_hs_named(rules, d) for d in exc.readings if _hs_exists(rules, d))
        raise _invalid(
            rules, "hs", "HS-LEADING-ZERO", text=exc.text, readings=readings or rules.reasons.phrase("HS-NO-READING")
        ) from None
    if digits is None:
        return None
    if isinstance(value, float) and len(digits) == 6 and digits[5] == "0" and digits not in rules.hs_nomenclature:
        digits = digits[:5]
    _check_hs(rules, digits)
    return digits


def _check_hs(rules: Rules, digits: str) -> None:
    """Every level an HS code gives exists: its chapter; its heading (3 digits: some heading begins with them);
    its subheading (5 digits: some subheading begins with them). A 9-digit 統計品目番号 is checked to 6 digits."""
    nom = rules.hs_nomenclature
    for size, pid in ((2, "HS-NO-SUCH-CHAPTER"), (4, "HS-NO-SUCH-HEADING"), (6, "HS-NO-SUCH-SUBHEADING")):
        part = digits[:size]
        if len(part) < size - 1 or (part in nom if len(part) == size else nom.under(part, size)):
            continue
        closest = _closest_hs(rules, part, size)
        if len(part) < size:
            raise _invalid(rules, "hs", "HS-NO-SUCH-PREFIX", hs=format_hs(digits), closest=closest)
        raise _invalid(rules, "hs", pid, hs=format_hs(digits), code=format_hs(part), closest=closest)


def _hs_exists(rules: Rules, digits: str) -> bool:
    try:
        _check_hs(rules, digits)
    except InvalidInput:
        return False
    return True


def _closest_hs(rules: Rules, part: str, size: int) -> tuple[Phrase, ...]:
    """The real codes of ``size`` digits next below and above ``part`` under the same chapter or heading."""
    siblings = rules.hs_nomenclature.under(part[: size - 2], size)
    i = bisect_left(siblings, part)
    return tuple(_hs_named(rules, code) for code in siblings[max(i - 1, 0) : i + 1])


def _hs_named(rules: Rules, digits: str) -> Phrase:
    """``8458.19 Lathes; for removing metal, horizontal, other…``: a code (or prefix) and its English name."""
    names = rules.hs_nomenclature.names
    under = rules.hs_nomenclature.under(digits, len(digits) + 1) if len(digits) in (3, 5) else ()
    name = names.get(digits) or (names[under[0]] if len(under) == 1 else names[digits[:-1]])
    if len(name) > HS_NAME_LEN:
        name = name[: HS_NAME_LEN - 1].rstrip(" ,;") + "…"
    return rules.reasons.phrase("HS-CODE-NAME", code=format_hs(digits), name=name)


# ---------------------------------------------------------------- classification


@_memo(maxsize=65536)
def item_class(rules: Rules, code: item_no.ItemCode, hs: str | None, day: date) -> frozenset[str]:
    """The catch-all classes a non-listed good may fall in: {"16(1)", "16(2)"} after 2025-10-09, {"16"} before,
    "O" outside the catch-all chapters. More than one class means the HS code is missing or too short. A 16の項
    label never narrows what the HS code says: each class is the stricter of the label's and the HS code's."""
    label = _label_class(code, day)
    found = _hs_classes(rules, hs, day)
    if label is None:
        return found
    return frozenset(min(c, label, key=_STRICTNESS.__getitem__) for c in found)


def _label_class(code: item_no.ItemCode, day: date) -> str | None:
    """The class a 16の項 label claims: 16の項(1), else 16の項(2) (the least strict class inside 16の項, for
    16の項(2) and a bare 16の項); 16の項 before 2025-10-09; None for any other item."""
    if code.kou != "16":
        return None
    if day < REVISION_2025:
        return "16"
    return "16(1)" if code.sub == "1" else "16(2)"


@_memo(maxsize=65536)
def _hs_classes(rules: Rules, hs: str | None, day: date) -> frozenset[str]:
    """The classes of the real subheadings under an HS code (one for a full code; a prefix may give several)."""
    post = day >= REVISION_2025
    if hs is None:
        return frozenset({"16(1)", "16(2)", "O"} if post else {"16", "O"})
    chapter_rule = next((c for c in rules.chapter_rules if c.period.covers(day)), None)
    if chapter_rule is None or int(hs[:2]) not in chapter_rule.chapters:
        return frozenset({"O"})
    if not post:
        return frozenset({chapter_rule.cls})
    subheadings = rules.hs_nomenclature.under(hs[:6])
    if not subheadings:
        raise ValueError(f"HS {hs} is not in the nomenclature (check it with _hs first)")
    return frozenset(_hs_16_1(rules, s, chapter_rule.cls) for s in subheadings)


def _hs_16_1(rules: Rules, hs: str, other: str) -> str:
    """16の項(1) when a 6-digit subheading is in the HS list of 貨物等省令14条の2, else ``other``."""
    for group in rules.hs_groups:
        if any(hs.startswith(p) for p in group.prefixes) and not any(hs.startswith(e) for e in group.excepts):
            return "16(1)"
    return other


def _cls(rules: Rules, cls: str) -> Phrase:
    """16の項(1) / item 16(1) …: the phrase for a catch-all class."""
    return rules.reasons.phrase(f"CLASS-{cls}")


# ---------------------------------------------------------------- evaluation


@_memo(maxsize=MEMO_LINES)
def _evaluate(rules: Rules, iso2: str, as_of: date, names: tuple, f: Facts, master: tuple | None = None) -> Decision:
    """``master``: the 品番マスタ's classification of the goods (see :func:`_decide`), whose reason comes first among
    those as severe (as :func:`_adding` places it)."""
    eul = _eul_on(rules, as_of)
    # List control and catch-all depend on the day only through rules that change on known days (f.as_of is the
    # first day of that period) and on the buyer only through its End User List result: evaluated once per such
    # standing and shared by every line that has it.
    core = (*_core_reasons(rules, f, _end_users(eul, names, iso2)), *_user_note(rules, names))
    reasons = sorted(
        [
            *((_from_master(rules, *master),) if master else ()),
            *_overlays(rules, iso2, as_of, f.item.listed, f.item.kou),
            *core,
            *_notices(rules, iso2, as_of),
        ],
        key=_by_severity,
    )
    return Decision(
        reasons[0].severity if reasons else N,
        tuple(reasons),
        as_of,
        _version(rules, eul),
        country=_country_info(rules, iso2, as_of),
        item=_item_info(rules, f.item, f.hs, as_of),
        eul_version=eul.version if eul is not None else None,
    )


def _by_severity(reason: Reason) -> int:
    return -SEVERITY[reason.severity]


def _both_destinations(rules: Rules, first: Decision, onward: Decision) -> Decision:
    """One decision for a line screened for its destination and its final destination: the stricter code; a
    reason saying both were screened; the reasons both give, once; every other reason marked with its destination."""
    T = rules.reasons

    def named(c: dict) -> Phrase:
        return Phrase(f"{c['name_ja']}（{c['iso2']}）", f"{c['name_en']} ({c['iso2']})")

    assert first.country is not None and onward.country is not None
    here, there = named(first.country), named(onward.country)
    code = max(first.code, onward.code, key=SEVERITY.__getitem__)

    def key(r: Reason) -> tuple:
        return r.rule_id, r.ja, r.ref

    def marked(r: Reason, mark: Phrase) -> Reason:
        return replace(r, ja=mark.ja + r.ja, en=mark.en + r.en)

    shared = {key(r) for r in first.reasons} & {key(r) for r in onward.reasons}
    at_first, at_onward = T.phrase("AT-DESTINATION", country=here), T.phrase("AT-FINAL-DESTINATION", country=there)
    reasons = [r if key(r) in shared else marked(r, at_first) for r in first.reasons]
    reasons += [marked(r, at_onward) for r in onward.reasons if key(r) not in shared]
    lead = T.reason("FINAL-DESTINATION", N, destination=here, final=there, outcome=T.phrase(f"CODE-{code.value}"))
    return Decision(
        code,
        (lead, *sorted(reasons, key=_by_severity)),
        first.as_of,
        first.rules_version,
        country=first.country,
        item=first.item,
        eul_version=first.eul_version,
        final_destination=onward.country,
    )


@_memo(maxsize=65536)
def _core_reasons(rules: Rules, f: Facts, eu: _EndUser) -> tuple[Reason, ...]:
    return tuple(_list_control(rules, f, eu) if f.item.listed else _catch_all(rules, f, eu))


@_memo(maxsize=4096)
def _epoch(rules: Rules, day: date) -> date:
    """The first day of the period around ``day`` in which no rule (list membership, catch-all scope, small
    value, overlay, the 2025-10-09 revision, an End User List's effective date) changes."""
    i = bisect_right(_boundaries(rules), day)
    return _boundaries(rules)[i - 1] if i else date.min


@_memo(maxsize=64)
def _boundaries(rules: Rules) -> tuple[date, ...]:
    periods = [p for lst in rules.lists.values() for ps in lst.members.values() for p in ps]
    periods += [c.period for c in rules.chapter_rules] + [rules.hs_groups_period]
    periods += [r.period for r in rules.small_value] + [o.period for o in rules.overlays]
    days = {d for p in periods for d in (p.valid_from, p.valid_to) if d}
    days |= {REVISION_2025, rules.coverage_from} | {e.effective for e in rules.eul_lists}
    return tuple(sorted(days))


def rule_boundaries(rules: Rules) -> tuple[date, ...]:
    """Every day on which some rule (a list, the catch-all scope, small value, an overlay, the 2025-10-09
    revision, an End User List) starts or ends: the first days of the periods decisions can differ by."""
    return _boundaries(rules)


@_memo(maxsize=4096)
def _eul_on(rules: Rules, day: date):
    return rules.eul_on(day)


@_memo(maxsize=64)
def _version(rules: Rules, eul) -> str:
    return rules.version + (f"+EUL{eul.list_date.isoformat()}" if eul is not None else "")


@_memo(maxsize=65536)
def _country_info(rules: Rules, iso2: str, day: date) -> dict:
    c = rules.countries[iso2]
    groups = [lid for lid, lst in rules.lists.items() if lst.contains(iso2, day)]
    return {
        "iso2": c.iso2,
        "name_ja": c.name_ja,
        "name_en": c.name_en,
        "groups": groups,
        "group_label": country_group_label(rules, iso2, day),
    }


@_memo(maxsize=65536)
def _item_info(rules: Rules, item: item_no.ItemCode, hs: str | None, day: date) -> dict:
    info = {"code": item.format(), "kou": item.kou or None, "sub": item.sub, "hs": format_hs(hs) if hs else None}
    if item.listed:
        info["class"] = "listed"
        info["name_ja"], info["name_en"] = _item_names(rules, item)
    else:
        classes = item_class(rules, item, hs, day)
        info["class"] = next(iter(classes)) if len(classes) == 1 else "unknown"
    return info


@_memo(maxsize=4096)
def _item_names(rules: Rules, code: item_no.ItemCode) -> tuple[str, str]:
    sub = rules.subitems.get((code.kou, code.sub)) if code.sub else None
    if sub:
        return sub.name_ja, sub.name_en
    item = rules.items[code.kou]
    return item.name_ja, item.name_en


def country_group_label(rules: Rules, iso2: str, day: date) -> str:
    for ov in rules.overlays:
        if iso2 in ov.countries and ov.goods == "all" and ov.outcome == "PROHIBITED" and ov.period.covers(day):
            return "全面禁輸"
    if rules.lists["group_a"].contains(iso2, day):
        return "グループA（別表第三）"
    if rules.lists["un_arms_embargo"].contains(iso2, day):
        return "国連武器禁輸国（別表第三の二）"
    return "一般"


@_memo(maxsize=65536)
def _overlays(rules: Rules, iso2: str, day: date, listed: bool, kou: str) -> tuple[Reason, ...]:
    out = []
    for ov in rules.overlays:
        if iso2 not in ov.countries or not ov.period.covers(day):
            continue
        goods = ov.goods
        applies = (
            goods == "all"
            or (goods == "listed" and listed)
            or (goods == "unlisted" and not listed)
            or (isinstance(goods, frozenset) and listed and kou in goods)
        )
        if applies:
            out.append(Reason(ov.id, Code(ov.outcome), ov.ja, ov.en, ov.ref, "sanctions"))
    return tuple(out)


@_memo(maxsize=65536)
def _notices(rules: Rules, iso2: str, day: date) -> tuple[Reason, ...]:
    return tuple(
        Reason(n.id, N, n.ja, n.en, n.ref, "sanctions")
        for n in rules.notices
        if n.period.covers(day) and (iso2 in n.countries if n.list is None else rules.lists[n.list].contains(iso2, day))
    )


@dataclass(frozen=True)
class _EndUser:
    """The end-user facts: End User List hits for the buyer, or why they cannot be judged (a reason id)."""

    hits: tuple = ()
    missing: str | None = None  # CATCHALL-USER-UNCHECKED (no end user given) or CATCHALL-USER-NO-LIST

    def listed(self, concern: str) -> list:
        """Hits (not possible hits) whose entry has the concern: "wmd" (B/C/M/N) or "cw"."""
        return [h for h in self.hits if h.kind == "hit" and getattr(h.entry, concern)]

    @property
    def possible(self) -> list:
        return [h for h in self.hits if h.kind == "possible"]


NO_END_USER = _EndUser((), "CATCHALL-USER-UNCHECKED")
NO_LIST = _EndUser((), "CATCHALL-USER-NO-LIST")


@_memo(maxsize=65536)
def _end_user(eul: Any, name: str | _Placeholder | None, iso2: str) -> _EndUser:
    if not name or isinstance(name, _Placeholder):
        return NO_END_USER
    if eul is None:
        return NO_LIST
    return _EndUser(tuple(eul.match(name, iso2)))


@_memo(maxsize=65536)
def _end_users(eul: Any, names: tuple, iso2: str) -> _EndUser:
    """The end-user facts of a line's parties (the end user and the final end user): the hits of each; missing when
    no party is named, or one is a placeholder (不明: someone is not known), or no list is loaded."""
    if len(names) == 1:
        return _end_user(eul, names[0], iso2)
    each = [_end_user(eul, name, iso2) for name in names]
    hits = tuple(h for eu in each for h in eu.hits)
    if not any(names) or any(isinstance(name, _Placeholder) for name in names):
        return _EndUser(hits, NO_END_USER.missing)
    return _EndUser(hits, NO_LIST.missing if eul is None else None)


_PLACEHOLDER_NOTES = ("USER-PLACEHOLDER", "FINAL-USER-PLACEHOLDER")  # for the end user, the final end user


def _user_note(rules: Rules, names: tuple) -> tuple[Reason, ...]:
    """A note naming the placeholder given for the end user (or final end user), which was read as not given."""
    return tuple(
        rules.reasons.reason(_PLACEHOLDER_NOTES[i], N, text=name.text)
        for i, name in enumerate(names)
        if isinstance(name, _Placeholder)
    )


def _list_control(rules: Rules, f: Facts, eu: _EndUser) -> list[Reason]:
    T = rules.reasons
    name_ja, name_en = _item_names(rules, f.item)
    out = [T.reason("LIST-LISTED", L, code=f.item.format(), name=Phrase(name_ja, name_en))]
    out += [
        T.reason("EUL-HIT-LISTED", N, hits=(h,), hit=h, ordinances=_ordinances(rules, h.entry.wmd, h.entry.cw))
        for h in eu.hits
    ]
    exempt = _small_value(rules, f, eu)
    if exempt is not None:
        if exempt.severity == N and exempt.rule_id == "SMALL-VALUE-APPLIES":
            out[0] = exempt
        else:
            out.append(exempt)
        if f.value_how and not f.concern:  # the value was weighed: say how it was converted to yen
            out.append(
                T.reason("VALUE-CONVERTED", N, how=f.value_how, article=_small_value_limit(rules, f.item, f.as_of)[2])
            )
    return out


@_memo(maxsize=4096)
def _small_value_limit(rules: Rules, code: item_no.ItemCode, day: date) -> tuple[float, bool, str]:
    """(limit in yen, whether the good is in 別表第三の三) for a listed good; (-1, False) when the exemption cannot
    apply."""
    rule = next((r for r in rules.small_value if r.period.covers(day)), None)
    if rule is None or code.kou not in rule.items:
        return -1.0, False, ""
    s33 = rule.in_schedule_3_3(code.kou, code.sub)
    return (rule.schedule_3_3_threshold if s33 else rule.threshold), s33, rule.article


def _small_value(rules: Rules, f: Facts, eu: _EndUser) -> Reason | None:
    T = rules.reasons
    limit, s33, article = _small_value_limit(rules, f.item, f.as_of)
    if limit < 0:
        return None
    s33_ref = "; 別表第三の三" if s33 else ""
    if f.concern:  # 別表第四
        return T.reason("SMALL-VALUE-CONCERN", N, article=article)
    if f.value_unit is not None:  # never read as yen: 要確認 until a rate is given
        return T.reason("SMALL-VALUE-NO-RATE", R, unit=f.value_unit, article=article)
    if f.within_small_value is None:
        if f.value_text is not None:
            try:
                amount = split_amount(f.value_text)[0]
            except InvalidInput:  # 不明, TBD, - …
                amount = None
            rid = "SMALL-VALUE-ZERO" if amount is not None and amount <= 0 else "SMALL-VALUE-PLACEHOLDER"
            return T.reason(rid, N, text=f.value_text, article=article)
        return T.reason("SMALL-VALUE-NO-VALUE", N, article=article)
    if not f.within_small_value:
        return T.reason("SMALL-VALUE-OVER", N, limit=limit, schedule_3_3=s33_ref, article=article)
    # Within the limit: lost when a requirement of 4条1項3号 applies
    # (3号ロ・ニ for Group A; イ・ロ・ニ elsewhere; イ–ニ for 別表第三の二).
    lost, unknown = [], []
    if f.informs:
        lost.append("LOST-INFORM")
    if not f.group_a:
        if f.end_use == "wmd":
            lost.append("LOST-WMD-USE")
        if f.un_embargo and f.end_use == "military":
            lost.append("LOST-CONV-USE")
        if eu.listed("wmd") or (f.un_embargo and eu.listed("cw")):
            lost.append("LOST-LISTED-USER")
        if f.end_use == "unknown":
            unknown.append("UNKNOWN-USE")
        if eu.missing:
            unknown.append("UNKNOWN-USER")
        if eu.possible:
            unknown.append("UNKNOWN-POSSIBLE")
    if lost:
        return T.reason("SMALL-VALUE-LOST", N, why=tuple(T.phrase(p) for p in lost), article=article)
    if unknown:
        return T.reason("SMALL-VALUE-UNCONFIRMED", N, why=tuple(T.phrase(p) for p in unknown), article=article)
    return T.reason(
        "SMALL-VALUE-APPLIES",
        N,
        code=f.item.format(),
        limit=limit,
        note=T.phrase("SCHEDULE-3-3-NOTE") if s33 else "",
        schedule_3_3=s33_ref,
        article=article,
    )


def _ordinances(rules: Rules, wmd: bool, conventional: bool) -> tuple[Phrase, ...]:
    """The おそれ省令 end-user limbs to cite: WMD (核兵器等おそれ省令2号・3号) and/or conventional
    (通常兵器おそれ省令2号・3号)."""
    return tuple(rules.reasons.phrase(p) for p, on in (("ORD-WMD-USER", wmd), ("ORD-CONV-USER", conventional)) if on)


_STRICTNESS = {"16(1)": 0, "16": 0, "16(2)": 1, "O": 2}


def _catch_all(rules: Rules, f: Facts, eu: _EndUser) -> list[Reason]:
    T = rules.reasons
    label = _label_class(f.item, f.as_of)
    found = _hs_classes(rules, f.hs, f.as_of)
    every = {cls: _catch_all_class(rules, f, eu, cls) for cls in sorted(found | ({label} if label else set()))}
    codes = {cls: max((r.severity for r in rs), key=lambda c: c.severity) for cls, rs in every.items()}

    def stricter(cls: str) -> str:
        """The label never narrows the law: of the HS code's class and the label's, the one with the more severe
        answer decides (the stricter class when both answer alike)."""
        if label is None:
            return cls
        return max((cls, label), key=lambda c: (codes[c].severity, -_STRICTNESS[c]))

    classes = {stricter(cls) for cls in found}
    outcomes = {cls: every[cls] for cls in sorted(classes)}
    if len(outcomes) == 1:
        (cls,) = outcomes
        if label is None or cls == label or f.hs is None:
            return outcomes[cls]
        # The HS code overrides the clerk's 16の項 label (16の項(2) or 16の項 on a 16の項(1) good; or a good outside
        # 16の項 whose own answer is the stricter, e.g. an inform before 2025-10-09 to Group A): say so.
        corrected = T.reason(
            "CATCHALL-LABEL-CORRECTED", N, label=f.item.format(), hs=format_hs(f.hs), cls=_cls(rules, cls)
        )
        return [*outcomes[cls], corrected]
    if len(set(codes[c] for c in outcomes)) == 1:
        # Whatever the class, the answer is the same (e.g. Group A without inform): the label's class if it is one
        # of them, else the strictest class's reasons.
        return outcomes[label if label in outcomes else min(outcomes, key=_STRICTNESS.__getitem__)]
    what = T.phrase("NO-HS") if f.hs is None else T.phrase("HS-TOO-SHORT", hs=format_hs(f.hs))
    each = tuple(
        T.phrase("CLASS-OUTCOME", cls=_cls(rules, c), outcome=T.phrase(f"CODE-{codes[c].value}")) for c in outcomes
    )
    return [T.reason("CATCHALL-HS-MISSING", R, what=what, outcomes=each)]


def _catch_all_class(rules: Rules, f: Facts, eu: _EndUser, cls: str) -> list[Reason]:
    T = rules.reasons
    if cls == "O":
        what = T.phrase("HS-CHAPTER", hs=format_hs(f.hs), chapter=int(f.hs[:2])) if f.hs else T.phrase("THE-GOOD")
        out = [T.reason("CATCHALL-OUT-OF-SCOPE", N, what=what)]
        # No licence, but a line that says WMD use or an inform is not one to pass quietly.
        if f.end_use == "wmd":
            out.append(T.reason("OUT-OF-SCOPE-WMD-USE", R))
        if f.informs:
            out.append(T.reason("OUT-OF-SCOPE-INFORM", R))
        return out
    post = f.as_of >= REVISION_2025
    cls_p = _cls(rules, cls)
    if f.group_a:
        # No licence without an inform, but a known WMD use of a 16の項 good is reported to METI (KNOW通達).
        know = [T.reason("GROUP-A-WMD-USE", R, cls=cls_p)] if f.end_use == "wmd" else []
        if not post:
            return [T.reason("CATCHALL-GROUP-A-PRE2025", N), *know]
        out = []
        if f.informs:
            informs = tuple(T.phrase(f"INFORM-{k}") for k in sorted(f.informs))
            out.append(T.reason("CATCHALL-GROUP-A-INFORM", L, informs=informs, cls=cls_p))
        else:
            out.append(T.reason("CATCHALL-GROUP-A", N, cls=cls_p))
        out += know
        for h in eu.listed("wmd") + eu.listed("cw") + eu.possible:
            out.append(T.reason("EUL-HIT-GROUP-A", N, hits=(h,), hit=h))
        return out

    article = "4条1項3号" if cls == "16(1)" else ("4条1項4号" if cls == "16(2)" else "4条1項3号（2025-10-09改正前）")
    conv_use = cls == "16(1)" or f.un_embargo  # conventional use requirement (ハ)
    conv_user = post and conv_use  # conventional end-user limb (通常兵器おそれ省令2号・3号) exists from 2025-10-09
    limbs = "イ・ハ" if conv_user else "イ"  # the end-user limbs that apply
    fired: list[Reason] = []
    if "wmd" in f.informs:
        fired.append(T.reason("CATCHALL-WMD-INFORM", L, cls=cls_p, article=article))
    if "conventional" in f.informs:
        fired.append(T.reason("CATCHALL-CONV-INFORM", L, cls=cls_p, article=article))
    if f.end_use == "wmd":
        fired.append(T.reason("CATCHALL-WMD-USE", L, article=article))
    if f.end_use == "military" and conv_use:
        embargo = T.phrase("EMBARGO-NOTE") if f.un_embargo else ""
        fired.append(T.reason("CATCHALL-CONV-USE", L, cls=cls_p, embargo=embargo, article=article))
    for h in eu.listed("wmd"):
        fired.append(T.reason("CATCHALL-WMD-USER", L, hits=(h,), hit=h, article=article))
    if conv_user:
        for h in eu.listed("cw"):
            fired.append(T.reason("CATCHALL-CONV-USER", L, hits=(h,), hit=h, article=article))
    if fired:
        return fired

    missing: list[Reason] = []
    if f.end_use == "unknown":
        scope = T.phrase("SCOPE-WMD-CONV" if conv_use else "SCOPE-WMD")
        missing.append(
            T.reason("CATCHALL-USE-UNKNOWN", R, scope=scope, article=article, limbs="イ・ハ" if conv_use else "イ")
        )
    if eu.missing:
        missing.append(
            T.reason(eu.missing, R, article=article, limbs=limbs, ordinances=_ordinances(rules, True, conv_user))
        )
    for h in eu.possible:
        missing.append(T.reason("CATCHALL-USER-POSSIBLE", R, hits=(h,), hit=h, article=article, limbs=limbs))
    notes: list[Reason] = []
    if f.end_use == "military" and not conv_use:
        notes.append(T.reason("CATCHALL-CONV-USE-NA", N, cls=cls_p, article=article))
    if not conv_user:
        for h in eu.listed("cw"):
            notes.append(T.reason("EUL-CW-NA", N, hits=(h,), hit=h, article=article))
    if missing:
        return missing + notes
    checked = T.phrase("CHECKED-WMD-CONV" if conv_use else "CHECKED-WMD")
    return [T.reason("CATCHALL-CLEAR", N, cls=cls_p, checked=checked, article=article), *notes]


# ---------------------------------------------------------------- descriptions for the spreadsheet functions


def describe_item(rules: Rules, item: Any, hs: Any, day: date, lang: str = "ja") -> str:
    """e.g. ``7の項(1) 集積回路``, ``16の項(1)``, ``16の項(2)``, ``キャッチオール対象外`` (raises InvalidInput)."""
    code = _item(rules, _key(item))
    if code.listed:
        names = _item_names(rules, code)
        return f"{code.format()} {names[lang == 'en']}"
    classes = item_class(rules, code, _hs(rules, _key(hs)), day)
    if len(classes) > 1:
        return rules.reasons.text(
            "HS-NEEDED", lang, classes="/".join(_cls(rules, c).text(lang) for c in sorted(classes))
        )
    return _cls(rules, next(iter(classes))).text(lang)


def describe_part(rules: Rules, part_no: Any, day: date, lang: str = "ja") -> str:
    """How the 品番マスタ in force on ``day`` classifies a part, e.g. ``7の項(1) / HS 8542.31``; 要確認 and why when
    no master is in force, the master has no such 品番, or the classification must be judged again (PART-STALE,
    PART-REVIEW-DUE: the classification, then why). Wording from the reasons catalogue (PART-*)."""
    T = rules.reasons
    master = rules.master_on(day)
    product = master.classified(part_no) if master is not None else None
    if product is None:
        why = part_missing(rules, master, cell_text(part_no) or "")
        return f"{R.label if lang != 'en' else R.label_en}: {why.text(lang)}"
    if product.hs:
        text = T.text("PART-CLASS", lang, item=product.item, hs=format_hs(product.hs))
    else:
        text = T.text("PART-CLASS-NO-HS", lang, item=product.item)
    stale = product_stale(rules, product, day)
    return text if stale is None else T.text("PART-CLASS-STALE", lang, part_class=text, why=stale.text(lang))


def with_formula_cells(d: Decision, rules: Rules, cells: str) -> Decision:
    """``d`` for a line whose screened cells ``cells`` ("B5, H5") are formulas: their saved results (what was read)
    may be stale or missing, so the line is at least 要確認 and its first reason names the cells."""
    from dataclasses import replace

    reason = rules.reasons.reason("FORMULA-CELLS", Code.REVIEW, cells=cells)
    code = d.code if SEVERITY[d.code] >= SEVERITY[Code.REVIEW] else Code.REVIEW
    return replace(d, code=code, reasons=(reason, *d.reasons), extra={})


# ---------------------------------------------------------------- technology lines


def screen_technology(*cells: Any, rules: Rules, today: date, **fields: Any) -> Decision:
    """Screen one technology line (役務取引・みなし輸出, and the pre-report of critical technologies): the fields of
    :data:`exportscreen.technology.TECH_FIELDS`, positionally or by name; pure and memoised like :func:`screen`,
    the same :class:`Decision`. See :mod:`exportscreen.technology`."""
    from exportscreen import technology

    return technology.screen_technology(*cells, rules=rules, today=today, **fields)


# licensing uses _memo: imported once this module is whole (an import inside _decide cost a microsecond a 許可要 line)
from exportscreen import licensing  # noqa: E402
