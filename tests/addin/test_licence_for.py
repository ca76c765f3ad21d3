"""=LICENCE_FOR(country, item_or_part, [end_user], [value_jpy], [ship_date]) called the way Excel's classic xlwings
bridge calls it (tests/com_shim.py), with a licence register (and a 品番マスタ) imported from real files into the
test's private EXPORTSCREEN_HOME: the 許可番号 exactly when the engine's decision is 許可取得済 by that licence, else
the decision and a short reason; cells as Excel delivers them, error values, blanks, ranges, no register, the
balance after a recorded shipment, junk never raises, the audit hook."""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exportscreen import cli, engine, functions, screening, state
from exportscreen.licences import HEADERS
from exportscreen.model import Code

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: com_shim
from com_shim import ERRORS, Error, Excel, range_  # noqa: E402

DAY = date(2026, 6, 1)
REGISTER = [
    {"no": "G-1", "kind": "一般包括", "countries": "別表第三", "items": "3の項", "expires": "2028-12-31"},
    {
        "no": "I-1",
        "kind": "個別",
        "countries": "中国",
        "parties": "ABC Co., Ltd.",
        "items": "3の項(1)～(2)",
        "value": "1000000",
        "granted": "2026-05-01",
        "expires": "2026-10-31",
    },
]


@pytest.fixture
def excel():
    return Excel()


@pytest.fixture
def register(tmp_path, monkeypatch):
    """The register above, imported from a real csv; a 品番マスタ with P-31 (3の項(1)) from a real workbook."""
    from openpyxl import Workbook

    monkeypatch.delenv("EXPORTSCREEN_DB_URL", raising=False)
    path = tmp_path / "reg.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS.values())
        for r in REGISTER:
            base = {"target": "貨物", "granted": "2026-01-15", **r}
            w.writerow([base.get(k, "") for k in HEADERS])
    assert cli.main(["licences", "import", str(path), "--effective", "2026-01-01"]) == 0
    wb = Workbook()
    wb.active.append(["品番", "品名", "該非", "HSコード", "判定日"])
    wb.active.append(["P-31", "電子計算機", "3の項(1)", "8471.50", date(2026, 1, 15)])
    wb.save(tmp_path / "master.xlsx")
    assert cli.main(["products", "import", str(tmp_path / "master.xlsx"), "--effective", "2026-01-01"]) == 0
    state.reset_rules()


# (country, item_or_part, end_user, value_jpy, ship_date) -> what LICENCE_FOR shows
LINES = [
    (("米国", "3の項(1)", None, None, DAY), "G-1"),
    (("米国", "P-31", None, None, DAY), "G-1"),  # a 品番 of the master: its 該非
    (("中国", "3の項(2)", "ABC Co., Ltd.", 500000, DAY), "I-1"),
    (("中国", "P-31", "ＡＢＣ　Co., Ltd.", 500000.0, 46174.0), "I-1"),  # full width, numbers as Excel gives them
    (
        ("中国", "3の項(1)", "XYZ Ltd.", 500000, DAY),
        "許可要: 個別許可 I-1 の対象外：需要者が許可の需要者（ABC Co., Ltd.）と異なります",
    ),
    (
        ("中国", "3の項(1)", "ABC Co., Ltd.", 2000000, DAY),
        "許可要: 個別許可 I-1 の対象外：金額が許可の金額上限 1,000,000円 を超えます",
    ),
    (
        ("中国", "3の項(1)", "ABC Co., Ltd.", 500000, date(2026, 11, 1)),
        "許可要: 個別許可 I-1 の対象外：出荷日に有効期限",
    ),
    (("中国", "3の項(1)", "ABC Co., Ltd.", None, DAY), "要確認: 許可 I-1：金額上限 1,000,000円 がありますが"),
    (("米国", "非該当", None, None, DAY), "許可不要"),
    (("北朝鮮", "3の項(1)", None, None, DAY), "輸出禁止: "),
    (("Atlantis", "3の項(1)", None, None, DAY), "入力エラー: "),
    # neither a 品番 of the master nor a 項番: with a master in force, an unknown 品番 (要確認 naming it)
    (("米国", "XX-404", None, None, DAY), "要確認: 品番 XX-404 は品番マスタ"),
    (("米国", "99の項", None, None, DAY), "入力エラー: "),  # an item code that does not exist stays an input error
]


def _engine(line: tuple):
    country, goods, end_user, value, ship = line
    key = "part_no" if goods in ("P-31", "XX-404") else "item"
    return screening.decide(country=country, end_user=end_user, value_jpy=value, ship_date=ship, **{key: goods})


