"""CSV keeps what it found: delimiter, line endings, encoding, quoting and every byte of the clerk's cells; only
our 判定/理由 fields are written (and escaped); odd and hostile files are refused with one line, untouched."""

from __future__ import annotations

import csv
import os
import re

import pytest

from exportscreen import cli, csvfile, render, screening
from exportscreen.errors import UserError

DECISIONS = ("輸出禁止", "許可要", "要確認", "許可不要", "入力エラー")


def _records(delim: str, eol: str, enc: str) -> list[tuple[bytes, bytes, str | None]]:
    """(raw body, raw line ending, the decision expected or None for a line we leave alone) of a hostile csv."""
    d = delim
    body = [
        ("受注一覧（" + d + "テスト）", None),  # a title, the delimiter inside it
        (d.join(["受注番号", "仕向地", "品目", "需要者", "備考"]), "header"),
        (d.join(["SO-1", "北朝鮮", "非該当", '=HYPERLINK("http://x")', "＝SUM(A1)"]), "輸出禁止"),
        (d.join(["SO-2", "米国", "7の項(1)", '"髙橋①㈱' + d + ' 本社"', '"二行の' + "\n" + '備考"']), "許可要"),
        (d.join(["SO-3", "ドイツ", "非該当", '"A ""Big"" Co."', " =1+2"]), "許可不要"),
        (d.join(["", "", "", "", ""]), None),  # a blank row
        (d.join(["合計", "", "", "", "@SUM(B1)"]), None),  # a totals row
        (d.join(["SO-4", "Atlantis", "非該当", "-x", "+cmd|' /C calc'!A0"]), "入力エラー"),
    ]
    codec = "utf-8" if enc == "utf-8-sig" else enc  # the BOM once, at the start of the file
    return [(b.encode(codec), eol.encode(), want) for b, want in body]


def _expected_pattern(records, delim: bytes) -> re.Pattern:
    """The output must be each source record's bytes as they were, with our two fields appended to the header
    and to each order line (before the record's own line ending), nothing else."""
    field = rb'("(?:[^"]|"")*"|[^' + delim + rb'"\r\n]*)'
    parts = []
    for body, eol, want in records:
        ours = re.escape(delim) + field + re.escape(delim) + field if want else b""
        parts.append(re.escape(body) + ours + re.escape(eol))
    return re.compile(b"".join(parts), re.S)


def _unquote(raw: bytes, enc: str) -> str:
    return next(csv.reader([raw.decode(enc)]))[0] if raw else ""


@pytest.mark.parametrize("enc", ["utf-8", "utf-8-sig", "cp932"])
@pytest.mark.parametrize("eol", ["\r\n", "\n", "\r"])
@pytest.mark.parametrize("delim", [",", ";", "\t"])
def test_each_delimiter_line_ending_and_encoding_is_kept_byte_for_byte(tmp_path, delim, eol, enc):
    records = _records(delim, eol, enc)
    records[-1] = (records[-1][0], b"", records[-1][2])  # and no final newline
    bom = b"\xef\xbb\xbf" if enc == "utf-8-sig" else b""
    src = tmp_path / "orders.csv"
    src.write_bytes(bom + b"".join(b + e for b, e, _ in records))
    before = src.read_bytes()
    out = tmp_path / "out.csv"
    summary = screening.screen_file(src, out=out, show_progress=False)
    assert src.read_bytes() == before  # --out: the source untouched
    assert summary.lines == 4 and summary.skipped == {"blank": 1, "totals row": 1}
    got = out.read_bytes()
    assert got.startswith(bom) and (enc == "utf-8-sig" or not got.startswith(b"\xef\xbb\xbf"))
    m = _expected_pattern(records, delim.encode()).fullmatch(got[len(bom) :])
    assert m is not None, got
    codec = "cp932" if enc == "cp932" else "utf-8"
    ours = [_unquote(g, codec) for g in m.groups()]
    assert ours[:2] == ["判定", "理由"]
    wanted = [want for _, _, want in records if want and want != "header"]
    assert ours[2::2] == wanted
    assert all("[規則 R" in reason for reason in ours[3::2])
    # screened again, in place: our fields are replaced where they are, the clerk's bytes still as they were
    screening.screen_file(out, show_progress=False)
    assert out.read_bytes() == got


