"""The public Python API (exportscreen.check, screen_frame, screen_records, rules_info): it decides exactly as the
one pipeline does (the law table's cases, a csv screened by the CLI, a real workbook), reads pandas cells as Excel
cells, leaves its input untouched, decides each distinct line once and records like ``screen``."""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

import exportscreen
from exportscreen import cli, orders, render, screening
from exportscreen.audit import open_log
from exportscreen.model import Code

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("decision_table", REPO / "tests/engine/test_decision_table.py")
assert _spec is not None and _spec.loader is not None
_table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_table)
CASES, TODAY = _table.CASES, _table.TODAY
HEADERS = ("仕向地", "品目", "HSコード", "需要者", "用途", "インフォーム", "金額", "出荷日")


@pytest.fixture
def stub_eul(use_rules, eul_rules):
    """The rules in use (state.rules) are the bundled ones with the tests' stub End User List."""
    return use_rules(eul_rules)


def _case_frame() -> pd.DataFrame:
    return pd.DataFrame([dict(zip(HEADERS, c[1:9])) for c in CASES])


def _decide(case):
    _id, country, item, hs, end_user, end_use, inform, value, ship = case[:9]
    return screening.decide(
        country, item, hs, end_user or None, end_use, inform, value, ship, as_of=TODAY
    )  # a blank cell is None


def test_frame_agrees_with_the_pipeline_on_every_law_table_case(stub_eul):
    df = _case_frame()
    out = exportscreen.screen_frame(df, as_of=TODAY)
    records = exportscreen.screen_records(df.to_dict("records"), as_of=TODAY)
    for i, case in enumerate(CASES):
        d = _decide(case)
        assert d.code == case[9], case[0]  # the table's own expectation still holds
        row = out.iloc[i]
        assert (row["判定"], row["判定コード"], row["理由"]) == (d.label, d.code.value, render.reason_text(d)), case[0]
        assert (row["規則バージョン"], row["基準日"]) == (d.rules_version, d.as_of), case[0]
        group = (d.country or {}).get("group_label")
        assert row["仕向地区分"] == group if group else pd.isna(row["仕向地区分"]), case[0]
        assert records[i]["理由"] == row["理由"] and records[i]["判定コード"] == d.code.value, case[0]
        _id, country, item, hs, end_user, end_use, inform, value, ship = case[:9]
        one = exportscreen.check(country, item, hs, end_user or None, end_use, inform, value, ship, as_of=TODAY)
        assert one == d, case[0]


def test_frame_agrees_with_screen_on_a_csv(stub_eul, tmp_path):
    """The same lines through ``exportscreen screen`` (csv) and through screen_frame (pd.read_csv of that file)."""
    path = tmp_path / "orders.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(("注文番号", *HEADERS))
        for i, c in enumerate(CASES):
            w.writerow((f"SO-{i}", *("" if v is None else v for v in c[1:9])))
    df = pd.read_csv(path, dtype=str, keep_default_na=False)  # the cells as text, as csvfile reads them
    out = exportscreen.screen_frame(df, as_of=TODAY)
    assert cli.main(["screen", str(path), "--date", TODAY.isoformat()]) == 0
    with path.open(encoding="utf-8", newline="") as fh:
        screened = list(csv.DictReader(fh))
    assert len(screened) == len(CASES)
    assert [r["判定"] for r in screened] == out["判定"].tolist()
    assert [r["理由"] for r in screened] == out["理由"].tolist()


