"""Spreadsheet functions: =SCREEN(country, item, …), =SCREEN_TECH(country, item, …) for a technology line, and
friends, for Excel (xlwings classic UDFs) and, through :mod:`exportscreen.calc`, LibreOffice Calc.

Thin over :mod:`exportscreen.engine`: every function converts what the spreadsheet delivers, calls the engine and
renders. They never raise: a bad argument gives a short Japanese message (``入力エラー: 仕向地が空です``), an
unexpected fault ``システムエラー: …`` — never a traceback in a cell.

What the classic xlwings COM bridge delivers (and what these functions accept):
- numbers as ``float`` (HS typed as 8471.3, a value, a date serial such as 46000.0), text as ``str``;
- empty cells and omitted optional arguments as ``None`` (an empty string too);
- dates as ``datetime`` (cells formatted as dates) or as serial numbers;
- error values (#N/A, #VALUE! …) as COM error ints such as -2146826246 — see :func:`excel_error`;
- ranges as tuples of tuples (or lists of lists, after xlwings' conversion).

Register in Excel with ``exportscreen excel install`` and the xlwings ribbon's *Import Functions*.
"""

from __future__ import annotations

import os
from datetime import date

from exportscreen import engine, licensing, orders, render, screening, state
from exportscreen.ids import InvalidInput, item_no
from exportscreen.ids.text import cell_text
from exportscreen.ids.values import parse_date

CATEGORY = "輸出管理"
SYSTEM_ERROR = "システムエラー"

ARG_JA = {
    "country": "仕向地",
    "item": "品目",
    "hs": "HSコード",
    "end_user": "需要者",
    "end_use": "用途",
    "inform": "インフォーム",
    "value_jpy": "金額",
    "ship_date": "出荷日",
    "final_destination": "最終仕向地",
    "final_end_user": "最終需要者",
    "as_of_date": "基準日",
    # SCREEN_TECH
    "recipient": "提供先",
    "residency": "居住性",
    "specific_type": "特定類型",
    "influence_country": "影響を及ぼす国",
    "method": "提供方法",
    "exemption": "例外",
    "critical_tech": "重要管理対象技術",
    "overseas_production": "海外での製造等",
    "report_date": "報告日",
    "provision_date": "提供日",
    # SCREEN_PART / PART_CLASS
    "part_no": "品番",
    # LICENCE_FOR
    "item_or_part": "品目・品番",
    "name": "需要者名",
    "table": "範囲",
}
ARG_JA = {f: ja for f, (ja, _en) in orders.FIELD_NAMES.items()} | ARG_JA  # and SCREEN_TABLE's other columns

# ------------------------------------------------------------------------------------------ error values

_COM_ERROR_BASE = -2146828288  # 0x800A0000 as a signed 32-bit int; Excel error n arrives as base + n
EXCEL_ERRORS = {
    2000: "#NULL!",
    2007: "#DIV/0!",
    2015: "#VALUE!",
    2023: "#REF!",
    2029: "#NAME?",
    2036: "#NUM!",
    2042: "#N/A",
    2043: "#GETTING_DATA",
    2045: "#SPILL!",
    2046: "#CONNECT!",
    2047: "#BLOCKED!",
    2048: "#UNKNOWN!",
    2049: "#FIELD!",
    2050: "#CALC!",
}
_ERROR_TEXTS = frozenset(EXCEL_ERRORS.values()) | {
    "#N/A!",
    "#NV",
    "Err:502",
    "Err:504",
    "Err:508",
    "Err:511",
    "Err:522",
}


def excel_error(value) -> str | None:
    """The Excel error text (``#N/A``) when ``value`` is an error value as xlwings delivers it, else None.

    Classic xlwings passes COM error values through as ints (``-2146826246`` is #N/A); with
    ``err_to_str`` or from LibreOffice they may come as the error text itself."""
    if type(value) is int:
        code = value - _COM_ERROR_BASE
        if 2000 <= code <= 2100:
            return EXCEL_ERRORS.get(code, f"#ERROR{code}")
        return None
    if type(value) is str and value[:1] in "#E" and value.strip() in _ERROR_TEXTS:
        return value.strip()
    return None


class _BadArg(Exception):
    """An argument the engine cannot take at all (an error value, a multi-cell range)."""

    def __init__(self, ja: str):
        super().__init__(ja)
        self.ja = ja


