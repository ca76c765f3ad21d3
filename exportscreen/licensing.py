"""Screening with the licence register (issue 15 §2): a 許可要 line that a licence in the register covers is
許可取得済 (LICENSED), naming the licence; a line no licence covers stays 許可要 and says why each candidate does
not apply. Pure: the register versions come inside the rules (:meth:`exportscreen.rules.Rules.with_licences`); the
version in force on the line's ship date (as-of date) is used. Wording in ``rules/reasons.yaml`` (LICENCE-*).

What is checked, the stricter reading where the facts note is not verified ([U]):

- only a line whose every 許可要 reason is the listing (輸出令別表第一 1–15), or, for the catch-all (16の項), an
  individual licence naming the goods and the end user; sanctions and any other 許可要 are never covered;
- a bulk licence never covers a line with an inform, an End User List hit, or a WMD or military use given;
- 一般包括: a destination in 別表第三 on the ship date; 特別一般包括: never a 別表第三の二 / 別表第四 destination;
  1の項 is outside both ([U], stricter);
- the 項番 and, where the licence names them, the end user; validity (許可日..有効期限) containing the ship date;
- a value limit: a line value over it is not covered; no value, or a limit in another currency, 要確認;
  a quantity limit 要確認 (the engine is given no quantity: the quantity balance is shown by ``licences show``);
- the balance (issue 15 §3): the shipments recorded against the licence (``exportscreen shipments record``) come in
  with the rules (:meth:`Rules.with_shipments`); a yen limit they use up is not covered (LICENCE-WHY-EXHAUSTED);
  a line value over what is left, or a recorded shipment of unknown value, 要確認. Earlier lines of the same run are
  counted by :func:`in_run`, which the screening pipeline calls line by line in row order (the engine stays pure
  and memoised: a decision depends on the line and the rules only).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from exportscreen.ids.text import fold
from exportscreen.model import SEVERITY, Code, Decision
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
MAX_CANDIDATES = 5  # candidates named one by one; the rest counted
# why a candidate does not cover the line -> how far it is from covering it (the nearest are named first)
FARTHER = {
    "LICENCE-WHY-DESTINATION": 1,
    "LICENCE-WHY-NOT-GROUP-A": 1,
    "LICENCE-WHY-SPECIAL-GENERAL": 1,
    "LICENCE-WHY-ITEM": 2,
}


def apply(
    rules: Any,
    d: Decision,
    iso2: str,
    day: date,
    names: tuple,
    facts: Any,
    value: float | None,
    standing: tuple[bool, bool, bool],
) -> Decision:
    """``d`` under the register in force on ``day``: LICENSED when a licence covers it, else 許可要 with the
    reasons why not. ``names`` the line's parties (str, a placeholder, or None), ``facts`` its engine.Facts (item,
    informs, end use), ``value`` the line's value in yen,
    ``standing`` the destination's (Group A, 別表第三の二, 別表第四) membership on ``day``."""
    if d.code is not L:
        return d
    reg = rules.licences_on(day)
    if reg is None:
        return d
    lics = [lic for lic in reg.licences if lic.target == "goods"]
    blocking = [r for r in d.reasons if r.severity is L]
    listing = all(r.rule_id == "LIST-LISTED" for r in blocking)
    catch_all = not listing and all(r.rule_id.startswith("CATCHALL-") for r in blocking)
    if not lics or not (listing or catch_all):
        return d
    T = rules.reasons
    code = facts.item
    concern = bool(facts.informs) or facts.end_use in ("wmd", "military") or any(r.hits for r in d.reasons)
    parties = [n for n in names if isinstance(n, str) and n]
    verdicts = []
    for lic in lics:
        why, notes = _check(rules, lic, iso2, day, parties, code, concern, catch_all, value, standing)
        verdicts.append((lic, why, notes))
    covered = [v for v in verdicts if v[1] is None]
    if covered:
        lic, _, notes = min(covered, key=lambda v: len(v[2]))  # a licence needing no check first
        limit = T.phrase("LICENCE-LIMIT", value=lic.value, currency=lic.currency) if lic.value is not None else ""
        left = _left(rules, lic)
        if left is not None and left != lic.value:  # shipments recorded: the balance too
            limit = T.phrase("LICENCE-LIMIT-LEFT", value=lic.value, left=left)
        cond = T.phrase("LICENCE-CONDITIONS", text=lic.conditions) if lic.conditions else ""
        lead = T.reason(
            "LICENCE-COVERED",
            C,
            number=lic.no,
            kind=_kind(lic),
            expires=lic.expires,
            limit=limit,
            conditions=cond,
            version=reg.version,
        )
        kept = [replace(r, severity=C) if r.severity is L else r for r in d.reasons]
        reviews = [T.reason("LICENCE-CHECK", R, number=lic.no, why=p) for p in notes]
        reasons = sorted([lead, *reviews, *kept], key=lambda r: -SEVERITY[r.severity])
        code_ = max((r.severity for r in reasons), key=SEVERITY.__getitem__)
        used = {"no": lic.no, "version": reg.version, "value": value, "left": _left(rules, lic)}
        return replace(d, code=code_, reasons=tuple(reasons), licence=used, extra={})
    named = sorted(((lic, why) for lic, why, _ in verdicts if why), key=lambda v: FARTHER.get(v[1][0], 0))
    out = [  # the licences nearest to covering the line first: for other destinations next, other 項番 last
        T.reason("LICENCE-NOT-COVERED", L, number=lic.no, kind=_kind(lic), why=T.phrase(why[0], **why[1]))
        for lic, why in named[:MAX_CANDIDATES]
    ]
    if len(named) > MAX_CANDIDATES:
        out.append(T.reason("LICENCE-MORE", L, count=len(named) - MAX_CANDIDATES, version=reg.version))
    return replace(d, reasons=(*d.reasons, *out), extra={})


