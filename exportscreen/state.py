"""Where exportscreen keeps its state: imported End User Lists, the audit log, settings.

The folder is ``$EXPORTSCREEN_HOME`` if set, else the user data folder (platformdirs).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def home() -> Path:
    env = os.environ.get("EXPORTSCREEN_HOME")
    path = Path(env).expanduser() if env else Path(platformdirs.user_data_dir("exportscreen", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir(name: str) -> Path:
    """A bundled data folder (``rules`` or ``workbook_templates``): the repository's in a checkout,
    the wheel's copy (``exportscreen/_data``) in an installed package."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / name, here / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled folder {name!r} not found")