def _scalar(name: str, value):
    """One cell's value: unwraps a 1×1 range, refuses error values and multi-cell ranges."""
    if isinstance(value, (list, tuple)):
        cells = [v for row in value for v in (row if isinstance(row, (list, tuple)) else (row,))]
        if len(cells) != 1:
            raise _BadArg(
                f"{ARG_JA[name]}に複数のセル（{len(cells)}個）が指定されています。1つのセルを指定してください"
            )
        value = cells[0]
    err = excel_error(value)
    if err is not None:
        raise _BadArg(f"{ARG_JA[name]}がエラー値（{err}）です")
    if type(value) is str and not value.strip():
        return None
    return value


def _line(*args, names: tuple[str, ...] = engine.ORDER_FIELDS) -> tuple:
    """The order fields (``names``: engine.ORDER_FIELDS, or TECH_ARGS for a technology line, in order) as the engine
    takes them (fast path: plain scalars pass untouched)."""
    for v in args:
        t = type(v)
        if not (v is None or t is float or (t is str and v[:1] not in ("#", "E", ""))):
            break
    else:
        return args
    return tuple(_scalar(n, v) for n, v in zip(names, args))


def _invalid(ja: str) -> str:
    return f"入力エラー: {ja}"


def _system_error(exc: BaseException) -> str:
    return f"{SYSTEM_ERROR}: {type(exc).__name__}: {str(exc)[:120]}（管理者に連絡してください）"


def _day(name: str, value) -> date:
    day = parse_date(_scalar(name, value), name)
    return day or date.today()


# ------------------------------------------------------------------------------------------ audit hook

_AUDIT_ENABLED = os.environ.get("EXPORTSCREEN_AUDIT_UDF") == "1"


def _audit(function: str, inputs: dict, decision) -> None:
    """The audit log of spreadsheet calls, "when the officer enables it".

    Called after a SCREEN / SCREEN_REASON / SCREEN_TABLE / SCREEN_TECH / SCREEN_TECH_REASON line was decided,
    only when the environment of the Excel/Calc Python process has EXPORTSCREEN_AUDIT_UDF=1 (read once at import).
    ``inputs`` are the line's fields as given to the engine (a technology line's with ``kind``), ``decision`` the
    engine's Decision. Each call is one audit run of kind ``udf`` (function name kept with the inputs); it must
    never raise and never change the result."""
    from exportscreen.audit import open_log

    with open_log().run(kind="udf") as run:
        run.record({"function": function, **inputs}, decision)


def _decide(function: str, args: tuple):
    d = screening.decide(*args)
    if _AUDIT_ENABLED:
        try:
            _audit(function, dict(zip(engine.ORDER_FIELDS, args)), d)
        except Exception:
            pass
    return d


# SCREEN_TECH's parameters: the two required first, then the facts most lines give, then the pre-report's; the
# fields of exportscreen.technology.TECH_FIELDS, with ``purpose`` named for what the function asks (TRUE / FALSE,
# or the form: 海外子会社, 合弁, 製造委託, ライセンス)
TECH_ARGS = (
    *("country", "item", "recipient", "residency", "specific_type", "influence_country", "hs", "method"),
    *("exemption", "inform", "end_use", "critical_tech", "overseas_production", "report_date", "provision_date"),
    "part_no",  # 品番 / 技術番号: the 品番マスタ's 技術該非 gives the code when item is blank
)
# SCREEN_PART's parameters: the line's facts with a 品番 in place of 品目 and HS (the 品番マスタ in force supplies them)
PART_ARGS = ("country", "part_no", "end_user", "end_use", "inform", "value_jpy", "ship_date")


def _part_line(args: tuple) -> tuple:
    """SCREEN_PART's arguments as the engine's order fields (engine.ORDER_FIELDS, in order); a blank 品番 is
    refused (SCREEN_PART is for a line that names one)."""
    fields = dict(zip(PART_ARGS, _line(*args, names=PART_ARGS)))
    if cell_text(fields["part_no"]) is None:
        raise _BadArg("品番が空です")
    return tuple(fields.get(f) for f in engine.ORDER_FIELDS)


# LICENCE_FOR's parameters: what a licence is matched on — the goods by their 該非 or by a 品番 of the master
LICENCE_ARGS = ("country", "item_or_part", "end_user", "value_jpy", "ship_date")


