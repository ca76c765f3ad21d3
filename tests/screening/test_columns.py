"""Columns of real order files (xlsx built with xlsxwriter, csv written as bytes), through ``exportscreen screen``:
the final destination (最終仕向地) and final end user (最終需要者) columns are screened; two columns for one field are
refused naming both, the file untouched; a value column in another currency or unit (金額(USD), Value (EUR),
金額（千円）, 単価 with 数量, a 通貨 column) is converted with ``--rate`` or left 要確認 — never read as yen; and
=SCREEN_TABLE reads such a table as the screen command does."""

from __future__ import annotations

from pathlib import Path

import pytest
import python_calamine as pc
import xlsxwriter

from exportscreen import cli, functions, orders

DATE = "2026-11-25"


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPORTSCREEN_HOME", str(tmp_path / "home"))


def workbook(path: Path, table: list[list]) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("受注")
    ws.write_row(0, 0, ["受注一覧"])
    for r, row in enumerate(table, start=2):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
    wb.close()
    return path


def csv_file(path: Path, table: list[list], encoding: str = "utf-8-sig") -> Path:
    path.write_bytes("\r\n".join(",".join("" if v is None else str(v) for v in row) for row in table).encode(encoding))
    return path


def screened(path: Path) -> list[list]:
    """The rows of the screened file (xlsx: calamine, csv: as text)."""
    if path.suffix == ".csv":
        import csv
        import io

        return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("受注").to_python(skip_empty_area=False)


def screen(path: Path, *options: str) -> tuple[int, Path]:
    out = path.with_name("out" + path.suffix)
    return cli.main(["screen", str(path), "--out", str(out), "--date", DATE, *options]) or 0, out


def decisions(out: Path, header: list) -> list[tuple[str, str]]:
    rows = screened(out)
    head = next(r for r in rows if "判定" in r)
    d, why = head.index("判定"), head.index("理由")
    return [(r[d], r[why]) for r in rows[rows.index(head) + 1 :] if any(r[: len(header)])]


# ------------------------------------------------------------------------------------------ final destination


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_final_destination_and_final_end_user_columns_are_screened(kind, tmp_path, capsys):
    header = ["注文番号", "仕向地", "最終仕向地", "品目", "HSコード", "需要者", "最終需要者", "用途", "金額"]
    table = [
        header,
        ["A-1", "シンガポール", "イラン", "3の項(1)", None, "Tan Trading", "Tehran Co", "民生", 100000],
        ["A-2", "米国", "北朝鮮", "非該当", "0901.11", "US Foods", None, "民生", 1000],
        ["A-3", "フランス", "イラン", "6の項(2)", None, "Paris SA", None, "民生", 500000],
        ["A-4", "フランス", "フランス", "6の項(2)", None, "Paris SA", None, "民生", 500000],
        ["A-5", "ドイツ", None, "非該当", "8458.11", "Berlin AG", "不明", "民生", None],
    ]
    path = workbook(tmp_path / "o.xlsx", table) if kind == "xlsx" else csv_file(tmp_path / "o.csv", table)
    rc, out = screen(path)
    assert rc == 0, capsys.readouterr().err
    got = decisions(out, header)
    assert [label for label, _why in got] == ["輸出禁止", "輸出禁止", "許可要", "許可不要", "許可不要"]
    assert "［最終仕向地 イラン（IR）］イラン向け" in got[0][1] and "仕向地 シンガポール（SG）" in got[0][1]
    assert "［最終仕向地 朝鮮民主主義人民共和国（KP）］北朝鮮向けは全貨物" in got[1][1]
    assert "［最終仕向地 イラン（IR）］少額特例は別表第四" in got[2][1]  # the small-value exemption lost
    assert "最終仕向地" not in got[3][1]  # the same country: one destination
    assert "最終需要者「不明」" in got[4][1]


