"""End to end in LibreOffice Calc: ``exportscreen calc install`` into a private profile, headless soffice opens
the order template (=SCREEN / =SCREEN_REASON over lines spanning the decision table), computes the formulas
and saves as xlsx; every computed cell equals the engine's answer for the same inputs.

Driver: ``soffice --headless --convert-to xlsx``. The template has no cached values (openpyxl writes none), so
Calc computes every formula on load, which runs the Basic functions and through them our Python.
Skipped without soffice unless CI=true. Time-limited; the soffice process group is killed on teardown.

LibreOffice is started as a clerk starts it: from a shell without a virtual environment (the template test), and
from one with a virtual environment activated (VIRTUAL_ENV, its bin first on PATH, PYTHONPATH at its
site-packages), where every function cell says so in one line and LibreOffice keeps running; with only
PYTHONPATH/VIRTUAL_ENV pointing at another environment the functions compute as usual.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from pdfcheck import clean_env, run_soffice

from exportscreen import calc, functions, screening
from exportscreen.cli import main

REPO = Path(__file__).resolve().parents[2]
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
    # an argument left out between two others must be "" in Calc: Calc passes an empty argument as 0
    (
        '=SCREEN_TECH("中国","非該当","華東電子","非居住者","","","8532.24","","","","民生","CT01",TRUE)',
        lambda: "事前報告要",
    ),
    (
        '=SCREEN_TECH_REASON("中国","非該当","華東電子","非居住者","","","8532.24","","","","民生","MLCC","合弁")',
        lambda: functions.SCREEN_TECH_REASON(
            "中国", "非該当", "華東電子", "非居住者", None, None, "8532.24", None, None, None, "民生", "MLCC", "合弁"
        ),
    ),
    ('=SCREEN_TECH("JP","7の項(1)","","居住者","なし")', lambda: "許可不要"),
    ('=COUNTIF(受注一覧!J3:J202,"許可要")', None),
]


@pytest.fixture
def lo_profile(tmp_path):
    profile = tmp_path / "lo" / "user"
    assert main(["calc", "install", "--profile", str(profile)]) == 0
    return profile


def _run_soffice(
    args: list[str], profile: Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """soffice with the profile's user folder ``profile`` (its parent is the user installation)."""
    return run_soffice(args, profile.parent, cwd, env, timeout=TIMEOUT)


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


# ------------------------------------------------------------------------------------------ environments

FORMULAS = [
    "=RULES_VERSION()",
    '=SCREEN("米国";"7の項(1)")',
    '=SCREEN_REASON("中国";"非該当";"8458.11";"Foo Co";"軍事";"";6800000;"R7.12.9")',
    '=COUNTRY_GROUP("韓国";"令和元年8月28日")',
    '=ITEM_CLASS("非該当";"8458.11")',
    '=EUL_MATCH("Foo Co")',
]


def _compute(formulas: list[str], profile: Path, tmp_path: Path, env: dict[str, str]) -> list:
    """The values Calc computes for ``formulas`` (A1, A2 …) in LibreOffice started with ``env``."""
    src = tmp_path / "in" / "f.xlsx"
    src.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    for r, f in enumerate(formulas, start=1):
        wb.active.cell(r, 1, f.replace(";", ","))
    wb.save(src)
    res = _run_soffice(["--convert-to", "xlsx", "--outdir", str(tmp_path / "out"), str(src)], profile, tmp_path, env)
    out = tmp_path / "out" / "f.xlsx"
    assert out.is_file(), f"soffice rc={res.returncode} stdout={res.stdout[-500:]} stderr={res.stderr[-500:]}"
    assert "Fatal" not in res.stderr and "terminate called" not in res.stderr, res.stderr[-500:]
    ws = openpyxl.load_workbook(out, data_only=True).active
    return [ws.cell(r, 1).value for r in range(1, len(formulas) + 1)]


def _expected() -> list:
    return [
        functions.RULES_VERSION(),
        functions.SCREEN("米国", "7の項(1)"),
        functions.SCREEN_REASON("中国", "非該当", "8458.11", "Foo Co", "軍事", None, 6800000, date(2025, 12, 9)),
        functions.COUNTRY_GROUP("韓国", date(2019, 8, 28)),
        functions.ITEM_CLASS("非該当", "8458.11"),
        functions.EUL_MATCH("Foo Co"),
    ]