def test_float_hs_and_cells_read_as_a_workbook_reads_them(tmp_path):
    """A float 8471.3 (what Excel stores for 8471.30 typed as a number), a Timestamp, numpy numbers: decided as the
    same cells read from a real workbook; None, NaN, pd.NA and NaT are blank cells."""
    wb = Workbook()
    ws = wb.active
    ws.append(["仕向地", "品目", "HSコード", "需要者", "金額", "出荷日"])
    ws.append(["中国", "非該当", 8471.3, None, 120000, datetime(2025, 11, 4)])
    ws.append(["フランス", "15の項(1)", None, "Clean Co", 40000, datetime(2025, 12, 1)])
    path = tmp_path / "orders.xlsx"
    wb.save(path)
    table = orders.read_order_table(path)
    from_workbook = [screening.decide(*line.values, as_of=TODAY) for line in table.lines]

    df = pd.DataFrame(
        {
            "仕向地": ["中国", "フランス"],
            "品目": ["非該当", "15の項(1)"],
            "HSコード": [np.float64(8471.3), np.nan],
            "需要者": [pd.NA, "Clean Co"],
            "金額": np.array([120000, 40000], dtype=np.int64),
            "出荷日": pd.to_datetime(["2025-11-04", "2025-12-01"]),
        }
    )
    out = exportscreen.screen_frame(df, as_of=TODAY)
    assert out["判定コード"].tolist() == [d.code.value for d in from_workbook]
    assert out["理由"].tolist() == [render.reason_text(d) for d in from_workbook]
    assert from_workbook[0].item["hs"] == "8471.30"

    blanks = pd.DataFrame(
        {
            "仕向地": ["中国"] * 5,
            "品目": ["非該当"] * 5,
            "需要者": pd.Series([None, np.nan, pd.NA, "", "  "], dtype=object),
            "出荷日": pd.Series([pd.NaT, None, np.nan, pd.NA, ""], dtype=object),
        }
    )
    blank = screening.decide("中国", "非該当", as_of=TODAY)
    assert set(exportscreen.screen_frame(blanks, as_of=TODAY)["理由"]) == {render.reason_text(blank)}
    stamp = pd.Timestamp("2025-11-04 09:30", tz="Asia/Tokyo")
    assert exportscreen.check("中国", "非該当", ship_date=stamp) == screening.decide(
        "中国", "非該当", ship_date=datetime(2025, 11, 4, 9, 30)
    )
    assert exportscreen.check("中国", "非該当", value_jpy=np.int64(5), hs=np.float32(8471.0)) == screening.decide(
        "中国", "非該当", value_jpy=5, hs=8471.0
    )


def test_input_untouched_and_a_new_frame():
    df = pd.DataFrame(
        {
            "受注番号": ["SO-1", "SO-2", "合計"],
            "仕向地": ["米国", "北朝鮮", None],
            "品目": ["7の項(1)", "非該当", None],
            "金額": [2_000_000, 2000, 3000],
            "判定": [None, "古い判定", None],
        },
        index=["a", "b", "c"],
    )
    before = df.copy(deep=True)
    out = exportscreen.screen_frame(df)
    pd.testing.assert_frame_equal(df, before)
    assert out is not df and list(out.index) == ["a", "b", "c"]
    assert list(out.columns) == [*df.columns, "判定コード", "理由", "規則バージョン", "基準日", "仕向地区分"]
    assert out["判定"].tolist()[:2] == ["許可要", "輸出禁止"]  # the stale 判定 is replaced in the copy only
    assert out.loc["c", ["判定", "判定コード", "理由"]].isna().all()  # a totals row, as in a workbook
    records = [{"仕向地": "米国", "品目": "7の項(1)"}]
    assert exportscreen.screen_records(records)[0]["判定"] == "許可要" and records == [
        {"仕向地": "米国", "品目": "7の項(1)"}
    ]


def test_empty_and_categorical_frames():
    empty = exportscreen.screen_frame(pd.DataFrame({"仕向地": [], "品目": []}))
    assert len(empty) == 0 and list(empty.columns[2:]) == [
        "判定",
        "判定コード",
        "理由",
        "規則バージョン",
        "基準日",
        "仕向地区分",
    ]
    assert exportscreen.screen_records([]) == []
    df = pd.DataFrame({"仕向地": pd.Categorical(["北朝鮮", "米国", "北朝鮮"]), "品目": ["非該当"] * 3, 0: [1, 2, 3]})
    assert exportscreen.screen_frame(df)["判定コード"].tolist() == [
        exportscreen.check(c, "非該当").code.value for c in ("北朝鮮", "米国", "北朝鮮")
    ]