@pytest.mark.parametrize(
    "header,named",
    [
        (["仕向地", "品目", "Destination", "需要者"], ("列 A「仕向地」", "列 C「Destination」")),
        (["Ship to", "Item", "Country", "End user"], ("列 A「Ship to」", "列 C「Country」")),
        (["仕向地", "品目", "需要者", "Consignee"], ("列 C「需要者」", "列 D「Consignee」")),
        (["仕向地", "品目", "荷受人", "需要者", "最終需要者"], ("列 C「荷受人」", "列 D「需要者」")),
        (["仕向地", "最終仕向地", "品目", "Final destination"], ("列 B「最終仕向地」", "列 D「Final destination」")),
        (["仕向地", "品目", "金額", "Value"], ("列 C「金額」", "列 D「Value」")),
        (["仕向地", "品目", "HSコード", "統計品目番号"], ("列 C「HSコード」", "列 D「統計品目番号」")),
    ],
)
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_two_columns_for_one_field_are_refused_naming_both(kind, header, named, tmp_path, capsys):
    table = [header, ["米国" if h != "品目" and h != "Item" else "7の項(1)" for h in header]]
    path = workbook(tmp_path / "o.xlsx", table) if kind == "xlsx" else csv_file(tmp_path / "o.csv", table)
    before = path.read_bytes()
    assert cli.main(["screen", str(path), "--date", DATE]) == 2  # in place: refused, nothing written
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert path.name in err and all(n in err for n in named), err
    assert path.read_bytes() == before
    assert cli.main(["--lang", "en", "screen", str(path), "--date", DATE]) == 2
    assert "both give the" in capsys.readouterr().err


def test_screen_table_refuses_two_columns_too():
    got = functions.SCREEN_TABLE([["仕向地", "品目", "仕向国"], ["米国", "7の項(1)", "中国"]])
    assert got[0][0] == "入力エラー" and "列 A「仕向地」と列 C「仕向国」" in got[0][1]


def test_only_a_final_destination_column_is_the_destination(tmp_path, capsys):
    header = ["最終仕向地", "品目", "金額"]
    rc, out = screen(workbook(tmp_path / "o.xlsx", [header, ["北朝鮮", "非該当", 100]]))
    assert rc == 0 and decisions(out, header)[0][0] == "輸出禁止"


# ------------------------------------------------------------------------------------------ money


MONEY_HEADERS = [
    # (value header, cell, --rate options, decision, text that must be in 理由)
    ("金額(USD)", 5000, [], "許可要", "要確認：円換算が必要です（金額が USD 建て"),
    ("金額(USD)", 5000, ["--rate", "USD=150"], "許可不要", "5,000 USD × 150円（--rate USD=150）= 750,000円"),
    ("金額(USD)", 7000, ["--rate", "USD=150"], "許可要", "総価額が少額特例の上限 1,000,000円 を超えます"),
    ("Value (EUR)", 5000, ["--rate", "USD=150"], "許可要", "要確認：円換算が必要です（金額が EUR 建て"),
    ("Value (EUR)", 5000, ["--rate", "EUR=160", "--rate", "USD=150"], "許可不要", "= 800,000円"),
    ("金額（千円）", 500, [], "許可不要", "500（千円）= 500,000円"),
    ("金額（千円）", 5000, [], "許可要", "総価額が少額特例の上限 1,000,000円 を超えます"),
    ("価格(ドル)", 5000, [], "許可要", "要確認：円換算が必要です（金額が USD 建て"),
    ("金額(ABC)", 5000, ["--rate", "USD=150"], "許可要", "要確認：円換算が必要です（金額が ABC 建て"),
    ("金額", "USD 5,000", [], "許可要", "要確認：円換算が必要です（金額が USD 建て"),
    ("金額", "USD 5,000", ["--rate", "USD=150"], "許可不要", "= 750,000円"),
    ("金額(円)", 500000, [], "許可不要", "少額特例を適用"),
    ("金額（税込）", 500000, [], "許可不要", "少額特例を適用"),
]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
@pytest.mark.parametrize("value_header,cell,rates,label,text", MONEY_HEADERS, ids=[str(m[:3]) for m in MONEY_HEADERS])
def test_value_columns_in_another_unit(kind, value_header, cell, rates, label, text, tmp_path, capsys):
    header = ["仕向地", "品目", "需要者", value_header]
    table = [header, ["フランス", "6の項(2)", "Paris SA", cell]]
    if kind == "csv":
        table[1][3] = f'"{cell}"' if isinstance(cell, str) else cell
    path = workbook(tmp_path / "o.xlsx", table) if kind == "xlsx" else csv_file(tmp_path / "o.csv", table)
    rc, out = screen(path, *rates)
    assert rc == 0, capsys.readouterr().err
    ((got, why),) = decisions(out, header)
    assert got == label and text in why, why
    assert "少額特例を適用" not in why or label == "許可不要"  # never the exemption on an unconverted value


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_unit_price_times_quantity_and_a_currency_column(kind, tmp_path, capsys):
    header = ["仕向地", "品目", "需要者", "単価", "数量", "通貨"]
    table = [
        header,
        ["フランス", "6の項(2)", "Paris SA", 1000, 5, "USD"],  # 5,000 USD × 150 = 750,000円: within
        ["フランス", "6の項(2)", "Paris SA", 1000, 7, "USD"],  # 1,050,000円: over
        ["フランス", "6の項(2)", "Paris SA", 300000, 3, "JPY"],  # 900,000円: within
        ["フランス", "6の項(2)", "Paris SA", 300000, 4, None],  # no currency: yen, 1,200,000円: over
        ["フランス", "6の項(2)", "Paris SA", 1000, 5, "EUR"],  # no EUR rate: 要確認
        ["フランス", "6の項(2)", "Paris SA", 1000, None, "USD"],  # no quantity: the value is not known
    ]
    path = workbook(tmp_path / "o.xlsx", table) if kind == "xlsx" else csv_file(tmp_path / "o.csv", table)
    rc, out = screen(path, "--rate", "USD=150")
    assert rc == 0, capsys.readouterr().err
    assert "換算レート（円）: USD=150" in capsys.readouterr().out
    got = decisions(out, header)
    assert [label for label, _ in got] == ["許可不要", "許可要", "許可不要", "許可要", "許可要", "許可要"]
    assert "単価 1,000 × 数量 5 = 5,000、5,000 USD × 150円" in got[0][1]
    assert "要確認：円換算が必要です（金額が EUR 建て" in got[4][1]
    assert "金額が未入力のため少額特例は判断していません" in got[5][1]