def _licence_line(args: tuple) -> tuple:
    """LICENCE_FOR's arguments as the engine's order fields: ``item_or_part`` is a 品番 when the 品番マスタ in force on
    the ship date holds it (or, with a master in force, when it is no item code either), else the goods' 該非 (項番,
    非該当); blank, 入力エラー."""
    fields = dict(zip(LICENCE_ARGS, _line(*args, names=LICENCE_ARGS)))
    goods = fields.pop("item_or_part")
    if cell_text(goods) is None:
        raise _BadArg("品目・品番が空です")
    try:
        day = parse_date(fields["ship_date"]) or date.today()
    except InvalidInput:
        day = date.today()  # the engine names the bad date
    master = state.rules().master_on(day)
    fields["part_no" if master is not None and _is_part(master, goods) else "item"] = goods
    return tuple(fields.get(f) for f in engine.ORDER_FIELDS)


def _is_part(master, goods) -> bool:
    """A 品番 the master holds, or — with a master in force — text that does not even read as an item code (an
    unknown 品番: 要確認 naming it, not an input error about an item code; 99の項 still is one)."""
    if master.classified(goods) is not None:
        return True
    try:
        item_no.parse(goods)
    except InvalidInput:
        return True
    return False


_TECH_KEYS = tuple("purpose" if a == "overseas_production" else a for a in TECH_ARGS)  # the engine's names


def _decide_tech(function: str, args: tuple):
    fields = dict(zip(_TECH_KEYS, args))
    d = screening.decide_technology(**fields)
    if _AUDIT_ENABLED:
        try:
            _audit(function, {"kind": "technology", **fields}, d)
        except Exception:
            pass
    return d


# ------------------------------------------------------------------------------------------ the functions

_LINE_DOCS = (
    ("country", "仕向地（国名またはISOコード。例：米国、US、中国）"),
    ("item", "品目の該非（例：7の項(1)、15の項(1)、非該当）"),
    ("hs", "HSコード（任意。例：8458.11。キャッチオールの対象判定に使用）"),
    ("end_user", "需要者名（任意。外国ユーザーリストと照合）"),
    ("end_use", "用途（任意。民生／軍事／大量破壊兵器／不明）"),
    ("inform", "インフォーム（任意。なし／大量破壊兵器／通常兵器）"),
    ("value_jpy", "金額（円、任意。少額特例の判定に使用）"),
    ("ship_date", "出荷日（任意。空欄なら今日の法令で判定）"),
    ("final_destination", "最終仕向地（任意。仕向地と異なれば両方で判定し厳しい方）"),
    ("final_end_user", "最終需要者（任意。需要者とともに外国ユーザーリストと照合）"),
)

_TECH_DOCS = (
    ("country", "提供先の国（提供先の所在地または提供する場所。国内での提供は 日本／JP）"),
    ("item", "技術の該非（外為令別表の項番。例：7の項(1)、16の項、非該当）"),
    ("recipient", "提供先の名称（任意。外国ユーザーリストと照合）"),
    ("residency", "提供先の居住性（居住者／非居住者）"),
    ("specific_type", "特定類型（居住者のみ。なし／1／2／3）"),
    ("influence_country", "特定類型の居住者・国内の非居住者が属する国（影響を及ぼす外国政府・法人等の国）"),
    ("hs", "技術に関係する貨物のHSコード（任意。16の項の判定に使用）"),
    ("method", "提供方法（任意。書面／メール／データ送信／媒体の持出し／口頭・技術指導／研修受入れ）"),
    ("exemption", "例外（任意。公知／基礎科学分野の研究活動／工業所有権の出願／最小限の技術／市販プログラム）"),
    ("inform", "インフォーム（任意。なし／大量破壊兵器／通常兵器）"),
    ("end_use", "用途（任意。民生／軍事／大量破壊兵器／不明）"),
    ("critical_tech", "重要管理対象技術（IDまたは名称。例：CT01、積層セラミックコンデンサ。該当しなければ なし）"),
    ("overseas_production", "海外での製造・設計等のための提供か（TRUE／FALSE、または 子会社／合弁／委託／ライセンス）"),
    ("report_date", "事前報告の報告日（任意。報告済みなら入力）"),
    ("provision_date", "提供日（任意。空欄なら今日の法令で判定）"),
    ("part_no", "品番・技術番号（任意。技術の該非が空欄なら品番マスタの技術該非で判定）"),
)