@pytest.mark.parametrize("i", range(len(LINES)), ids=[f"{i}:{li[0][0]}/{li[0][1]}" for i, li in enumerate(LINES)])
def test_licence_for_names_the_licence_exactly_when_the_engine_says_licensed(excel, register, i):
    line, expected = LINES[i]
    got = excel.call(functions.LICENCE_FOR, *line)
    assert got.startswith(expected), got
    d = _engine(line)
    if d.code is Code.LICENSED:
        assert got == d.licence["no"] == expected
    else:
        assert got.startswith(d.code.label) and got != d.code.label or d.code is Code.NO_LICENSE


def test_licence_for_after_a_recorded_shipment(excel, register, tmp_path):
    import xlsxwriter

    src = tmp_path / "shipped.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet()
    for r, row in enumerate([["注文番号", "仕向地", "品目", "需要者", "金額", "出荷日"]]):
        ws.write_row(r, 0, row)
    ws.write_row(1, 0, ["S-1", "中国", "3の項(1)", "ABC Co., Ltd.", 800000, DAY.isoformat()])
    wb.close()
    assert cli.main(["shipments", "record", str(src)]) == 0
    assert excel.call(functions.LICENCE_FOR, "中国", "3の項(1)", "ABC Co., Ltd.", 200000, DAY) == "I-1"
    got = excel.call(functions.LICENCE_FOR, "中国", "3の項(1)", "ABC Co., Ltd.", 300000, DAY)
    assert got.startswith("要確認: 許可 I-1：金額 300,000円 が残高 200,000円")


def test_without_a_register(excel):
    got = excel.call(functions.LICENCE_FOR, "米国", "3の項(1)")
    assert got == "許可要: 許可台帳が取り込まれていません（exportscreen licences import FILE）"
    assert excel.call(functions.LICENCE_FOR, "米国", "非該当").startswith("許可不要: グループA")


@pytest.mark.parametrize("err", list(ERRORS))
def test_error_values_blanks_and_ranges(excel, err):
    assert excel.call(functions.LICENCE_FOR, Error(err), "3の項(1)") == f"入力エラー: 仕向地がエラー値（{err}）です"
    assert excel.call(functions.LICENCE_FOR, "米国", Error(err)) == f"入力エラー: 品目・品番がエラー値（{err}）です"
    assert excel.call(functions.LICENCE_FOR, "米国", None) == "入力エラー: 品目・品番が空です"
    assert excel.call(functions.LICENCE_FOR, "米国", "  ") == "入力エラー: 品目・品番が空です"
    assert excel.call(functions.LICENCE_FOR, range_([["米国", "中国"]]), "3の項(1)").startswith(
        "入力エラー: 仕向地に複数のセル（2個）"
    )
    assert excel.call(functions.LICENCE_FOR, range_([["米国"]]), range_([["非該当"]])).startswith("許可不要: ")


_CELL = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**12), 10**12),
    st.booleans(),
    st.dates(),
    st.sampled_from([*ERRORS.values(), "米国", "中国", "3の項(1)", "P-31", "ABC Co., Ltd.", "#N/A", "0"]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            _CELL, st.lists(st.lists(_CELL, min_size=1, max_size=2).map(tuple), min_size=1, max_size=2).map(tuple)
        ),
        max_size=5,
    )
)
def test_junk_never_raises(args):
    text = Excel().call_raw(functions.LICENCE_FOR, *args)
    assert isinstance(text, str) and text and not text.startswith("システムエラー"), text


def test_audit_and_a_fault(excel, register, monkeypatch):
    from exportscreen.audit import open_log

    monkeypatch.setattr(functions, "_AUDIT_ENABLED", True)
    assert excel.call(functions.LICENCE_FOR, "米国", "3の項(1)", None, None, DAY) == "G-1"
    rec = next(r for r in open_log().records() if r["inputs"].get("function") == "LICENCE_FOR")
    assert rec["decision"] == "LICENSED" and rec["inputs"]["item"] == "3の項(1)"

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(screening, "screen", boom)
    assert excel.call(functions.LICENCE_FOR, "米国", "3の項(1)").startswith("システムエラー: RuntimeError")


def test_parameters():
    import inspect

    from exportscreen import calc

    params = list(inspect.signature(functions.LICENCE_FOR).parameters)
    assert (
        params
        == list(functions.LICENCE_ARGS)
        == list(calc.LICENCE)
        == [a for a, _ in functions.ARG_DOCS["LICENCE_FOR"]]
    )
    assert set(params) - {"item_or_part"} <= set(engine.ORDER_FIELDS)
