"""The spreadsheet functions (addin/functions.py) called the way Excel's classic xlwings bridge calls them
(tests/com_shim.py): same decisions and reasons as the engine and as ``exportscreen screen``, short Japanese
messages for bad input, never an exception."""

from __future__ import annotations

import ast
import inspect
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exportscreen import engine, functions, orders, screening, state
from exportscreen.model import LABELS
from exportscreen.technology import TECH_FIELDS

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: com_shim
from com_shim import ERRORS, Error, Excel, range_  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
LABEL_SET = {label for label, _en in LABELS.values()}

# (country, item, hs, end_user, end_use, inform, value_jpy, ship_date): lines across the decision table
LINES = [
    ("北朝鮮", "非該当", "8471.30", "朝鮮綾羅貿易会社", "民生", "なし", 120000, date(2025, 11, 4)),
    ("米国", "7の項(1)", "8542.31", "Northfield Semiconductor Inc.", "民生", "なし", 2500000, date(2025, 11, 10)),
    ("ロシア", "非該当", "8471.30", "OOO Volga Trade", "民生", "なし", 380000, date(2025, 11, 18)),
    ("中国", "非該当", "8458.11", "華東精密机械有限公司", "軍事", "なし", 6800000, date(2025, 12, 2)),
    ("中国", "非該当", "3926.90", "深圳宏達塑料有限公司", "軍事", "なし", 54000, date(2025, 12, 9)),
    ("イラク", "非該当", "3926.90", "Baghdad Industrial Supplies", "軍事", "なし", 75000, date(2025, 12, 16)),
    ("フランス", "15の項(1)", "8807.30", "Société Aéro Lyon", "民生", "なし", 40000, date(2026, 1, 13)),
    ("イラン", "6の項(2)", "8459.61", "Tehran Machine Works", "民生", "なし", 900000, date(2026, 1, 20)),
    ("ドイツ", "非該当", "8458.11", "Rhein Maschinenbau GmbH", "民生", "なし", 7200000, date(2026, 2, 3)),
    ("米国", "非該当", "8458.11", "Lakeside Tooling LLC", "民生", "通常兵器", 5100000, date(2026, 2, 17)),
    ("シンガポール", "非該当", "0901.11", "Marina Coffee Trading Pte. Ltd.", "民生", "なし", 260000, date(2026, 3, 3)),
    ("Atlantis", "非該当", "8471.30", "Poseidon Holdings", "民生", "なし", 150000, date(2026, 3, 10)),
    ("US", "3A001", None, None, None, None, None, None),
    ("韓国", "非該当", None, None, "不明", None, None, None),
    ("", "7の項(1)", None, None, None, None, None, None),
    ("アフガニスタン", "非該当", "8471.30", None, "民生", None, 100000, date(2025, 6, 1)),
]
EXPECTED = [
    "輸出禁止",
    "許可要",
    "要確認",
    "許可要",
    "要確認",
    "許可要",
    "許可不要",
    "許可要",
    "許可不要",
    "許可要",
    "許可不要",
    "入力エラー",
]


@pytest.fixture
def excel():
    return Excel()


@pytest.mark.parametrize("line", LINES, ids=[f"{i}:{line[0]}/{line[1]}" for i, line in enumerate(LINES)])
def test_screen_and_reason_equal_the_engine(excel, line):
    d = screening.decide(*line)
    assert excel.call(functions.SCREEN, *line) == d.code.label
    assert excel.call(functions.SCREEN_REASON, *line) == d.reason_text("ja")


def test_decision_table_labels(excel):
    assert [excel.call(functions.SCREEN, *line) for line in LINES[: len(EXPECTED)]] == EXPECTED


def test_two_argument_form(excel):
    assert excel.call(functions.SCREEN, "米国", "7の項(1)") == "許可要"
    assert excel.call(functions.SCREEN, "北朝鮮", "非該当") == "輸出禁止"
    reason = excel.call(functions.SCREEN_REASON, "米国", "7の項(1)")
    assert "7の項(1)" in reason and "外為法48条1項" in reason and "[規則 " in reason


def test_identical_to_the_screen_command(tmp_path, excel):
    """``exportscreen screen`` on a workbook and the UDFs on the same lines give the same 判定 and 理由."""
    import openpyxl

    from exportscreen.screening import screen_file

    path = tmp_path / "orders.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["仕向地", "品目", "HSコード", "需要者", "用途", "インフォーム", "金額", "出荷日", "判定", "理由"])
    for line in LINES:
        ws.append([None if v == "" else v for v in line])
    wb.save(path)
    screen_file(path, show_progress=False)
    got = openpyxl.load_workbook(path, data_only=True).active
    for r, line in enumerate(LINES, start=2):
        assert excel.call(functions.SCREEN, *line) == got.cell(r, 9).value, line
        assert excel.call(functions.SCREEN_REASON, *line) == got.cell(r, 10).value, line


