"""Importing METI's End User List workbook, and its dated versions kept in the store (:mod:`exportscreen.store`)."""

from __future__ import annotations

import hashlib
import json
import re
import sys
import unicodedata
from contextlib import suppress
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Column, MetaData, String, Table, Text, select

from exportscreen import files
from exportscreen.errors import UserError
from exportscreen.eul.countries import to_iso2
from exportscreen.eul.model import CONCERN_CODES, EndUserList, EulEntry

SHEET_NAME = "ユーザーリスト"
HEADER_SCAN_ROWS = 30
STORE_PREFIX = "eul-"
MAX_ENTRIES = 100_000  # METI's list has about 850; more is not an End User List
MAX_FILE_BYTES = 50 * 1024 * 1024  # its workbook is about 200 KB


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


def _concerns(text: str, cw_text: str, where: tuple[str, str]) -> frozenset[str]:
    codes: set[str] = set()
    for tok in re.split(r"[\s,、，/・;；]+", unicodedata.normalize("NFKC", text).upper()):
        if not tok:
            continue
        if tok not in CONCERN_CODES:
            raise UserError(
                f"{where[0]}: 懸念区分に不明な区分 {tok!r} があります（B, C, M, N, CW のいずれか）",
                f"{where[1]}: unknown concern code {tok!r} in 懸念区分 (expected B, C, M, N or CW)",
            )
        codes.add(tok)
    cw = unicodedata.normalize("NFKC", cw_text).strip().upper()
    if cw:
        if cw in ("CW", "○", "〇", "◯", "●", "✓", "✔", "X", "Y", "YES"):
            codes.add("CW")
        else:
            raise UserError(
                f"{where[0]}: 通常兵器の欄に想定外の値 {cw_text!r} があります（CW か空欄）",
                f"{where[1]}: unexpected value {cw_text!r} in 通常兵器 (expected CW or blank)",
            )
    return frozenset(codes)


_NUMBER_RE = re.compile(r"[\d\s,.+\-−#№()]*\d[\d\s,.+\-−#№()]*")
_DATE_RE = re.compile(
    r"(\d{1,4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,4}\s*日?|(明治|大正|昭和|平成|令和)\s*(\d+|元)\s*年.*)"
    r"(\s*\d{1,2}:\d{2}(:\d{2})?)?"
)


def _not_a_name(value, text: str) -> tuple[str, str] | None:
    """Why a name or alias cell cannot be a party's name: it is a number or a date (a cell that slipped, a
    column that moved), or nothing is left of it once legal forms and punctuation are taken away (such a name
    would match nothing, or everything). None for a name."""
    from exportscreen.eul.normalise import normalise

    folded = unicodedata.normalize("NFKC", text).strip()
    if isinstance(value, (date, datetime)) or _DATE_RE.fullmatch(folded):
        return "日付", "a date"
    if isinstance(value, (int, float)) or _NUMBER_RE.fullmatch(folded):
        return "数値", "a number"
    n = normalise(text)
    if not any(c.isalnum() for c in n.compact + n.cjk_lead + n.cjk_rest):  # (・ is kept among Chinese characters)
        return "法人の種類や記号だけで名称が残りません", "nothing is left of it once legal forms and punctuation go"
    return None


