"""The 該非判定書 (classification certificate) of one product of the master, as a workbook and its PDF.

    from exportscreen import certificate
    result = certificate.write("NC-5000A", "該非判定書_NC-5000A.xlsx", as_of=date(2026, 5, 1), pdf=True)

:func:`write` looks the 品番 up in the product master in force on ``as_of`` (:func:`exportscreen.products.in_force`),
reads its 該非 and 技術該非 again with the parsers order lines use against the bundled rules, and fills a copy of
``workbook_templates/gaihi_certificate.xlsx`` (made by ``tools/make_gaihi_certificate_template.py`` from the layout
constants here): company, product, the judgement against 輸出令別表第一 and 外為令別表 for every 項 1–15 row by row
(該当 naming the 項番 and its name, else 非該当; 技術 未判定 when the master has no 技術該非), the 16の項 class the HS
code implies (:func:`exportscreen.engine.describe_item`), basis, 判定日, 判定者, 承認者, the master version, the rules
version and the as-of date, and the sign-off block (作成者 / 確認者 / 承認者, 日付, 印) left for ink. Every cell is
written by :func:`exportscreen.audit_export.put` (text is never a formula); the workbook is written atomically and
its PDF made by headless LibreOffice (:func:`exportscreen.audit_export.to_pdf`). A4 portrait, on one page.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from exportscreen import files
from exportscreen.errors import UserError

TEMPLATE_NAME = "gaihi_certificate.xlsx"
SHEET = "該非判定書"
TITLE = "該非判定書"
SUBTITLE = "輸出貿易管理令別表第一（貨物）・外国為替令別表（技術）に基づく該非判定"

# four columns: (width). The 項 table uses them as 項 | 品目 | 貨物 | 技術; the label/value rows merge A:B and C:D.
WIDTHS = (10, 22, 28, 28)
LAST_COL = "D"
ROW_HEIGHT = 16.0  # points: a row of one line of 10-point text
TITLE_ROW = 1
INFO_FIRST_ROW = 4
INFO = [  # (key, label)
    ("company", "会社名"),
    ("part_no", "品番・型番"),
    ("name", "品名"),
    ("hs", "HSコード"),
    ("goods", "輸出令別表第一（貨物）"),
    ("tech", "外為令別表（技術）"),
    ("class16", "16の項の区分（HSコードから）"),
    ("basis", "判定根拠（資料・版）"),
    ("judged", "判定日"),
    ("judge", "判定者"),
    ("approver", "承認者"),
    ("review_by", "見直し期限"),
    ("review", "見直しの要否（基準日時点）"),
    ("note", "備考"),
    ("master_version", "品番マスタの版"),
    ("rules_version", "照合した規則バージョン"),
    ("as_of", "基準日"),
    ("created", "作成日時"),
]
TABLE_TITLE_ROW = INFO_FIRST_ROW + len(INFO) + 1
TABLE_HEAD_ROW = TABLE_TITLE_ROW + 1
TABLE_HEADERS = ("項", "品目", "輸出令別表第一（貨物）", "外為令別表（技術）")
TABLE_FIRST_ROW = TABLE_HEAD_ROW + 1
KOU = ("1", "2", "3", "3の2", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15")  # 項 1–15, in order
ROW16 = TABLE_FIRST_ROW + len(KOU)  # the 16の項 (catch-all) row
SIGN_TITLE_ROW = ROW16 + 2
SIGN_HEAD_ROW = SIGN_TITLE_ROW + 1
SIGN_HEADERS = ("区分", "氏名", "日付", "印")
SIGN_ROLES = ("作成者", "確認者", "承認者")
SIGN_FIRST_ROW = SIGN_HEAD_ROW + 1
NOTE_ROW = SIGN_FIRST_ROW + len(SIGN_ROLES) + 1
NOTE = (
    "本書は exportscreen が品番マスタ（該非判定台帳）の記録から作成しました。該非判定の内容は判定者・承認者の判断"
    "によるものです。各項は記載の規則バージョンで項番を照合しています。法令改正の後は判定を見直してください。"
)
NOT_JUDGED = "未判定（品番マスタに技術該非の記載なし）"
NO_REVIEW = "不要（判定日より後に施行された該当する項の改正なし、見直し期限内）"


def info_cells() -> dict[str, str]:
    """key -> the cell of each value of the label/value block (value cells merge C:D)."""
    return {key: f"C{INFO_FIRST_ROW + i}" for i, (key, _label) in enumerate(INFO)}


@dataclass
class Result:
    xlsx: Path
    pdf: Path | None
    pdf_message: str
    version: str  # the master version the product was read from
    review: tuple[str, ...] = ()  # why the classification must be judged again on the as-of date (ja), if it must


def default_out(part_no: str) -> Path:
    """該非判定書_<品番>.xlsx in the current folder (characters a file name cannot hold replaced by _)."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f\s]+', "_", part_no).strip("._") or "品番"
    return Path(f"該非判定書_{safe[:100]}.xlsx")