def test_numbers_and_dates_as_excel_delivers_them(excel):
    base = screening.decide("ドイツ", "非該当", "8471.30", None, "民生", None, 500000, date(2026, 2, 3))
    # HS typed as a number (8471.3), value as a float, ship date as a datetime or as a serial number
    serial = (date(2026, 2, 3) - date(1899, 12, 30)).days
    for hs, when in [(8471.3, datetime(2026, 2, 3)), ("8471.30", float(serial)), (8471.30, "2026/02/03")]:
        assert (
            excel.call(functions.SCREEN_REASON, "ドイツ", "非該当", hs, None, "民生", None, 500000.0, when)
            == base.reason_text()
        )
    # an ISO code typed in lower case and a full-width name are the same country
    assert excel.call(functions.SCREEN, "de", "非該当", 8458.11) == excel.call(
        functions.SCREEN, "ＤＥ", "非該当", "8458.11"
    )


def test_empty_cells_are_missing_facts(excel):
    assert excel.call(functions.SCREEN, None, "7の項(1)") == "入力エラー"
    assert excel.call(functions.SCREEN_REASON, None, "7の項(1)").startswith("入力エラー: 仕向地が空です")
    assert excel.call(functions.SCREEN_REASON, "  ", "7の項(1)").startswith("入力エラー: 仕向地が空です")
    # an empty optional cell ("" from a formula) is the same as an omitted argument
    assert (
        excel.call(functions.SCREEN_REASON, "中国", "非該当", "", "", "", "", "", "")
        == screening.decide("中国", "非該当").reason_text()
    )


@pytest.mark.parametrize("err", list(ERRORS))
def test_error_values_give_a_short_message(excel, err):
    assert excel.call(functions.SCREEN, Error(err), "非該当") == "入力エラー"
    assert excel.call(functions.SCREEN_REASON, Error(err), "非該当") == f"入力エラー: 仕向地がエラー値（{err}）です"
    assert (
        excel.call(functions.SCREEN_REASON, "米国", "非該当", Error(err))
        == f"入力エラー: HSコードがエラー値（{err}）です"
    )
    assert (
        excel.call(functions.SCREEN_REASON, "米国", "非該当", None, None, None, None, None, Error(err))
        == f"入力エラー: 出荷日がエラー値（{err}）です"
    )
    assert excel.call(functions.COUNTRY_GROUP, Error(err)) == f"入力エラー: 仕向地がエラー値（{err}）です"
    assert excel.call(functions.ITEM_CLASS, Error(err)) == f"入力エラー: 品目がエラー値（{err}）です"


def test_excel_error_helper():
    assert functions.excel_error(-2146826246) == "#N/A"
    assert functions.excel_error(-2146826281) == "#DIV/0!"
    assert functions.excel_error("#N/A") == "#N/A"
    assert (
        functions.excel_error(0) is None and functions.excel_error(-1) is None and functions.excel_error(True) is None
    )
    assert functions.excel_error(-2146826246.0) is None  # a float is a number someone typed, not an error value
    assert functions.excel_error("#1 customer") is None


def test_ranges_in_scalar_arguments(excel):
    # a 1×1 range is the cell; several cells is a short message
    assert excel.call(functions.SCREEN, range_([["米国"]]), "7の項(1)") == "許可要"
    assert excel.call(functions.SCREEN, range_([["米国", "中国"]]), "7の項(1)") == "入力エラー"
    assert excel.call(functions.SCREEN_REASON, range_([["米国"], ["中国"]]), "7の項(1)") == (
        "入力エラー: 仕向地に複数のセル（2個）が指定されています。1つのセルを指定してください"
    )


# ------------------------------------------------------------------------------------------- SCREEN_TABLE


def test_screen_table_spills_decision_and_reason_per_line(excel):
    rows = [
        [
            "受注番号",
            "仕向地",
            "品目（該非）",
            "HSコード",
            "需要者",
            "用途",
            "インフォーム",
            "金額（円）",
            "出荷日",
            "判定",
            "理由",
        ]
    ]
    rows += [[f"SO-{i}", *line, None, None] for i, line in enumerate(LINES)]
    out = excel.call(functions.SCREEN_TABLE, range_(rows))
    assert out[0] == ["判定", "理由"]
    assert len(out) == len(rows)
    for line, (label, reason) in zip(LINES, out[1:]):
        d = screening.decide(*line)
        assert (label, reason) == (d.code.label, d.reason_text())