_PART_DOCS = (
    ("country", "仕向地（国名またはISOコード）"),
    ("part_no", "品番（型番）。品番マスタの該非・HSコードで判定"),
    ("end_user", "需要者（任意。外国ユーザーリストと照合）"),
    ("end_use", "用途（任意。民生／軍事／大量破壊兵器／不明）"),
    ("inform", "インフォーム（任意。なし／大量破壊兵器／通常兵器）"),
    ("value_jpy", "金額（円。任意。少額特例の判定に使用）"),
    ("ship_date", "出荷日（任意。空欄なら今日の法令・品番マスタで判定）"),
)

_LICENCE_DOCS = (
    ("country", "仕向地（国名またはISOコード）"),
    ("item_or_part", "品目の該非（例：3の項(1)）または品番マスタの品番"),
    ("end_user", "需要者（任意。許可が需要者を特定していれば照合）"),
    ("value_jpy", "金額（円。任意。金額上限・残高と照合）"),
    ("ship_date", "出荷日（任意。空欄なら今日。有効期限・仕向地と照合）"),
)

# The Function Wizard's argument descriptions (Excel: addin/exportscreen_udfs.py), per function, in order.
ARG_DOCS: dict[str, tuple[tuple[str, str], ...]] = {
    "SCREEN": _LINE_DOCS,
    "SCREEN_REASON": _LINE_DOCS,
    "SCREEN_TECH": _TECH_DOCS,
    "SCREEN_TECH_REASON": _TECH_DOCS,
    "SCREEN_PART": _PART_DOCS,
    "PART_CLASS": (("part_no", "品番（型番）"),),
    "LICENCE_FOR": _LICENCE_DOCS,
    "SCREEN_TABLE": (("table", "見出し行（仕向地・品目 など）を含む受注の範囲。列全体（A:I）も可"),),
    "COUNTRY_GROUP": (("country", "仕向地（国名またはISOコード）"), ("as_of_date", "基準日（任意。空欄なら今日）")),
    "ITEM_CLASS": (
        ("item", "品目の該非（例：7の項(1)、非該当）"),
        ("hs", "HSコード（任意。非該当品のキャッチオール区分に使用）"),
        ("as_of_date", "基準日（任意。空欄なら今日）"),
    ),
    "RULES_VERSION": (),
    "EUL_MATCH": (("name", "需要者名（英語または日本語）"), ("country", "仕向地（任意。国名またはISOコード）")),
}


def SCREEN(
    country=None,
    item=None,
    hs=None,
    end_user=None,
    end_use=None,
    inform=None,
    value_jpy=None,
    ship_date=None,
    final_destination=None,
    final_end_user=None,
):
    """安全保障貿易管理の判定（輸出禁止／許可要／要確認／許可取得済／許可不要／入力エラー）を返します。"""
    try:
        args = _line(
            country, item, hs, end_user, end_use, inform, value_jpy, ship_date, final_destination, final_end_user
        )
        return _decide("SCREEN", args).code.label
    except _BadArg:
        return "入力エラー"
    except Exception:
        return SYSTEM_ERROR


def SCREEN_REASON(
    country=None,
    item=None,
    hs=None,
    end_user=None,
    end_use=None,
    inform=None,
    value_jpy=None,
    ship_date=None,
    final_destination=None,
    final_end_user=None,
):
    """判定の理由（根拠条文つき）と規則のバージョン・基準日を1つのセルに返します。"""
    try:
        args = _line(
            country, item, hs, end_user, end_use, inform, value_jpy, ship_date, final_destination, final_end_user
        )
        return render.reason_cell(_decide("SCREEN_REASON", args), "ja")
    except _BadArg as exc:
        return _invalid(exc.ja)
    except Exception as exc:
        return _system_error(exc)


