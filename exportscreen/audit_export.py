"""Filled audit workbooks (取引審査票) from the audit log, and their PDF through headless LibreOffice.

The layout constants here are shared with ``tools/make_audit_template.py``, which generates
``workbook_templates/audit_template.xlsx`` (sheets サマリー, 明細, 技術情報 and the form 取引審査票). :func:`export`
loads that template, fills サマリー, 明細 (what a reviewer reads, on A4 landscape: time, row, order number, goods,
destination, buyer, decision, main reason) and 技術情報 (everything else a record holds: hashes, versions, seq, the
identifying columns as found), copies the form once per order line that is not 許可不要 (``審査票_<注文番号>``,
else ``審査票_R<row>``) with its 承認 block for the officer, and drops the blank form. Rows grow with their text:
no reason is clipped. Every cell is written by :func:`put` (text is never a formula; control characters are
spelled out).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from exportscreen import files
from exportscreen.errors import UserError
from exportscreen.ids import InvalidInput, hs_code
from exportscreen.ids.values import parse_value
from exportscreen.messages import tr
from exportscreen.model import Code
from exportscreen.render import cell_text, recorded_hits_text, recorded_reason_text
from exportscreen.xlsxpatch import col_letter

SUMMARY_SHEET = "サマリー"
DETAIL_SHEET = "明細"
FORM_SHEET = "取引審査票"
TEMPLATE_NAME = "audit_template.xlsx"

# -- the form 取引審査票 -----------------------------------------------------------------------------------
# per-line table: (key, header, column width); the reasons and the End User List result have rows of their own
FORM_COLUMNS = [
    ("order_no", "注文番号", 14),
    ("goods", "品名／品番", 18),
    ("quantity", "数量", 8),
    ("country", "仕向地", 13),
    ("group", "仕向地グループ", 16),
    ("item", "品目（該非）", 18),
    ("item_class", "品目区分", 12),
    ("hs", "HS", 9),
    ("end_user", "需要者", 18),
    ("end_use", "用途", 14),
    ("inform", "インフォーム", 10),
    ("value", "金額（円）", 13),
    ("decision", "判定", 10),
]
# a technology line's form: these cells of the per-line table show its provision facts, under their own headings
# (form column key -> (line_values key, heading)); the title says 技術の提供
FORM_TECH_COLUMNS = {
    "quantity": ("residency", "居住性"),
    "country": ("country", "提供先の国"),
    "item": ("item", "技術の項番"),
    "item_class": ("specific_type", "特定類型"),
    "end_user": ("end_user", "提供先"),
    "value": ("method", "提供方法"),
}
FORM_TECH_TITLE = "取引審査票（安全保障貿易管理・技術の提供）"
FORM_LAST_COL = "M"  # the form is as wide as the per-line table
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
# full-width blocks under the table: (key, label); label in column A, the text merged over B:M, the row grows
FORM_TEXT_FIRST_ROW = 11
FORM_TEXTS = [("reasons", "理由・法令根拠"), ("list_result", "外国ユーザーリスト照合")]
FORM_CHECK_TITLE_ROW = 14
FORM_CHECK_HEAD_ROW = 15
FORM_CHECKS = [  # (key, text)
    (
        "use",
        "用途チェック：大量破壊兵器等・通常兵器の開発等に用いられるおそれがないか（用途の確認、インフォームの有無）",
    ),
    ("user", "需要者チェック：外国ユーザーリスト掲載の有無、需要者・取引に関する懸念情報の有無"),
    ("clear", "明らかガイドライン確認：「明らかガイドライン」により用途・需要者に懸念がないことが明らかか"),
]
FORM_CHECK_FIRST_ROW = 16
FORM_CHECK_NOTE_COLS = ("I", "M")
# 承認: what the export control officer fills in. (key, label, label column, value columns merged)
FORM_APPROVAL_TITLE_ROW = 20
FORM_APPROVAL_ROW = 21
FORM_APPROVAL = [
    ("decision", "出荷可否", "A", ("B", "C")),
    ("approver", "承認者", "D", ("E", "H")),
    ("date", "承認日", "I", ("J", "M")),
]
FORM_APPROVAL_NOTE_ROW = 22  # 備考: label in A, B:M merged
APPROVAL_CHOICES = ("可", "否", "条件付")
FORM_SIGN_HEAD_ROW = 24
FORM_SIGN_ROW = 25
FORM_SIGN_BLOCKS = [("担当者", "A", "D"), ("輸出管理責任者", "E", "I"), ("日付", "J", "M")]
FORM_NOTE_ROW = 27
FORM_NOTE = (
    "本審査票は exportscreen の監査ログ（ハッシュチェーン）から作成しました。判定は規則データによる機械判定です。"
    "チェックリストを確認のうえ、承認欄に記入し、担当者・輸出管理責任者が署名してください。"
)
BOX = "☐"
FONT = "Yu Gothic"


def form_cells() -> dict[str, str]:
    """key -> cell address of every value the exporter fills (and the officer fills in) on a form sheet."""
    cells = {}
    for _label_col, (vfrom, _vto), items in FORM_HEADER_BLOCKS:
        for i, (key, _label) in enumerate(items):
            cells[key] = f"{vfrom}{FORM_HEADER_FIRST_ROW + i}"
    for i, (key, _h, _w) in enumerate(FORM_COLUMNS):
        cells[f"line.{key}"] = f"{col_letter(i)}{FORM_TABLE_ROW}"
    for i, (key, _label) in enumerate(FORM_TEXTS):
        cells[f"line.{key}"] = f"B{FORM_TEXT_FIRST_ROW + i}"
    for i, (key, _t) in enumerate(FORM_CHECKS):
        cells[f"check.{key}"] = f"{FORM_CHECK_NOTE_COLS[0]}{FORM_CHECK_FIRST_ROW + i}"
    for key, _label, _lc, (vfrom, _vto) in FORM_APPROVAL:
        cells[f"approval.{key}"] = f"{vfrom}{FORM_APPROVAL_ROW}"
    cells["approval.note"] = f"B{FORM_APPROVAL_NOTE_ROW}"
    cells["sign.staff"] = f"{FORM_SIGN_BLOCKS[0][1]}{FORM_SIGN_ROW}"
    return cells


def add_approval_choices(ws) -> None:
    """The 出荷可否 cell offers 可 / 否 / 条件付 (a list; copies of a sheet do not keep their validations)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(APPROVAL_CHOICES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="出荷可否",
        error="可・否・条件付 のいずれかを選んでください",
        promptTitle="出荷可否",
        prompt="可 / 否 / 条件付",
        showInputMessage=True,
    )
    ws.add_data_validation(dv)
    dv.add(form_cells()["approval.decision"])