def test_each_distinct_line_is_decided_once(monkeypatch):
    calls = []
    real, decide_line = screening.decide, screening.decide_line

    def counting(*a, **kw):
        calls.append(a)
        return decide_line(*a, **kw)

    monkeypatch.setattr(screening, "decide_line", counting)
    lines = [("米国", "7の項(1)", 1000.0), ("北朝鮮", "非該当", 5.0), ("中国", "非該当", np.nan), ("米国", True, 1.0)]
    rng = np.random.default_rng(7)
    pick = rng.integers(0, len(lines), 20_000)
    df = pd.DataFrame([lines[k] for k in pick], columns=["仕向地", "品目", "金額"])
    df.loc[5, "品目"] = 1  # True and 1 are different cells (TRUE is text to the engine)
    out = exportscreen.screen_frame(df)
    assert len(calls) == len(lines) + 1
    expected = {k: real(*lines[k][:2], value_jpy=lines[k][2]) for k in range(len(lines))}
    want = [render.reason_text(expected[k]) for k in pick]
    want[5] = render.reason_text(real(df.loc[5, "仕向地"], 1, value_jpy=df.loc[5, "金額"]))
    assert out["理由"].tolist() == want


def test_explicit_mapping():
    by_name = pd.DataFrame({"仕向地": ["ドイツ"], "品目": ["6の項(2)"], "金額(USD)": [5000], "用途": ["軍事"]})
    mapped = pd.DataFrame({"dest": ["ドイツ"], "eccn": ["6の項(2)"], "amt": [5000], "用途": ["軍事"]})
    columns = {"dest": "country", "eccn": "item", "amt": "金額(USD)"}
    want = screening.decide("ドイツ", "6の項(2)", value_jpy="USD 5000", rates=(("USD", 150.0),))
    out = exportscreen.screen_frame(mapped, columns=columns, rates={"USD": 150})
    assert out["理由"].iloc[0] == render.reason_text(want)  # 用途 not mapped: not used
    auto = exportscreen.screen_frame(by_name.drop(columns="用途"), rates=["USD=150"])
    assert auto["理由"].iloc[0] == out["理由"].iloc[0]
    with pytest.raises(exportscreen.InputError, match="nope"):
        exportscreen.screen_frame(mapped, columns={"nope": "country", "eccn": "item"})
    with pytest.raises(ValueError, match="'colour'"):
        exportscreen.screen_frame(mapped, columns={"dest": "colour", "eccn": "item"}, lang="en")
    with pytest.raises(exportscreen.InputError, match="仕向地と品目の列が見つかりません"):
        exportscreen.screen_frame(mapped)
    with pytest.raises(exportscreen.InputError, match="rate"):
        exportscreen.screen_frame(by_name, rates={"USD": -1})


def test_two_columns_for_one_field_are_refused_with_the_workbooks_message(tmp_path):
    header = ["仕向地", "品目", "Destination"]
    path = tmp_path / "orders.csv"
    path.write_text(",".join(header) + "\n米国,非該当,中国\n", encoding="utf-8")
    with pytest.raises(Exception) as from_file:
        orders.read_order_table(path)
    df = pd.DataFrame([["米国", "非該当", "中国"]], columns=header)
    for lang in ("ja", "en"):
        with pytest.raises(exportscreen.InputError) as exc:
            exportscreen.screen_frame(df, lang=lang)
        assert f"{path.name}: {exc.value}" == from_file.value.text(lang)
    with pytest.raises(exportscreen.InputError) as exc:
        exportscreen.screen_records([dict(zip(header, ["米国", "非該当", "中国"]))])
    assert "どちらで判定するか決められません" in str(exc.value)
    with pytest.raises(exportscreen.InputError):  # two columns mapped to one field
        exportscreen.screen_frame(df, columns={"仕向地": "country", "Destination": "仕向地", "品目": "item"})


def test_english():
    df = pd.DataFrame({"Country": ["米国"], "Item": ["7の項(1)"], "Value": [1000]})
    out = exportscreen.screen_frame(df, lang="en", as_of="2025-10-01")
    d = screening.decide("米国", "7の項(1)", value_jpy=1000, as_of=date(2025, 10, 1))
    assert list(out.columns[3:]) == ["decision", "code", "reasons", "rules_version", "as_of", "destination_group"]
    assert out.loc[0, "decision"] == "Licence required" or out.loc[0, "decision"] == render.label(d.code, "en")
    assert out.loc[0, "reasons"] == render.reason_text(d, "en") and "[rules " in out.loc[0, "reasons"]
    assert out.loc[0, "as_of"] == date(2025, 10, 1)
    with pytest.raises(exportscreen.InputError, match="not a date"):
        exportscreen.check("米国", "非該当", as_of="someday", lang="en")