def SCREEN_TECH(
    country=None,
    item=None,
    recipient=None,
    residency=None,
    specific_type=None,
    influence_country=None,
    hs=None,
    method=None,
    exemption=None,
    inform=None,
    end_use=None,
    critical_tech=None,
    overseas_production=None,
    report_date=None,
    provision_date=None,
    part_no=None,
):
    """技術の提供（役務取引・みなし輸出）の判定（輸出禁止／許可要／事前報告要／要確認／許可取得済／許可不要／入力エラー）を返します。"""
    try:
        args = _line(
            *(country, item, recipient, residency, specific_type, influence_country, hs, method, exemption),
            *(inform, end_use, critical_tech, overseas_production, report_date, provision_date, part_no),
            names=TECH_ARGS,
        )
        return _decide_tech("SCREEN_TECH", args).code.label
    except _BadArg:
        return "入力エラー"
    except Exception:
        return SYSTEM_ERROR


def SCREEN_TECH_REASON(
    country=None,
    item=None,
    recipient=None,
    residency=None,
    specific_type=None,
    influence_country=None,
    hs=None,
    method=None,
    exemption=None,
    inform=None,
    end_use=None,
    critical_tech=None,
    overseas_production=None,
    report_date=None,
    provision_date=None,
    part_no=None,
):
    """技術の提供の判定の理由（根拠条文つき）と規則のバージョン・基準日を1つのセルに返します。"""
    try:
        args = _line(
            *(country, item, recipient, residency, specific_type, influence_country, hs, method, exemption),
            *(inform, end_use, critical_tech, overseas_production, report_date, provision_date, part_no),
            names=TECH_ARGS,
        )
        return render.reason_cell(_decide_tech("SCREEN_TECH_REASON", args), "ja")
    except _BadArg as exc:
        return _invalid(exc.ja)
    except Exception as exc:
        return _system_error(exc)


def SCREEN_PART(country=None, part_no=None, end_user=None, end_use=None, inform=None, value_jpy=None, ship_date=None):
    """品番マスタの該非・HSコードで判定（輸出禁止／許可要／要確認／許可取得済／許可不要／入力エラー）を返します。"""
    try:
        args = _part_line((country, part_no, end_user, end_use, inform, value_jpy, ship_date))
        return _decide("SCREEN_PART", args).code.label
    except _BadArg:
        return "入力エラー"
    except Exception:
        return SYSTEM_ERROR


def PART_CLASS(part_no=None):
    """品番マスタ（今日有効な版）の該非（項番）とHSコードを返します（例：7の項(1) / HS 8542.31）。"""
    try:
        part = _scalar("part_no", part_no)
        if cell_text(part) is None:
            return _invalid("品番が空です")
        return engine.describe_part(state.rules(), part, date.today())
    except _BadArg as exc:
        return _invalid(exc.ja)
    except Exception as exc:
        return _system_error(exc)


def LICENCE_FOR(country=None, item_or_part=None, end_user=None, value_jpy=None, ship_date=None):
    """この出荷に使える許可（許可台帳）の許可番号を返します。使えないときは判定と短い理由を返します。"""
    try:
        d = _decide("LICENCE_FOR", _licence_line((country, item_or_part, end_user, value_jpy, ship_date)))
        return render.licence_answer(d, licensing.no_register(state.rules(), d))
    except _BadArg as exc:
        return _invalid(exc.ja)
    except Exception as exc:
        return _system_error(exc)


def SCREEN_TABLE(table):
    """見出し行つきの受注範囲を判定し、行ごとに［判定, 理由］の2列を返します（Excel 365 ではスピル）。先頭行は見出し［判定, 理由］、空行は空欄、末尾の空行は省きます。"""  # noqa: E501 — one line: Excel shows it as the description
    try:
        return _screen_table(table)
    except Exception as exc:
        return [[SYSTEM_ERROR, _system_error(exc)]]


def COUNTRY_GROUP(country=None, as_of_date=None):
    """仕向地の区分（グループA（別表第三）／国連武器禁輸国（別表第三の二）／一般／全面禁輸）を返します。"""
    try:
        rules = state.rules()
        day = _day("as_of_date", as_of_date)
        return engine.country_group_label(rules, engine.lookup_destination(rules, _scalar("country", country)), day)
    except (_BadArg, InvalidInput) as exc:
        return _invalid(exc.ja)
    except Exception as exc:
        return _system_error(exc)


def ITEM_CLASS(item=None, hs=None, as_of_date=None):
    """品目の区分（例：7の項(1) 集積回路、16の項(1)、16の項(2)、キャッチオール対象外）を返します。"""
    try:
        day = _day("as_of_date", as_of_date)
        return engine.describe_item(state.rules(), _scalar("item", item), _scalar("hs", hs), day)
    except (_BadArg, InvalidInput) as exc:
        return _invalid(exc.ja)
    except Exception as exc:
        return _system_error(exc)


