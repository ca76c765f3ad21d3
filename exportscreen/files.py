"""Safe file writing for every writer (lossless workbook patch, CSV, audit workbook and PDF, End User List
store, ``xlwings.conf``): atomic replacement, the exclusive write lock and the "is it open in Excel or
LibreOffice" check.

* :func:`atomic_write` (and :func:`write_bytes` / :func:`write_text`): the new content goes to a temporary
  file beside the target (``.~<name>.<random>.tmp``), is flushed and fsync-ed, gets its permissions and is
  renamed over the target; the folder is fsync-ed too. On any exception (including one raised by the
  caller's write callback) the temporary file is removed and the target is left byte for byte as it was.
* :func:`refuse_if_open` / :func:`owner_files`: Excel's ``~$name`` and LibreOffice's ``.~lock.name#``.
* :func:`workbook_lock`: one exportscreen run at a time writes a given file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

from exportscreen.errors import UserError

try:
    import fcntl
except ImportError:  # Windows (``exportscreen excel install`` runs there): msvcrt byte-range locks instead
    fcntl = None  # type: ignore[assignment]
    import msvcrt

_O_BINARY = getattr(os, "O_BINARY", 0)


def _create_temp(target: Path) -> tuple[int, Path, int]:
    """Create ``.~<name>.<random>.tmp`` beside ``target``. Returns (fd, path, the file's ordinary mode):
    created with 0o666 so that the umask (and any default ACL) decide the ordinary permissions, then made
    private while it is being written."""
    for _ in range(100):
        tmp = target.parent / f".~{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
        except FileExistsError:
            continue
        try:
            ordinary = os.fstat(fd).st_mode & 0o7777
            os.chmod(tmp, 0o600)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return fd, tmp, ordinary
    raise FileExistsError(f"no free temporary file name beside {target}")


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
) -> None:
    """Call ``write(fileobj)`` with a binary file object on a temporary file beside ``target``, fsync it and
    rename it over ``target``. On any exception the temporary file is removed and ``target`` is left as it
    was.

    Permissions: an existing ``target`` keeps its own; a new one gets ``mode`` if given, else those of the
    file ``mode_from`` (e.g. the workbook a ``--out`` copy is made from), else the ordinary permissions of a
    new file (0o666 less the umask), never a temporary file's private 0600."""
    target = Path(target)
    fd, tmp, ordinary = _create_temp(target)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _final_mode(target, mode, mode_from, ordinary))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def write_bytes(target: str | os.PathLike, data: bytes, **kw) -> None:
    """:func:`atomic_write` of ``data``; ``kw`` as there (``mode``, ``mode_from``)."""
    atomic_write(target, lambda fh: fh.write(data), **kw)


def write_text(target: str | os.PathLike, text: str, encoding: str = "utf-8", errors: str = "strict", **kw) -> None:
    """:func:`atomic_write` of ``text`` encoded (no newline translation). An encoding error is raised before
    anything is written."""
    write_bytes(target, text.encode(encoding, errors), **kw)


# ---------------------------------------------------------------------------------- open in another program
def owner_files(path: str | os.PathLike) -> list[Path]:
    """Files that show a workbook is open in Excel (``~$name``) or LibreOffice (``.~lock.name#``)."""
    path = Path(path)
    names = [f"~${path.name}", f".~lock.{path.name}#"]
    if len(path.stem) > 2:
        names.append(f"~${path.name[2:]}")  # Office shortens long names this way for some files
    return [path.parent / n for n in names]


def refuse_if_open(path: str | os.PathLike) -> None:
    for owner in owner_files(path):
        if owner.exists():
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
    """Exclusive lock for writing ``path``: ``.~exportscreen-<name>.lock`` beside it, created with O_EXCL
    and held with flock. A lock file left by a dead process (not flock-ed any more) is taken over."""
    path = Path(path)
    lock = path.parent / f".~exportscreen-{path.name}.lock"
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