def test_record_writes_every_line_like_screen_and_the_log_verifies(tmp_path, capsys):
    path = tmp_path / "orders.csv"
    rows = [("SO-1", "米国", "7の項(1)", "1000"), ("SO-2", "中国", "非該当", ""), ("SO-1", "米国", "7の項(1)", "1000")]
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([("注文番号", "仕向地", "品目", "金額"), *rows, ("合計", "", "", "2000")])
    with path.open(encoding="utf-8", newline="") as fh:
        records = list(csv.DictReader(fh))
    exportscreen.screen_records(records, record=True, label="月次レビュー", as_of="2025-10-01")
    df = pd.DataFrame(records)
    exportscreen.screen_frame(df, record=True, as_of="2025-10-01")
    assert cli.main(["screen", str(path), "--date", "2025-10-01"]) == 0
    log = open_log()
    runs = {r["kind"] + ":" + (r["file"] or ""): r for r in log.runs()}
    api_run, frame_run = runs["api:月次レビュー"], runs["api:python"]
    screen_run = next(r for k, r in runs.items() if k.startswith("screen:"))
    assert api_run["n_records"] == frame_run["n_records"] == screen_run["n_records"] == 3  # the totals row skipped
    same = ("inputs", "decision", "label", "reasons", "country", "item", "rules_version", "as_of", "refs")
    by_screen = log.records(run_id=screen_run["id"])
    for run in (api_run, frame_run):
        recs = log.records(run_id=run["id"])
        assert [r["row"] for r in recs] == [1, 2, 3]
        assert [{k: r[k] for k in same} for r in recs] == [{k: r[k] for k in same} for r in by_screen]
    assert by_screen[0]["refs"] == [["注文番号", "SO-1"]]
    d = exportscreen.check("米国", "非該当", record=True, label="one")
    one = next(r for r in log.runs() if r["file"] == "one")
    assert one["kind"] == "api" and log.records(run_id=one["id"])[0]["decision"] == d.code.value
    capsys.readouterr()
    assert cli.main(["audit", "verify"]) == 0, capsys.readouterr()


def test_screen_records_without_pandas_and_one_error_naming_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas raises ImportError
    out = exportscreen.screen_records([{"仕向地": "北朝鮮", "品目": "非該当"}, {"仕向地": None, "品目": None}])
    assert out[0]["判定コード"] == Code.PROHIBITED.value and out[1]["判定"] is None
    for lang, text in (("ja", "pandas が必要です"), ("en", "needs pandas")):
        with pytest.raises(ImportError) as exc:
            exportscreen.screen_frame(object(), lang=lang)
        assert text in str(exc.value) and "pip install 'exportscreen[pandas]'" in str(exc.value)
        assert "\n" not in str(exc.value)


def test_import_is_cheap_and_screen_records_never_imports_pandas():
    code = (
        "import sys, exportscreen\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('exportscreen.') or m in ('pandas', 'numpy'))\n"
        "assert loaded == [], loaded\n"
        "exportscreen.screen_records([{'仕向地': '米国', '品目': '非該当'}])\n"
        "assert 'pandas' not in sys.modules and 'exportscreen.engine' in sys.modules\n"
        "assert set(exportscreen.__all__) <= set(dir(exportscreen))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_rules_info():
    info = exportscreen.rules_info("令和7年10月1日")
    assert info["as_of"] == "2025-10-01" and info["end_user_list"] is None
    assert exportscreen.check("米国", "非該当").rules_version == info["rules_version"]
    assert "group_a" in info["lists"] and "US" in info["lists"]["group_a"]["members"]
    with pytest.raises(AttributeError):
        exportscreen.nothing_here  # noqa: B018


def test_aware_timestamp_is_its_wall_clock_date():
    utc = pd.Timestamp(datetime(2025, 11, 4, 23, 30, tzinfo=UTC))
    assert exportscreen.check("中国", "非該当", ship_date=utc).as_of == date(2025, 11, 4)
