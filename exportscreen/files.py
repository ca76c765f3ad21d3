"""Safe file writing for every writer (lossless workbook patch, CSV, audit workbook and PDF, End User List
store, ``xlwings.conf``): atomic replacement, the exclusive write lock, the "is it open in Excel or
LibreOffice" check, and the checks of what may be read and replaced.

* :func:`atomic_write` (and :func:`write_bytes` / :func:`write_text`): the new content goes to a temporary
  file beside the target (``.~<name>.<random>.tmp``, flock-ed while it is written), is flushed and fsync-ed,
  gets its permissions and is renamed over the target; the folder is fsync-ed too. On any exception (including
  one raised by the caller's write callback) the temporary file is removed and the target is left byte for
  byte as it was; an OSError (disk full, no permission, name too long) becomes one :class:`UserError` line.
  Temporary files of the same target left by a killed run (no process holds their lock) are removed first.
* :func:`check_source` / :func:`check_target`: only an ordinary file is read (a FIFO or a device could block
  for ever) and only an ordinary, writable file is replaced (not a symbolic link, folder, FIFO, device or
  read-only file).
* :class:`Fingerprint`: size, mtime and SHA-256 of a file when it is read; :meth:`Fingerprint.check` refuses
  to go on when the file has changed since.
* :func:`refuse_if_open` / :func:`owner_files`: Excel's ``~$name`` and LibreOffice's ``.~lock.name#``.
* :func:`workbook_lock`: one exportscreen run at a time writes a given file.

File names made beside a target (temporary and lock files) use a hash of the target's name when the name
itself would make them longer than the file system allows (NAME_MAX, 255 bytes).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from exportscreen import messages
from exportscreen.errors import UserError

try:
    import fcntl
except ImportError:  # Windows (``exportscreen excel install`` runs there): msvcrt byte-range locks instead
    fcntl = None  # type: ignore[assignment]
    import msvcrt

_O_BINARY = getattr(os, "O_BINARY", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
NAME_MAX = 255  # bytes of a file name (ext4, XFS, APFS, NTFS: 255 characters)


def _name_part(name: str, room: int) -> str:
    """``name`` as part of a file name that adds ``room`` bytes to it: itself when that fits in NAME_MAX, else
    the first 32 hex digits of its SHA-256 (a 250-byte workbook name still gets its lock and temporary file)."""
    raw = os.fsencode(name)
    return name if len(raw) + room <= NAME_MAX else hashlib.sha256(raw).hexdigest()[:32]


def _temp_prefix(target: Path) -> str:
    return f".~{_name_part(target.name, 15)}."  # + 8 hex digits + ".tmp"


def _create_temp(target: Path) -> tuple[int, Path, int]:
    """Create ``.~<name>.<random>.tmp`` beside ``target`` and lock it (flock: its writer is alive). Returns
    (fd, path, the file's ordinary mode): created with 0o666 so that the umask (and any default ACL) decide the
    ordinary permissions, then made private while it is being written."""
    prefix = _temp_prefix(target)
    for _ in range(100):
        tmp = target.parent / f"{prefix}{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
        except FileExistsError:
            continue
        try:
            if fcntl is not None and not (_try_lock(fd) and _same_file(fd, tmp)):
                os.close(fd)  # a clean-up took it for a leftover in the instant before the lock: make another
                continue
            ordinary = os.fstat(fd).st_mode & 0o7777
            os.chmod(tmp, 0o600)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return fd, tmp, ordinary
    raise FileExistsError(errno.EEXIST, f"no free temporary file name beside {target}")


def remove_leftovers(target: str | os.PathLike) -> list[Path]:
    """Remove the temporary files of ``target`` left by a killed run: names of :func:`atomic_write`'s pattern
    for this target that no process holds locked (a live writer holds its lock until its rename). Returns
    the files removed. On Windows a file being written cannot be removed, so removal itself is the test."""
    target = Path(target)
    pattern = re.compile(re.escape(_temp_prefix(target)) + r"[0-9a-f]{8}\.tmp")
    removed: list[Path] = []
    try:
        entries = [e.name for e in os.scandir(target.parent) if pattern.fullmatch(e.name)]
    except OSError:
        return removed
    for name in entries:
        path = target.parent / name
        if fcntl is None:
            with contextlib.suppress(OSError):
                os.unlink(path)
                removed.append(path)
            continue
        try:
            fd = os.open(path, os.O_RDONLY | _O_NOFOLLOW | _O_BINARY)
        except OSError:  # gone meanwhile, a symbolic link, or not ours to open
            continue
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode) and _try_lock(fd) and _same_file(fd, path):
                os.unlink(path)
                removed.append(path)
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


_WHY_JA = {
    errno.ENOSPC: "ディスクの空きがありません",
    errno.EDQUOT: "ディスクの使用量の上限を超えました",
    errno.EACCES: "書き込む権限がありません",
    errno.EPERM: "書き込みが許可されていません",
    errno.EROFS: "読み取り専用のファイルシステムです",
    errno.ENAMETOOLONG: "ファイル名が長すぎます",
    errno.ENOENT: "フォルダがありません",
    errno.EISDIR: "フォルダです",
}


def _write_error(target: Path, exc: OSError) -> UserError:
    why = exc.strerror or exc.__class__.__name__
    return UserError(
        f"{target.name} に書き込めませんでした（{_WHY_JA.get(exc.errno or 0, why)}）。{target.name} は変更していません",
        f"could not write {target.name} ({why}); {target.name} was not changed",
    )


def _final_mode(target: Path, mode: int | None, mode_from: str | os.PathLike | None, ordinary: int) -> int:
    with contextlib.suppress(OSError):
        return target.stat().st_mode & 0o7777  # an existing file keeps its permissions
    if mode is not None:
        return mode
    if mode_from is not None:
        with contextlib.suppress(OSError):
            return Path(mode_from).stat().st_mode & 0o7777
    return ordinary


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not possible everywhere (Windows, some network file systems)
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def atomic_write(
    target: str | os.PathLike,
    write: Callable,
    *,
    mode: int | None = None,
    mode_from: str | os.PathLike | None = None,
    before_replace: Callable[[Path], None] | None = None,
) -> None:
    """Call ``write(fileobj)`` with a binary file object on a temporary file beside ``target``, fsync it and
    rename it over ``target``. On any exception the temporary file is removed and ``target`` is left as it
    was. ``before_replace(temporary file)``, when given, is called with the complete file just before the
    rename (the audit log commits the run's records there); an exception from it aborts the write the same way.

    Permissions: an existing ``target`` keeps its own; a new one gets ``mode`` if given, else those of the
    file ``mode_from`` (e.g. the workbook a ``--out`` copy is made from), else the ordinary permissions of a
    new file (0o666 less the umask), never a temporary file's private 0600.

    An OSError (disk full, no permission, a name too long, the folder gone) is raised as one
    :class:`UserError` line; other exceptions pass as they are. The temporary file stays locked until it has
    been renamed, so that :func:`remove_leftovers` (run first) never takes a live run's file for a leftover.
    A ``target`` that is a folder, a FIFO or a device is refused (renaming over ``/dev/null`` as root would
    replace the device); whether a symbolic link or a read-only file may be replaced is the caller's choice
    (:func:`check_target` refuses both)."""
    target = Path(target)
    with contextlib.suppress(OSError):
        if not stat.S_ISREG(os.lstat(target).st_mode) and not os.path.islink(target):
            check_target(target)  # a folder, FIFO or device (/dev/null) is never renamed over: one line
    try:
        remove_leftovers(target)
        fd, tmp, ordinary = _create_temp(target)
    except OSError as exc:
        raise _write_error(target, exc) from None
    fh = os.fdopen(fd, "wb")
    try:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
        os.chmod(tmp, _final_mode(target, mode, mode_from, ordinary))
        if fcntl is None:
            fh.close()  # Windows renames only a closed file
        if before_replace is not None:
            before_replace(tmp)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            fh.close()  # may flush what the failed write left in the buffer, and fail again
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _write_error(target, exc) from exc
        raise
    with contextlib.suppress(OSError):
        fh.close()
    _fsync_dir(target.parent)


def write_bytes(target: str | os.PathLike, data: bytes, **kw) -> None:
    """:func:`atomic_write` of ``data``; ``kw`` as there (``mode``, ``mode_from``)."""
    atomic_write(target, lambda fh: fh.write(data), **kw)


def write_text(target: str | os.PathLike, text: str, encoding: str = "utf-8", errors: str = "strict", **kw) -> None:
    """:func:`atomic_write` of ``text`` encoded (no newline translation). An encoding error is raised before
    anything is written."""
    write_bytes(target, text.encode(encoding, errors), **kw)


# ------------------------------------------------------------------------------- what may be read and replaced
def check_source(path: str | os.PathLike) -> Path:
    """``path`` if it is an ordinary file (a symbolic link to one is fine); else one :class:`UserError` line.
    A FIFO or a device is refused before it is opened: reading it could block for ever or never end."""
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise UserError(*messages.pair("file_not_found", name=path.name)) from None
    except OSError as exc:
        raise UserError(
            f"{path.name}: 読み込めません（{exc.strerror}）", f"{path.name}: cannot be read ({exc.strerror})"
        ) from None
    if stat.S_ISDIR(st.st_mode):
        raise UserError(f"{path.name}: フォルダです。ファイルを指定してください", f"{path.name}: a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise UserError(
            f"{path.name}: 通常のファイルではありません（FIFO・デバイスなど）。読み込みません",
            f"{path.name}: not an ordinary file (a FIFO or a device); not read",
        )
    return path


def check_target(path: str | os.PathLike) -> None:
    """Refuse (one :class:`UserError` line) to replace ``path`` when it is a symbolic link (the link would be
    replaced, not the file it points to), a folder, a FIFO or a device (``/dev/null``), or a read-only file
    (renaming over it would bypass its protection). A path that does not exist yet is fine."""
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _write_error(path, exc) from None
    name = str(path) if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else path.name
    if stat.S_ISLNK(st.st_mode):
        raise UserError(
            f"{name} はシンボリックリンクです。書き込みません（リンク先のファイルを指定してください）",
            f"{name} is a symbolic link; not written (give the file it points to)",
        )
    if stat.S_ISDIR(st.st_mode):
        raise UserError(
            f"{name} はフォルダです。書き込むファイルの名前を指定してください",
            f"{name} is a folder; give the name of the file to write",
        )
    if not stat.S_ISREG(st.st_mode):
        raise UserError(
            f"{name} は通常のファイルではありません（FIFO・デバイスなど）。書き込みません",
            f"{name} is not an ordinary file (a FIFO or a device); not written",
        )
    if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise UserError(
            f"{name} は読み取り専用です。書き込みません（書き込みを許可するか --out で別のファイルに）",
            f"{name} is read-only; not written (make it writable, or write a copy with --out)",
        )


@dataclass(frozen=True)
class Fingerprint:
    """A file's size, modification time and SHA-256 when it was read: ``fp = Fingerprint.take(path)`` before
    reading, ``fp.check()`` just before writing (under :func:`workbook_lock`) refuses with one line if the file
    has changed meanwhile (saved in Excel, replaced, removed)."""

    path: Path
    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def take(cls, path: str | os.PathLike) -> Fingerprint:
        path = Path(path)
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        return cls(path, st.st_size, st.st_mtime_ns, digest)

    def changed(self) -> bool:
        """Whether the file at ``path`` is no longer the one taken (its content is hashed again when size and
        mtime agree: a change within the file system's time resolution is found too)."""
        try:
            st = os.stat(self.path)
            return (st.st_size, st.st_mtime_ns) != (self.size, self.mtime_ns) or Fingerprint.take(self.path) != self
        except OSError:  # removed, or no longer readable
            return True

    def check(self) -> None:
        if self.changed():
            name = self.path.name
            raise UserError(
                f"{name} は判定中に変更されました（サイズ・更新日時・SHA-256 が読み込んだ時と違います）。"
                "何も書き込んでいません。もう一度実行してください",
                f"{name} changed while it was being screened (size, modification time or SHA-256 differ from "
                "when it was read); nothing was written — run again",
            )


# ---------------------------------------------------------------------------------- open in another program
def owner_files(path: str | os.PathLike) -> list[Path]:
    """Files that show a workbook is open in Excel (``~$name``) or LibreOffice (``.~lock.name#``)."""
    path = Path(path)
    names = [f"~${path.name}", f".~lock.{path.name}#"]
    if len(path.stem) > 2:
        names.append(f"~${path.name[2:]}")  # Office shortens long names this way for some files
    return [path.parent / n for n in names]


def _exists(path: Path) -> bool:
    try:
        os.lstat(path)
    except OSError:  # also a name longer than NAME_MAX: nobody can have made that file
        return False
    return True


def refuse_if_open(path: str | os.PathLike) -> None:
    for owner in owner_files(path):
        if _exists(owner):
            raise UserError(
                f"{Path(path).name} は Excel か LibreOffice で開かれています（{owner.name} があります）。"
                "閉じてからもう一度実行してください",
                f"{Path(path).name} is open in Excel or LibreOffice ({owner.name} exists); close it and try again",
            )


# ------------------------------------------------------------------------------------------------ the lock
def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


@contextlib.contextmanager
def workbook_lock(path: str | os.PathLike) -> Iterator[Path]:
    """Exclusive lock for writing ``path``: ``.~exportscreen-<name>.lock`` beside it (a hash of the name when
    the name is too long), created with O_EXCL and held with flock. A lock file left by a dead process (not
    flock-ed any more) is taken over.

    Race-free: the holder removes the lock file while it still holds the flock, and whoever gets the flock
    keeps it only if the file it locked is still the one at the lock path (else it tries again), so two runs
    never hold the lock of one path at the same time."""
    path = Path(path)
    lock = path.parent / f".~exportscreen-{_name_part(path.name, 20)}.lock"
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_RDWR | _O_BINARY, 0o644)
        except FileExistsError:
            try:
                fd = os.open(lock, os.O_RDWR | _O_BINARY)
            except FileNotFoundError:  # released meanwhile
                continue
        if not _try_lock(fd):
            os.close(fd)
            raise UserError(
                f"{path.name} は別の exportscreen の実行が書き込み中です（{lock.name}）。"
                "しばらくしてから実行してください",
                f"{path.name} is being written by another exportscreen run ({lock.name}); try again later",
            )
        if _same_file(fd, lock):
            break
        os.close(fd)  # the holder removed that file after we opened it: its lock is not the lock any more
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield lock
    finally:
        if fcntl is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(lock)  # before close, so that nobody locks this file once it is not the lock
            os.close(fd)
        else:  # Windows cannot remove an open file
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(lock)
