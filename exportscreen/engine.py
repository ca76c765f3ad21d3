"""The screening engine: (order line, rules, as-of date) → :class:`~exportscreen.model.Decision`.

Pure: no I/O, no xlwings, no clock (the caller passes ``today``). Memoised on the normalised line.

Order of evaluation (輸出令1条, 2条, 4条; facts §3.3 and §9): sanctions overlays, then list control
(別表第一 1–15), then catch-all (16の項), then exemptions (少額特例). The decision is the most severe
outcome; every step that fired contributes a :class:`Reason` with its legal reference. When a fact needed
for a requirement is missing the step says 要確認 naming the fact — it never concludes 許可不要.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from exportscreen.ids import InvalidInput, hs_code, item_no
from exportscreen.ids.hs_code import format_hs
from exportscreen.ids.text import cell_text, fold
from exportscreen.ids.values import parse_date, parse_end_use, parse_inform, parse_value
from exportscreen.model import SEVERITY, Code, Decision, Reason
from exportscreen.rules import Rules, bundled

ORDER_FIELDS = ("country", "item", "hs", "end_user", "end_use", "inform", "value_jpy", "ship_date")
REVISION_2025 = date(2025, 10, 9)  # 16の項 split, Group A inform (輸出令改正, in force 2025-10-09)

R, L, P, N = Code.REVIEW, Code.LICENSE_REQUIRED, Code.PROHIBITED, Code.NO_LICENSE
INFORM_JA = {"wmd": "大量破壊兵器", "conventional": "通常兵器"}


# ---------------------------------------------------------------- rules in use


_default: Rules | None = None


def default_rules() -> Rules:
    """The bundled law data plus the End User Lists imported under EXPORTSCREEN_HOME (loaded once)."""
    global _default
    if _default is None:
        from exportscreen import eul

        _default = bundled().with_eul(eul.load_lists())
    return _default


def reset_default_rules() -> None:
    """Forget the loaded rules (after an End User List import, or in tests)."""
    global _default
    _default = None
    _seen.clear()
    for cached in (_decide, _evaluate, _country_day, _country_info, _overlays, _notices, _small_value_limit, _item_names, item_class, _item_info, suggest_country,
                   _core_reasons, _epoch, _boundaries, _eul_on, _version, _end_user, _country, _item,
                   _ship_date, _value, _hs, _end_use, _inform):
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


def _key(value):
    """A hashable, type-stable form of a raw cell value for memoisation."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, float) and value != value:
        return None
    return value


