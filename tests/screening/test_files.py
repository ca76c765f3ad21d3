"""Safe file writing (exportscreen/files.py): atomic replacement, permissions, the "open in Excel" check and
the write lock."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from exportscreen import files
from exportscreen.errors import UserError

REPO = Path(__file__).resolve().parents[2]


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~"))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


# -------------------------------------------------------------------------------------------- atomic_write
def test_atomic_write_replaces_content(tmp_path):
    target = tmp_path / "out.csv"
    target.write_bytes(b"old content that is longer than the new one\n")
    files.atomic_write(target, lambda fh: fh.write(b"new\r\n"))
    assert target.read_bytes() == b"new\r\n"
    files.write_bytes(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    files.write_text(target, "判定,理由\r\n", encoding="utf-8-sig")
    assert target.read_bytes() == "\ufeff判定,理由\r\n".encode()
    assert _temporaries(tmp_path) == []


def test_the_callback_gets_a_private_binary_file_beside_the_target(tmp_path):
    seen = {}

    def write(fh):
        seen["names"] = _temporaries(tmp_path)
        seen["mode"] = stat.S_IMODE(os.fstat(fh.fileno()).st_mode)
        fh.write(b"x")

    files.atomic_write(tmp_path / "book.xlsx", write)
    assert len(seen["names"]) == 1 and seen["names"][0].startswith(".~book.xlsx.")
    assert seen["mode"] == 0o600  # nobody else reads a half-written file
    assert (tmp_path / "book.xlsx").read_bytes() == b"x"


@pytest.mark.parametrize("exc", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_failure_in_the_callback_leaves_the_target_and_no_temporary(tmp_path, exc):
    target = tmp_path / "orders.xlsx"
    target.write_bytes(b"PK original bytes")
    os.chmod(target, 0o640)
    before = target.read_bytes()

    def write(fh):
        fh.write(b"half of the new workbook")
        fh.flush()
        raise exc

    with pytest.raises(type(exc)):
        files.atomic_write(target, write)
    assert target.read_bytes() == before and _mode(target) == 0o640
    assert _temporaries(tmp_path) == []


def test_failure_for_a_new_file_creates_nothing(tmp_path):
    with pytest.raises(ValueError):
        files.atomic_write(tmp_path / "new.xlsx", lambda fh: (_ for _ in ()).throw(ValueError("no")))
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(UnicodeEncodeError):
        files.write_text(tmp_path / "xlwings.conf", "C:\\ユーザー", encoding="ascii")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_an_error_and_nothing_is_written(tmp_path):
    with pytest.raises(UserError, match=r"could not write folder.csv \(No such file or directory\)") as exc:
        files.write_bytes(tmp_path / "no" / "such" / "folder.csv", b"x")
    assert exc.value.ja.startswith("folder.csv に書き込めませんでした（フォルダがありません）")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("umask, expected", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_a_new_file_gets_the_ordinary_permissions_of_the_umask(tmp_path, umask, expected):
    old = os.umask(umask)
    try:
        files.write_bytes(tmp_path / "new.csv", b"x")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "new.csv") == expected


def test_an_existing_file_keeps_its_permissions(tmp_path, umask_022):
    target = tmp_path / "orders.csv"
    for mode in (0o600, 0o640, 0o664):
        target.write_bytes(b"old")
        os.chmod(target, mode)
        files.write_bytes(target, b"new", mode=0o644, mode_from=__file__)
        assert _mode(target) == mode and target.read_bytes() == b"new"


def test_a_new_file_gets_mode_or_the_mode_of_mode_from(tmp_path, umask_022):
    src = tmp_path / "src.xlsx"
    src.write_bytes(b"src")
    os.chmod(src, 0o640)
    files.write_bytes(tmp_path / "copy.xlsx", b"x", mode_from=src)
    assert _mode(tmp_path / "copy.xlsx") == 0o640
    files.write_bytes(tmp_path / "explicit.xlsx", b"x", mode=0o600, mode_from=src)
    assert _mode(tmp_path / "explicit.xlsx") == 0o600
    files.write_bytes(tmp_path / "gone.xlsx", b"x", mode_from=tmp_path / "missing.xlsx")
    assert _mode(tmp_path / "gone.xlsx") == 0o644


# ------------------------------------------------------------------------------------------ refuse_if_open
@pytest.mark.parametrize("owner", ["~$orders.xlsx", ".~lock.orders.xlsx#", "~$ders.xlsx"])
def test_owner_file_means_open_in_excel_or_libreoffice(tmp_path, owner):
    wb = tmp_path / "orders.xlsx"
    wb.write_bytes(b"")
    files.refuse_if_open(wb)
    (tmp_path / owner).write_bytes(b"owner")
    with pytest.raises(UserError, match="open in Excel") as exc:
        files.refuse_if_open(wb)
    assert "\n" not in str(exc.value) and owner in str(exc.value) and str(exc.value).startswith("orders.xlsx ")


def test_owner_files_of_another_workbook_do_not_count(tmp_path):
    wb = tmp_path / "orders.xlsx"
    (tmp_path / "~$other.xlsx").write_bytes(b"owner")
    (tmp_path / ".~lock.orders.xlsm#").write_bytes(b"owner")
    files.refuse_if_open(wb)
    assert [p.name for p in files.owner_files(wb)] == ["~$orders.xlsx", ".~lock.orders.xlsx#", "~$ders.xlsx"]


# ------------------------------------------------------------------------------------------- workbook_lock
def _lock_in_subprocess(path: Path, then: str = "") -> subprocess.CompletedProcess:
    code = (
        "import os, sys\n"
        "from exportscreen import files\n"
        "from exportscreen.errors import UserError\n"
        "try:\n"
        f"    with files.workbook_lock({str(path)!r}):\n"
        f"        {then or 'pass'}\n"
        "except UserError as exc:\n"
        "    print(exc); sys.exit(3)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60, check=False
    )


def test_lock_is_exclusive_and_stale_lock_is_taken_over(tmp_path):
    wb = tmp_path / "book.xlsx"
    wb.write_bytes(b"")
    with files.workbook_lock(wb) as lock:
        assert lock.exists() and lock.read_text() == f"{os.getpid()}\n"
        with pytest.raises(UserError, match="another exportscreen run"), files.workbook_lock(wb):
            pass
    assert not lock.exists()
    lock.write_text("99999\n")  # left behind by a dead process: nobody holds the flock
    with files.workbook_lock(wb):
        assert lock.read_text() == f"{os.getpid()}\n"
    assert not lock.exists()


def test_lock_refuses_another_process(tmp_path):
    wb = tmp_path / "book.xlsx"
    with files.workbook_lock(wb) as lock:
        p = _lock_in_subprocess(wb)
        assert p.returncode == 3, p.stderr
        assert "book.xlsx is being written by another exportscreen run" in p.stdout
        assert lock.exists()
    p = _lock_in_subprocess(wb)
    assert p.returncode == 0, p.stderr


def test_lock_of_a_killed_process_is_taken_over(tmp_path):
    wb = tmp_path / "book.xlsx"
    p = _lock_in_subprocess(wb, then="os._exit(9)")  # dies holding the lock: no clean-up
    assert p.returncode == 9, p.stderr
    lock = tmp_path / ".~exportscreen-book.xlsx.lock"
    assert lock.exists()
    with files.workbook_lock(wb) as held:
        assert held == lock and lock.read_text() == f"{os.getpid()}\n"
        assert _lock_in_subprocess(wb).returncode == 3
    assert not lock.exists()


def test_lock_file_removed_by_its_holder_after_we_opened_it_is_not_the_lock(tmp_path, monkeypatch):
    """A holder that releases (removes the file) between our open and our flock: flock on the removed file
    would succeed while a third process creates and locks a new file. The lock is only held on the file
    that is at the lock path."""
    wb = tmp_path / "book.xlsx"
    lock = tmp_path / ".~exportscreen-book.xlsx.lock"
    lock.write_text("1\n")  # the other holder's file, which we open
    real = files._try_lock
    calls = []

    def try_lock(fd):
        if not calls:
            lock.unlink()  # the holder releases
        calls.append(fd)
        return real(fd)

    monkeypatch.setattr(files, "_try_lock", try_lock)
    with files.workbook_lock(wb):
        assert len(calls) == 2  # the first file was given up, the lock is on a new one
        assert _lock_in_subprocess(wb).returncode == 3
    assert not lock.exists()


# ------------------------------------------------------------------------------- long names and leftovers
def test_names_beside_a_long_name_are_hashed(tmp_path):
    name = "注" * 81 + ".xlsx"  # 248 bytes: the longest names an ext4 folder takes
    target = tmp_path / name
    files.write_bytes(target, b"x")
    assert target.read_bytes() == b"x" and _temporaries(tmp_path) == []
    with files.workbook_lock(target) as lock:
        assert len(lock.name.encode()) <= files.NAME_MAX and lock.name.startswith(".~exportscreen-")
    short = tmp_path / "book.xlsx"
    with files.workbook_lock(short) as lock:
        assert lock.name == ".~exportscreen-book.xlsx.lock"  # a name that fits stays readable


def test_leftovers_of_a_dead_writer_are_removed_and_only_those(tmp_path):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"book")
    dead = tmp_path / ".~book.xlsx.0badc0de.tmp"  # no process holds it
    dead.write_bytes(b"half a workbook")
    others = [".~book.xlsx.0badc0de.tmp.keep", ".~book.xlsx.notours.tmp", ".~other.xlsx.0badc0de.tmp", "~$book.xlsx"]
    for n in others:
        (tmp_path / n).write_bytes(b"not ours")
    assert files.remove_leftovers(target) == [dead]
    assert _temporaries(tmp_path) == sorted(n for n in others if n.startswith(".~"))
    files.write_bytes(target, b"new")
    assert target.read_bytes() == b"new"


def test_a_live_writers_temporary_file_is_not_a_leftover(tmp_path):
    """Another process in the middle of atomic_write: its temporary file is locked and stays."""
    target = tmp_path / "book.xlsx"
    code = (
        "import sys\n"
        "from exportscreen import files\n"
        "def write(fh):\n"
        "    fh.write(b'new'); print('writing', flush=True); sys.stdin.readline()\n"
        f"files.atomic_write({str(target)!r}, write)\n"
    )
    writer = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
        (live,) = _temporaries(tmp_path)
        assert files.remove_leftovers(target) == [] and _temporaries(tmp_path) == [live]
    finally:
        writer.communicate("\n", timeout=60)
    assert writer.returncode == 0 and target.read_bytes() == b"new" and _temporaries(tmp_path) == []


# ---------------------------------------------------------------------------------------------- fingerprint
def test_fingerprint_notices_any_change(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes(b"a,b\r\n1,2\r\n")
    fp = files.Fingerprint.take(path)
    assert fp.size == 10 and len(fp.sha256) == 64 and not fp.changed()
    fp.check()
    st = path.stat()
    path.write_bytes(b"a,b\r\n1,3\r\n")  # same size, and the same modification time put back
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert fp.changed()
    with pytest.raises(UserError, match="orders.csv changed while it was being screened") as exc:
        fp.check()
    assert "\n" not in exc.value.ja and exc.value.ja.startswith("orders.csv は判定中に変更されました")
    path.unlink()
    assert fp.changed()


# ---------------------------------------------------------------------------------------- check_target
def test_what_may_be_replaced(tmp_path):
    files.check_target(tmp_path / "new.xlsx")  # not there yet
    ok = tmp_path / "ok.xlsx"
    ok.write_bytes(b"x")
    files.check_target(ok)
    ro = tmp_path / "ro.xlsx"
    ro.write_bytes(b"x")
    os.chmod(ro, 0o444)
    (tmp_path / "link.xlsx").symlink_to(ok)
    os.mkfifo(tmp_path / "fifo.xlsx")
    for name, words in [
        ("ro.xlsx", "is read-only"),
        ("link.xlsx", "is a symbolic link"),
        ("fifo.xlsx", "is not an ordinary file"),
    ]:
        with pytest.raises(UserError, match=words):
            files.check_target(tmp_path / name)
    with pytest.raises(UserError, match="is a folder"):
        files.check_target(tmp_path)
    with pytest.raises(UserError, match="/dev/null is not an ordinary file"):
        files.check_target(os.devnull)
    assert files.check_source(tmp_path / "link.xlsx") == tmp_path / "link.xlsx"  # reading through a link is fine
    for bad in (tmp_path / "fifo.xlsx", Path("/dev/zero"), tmp_path, tmp_path / "missing.xlsx"):
        with pytest.raises(UserError):
            files.check_source(bad)


def test_atomic_write_never_renames_over_a_folder_fifo_or_device(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    targets = [tmp_path / "fifo", tmp_path / "folder"]
    if os.geteuid() == 0:  # a /dev/null of our own: as root, a rename over it would replace the device
        os.mknod(tmp_path / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
        targets.append(tmp_path / "null")
    for target in targets:
        with pytest.raises(UserError, match="is not an ordinary file|is a folder"):
            files.write_bytes(target, b"x")
        assert not stat.S_ISREG(os.lstat(target).st_mode)
    assert _temporaries(tmp_path) == []


def test_lock_is_mutually_exclusive_under_contention(tmp_path):
    """Processes taking and releasing the lock of one file as fast as they can (the holder removes the lock file
    while still holding it): whoever holds it creates a marker with O_EXCL, which fails if another holds it too."""
    wb = tmp_path / "book.xlsx"
    marker = tmp_path / "holder"
    code = (
        "import os, sys\n"
        "from exportscreen import files\n"
        "from exportscreen.errors import UserError\n"
        "held = 0\n"
        "for _ in range(300):\n"
        "    try:\n"
        f"        with files.workbook_lock({str(wb)!r}):\n"
        f"            fd = os.open({str(marker)!r}, os.O_CREAT | os.O_EXCL | os.O_WRONLY)\n"
        "            os.close(fd); held += 1\n"
        f"            os.unlink({str(marker)!r})\n"
        "    except UserError:\n"
        "        pass\n"
        "    except FileExistsError:\n"
        "        sys.exit('two holders at once')\n"
        "print(held)\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
        for _ in range(4)
    ]
    out = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], out
    assert sum(int(o) for o, _ in out) > 0 and not marker.exists() and _temporaries(tmp_path) == []
