"""Screening a technology line (役務取引・みなし輸出, 外為法25条) and the pre-report scheme (外為法55条の8): the
technology counterpart of :func:`exportscreen.engine.screen`, pure and memoised like it, returning the same
:class:`~exportscreen.model.Decision` so that every adapter renders it. Reached as
:func:`exportscreen.engine.screen_technology`.

Order of evaluation (technology-and-licences.md §F): sanctions overlays → who is provided with it (居住性, 特定類型)
→ 貿易外省令9条2項 exemptions → list control (外為令別表1–15, every destination, no small-value relief; 25条3項
acts named) → technology catch-all (16の項: Group A inform only; elsewhere use/user/inform as the data says) → the
pre-report scheme (independent of licensing). The decision is the most severe reason; a fact that is missing is
要確認 naming it, never 許可不要. Law data: ``rules/gaitamerei_beppyo.yaml``, ``technology_provision.yaml``,
``prereport_technologies.yaml`` (``Rules.technology``); wording: ``rules/reasons.yaml`` (ids TECH-*).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from exportscreen import engine as E
from exportscreen import licensing
from exportscreen.ids import InvalidInput, item_no
from exportscreen.ids.hs_code import format_hs
from exportscreen.ids.text import cell_text, fold
from exportscreen.ids.values import parse_date
from exportscreen.model import SEVERITY, Code, Decision, Reason
from exportscreen.reasons import Phrase
from exportscreen.rules import Rules

R, L, P, N, REPORT = Code.REVIEW, Code.LICENSE_REQUIRED, Code.PROHIBITED, Code.NO_LICENSE, Code.REPORT_REQUIRED

TECH_FIELDS = (
    "country",  # 提供先の国: where the recipient is or the provision happens (JP: provision in Japan)
    "recipient",  # 提供先 (name): checked against the End User List
    "residency",  # 居住性: 居住者 / 非居住者
    "specific_type",  # 特定類型: なし / 1 / 2 / 3 (a resident only)
    "influence_country",  # the country a 特定類型 resident (or a non-resident in Japan) belongs to
    "item",  # 外為令別表 code (7の項(1), 16の項) or 非該当
    "hs",  # HS of the goods the technology is for (16の項)
    "method",  # 提供方法
    "exemption",  # 貿易外省令9条2項 exemption claimed
    "inform",
    "end_use",
    "critical_tech",  # 重要管理対象技術 (id or name), なし when none
    "purpose",  # for manufacture abroad: a channel (subsidiary …), abroad (form not given), or なし
    "report_date",  # 事前報告の報告日
    "provision_date",  # 提供日 (the as-of date; today when empty)
    "part_no",  # 品番 / 技術番号: the 品番マスタ's 技術該非 gives the code (never read as an item code)
)

# Closed vocabularies of the line's own fields (what a clerk writes; folded before lookup).
RESIDENCY = {
    "resident": ("居住者", "resident", "国内居住者"),
    "non_resident": ("非居住者", "non-resident", "nonresident", "non resident", "外国居住者"),
}
SPECIFIC_TYPES = {
    "none": ("なし", "無し", "該当なし", "非該当", "none", "no", "-", "－"),
    "1": ("1", "①", "特定類型1", "特定類型①", "類型1", "類型①", "type 1"),
    "2": ("2", "②", "特定類型2", "特定類型②", "類型2", "類型②", "type 2"),
    "3": ("3", "③", "特定類型3", "特定類型③", "類型3", "類型③", "type 3"),
}
# besides the channels' ids and names in prereport_technologies.yaml; abroad: the form not given. TRUE/FALSE (1/0
# from Calc) answer a yes/no column or argument (=SCREEN_TECH's overseas_production, --overseas-production).
PURPOSES = {
    "abroad": (
        *("海外製造", "海外での製造等", "海外生産", "あり", "有り", "はい"),
        *("yes", "true", "1", "overseas production"),
    ),
    "subsidiary": ("子会社", "海外子会社", "製造移転"),
    "joint_venture": ("合弁", "合弁会社", "JV", "joint venture"),
    "outsourcing": ("製造委託", "委託", "outsourcing"),
    "licensing": ("ライセンス", "ライセンス供与", "license", "licence"),
    "none": (
        *("なし", "無し", "いいえ", "該当なし", "製造目的でない", "海外製造なし"),
        *("none", "no", "false", "0", "other", "その他", "-", "－"),
    ),
}
NOT_DESIGNATED = ("なし", "無し", "該当なし", "非該当", "none", "no", "-", "－")
REQUIREMENTS_ORDER = (
    "inform_wmd",
    "inform_conventional",
    "wmd_use",
    "conventional_use",
    "wmd_user",
    "conventional_user",
)


def _words(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {fold(w) or w: key for key, words in table.items() for w in (key, *words)}


_RESIDENCY, _TYPES, _PURPOSES, _NONE = (
    _words(RESIDENCY),
    _words(SPECIFIC_TYPES),
    _words(PURPOSES),
    _words({"none": NOT_DESIGNATED}),
)


@dataclass(frozen=True)
class TechFacts:
    country: str  # ISO code where the provision happens / the recipient is (JP: in Japan)
    residency: str | None  # resident | non_resident | None (not given)
    specific_type: str | None  # none | 1 | 2 | 3 | None (not given)
    influence: str | None  # ISO code of the influencing / belonging country
    item: item_no.ItemCode
    hs: str | None
    method: str | None  # a method id
    exemption: str | None  # an exemption id
    informs: frozenset[str]
    end_use: str
    critical: str | None  # CTnn | "none" | "unlisted:<text>" | None
    purpose: str | None  # a channel id | "abroad" (form not given) | "none" | None
    report_date: date | None


def screen_technology(*cells: Any, rules: Rules, today: date, **fields: Any) -> Decision:
    """Screen one technology line (the fields of :data:`TECH_FIELDS`, positionally or by name) under ``rules``,
    with ``today`` as the as-of date of a line without a provision date. Never raises for bad input (INVALID)."""
    values = dict(zip(TECH_FIELDS, cells))
    unknown = set(fields) - set(TECH_FIELDS)
    if unknown or len(cells) > len(TECH_FIELDS) or set(values) & set(fields):
        raise TypeError(f"screen_technology: unexpected fields {sorted(unknown) or sorted(set(values) & set(fields))}")
    values.update(fields)
    line = tuple(E._key(values.get(f)) for f in TECH_FIELDS)
    line = tuple(("TRUE" if c else "FALSE") if type(c) is bool else c for c in line)
    try:
        return _decide(rules, today, line)
    except TypeError:  # an unhashable cell value
        return _decide_line(rules, today, line)


def _decide_line(rules: Rules, today: date, line: tuple, part: str | None = None) -> Decision:
    """One technology line (the values of :data:`TECH_FIELDS`); ``part``: the 品番 of a line whose code the master
    gave (:func:`_by_part`), for the licences that name their 品番."""
    v = dict(zip(TECH_FIELDS, line))
    if v["part_no"] is not None:
        return _by_part(rules, today, v)
    try:
        as_of = _date(v["provision_date"], "provision_date") or today
        if as_of < rules.coverage_from:
            raise E._invalid(rules, "provision_date", "BEFORE-COVERAGE", day=as_of, start=rules.coverage_from)
        facts = _facts(rules, v)
        names = (E._end_user_name(rules, v["recipient"]),)
    except InvalidInput as exc:
        as_of = today
        try:
            as_of = _date(v["provision_date"], "provision_date") or today
        except InvalidInput:
            pass
        reason = rules.reasons.reason(f"INPUT-{exc.field.upper()}", Code.INVALID, message=Phrase(exc.ja, exc.en))
        return Decision(Code.INVALID, (reason,), as_of, rules.version)
    eul = E._eul_on(rules, as_of)
    reasons = sorted(_reasons(rules, as_of, facts, names, eul), key=E._by_severity)
    decision = Decision(
        reasons[0].severity if reasons else N,
        tuple(reasons),
        as_of,
        E._version(rules, eul),
        country=E._country_info(rules, facts.country, as_of),
        item=_item_info(rules, facts),
        eul_version=eul.version if eul is not None else None,
    )
    if rules.licence_registers and decision.code is L:  # the technology licences of the register
        return _with_licences(rules, decision, facts, names, part)
    return decision


def _with_licences(rules: Rules, d: Decision, f: TechFacts, names: tuple, part: str | None = None) -> Decision:
    """A 許可要 technology line under the technology licences (対象 技術) of the register in force on its provision
    date (:func:`exportscreen.licensing.apply`, as goods lines, with no value: a technology line has none). Every
    destination whose rules apply (the provision country, the country a 特定類型 resident or a non-resident in Japan
    belongs to) must be covered, by one licence ([U]: how a licence names a deemed destination is not verified; the
    stricter reading); with a destination not known, no licence covers it (stays 許可要)."""
    _who_reasons, dests, unknown_dest, _resident = _who(rules, f)
    if unknown_dest or not dests:
        return d
    results = [
        licensing.apply(
            rules, d, iso2, d.as_of, names, f, None, E._country_day(rules, iso2, d.as_of), "technology", part=part
        )
        for iso2 in dests
    ]
    uncovered = next((r for r in results if r.licence is None), None)
    if uncovered is not None:
        return uncovered
    numbers = tuple(dict.fromkeys(r.licence["no"] for r in results if r.licence is not None))
    if len(numbers) == 1:
        return max(results, key=lambda r: SEVERITY[r.code])
    countries = tuple(_country(rules, iso2) for iso2 in dests)
    why = rules.reasons.reason("LICENCE-TECH-SEVERAL-DESTINATIONS", L, countries=countries, numbers=numbers)
    return replace(d, reasons=(*d.reasons, why), extra={})


_decide = E._memo(maxsize=50_000)(_decide_line)  # distinct technology lines remembered


def _by_part(rules: Rules, today: date, v: dict) -> Decision:
    """A technology line naming a 品番 (or 技術番号): the 品番マスタ in force on the provision date gives the 外為令別表
    code (its 技術該非) and the HS of the goods where the line leaves them blank, as for goods
    (:func:`exportscreen.engine._by_part`); a code typed too that differs: both screened, the stricter decision
    (PART-TECH-DISAGREE). A 品番 the master does not hold, no master in force, or a blank 技術該非 (PART-TECH-UNJUDGED)
    is 要確認 — the typed code still decides when stricter, never 許可不要 on the master's silence. With no master in
    force a line that types its code is decided by it (no master: no change); a classification older than an
    amendment touching its 項, or past its 見直し期限, is 要確認 (PART-STALE, PART-REVIEW-DUE)."""
    T, part = rules.reasons, cell_text(v["part_no"]) or ""
    item, hs = v["item"], v["hs"]
    lp = part if rules.licence_registers else None  # for the licences naming their 品番

    def decide(**change: Any) -> Decision:
        return _decide(rules, today, tuple({**v, "part_no": None, **change}[f] for f in TECH_FIELDS), lp)

    try:
        as_of = _date(v["provision_date"], "provision_date") or today
    except InvalidInput:
        return decide()  # the provision date's own error
    master = rules.master_on(as_of)
    if master is None and item is not None:  # no master yet: the typed code decides
        return decide()
    product = master.classified(v["part_no"]) if master is not None else None
    if product is None or product.tech is None:
        if product is not None:
            missing = T.reason("PART-TECH-UNJUDGED", R, part=part, version=master.version)
        else:
            missing = E.part_missing(rules, master, part)
        if item is None:  # what applies whatever the code (sanctions), or the line's input error
            return E.code_unknown(missing, [decide(item=code) for code in E.PROBE_ITEMS])
        return E._adding(decide(), missing)
    extra = [
        T.reason(
            "PART-TECH-FROM-MASTER",
            N,
            part=part,
            item=product.tech,
            hs=format_hs(product.hs) if product.hs else "—",
            judged=product.judged.isoformat(),
            version=master.version,
        )
    ]
    stale = E.product_stale(rules, product, as_of, product.tech)
    if stale is not None:
        extra.append(stale)
    by_master = {"item": product.tech, "hs": product.hs if product.hs is not None else hs}
    typed = {"item": product.tech if item is None else item, "hs": product.hs if hs is None else hs}
    decision = decide(**by_master)
    if typed != by_master:
        as_typed = decide(**typed)
        if as_typed.code is Code.INVALID:
            return as_typed
        shown, master_shown = _describe(rules, **typed), _describe(rules, **by_master)
        if shown != master_shown:
            extra.append(T.reason("PART-TECH-DISAGREE", N, part=part, typed=shown, master=master_shown))
            if SEVERITY[as_typed.code] > SEVERITY[decision.code]:
                decision = as_typed
    return E._adding(decision, *extra)


def _describe(rules: Rules, item: Any, hs: Any) -> str:
    """A technology code as the reasons show it: 7の項(1); 非該当 and 16の項 with the HS of the goods it is for."""
    code = _tech_item(rules, item)
    h = E._hs(rules, hs)
    return code.format() + (f" / HS {format_hs(h)}" if h and not code.listed else "")


# ---------------------------------------------------------------- the line's facts


def _date(value: Any, field: str) -> date | None:
    return parse_date(value, field)


def _enum(rules: Rules, value: Any, table: dict[str, str], field: str, pid: str) -> str | None:
    """The key a cell names in ``table``; None for an empty cell or one that says the fact is not known (不明, TBD)."""
    text = cell_text(value)
    if text is None or rules.placeholders.match("inform", text):  # the "not known" words
        return None
    key = table.get(fold(text) or text)
    if key is None:
        raise E._invalid(rules, field, pid, text=text)
    return key


def _facts(rules: Rules, v: dict) -> TechFacts:
    T = rules.technology
    country = E.lookup_country(rules, v["country"], what="provision_country")
    influence = None
    if cell_text(v["influence_country"]) is not None and not rules.placeholders.match(
        "inform", cell_text(v["influence_country"]) or ""
    ):
        influence = E.lookup_country(rules, v["influence_country"], "influence_country", "influence_country")
    method = exemption = None
    if (text := cell_text(v["method"])) is not None:
        found = T.method(text)
        if found is None:
            raise E._invalid(rules, "method", "TECH-METHOD-UNKNOWN", text=text)
        method = found.id
    if (text := cell_text(v["exemption"])) is not None and fold(text) not in _NONE:
        ex = T.exemption(text)
        if ex is None:
            raise E._invalid(rules, "exemption", "TECH-EXEMPTION-UNKNOWN", text=text)
        exemption = ex.id
    critical = None
    if (text := cell_text(v["critical_tech"])) is not None and not rules.placeholders.match("inform", text):
        ct = T.critical_tech(text)
        critical = ct.id if ct else ("none" if (fold(text) or text) in _NONE else f"unlisted:{text}")
    purpose = _purpose(rules, v["purpose"])
    return TechFacts(
        country=country,
        residency=_enum(rules, v["residency"], _RESIDENCY, "residency", "TECH-RESIDENCY-BAD"),
        specific_type=_enum(rules, v["specific_type"], _TYPES, "specific_type", "TECH-SPECIFIC-TYPE-BAD"),
        influence=influence,
        item=_tech_item(rules, v["item"]),
        hs=E._hs(rules, v["hs"]),
        method=method,
        exemption=exemption,
        informs=E._inform(rules, v["inform"]),
        end_use=E._end_use(rules, v["end_use"]),
        critical=critical,
        purpose=purpose,
        report_date=_date(v["report_date"], "report_date"),
    )


def _purpose(rules: Rules, value: Any) -> str | None:
    table = dict(_PURPOSES)
    for cid, (ja, en) in rules.technology.prereport.channels.items():
        table.update({fold(cid): cid, fold(ja): cid, fold(en): cid})
    return _enum(rules, value, table, "purpose", "TECH-PURPOSE-BAD")


def _tech_item(rules: Rules, value: Any) -> item_no.ItemCode:
    """The 外為令別表 code of the item cell (非該当 for technology in no item). A placeholder is refused, as for
    goods; a sub-item the table does not have is refused; a deleted one is kept (要確認, never 非該当)."""
    text = cell_text(value)
    if text is not None and rules.placeholders.match("item", text):
        raise E._invalid(rules, "item", "ITEM-PLACEHOLDER", text=text)
    code = item_no.parse(value)
    check_tech_item(rules, code)
    return code


def check_tech_item(rules: Rules, code: item_no.ItemCode) -> None:
    """InvalidInput when ``code`` is no 項 or sub-item of 外為令別表 (a deleted sub-item is one: it was)."""
    T = rules.technology
    if not code.kou:
        return
    if code.kou not in T.items:
        raise E._invalid(rules, "item", "TECH-ITEM-NO-SUCH-KOU", kou=code.kou)
    if code.kou == "16":
        if code.sub not in (None, "1", "2"):
            raise E._invalid(rules, "item", "ITEM-16-SUB", sub=code.sub)
        return
    if code.sub is not None and (code.kou, code.sub) not in T.subitems:
        raise E._invalid(rules, "item", "TECH-ITEM-NO-SUCH-SUB", kou=code.kou, sub=code.sub)


# ---------------------------------------------------------------- evaluation


def _country(rules: Rules, iso2: str) -> Phrase:
    c = rules.countries[iso2]
    return Phrase(f"{c.name_ja}（{iso2}）", f"{c.name_en} ({iso2})")


def _reasons(rules: Rules, day: date, f: TechFacts, names: tuple, eul) -> list[Reason]:
    T, tech = rules.reasons, rules.technology
    who, dests, unknown_dest, resident = _who(rules, f)
    out: list[Reason] = [*E._user_note(rules, names), *who]
    if resident:  # a resident in Japan of no 特定類型: not a controlled provision
        return [*out, *_prereport(rules, day, f, [], False)]

    for iso2 in dests:
        out += _sanctions(rules, iso2, day, f.item)

    code = f.item
    if code.listed and code.sub and tech.subitems[(code.kou, code.sub)].deleted:
        return [*out, T.reason("TECH-ITEM-DELETED", R, code=code.format())]
    out += _licensing(rules, day, f, names, eul, dests, unknown_dest)
    out += _prereport(rules, day, f, dests, unknown_dest)
    return out


def _who(rules: Rules, f: TechFacts) -> tuple[list[Reason], list[str], bool, bool]:
    """Who is provided with it: (the reasons saying so, the destinations whose rules apply, whether a foreign
    destination is not known, whether it is a resident in Japan of no 特定類型 — not a controlled provision)."""
    T, tech = rules.reasons, rules.technology
    out: list[Reason] = []
    domestic = f.country == E.HOME
    # a 特定類型 is a resident's: given without residency, it is read as a resident's (the stricter reading)
    deemed = f.residency != "non_resident" and f.specific_type in ("1", "2", "3")
    dests: list[str] = [] if domestic else [f.country]
    unknown_dest = False
    if deemed:
        st = tech.specific_types[f.specific_type or ""]
        if f.influence in (None, E.HOME):
            out.append(T.reason("TECH-INFLUENCE-UNKNOWN", R, who=T.phrase("TECH-WHO-SPECIFIC", type=st.name_ja)))
            unknown_dest = True
        else:
            out.append(T.reason("TECH-SPECIFIC-TYPE", N, type=st.name_ja, country=_country(rules, f.influence)))
            if f.influence not in dests:
                dests.append(f.influence)
    elif domestic:
        if f.residency is None:
            out.append(T.reason("TECH-RESIDENCY-UNKNOWN", R))
            unknown_dest = True
        elif f.residency == "resident":
            if f.specific_type is None:
                out.append(T.reason("TECH-SPECIFIC-TYPE-UNKNOWN", R))
                unknown_dest = True
            else:
                return [T.reason("TECH-DOMESTIC-RESIDENT", N)], [], False, True
        elif f.influence in (None, E.HOME):  # a non-resident in Japan: of which country?
            out.append(T.reason("TECH-INFLUENCE-UNKNOWN", R, who=T.phrase("TECH-WHO-NONRESIDENT")))
            unknown_dest = True
        else:
            out.append(T.reason("TECH-NONRESIDENT-IN-JAPAN", N, country=_country(rules, f.influence)))
            dests.append(f.influence)
    return out, dests, unknown_dest, False


def _sanctions(rules: Rules, iso2: str, day: date, code: item_no.ItemCode) -> list[Reason]:
    """The sanctions overlays of a destination, read for technology: a measure the facts note verifies for
    technology has its own TECH-<id> reason; any other is 要確認 naming the measure."""
    T, out = rules.reasons, []
    for ov in rules.overlays:
        if iso2 not in ov.countries or not ov.period.covers(day):
            continue
        goods = ov.goods
        if not (
            goods == "all"
            or (goods == "listed" and code.listed)
            or (goods == "unlisted" and not code.listed)
            or (isinstance(goods, frozenset) and code.listed and code.kou in goods)
        ):
            continue
        rid = f"TECH-{ov.id}"
        if rid in T.reasons:
            out.append(T.reason(rid, Code(ov.outcome)))
        else:
            out.append(T.reason("TECH-SANCTION-UNVERIFIED", R, measure=Phrase(ov.ja, ov.en), ref=ov.ref))
    return out


def _licensing(
    rules: Rules, day: date, f: TechFacts, names: tuple, eul, dests: list[str], unknown_dest: bool
) -> list[Reason]:
    T, tech = rules.reasons, rules.technology
    code = f.item
    out: list[Reason] = []
    if f.exemption is not None:
        ex = tech.exemptions[f.exemption]
        name = Phrase(ex.name_ja, ex.name_en)
        if "[U]" in ex.mark:
            out.append(T.reason("TECH-EXEMPTION-UNVERIFIED", N, name=name, clause=ex.clause))
        elif code.kou and code.kou in ex.not_for:
            out.append(T.reason("TECH-EXEMPTION-NOT-FOR", N, name=name, code=code.format(), clause=ex.clause))
        else:
            text = Phrase(ex.ja, ex.en)
            # one mark when the 号 number and the content are as well verified, else both, named
            marks = ex.mark if ex.clause_mark == ex.mark else f"号{ex.clause_mark}・内容{ex.mark}"
            return [T.reason("TECH-EXEMPTION", N, name=name, clause=ex.clause, marks=marks, text=text)]
    if f.method is not None and tech.methods[f.method].act != "provision":
        m = tech.methods[f.method]
        out.append(T.reason("TECH-ACT", N, method=Phrase(m.name_ja, m.name_en), act=T.phrase(f"TECH-ACT-{m.act}")))
    eu = E._end_users(eul, names, dests[0]) if dests else E._end_user(eul, names[0], E.HOME)
    if code.listed:
        st = tech.subitems.get((code.kou, code.sub or ""))
        item = tech.items[code.kou]
        name = Phrase(st.name_ja, st.name_en) if st else Phrase(item.name_ja, item.name_en)
        out.append(T.reason("TECH-LISTED", L, code=code.format(), name=name))
        for h in eu.hits:
            out.append(
                T.reason(
                    "EUL-HIT-LISTED", N, hits=(h,), hit=h, ordinances=E._ordinances(rules, h.entry.wmd, h.entry.cw)
                )
            )
        return out
    ca = tech.catchall
    if code.kou == "16" and code.sub:
        out.append(T.reason("TECH-ITEM-16-SUB", N, code=code.format()))
    if code.kou != "16":  # 非該当: the HS of the goods it is for decides whether it is 16の項 technology
        if f.hs is None:
            return [*out, T.reason("TECH-HS-MISSING", R)]
        if int(f.hs[:2]) not in ca.chapters:
            what = T.phrase("HS-CHAPTER", hs=format_hs(f.hs), chapter=int(f.hs[:2]))
            out.append(T.reason("TECH-NOT-CONTROLLED", N, what=what))
            if f.informs:  # an inform is not passed quietly (as for goods: OUT-OF-SCOPE-INFORM)
                out.append(T.reason("TECH-OUT-OF-SCOPE-INFORM", R))
            return out
    if unknown_dest or not dests:
        return [*out, T.reason("TECH-CATCHALL-DEST-UNKNOWN", R)]
    for iso2 in dests:
        out += _catch_all(rules, day, f, E._end_users(eul, names, iso2), iso2)
    if f.informs:
        out += [T.reason("TECH-INFORM-CLAUSE", N, text=Phrase(n.ja, n.en)) for n in ca.informs if n.period.covers(day)]
    return out


def _catch_all(rules: Rules, day: date, f: TechFacts, eu, iso2: str) -> list[Reason]:
    T, ca = rules.reasons, rules.technology.catchall
    group_a, un_embargo, _concern = E._country_day(rules, iso2, day)
    where = _country(rules, iso2)
    dest = "group_a" if group_a else ("un_arms_embargo" if un_embargo else "other")
    req = ca.requirements[dest]
    if group_a:
        if f.informs:
            informs = tuple(T.phrase(f"INFORM-{k}") for k in sorted(f.informs))
            return [T.reason("TECH-CATCHALL-GROUP-A-INFORM", L, country=where, informs=informs)]
        out = [T.reason("TECH-CATCHALL-GROUP-A", N, country=where)]
        return out + [T.reason("EUL-HIT-GROUP-A", N, hits=(h,), hit=h) for h in eu.listed("wmd") + eu.possible]
    mark = req.mark.split()[0]
    stricter = T.phrase("TECH-CONV-STRICTER") if mark == "[U]" else ""  # the [U] conventional requirement
    met = {
        "inform_wmd": "wmd" in f.informs,
        "inform_conventional": "conventional" in f.informs,
        "wmd_use": f.end_use == "wmd",
        "conventional_use": f.end_use == "military",
    }
    fired: list[Reason] = []
    for r in REQUIREMENTS_ORDER:
        if r not in req.requires:
            continue
        note = stricter if r.startswith("conventional") else ""
        if r in met:
            if met[r]:
                fired.append(T.reason(f"TECH-CATCHALL-{r}", L, country=where, ref=req.ref, mark=mark, note=note))
        else:
            for h in eu.listed("wmd" if r == "wmd_user" else "cw"):
                fired.append(T.reason(f"TECH-CATCHALL-{r}", L, hits=(h,), hit=h, country=where, ref=req.ref, note=note))
    if fired:
        return fired
    conv = "conventional_use" in req.requires
    missing: list[Reason] = []
    if f.end_use == "unknown":
        scope = T.phrase("SCOPE-WMD-CONV" if conv else "SCOPE-WMD")
        missing.append(T.reason("TECH-CATCHALL-USE-UNKNOWN", R, country=where, scope=scope, ref=req.ref))
    if eu.missing:
        missing.append(T.reason(f"TECH-{eu.missing}", R, country=where, ref=req.ref))
    for h in eu.possible:
        missing.append(T.reason("TECH-CATCHALL-USER-POSSIBLE", R, hits=(h,), hit=h, country=where, ref=req.ref))
    if missing:
        return missing
    checked = T.phrase("CHECKED-WMD-CONV" if conv else "CHECKED-WMD")
    note = stricter if conv else ""
    return [T.reason("TECH-CATCHALL-CLEAR", N, country=where, checked=checked, ref=req.ref, mark=mark, note=note)]


def _prereport(rules: Rules, day: date, f: TechFacts, dests: list[str], unknown_dest: bool) -> list[Reason]:
    """The pre-report scheme (外為法55条の8): a designated technology provided to a foreign party for manufacture
    or design abroad, outside Group A, not excluded → 事前報告要 until the report date is given. To a foreign
    destination outside Group A the line must say whether the technology is designated (なし when not) or that it
    is not provided for manufacture abroad: a missing answer is 要確認, never 許可不要."""
    T, s = rules.reasons, rules.technology.prereport
    if not s.period.covers(day) or f.critical == "none":
        return []
    ct = s.technologies.get(f.critical or "")
    if ct is not None and not ct.period.covers(day):
        return []
    tech = Phrase(ct.name_ja, ct.name_en) if ct else None
    if f.exemption is not None and f.exemption in s.exclusions:
        if tech is None:
            return []
        ex = rules.technology.exemptions[f.exemption]
        return [T.reason("TECH-PREREPORT-EXCLUDED", N, tech=tech, name=Phrase(ex.name_ja, ex.name_en))]
    if unknown_dest or not dests:  # the line already says what is missing; or a resident in Japan
        if tech is None:
            return []
        return [T.reason("TECH-PREREPORT-DEST-UNKNOWN" if unknown_dest else "TECH-PREREPORT-DOMESTIC", N, tech=tech)]
    foreign = [d for d in dests if not rules.lists[s.not_to].contains(d, day)]
    out = [
        T.reason("TECH-PREREPORT-GROUP-A", N, tech=tech, country=_country(rules, d))
        for d in dests
        if tech is not None and d not in foreign
    ]
    if not foreign or f.purpose == "none" and tech is None:
        return out
    if tech is None:
        if f.critical is not None:  # a technology the (unverified) list does not have
            return [*out, T.reason("TECH-PREREPORT-NOT-LISTED", R, text=f.critical.split(":", 1)[1])]
        if f.purpose is None:
            return [*out, T.reason("TECH-PREREPORT-FACTS-MISSING", R)]
        return [*out, T.reason("TECH-PREREPORT-TECH-UNKNOWN", R, channel=_channel(rules, f.purpose))]
    if f.purpose is None:
        return [*out, T.reason("TECH-PREREPORT-PURPOSE-UNKNOWN", R, tech=tech)]
    if f.purpose == "none":
        return [*out, T.reason("TECH-PREREPORT-NOT-MANUFACTURE", N, tech=tech)]
    assert ct is not None
    where = tuple(_country(rules, d) for d in foreign)
    params: dict[str, Any] = dict(
        tech=tech, channel=_channel(rules, f.purpose), country=where, ref=s.ref, penalty_ref=s.penalty_ref
    )
    if f.report_date is None:
        timing, penalty = Phrase(s.timing_ja, s.timing_en), Phrase(s.penalty_ja, s.penalty_en)
        return [
            *out,
            T.reason("TECH-PREREPORT-REQUIRED", REPORT, timing=timing, penalty=penalty, mark=ct.mark, **params),
        ]
    if f.report_date > day:
        return [*out, T.reason("TECH-PREREPORT-LATE", R, reported=f.report_date, day=day, **params)]
    return [*out, T.reason("TECH-PREREPORT-DONE", N, reported=f.report_date, **params)]


def _channel(rules: Rules, cid: str) -> Phrase:
    if cid == "abroad":
        return rules.reasons.phrase("TECH-CHANNEL-ABROAD")
    ja, en = rules.technology.prereport.channels[cid]
    return Phrase(ja, en)


def _item_info(rules: Rules, f: TechFacts) -> dict:
    tech, code = rules.technology, f.item
    info: dict[str, Any] = {
        "kind": "technology",
        "code": code.format() if code.kou else "非該当",
        "kou": code.kou or None,
        "sub": code.sub,
        "hs": format_hs(f.hs) if f.hs else None,
        "class": "listed" if code.listed else ("16" if code.kou == "16" else "unlisted"),
        "residency": f.residency,
        "specific_type": f.specific_type,
        "influence_country": f.influence,
        "method": f.method,
        "exemption": f.exemption,
        "critical_tech": f.critical if f.critical in tech.prereport.technologies else None,
        "purpose": f.purpose,
        "labels": _labels(rules, f),
    }
    if code.kou:
        st = tech.subitems.get((code.kou, code.sub or ""))
        named = st if st and not st.deleted else tech.items[code.kou]
        info["name_ja"], info["name_en"] = named.name_ja, named.name_en
    return info


def _labels(rules: Rules, f: TechFacts) -> dict[str, tuple[str, str]]:
    """The line's provision facts as names (ja, en), for what an adapter shows beside the decision: the facts
    given, in TECH_FIELDS order; a critical technology the list does not have is shown as written."""
    tech, T = rules.technology, rules.reasons
    out: dict[str, tuple[str, str]] = {}
    if f.residency is not None:
        out["residency"] = RESIDENCY[f.residency][0], RESIDENCY[f.residency][1]
    if f.specific_type is not None:
        st = tech.specific_types.get(f.specific_type)
        out["specific_type"] = (st.name_ja, st.name_en) if st else ("なし", "none")
    if f.influence is not None:
        c = rules.countries[f.influence]
        out["influence_country"] = f"{c.name_ja}（{f.influence}）", f"{c.name_en} ({f.influence})"
    if f.method is not None:
        out["method"] = tech.methods[f.method].name_ja, tech.methods[f.method].name_en
    if f.exemption is not None:
        out["exemption"] = tech.exemptions[f.exemption].name_ja, tech.exemptions[f.exemption].name_en
    if f.critical is not None:
        ct = tech.prereport.technologies.get(f.critical)
        text = f.critical.split(":", 1)[-1]
        out["critical_tech"] = (
            (f"{ct.id} {ct.name_ja}", f"{ct.id} {ct.name_en}")
            if ct
            else ("なし", "none")
            if f.critical == "none"
            else (text, text)
        )
    if f.purpose is not None:
        p = _channel(rules, f.purpose) if f.purpose != "none" else T.phrase("TECH-CHANNEL-NONE")
        out["purpose"] = p.ja, p.en
    if f.report_date is not None:
        out["report_date"] = f.report_date.isoformat(), f.report_date.isoformat()
    return out