def _office() -> calc.OfficePython:
    check = calc.check_office_python()
    return check.office()


def test_started_from_an_activated_venv_every_cell_says_so_in_one_line(tmp_path):
    """LibreOffice's Python cannot start inside an activated venv (it takes the venv for its home and loses uno);
    the cells say which venv, in one line, instead of an internal UNO error — and LibreOffice keeps running."""
    root = tmp_path / "lo"
    assert main(["calc", "install", "--profile", str(root)]) == 0  # the profile root, not its user folder
    env_dir = tmp_path / "clerk-venv"
    venv.create(env_dir, with_pip=False, symlinks=True)
    site = next(env_dir.glob("lib/python3*/site-packages"))
    env = clean_env()
    env.update(
        VIRTUAL_ENV=str(env_dir), PATH=f"{env_dir}/bin:{env['PATH']}", PYTHONPATH=str(site), VIRTUAL_ENV_PROMPT="x"
    )
    expected = calc.environment_problem(env, _office())
    assert expected == calc.MSG_VENV.format(env_dir)
    got = _compute(FORMULAS, root / "user", tmp_path, env)
    assert got == [expected] * len(FORMULAS)


def test_another_environment_on_pythonpath_changes_nothing(tmp_path):
    """VIRTUAL_ENV and PYTHONPATH naming another environment (whose modules raise when imported, one named like
    the standard library's csv): the functions compute from the installed paths, as the engine does."""
    root = tmp_path / "lo"
    assert main(["calc", "install", "--profile", str(root)]) == 0
    poison = tmp_path / "other" / "lib" / "python3.99" / "site-packages"
    for name in ("exportscreen", "yaml", "rapidfuzz", "pycountry", "platformdirs"):
        (poison / name).mkdir(parents=True)
        (poison / name / "__init__.py").write_text(f"raise ImportError('{name} of another environment')\n")
    (poison / "csv.py").write_text("raise ImportError('csv of another environment')\n")
    env = clean_env()
    env.update(VIRTUAL_ENV=str(tmp_path / "other"), PYTHONPATH=str(poison))
    assert calc.environment_problem(env, _office()) is None
    assert _compute(FORMULAS, root / "user", tmp_path, env) == _expected()


def test_a_missing_script_or_package_is_one_line_in_the_cell(lo_profile, tmp_path):
    script = lo_profile / "Scripts" / "python" / "exportscreen_calc.py"
    script.write_text(calc.bridge_script(["/nonexistent"], sys.executable))  # the package moved away
    got = _compute(["=RULES_VERSION()", '=SCREEN("米国";"7の項(1)")'], lo_profile, tmp_path / "a", clean_env())
    assert (
        got
        == [
            "システムエラー: exportscreen を読み込めません（モジュール exportscreen がありません）。"
            "exportscreen calc install をやり直してください"
        ]
        * 2
    )
    script.unlink()
    got = _compute(["=RULES_VERSION()"], lo_profile, tmp_path / "b", clean_env())
    assert got == [calc.MSG_NO_SCRIPT]


def _import_master(tmp_path: Path, text: str) -> None:
    """A 品番マスタ (csv ``text``) imported into the test's private EXPORTSCREEN_HOME, in force from 2026-02-01."""
    from exportscreen import products, state

    master = tmp_path / "master.csv"
    master.write_text(text, encoding="utf-8")
    products.import_master(master, effective="2026-02-01")
    state.reset_rules()


def test_part_functions_read_the_product_master_in_calc(lo_profile, tmp_path):
    """SCREEN_PART and PART_CLASS computed by LibreOffice read the 品番マスタ of the store the clerk's
    EXPORTSCREEN_HOME names, as the same functions do in this process."""
    _import_master(
        tmp_path,
        "品番,品名,該非,HSコード,判定日\nNC-5000A,NC旋盤,2の項(12),8458.11,2026-01-15\nSC-M6,ねじ,非該当,7318.15,2026-01-15\n",
    )
    formulas = [
        '=SCREEN_PART("中国";"NC-5000A";"華東精密";"民生";"なし";6800000;"2026-04-01")',
        '=SCREEN_PART("米国";"SC-M6";"";"民生";"なし";"";"2026-04-01")',
        '=SCREEN_PART("米国";"XX-404")',
        '=SCREEN_PART("北朝鮮";"SC-M6")',
        '=PART_CLASS("ｎｃ－５０００ａ")',
        '=PART_CLASS("XX-404")',
    ]
    expected = [
        functions.SCREEN_PART("中国", "NC-5000A", "華東精密", "民生", "なし", 6800000, "2026-04-01"),
        functions.SCREEN_PART("米国", "SC-M6", None, "民生", "なし", None, "2026-04-01"),
        functions.SCREEN_PART("米国", "XX-404"),
        functions.SCREEN_PART("北朝鮮", "SC-M6"),
        functions.PART_CLASS("ｎｃ－５０００ａ"),
        functions.PART_CLASS("XX-404"),
    ]
    assert expected[:4] == ["許可要", "許可不要", "要確認", "輸出禁止"] and expected[4] == "2の項(12) / HS 8458.11"
    assert _compute(formulas, lo_profile, tmp_path, clean_env()) == expected