def _judged(code, names: tuple[str, str] | None) -> str:
    return f"該当：{code.format()}" + (f" {names[0]}" if names else "")


def reviews(rules, product, as_of: date) -> tuple[str, ...]:
    """Why the classification must be judged again on ``as_of`` (the screening's PART-STALE / PART-REVIEW-DUE
    reasons, in Japanese): for the 該非 and, judged on its own 項, the 技術該非; () when it need not be."""
    from exportscreen import engine

    found = [engine.product_stale(rules, product, as_of)]
    if product.tech is not None:
        found.append(engine.product_stale(rules, product, as_of, product.tech))
    return tuple(dict.fromkeys(r.ja for r in found if r is not None))


def values(product, master_version: str, as_of: date, company: str) -> dict:
    """Every text of the certificate: the label/value block by key, ``rows`` (項, 品目, 貨物, 技術) for 1–15,
    ``row16`` for the catch-all and ``reasons_to_review`` (:func:`reviews`)."""
    from exportscreen import engine, technology
    from exportscreen.ids import InvalidInput
    from exportscreen.ids.hs_code import format_hs
    from exportscreen.rules import bundled

    rules = bundled()
    try:
        goods = engine._item(rules, product.item)
        tech = technology._tech_item(rules, product.tech) if product.tech is not None else None
    except InvalidInput as exc:  # the law data changed since the import: no certificate of a code it lacks
        raise UserError(
            f"品番 {product.part_no} の該非は現在の規則（{rules.version}）で読めません: {exc.ja}",
            f"the classification of part number {product.part_no} does not read against the rules in use "
            f"({rules.version}): {exc.en}",
        ) from None
    T = rules.technology
    goods_names = engine._item_names(rules, goods) if goods.listed else None
    tech_names = None
    if tech is not None and tech.kou and tech.kou != "16":
        sub = T.subitems.get((tech.kou, tech.sub or ""))
        if sub is not None and sub.deleted:
            tech_names = ("削除された項番（要確認）", "deleted sub-item (to be reviewed)")
        elif sub is not None:
            tech_names = (sub.name_ja, sub.name_en)
        else:
            tech_names = (T.items[tech.kou].name_ja, T.items[tech.kou].name_en)
    rows = []
    for kou in KOU:
        g = _judged(goods, goods_names) if goods.kou == kou else "非該当"
        if tech is None:
            t = "未判定"
        else:
            t = _judged(tech, tech_names) if tech.kou == kou else "非該当"
        rows.append((f"{kou}の項", rules.items[kou].name_ja, g, t))
    if goods.listed:
        class16 = f"—（{goods.format()} に該当し、キャッチオール（16の項）の対象外）"
    else:
        try:
            class16 = engine.describe_item(rules, product.item, product.hs, as_of)
        except InvalidInput as exc:
            class16 = exc.ja
        class16 = f"HS {format_hs(product.hs)} → {class16}" if product.hs else class16
    hs = format_hs(product.hs) if product.hs else "—（品番マスタに記載なし）"
    row16 = (
        "16の項",
        rules.items["16"].name_ja,
        class16,
        _judged(tech, None) if tech is not None and tech.kou == "16" else "—",
    )
    if goods.listed:
        goods_text = _judged(goods, goods_names)
    elif goods.kou == "16":
        goods_text = f"1〜15の項のいずれにも非該当（{goods.format()}）"
    else:
        goods_text = "非該当（1〜15の項のいずれにも該当しない）"
    if tech is None:
        tech_text = NOT_JUDGED
    elif tech.kou and tech.kou != "16":
        tech_text = _judged(tech, tech_names)
    elif tech.kou == "16":
        tech_text = f"1〜15の項のいずれにも非該当（{tech.format()}）"
    else:
        tech_text = "非該当（1〜15の項のいずれにも該当しない）"
    review = reviews(rules, product, as_of)
    return {
        "review": "要：" + " / ".join(review) if review else NO_REVIEW,
        "reasons_to_review": review,
        "company": company or "—",
        "part_no": product.part_no,
        "name": product.name or "—",
        "hs": hs,
        "goods": goods_text,
        "tech": tech_text,
        "class16": class16,
        "basis": product.basis or "—",
        "judged": product.judged,
        "judge": product.judge or "—",
        "approver": product.approver or "—",
        "review_by": product.review_by or "—",
        "note": product.note or "",
        "master_version": master_version,
        "rules_version": rules.version,
        "as_of": as_of,
        "created": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M"),
        "rows": rows,
        "row16": row16,
    }


