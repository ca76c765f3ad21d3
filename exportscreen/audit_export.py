"""Filled audit workbooks (取引審査票) from the audit log, and their PDF through headless LibreOffice.

The layout constants here are shared with ``tools/make_audit_template.py``, which generates
``workbook_templates/audit_template.xlsx`` (sheets サマリー, 明細 and the form 取引審査票). :func:`export`
loads that template, fills サマリー and 明細, copies the form once per order line that is not 許可不要
(``審査票_R<row>``) and drops the blank form.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from exportscreen import files
from exportscreen.errors import UserError
from exportscreen.ids import InvalidInput
from exportscreen.ids.values import parse_value
from exportscreen.model import Code
from exportscreen.render import recorded_hits_text, recorded_reason_text
from exportscreen.xlsxpatch import col_letter

SUMMARY_SHEET = "サマリー"
DETAIL_SHEET = "明細"
FORM_SHEET = "取引審査票"
TEMPLATE_NAME = "audit_template.xlsx"

# -- the form 取引審査票 -----------------------------------------------------------------------------------
# per-line table: (key, header, column width)
FORM_COLUMNS = [
    ("order_no", "受注番号", 13),
    ("country", "仕向地", 14),
    ("group", "仕向地グループ", 11),
    ("item", "品目", 20),
    ("item_class", "品目区分", 12),
    ("hs", "HS", 10),
    ("end_user", "需要者", 18),
    ("list_result", "リスト結果", 22),
    ("end_use", "用途", 18),
    ("inform", "インフォーム", 11),
    ("value", "金額（円）", 13),
    ("decision", "判定", 10),
    ("reasons", "理由・法令根拠", 55),
]
FORM_TITLE_ROW = 1
FORM_HEADER_FIRST_ROW = 3
# three label/value blocks side by side: (label column, value columns merged)
FORM_HEADER_BLOCKS = [
    (
        "A",
        ("B", "D"),
        [
            ("company", "会社名"),
            ("reviewer", "審査者"),
            ("review_date", "審査日"),
            ("rules_version", "規則バージョン"),
            ("eul_version", "外国ユーザーリスト版"),
        ],
    ),
    (
        "F",
        ("G", "H"),
        [
            ("run_id", "実行ID"),
            ("seq", "記録番号 (seq)"),
            ("recorded", "記録日時"),
            ("as_of", "基準日"),
            ("recorded_by", "記録者"),
        ],
    ),
    (
        "J",
        ("K", "M"),
        [
            ("file", "ファイル"),
            ("sheet_row", "シート / 行"),
            ("file_sha256", "ファイル SHA-256"),
            ("hash", "記録ハッシュ"),
            ("verify", "監査ログ検証"),
        ],
    ),
]
FORM_TABLE_HEADER_ROW = 9
FORM_TABLE_ROW = 10
FORM_CHECK_TITLE_ROW = 12
FORM_CHECK_HEAD_ROW = 13
FORM_CHECKS = [  # (key, text)
    (
        "use",
        "用途チェック：大量破壊兵器等・通常兵器の開発等に用いられるおそれがないか（用途の確認、インフォームの有無）",
    ),
    ("user", "需要者チェック：外国ユーザーリスト掲載の有無、需要者・取引に関する懸念情報の有無"),
    ("clear", "明らかガイドライン確認：「明らかガイドライン」により用途・需要者に懸念がないことが明らかか"),
]
FORM_CHECK_FIRST_ROW = 14
FORM_SIGN_HEAD_ROW = 18
FORM_SIGN_ROW = 19
FORM_SIGN_BLOCKS = [("担当者", "A", "D"), ("輸出管理責任者", "E", "I"), ("日付", "J", "M")]
FORM_NOTE_ROW = 21
FORM_NOTE = (
    "本審査票は exportscreen の監査ログ（ハッシュチェーン）から作成しました。判定は規則データによる機械判定です。"
    "チェックリストを確認のうえ、担当者・輸出管理責任者が署名してください。"
)
BOX = "☐"


def form_cells() -> dict[str, str]:
    """key -> cell address of every value the exporter fills on a form sheet."""
    cells = {}
    for _label_col, (vfrom, _vto), items in FORM_HEADER_BLOCKS:
        for i, (key, _label) in enumerate(items):
            cells[key] = f"{vfrom}{FORM_HEADER_FIRST_ROW + i}"
    for i, (key, _h, _w) in enumerate(FORM_COLUMNS):
        cells[f"line.{key}"] = f"{col_letter(i)}{FORM_TABLE_ROW}"
    for i, (key, _t) in enumerate(FORM_CHECKS):
        cells[f"check.{key}"] = f"I{FORM_CHECK_FIRST_ROW + i}"
    return cells


# -- 明細 ---------------------------------------------------------------------------------------------------
DETAIL_COLUMNS = [
    ("order_no", "受注番号", 13),
    ("country", "仕向地", 14),
    ("group", "仕向地グループ", 11),
    ("item", "品目", 20),
    ("item_class", "品目区分", 12),
    ("hs", "HS", 10),
    ("end_user", "需要者", 18),
    ("list_result", "リスト結果", 20),
    ("end_use", "用途", 16),
    ("inform", "インフォーム", 10),
    ("value", "金額（円）", 13),
    ("decision", "判定", 10),
    ("run_id", "実行ID", 7),
    ("row", "行", 6),
    ("seq", "seq", 8),
    ("recorded", "記録日時", 18),
    ("user", "記録者", 10),
    ("rules_version", "規則版", 10),
    ("eul_version", "ユーザーリスト版", 12),
    ("as_of", "基準日", 11),
    ("reasons", "理由・法令根拠", 55),
]

# -- サマリー -------------------------------------------------------------------------------------------------
SUMMARY_INFO_FIRST_ROW = 3
SUMMARY_INFO = [
    ("company", "会社名"),
    ("scope", "対象"),
    ("generated", "作成日時"),
    ("generated_by", "作成者"),
    ("lines", "審査件数"),
    ("rules_versions", "規則バージョン"),
    ("eul_versions", "外国ユーザーリスト版"),
    ("verify", "監査ログ検証"),
    ("head", "チェーン先頭 (seq / hash)"),
]
SUMMARY_COUNTS_HEAD_ROW = 14
SUMMARY_CODES = [Code.PROHIBITED, Code.LICENSE_REQUIRED, Code.REVIEW, Code.NO_LICENSE, Code.INVALID]
SUMMARY_RUNS_HEAD_ROW = 32
SUMMARY_RUN_COLUMNS = [
    ("id", "実行ID", 8),
    ("started", "開始", 19),
    ("finished", "終了", 19),
    ("kind", "種別", 8),
    ("user", "利用者", 12),
    ("host", "ホスト", 14),
    ("file", "ファイル", 28),
    ("sheet", "シート", 12),
    ("file_sha256", "ファイル SHA-256", 30),
    ("n_records", "件数", 8),
    ("status", "状態", 8),
]


def apply_page_setup(ws, title_rows: str | None = None) -> None:
    """A4 landscape, one page wide, print titles, gridlines off (the cells have borders)."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if title_rows:
        ws.print_title_rows = title_rows