def _check(
    rules: Any,
    lic: Any,
    iso2: str,
    day: date,
    parties: list[str],
    code: Any,
    concern: bool,
    catch_all: bool,
    value: float | None,
    standing: tuple[bool, bool, bool],
) -> tuple[tuple[str, dict] | None, list[Phrase]]:
    """(why the licence does not cover the line — a LICENCE-WHY-* id and its parameters — or None; the checks
    it leaves to the clerk when it does)."""
    T = rules.reasons
    group_a, un_embargo, concern_list = standing
    if not any(i.covers(code) for i in lic.items):
        return ("LICENCE-WHY-ITEM", {"code": code.format(), "items": "、".join(i.format() for i in lic.items)}), []
    if code.kou in BULK_EXCLUDED_KOU.get(lic.kind, ()):
        return ("LICENCE-WHY-KOU-1", {"code": code.format()}), []
    if catch_all and (lic.bulk or not lic.parties):
        return ("LICENCE-WHY-CATCHALL", {}), []
    if lic.bulk and concern:
        return ("LICENCE-WHY-BULK-CONCERN", {}), []
    if day < lic.granted:
        return ("LICENCE-WHY-NOT-YET", {"day": day, "granted": lic.granted}), []
    if day > lic.expires:
        return ("LICENCE-WHY-EXPIRED", {"day": day, "expires": lic.expires}), []
    c = rules.countries[iso2]
    country = Phrase(c.name_ja, c.name_en)
    if not (iso2 in lic.countries or lic.group in ("all", "group_a")):
        return ("LICENCE-WHY-DESTINATION", {"country": country, "day": day}), []
    if (lic.kind == "general" or lic.group == "group_a") and not group_a:
        return ("LICENCE-WHY-NOT-GROUP-A", {"country": country, "day": day}), []
    if lic.kind == "special_general" and (un_embargo or concern_list):
        return ("LICENCE-WHY-SPECIAL-GENERAL", {"country": country, "day": day}), []
    if lic.parties:
        allowed = {fold(p) for p in lic.parties}
        if not parties:
            return ("LICENCE-WHY-NO-END-USER", {"parties": "、".join(lic.parties)}), []
        other = next((p for p in parties if fold(p) not in allowed), None)
        if other is not None:
            return ("LICENCE-WHY-END-USER", {"name": other, "parties": "、".join(lic.parties)}), []
    notes: list[Phrase] = []
    if lic.value is not None:
        usage = rules.licence_usage.get(fold(lic.no))
        shipped = usage.value if usage is not None else 0.0
        if lic.currency != "JPY":
            notes.append(T.phrase("LICENCE-CHECK-CURRENCY", limit=lic.value, currency=lic.currency))
        elif value is not None and value > lic.value:
            return ("LICENCE-WHY-VALUE-OVER", {"value": value, "limit": lic.value}), []
        elif usage is not None and usage.unknown:
            notes.append(T.phrase("LICENCE-CHECK-BALANCE-UNKNOWN", count=usage.unknown, limit=lic.value))
        elif shipped >= lic.value:
            return ("LICENCE-WHY-EXHAUSTED", {"shipped": shipped, "limit": lic.value}), []
        elif value is None:
            notes.append(T.phrase("LICENCE-CHECK-NO-VALUE", limit=lic.value))
        elif value > lic.value - shipped:
            notes.append(T.phrase("LICENCE-CHECK-BALANCE", value=value, left=lic.value - shipped, limit=lic.value))
    if lic.quantity is not None:
        notes.append(T.phrase("LICENCE-CHECK-QUANTITY", limit=lic.quantity, unit=lic.quantity_unit))
    return None, notes


def _left(rules: Any, lic: Any) -> float | None:
    """The licence's value balance in yen before this run: its 金額上限 less the shipments recorded against it;
    None when it has no yen limit or a recorded shipment's value is not known."""
    if lic.value is None or lic.currency != "JPY":
        return None
    usage = rules.licence_usage.get(fold(lic.no))
    if usage is None:
        return lic.value
    return None if usage.unknown else lic.value - usage.value


def no_register(rules: Any, d: Decision) -> Phrase | None:
    """What LICENCE_FOR adds to a 許可要 line when no licence register is in force on its date, else None."""
    if d.code is L and rules.licences_on(d.as_of) is None:
        return rules.reasons.phrase("LICENCE-NO-REGISTER")
    return None


def in_run(rules: Any, d: Decision, used: dict[str, float]) -> Decision:
    """``d`` after the earlier lines of the same run (``used``: licence -> yen of the lines before this one that
    the licence covers, updated here). A line whose value is more than the balance left once those lines are
    counted is 要確認 (LICENCE-BALANCE-RUN). Every line the licence covers counts, 要確認 or not: a line the clerk
    clears is shipped under it too. Called by the screening pipeline in row order (the engine cannot: it decides one
    line, memoised)."""
    lic = d.licence
    if lic is None:
        return d
    no, value, left = lic["no"], lic["value"], lic["left"]
    before = used.get(no, 0.0)
    used[no] = before + (value or 0.0)
    if left is None or value is None or not before or value <= left - before:
        return d
    reason = rules.reasons.reason(
        "LICENCE-BALANCE-RUN", R, number=no, earlier=before, left=max(left - before, 0.0), value=value
    )
    code = max((d.code, R), key=SEVERITY.__getitem__)
    reasons = tuple(sorted((reason, *d.reasons), key=lambda r: -SEVERITY[r.severity]))
    return replace(d, code=code, reasons=reasons, extra={})


def _kind(lic: Any) -> Phrase:
    return Phrase(lic.kind_name, KIND_EN[lic.kind])