def _read_rows(path: Path) -> tuple[str, list[list]]:
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        names = list(wb.sheet_names)
    except Exception as exc:  # calamine raises its own error types for non-spreadsheets
        why = f"{exc.__class__.__name__}: {' '.join(str(exc).split())[:80]}"
        raise UserError(
            f"{path.name}: Excel のブックとして読めません（{why}）",
            f"{path.name}: not a readable Excel workbook ({why})",
        ) from None
    order = [n for n in names if n.strip() == SHEET_NAME] + [n for n in names if n.strip() != SHEET_NAME]
    for sheet in order:
        try:
            rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception:
            continue
        if _find_header(rows):
            return sheet, rows
    sheets = ", ".join(names)
    raise UserError(
        f"{path.name}: 外国ユーザーリストの見出し（No., 国名・地域名, 企業名・組織名, 懸念区分）が最初の "
        f"{HEADER_SCAN_ROWS} 行にあるシートがありません（シート: {sheets or 'なし'}）",
        f"{path.name}: no sheet with the End User List header (No., 国名・地域名, 企業名・組織名, 懸念区分) "
        f"in the first {HEADER_SCAN_ROWS} rows (sheets: {sheets or 'none'})",
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
        where = (f"{path.name} シート {sheet} {excel_row} 行目", f"{path.name}, sheet {sheet}, row {excel_row}")
        no_text = _text(_cell(row, cols["no"]))
        name_value = _cell(row, cols["name"])
        name = _text(name_value)
        country_text = _text(_cell(row, cols["country"]))
        if not no_text and not name and not country_text:
            continue  # blank row
        if not re.fullmatch(r"\d+", no_text or ""):
            if not name and not country_text:
                continue  # a note below the table (注: …)
            raise UserError(
                f"{where[0]}: No. {no_text!r} が番号ではありません（No. の列）",
                f"{where[1]}: No. {no_text!r} is not a number (column No.)",
            )
        no = int(no_text)
        if no in seen_no:
            raise UserError(
                f"{where[0]}: No. {no} が重複しています（{seen_no[no]} 行目にもあります）",
                f"{where[1]}: duplicated No. {no} (also on row {seen_no[no]})",
            )
        seen_no[no] = excel_row
        if len(entries) >= MAX_ENTRIES:
            raise UserError(
                f"{path.name}: 掲載が {MAX_ENTRIES:,} 件を超えます。外国ユーザーリストではないと考えられます",
                f"{path.name}: more than {MAX_ENTRIES:,} entries; this is not an End User List",
            )
        if not name:
            raise UserError(
                f"{where[0]}: No. {no} の名称（企業名・組織名の列）が空です",
                f"{where[1]}: empty name (column 企業名・組織名) for No. {no}",
            )
        iso = to_iso2(country_text)
        if iso is None:
            raise UserError(
                f"{where[0]}: No. {no} の国名 {country_text!r}（国名・地域名の列）が分かりません"
                "（rules/countries.csv にない名称か、行ごとに別の国を指しています）",
                f"{where[1]}: unknown country {country_text!r} (column 国名・地域名) for No. {no}: no name of "
                "rules/countries.csv, or its lines name different countries",
            )
        aliases = _split_aliases(_text(_cell(row, cols.get("aliases"))))
        for what, value, text in [("名称", name_value, name)] + [("別名", None, a) for a in aliases]:
            why = _not_a_name(value, text)
            if why:
                en_what = "name" if what == "名称" else "alias"
                raise UserError(
                    f"{where[0]}: No. {no} の{what} {text!r} は名称ではありません（{why[0]}）",
                    f"{where[1]}: the {en_what} {text!r} of No. {no} is not a name ({why[1]})",
                )
        concerns = _concerns(_text(_cell(row, cols.get("concern"))), _text(_cell(row, cols.get("cw"))), where)
        if not concerns:
            raise UserError(
                f"{where[0]}: No. {no} に懸念区分がありません（懸念区分・通常兵器の両方が空欄）",
                f"{where[1]}: no concern (懸念区分 / 通常兵器 both empty) for No. {no}",
            )
        entries.append(EulEntry(no, iso, country_text, name, aliases, concerns))
    if not entries:
        raise UserError(
            f"{path.name} シート {sheet}: 見出しは {header_row + 1} 行目にありますが、掲載が続いていません",
            f"{path.name}, sheet {sheet}: the header is on row {header_row + 1} but no entry follows",
        )
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
    """The date given to option ``what`` (a date, or text as every date option takes it: ISO, 和暦 …)."""
    if value is None or value == "" or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else (value or None)
    from exportscreen.commands import parse_date

    return parse_date(str(value), what)


# --- store -------------------------------------------------------------------------------------------
# Each version is one row of the store (exportscreen.store, migration 0002): the list as parsed (EndUserList.to_dict
# as JSON), keyed by its list date. Versions kept as files under home()/eul/ by earlier versions are imported once
# (see _import_files).
metadata = MetaData()
versions_t = Table(
    "eul_versions",
    metadata,
    Column("list_date", String(10), primary_key=True),
    Column("effective", String(10), nullable=False),
    Column("source_name", Text),
    Column("sha256", String(64)),  # of the imported workbook
    Column("content", Text, nullable=False),  # EndUserList.to_dict() as JSON
    Column("content_sha256", String(64), nullable=False),
    Column("imported", String(40), nullable=False),  # UTC
    Column("imported_by", String(255)),
)
FILE_SUFFIX = ".imported"  # a version file of an earlier version, once in the store


def eul_dir(home: Path | str | None = None) -> Path:
    """The folder where earlier versions kept the lists as files (read once, see :func:`_import_files`)."""
    if home is None:
        from exportscreen.state import home as state_home

        home = state_home()
    return Path(home) / "eul"


def _content(eul: EndUserList) -> tuple[str, str]:
    text = json.dumps(eul.to_dict(), ensure_ascii=False, separators=(",", ":"))
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def _row(eul: EndUserList) -> dict:
    from exportscreen.audit import _user, utcnow

    text, digest = _content(eul)
    return {
        "list_date": eul.list_date.isoformat(),
        "effective": eul.effective.isoformat(),
        "source_name": eul.source_name,
        "sha256": eul.sha256,
        "content": text,
        "content_sha256": digest,
        "imported": utcnow(),
        "imported_by": _user(),
    }


def import_list(path, list_date=None, effective=None, home=None, replace: bool = False) -> EndUserList:
    """Parse METI's End User List workbook, validate it, store it as a dated version in the store and return it.

    ``list_date`` defaults to the date in the file name (``20250929_4.xlsx``); ``effective`` (the date
    the list applies from) defaults to ``list_date``. Nothing is stored when anything is wrong. A list date
    already stored with other content (other entries or another effective date) is replaced only when
    ``replace`` is given. Each import is recorded in the audit log, a run of kind ``eul_import`` with the
    file's name and SHA-256: status ``ok``, or ``failed`` when it was refused. ``home``: another
    EXPORTSCREEN_HOME (its store)."""
    from exportscreen.audit import default_url, open_log

    path = files.check_source(path)  # an ordinary file: a FIFO or a device is not opened
    if path.stat().st_size > MAX_FILE_BYTES:
        raise UserError(
            f"{path.name}: {MAX_FILE_BYTES // 2**20} MB を超えます。外国ユーザーリストのブックではないと考えられます",
            f"{path.name}: larger than {MAX_FILE_BYTES // 2**20} MB; not an End User List workbook",
        )
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    st = _store(home)
    log = open_log(None if home is None else default_url(home))  # the log of that home, as its list
    with log.run(kind="eul_import", file=path, file_sha256=digest):
        ld = _as_date(list_date, "--date") or date_from_name(path.name)
        if ld is None:
            raise UserError(
                f"{path.name}: ファイル名に日付がありません。リストの日付を --date で指定してください（例 2025-09-29）",
                f"{path.name}: no date in the file name; give the list date with --date (e.g. 2025-09-29)",
            )
        eff = _as_date(effective, "--effective") or ld
        _sheet, entries = parse_workbook(path)
        eul = EndUserList(ld, eff, tuple(entries), path.name, digest)
        with st.write() as conn:
            if not replace:
                _refuse_other_content(_stored(conn, ld), eul)
            conn.execute(versions_t.delete().where(versions_t.c.list_date == ld.isoformat()))
            conn.execute(versions_t.insert().values(**_row(eul)))
    return eul


def _store(home=None):
    from exportscreen.store import open_store

    _import_files(home)
    return open_store(home=home)


def _stored(conn, list_date: date) -> EndUserList | None:
    row = conn.execute(
        select(versions_t.c.content, versions_t.c.content_sha256).where(versions_t.c.list_date == list_date.isoformat())
    ).first()
    return _parsed(row.content_sha256, row.content) if row is not None else None


def _refuse_other_content(old: EndUserList | None, new: EndUserList) -> None:
    """Refuse to replace the version stored for the same list date by one that says something else."""
    if old is None or (old.entries, old.effective) == (new.entries, new.effective):
        return  # new, or the same list again (another copy of the file): stored again, nothing changes
    day = new.list_date.isoformat()
    was = f"{len(old.entries)} → {len(new.entries)}"
    raise UserError(
        f"リストの日付 {day} の外国ユーザーリストは取込済みで、内容が違います（{was} 件"
        f"{f'、施行 {old.effective} → {new.effective}' if old.effective != new.effective else ''}）。"
        "置き換えるときは --replace を付けてください",
        f"an End User List dated {day} is already stored with different content ({was} entries"
        f"{f'; effective {old.effective} → {new.effective}' if old.effective != new.effective else ''}); "
        "give --replace to replace it",
    )


_lists: dict[str, EndUserList] = {}  # content SHA-256 -> the list (parsed once per process)


def _parsed(digest: str, content: str) -> EndUserList:
    eul = _lists.get(digest)
    if eul is None:
        if len(_lists) >= 64:
            _lists.clear()
        eul = _lists[digest] = EndUserList.from_dict(json.loads(content))
    return eul


def clear_cache() -> None:
    """Forget the lists parsed (they are read from the store again)."""
    _lists.clear()


def load_lists(home=None) -> tuple[EndUserList, ...]:
    """Every stored version, oldest first (by effective date, then list date); () when none. A version already
    parsed in this process is not read again (the store is asked for the content hashes only)."""
    st = _store(home)
    with st.read() as conn:
        rows = conn.execute(select(versions_t.c.list_date, versions_t.c.content_sha256)).all()
        lists = []
        for row in rows:
            eul = _lists.get(row.content_sha256)
            if eul is None:
                content = conn.execute(
                    select(versions_t.c.content).where(versions_t.c.list_date == row.list_date)
                ).scalar_one()
                try:
                    eul = _parsed(row.content_sha256, content)
                except (ValueError, KeyError, TypeError) as exc:
                    raise UserError(
                        f"保存済みの外国ユーザーリスト {row.list_date} が読めません（{exc}）。"
                        "取り込み直してください（--replace）",
                        f"stored End User List {row.list_date} is unreadable ({exc}); re-import it (--replace)",
                    ) from None
            lists.append(eul)
    return tuple(sorted(lists, key=lambda e: (e.effective, e.list_date)))


def _import_files(home=None) -> None:
    """Move the versions an earlier version kept as files (``home()/eul/eul-<date>.json``) into the store, once:
    each file is read and validated, stored unless the store has a version for its list date (the store's stays;
    a different one is reported on stderr), recorded in the audit log (a run of kind ``eul_import``), and renamed
    to ``….json.imported`` after the commit (kept as it was, never read again). Idempotent; processes doing it at
    once store each version once (the insert and its check are one write transaction)."""
    folder = eul_dir(home)
    paths = sorted(folder.glob(f"{STORE_PREFIX}*.json")) if folder.is_dir() else []
    if not paths:
        return
    from exportscreen.audit import default_url, open_log
    from exportscreen.store import open_store

    st = open_store(home=home)
    log = open_log(None if home is None else default_url(home))
    for p in paths:
        try:
            data = p.read_bytes()
            eul = EndUserList.from_dict(json.loads(data))
        except FileNotFoundError:
            continue  # another process imported and renamed it
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UserError(
                f"保存済みの外国ユーザーリスト {p} が読めません（{exc}）。元のブックを取り込み直して、このファイルを"
                "削除してください",
                f"stored End User List {p} is unreadable ({exc}); import its workbook again and delete this file",
            ) from None
        with log.run(kind="eul_import", file=p, file_sha256=hashlib.sha256(data).hexdigest()):
            with st.write() as conn:
                old = _stored(conn, eul.list_date)
                if old is None:
                    conn.execute(versions_t.insert().values(**_row(eul)))
        if old is not None and (old.entries, old.effective) != (eul.entries, eul.effective):
            from exportscreen.messages import tr

            day = eul.list_date
            ja = f"リストの日付 {day} は保存済みの版と内容が違います。保存済みの版を使います"
            en = f"the store's End User List of {day} differs from this file; the store's is kept"
            print(f"exportscreen: {p.name}: {tr(ja, en)}", file=sys.stderr)
        with suppress(FileNotFoundError):
            p.rename(p.with_name(p.name + FILE_SUFFIX))


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