# ----------------------------------------------------------------------------------------------------------
# values for one recorded line

ORDER_NO_KEYS = ("order_no", "order", "order_id", "受注番号", "po", "po_no")


def line_values(rec: dict) -> dict:
    inp = rec.get("inputs") or {}
    country, item = rec.get("country") or {}, rec.get("item") or {}
    order_no = next((inp[k] for k in ORDER_NO_KEYS if inp.get(k) not in (None, "")), None)
    if order_no is None:
        order_no = f"R{rec['row']}" if rec.get("row") is not None else f"#{rec['seq']}"
    if country:
        cname = (
            f"{country.get('name_ja') or ''}（{country.get('iso2')}）"
            if country.get("name_ja")
            else country.get("iso2")
        )
    else:
        cname = _s(inp.get("country"))
    if item:
        iname = " ".join(x for x in (_s(item.get("code")), _s(item.get("name_ja"))) if x)
    else:
        iname = _s(inp.get("item"))
    reasons = rec.get("reasons") or []
    eul = [r for r in reasons if r.get("topic") == "user"]
    if eul:
        # the reasons, then each hit as the one renderer writes it (entry, country, concerns, matched name, score and
        # the features that fired, from the structured hit kept in the audit record)
        hits = recorded_hits_text(eul)
        list_result = "\n".join([r.get("text", "") for r in eul] + ([hits] if hits else []))
    elif rec.get("eul_version"):
        list_result = f"指摘なし（リスト {rec['eul_version']} 版）"
    else:
        list_result = "—"
    value = inp.get("value_jpy")
    try:
        value = parse_value(value)  # the engine's own reading of the amount (¥, 円, commas, full-width)
    except InvalidInput:
        pass  # shown as the clerk typed it
    return {
        "order_no": _s(order_no),
        "country": cname,
        "group": "、".join(country.get("groups") or []) if country else "",
        "item": iname,
        "item_class": _s(item.get("class")) if item else "",
        "hs": _s(inp.get("hs") or (item.get("hs") if item else "")),
        "end_user": _s(inp.get("end_user")),
        "list_result": list_result,
        "end_use": _s(inp.get("end_use")),
        "inform": _s(inp.get("inform")),
        "value": value,
        "decision": rec.get("label") or "",
        "reasons": recorded_reason_text(rec),
        "run_id": rec.get("run_id"),
        "row": rec.get("row"),
        "seq": rec.get("seq"),
        "recorded": _local(rec.get("ts")),
        "user": rec.get("user"),
        "rules_version": rec.get("rules_version"),
        "eul_version": rec.get("eul_version") or "",
        "as_of": rec.get("as_of"),
    }