def test_screen_table_whole_column_english_headers_blank_and_total_rows(excel):
    rows = [
        ["Ship date", "Country", "Item", "HS", "End user", "End Use", "Inform", "Value"],
        [date(2026, 2, 3), "Germany", "NLR", "8458.11", None, "civil", None, 7200000],
        [None, None, None, None, None, None, None, None],
        [date(2026, 2, 3), "iraq", "非該当", 3926.9, None, "military", None, 75000],
        ["合計", None, None, None, None, None, None, 7275000],
    ]
    out = excel.call(functions.SCREEN_TABLE, range_(rows, trailing_blank_rows=5000))
    assert len(out) == 5  # trailing blanks of the whole column dropped
    assert out[2] == ["", ""] and out[4] == ["", ""]
    assert (
        out[1][0]
        == screening.decide("Germany", "NLR", "8458.11", None, "civil", None, 7200000, date(2026, 2, 3)).code.label
        == "許可不要"
    )
    assert out[3][0] == "許可要"


def test_screen_table_bad_ranges(excel):
    out = excel.call(functions.SCREEN_TABLE, range_([["a", "b"], ["米国", "7の項(1)"]]))
    assert out == [["入力エラー", "入力エラー: 範囲の先頭行に見出し（仕向地・品目）が見つかりません"]]
    assert excel.call(functions.SCREEN_TABLE, range_([[None]], trailing_blank_rows=3))[0][0] == "入力エラー"
    assert excel.call(functions.SCREEN_TABLE, None)[0][0] == "入力エラー"
    out = excel.call(functions.SCREEN_TABLE, range_([["仕向地", "品目"], [Error("#REF!"), "非該当"]]))
    assert out[1] == ["入力エラー", "入力エラー: 仕向地がエラー値（#REF!）です"]
    # a single header row delivered as a 1-D list: no lines
    assert excel.call_raw(functions.SCREEN_TABLE, ["仕向地", "品目"]) == [["判定", "理由"]]


def test_screen_table_uses_the_workbook_screeners_header_names(excel):
    """SCREEN_TABLE finds its columns with the workbook screener's own header finder: every header spelling the
    screener knows works in the function too, in any column order."""
    headers = [
        "Ship date",
        "ＨＳ コード",
        "品目（該非）",
        "End user",
        "Destination",
        "用途",
        "インフォーム",
        "金額（円）",
    ]
    line = {
        "ship_date": "2026-02-03",
        "hs": "8458.11",
        "item": "非該当",
        "end_user": None,
        "country": "中国",
        "end_use": "軍事",
        "inform": None,
        "value_jpy": 1000000.0,
    }
    assert [orders.match_column(h) for h in headers] == list(line)
    out = excel.call(functions.SCREEN_TABLE, range_([headers, list(line.values())]))
    d = screening.decide(**line)
    assert out[1] == [d.code.label, d.reason_text()] and d.code.label == "許可要"


# ------------------------------------------------------------------------------------------- other functions


@pytest.mark.parametrize(
    "country, label",
    [
        ("米国", "グループA（別表第三）"),
        ("US", "グループA（別表第三）"),
        ("北朝鮮", "全面禁輸"),
        ("イラク", "国連武器禁輸国（別表第三の二）"),
        ("中国", "一般"),
        ("シンガポール", "一般"),
    ],
)
def test_country_group(excel, country, label):
    assert excel.call(functions.COUNTRY_GROUP, country) == label


def test_country_group_bad_input_and_date(excel):
    assert excel.call(functions.COUNTRY_GROUP, None) == "入力エラー: 仕向地が空です"
    assert excel.call(functions.COUNTRY_GROUP, "Atlantis").startswith("入力エラー: 仕向地「Atlantis」が見つかりません")
    assert excel.call(functions.COUNTRY_GROUP, "米国", datetime(2025, 1, 1)) == "グループA（別表第三）"
    assert excel.call(functions.COUNTRY_GROUP, "米国", "not a date").startswith("入力エラー: ")


@pytest.mark.parametrize(
    "args, text",
    [
        (("7の項(1)",), "7の項(1) 集積回路"),
        (("非該当", 8458.11), "16の項(1)"),
        (("非該当", "3926.90"), "16の項(2)"),
        (("非該当", "0901.11"), "キャッチオール対象外"),
        (("非該当", "8458.11", date(2025, 1, 1)), "16の項"),
    ],
)
def test_item_class(excel, args, text):
    item, hs, day = (*args, None, None)[:3]
    assert (
        excel.call(functions.ITEM_CLASS, *args)
        == text
        == engine.describe_item(state.rules(), item, hs, day or date.today())
    )


def test_item_class_bad_input(excel):
    assert excel.call(functions.ITEM_CLASS, "99の項").startswith("入力エラー: 99の項は輸出令別表第一にありません")
    assert excel.call(functions.ITEM_CLASS, None).startswith(("入力エラー", "要確認"))


def test_rules_version(excel):
    rules = state.rules()
    text = excel.call(functions.RULES_VERSION)
    assert text == f"規則 {rules.version}（最終施行日 {rules.latest_effective.isoformat()}）"