def test_a_unit_price_without_quantity_is_not_the_value(tmp_path, capsys):
    header = ["仕向地", "品目", "単価"]
    rc, out = screen(workbook(tmp_path / "o.xlsx", [header, ["フランス", "6の項(2)", 10]]))
    assert rc == 0
    ((got, why),) = decisions(out, header)
    assert got == "許可要" and "金額が未入力" in why  # ¥10 would have been within the small-value limit


def test_bad_rate_option_is_one_line(tmp_path, capsys):
    path = workbook(tmp_path / "o.xlsx", [["仕向地", "品目"], ["米国", "7の項(1)"]])
    before = path.read_bytes()
    for bad in ("USD", "USD=abc", "JPY=1", "USD=0"):
        assert cli.main(["screen", str(path), "--rate", bad]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "--rate" in err
    assert cli.main(["screen", str(path), "--rate", "USD=150", "--rate", "usd=151"]) == 2
    assert path.read_bytes() == before


def test_check_command_takes_the_new_fields(capsys):
    args = ["check", "--country", "シンガポール", "--item", "3の項(1)", "--final-destination", "イラン"]
    assert cli.main([*args, "--date", DATE]) == 0
    out = capsys.readouterr().out
    assert "判定: 輸出禁止" in out and "最終仕向地: イラン (IR)" in out
    assert cli.main(["check", "--country", "FR", "--item", "6の項(2)", "--value-jpy", "USD 5000", "--date", DATE]) == 0
    assert "円換算が必要" in capsys.readouterr().out
    args = ["check", "--country", "FR", "--item", "6の項(2)", "--value-jpy", "USD 5000", "--rate", "USD=150"]
    assert cli.main([*args, "--date", DATE]) == 0
    assert "判定: 許可不要" in capsys.readouterr().out


def test_screen_table_reads_units_and_final_destinations_as_screen_does(tmp_path, capsys):
    header = ["仕向地", "最終仕向地", "品目", "需要者", "金額（千円）"]
    table = [
        header,
        ["フランス", None, "6の項(2)", "Paris SA", 500],
        ["フランス", None, "6の項(2)", "Paris SA", 5000],
        ["シンガポール", "イラン", "3の項(1)", "Tan", 1],
    ]
    rc, out = screen(workbook(tmp_path / "o.xlsx", table))
    assert rc == 0
    by_screen = decisions(out, header)
    by_function = functions.SCREEN_TABLE(table)[1:]
    labels = [label for label, _ in by_screen]
    assert labels == [label for label, _ in by_function] == ["許可不要", "許可要", "輸出禁止"]
    # and =SCREEN with the final destination argument
    assert functions.SCREEN("シンガポール", "3の項(1)", None, "Tan", None, None, 1.0, None, "イラン") == "輸出禁止"


def test_header_mapping():
    assert orders.match_column("最終仕向地") == "final_destination"
    assert orders.match_column("Final destination") == "final_destination"
    assert orders.match_column("最終需要者") == "final_end_user"
    assert orders.match_column("Ultimate consignee") == "final_end_user"
    assert orders.match_column("荷受人") == "end_user" and orders.match_column("Ship to") == "country"
    units = [orders.header_unit(h) for h in ("金額(USD)", "Value in EUR", "金額（千円）", "金額(円)", "金額（税込）")]
    assert units == ["usd", "eur", "千円", None, None]
    assert orders.match_column("Amount due") is None  # no currency DUE