def test_screen_tech_reads_the_products_technology_classification_in_calc(lo_profile, tmp_path):
    """SCREEN_TECH's last argument, a 品番, computed by LibreOffice: the 技術該非 of the 品番マスタ the store holds
    gives the code (a blank one, or an unknown 品番, is 要確認), as the same function does in this process."""
    _import_master(
        tmp_path,
        "品番,品名,該非,技術該非,HSコード,判定日\nNC-5000A,NC旋盤,2の項(12),2の項(1),8458.11,2026-01-15\n"
        "SC-M6,ねじ,非該当,,7318.15,2026-01-15\n",
    )
    lines = [("中国", "NC-5000A"), ("米国", "SC-M6"), ("米国", "XX-404"), ("北朝鮮", "XX-404")]
    formulas, expected = [], []
    for country, part in lines:
        args = f'"{country}";"";"ABC";"非居住者";"";"";"";"";"";"";"民生";"なし";"";"";"2026-04-01";"{part}"'
        formulas += [f"=SCREEN_TECH({args})", f"=SCREEN_TECH_REASON({args})"]
        kw = dict(recipient="ABC", residency="非居住者", end_use="民生", critical_tech="なし")
        kw |= dict(provision_date="2026-04-01", part_no=part)
        expected += [functions.SCREEN_TECH(country, **kw), functions.SCREEN_TECH_REASON(country, **kw)]
    assert expected[::2] == ["許可要", "要確認", "要確認", "輸出禁止"]
    assert "2の項(1)" in expected[1] and "技術該非未判定" in expected[3]
    assert _compute(formulas, lo_profile, tmp_path, clean_env()) == expected


def test_screen_tech_is_licensed_by_a_technology_licence_in_calc(lo_profile, tmp_path):
    """SCREEN_TECH / SCREEN_TECH_REASON computed by LibreOffice read the licence register of the store: a technology
    line a technology licence (対象 技術) covers is 許可取得済 naming it, one it does not stays 許可要 saying why — as
    the same functions in this process."""
    import csv

    from exportscreen import state
    from exportscreen.licences import HEADERS

    lic = {"no": "T-1", "kind": "個別", "target": "技術", "granted": "2026-01-10", "expires": "2026-12-31"}
    lic |= {"countries": "中国", "parties": "華東精密", "items": "2の項(1)"}
    path = tmp_path / "reg.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS.values())
        w.writerow([lic.get(k, "") for k in HEADERS])
    assert main(["licences", "import", str(path), "--effective", "2026-01-01"]) == 0
    state.reset_rules()
    formulas, expected = [], []
    for recipient in ("華東精密", "XYZ"):
        args = f'"中国";"2の項(1)";"{recipient}";"非居住者";"";"";"";"";"";"";"民生";"なし";"";"";"2026-04-01"'
        formulas += [f"=SCREEN_TECH({args})", f"=SCREEN_TECH_REASON({args})"]
        kw = dict(recipient=recipient, residency="非居住者", end_use="民生", critical_tech="なし")
        kw |= dict(provision_date="2026-04-01")
        expected += [
            functions.SCREEN_TECH("中国", "2の項(1)", **kw),
            functions.SCREEN_TECH_REASON("中国", "2の項(1)", **kw),
        ]
    assert expected[::2] == ["許可取得済", "許可要"]
    assert (
        expected[1].startswith("個別許可 T-1（役務取引")
        and "提供先が許可の提供先（華東精密）と異なります" in expected[3]
    )
    assert _compute(formulas, lo_profile, tmp_path, clean_env()) == expected
