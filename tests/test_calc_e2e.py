"""End to end in LibreOffice Calc: ``exportscreen calc install`` into a private profile, headless soffice opens
the order template (=SCREEN / =SCREEN_REASON over lines spanning the decision table), computes the formulas
and saves as xlsx; every computed cell equals the engine's answer for the same inputs.

Driver: ``soffice --headless --convert-to xlsx``. The template has no cached values (openpyxl writes none), so
Calc computes every formula on load, which runs the Basic functions and through them our Python.
Skipped without soffice unless CI=true. Time-limited; the soffice process group is killed on teardown.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from exportscreen import functions, screening
from exportscreen.cli import main

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "workbook_templates" / "order_template.xlsx"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
TIMEOUT = 90

if SOFFICE is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("LibreOffice (soffice) is required on CI for the Calc end-to-end test")
    pytest.skip("LibreOffice (soffice) not installed", allow_module_level=True)

# Lines added below the template's examples: empty optional cells, numbers typed as numbers, a 0-yen value,
# a date typed as text, English names — (row, {column letter: value})
EXTRA = [
    {"B": "中国", "C": "非該当"},
    {"B": "US", "C": "7(1)", "D": 8542.31, "H": 40000},
    {"B": "韓国", "C": "非該当", "D": "8458.11", "F": "不明"},
    {"B": "Germany", "C": "NLR", "D": "3926.90", "F": "military", "I": "2026/02/03"},
    {"B": "フランス", "C": "15の項(1)", "H": 0, "I": datetime(2026, 1, 13)},
    {"B": "イラン", "C": "99の項"},
    {"B": "北朝鮮", "C": "非該当", "E": "朝鮮綾羅貿易会社", "G": "大量破壊兵器"},
]
CHECKS = [
    ('=COUNTRY_GROUP("米国")', lambda: functions.COUNTRY_GROUP("米国")),
    ('=COUNTRY_GROUP("イラク")', lambda: functions.COUNTRY_GROUP("イラク")),
    ('=COUNTRY_GROUP("Atlantis")', lambda: functions.COUNTRY_GROUP("Atlantis")),
    ('=ITEM_CLASS("7の項(1)")', lambda: functions.ITEM_CLASS("7の項(1)")),
    ('=ITEM_CLASS("非該当","8458.11")', lambda: functions.ITEM_CLASS("非該当", "8458.11")),
    ('=ITEM_CLASS("非該当","0901.11")', lambda: functions.ITEM_CLASS("非該当", "0901.11")),
    ("=RULES_VERSION()", lambda: functions.RULES_VERSION()),
    ('=SCREEN("北朝鮮","非該当")', lambda: "輸出禁止"),
    ('=COUNTIF(受注一覧!J3:J202,"許可要")', None),
]


@pytest.fixture
def lo_profile(tmp_path):
    profile = tmp_path / "lo" / "user"
    assert main(["calc", "install", "--profile", str(profile)]) == 0
    return profile


def _run_soffice(args: list[str], profile: Path, cwd: Path) -> subprocess.CompletedProcess:
    cmd = [
        SOFFICE,
        "--headless",
        "--norestore",
        "--nolockcheck",
        f"-env:UserInstallation={profile.parent.as_uri()}",
        *args,
    ]
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"soffice did not finish within {TIMEOUT}s: {err[-500:]}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _inputs(ws, r: int) -> tuple:
    vals = []
    for c in range(2, 10):  # B..I
        v = ws.cell(r, c).value
        vals.append(None if v == "" else v)
    return tuple(vals)


def test_template_computes_in_calc_like_the_engine(lo_profile, tmp_path):
    wb = openpyxl.load_workbook(TEMPLATE)
    ws = wb["受注一覧"]
    first_free = next(r for r in range(3, 203) if ws.cell(r, 2).value is None)
    for i, cells in enumerate(EXTRA):
        for col, v in cells.items():
            ws[f"{col}{first_free + i}"] = v
    check = wb.create_sheet("check")
    for r, (formula, _expected) in enumerate(CHECKS, start=1):
        check.cell(r, 1, formula)
    src = tmp_path / "in" / "orders.xlsx"
    src.parent.mkdir()
    wb.save(src)

    res = _run_soffice(["--convert-to", "xlsx", "--outdir", str(tmp_path / "out"), str(src)], lo_profile, tmp_path)
    out = tmp_path / "out" / "orders.xlsx"
    assert out.is_file(), f"soffice rc={res.returncode} stdout={res.stdout[-500:]} stderr={res.stderr[-500:]}"

    computed = openpyxl.load_workbook(out, data_only=True)["受注一覧"]
    source = openpyxl.load_workbook(src)["受注一覧"]
    lines = 0
    labels = []
    for r in range(3, 203):
        line = _inputs(source, r)
        got_label, got_reason = computed.cell(r, 10).value, computed.cell(r, 11).value
        if line[0] is None:
            assert got_label in (None, ""), f"row {r}: empty line shows {got_label!r}"
            continue
        d = screening.decide(*line)
        assert got_label == d.code.label, f"row {r} {line}: Calc {got_label!r} != engine {d.code.label!r}"
        assert got_reason == d.reason_text("ja"), f"row {r} {line}"
        labels.append(got_label)
        lines += 1
    assert lines == 12 + len(EXTRA)
    assert {"輸出禁止", "許可要", "要確認", "許可不要", "入力エラー"} <= set(labels)

    checks = openpyxl.load_workbook(out, data_only=True)["check"]
    for r, (formula, expected) in enumerate(CHECKS, start=1):
        got = checks.cell(r, 1).value
        if expected is None:
            assert got == labels.count("許可要"), formula
        else:
            assert got == expected(), formula

    # the formulas survive the round trip (saved with their cached values)
    formulas = openpyxl.load_workbook(out)["受注一覧"]
    assert formulas["J3"].value.replace(" ", "").upper() == '=IF(B3="","",SCREEN(B3,C3,D3,E3,F3,G3,H3,I3))'
    assert "SCREEN_REASON(" in formulas["K202"].value.upper()


def test_today_is_the_as_of_date_for_lines_without_ship_date():
    """The comparison above relies on Calc and the engine sharing the as-of date (today) for undated lines."""
    assert screening.decide("中国", "非該当").as_of == date.today()
