"""``exportscreen rescreen``: a new End User List changes exactly the lines whose buyer it adds."""

from __future__ import annotations

import json
from datetime import date

import openpyxl
import pytest
from conftest import SHARED

from exportscreen.cli import main

EUL_XLSX = SHARED / "reference" / "eul-2025-09-29-layout.xlsx"
pytestmark = pytest.mark.skipif(not EUL_XLSX.exists(), reason="shared reference End User List not available")


def test_rescreen_reports_only_the_lines_a_new_list_changes(tmp_path, capsys):
    from exportscreen.eul import import_list

    # The "old" list: the reference list without one Chinese WMD entry (made at test time, not stored in the repo).
    wb = openpyxl.load_workbook(EUL_XLSX)
    ws = wb["ユーザーリスト"]
    row = next(
        r
        for r in range(4, ws.max_row + 1)
        if str(ws.cell(r, 2).value).startswith("中華人民共和国")
        and ws.cell(r, 5).value
        and "\n" not in str(ws.cell(r, 3).value)
    )
    removed = ws.cell(row, 3).value
    ws.delete_rows(row)
    old = tmp_path / "old.xlsx"
    wb.save(old)
    import_list(old, list_date=date(2024, 9, 1), effective=date(2024, 9, 1))
    import_list(EUL_XLSX, list_date=date(2025, 9, 29), effective=date(2025, 10, 9))

    orders = tmp_path / "orders.csv"
    orders.write_text(
        "注文番号,仕向地,品目,HSコード,需要者,用途,出荷日\n"
        f"SO-1,中国,非該当,8458.11,{removed},民生,2026-01-10\n"
        "SO-2,中国,非該当,8458.11,Shenzhen Clean Tools Co.,民生,2026-01-10\n"
        f"SO-3,ドイツ,非該当,8458.11,{removed},民生,2026-01-10\n"
        f"SO-4,中国,非該当,8458.11,{removed},民生,2025-01-10\n"  # shipped while the old list was in force
        f",中国,3の項(1),2930.90,{removed},民生,2026-01-10\n",  # 許可要 either way: a newly listed buyer
        encoding="utf-8",
    )
    assert main(["rescreen", str(orders), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (
        out["lines"] == 5
        and out["new_list"].startswith("EUL 2025-09-29")
        and out["old_list"].startswith("EUL 2024-09-01")
    )
    assert [c["row"] for c in out["changed"]] == [2]
    assert [c["order_no"] for c in out["changed"] + out["reasons_changed"]] == ["SO-1", "SO-3", None]
    assert [c["row"] for c in out["reasons_changed"]] == [4, 6]  # a reference note; a newly listed buyer
    stays = out["reasons_changed"][1]
    assert stays["old"]["decision"] == stays["new"]["decision"] == "LICENSE_REQUIRED"
    assert not any("外国ユーザーリスト No." in r["text"] for r in stays["old"]["reasons"])
    assert any("外国ユーザーリスト No." in r["text"] for r in stays["new"]["reasons"])
    change = out["changed"][0]
    assert (change["old"]["decision"], change["new"]["decision"]) == ("NO_LICENSE", "LICENSE_REQUIRED")
    assert main(["rescreen", str(orders)]) == 0
    text = capsys.readouterr().out
    assert "2 行目 SO-1:" in text and "許可不要 → 許可要" in text and "判定が変わる行: 1" in text
    assert "判定は同じで理由が変わる行: 2" in text and "6 行目" in text and "許可要 → 許可要" in text
    assert main(["rescreen", str(orders), "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert (
        "row 2 SO-1:" in text
        and "Licence required" in text
        and "lines whose decision stays but reasons change: 2" in text
    )


def test_rescreen_without_a_list_is_a_clear_error(tmp_path, capsys):
    orders = tmp_path / "o.csv"
    orders.write_text("仕向地,品目\n米国,7の項(1)\n", encoding="utf-8")
    assert main(["rescreen", str(orders)]) == 2
    err = capsys.readouterr().err
    assert "import-eul" in err and "外国ユーザーリスト" in err and err.count("\n") == 1
