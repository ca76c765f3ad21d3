"""Importing METI's End User List workbook, and the dated copies kept under ``home()/eul/``."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path

from exportscreen import files
from exportscreen.errors import UserError
from exportscreen.eul.countries import to_iso2
from exportscreen.eul.model import CONCERN_CODES, EndUserList, EulEntry

SHEET_NAME = "ユーザーリスト"
HEADER_SCAN_ROWS = 30
STORE_PREFIX = "eul-"


# --- header ------------------------------------------------------------------------------------------
def _hkey(value) -> str:
    s = unicodedata.normalize("NFKC", "" if value is None else str(value)).casefold()
    return re.sub(r"[\s・、,.．。/／]", "", s)


def _column_of(key: str) -> str | None:
    if not key:
        return None
    if key in ("no", "番号", "整理番号") or key.startswith("no") and len(key) <= 4:
        return "no"
    if "国名" in key or "地域名" in key:
        return "country"
    if "企業名" in key or "組織名" in key:
        return "name"
    if "別名" in key:
        return "aliases"
    if "懸念区分" in key:
        return "concern"
    if "通常兵器" in key:
        return "cw"
    return None


REQUIRED = ("no", "country", "name")


def _find_header(rows: list[list]) -> tuple[int, dict[str, int]] | None:
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        cols: dict[str, int] = {}
        for c, value in enumerate(row):
            col = _column_of(_hkey(value))
            if col and col not in cols:
                cols[col] = c
        if all(k in cols for k in REQUIRED) and ("concern" in cols or "cw" in cols):
            return r, cols
    return None


# --- cells -------------------------------------------------------------------------------------------
def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n").strip()


def _cell(row: list, col: int | None):
    return row[col] if col is not None and col < len(row) else None


def _split_aliases(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if line[0] in "・･•·" or not out:
            out.append(line.lstrip("・･•· ").strip())
        else:  # a line without ・ continues the previous alias
            out[-1] = f"{out[-1]} {line}"
    return tuple(a for a in out if a)


def _concerns(text: str, cw_text: str, where: str) -> frozenset[str]:
    codes: set[str] = set()
    for tok in re.split(r"[\s,、，/・;；]+", unicodedata.normalize("NFKC", text).upper()):
        if not tok:
            continue
        if tok not in CONCERN_CODES:
            raise UserError(f"{where}: unknown concern code {tok!r} in 懸念区分 (expected B, C, M, N or CW)")
        codes.add(tok)
    cw = unicodedata.normalize("NFKC", cw_text).strip().upper()
    if cw:
        if cw in ("CW", "○", "〇", "◯", "●", "✓", "✔", "X", "Y", "YES"):
            codes.add("CW")
        else:
            raise UserError(f"{where}: unexpected value {cw_text!r} in 通常兵器 (expected CW or blank)")
    return frozenset(codes)


def _read_rows(path: Path) -> tuple[str, list[list]]:
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        names = list(wb.sheet_names)
    except Exception as exc:  # calamine raises its own error types for non-spreadsheets
        raise UserError(
            f"{path.name}: not a readable Excel workbook ({exc.__class__.__name__}: {str(exc)[:80]})"
        ) from None
    order = [n for n in names if n.strip() == SHEET_NAME] + [n for n in names if n.strip() != SHEET_NAME]
    for sheet in order:
        try:
            rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception:
            continue
        if _find_header(rows):
            return sheet, rows
    raise UserError(
        f"{path.name}: no sheet with the End User List header (No., 国名・地域名, 企業名・組織名, 懸念区分) "
        f"in the first {HEADER_SCAN_ROWS} rows (sheets: {', '.join(names) or 'none'})"
    )


def parse_workbook(path: Path) -> tuple[str, list[EulEntry]]:
    """(sheet name, entries) of METI's End User List workbook; UserError naming the row on any problem."""
    sheet, rows = _read_rows(path)
    found = _find_header(rows)
    assert found is not None  # _read_rows returns only a sheet that has the header
    header_row, cols = found
    entries: list[EulEntry] = []
    seen_no: dict[int, int] = {}
    for r in range(header_row + 1, len(rows)):
        row = rows[r]
        excel_row = r + 1
        where = f"{path.name}, sheet {sheet}, row {excel_row}"
        no_text = _text(_cell(row, cols["no"]))
        name = _text(_cell(row, cols["name"]))
        country_text = _text(_cell(row, cols["country"]))
        if not no_text and not name and not country_text:
            continue  # blank row
        if not re.fullmatch(r"\d+", no_text or ""):
            if not name and not country_text:
                continue  # a note below the table (注: …)
            raise UserError(f"{where}: No. {no_text!r} is not a number (column No.)")
        no = int(no_text)
        if no in seen_no:
            raise UserError(f"{where}: duplicated No. {no} (also on row {seen_no[no]})")
        seen_no[no] = excel_row
        if not name:
            raise UserError(f"{where}: empty name (column 企業名・組織名) for No. {no}")
        iso = to_iso2(country_text)
        if iso is None:
            raise UserError(
                f"{where}: unknown country {country_text!r} (column 国名・地域名) for No. {no}: no name of "
                "rules/countries.csv, or its lines name different countries"
            )
        aliases = _split_aliases(_text(_cell(row, cols.get("aliases"))))
        concerns = _concerns(_text(_cell(row, cols.get("concern"))), _text(_cell(row, cols.get("cw"))), where)
        if not concerns:
            raise UserError(f"{where}: no concern (懸念区分 / 通常兵器 both empty) for No. {no}")
        entries.append(EulEntry(no, iso, country_text, name, aliases, concerns))
    if not entries:
        raise UserError(f"{path.name}, sheet {sheet}: the header is on row {header_row + 1} but no entry follows")
    return sheet, entries