def test_eul_match_without_a_list(excel):
    assert excel.call(functions.EUL_MATCH, None) == ""
    assert excel.call(functions.EUL_MATCH, "Some Company").startswith("外国ユーザーリストが読み込まれていません")


def test_eul_match_with_the_contract_stub(excel, eul_rules, use_rules):
    use_rules(eul_rules)
    assert excel.call(functions.EUL_MATCH, "WMD Lab", "中国") == "No.1 WMD Lab（N） スコア0.97 該当"
    assert excel.call(functions.EUL_MATCH, "Maybe Corp") == "No.3 Maybe Corp（B） スコア0.85 類似（要確認）"
    assert excel.call(functions.EUL_MATCH, "Nobody Ltd") == ""
    assert excel.call(functions.EUL_MATCH, "WMD Lab", "Atlantis").startswith("入力エラー: 仕向地")
    assert "外国ユーザーリスト EUL 2025-09-29 (stub)" in excel.call(functions.RULES_VERSION)


def test_eul_match_with_the_real_matcher(excel, rules, use_rules):
    eul = pytest.importorskip("exportscreen.eul")
    if not hasattr(eul, "EndUserList"):
        pytest.skip("exportscreen.eul has no EndUserList yet")
    entries = (
        eul.EulEntry(101, "IR", "イラン", "Kimia Part Sivan Company", ("KPS",), frozenset({"N", "M"})),
        eul.EulEntry(102, "CN", "中国", "Harbin Engineering University", (), frozenset({"M"})),
    )
    lst = eul.EndUserList(date(2025, 9, 29), date(2019, 1, 1), entries, "test", "")
    use_rules(rules.with_eul([lst]))
    text = excel.call(functions.EUL_MATCH, "Kimia Part Sivan Co.", "イラン")
    assert text.startswith("No.101 Kimia Part Sivan Company（M,N） スコア") and text.endswith("該当")
    assert excel.call(functions.EUL_MATCH, "Completely Unrelated Bakery") == ""


# ------------------------------------------------------------------------------------------- robustness

_ERROR_INTS = st.sampled_from(list(ERRORS.values()))
_CELL = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**12), 10**12),
    st.booleans(),
    st.datetimes(),
    st.dates(),
    _ERROR_INTS,
    st.sampled_from(
        ["米国", "北朝鮮", "7の項(1)", "非該当", "8458.11", "軍事", "#N/A", "通常兵器", "16の項(3)", "0", "-5"]
    ),
)
_ARG = st.one_of(_CELL, st.lists(st.lists(_CELL, min_size=1, max_size=3).map(tuple), min_size=1, max_size=3).map(tuple))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ARG, min_size=0, max_size=8))
def test_junk_never_raises(args):
    excel = Excel()
    label = excel.call_raw(functions.SCREEN, *args)
    assert label in LABEL_SET
    reason = excel.call_raw(functions.SCREEN_REASON, *args)
    assert isinstance(reason, str) and reason
    if label == "入力エラー":
        assert reason.startswith("入力エラー: ")
    assert isinstance(excel.call_raw(functions.COUNTRY_GROUP, *args[:2]), str)
    assert isinstance(excel.call_raw(functions.ITEM_CLASS, *args[:3]), str)
    assert isinstance(excel.call_raw(functions.EUL_MATCH, *args[:2]), str)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(_CELL, min_size=0, max_size=9), min_size=0, max_size=6))
def test_junk_tables_never_raise(rows):
    excel = Excel()
    header = [["仕向地", "品目", "HS", "需要者", "用途", "インフォーム", "金額", "出荷日"]]
    for table in (range_(rows) if rows else None, range_(header + rows)):
        out = excel.call_raw(functions.SCREEN_TABLE, table)
        assert all(len(r) == 2 for r in out)


