"""Hostile and clumsy files around ``exportscreen screen``: symbolic links, FIFOs, devices, read-only files,
folders as --out, very long names, a full disk, concurrent runs, a killed run's leftovers and a file changed
while it is screened. Each case checks the exit status, the one line on stderr and that the files are
byte for byte as they were."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from exportscreen import cli, files, orders, screening, xlsxpatch
from exportscreen.audit import open_log

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "workbook_templates" / "sample_orders.xlsx"
CSV = "仕向地,品目,需要者\r\n米国,非該当,Acme\r\n北朝鮮,非該当,Acme\r\n"


@pytest.fixture
def sample(tmp_path) -> Path:
    p = tmp_path / "orders.xlsx"
    shutil.copyfile(SAMPLE, p)
    return p


def _refused(argv: list[str], capsys, *words: str) -> str:
    """Run the command; it must exit 2 with one line on stderr (no traceback) holding ``words``."""
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("exportscreen: ") and "Traceback" not in err, err
    for w in words:
        assert w in err, err
    return err


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~"))


def _cli(*args: str, timeout: float = 60, code: str | None = None) -> subprocess.CompletedProcess:
    """exportscreen in its own process (with ``code`` run first, e.g. to simulate a crash)."""
    script = (code or "") + "\nimport sys\nfrom exportscreen import cli\nsys.exit(cli.main(sys.argv[1:]))\n"
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=timeout,
        check=False,
        env={**os.environ, "EXPORTSCREEN_LANG": "en"},
    )


def _one_line(p: subprocess.CompletedProcess, *words: str) -> None:
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr, p.stderr
    for w in words:
        assert w in p.stderr, p.stderr


# ------------------------------------------------------------------------------ what is read and replaced
def test_symbolic_link_is_not_written_in_place(sample, capsys):
    link = sample.with_name("link.xlsx")
    link.symlink_to(sample)
    before = sample.read_bytes()
    _refused(["screen", str(link)], capsys, "link.xlsx はシンボリックリンクです")
    assert link.is_symlink() and sample.read_bytes() == before
    # read through the link into a copy is fine; so is writing the file it points to
    assert cli.main(["screen", str(link), "--out", str(sample.with_name("copy.xlsx"))]) == 0
    _refused(["screen", str(sample), "--out", str(link), "--lang", "en"], capsys, "link.xlsx is a symbolic link")
    assert sample.read_bytes() == before and link.is_symlink()


def test_read_only_file_is_not_written(sample, capsys):
    os.chmod(sample, 0o444)
    before = sample.read_bytes()
    _refused(["screen", str(sample)], capsys, "orders.xlsx は読み取り専用です")
    assert sample.read_bytes() == before and stat.S_IMODE(sample.stat().st_mode) == 0o444
    copy = sample.with_name("copy.xlsx")
    assert cli.main(["screen", str(sample), "--out", str(copy)]) == 0
    os.chmod(copy, 0o400)
    copied = copy.read_bytes()
    _refused(["screen", str(sample), "--out", str(copy), "--lang", "en"], capsys, "copy.xlsx is read-only")
    assert copy.read_bytes() == copied


def test_out_to_a_device_or_a_folder_is_refused(sample, tmp_path, capsys):
    before = sample.read_bytes()
    _refused(["screen", str(sample), "--out", os.devnull, "--lang", "en"], capsys, "/dev/null is not an ordinary")
    folder = tmp_path / "screened.xlsx"
    folder.mkdir()
    _refused(["screen", str(sample), "--out", str(folder), "--lang", "en"], capsys, "screened.xlsx is a folder")
    _refused(["screen", str(sample), "--out", str(tmp_path)], capsys, "はフォルダです")
    assert sample.read_bytes() == before and list(folder.iterdir()) == [] and _leftovers(tmp_path) == []


def test_fifo_is_neither_read_nor_written(sample, tmp_path):
    """In their own processes with a timeout: opening a FIFO would block for ever."""
    fifo = tmp_path / "orders.csv"
    os.mkfifo(fifo)
    _one_line(_cli("screen", str(fifo)), "orders.csv: not an ordinary file (a FIFO or a device)")
    _one_line(_cli("screen", str(fifo), "--out", str(tmp_path / "out.csv")), "not an ordinary file")
    before = sample.read_bytes()
    _one_line(_cli("screen", str(sample), "--out", str(fifo)), "orders.csv is not an ordinary file")
    _one_line(_cli("screen", "/dev/zero", "--out", str(tmp_path / "z.csv")), "zero: not an ordinary file")
    _one_line(_cli("rescreen", str(fifo)), "orders.csv: not an ordinary file")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and sample.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["orders.csv", "orders.xlsx"]


def test_folder_as_input_is_refused(tmp_path, capsys):
    (tmp_path / "orders.xlsx").mkdir()
    _refused(["screen", str(tmp_path / "orders.xlsx"), "--lang", "en"], capsys, "orders.xlsx: a folder, not a file")


# -------------------------------------------------------------------------------------------- long names
def test_a_name_of_250_bytes_is_screened_in_place(tmp_path, capsys):
    """Its lock file and temporary file would be longer than NAME_MAX: they are named by a hash."""
    name = "受注" * 40 + ".xlsx"  # 245 bytes in UTF-8
    path = tmp_path / name
    shutil.copyfile(SAMPLE, path)
    assert cli.main(["screen", str(path)]) == 0
    assert "12 行を判定しました" in capsys.readouterr().out
    assert path.read_bytes() != SAMPLE.read_bytes() and _leftovers(tmp_path) == []
    with files.workbook_lock(path) as lock:
        assert len(lock.name.encode()) <= files.NAME_MAX and lock.name.startswith(".~exportscreen-")


def test_out_with_a_name_longer_than_the_file_system_allows(sample, tmp_path, capsys):
    before = sample.read_bytes()
    out = tmp_path / ("x" * 300 + ".xlsx")
    _refused(["screen", str(sample), "--out", str(out)], capsys, "ファイル名が長すぎます")
    _refused(["screen", str(sample), "--out", str(out), "--lang", "en"], capsys, "File name too long")
    assert sample.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["orders.xlsx"]


# -------------------------------------------------------------------------------------------- full disk
@pytest.fixture
def small_disk(tmp_path):
    """A 64 KiB tmpfs (needs root and a kernel that lets us mount): a real ENOSPC."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True, check=False)
    if p.returncode:
        pytest.skip(f"cannot mount a tmpfs: {p.stderr!r}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_disk_full_leaves_the_file_and_no_temporary(small_disk, capsys):
    path = small_disk / "orders.csv"
    path.write_text(CSV + "米国,非該当,Acme\r\n" * 1000, encoding="utf-8")  # 24 KB; its screened copy does not fit
    before = path.read_bytes()
    _refused(["screen", str(path)], capsys, "orders.csv に書き込めませんでした（ディスクの空きがありません）")
    _refused(["screen", str(path), "--lang", "en"], capsys, "No space left on device", "orders.csv was not changed")
    assert path.read_bytes() == before and _leftovers(small_disk) == []


def test_disk_full_at_fsync(tmp_path, capsys, monkeypatch):
    """Where a tmpfs cannot be mounted: ENOSPC as the file system reports it at fsync."""
    path = tmp_path / "orders.csv"
    path.write_bytes(CSV.encode())

    real = os.fsync

    def full(fd):  # the temporary file beside orders.csv (not, say, the audit log's files)
        if os.readlink(f"/proc/self/fd/{fd}").startswith(str(tmp_path / ".~orders.csv.")):
            raise OSError(28, os.strerror(28))
        real(fd)

    monkeypatch.setattr(os, "fsync", full)
    _refused(["screen", str(path), "--lang", "en"], capsys, "could not write orders.csv (No space left on device)")
    assert path.read_bytes() == CSV.encode() and _leftovers(tmp_path) == []


# ------------------------------------------------------------------------------------- changed meanwhile
@pytest.mark.parametrize("how", ["saved", "same size and time", "removed"])
def test_file_changed_while_screening_is_not_written(tmp_path, capsys, monkeypatch, how):
    path = tmp_path / "orders.csv"
    path.write_bytes(CSV.encode())
    clerk = CSV.replace("Acme", "Acne").encode()  # the clerk's edit, saved while we screen
    read = orders.read_order_table

    def read_then_change(*a, **kw):
        table = read(*a, **kw)
        st = path.stat()
        if how == "removed":
            path.unlink()
        else:
            path.write_bytes(clerk if how != "saved" else clerk + "英国,非該当,X\r\n".encode())
        if how == "same size and time":
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
            assert path.stat().st_size == st.st_size
        return table

    monkeypatch.setattr(screening.orders, "read_order_table", read_then_change)
    _refused(["screen", str(path), "--lang", "en"], capsys, "orders.csv changed while it was being screened")
    if how == "removed":
        assert not path.exists()
    else:
        assert path.read_bytes().startswith(clerk)
    assert _leftovers(tmp_path) == []


def test_workbook_changed_while_it_is_written_is_not_replaced(sample, capsys, monkeypatch):
    """The workbook is read again while its screened copy is written: checked once more just before the rename."""
    before = sample.read_bytes()
    patch = xlsxpatch.patch_workbook

    def patch_while_the_clerk_saves(src, dst, *a, before_replace, **kw):
        def save_then(tmp):
            with open(src, "ab") as fh:
                fh.write(b"\0")
            before_replace(tmp)

        return patch(src, dst, *a, before_replace=save_then, **kw)

    monkeypatch.setattr(screening.xlsxpatch, "patch_workbook", patch_while_the_clerk_saves)
    _refused(["screen", str(sample), "--lang", "en"], capsys, "orders.xlsx changed while it was being screened")
    assert sample.read_bytes() == before + b"\0" and _leftovers(sample.parent) == []
    run = open_log().runs()[0]
    assert run["kind"] == "screen" and run["status"] == "failed"
    assert cli.main(["audit", "verify"]) == 0, capsys.readouterr()


# ------------------------------------------------------------------------------------- concurrent runs
def test_a_run_waiting_for_the_lock_is_refused(sample):
    holder = subprocess.Popen(
        [sys.executable, "-c", f"from exportscreen import files\nwith files.workbook_lock({str(sample)!r}):\n"
         "    print('held', flush=True); input()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        before = sample.read_bytes()
        _one_line(_cli("screen", str(sample)), "orders.xlsx is being written by another exportscreen run")
        assert sample.read_bytes() == before
    finally:
        holder.communicate("\n", timeout=60)
    assert holder.returncode == 0 and _leftovers(sample.parent) == []


def test_concurrent_runs_on_one_file(sample):
    """Four processes at once: each either writes (exit 0) or is refused with one line (exit 2): it found the
    lock held, or the file already written by another; the result is one run's complete output."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "exportscreen.cli", "screen", str(sample), "--date", "2026-01-05"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env={**os.environ, "EXPORTSCREEN_LANG": "en"},
        )  # fmt: skip
        for _ in range(4)
    ]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    assert {code for code, _, _ in results} <= {0, 2} and any(code == 0 for code, _, _ in results), results
    for code, _, err in results:
        if code == 2:
            assert err.count("\n") == 1 and ("another exportscreen run" in err or "changed while" in err), err
    table = orders.read_order_table(sample)
    assert len(table.lines) == 12 and _leftovers(sample.parent) == []
    import python_calamine as pc

    got = pc.CalamineWorkbook.from_path(str(sample)).get_sheet_by_name("受注一覧").to_python()
    assert [r[9] for r in got[3:15]].count("Prohibited") == 1 and all(r[9] for r in got[3:15])


# ------------------------------------------------------------------------------------------ killed runs
KILLED_AT_FSYNC = textwrap.dedent(
    """
    import os
    os.fsync = lambda fd: os._exit(9)  # killed when the new workbook has been written, before its rename
    """
)


def test_a_killed_runs_leftovers_are_removed_by_the_next_run(sample):
    before = sample.read_bytes()
    p = _cli("screen", str(sample), code=KILLED_AT_FSYNC)
    assert p.returncode == 9, p.stderr
    left = _leftovers(sample.parent)
    assert sample.read_bytes() == before
    assert ".~exportscreen-orders.xlsx.lock" in left and any(n.endswith(".tmp") for n in left), left
    p = _cli("screen", str(sample))
    assert p.returncode == 0, p.stderr
    assert _leftovers(sample.parent) == [] and sample.read_bytes() != before