# --- dates -------------------------------------------------------------------------------------------
def date_from_name(name: str) -> date | None:
    """``20250929_4.xlsx`` → 2025-09-29 (the first 8-digit run that is a valid date)."""
    for m in re.finditer(r"(?<!\d)(\d{4})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)", name):
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
    return None


def _as_date(value, what: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise UserError(f"{what} {value!r} is not a date (use YYYY-MM-DD)") from None


# --- store -------------------------------------------------------------------------------------------
def eul_dir(home: Path | str | None = None) -> Path:
    if home is None:
        from exportscreen.state import home as state_home

        home = state_home()
    return Path(home) / "eul"


def import_list(path, list_date=None, effective=None, home=None) -> EndUserList:
    """Parse METI's End User List workbook, validate it, store a dated copy and return it.

    ``list_date`` defaults to the date in the file name (``20250929_4.xlsx``); ``effective`` (the date
    the list applies from) defaults to ``list_date``. Nothing is stored when anything is wrong."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: ファイルが見つかりません", f"{path}: no such file")
    ld = _as_date(list_date, "--date") or date_from_name(path.name)
    if ld is None:
        raise UserError(
            f"{path.name}: ファイル名に日付がありません。リストの日付を --date で指定してください（例 2025-09-29）",
            f"{path.name}: no date in the file name; give the list date with --date YYYY-MM-DD",
        )
    eff = _as_date(effective, "--effective") or ld
    data = path.read_bytes()
    _sheet, entries = parse_workbook(path)
    eul = EndUserList(ld, eff, tuple(entries), path.name, hashlib.sha256(data).hexdigest())
    _store(eul, home)
    _load_cached.cache_clear()
    return eul


def _store(eul: EndUserList, home) -> Path:
    folder = eul_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{STORE_PREFIX}{eul.list_date.isoformat()}.json"
    files.write_text(target, json.dumps(eul.to_dict(), ensure_ascii=False, indent=0))
    return target


from functools import lru_cache  # noqa: E402


@lru_cache(maxsize=64)
def _load_cached(path: str, mtime_ns: int, size: int) -> EndUserList:
    with open(path, encoding="utf-8") as fh:
        return EndUserList.from_dict(json.load(fh))


def load_lists(home=None) -> tuple[EndUserList, ...]:
    """Every stored version, oldest first (by effective date, then list date); () when none."""
    folder = eul_dir(home)
    if not folder.is_dir():
        return ()
    lists = []
    for p in sorted(folder.glob(f"{STORE_PREFIX}*.json")):
        st = p.stat()
        try:
            lists.append(_load_cached(str(p), st.st_mtime_ns, st.st_size))
        except (OSError, ValueError, KeyError) as exc:
            raise UserError(f"stored End User List {p} is unreadable ({exc}); re-import it") from None
    return tuple(sorted(lists, key=lambda e: (e.effective, e.list_date)))


def in_force(lists, as_of) -> EndUserList | None:
    """The version in force on ``as_of``: the latest effective date ≤ as_of (ties: latest list date)."""
    as_of = _as_date(as_of, "as-of date") if not isinstance(as_of, date) else as_of
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    best = None
    for eul in lists:
        if eul.effective <= as_of and (
            best is None or (eul.effective, eul.list_date) >= (best.effective, best.list_date)
        ):
            best = eul
    return best