def test_an_internal_fault_is_a_short_message_not_a_traceback(excel, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(screening, "screen", boom)
    assert excel.call(functions.SCREEN, "米国", "7の項(1)") == "システムエラー"
    assert excel.call(functions.SCREEN_REASON, "米国", "7の項(1)").startswith(
        "システムエラー: RuntimeError: disk on fire"
    )
    assert (
        excel.call(functions.SCREEN_TABLE, range_([["仕向地", "品目"], ["米国", "7の項(1)"]]))[0][0] == "システムエラー"
    )


# ------------------------------------------------------------------------------------------- Excel wiring


def test_audit_hook_is_called_only_when_enabled(excel, monkeypatch):
    calls = []
    monkeypatch.setattr(functions, "_audit", lambda *a: calls.append(a))
    excel.call(functions.SCREEN, "米国", "7の項(1)")
    assert calls == []
    monkeypatch.setattr(functions, "_AUDIT_ENABLED", True)
    excel.call(functions.SCREEN, "米国", "7の項(1)")
    assert len(calls) == 1 and calls[0][0] == "SCREEN" and calls[0][1]["country"] == "米国"
    assert calls[0][1]["item"] == "7の項(1)"
    assert calls[0][2].code.label == "許可要"
    monkeypatch.setattr(functions, "_audit", lambda *a: 1 / 0)  # a broken hook never changes the result
    assert excel.call(functions.SCREEN, "米国", "7の項(1)") == "許可要"


def test_enabled_audit_records_each_call_in_the_audit_log(excel, monkeypatch):
    from exportscreen.audit import open_log

    monkeypatch.setattr(functions, "_AUDIT_ENABLED", True)
    assert excel.call(functions.SCREEN, "中国", "非該当", 8458.11, "Foo", "軍事") == "許可要"
    (rec,) = open_log().records()
    assert (
        rec["inputs"]["function"] == "SCREEN"
        and rec["inputs"]["country"] == "中国"
        and rec["decision"] == "LICENSE_REQUIRED"
    )
    assert open_log().verify() == []


FUNCTIONS = [
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
]


def test_function_wizard_metadata():
    """Every spreadsheet function is marked for Excel by the add-in module, and its argument descriptions name
    exactly its parameters, in order: on Windows ``Import Functions`` fails on an @xw.arg naming no parameter.
    Each has a Japanese docstring; descriptions stay within Excel's 255-character MacroOptions limit."""
    tree = ast.parse((REPO / "addin" / "exportscreen_udfs.py").read_text(encoding="utf-8"))
    marked = {
        t.id
        for n in tree.body
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(n.value, ast.Call) and ast.unparse(n.value.func) == "_excel_function"
    }
    assert marked == set(FUNCTIONS) == set(functions.ARG_DOCS)
    for name in FUNCTIONS:
        params = list(inspect.signature(getattr(functions, name)).parameters)
        assert [a for a, _doc in functions.ARG_DOCS[name]] == params, name
        doc = inspect.getdoc(getattr(functions, name))
        assert doc and any("\u3040" <= ch <= "\u30ff" for ch in doc), name
        assert all(len(d) <= 255 for _a, d in functions.ARG_DOCS[name])
    assert list(inspect.signature(functions.SCREEN).parameters) == [f for f in engine.ORDER_FIELDS if f != "part_no"]
    tech = list(inspect.signature(functions.SCREEN_TECH).parameters)
    assert tech == list(functions.TECH_ARGS) == list(inspect.signature(functions.SCREEN_TECH_REASON).parameters)
    assert tech[:2] == ["country", "item"]  # the two a line cannot do without, then the engine's other fields
    assert {("purpose" if a == "overseas_production" else a) for a in tech} == set(TECH_FIELDS)
    assert len(tech) == len(TECH_FIELDS)
    part = list(inspect.signature(functions.SCREEN_PART).parameters)
    assert part == list(functions.PART_ARGS) and set(part) <= set(engine.ORDER_FIELDS)
    assert part[:2] == ["country", "part_no"] and "item" not in part  # a 品番 is never read as an item code


# ------------------------------------------------------------------------------------------- SCREEN_TECH

# SCREEN_TECH's arguments (functions.TECH_ARGS: country, item, recipient, residency, specific_type,
# influence_country, hs, method, exemption, inform, end_use, critical_tech, overseas_production, report_date,
# provision_date): technology lines across the decisions
TECH_LINES = [
    (
        "中国",
        "非該当",
        "華東電子有限公司",
        "非居住者",
        None,
        None,
        "8532.24",
        "メール",
        None,
        None,
        "民生",
        "CT01",
        True,
    ),
    ("中国", "非該当", "華東電子有限公司", "非居住者", None, None, "8532.24", None, None, None, "民生", "MLCC", "合弁"),
    (
        "中国",
        "7の項(1)",
        None,
        "非居住者",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "CT01",
        True,
        "2026/1/5",
        "2026/2/1",
    ),
    ("中国", "非該当", "華東電子有限公司", "非居住者", None, None, "8532.24", None, None, None, "民生", "CT01"),
    ("米国", "非該当", None, "非居住者", None, None, "8532.24", None, None, None, "民生", "CT01", True),
    ("日本", "7の項(1)", None, "居住者", "なし"),
    ("JP", "7の項(1)", None, "居住者", "②", "中国"),
    ("韓国", "7の項(1)", None, "非居住者", None, None, None, "データ送信"),
    ("韓国", "7の項(1)", None, "非居住者", None, None, None, None, "公知"),
    ("北朝鮮", "非該当", None, "非居住者", None, None, "8471.30"),
    ("中国", "非該当", "華東電子有限公司", "非居住者", None, None, "8532.24", None, None, None, "民生", "なし", False),
    ("中国", "7の項(1)", None, "居住者", "④"),
]
TECH_EXPECTED = [
    "事前報告要",
    "事前報告要",
    "許可要",  # reported: the listed item decides
    "要確認",
    "許可不要",
    "許可不要",
    "許可要",
    "許可要",
    "許可不要",
    "輸出禁止",
    "要確認",  # not for manufacture abroad; the End User List not loaded
    "入力エラー",
]


def _tech(line: tuple) -> dict:
    """The engine's fields of a SCREEN_TECH line."""
    return {("purpose" if a == "overseas_production" else a): v for a, v in zip(functions.TECH_ARGS, line)}


@pytest.mark.parametrize("line", TECH_LINES, ids=[f"{i}:{line[0]}/{line[1]}" for i, line in enumerate(TECH_LINES)])
def test_screen_tech_and_reason_equal_the_engine(excel, line):
    d = screening.decide_technology(**_tech(line))
    assert excel.call(functions.SCREEN_TECH, *line) == d.code.label
    assert excel.call(functions.SCREEN_TECH_REASON, *line) == d.reason_text("ja")


def test_screen_tech_decision_labels(excel):
    assert [excel.call(functions.SCREEN_TECH, *line) for line in TECH_LINES] == TECH_EXPECTED
    reason = excel.call(functions.SCREEN_TECH_REASON, *TECH_LINES[0])
    assert (
        reason.startswith("重要管理対象技術「積層セラミックコンデンサの設計・製造技術」") and "外為法55条の8" in reason
    )
    assert "報告日を入力するまで提供できません" in reason and "71条9号" in reason
    assert "報告済" in excel.call(functions.SCREEN_TECH_REASON, *TECH_LINES[2])


def test_screen_tech_cells_as_excel_delivers_them(excel):
    # overseas production as TRUE / FALSE / the form typed; dates as datetimes or serials; the HS as a number
    base = screening.decide_technology(**_tech(TECH_LINES[2]))
    serial = float((date(2026, 2, 1) - date(1899, 12, 30)).days)
    line = list(TECH_LINES[2])
    line[13], line[14] = datetime(2026, 1, 5), serial
    assert excel.call(functions.SCREEN_TECH_REASON, *line) == base.reason_text()
    no = screening.decide_technology(**_tech(TECH_LINES[0][:12] + ("なし",)))
    assert excel.call(functions.SCREEN_TECH_REASON, *TECH_LINES[0][:12], False) == no.reason_text()
    assert "海外での製造等のための提供ではない" in no.reason_text()
    assert excel.call(functions.SCREEN_TECH, *TECH_LINES[0][:12], 1.0) == "事前報告要"  # TRUE as Calc passes it
    hs_number = list(TECH_LINES[0])
    hs_number[6] = 8532.24
    assert excel.call(functions.SCREEN_TECH_REASON, *hs_number) == excel.call(
        functions.SCREEN_TECH_REASON, *TECH_LINES[0]
    )
    # an empty overseas_production cell is a missing fact: 要確認 naming it, never 許可不要
    assert excel.call(functions.SCREEN_TECH, *TECH_LINES[0][:12], "") == "要確認"
    assert "海外での製造等のための提供か" in excel.call(functions.SCREEN_TECH_REASON, *TECH_LINES[0][:12], None)


@pytest.mark.parametrize("err", list(ERRORS))
def test_screen_tech_error_values_and_ranges(excel, err):
    assert excel.call(functions.SCREEN_TECH, Error(err), "7の項(1)") == "入力エラー"
    line = (*TECH_LINES[0][:12], Error(err))
    assert excel.call(functions.SCREEN_TECH_REASON, *line) == f"入力エラー: 海外での製造等がエラー値（{err}）です"
    assert excel.call(functions.SCREEN_TECH_REASON, "中国", "7の項(1)", None, range_([["居住者", "非居住者"]])) == (
        "入力エラー: 居住性に複数のセル（2個）が指定されています。1つのセルを指定してください"
    )
    assert excel.call(functions.SCREEN_TECH, range_([["中国"]]), "7の項(1)") == "許可要"


def test_screen_tech_missing_and_bad_facts(excel):
    assert excel.call(functions.SCREEN_TECH_REASON, None, "7の項(1)").startswith("入力エラー: ")
    # residency not given: 要確認 naming it (a listed item needs a licence all the same)
    assert "居住性" in excel.call(functions.SCREEN_TECH_REASON, "日本", "非該当", None, None, None, None, "8532.24")
    assert excel.call(functions.SCREEN_TECH, "日本", "非該当", None, None, None, None, "8532.24") == "要確認"
    assert excel.call(functions.SCREEN_TECH, "中国", "非該当", None, "非居住者", None, None, None, None, "Foo") == (
        "入力エラー"
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ARG, min_size=0, max_size=15))
def test_screen_tech_junk_never_raises(args):
    excel = Excel()
    label = excel.call_raw(functions.SCREEN_TECH, *args)
    assert label in LABEL_SET
    reason = excel.call_raw(functions.SCREEN_TECH_REASON, *args)
    assert isinstance(reason, str) and reason
    if label == "入力エラー":
        assert reason.startswith("入力エラー: ")