def screen(country=None, item=None, hs=None, end_user=None, end_use=None, inform=None, value_jpy=None, ship_date=None,
           *, rules: Rules | None = None, today: date | None = None) -> Decision:
    """Screen one order line given as raw cell values. Never raises for bad input: it returns INVALID."""
    cells = (country, item, hs, end_user, end_use, inform, value_jpy, ship_date)
    if bool in map(type, cells):  # TRUE/FALSE are text to us (True == 1 would share 1's memo entries)
        cells = tuple(("TRUE" if c else "FALSE") if type(c) is bool else c for c in cells)
    key = (rules or default_rules(), today or date.today(), *cells)
    try:
        return _seen[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable cell value: decide without the first-level cache
        return _decide(*key[:2], *map(_key, key[2:]))
    decision = _decide(*key[:2], *map(_key, key[2:]))
    if len(_seen) >= 200_000:
        _seen.clear()
    _seen[key] = decision
    return decision


_seen: dict[tuple, Decision] = {}  # first-level memo on the raw values, before any normalisation


@lru_cache(maxsize=200_000)
def _decide(rules, today, country, item, hs, end_user, end_use, inform, value_jpy, ship_date) -> Decision:
    try:
        iso2, as_of, name, facts = _facts(rules, today, country, item, hs, end_user, end_use, inform, value_jpy, ship_date)
    except InvalidInput as exc:
        as_of = today
        try:
            as_of = parse_date(ship_date) or today
        except InvalidInput:
            pass
        reason = Reason(f"INPUT-{exc.field.upper()}", Code.INVALID, f"入力エラー: {exc.ja}", f"input error: {exc.en}", "入力チェック")
        return Decision(Code.INVALID, (reason,), as_of, rules.version)
    return _evaluate(rules, iso2, as_of, name, facts)


@lru_cache(maxsize=65536)
def _country_day(rules: Rules, iso2: str, day: date) -> tuple[bool, bool, bool]:
    """(Group A, 別表第三の二, 別表第四) membership of a country on a day."""
    lists = rules.lists
    return lists["group_a"].contains(iso2, day), lists["un_arms_embargo"].contains(iso2, day), lists["concern"].contains(iso2, day)


def lookup_country(rules: Rules, value) -> str:
    text = cell_text(value)
    if text is None:
        raise InvalidInput("country", "仕向地が空です", "destination country is empty")
    iso2 = rules.aliases.get(fold(text))
    if iso2 is None:
        hint = suggest_country(rules, text)
        raise InvalidInput(
            "country",
            f"仕向地「{text}」が見つかりません" + (f"（もしかして: {hint}）" if hint else ""),
            f"unknown destination {text!r}" + (f" (did you mean {hint}?)" if hint else ""),
        )
    return iso2


@lru_cache(maxsize=1024)
def suggest_country(rules: Rules, text: str) -> str | None:
    from rapidfuzz import process

    best = process.extractOne(fold(text), list(rules.aliases), score_cutoff=85)
    if not best:
        return None
    c = rules.countries[rules.aliases[best[0]]]
    return f"{c.name_ja} ({c.iso2})"


def _facts(rules, today, country, item, hs, end_user, end_use, inform, value_jpy, ship_date) -> tuple[str, date, str | None, Facts]:
    """(country, as-of date, end-user name, Facts) of a line; raises InvalidInput."""
    as_of = _ship_date(ship_date) or today
    if as_of < rules.coverage_from:
        raise InvalidInput(
            "ship_date",
            f"出荷日 {as_of} は規則データの対象期間（{rules.coverage_from} 以降）より前です",
            f"ship date {as_of} is before the period the rules cover (from {rules.coverage_from})",
        )
    iso2 = _country(rules, country)
    code = _item(rules, item)
    group_a, un_embargo, concern = _country_day(rules, iso2, as_of)
    value = _value(value_jpy)
    return iso2, as_of, cell_text(end_user), Facts(
        as_of=_epoch(rules, as_of),
        group_a=group_a,
        un_embargo=un_embargo,
        concern=concern,
        item=code,
        hs=_hs(hs),
        end_use=_end_use(end_use),
        informs=_inform(inform),
        # The value matters only against the small-value limit: keeping just that makes decisions share a cache.
        within_small_value=None if value is None or not code.listed else value <= _small_value_limit(rules, code, as_of)[0],
    )


# Each field of a line is parsed once per distinct cell value (a failed parse raises again and is not cached).
_ship_date = lru_cache(maxsize=8192, typed=True)(parse_date)
_value = lru_cache(maxsize=65536, typed=True)(parse_value)
_hs = lru_cache(maxsize=8192, typed=True)(hs_code.parse)
_end_use = lru_cache(maxsize=1024, typed=True)(parse_end_use)
_inform = lru_cache(maxsize=1024, typed=True)(parse_inform)


@lru_cache(maxsize=8192, typed=True)
def _country(rules: Rules, value) -> str:
    return lookup_country(rules, value)


@lru_cache(maxsize=8192, typed=True)
def _item(rules: Rules, value) -> item_no.ItemCode:
    code = item_no.parse(value)
    _check_item(rules, code)
    return code


def _check_item(rules: Rules, code: item_no.ItemCode) -> None:
    if not code.kou:
        return
    if code.kou not in rules.items:
        raise InvalidInput(
            "item", f"{code.kou}の項は輸出令別表第一にありません（1〜16の項）", f"item {code.kou} does not exist in Schedule 1 (items 1-16)"
        )
    if code.kou == "16":
        if code.sub not in (None, "1", "2"):
            raise InvalidInput("item", f"16の項({code.sub})はありません（(1)か(2)）", f"item 16({code.sub}) does not exist: 16(1) or 16(2)")
        return
    if code.sub is not None and (code.kou, code.sub) not in rules.subitems:
        subs = [s for (k, s) in rules.subitems if k == code.kou]
        hint = _closest_sub(code.sub, subs)
        raise InvalidInput(
            "item",
            f"{code.kou}の項({code.sub})は別表第一にありません" + (f"（もしかして: {code.kou}の項({hint})）" if hint else ""),
            f"item {code.kou}({code.sub}) does not exist in Schedule 1" + (f" (did you mean {code.kou}({hint})?)" if hint else ""),
        )


def _closest_sub(sub: str, subs: list[str]) -> str | None:
    try:
        target = int(sub.split("の")[0])
    except ValueError:
        return None
    numbered = [(abs(int(s.split("の")[0]) - target), s) for s in subs if s.split("の")[0].isdigit()]
    return min(numbered)[1] if numbered else None


# ---------------------------------------------------------------- classification


@lru_cache(maxsize=65536)
def item_class(rules: Rules, code: item_no.ItemCode, hs: str | None, day: date) -> frozenset[str]:
    """The catch-all classes a non-listed good may fall in: {"16(1)", "16(2)"} after 2025-10-09, {"16"} before,
    "O" outside the catch-all chapters. More than one class means the HS code is missing or too short."""
    return frozenset(_item_class(rules, code, hs, day))


def _item_class(rules: Rules, code: item_no.ItemCode, hs: str | None, day: date) -> set[str]:
    post = day >= REVISION_2025
    if code.kou == "16":
        if not post:
            return {"16"}
        if code.sub in ("1", "2"):
            return {f"16({code.sub})"}
    if hs is None:
        return {"16(1)", "16(2)", "O"} if post else {"16", "O"}
    chapter_rule = next((c for c in rules.chapter_rules if c.period.covers(day)), None)
    chapter = int(hs[:2])
    if chapter_rule is None or chapter not in chapter_rule.chapters:
        return {"O"}
    if not post:
        return {chapter_rule.cls}
    return {_hs_16_1(rules, hs, chapter_rule.cls)} if len(hs) >= 6 else _hs_16_1_short(rules, hs, chapter_rule.cls)


def _hs_16_1(rules: Rules, hs: str, other: str) -> str:
    for group in rules.hs_groups:
        if any(hs.startswith(p) for p in group.prefixes) and not any(hs.startswith(e) for e in group.excepts):
            return "16(1)"
    return other


def _hs_16_1_short(rules: Rules, hs: str, other: str) -> set[str]:
    out = set()
    for group in rules.hs_groups:
        for p in group.prefixes:
            if hs.startswith(p):
                out.add("16(1)")
                if any(e.startswith(hs) for e in group.excepts):
                    out.add(other)
            elif p.startswith(hs):
                out.update(("16(1)", other))
    return out or {other}


def hs_group(rules: Rules, hs: str | None):
    if not hs:
        return None
    for group in rules.hs_groups:
        if any(hs.startswith(p) for p in group.prefixes) and not any(hs.startswith(e) for e in group.excepts):
            return group
    return None


CLASS_JA = {"16(1)": "16の項(1)", "16(2)": "16の項(2)", "16": "16の項", "O": "キャッチオール対象外"}
CLASS_EN = {"16(1)": "item 16(1)", "16(2)": "item 16(2)", "16": "item 16", "O": "outside the catch-all"}


# ---------------------------------------------------------------- evaluation


@lru_cache(maxsize=100_000)
def _evaluate(rules: Rules, iso2: str, as_of: date, name: str | None, f: Facts) -> Decision:
    eul = _eul_on(rules, as_of)
    # List control and catch-all depend on the day only through rules that change on known days (f.as_of is the
    # first day of that period) and on the buyer only through its End User List result: evaluated once per such
    # standing and shared by every line that has it.
    core = _core_reasons(rules, f, _end_user(eul, name, iso2))
    reasons = sorted([*_overlays(rules, iso2, as_of, f.item.listed, f.item.kou), *core, *_notices(rules, iso2, as_of)],
                     key=_by_severity)
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


@lru_cache(maxsize=65536)
def _core_reasons(rules: Rules, f: Facts, eu: _EndUser) -> tuple[Reason, ...]:
    return tuple(_list_control(rules, f, eu) if f.item.listed else _catch_all(rules, f, eu))


@lru_cache(maxsize=4096)
def _epoch(rules: Rules, day: date) -> date:
    """The first day of the period around ``day`` in which no rule (list membership, catch-all scope, small
    value, overlay, the 2025-10-09 revision, an End User List's effective date) changes."""
    i = bisect_right(_boundaries(rules), day)
    return _boundaries(rules)[i - 1] if i else date.min


@lru_cache(maxsize=64)
def _boundaries(rules: Rules) -> tuple[date, ...]:
    periods = [p for lst in rules.lists.values() for ps in lst.members.values() for p in ps]
    periods += [c.period for c in rules.chapter_rules] + [rules.hs_groups_period]
    periods += [r.period for r in rules.small_value] + [o.period for o in rules.overlays]
    days = {d for p in periods for d in (p.valid_from, p.valid_to) if d}
    days |= {REVISION_2025, rules.coverage_from} | {e.effective for e in rules.eul_lists}
    return tuple(sorted(days))


@lru_cache(maxsize=4096)
def _eul_on(rules: Rules, day: date):
    return rules.eul_on(day)


@lru_cache(maxsize=64)
def _version(rules: Rules, eul) -> str:
    return rules.version + (f"+EUL{eul.list_date.isoformat()}" if eul is not None else "")


@lru_cache(maxsize=65536)
def _country_info(rules: Rules, iso2: str, day: date) -> dict:
    c = rules.countries[iso2]
    groups = [lid for lid, lst in rules.lists.items() if lst.contains(iso2, day)]
    return {"iso2": c.iso2, "name_ja": c.name_ja, "name_en": c.name_en, "groups": groups, "group_label": country_group_label(rules, iso2, day)}


@lru_cache(maxsize=65536)
def _item_info(rules: Rules, item: item_no.ItemCode, hs: str | None, day: date) -> dict:
    info = {"code": item.format(), "kou": item.kou or None, "sub": item.sub, "hs": format_hs(hs) if hs else None}
    if item.listed:
        info["class"] = "listed"
        info["name_ja"], info["name_en"] = _item_names(rules, item)
    else:
        classes = item_class(rules, item, hs, day)
        info["class"] = next(iter(classes)) if len(classes) == 1 else "unknown"
    return info


@lru_cache(maxsize=4096)
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


@lru_cache(maxsize=65536)
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
            out.append(Reason(ov.id, Code(ov.outcome), ov.ja, ov.en, ov.ref))
    return tuple(out)


@lru_cache(maxsize=65536)
def _notices(rules: Rules, iso2: str, day: date) -> tuple[Reason, ...]:
    return tuple(
        Reason(n.id, N, n.ja, n.en, n.ref)
        for n in rules.notices
        if n.period.covers(day) and (iso2 in n.countries if n.list is None else rules.lists[n.list].contains(iso2, day))
    )


@dataclass(frozen=True)
class _EndUser:
    """The end-user facts: End User List hits for the buyer, or what is missing to judge them."""

    hits: tuple = ()
    missing_ja: str | None = None
    missing_en: str | None = None

    def listed(self, concern: str) -> list:
        """Hits (not possible hits) whose entry has the concern: "wmd" (B/C/M/N) or "cw"."""
        return [h for h in self.hits if h.kind == "hit" and getattr(h.entry, concern)]

    @property
    def possible(self) -> list:
        return [h for h in self.hits if h.kind == "possible"]


NO_END_USER = _EndUser((), "需要者が未入力のため、需要者要件（外国ユーザーリスト）を確認できません", "no end user given: the end-user requirement (End User List) cannot be checked")
NO_LIST = _EndUser(
    (),
    "外国ユーザーリストが読み込まれていないため、需要者要件を確認できません（exportscreen rules import-eul）",
    "no End User List is loaded: the end-user requirement cannot be checked (exportscreen rules import-eul)",
)


@lru_cache(maxsize=65536)
def _end_user(eul, name: str | None, iso2: str) -> _EndUser:
    if not name:
        return NO_END_USER
    if eul is None:
        return NO_LIST
    return _EndUser(tuple(eul.match(name, iso2)))


def _hit_text(h, lang: str) -> str:
    e = h.entry
    concerns = ",".join(sorted(e.concerns))
    if lang == "ja":
        return f"外国ユーザーリスト No.{e.no} {e.name}（{concerns}、一致「{h.matched_name}」スコア{h.score:.2f}）"
    return f"End User List No.{e.no} {e.name} ({concerns}; matched {h.matched_name!r}, score {h.score:.2f})"


def _list_control(rules: Rules, f: Facts, eu: _EndUser) -> list[Reason]:
    code = f.item.format()
    name_ja, name_en = _item_names(rules, f.item)
    ref = f"外為法48条1項; 輸出令1条1項, 別表第一 {code}"
    licence = Reason(
        "LIST-LISTED",
        L,
        f"輸出令別表第一 {code}（{name_ja}）に該当：全地域向けに経済産業大臣の輸出許可が必要です",
        f"listed in Schedule 1 {code} ({name_en}): an export licence is required for every destination",
        ref,
    )
    out = [licence]
    for h in eu.hits:
        out.append(Reason("EUL-HIT-LISTED", N, f"需要者が{_hit_text(h, 'ja')}に該当の可能性（許可申請で申告）", f"buyer may be on the {_hit_text(h, 'en')} (declare it in the licence application)", "外国ユーザーリスト; 核兵器等おそれ省令2号・3号"))
    exempt = _small_value(rules, f, eu)
    if exempt is not None:
        if exempt.severity == N and exempt.rule_id == "SMALL-VALUE-APPLIES":
            out[0] = exempt
        else:
            out.append(exempt)
    return out


@lru_cache(maxsize=4096)
def _small_value_limit(rules: Rules, code: item_no.ItemCode, day: date) -> tuple[float, bool]:
    """(limit in yen, whether the good is in 別表第三の三) for a listed good; (-1, False) when the exemption cannot apply."""
    rule = next((r for r in rules.small_value if r.period.covers(day)), None)
    if rule is None or code.kou not in rule.items:
        return -1.0, False
    s33 = rule.in_schedule_3_3(code.kou, code.sub)
    return (rule.schedule_3_3_threshold if s33 else rule.threshold), s33


def _small_value(rules: Rules, f: Facts, eu: _EndUser) -> Reason | None:
    limit, s33 = _small_value_limit(rules, f.item, f.as_of)
    if limit < 0:
        return None
    ref = "輸出令4条1項5号"
    if f.concern:  # 別表第四
        return Reason("SMALL-VALUE-CONCERN", N, "少額特例は別表第四（イラン・イラク・北朝鮮）向けには使えません", "the small-value exemption is not available to Schedule 4 destinations (Iran, Iraq, North Korea)", ref + "; 別表第四")
    if f.within_small_value is None:
        return Reason("SMALL-VALUE-NO-VALUE", N, "金額が未入力のため少額特例は判断していません", "no value given: the small-value exemption was not considered", ref)
    if not f.within_small_value:
        return Reason("SMALL-VALUE-OVER", N, f"総価額が少額特例の上限 {limit:,.0f}円 を超えます", f"the value exceeds the small-value limit ¥{limit:,.0f}", ref + ("; 別表第三の三" if s33 else ""))
    # Within the limit: lost when a requirement of 4条1項3号 applies (3号ロ・ニ for Group A; イ・ロ・ニ elsewhere; イ–ニ for 別表第三の二).
    lost, unknown = [], []
    if f.informs:
        lost.append("インフォームを受けている")
    if not f.group_a:
        if f.end_use == "wmd":
            lost.append("用途が大量破壊兵器等")
        if f.un_embargo and f.end_use == "military":
            lost.append("用途が通常兵器（別表第三の二向け）")
        if eu.listed("wmd") or (f.un_embargo and eu.listed("cw")):
            lost.append("需要者が外国ユーザーリストに掲載")
        if f.end_use == "unknown":
            unknown.append("用途が不明")
        if eu.missing_ja:
            unknown.append("需要者を確認できない")
        if eu.possible:
            unknown.append("需要者が外国ユーザーリストと類似")
    if lost:
        return Reason("SMALL-VALUE-LOST", N, f"少額特例は使えません（{'、'.join(lost)}）", "the small-value exemption is lost (a catch-all requirement applies)", ref + "; 4条1項3号")
    if unknown:
        return Reason("SMALL-VALUE-UNCONFIRMED", N, f"少額特例の条件を確認できないため許可要としています（{'、'.join(unknown)}）", "the conditions of the small-value exemption cannot be confirmed (missing facts), so a licence is assumed", ref + "; 4条1項3号")
    return Reason(
        "SMALL-VALUE-APPLIES",
        N,
        f"少額特例を適用：{f.item.format()}、総価額が上限 {limit:,.0f}円 以下" + ("（別表第三の三）" if s33 else ""),
        f"small-value exemption: {f.item.format()}, value within the limit of ¥{limit:,.0f}",
        ref + ("; 別表第三の三" if s33 else ""),
    )


def _catch_all(rules: Rules, f: Facts, eu: _EndUser) -> list[Reason]:
    classes = item_class(rules, f.item, f.hs, f.as_of)
    outcomes = {cls: _catch_all_class(rules, f, eu, cls) for cls in sorted(classes)}
    if len(outcomes) == 1:
        return next(iter(outcomes.values()))
    codes = {cls: max((r.severity for r in rs), key=lambda c: c.severity) for cls, rs in outcomes.items()}
    if len(set(codes.values())) == 1:
        # Whatever the class, the answer is the same (e.g. Group A without inform): take the strictest class's reasons.
        return outcomes[min(outcomes, key=lambda c: {"16(1)": 0, "16": 0, "16(2)": 1, "O": 2}[c])]
    what_ja = "HSコードが未入力のため" if f.hs is None else f"HSコード {format_hs(f.hs)} の桁が足りないため"
    what_en = "no HS code" if f.hs is None else f"HS code {format_hs(f.hs)} is too short"
    detail_ja = "、".join(f"{CLASS_JA[c]}なら{codes[c].label}" for c in outcomes)
    detail_en = ", ".join(f"{CLASS_EN[c]}: {codes[c].label_en}" for c in outcomes)
    return [Reason("CATCHALL-HS-MISSING", R, f"{what_ja}、キャッチオール規制の対象か判断できません（{detail_ja}）", f"{what_en}: cannot tell whether the catch-all applies ({detail_en})", "輸出令別表第一 16の項; 貨物等省令14条の2")]


def _catch_all_class(rules: Rules, f: Facts, eu: _EndUser, cls: str) -> list[Reason]:
    if cls == "O":
        where = f"HS {format_hs(f.hs)}（第{int(f.hs[:2])}類）" if f.hs else "この貨物"
        out = [Reason("CATCHALL-OUT-OF-SCOPE", N, f"{where}はキャッチオール規制（16の項）の対象外です", f"{'HS ' + format_hs(f.hs) if f.hs else 'the good'} is outside the catch-all chapters (item 16)", "輸出令別表第一 16の項")]
        # No licence, but a line that says WMD use or an inform is not one to pass quietly.
        if f.end_use == "wmd":
            out.append(Reason("OUT-OF-SCOPE-WMD-USE", R, "用途が大量破壊兵器等です：許可の対象外でも、輸出管理責任者の確認と経済産業省への報告（KNOW通達）が必要です", "WMD end use: even outside the licence requirement, the export control officer must review it and METI must be informed (KNOW notice)", "KNOW通達（大量破壊兵器等の開発等に用いられることを知った場合の報告）"))
        if f.informs:
            out.append(Reason("OUT-OF-SCOPE-INFORM", R, "インフォームを受けていますが、貨物は16の項の対象外です：インフォームの対象貨物を確認してください", "an inform was received but the good is outside item 16: check which goods the inform covers", "外為法48条1項・2項; 輸出令4条1項3号・4号, 4条2項3号"))
        return out
    post = f.as_of >= REVISION_2025
    cls_ja = CLASS_JA[cls]
    informs_ja = "・".join(INFORM_JA[k] for k in sorted(f.informs))
    if f.group_a:
        if not post:
            return [Reason("CATCHALL-GROUP-A-PRE2025", N, "グループA（別表第三）向けは2025-10-09改正前はキャッチオール規制の対象外です", "Group A destinations were outside the catch-all before 2025-10-09", "輸出令別表第一 16の項 下欄（2025-10-09改正前）")]
        out = []
        if f.informs:
            out.append(Reason("CATCHALL-GROUP-A-INFORM", L, f"インフォーム（{informs_ja}）を受けている：グループA向けでも{cls_ja}の貨物に許可が必要です", f"inform received ({', '.join(sorted(f.informs))}): a licence is required even to Group A ({CLASS_EN[cls]})", "外為法48条2項; 輸出令1条3項, 4条2項3号"))
        else:
            out.append(Reason("CATCHALL-GROUP-A", N, f"グループA（別表第三）向け・インフォームなし：{cls_ja}の貨物に許可は不要です", f"Group A destination, no inform: no licence for {CLASS_EN[cls]} goods", "輸出令4条2項3号"))
        for h in eu.listed("wmd") + eu.listed("cw") + eu.possible:
            out.append(Reason("EUL-HIT-GROUP-A", N, f"参考：需要者が{_hit_text(h, 'ja')}と一致（グループA向けはインフォームがない限り判定に影響しません）", f"for information: buyer matches the {_hit_text(h, 'en')} (no effect on Group A without an inform)", "外国ユーザーリスト"))
        return out

    go = "4条1項3号" if cls == "16(1)" else ("4条1項4号" if cls == "16(2)" else "4条1項3号（2025-10-09改正前）")
    conv_use = cls == "16(1)" or f.un_embargo  # conventional use requirement (ハ)
    conv_user = post and conv_use  # conventional end-user limb (通常兵器おそれ省令2号・3号) exists from 2025-10-09
    fired: list[Reason] = []
    if "wmd" in f.informs:
        fired.append(Reason("CATCHALL-WMD-INFORM", L, f"大量破壊兵器等のインフォームを受けている：{cls_ja}の貨物に許可が必要です", "WMD inform received: a licence is required", f"外為法48条1項; 輸出令{go}ロ"))
    if "conventional" in f.informs:
        fired.append(Reason("CATCHALL-CONV-INFORM", L, f"通常兵器のインフォームを受けている：{cls_ja}の貨物に許可が必要です", "conventional-weapons inform received: a licence is required", f"外為法48条1項; 輸出令{go}ニ"))
    if f.end_use == "wmd":
        fired.append(Reason("CATCHALL-WMD-USE", L, "用途要件：大量破壊兵器等の開発等に用いられるおそれがあります", "use requirement: the goods may be used for WMD development", f"外為法48条1項; 輸出令{go}イ; 核兵器等おそれ省令1号"))
    if f.end_use == "military" and conv_use:
        fired.append(Reason("CATCHALL-CONV-USE", L, f"用途要件：通常兵器の開発等に用いられるおそれがあります（{cls_ja}" + ("・別表第三の二向け" if f.un_embargo else "") + "）", "use requirement: the goods may be used for conventional-weapons development", f"外為法48条1項; 輸出令{go}ハ; 通常兵器おそれ省令1号"))
    for h in eu.listed("wmd"):
        fired.append(Reason("CATCHALL-WMD-USER", L, f"需要者要件：{_hit_text(h, 'ja')}（用途・取引条件から懸念用途以外が明らかな場合を除く）", f"end-user requirement: {_hit_text(h, 'en')} (unless clearly for other purposes)", f"外為法48条1項; 輸出令{go}イ; 核兵器等おそれ省令2号・3号"))
    if conv_user:
        for h in eu.listed("cw"):
            fired.append(Reason("CATCHALL-CONV-USER", L, f"需要者要件（通常兵器）：{_hit_text(h, 'ja')}（懸念用途以外が明らかな場合を除く）", f"conventional end-user requirement: {_hit_text(h, 'en')} (unless clearly for other purposes)", f"外為法48条1項; 輸出令{go}ハ; 通常兵器おそれ省令2号・3号"))
    if fired:
        return fired

    missing: list[Reason] = []
    if f.end_use == "unknown":
        scope = "大量破壊兵器等・通常兵器" if conv_use else "大量破壊兵器等"
        missing.append(Reason("CATCHALL-USE-UNKNOWN", R, f"用途が不明のため、用途要件（{scope}）を判断できません", "end use unknown: the use requirement cannot be judged", f"輸出令{go}イ" + ("・ハ" if conv_use else "")))
    if eu.missing_ja:
        missing.append(Reason("CATCHALL-USER-UNCHECKED", R, eu.missing_ja, eu.missing_en, f"輸出令{go}イ; 核兵器等おそれ省令2号・3号"))
    for h in eu.possible:
        missing.append(Reason("CATCHALL-USER-POSSIBLE", R, f"需要者が{_hit_text(h, 'ja')}と類似：同一か確認してください", f"buyer resembles the {_hit_text(h, 'en')}: confirm whether it is the same party", f"輸出令{go}イ; 外国ユーザーリスト"))
    notes: list[Reason] = []
    if f.end_use == "military" and not conv_use:
        notes.append(Reason("CATCHALL-CONV-USE-NA", N, f"{cls_ja}・一般国向けは通常兵器の用途要件の対象外です（インフォームのみ）", f"{CLASS_EN[cls]} to a general destination: the conventional use requirement does not apply (inform only)", f"輸出令{go}"))
    if not conv_user:
        for h in eu.listed("cw"):
            notes.append(Reason("EUL-CW-NA", N, f"参考：{_hit_text(h, 'ja')}は通常兵器の懸念区分ですが、この貨物・仕向地には通常兵器の需要者要件がありません", f"for information: {_hit_text(h, 'en')} is a conventional-weapons concern, which does not apply to these goods and destination", f"輸出令{go}"))
    if missing:
        return missing + notes
    checked = "用途・需要者" + ("（大量破壊兵器等・通常兵器）" if conv_use else "（大量破壊兵器等）")
    return [Reason("CATCHALL-CLEAR", N, f"{cls_ja}：{checked}の要件とインフォーム要件のいずれにも該当しません", f"{CLASS_EN[cls]}: no use, end-user or inform requirement applies", f"輸出令{go}")] + notes


# ---------------------------------------------------------------- descriptions for the spreadsheet functions


def describe_item(item, hs=None, day: date | None = None, *, rules: Rules | None = None) -> str:
    """e.g. ``7の項(1) 集積回路``, ``16の項(1)``, ``16の項(2)``, ``キャッチオール対象外`` (raises InvalidInput)."""
    rules = rules or default_rules()
    day = day or date.today()
    code = item_no.parse(item)
    _check_item(rules, code)
    if code.listed:
        return f"{code.format()} {_item_names(rules, code)[0]}"
    classes = item_class(rules, code, hs_code.parse(hs), day)
    if len(classes) > 1:
        return "要確認（HSコード不足: " + "/".join(CLASS_JA[c] for c in sorted(classes)) + "）"
    return CLASS_JA[next(iter(classes))]