def template_path() -> Path:
    from exportscreen.state import data_dir

    return data_dir("workbook_templates") / TEMPLATE_NAME


def write(
    part_no: str,
    out: str | os.PathLike | None = None,
    *,
    as_of: date | None = None,
    pdf: bool = False,
    company: str | None = None,
    home=None,
) -> Result:
    """Write the certificate of ``part_no`` (the master version in force on ``as_of``, default today) to ``out``
    (default :func:`default_out`), and its PDF beside it when ``pdf``. ``company`` defaults to ``config set
    company``. A 品番 not in the master, or no master, is a :class:`UserError`."""
    from openpyxl import load_workbook

    from exportscreen import config, products
    from exportscreen.audit_export import put, text_height, to_pdf

    as_of = as_of or date.today()
    target = Path(out) if out is not None else default_out(part_no)
    if target.suffix.lower() != ".xlsx":
        raise UserError(f"--out は .xlsx ファイルにしてください: {target}", f"--out must be an .xlsx file: {target}")
    files.check_target(target)  # not a symbolic link, folder, FIFO, device or read-only file
    if pdf:
        files.check_target(target.with_suffix(".pdf"))
    master = products.in_force(as_of, home)
    if master is None:
        raise UserError(
            f"{as_of} に適用される品番マスタがありません（exportscreen products import FILE）",
            f"no product master in force on {as_of} (exportscreen products import FILE)",
        )
    product = master.get(part_no)
    if product is None:
        raise UserError(
            f"品番 {part_no} は品番マスタ（{master.version}）にありません",
            f"part number {part_no} is not in the product master ({master.version})",
        )
    v = values(product, master.version, as_of, config.get("company") or "" if company is None else company)
    try:
        wb = load_workbook(template_path())
    except FileNotFoundError:
        raise UserError(
            f"該非判定書のひな形がありません: {template_path()}", f"certificate template not found: {template_path()}"
        ) from None
    ws = wb[SHEET]
    wide = float(WIDTHS[2] + WIDTHS[3])  # a value merged over C:D
    for key, cell in info_cells().items():
        put(ws[cell], v[key], "yyyy-mm-dd" if isinstance(v[key], date) else None)
        if isinstance(v[key], str):
            ws.row_dimensions[ws[cell].row].height = text_height(v[key], wide, minimum=ROW_HEIGHT)
    for r, row in enumerate([*v["rows"], v["row16"]], start=TABLE_FIRST_ROW):
        height = ROW_HEIGHT
        for c, text in enumerate(row):
            put(ws.cell(r, c + 1), text)
            height = max(height, text_height(text, float(WIDTHS[c]), minimum=ROW_HEIGHT))
        ws.row_dimensions[r].height = height
    target.parent.mkdir(parents=True, exist_ok=True)
    files.atomic_write(target, wb.save)
    pdf_path, msg = to_pdf(target) if pdf else (None, "")
    return Result(target, pdf_path, msg, master.version, v["reasons_to_review"])