def test_screen_tech_fault_and_audit(excel, monkeypatch):
    from exportscreen.audit import open_log

    monkeypatch.setattr(functions, "_AUDIT_ENABLED", True)
    assert excel.call(functions.SCREEN_TECH, *TECH_LINES[0]) == "事前報告要"
    (rec,) = open_log().records()
    assert rec["inputs"]["function"] == "SCREEN_TECH" and rec["inputs"]["kind"] == "technology"
    assert rec["inputs"]["purpose"] is True and rec["decision"] == "REPORT_REQUIRED"
    assert open_log().verify() == []

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(screening, "screen_technology", boom)
    assert excel.call(functions.SCREEN_TECH, "米国", "7の項(1)") == "システムエラー"
    assert excel.call(functions.SCREEN_TECH_REASON, "米国", "7の項(1)").startswith("システムエラー: RuntimeError")


# ------------------------------------------------------------------------------------- SCREEN_PART, PART_CLASS

PART_HEAD = ["品番", "品名", "該非", "HSコード", "判定日", "判定者", "見直し期限"]
PART_ROWS = [
    ["NC-5000A", "工作機械", "2の項(12)", "8458.11", date(2026, 1, 15), "山田", None],
    ["SC-M6", "ねじ", "非該当", "7318.15", date(2026, 1, 15), "山田", None],
    ["12345", "集積回路", "7の項(1)", "8542.31", date(2026, 1, 15), "山田", None],
    ["OLD-1", "旧ねじ", "非該当", "7318.15", date(2025, 1, 10), "山田", None],
    ["DUE-1", "ねじ", "非該当", None, date(2026, 1, 15), "山田", date(2026, 3, 1)],
]


