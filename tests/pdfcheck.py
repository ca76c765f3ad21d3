"""Looking at a workbook as it prints: headless LibreOffice renders it to PDF, poppler reads the words back with their
boxes. Shared by the print tests (the screened workbook, the templates, the audit workbook).

    require_tools()                       skip without soffice/pdftotext (fail under CI=true)
    render_pdf([a.xlsx, b.xlsx], outdir)  -> [a.pdf, b.pdf]   (one soffice run for all)
    words(pdf)                            -> [Word(page, x0, y0, x1, y1, text)] in reading order
    page_count(pdf), page_size(pdf)
    overlaps(words)                       -> pairs of words drawn over each other
    text_between(words, page, top, bottom, left) -> the words of a band of a page, joined

``render_pdf`` runs soffice in a new process group with a private profile (``profile``: a LibreOffice user
installation folder, e.g. one prepared by ``exportscreen calc install``), from an environment without a virtual
environment (as a clerk starts it), and kills the group when it does not finish in time.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
CI = os.environ.get("CI") == "true"
TIMEOUT = 120


def require_tools() -> None:
    """Skip the calling test (or module) without LibreOffice or poppler; under CI=true, fail instead."""
    missing = [
        name for name, path in (("LibreOffice (soffice)", SOFFICE), ("pdftotext (poppler)", PDFTOTEXT)) if not path
    ]
    if missing:
        if CI:
            pytest.fail(f"CI=true but {' and '.join(missing)} not installed")
        pytest.skip(f"{' and '.join(missing)} not installed", allow_module_level=True)


def clean_env() -> dict[str, str]:
    """This process's environment as a shell without a virtual environment has it: no VIRTUAL_ENV, PYTHONHOME or
    PYTHONPATH, and no venv's bin folder on PATH (pytest may run from an activated venv)."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH")}

    def in_venv(folder: str) -> bool:
        return folder.startswith("/") and any((Path(folder) / up / "pyvenv.cfg").is_file() for up in (".", ".."))

    env["PATH"] = ":".join(p for p in env.get("PATH", "/usr/bin:/bin").split(":") if not in_venv(p))
    return env


def run_soffice(
    args: list[str], profile: Path, cwd: Path, env: dict[str, str] | None = None, timeout: int = TIMEOUT
) -> subprocess.CompletedProcess:
    """``soffice --headless … args`` with the user installation ``profile`` (its ``user`` folder's parent)."""
    assert SOFFICE is not None
    cmd = [SOFFICE, "--headless", "--norestore", "--nolockcheck", f"-env:UserInstallation={profile.as_uri()}", *args]
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env=clean_env() if env is None else env,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"soffice did not finish within {timeout}s: {err[-500:]}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def render_pdf(paths: list[Path], outdir: Path, profile: Path | None = None) -> list[Path]:
    """The PDFs of ``paths`` (in ``outdir``, same names), all rendered by one LibreOffice run; ``profile`` defaults
    to a fresh one in ``outdir``."""
    outdir.mkdir(parents=True, exist_ok=True)
    profile = profile or outdir / "lo-profile"
    res = run_soffice(["--convert-to", "pdf", "--outdir", str(outdir), *map(str, paths)], profile, outdir)
    pdfs = [outdir / (Path(p).stem + ".pdf") for p in paths]
    missing = [p.name for p in pdfs if not p.is_file()]
    assert not missing, f"soffice rc={res.returncode}: no {missing}; {res.stdout[-300:]} {res.stderr[-300:]}"
    return pdfs


@dataclass(frozen=True)
class Word:
    page: int  # 1-based
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    line: int  # the pdftotext line it belongs to (words of one line are one run of text)


def _bbox_xml(pdf: Path) -> etree._Element:
    assert PDFTOTEXT is not None
    out = subprocess.run([PDFTOTEXT, "-bbox-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    return etree.fromstring(out, etree.XMLParser(recover=True, huge_tree=True))


def _local(el) -> str:
    return etree.QName(el).localname


def words(pdf: Path) -> list[Word]:
    """Every word of the PDF with its box (points, origin top left), in pdftotext's reading order."""
    out: list[Word] = []
    n_line = 0
    for page_no, page in enumerate((el for el in _bbox_xml(pdf).iter() if _local(el) == "page"), start=1):
        for line in (el for el in page.iter() if _local(el) == "line"):
            n_line += 1
            for w in line:
                if _local(w) == "word" and (w.text or "").strip():
                    box = [float(w.get(k, "0")) for k in ("xMin", "yMin", "xMax", "yMax")]
                    out.append(Word(page_no, *box, w.text.strip(), n_line))
    return out


def page_count(pdf: Path) -> int:
    return sum(1 for el in _bbox_xml(pdf).iter() if _local(el) == "page")


def page_size(pdf: Path) -> tuple[float, float]:
    """(width, height) of the first page in points."""
    page = next(el for el in _bbox_xml(pdf).iter() if _local(el) == "page")
    return float(page.get("width", "0")), float(page.get("height", "0"))


def overlaps(found: list[Word], tolerance: float = 0.25) -> list[tuple[Word, Word]]:
    """Pairs of words of different lines drawn over each other: their boxes intersect by more than ``tolerance``
    of the lower box's height and more than a point across (the ascent and descent of adjacent lines touch)."""
    pairs = []
    by_page: dict[int, list[Word]] = {}
    for w in found:
        by_page.setdefault(w.page, []).append(w)
    for ws in by_page.values():
        ws = sorted(ws, key=lambda w: w.y0)
        for i, a in enumerate(ws):
            for b in ws[i + 1 :]:
                if b.y0 >= a.y1:
                    break
                if a.line == b.line:
                    continue
                across = min(a.x1, b.x1) - max(a.x0, b.x0)
                down = min(a.y1, b.y1) - max(a.y0, b.y0)
                if across > 1.0 and down > tolerance * min(a.y1 - a.y0, b.y1 - b.y0):
                    pairs.append((a, b))
    return pairs


def text_between(found: list[Word], page: int, top: float, bottom: float, left: float, right: float = 1e9) -> str:
    """The words of ``page`` whose top lies in [top, bottom) and whose left edge in [left, right), in reading order
    (by line, then from the left), joined without spaces."""
    inside = [w for w in found if w.page == page and top <= w.y0 < bottom and left <= w.x0 < right]
    return "".join(w.text for w in sorted(inside, key=lambda w: (round(w.y0, 1), w.x0)))