def _s(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _local(ts: str | None) -> str:
    if not ts:
        return ""
    try:
        return datetime.fromisoformat(ts).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return ts


def _checks(rec: dict, v: dict) -> dict[str, str]:
    """Automated findings next to each checklist box (the boxes stay for the human reviewer)."""
    reasons = rec.get("reasons") or []
    use = [r["text"] for r in reasons if r.get("topic") in ("use", "inform")]
    user = [r["text"] for r in reasons if r.get("topic") == "user"]
    use_note = "；".join(use) if use else (f"用途：{v['end_use'] or '未入力'}、インフォーム：{v['inform'] or '未入力'}")
    user_note = "；".join(user) if user else f"需要者：{v['end_user'] or '未入力'}／{v['list_result']}"
    clear_note = f"機械判定：{v['decision']}。懸念がないことが明らかか、担当者が確認してください。"
    return {"use": use_note, "user": user_note, "clear": clear_note}


# ----------------------------------------------------------------------------------------------------------


@dataclass
class ExportResult:
    xlsx: Path
    pdf: Path | None
    pdf_message: str
    lines: int
    forms: int
    counts: dict
    problems: list


def template_path() -> Path:
    from exportscreen.state import data_dir

    return data_dir("workbook_templates") / TEMPLATE_NAME


def export(
    log,
    out: str | os.PathLike,
    *,
    run_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    pdf: bool = False,
    company: str = "",
    reviewer: str | None = None,
    template: str | os.PathLike | None = None,
) -> ExportResult:
    from openpyxl import load_workbook

    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise UserError(f"--out must be an .xlsx file: {out}")
    if run_id is not None:
        info = log.run_info(run_id)
        if info is None:
            raise UserError(f"no run {run_id} in the audit log (see `exportscreen audit list`)")
        runs = [info]
        recs = log.records(run_id=run_id)
        scope = f"実行ID {run_id}"
    else:
        recs = log.records(date_from=date_from, date_to=date_to)
        ids = {r["run_id"] for r in recs}
        runs = sorted((r for r in log.runs() if r["id"] in ids), key=lambda r: r["id"])
        scope = f"期間 {date_from or '…'} 〜 {date_to or '…'}"
    problems = log.verify()
    head_seq, head_hash = log.head()
    verify_text = "OK（改ざんなし）" if not problems else f"NG：{len(problems)} 件の問題 — " + "；".join(problems[:5])
    generated_by = log.user

    tpl = Path(template) if template else template_path()
    try:
        wb = load_workbook(tpl)
    except FileNotFoundError:
        raise UserError(f"audit template not found: {tpl}") from None
    counts = Counter(r["decision"] for r in recs)
    values = [line_values(r) for r in recs]

    # サマリー
    ws = wb[SUMMARY_SHEET]
    info = {
        "company": company,
        "scope": scope,
        "generated": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z"),
        "generated_by": generated_by,
        "lines": len(recs),
        "rules_versions": "、".join(sorted({str(r["rules_version"]) for r in recs if r["rules_version"]})) or "—",
        "eul_versions": "、".join(sorted({str(r["eul_version"]) for r in recs if r["eul_version"]})) or "—",
        "verify": verify_text,
        "head": f"{head_seq} / {head_hash}",
    }
    for i, (key, _label) in enumerate(SUMMARY_INFO):
        ws.cell(SUMMARY_INFO_FIRST_ROW + i, 2, info[key])
    for i, code in enumerate(SUMMARY_CODES):
        ws.cell(SUMMARY_COUNTS_HEAD_ROW + 1 + i, 2, counts.get(code.value, 0))
    ws.cell(SUMMARY_COUNTS_HEAD_ROW + 1 + len(SUMMARY_CODES), 2, len(recs))
    _bar_chart(ws, max(counts.values(), default=0))
    _fill_runs(ws, runs)

    # 明細
    wd = wb[DETAIL_SHEET]
    _fill_detail(wd, values)

    # 取引審査票, one per line that is not 許可不要
    form = wb[FORM_SHEET]
    cells = form_cells()
    used: set[str] = set(wb.sheetnames)
    forms = 0
    for rec, v in zip(recs, values):
        if rec["decision"] == Code.NO_LICENSE.value:
            continue
        ws = wb.copy_worksheet(form)
        ws.title = _sheet_name(rec, used)
        apply_page_setup(ws, f"{FORM_TABLE_HEADER_ROW}:{FORM_TABLE_HEADER_ROW}")
        header = {
            "company": company,
            "reviewer": reviewer if reviewer is not None else rec["user"],
            "review_date": _local(rec["ts"])[:10],
            "rules_version": rec["rules_version"],
            "eul_version": rec["eul_version"] or "—",
            "run_id": rec["run_id"],
            "seq": rec["seq"],
            "recorded": _local(rec["ts"]),
            "as_of": rec["as_of"],
            "recorded_by": f"{rec['user']}@{rec['host']}",
            "file": rec["file"] or "—",
            "sheet_row": " / ".join(_s(x) for x in (rec["sheet"], rec["row"]) if x not in (None, "")) or "—",
            "file_sha256": rec["file_sha256"] or "—",
            "hash": rec["hash"],
            "verify": "OK" if not problems else "NG（サマリー参照）",
        }
        for key, val in header.items():
            ws[cells[key]] = val
        for key, _h, _w in FORM_COLUMNS:
            ws[cells[f"line.{key}"]] = v[key]
        for key, note in _checks(rec, v).items():
            ws[cells[f"check.{key}"]] = note
        forms += 1
    wb.remove(form)
    wb.active = 0

    out.parent.mkdir(parents=True, exist_ok=True)
    files.atomic_write(out, wb.save)  # a new file gets ordinary (umask) permissions for the auditors

    pdf_path, msg = (None, "")
    if pdf:
        pdf_path, msg = to_pdf(out)
    return ExportResult(out, pdf_path, msg, len(recs), forms, dict(counts), problems)


def _sheet_name(rec: dict, used: set[str]) -> str:
    base = f"審査票_R{rec['row']}" if rec.get("row") is not None else f"審査票_{rec['seq']}"
    name = base[:31]
    if name in used:
        name = f"{base}_{rec['seq']}"[:31]
    n = 2
    while name in used:
        name = f"審査票_{rec['seq']}_{n}"[:31]
        n += 1
    used.add(name)
    return name


def _bar_chart(ws, top: int) -> None:
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type = "col"
    chart.title = "判定別件数"
    chart.y_axis.title = "件数"
    chart.legend = None
    chart.y_axis.number_format = "#,##0"
    chart.y_axis.scaling.min = 0
    if top <= 10:
        chart.y_axis.majorUnit = 1
    first, last = SUMMARY_COUNTS_HEAD_ROW + 1, SUMMARY_COUNTS_HEAD_ROW + len(SUMMARY_CODES)
    data = Reference(ws, min_col=2, min_row=SUMMARY_COUNTS_HEAD_ROW, max_row=last)
    cats = Reference(ws, min_col=1, min_row=first, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    chart.height, chart.width = 7.5, 14
    ws.add_chart(chart, f"D{SUMMARY_COUNTS_HEAD_ROW}")


def _fill_runs(ws, runs: list[dict]) -> None:
    from copy import copy

    style_row = SUMMARY_RUNS_HEAD_ROW + 1
    styles = [copy(ws.cell(style_row, c + 1)._style) for c in range(len(SUMMARY_RUN_COLUMNS))]
    for i, r in enumerate(runs):
        for c, (key, _h, _w) in enumerate(SUMMARY_RUN_COLUMNS):
            val = r.get(key)
            if key in ("started", "finished"):
                val = _local(val)
            cell = ws.cell(style_row + i, c + 1, val)
            cell._style = copy(styles[c])


def _fill_detail(ws, values: list[dict]) -> None:
    from copy import copy

    styles = [copy(ws.cell(2, c + 1)._style) for c in range(len(DETAIL_COLUMNS))]
    keys = [k for k, _h, _w in DETAIL_COLUMNS]
    for i, v in enumerate(values):
        r = 2 + i
        for c, key in enumerate(keys):
            cell = ws.cell(r, c + 1, v[key])
            cell._style = styles[c]
    last = max(2, len(values) + 1)
    ws.auto_filter.ref = f"A1:{col_letter(len(keys) - 1)}{last}"


# ----------------------------------------------------------------------------------------------------------
# PDF through headless LibreOffice


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        p = shutil.which(name)
        if p:
            return p
    for p in (
        "/usr/lib/libreoffice/program/soffice",
        "/opt/libreoffice/program/soffice",
        "/Applications/LibreOffice.app/Contents/MacOS/soffice",
        r"C:\Program Files\LibreOffice\program\soffice.exe",
    ):
        if os.path.exists(p):
            return p
    return None


def to_pdf(xlsx: str | os.PathLike, timeout: int = 300) -> tuple[Path | None, str]:
    """Convert with ``soffice --headless --convert-to pdf`` using a private profile. Returns (pdf, message)."""
    xlsx = Path(xlsx)
    soffice = find_soffice()
    if soffice is None:
        return None, (
            "LibreOffice (soffice) is not installed, so no PDF was written; install it "
            "(e.g. apt-get install libreoffice-calc) or print the workbook from Excel"
        )
    profile = Path(tempfile.mkdtemp(prefix="exs-lo-profile-"))
    outdir = Path(tempfile.mkdtemp(prefix="exs-lo-out-"))
    try:
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(xlsx.resolve()),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, f"LibreOffice did not finish within {timeout} s"
        produced = outdir / (xlsx.stem + ".pdf")
        if not produced.exists():
            detail = (proc.stderr or proc.stdout or "").strip().splitlines()
            return None, f"LibreOffice did not produce a PDF (exit {proc.returncode}): {detail[-1] if detail else ''}"
        target = xlsx.with_suffix(".pdf")
        with produced.open("rb") as pdf:
            files.atomic_write(target, lambda fh: shutil.copyfileobj(pdf, fh))
        return target, ""
    finally:
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(outdir, ignore_errors=True)