@pytest.fixture
def part_master(tmp_path, monkeypatch):
    """A 品番マスタ imported from a real workbook into the test's private EXPORTSCREEN_HOME (SQLite)."""
    from openpyxl import Workbook

    from exportscreen import products

    monkeypatch.delenv("EXPORTSCREEN_DB_URL", raising=False)
    wb = Workbook()
    ws = wb.active
    for row in [PART_HEAD, *PART_ROWS]:
        ws.append(row)
    wb.save(tmp_path / "master.xlsx")
    products.import_master(tmp_path / "master.xlsx", effective="2026-02-01")
    state.reset_rules()
    return state.rules()


# (country, part_no, end_user, end_use, inform, value_jpy, ship_date)
PART_LINES = [
    ("中国", "NC-5000A", "華東精密机械有限公司", "民生", "なし", 6800000, date(2026, 4, 1)),
    ("米国", "SC-M6", "Lakeside Tooling LLC", "民生", "なし", 50000, date(2026, 4, 1)),
    ("米国", "ｓｃ－ｍ６", None, "民生", "なし", None, date(2026, 4, 1)),  # full-width, lower case: the same part
    ("米国", 12345.0, None, "民生", "なし", None, date(2026, 4, 1)),  # a 品番 typed as a number
    ("米国", "XX-404", None, "民生", "なし", None, date(2026, 4, 1)),  # not in the master
    ("米国", "OLD-1", None, "民生", "なし", None, date(2026, 4, 1)),  # judged before an amendment
    ("米国", "DUE-1", None, "民生", "なし", None, date(2026, 4, 1)),  # past its 見直し期限
    ("北朝鮮", "SC-M6", None, "民生", "なし", None, date(2026, 4, 1)),
    ("Atlantis", "SC-M6", None, "民生", "なし", None, date(2026, 4, 1)),
    ("米国", "SC-M6", None, None, None, None, date(2026, 1, 10)),  # before the master's version is in force
]
PART_EXPECTED = [
    "許可要",
    "許可不要",
    "許可不要",
    "許可要",
    "要確認",
    "要確認",
    "要確認",
    "輸出禁止",
    "入力エラー",
    "要確認",
]


def _part(line: tuple) -> dict:
    """The engine's fields of a SCREEN_PART line; a number cell's 品番 as the text it shows (12345.0 -> "12345")."""
    fields = dict(zip(functions.PART_ARGS, line))
    fields["part_no"] = orders.cell_text(fields["part_no"])
    return fields


@pytest.mark.parametrize("i", range(len(PART_LINES)), ids=[f"{i}:{li[0]}/{li[1]}" for i, li in enumerate(PART_LINES)])
def test_screen_part_equals_the_engine(excel, part_master, i):
    line = PART_LINES[i]
    d = screening.decide(**_part(line))
    assert excel.call(functions.SCREEN_PART, *line) == d.code.label == PART_EXPECTED[i]