def RULES_VERSION():
    """判定に使う規則データのバージョンと最終施行日（監査用）を返します。"""
    try:
        rules = state.rules()
        text = f"規則 {rules.version}（最終施行日 {rules.latest_effective.isoformat()}）"
        eul = rules.eul_on(date.today())
        if eul is not None:
            text += f" / 外国ユーザーリスト {eul.version}"
        return text
    except Exception as exc:
        return _system_error(exc)


def EUL_MATCH(name=None, country=None):
    """外国ユーザーリストで最も近い掲載者（No.、名称、懸念区分、スコア）を返します。該当がなければ空欄。"""
    try:
        name = _scalar("name", name)
        if cell_text(name) is None:
            return ""
        rules = state.rules()
        country = _scalar("country", country)
        iso2 = engine.lookup_country(rules, country) if country is not None else None
        eul = rules.eul_on(date.today())
        if eul is None:
            return "外国ユーザーリストが読み込まれていません（exportscreen rules import-eul）"
        hits = eul.match(cell_text(name), iso2)
        if not hits:
            return ""
        return render.hit_summary(max(hits, key=lambda h: h.score))
    except (_BadArg, InvalidInput) as exc:
        return _invalid(exc.ja)
    except Exception as exc:
        return _system_error(exc)


# ------------------------------------------------------------------------------------------ SCREEN_TABLE

_TABLE_HEAD = ["判定", "理由"]


def _rows(table) -> list[list]:
    if table is None:
        return []
    if not isinstance(table, (list, tuple)):
        return [[table]]
    if table and not isinstance(table[0], (list, tuple)):
        return [list(table)]  # a single row delivered 1-D
    return [list(r) for r in table]


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _screen_table(table) -> list[list]:
    """The range's lines read as ``screen`` reads a sheet's (:func:`exportscreen.orders.lines_of`: blank and totals
    rows, a value in another unit, goods or technology by 取引区分 / a technology-only column) and decided as it
    decides them (:func:`exportscreen.screening.decide_line`); an error value in a screened cell is 入力エラー."""
    rows = _rows(table)
    while rows and all(_blank(v) for v in rows[-1]):
        rows.pop()  # whole-column ranges: drop the trailing blanks
    if not rows:
        return [["入力エラー", _invalid("範囲が空です")]]
    try:  # the workbook screener's header finder, on the range's first row
        header = orders.find_header(rows[:1])
    except orders.ColumnClash as exc:
        return [["入力エラー", _invalid(exc.ja)]]
    if header is None:
        return [["入力エラー", _invalid("範囲の先頭行に見出し（仕向地・品目）が見つかりません")]]
    screened = orders.used_columns(header)  # column -> field
    body: list[list] = []
    errors: dict[int, str] = {}
    for i, row in enumerate(rows[1:]):
        try:
            body.append([_scalar(screened[c], v) if c in screened else v for c, v in enumerate(row)])
        except _BadArg as exc:
            errors[i] = exc.ja
            body.append([])
    lines = {line.row: line for line in orders.lines_of(body, header).lines}
    rules, today = state.rules(), date.today()
    quantity = screening.quantity_reader(header, rules)  # 数量, for a licence with a 数量上限
    out = [list(_TABLE_HEAD)]
    for i in range(len(body)):
        line = lines.get(i)
        if i in errors:
            out.append(["入力エラー", _invalid(errors[i])])
        elif line is None:  # a blank or totals row
            out.append(["", ""])
        else:
            d = screening.decide_line(line, rules, today, (), quantity=quantity)
            if _AUDIT_ENABLED:
                try:
                    _audit("SCREEN_TABLE", dict(zip(*screening.record_of(line))), d)
                except Exception:
                    pass
            out.append([d.code.label, render.reason_cell(d, "ja")])
    return out


__all__ = [
    "SCREEN",
    "SCREEN_REASON",
    "SCREEN_TECH",
    "SCREEN_TECH_REASON",
    "SCREEN_PART",
    "PART_CLASS",
    "LICENCE_FOR",
    "SCREEN_TABLE",
    "COUNTRY_GROUP",
    "ITEM_CLASS",
    "RULES_VERSION",
    "EUL_MATCH",
    "excel_error",
]