def test_cp932_characters_with_two_byte_forms_keep_their_bytes(tmp_path):
    # 髙 and ∵ as IBM extensions (0xFBFC, 0xFA5B): Python encodes them back as 0xEEE0 and 0x81E6, so a file
    # re-encoded would change; the clerk's bytes stay, also in a line we write to
    high, because = b"\xfb\xfc", b"\xfa\x5b"
    src = tmp_path / "sjis.csv"
    data = "仕向地,品目,需要者\r\n".encode("cp932") + "中国,非該当,".encode("cp932") + high + because + b"\r\n"
    src.write_bytes(data)
    screening.screen_file(src, show_progress=False)
    got = src.read_bytes()
    assert got.startswith("仕向地,品目,需要者,判定,理由\r\n".encode("cp932"))
    assert got.split(b"\r\n")[1].startswith("中国,非該当,".encode("cp932") + high + because + b",")
    assert got.decode("cp932").splitlines()[1].split(",")[3] in DECISIONS


def test_quoting_follows_a_header_that_quotes_every_field(tmp_path):
    src = tmp_path / "quoted.csv"
    src.write_bytes(b'"\xe4\xbb\x95\xe5\x90\x91\xe5\x9c\xb0","\xe5\x93\x81\xe7\x9b\xae"\n"US","EAR99"\n')
    screening.screen_file(src, show_progress=False)
    text = src.read_bytes().decode()
    assert text.startswith('"仕向地","品目","判定","理由"\n"US","EAR99","入力エラー","入力エラー: ')
    assert list(csv.reader(text.splitlines(True)))[1][2] == "入力エラー" and text.endswith('"\n')


def test_clerk_cells_right_of_the_header_are_not_overwritten(tmp_path):
    src = tmp_path / "o.csv"
    src.write_text("仕向地,品目\nドイツ,非該当,メモ（見出しなし）,,\n北朝鮮,非該当\n", encoding="utf-8")
    screening.screen_file(src, show_progress=False)
    rows = list(csv.reader(src.read_text(encoding="utf-8").splitlines(True)))
    assert rows[0] == ["仕向地", "品目", "", "判定", "理由"]
    assert rows[1][:3] == ["ドイツ", "非該当", "メモ（見出しなし）"] and rows[1][3] in DECISIONS
    assert rows[2][:2] == ["北朝鮮", "非該当"] and rows[2][3] == "輸出禁止"


def test_delimiter_is_the_one_that_finds_the_header(tmp_path):
    # semicolons with commas in the amounts, tabs with both in the text: the header decides
    src = tmp_path / "semi.csv"
    src.write_text("Country;Item;Value\nGermany;非該当;1,000\n", encoding="utf-8")
    screening.screen_file(src, show_progress=False)
    assert src.read_text(encoding="utf-8").splitlines()[1].startswith("Germany;非該当;1,000;許可不要;")
    src = tmp_path / "tab.txt"
    src.write_text("仕向地\t品目\t備考\nドイツ\t非該当\ta,b;c\n", encoding="utf-8")
    screening.screen_file(src, show_progress=False)
    assert src.read_text(encoding="utf-8").splitlines()[1].startswith("ドイツ\t非該当\ta,b;c\t許可不要\t")


def test_our_cells_are_escaped_and_quoted(tmp_path, monkeypatch):
    # whatever our texts are, a spreadsheet must read them as text: formula starts (also full width, also after
    # spaces), and CR/LF/control characters inside a quoted field
    monkeypatch.setattr(render, "reason_text", lambda d, lang="ja": ' \u3000=HYPERLINK("x")\r\nbell\x07,end')
    monkeypatch.setattr(render, "label", lambda code, lang="ja": "＠SUM(A1)")
    src = tmp_path / "o.csv"
    src.write_text("仕向地,品目\nドイツ,非該当\n", encoding="utf-8")
    screening.screen_file(src, show_progress=False)
    assert src.read_bytes().decode().split("\n", 1)[1] == (
        'ドイツ,非該当,\'＠SUM(A1),"\' \u3000=HYPERLINK(""x"")\r\nbell\x07,end"\n'
    )


@pytest.mark.parametrize(
    "value,expected",
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\nx", "'\nx"),
        ("-2+3", "'-2+3"),
        ("＝1+1", "'＝1+1"),
        ("＋1", "'＋1"),
        ("－1", "'－1"),
        ("＠x", "'＠x"),
        ("  =1", "'  =1"),
        ("\t=1", "'\t=1"),
        ("\u3000＝1", "'\u3000＝1"),
        ("-5", "-5"),
        ("-1,000.5", "-1,000.5"),
        ("米国", "米国"),
        ("a=b", "a=b"),
        (None, ""),
        (12, "12"),
    ],
)
def test_csv_safe(value, expected):
    assert csvfile.csv_safe(value) == expected