def test_screen_part_cells_as_excel_delivers_them(excel, part_master):
    # the 品番 typed as a number is the master's "12345" (7の項(1)), never an item code
    assert excel.call(functions.SCREEN_PART, "中国", 12345.0) == "許可要"
    d = screening.decide(country="中国", part_no="12345")
    assert d.item["code"] == "7の項(1)" and "品番マスタ" in d.reason_text()
    # a date cell as a serial number, a range of one cell
    assert excel.call(functions.SCREEN_PART, "米国", "SC-M6", None, "民生", "なし", None, 46113.0) == "許可不要"
    assert excel.call(functions.SCREEN_PART, range_([["米国"]]), range_([["SC-M6"]]), None, "民生", "なし") == (
        screening.decide(country="米国", part_no="SC-M6", end_use="民生", inform="なし").code.label
    )


def test_part_class(excel, part_master):
    assert excel.call(functions.PART_CLASS, "NC-5000A") == "2の項(12) / HS 8458.11"
    assert excel.call(functions.PART_CLASS, 12345.0) == "7の項(1) / HS 8542.31"
    assert excel.call(functions.PART_CLASS, " ｓｃ－ｍ６ ") == "非該当 / HS 7318.15"
    # a classification to judge again says so after it, with the engine's own reason (PART-REVIEW-DUE, PART-STALE)
    assert excel.call(functions.PART_CLASS, "DUE-1") == (
        "非該当 / HS なし（要確認: 該非判定の見直しが必要（見直し期限 2026-03-01 経過）：品番 DUE-1）"
    )
    old = excel.call(functions.PART_CLASS, "OLD-1")
    stale = screening.decide(country="米国", part_no="OLD-1", ship_date=date.today())
    assert [r.rule_id for r in stale.reasons if r.rule_id.startswith("PART-STALE")] == ["PART-STALE"]
    assert old.endswith(f"（要確認: {next(r.ja for r in stale.reasons if r.rule_id == 'PART-STALE')}）")
    version = part_master.master_on(date.today()).version
    assert excel.call(functions.PART_CLASS, "XX-404") == (
        f"要確認: 品番 XX-404 は品番マスタ（{version}）にありません：該非判定を確認してください"
    )


def test_part_functions_without_a_master(excel):
    assert excel.call(functions.PART_CLASS, "SC-M6") == (
        "要確認: 品番 SC-M6 を調べる品番マスタがこの日付に取り込まれていません：該非判定を確認してください"
    )
    # only a 品番, no master to read it: 要確認, never 許可不要
    assert excel.call(functions.SCREEN_PART, "米国", "SC-M6") == "要確認"
    assert screening.decide(country="米国", part_no="SC-M6").code.label == "要確認"


@pytest.mark.parametrize("err", list(ERRORS))
def test_part_functions_error_values_blank_and_ranges(excel, err):
    assert excel.call(functions.SCREEN_PART, "米国", Error(err)) == "入力エラー"
    assert excel.call(functions.SCREEN_PART, Error(err), "SC-M6") == "入力エラー"
    assert excel.call(functions.PART_CLASS, Error(err)) == f"入力エラー: 品番がエラー値（{err}）です"
    assert excel.call(functions.SCREEN_PART, "米国", None) == "入力エラー"
    assert excel.call(functions.SCREEN_PART, "米国", "  ") == "入力エラー"
    assert excel.call(functions.PART_CLASS, None) == "入力エラー: 品番が空です"
    assert excel.call(functions.PART_CLASS, range_([["SC-M6", "NC-5000A"]])) == (
        "入力エラー: 品番に複数のセル（2個）が指定されています。1つのセルを指定してください"
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ARG, min_size=0, max_size=7))
def test_part_functions_junk_never_raise(args):
    excel = Excel()
    assert excel.call_raw(functions.SCREEN_PART, *args) in LABEL_SET
    text = excel.call_raw(functions.PART_CLASS, *args[:1])
    assert isinstance(text, str) and text and not text.startswith("システムエラー")


def test_screen_part_fault_and_audit(excel, part_master, monkeypatch):
    from exportscreen.audit import open_log

    monkeypatch.setattr(functions, "_AUDIT_ENABLED", True)
    assert excel.call(functions.SCREEN_PART, "中国", "NC-5000A") == "許可要"
    (rec,) = open_log().records()
    assert rec["inputs"]["function"] == "SCREEN_PART" and rec["inputs"]["part_no"] == "NC-5000A"
    assert rec["inputs"]["item"] is None and rec["decision"] == "LICENSE_REQUIRED"

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(screening, "screen", boom)
    assert excel.call(functions.SCREEN_PART, "中国", "NC-5000A") == "システムエラー"
    monkeypatch.setattr(state, "rules", boom)
    assert excel.call(functions.PART_CLASS, "NC-5000A").startswith("システムエラー: RuntimeError")