# -- 明細: what a reviewer reads, printed on A4 landscape -------------------------------------------------------
DETAIL_COLUMNS = [
    ("recorded", "日時", 17),
    ("row", "行", 6),
    ("order_no", "注文番号", 15),
    ("goods", "品名／品番", 24),
    ("country", "仕向地", 15),
    ("end_user", "需要者", 22),
    ("decision", "判定", 10),
    ("main_reason", "主な理由", 62),
]

# -- 技術情報: everything else a record holds (not meant for reading on paper) -------------------------------------
TECH_SHEET = "技術情報"
TECH_COLUMNS = [
    ("seq", "記録番号 (seq)", 10),
    ("run_id", "実行ID", 8),
    ("row", "行", 6),
    ("order_no", "注文番号", 15),
    ("refs", "識別列（受注表の見出しと値）", 30),
    ("item", "品目（該非）", 20),
    ("item_class", "品目区分", 14),
    ("hs", "HS", 10),
    ("quantity", "数量", 8),
    ("value", "金額（円）", 13),
    ("group", "仕向地グループ", 18),
    ("end_use", "用途", 14),
    ("inform", "インフォーム", 10),
    ("decision_code", "判定コード", 16),
    ("reviewer", "審査者", 12),
    ("user", "記録者（ログイン）", 12),
    ("host", "ホスト", 12),
    ("ts", "記録時刻（UTC）", 30),
    ("file", "ファイル", 24),
    ("sheet", "シート", 10),
    ("file_sha256", "ファイル SHA-256", 30),
    ("rules_version", "規則バージョン", 18),
    ("eul_version", "外国ユーザーリスト版", 12),
    ("as_of", "基準日", 11),
    ("reasons", "理由・法令根拠（全文）", 60),
    ("prev_hash", "前の記録のハッシュ", 30),
    ("hash", "記録ハッシュ", 30),
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
SUMMARY_CODES = [
    Code.PROHIBITED,
    Code.LICENSE_REQUIRED,
    Code.REPORT_REQUIRED,
    Code.REVIEW,
    Code.LICENSED,
    Code.NO_LICENSE,
    Code.INVALID,
]
SUMMARY_RUNS_HEAD_ROW = 32
SUMMARY_RUN_COLUMNS = [
    ("id", "実行ID", 8),
    ("started", "開始", 19),
    ("finished", "終了", 19),
    ("kind", "種別", 8),
    ("reviewer", "審査者", 12),
    ("user", "記録者（ログイン）", 12),
    ("host", "ホスト", 14),
    ("file", "ファイル", 28),
    ("sheet", "シート", 12),
    ("file_sha256", "ファイル SHA-256", 30),
    ("n_records", "件数", 8),
    ("status", "状態", 8),
]
RUN_KINDS = {
    "screen": "受注表の判定",
    "check": "1件の判定",
    "udf": "Excel 関数",
    "api": "Python API",
    "eul_import": "外国ユーザーリストの取込",
    "product_import": "品番マスタの取込",
    "licence_import": "許可台帳の取込",
    "shipment_record": "出荷実績の記録",
}
RUN_STATUS = {"ok": "完了", "failed": "失敗", "running": "実行中"}
YEN_FORMAT = '"¥"#,##0'
QUANTITY_FORMAT = "#,##0.###"


def apply_page_setup(ws, title_rows: str | None = None, paper: str = "A4") -> None:
    """Landscape, one page wide, print titles, gridlines off (the cells have borders)."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A3 if paper == "A3" else ws.PAPERSIZE_A4
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
# cell values: every value written into the audit workbook goes through put()

# control characters, and what XML cannot hold (lone surrogates, U+FFFE, U+FFFF); "_" of a literal "_x0041_"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


def _spelled(m: re.Match) -> str:
    c = m.group()
    return "_x005F_" if c == "_" else f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def cell_value(value: Any) -> Any:
    """A value as the audit workbook keeps it: text with its control characters spelled out (``\x1b`` → ``\\x1b``:
    they cannot be stored in a cell, and one bad cell must not stop an export), as are characters XML cannot hold
    (``\\uffff``), and a literal ``_x0041_`` kept literal (Excel reads that spelling as an escaped character); a
    text longer than a cell holds cut with a marker (:func:`exportscreen.render.cell_text`: the log keeps it whole);
    numbers and dates as they are."""
    if isinstance(value, str):
        return cell_text(_CONTROL.sub(_spelled, value))
    return value


def put(cell, value: Any, number_format: str | None = None):
    """Write ``value`` into ``cell`` as data: a text is never a formula (``=HYPERLINK(…)`` in a buyer's name stays
    text)."""
    cell.value = cell_value(value)
    if cell.data_type == "f":
        cell.data_type = "s"
    if number_format is not None:
        cell.number_format = number_format
    return cell


def text_height(text: str, width: float, size: float = 10.0, minimum: float = 15.0) -> float:
    """Points a wrapped cell ``width`` characters wide needs to show ``text`` whole (the estimate the screened
    workbook's rows use)."""
    from exportscreen.xlsxstyles import row_height

    return max(minimum, row_height(text or "", width, size, FONT))


# ----------------------------------------------------------------------------------------------------------
# values for one recorded line


@lru_cache(maxsize=1)
def _list_names() -> dict[str, str]:
    """Country list id -> its Japanese name (別表第三（グループA）, 別表第三の二 …), from the rules data."""
    from exportscreen.rules import bundled

    return {lid: lst.name_ja for lid, lst in bundled().lists.items()}


def group_text(country: dict) -> str:
    """The destination's lists in Japanese (codes the rules do not know are shown as recorded)."""
    names = _list_names()
    groups = [names.get(g, g) for g in country.get("groups") or []]
    return "、".join(groups) or country.get("group_label") or "一般"


def item_class_text(cls: str | None) -> str:
    """リスト規制品, 16の項(1), 16の項(2), キャッチオール対象外 … (the phrases CLASS-<class> of the rules data)."""
    if not cls:
        return ""
    from exportscreen.reasons import CatalogueError
    from exportscreen.rules import bundled

    try:
        return bundled().reasons.phrase(f"CLASS-{cls}").ja
    except CatalogueError:
        return cls


def _hs_text(inp: dict, item: dict) -> str:
    if item.get("hs"):
        return str(item["hs"])
    raw = inp.get("hs")
    try:
        digits = hs_code.parse(raw)
    except InvalidInput:
        return _s(raw)
    return hs_code.format_hs(digits) if digits else ""


def order_refs(rec: dict) -> dict[str, list]:
    """The line's identifying cells by role (order_no, part_no, item_name, quantity): values in column order. The
    order number of a record written before identifying columns were kept is its ``order_no`` input, if any."""
    from exportscreen.orders import match_column

    out: dict[str, list] = {}
    for header, value in rec.get("refs") or []:
        role = match_column(header)
        if role is not None:
            out.setdefault(role, []).append(value)
    legacy = (rec.get("inputs") or {}).get("order_no")
    if "order_no" not in out and legacy not in (None, ""):
        out["order_no"] = [legacy]
    return out


def order_no(rec: dict) -> str:
    """The order number as the workbook has it (the first order number column), else ""."""
    found = order_refs(rec).get("order_no")
    return _s(found[0]) if found else ""


def line_values(rec: dict, reviewer: str | None = None) -> dict:
    inp = rec.get("inputs") or {}
    country, item = rec.get("country") or {}, rec.get("item") or {}
    refs = order_refs(rec)
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
    names = refs.get("item_name", []) + refs.get("part_no", [])  # (品番 among the refs: a record written before)
    part = inp.get("part_no")
    if part not in (None, "") and part not in names:  # the 品番 input (a 品番 column, check --part, =SCREEN_PART …)
        names.append(part)
    goods = "\n".join(_s(v) for v in names)
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
    quantity = refs.get("quantity", [None])[0]
    if reasons:
        first = reasons[0]
        main_reason = f"{first.get('text', '')}（{first.get('ref', '')}）"
        if len(reasons) > 1:
            main_reason += f"\n（ほか {len(reasons) - 1} 件の理由）"
    else:
        main_reason = ""
    no = order_no(rec)
    tech = inp.get("kind") == "technology"
    labels = item.get("labels") or {}

    def fact(key: str) -> str:  # a technology line's fact by its name, else as typed
        named = labels.get(key)
        return _s(named[0]) if named else _s(inp.get(key))

    return {
        "kind": "technology" if tech else "goods",
        "residency": fact("residency") if tech else "",
        "specific_type": fact("specific_type") if tech else "",
        "method": fact("method") if tech else "",
        "order_no": no,
        "refs": "\n".join(f"{h}: {_s(v)}" for h, v in rec.get("refs") or []),
        "goods": goods or iname,
        "quantity": quantity,
        "country": cname,
        "group": group_text(country) if country else "",
        "item": iname,
        "item_class": item_class_text(item.get("class")) if item else "",
        "hs": _hs_text(inp, item),
        "end_user": _s(inp.get("recipient" if tech else "end_user")),
        "list_result": list_result,
        "end_use": _s(inp.get("end_use")),
        "inform": _s(inp.get("inform")),
        "value": value,
        "decision": rec.get("label") or "",
        "decision_code": rec.get("decision") or "",
        "reasons": recorded_reason_text(rec),
        "main_reason": main_reason,
        "run_id": rec.get("run_id"),
        "row": rec.get("row"),
        "seq": rec.get("seq"),
        "recorded": _local(rec.get("ts"))[:16],
        "ts": rec.get("ts"),
        "reviewer": reviewer or "",
        "user": rec.get("user"),
        "host": rec.get("host"),
        "file": rec.get("file") or "",
        "sheet": rec.get("sheet") or "",
        "file_sha256": rec.get("file_sha256") or "",
        "rules_version": rec.get("rules_version"),
        "eul_version": rec.get("eul_version") or "",
        "as_of": rec.get("as_of"),
        "prev_hash": rec.get("prev_hash"),
        "hash": rec.get("hash"),
    }


NUMBER_FORMATS = {"value": YEN_FORMAT, "quantity": QUANTITY_FORMAT, "hs": "@"}


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


def _widths(columns, first: int = 0) -> dict[str, float]:
    return {key: float(width) for key, _h, width in columns[first:]}


def export(
    log,
    out: str | os.PathLike,
    *,
    run_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    pdf: bool = False,
    company: str | None = None,
    reviewer: str | None = None,
    template: str | os.PathLike | None = None,
) -> ExportResult:
    """Write the audit workbook of one run or of a period. ``company`` defaults to ``config set company``;
    ``reviewer`` (審査者 / 担当者) to the reviewer recorded with each run, else the login that recorded it."""
    from openpyxl import load_workbook

    from exportscreen import config

    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise UserError(f"--out は .xlsx ファイルにしてください: {out}", f"--out must be an .xlsx file: {out}")
    files.check_target(out)  # not a symbolic link, folder, FIFO, device or read-only file
    if pdf:
        files.check_target(out.with_suffix(".pdf"))
    if company is None:
        company = config.get("company") or ""
    if run_id is not None:
        info = log.run_info(run_id)
        if info is None:
            raise UserError(
                f"監査ログに実行 {run_id} はありません（`exportscreen audit list` で確認してください）",
                f"no run {run_id} in the audit log (see `exportscreen audit list`)",
            )
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
    reviewers = {r["id"]: r.get("reviewer") for r in runs}

    tpl = Path(template) if template else template_path()
    try:
        wb = load_workbook(tpl)
    except FileNotFoundError:
        raise UserError(f"監査ブックのひな形がありません: {tpl}", f"audit template not found: {tpl}") from None
    counts = Counter(r["decision"] for r in recs)
    values = [line_values(r, reviewer or reviewers.get(r["run_id"]) or r["user"]) for r in recs]

    # サマリー
    ws = wb[SUMMARY_SHEET]
    info = {
        "company": company,
        "scope": scope,
        "generated": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z"),
        "generated_by": config.reviewer(),
        "lines": len(recs),
        "rules_versions": "、".join(sorted({str(r["rules_version"]) for r in recs if r["rules_version"]})) or "—",
        "eul_versions": "、".join(sorted({str(r["eul_version"]) for r in recs if r["eul_version"]})) or "—",
        "verify": verify_text,
        "head": f"{head_seq} / {head_hash}",
    }
    for i, (key, _label) in enumerate(SUMMARY_INFO):
        put(ws.cell(SUMMARY_INFO_FIRST_ROW + i, 2), info[key])
    for i, code in enumerate(SUMMARY_CODES):
        put(ws.cell(SUMMARY_COUNTS_HEAD_ROW + 1 + i, 2), counts.get(code.value, 0))
    put(ws.cell(SUMMARY_COUNTS_HEAD_ROW + 1 + len(SUMMARY_CODES), 2), len(recs))
    _bar_chart(ws, max(counts.values(), default=0))
    _fill_runs(ws, runs)
    _fill_expiring(ws, SUMMARY_RUNS_HEAD_ROW + 2 + max(len(runs), 1), date.today())

    # 明細 and 技術情報
    _fill_table(wb[DETAIL_SHEET], DETAIL_COLUMNS, values)
    _fill_table(wb[TECH_SHEET], TECH_COLUMNS, values)

    # 取引審査票, one per line that is not 許可不要
    form = wb[FORM_SHEET]
    used: set[str] = set(wb.sheetnames)
    forms = 0
    for rec, v in zip(recs, values):
        if rec["decision"] == Code.NO_LICENSE.value:
            continue
        ws = wb.copy_worksheet(form)
        ws.title = _sheet_name(rec, v, used)
        _fill_form(ws, rec, v, company, problems)
        forms += 1
    wb.remove(form)
    wb.active = 0

    out.parent.mkdir(parents=True, exist_ok=True)
    files.atomic_write(out, wb.save)  # a new file gets ordinary (umask) permissions for the auditors

    pdf_path, msg = (None, "")
    if pdf:
        pdf_path, msg = to_pdf(out)
    return ExportResult(out, pdf_path, msg, len(recs), forms, dict(counts), problems)


def _fill_form(ws, rec: dict, v: dict, company: str, problems: list) -> None:
    cells = form_cells()
    apply_page_setup(ws, f"{FORM_TABLE_HEADER_ROW}:{FORM_TABLE_HEADER_ROW}")
    add_approval_choices(ws)
    header = {
        "company": company,
        "reviewer": v["reviewer"],
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
        put(ws[cells[key]], val)
    widths = _widths(FORM_COLUMNS)
    table_height = 30.0
    tech = v["kind"] == "technology"
    if tech:
        put(ws[f"A{FORM_TITLE_ROW}"], FORM_TECH_TITLE)
    for i, (key, _h, _w) in enumerate(FORM_COLUMNS):
        src = key
        if tech and key in FORM_TECH_COLUMNS:
            src, heading = FORM_TECH_COLUMNS[key]
            put(ws[f"{col_letter(i)}{FORM_TABLE_HEADER_ROW}"], heading)
        put(ws[cells[f"line.{key}"]], v[src], None if tech and src != key else NUMBER_FORMATS.get(key))
        if isinstance(v[src], str):
            table_height = max(table_height, text_height(v[src], widths[key]))
    ws.row_dimensions[FORM_TABLE_ROW].height = table_height
    merged = sum(w for _k, _h, w in FORM_COLUMNS[1:])  # B:M
    for i, (key, _label) in enumerate(FORM_TEXTS):
        put(ws[cells[f"line.{key}"]], v[key])
        ws.row_dimensions[FORM_TEXT_FIRST_ROW + i].height = text_height(v[key], merged, minimum=30.0)
    note_width = sum(w for _k, _h, w in FORM_COLUMNS[8:])  # I:M
    for i, (key, note) in enumerate(_checks(rec, v).items()):
        put(ws[cells[f"check.{key}"]], note)
        ws.row_dimensions[FORM_CHECK_FIRST_ROW + i].height = text_height(note, note_width, 9.0, minimum=36.0)
    put(ws[cells["sign.staff"]], v["reviewer"])


def _sheet_name(rec: dict, v: dict, used: set[str]) -> str:
    """審査票_<注文番号>, else 審査票_R<row>; unique, at most 31 characters, none of : \\ / ? * [ ]."""
    no = re.sub(r"[:\\/?*\[\]\s]+", "_", v["order_no"]).strip("'_")
    if no:
        base = f"審査票_{no}"
    else:
        base = f"審査票_R{rec['row']}" if rec.get("row") is not None else f"審査票_{rec['seq']}"
    name = base[:31]
    if name in used:
        name = f"{base[:24]}_{rec['seq']}"[:31]
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
            elif key in ("kind", "status"):
                val = (RUN_KINDS if key == "kind" else RUN_STATUS).get(str(val), val)
            cell = put(ws.cell(style_row + i, c + 1), val)
            cell._style = copy(styles[c])


EXPIRING_DAYS = 30  # the サマリー lists the licences expiring within this many days of the export date
EXPIRING_COLUMNS = ["許可番号", "種類", "有効期限", "残り日数", "仕向地", "金額残高（円）"]


def _fill_expiring(ws, top: int, day: date) -> None:
    """Below the runs: the licences of the register in force on ``day`` (the export date) that expire within
    EXPIRING_DAYS days, with the value left (limit less the shipments recorded); nothing when no register is
    imported."""
    from copy import copy

    from exportscreen import licences, shipments
    from exportscreen.ids.text import fold

    reg = licences.in_force(licences.load_registers(), day)
    if reg is None:
        return
    soon = licences.expiring(reg, day, EXPIRING_DAYS)
    usage = shipments.load_usage() if soon else {}
    head = [copy(ws.cell(SUMMARY_RUNS_HEAD_ROW, c + 1)._style) for c in range(len(EXPIRING_COLUMNS))]
    body = [copy(ws.cell(SUMMARY_RUNS_HEAD_ROW + 1, c + 1)._style) for c in range(len(EXPIRING_COLUMNS))]
    title = put(ws.cell(top, 1), f"有効期限が{EXPIRING_DAYS}日以内の許可（{day} 時点、許可台帳 {reg.version} 版）")
    title.font = copy(ws.cell(SUMMARY_RUNS_HEAD_ROW - 1, 1).font)
    for c, h in enumerate(EXPIRING_COLUMNS):
        put(ws.cell(top + 1, c + 1), h)._style = copy(head[c])
    if not soon:
        put(ws.cell(top + 2, 1), "なし")
    for i, lic in enumerate(soon):
        u = usage.get(fold(lic.no))
        if lic.value is None:
            left: Any = "—"
        elif lic.currency != "JPY" or (u is not None and u.unknown):
            left = "不明"
        else:
            left = lic.value - (u.value if u is not None else 0.0)
        cells = licences.cells_of(lic)
        row = (lic.no, cells["kind"], lic.expires.isoformat(), (lic.expires - day).days, cells["countries"], left)
        for c, value in enumerate(row):
            cell = put(ws.cell(top + 2 + i, c + 1), value)
            cell._style = copy(body[c])
            if c == 5 and isinstance(value, float):
                cell.number_format = YEN_FORMAT


def _fill_table(ws, columns: list, values: list[dict]) -> None:
    """One row per line from the template's style row (row 2), each row as high as its wrapped texts need."""
    from copy import copy

    styles = [copy(ws.cell(2, c + 1)._style) for c in range(len(columns))]
    widths = _widths(columns)
    for i, v in enumerate(values):
        r = 2 + i
        height = 15.0
        for c, (key, _h, _w) in enumerate(columns):
            cell = put(ws.cell(r, c + 1), v[key])
            cell._style = styles[c]
            if isinstance(v[key], str) and v[key]:
                height = max(height, text_height(v[key], widths[key], 9.0))
        ws.row_dimensions[r].height = height
    last = max(2, len(values) + 1)
    ws.auto_filter.ref = f"A1:{col_letter(len(columns) - 1)}{last}"


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
        return None, tr(
            "LibreOffice (soffice) がインストールされていないため PDF は書いていません。LibreOffice を入れるか"
            "（例: apt-get install libreoffice-calc）、Excel からブックを印刷してください",
            "LibreOffice (soffice) is not installed, so no PDF was written; install it "
            "(e.g. apt-get install libreoffice-calc) or print the workbook from Excel",
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
            return None, tr(
                f"LibreOffice が {timeout} 秒以内に終わりませんでした", f"LibreOffice did not finish within {timeout} s"
            )
        produced = outdir / (xlsx.stem + ".pdf")
        if not produced.exists():
            detail = (proc.stderr or proc.stdout or "").strip().splitlines()
            last = detail[-1] if detail else ""
            return None, tr(
                f"LibreOffice が PDF を作りませんでした（終了コード {proc.returncode}）: {last}",
                f"LibreOffice did not produce a PDF (exit {proc.returncode}): {last}",
            )
        target = xlsx.with_suffix(".pdf")
        with produced.open("rb") as pdf:
            files.atomic_write(target, lambda fh: shutil.copyfileobj(pdf, fh))
        return target, ""
    finally:
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(outdir, ignore_errors=True)