def test_our_text_in_cp932_replaces_what_cp932_lacks(tmp_path, monkeypatch):
    monkeypatch.setattr(render, "reason_text", lambda d, lang="ja": "金額 ¥50,000 — 中国语 ☃")
    src = tmp_path / "o.csv"
    src.write_bytes("仕向地,品目\r\nドイツ,非該当\r\n".encode("cp932"))
    screening.screen_file(src, show_progress=False)
    assert src.read_bytes().decode("cp932").splitlines()[1].endswith(',"金額 ￥50,000 ― 中国? ?"')


# ----------------------------------------------------------------------------------------------- refusals
def _refused(path, capsys, *needles: str) -> None:
    before = path.read_bytes()
    assert cli.main(["screen", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".~")] == []


@pytest.mark.parametrize(
    "data,row",
    [
        ("仕向地,品目\nドイツ,非該当\n".encode() + b"\xff\xfe\n", 3),  # UTF-8 already seen: not re-read as CP932
        ("仕向地,品目\n".encode("cp932") + b"\x85\x40,x\n", 2),  # undefined in CP932, invalid UTF-8
        ("仕向地,品目\n".encode("cp932") + b"\xf0\x40,x\n", 2),  # a CP932 user-defined character (外字)
        ("仕向地,品目\n".encode("cp932") + b"M\xfcller,x\n", 2),  # Latin-1 ü: neither UTF-8 nor CP932
        ("仕向地,品目\nドイツ,".encode() + "非該当\n".encode("cp932"), 2),  # one line in each
    ],
)
def test_undecodable_bytes_refuse_the_file(tmp_path, capsys, data, row):
    src = tmp_path / "bad.csv"
    src.write_bytes(data)
    _refused(src, capsys, f"{row} 行目", "UTF-8", "Shift_JIS")


def test_utf16_and_binary_files_are_refused(tmp_path, capsys):
    src = tmp_path / "u16.csv"
    src.write_bytes("仕向地\t品目\r\nドイツ\t非該当\r\n".encode("utf-16"))
    _refused(src, capsys)
    src.write_bytes("仕向地,品目\nドイツ,非該当\n".encode("utf-16-le"))  # no BOM: NUL bytes
    _refused(src, capsys, "テキストファイルではありません")


def test_an_absurdly_long_line_is_refused_without_loading_it(tmp_path, capsys):
    src = tmp_path / "long.csv"
    with open(src, "wb") as fh:
        fh.write("仕向地,品目\nドイツ,非該当,".encode())
        fh.write(b"x" * (3 * csvfile.MAX_LINE))  # no newline
    _refused(src, capsys, "2 行目", "長すぎます")


@pytest.mark.parametrize(
    "tail",
    [
        '"never closed\n' + "more,lines\n" * 20_000,  # the quote would swallow the rest of the file
        '"closed only at the end of the last line',
        '"ends in a quote\n',
    ],
)
def test_a_quote_that_is_never_closed_is_refused(tmp_path, capsys, tail):
    src = tmp_path / "q.csv"
    src.write_text("仕向地,品目,備考\nドイツ,非該当,ok\n北朝鮮,非該当," + tail, encoding="utf-8")
    _refused(src, capsys, "引用符")


def test_a_file_changed_between_read_and_write_is_refused(tmp_path):
    # same size and mtime, other bytes: the hash of the bytes streamed while writing tells
    src = tmp_path / "o.csv"
    src.write_text("仕向地,品目\nドイツ,非該当\n", encoding="utf-8")
    table = csvfile.read_table(src)
    st = src.stat()
    src.write_text("仕向地,品目\nスイス,非該当\n", encoding="utf-8")
    assert src.stat().st_size == st.st_size
    os.utime(src, ns=(st.st_atime_ns, st.st_mtime_ns))
    out = tmp_path / "out.csv"
    with pytest.raises(UserError, match="changed while it was being screened"):
        with open(out, "wb") as fh:
            csvfile.write_table(table.csv, src, fh, {1: {2: "許可不要"}})


def test_mixed_line_endings_and_multiline_fields_are_reproduced(tmp_path):
    data = '仕向地,品目,備考\r\nドイツ,非該当,"a\r\nb\rc\nd"\nフランス,非該当,x\rイタリア,非該当,"""q"""\r\n'.encode()
    src = tmp_path / "mixed.csv"
    src.write_bytes(data)
    screening.screen_file(src, show_progress=False)
    got = src.read_bytes()
    assert got.startswith('仕向地,品目,備考,判定,理由\r\nドイツ,非該当,"a\r\nb\rc\nd",許可不要,'.encode())
    assert "\nフランス,非該当,x,許可不要,".encode() in got and '\rイタリア,非該当,"""q""",許可不要,'.encode() in got
    assert got.count(b"\r\n") == 3 and got.endswith(b'"\r\n')
