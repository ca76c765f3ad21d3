"""Where exportscreen keeps its state: the store (audit log, End User Lists; :mod:`exportscreen.store`), settings —
and the rules in use.

The folder is ``$EXPORTSCREEN_HOME`` if set, else the user data folder (platformdirs). :func:`rules` is the thin
default the adapters use: the bundled law data plus the End User Lists in the store (the engine itself takes
rules and the as-of date as arguments and reads nothing).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from exportscreen.rules import Rules

_rules: Rules | None = None


def home() -> Path:
    env = os.environ.get("EXPORTSCREEN_HOME")
    path = Path(env).expanduser() if env else Path(platformdirs.user_data_dir("exportscreen", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir(name: str) -> Path:
    """A bundled data folder (``rules``, ``workbook_templates``, ``addin``): the repository's in a checkout,
    the wheel's copy (``exportscreen/_data``) in an installed package."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / name, here / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled folder {name!r} not found")


def rules() -> Rules:
    """The bundled law data plus the End User Lists and the licence register in the store (loaded once)."""
    global _rules
    if _rules is None:
        from exportscreen import eul, licences
        from exportscreen.rules import bundled

        _rules = bundled().with_eul(eul.load_lists()).with_licences(licences.load_registers())
        if _rules.licence_registers:  # the shipments recorded against them: the balances
            from exportscreen import shipments

            _rules = _rules.with_shipments(shipments.load_usage())
        from exportscreen import products  # 品番マスタ versions: screening by part number

        _rules = _rules.with_products(products.load_all())
    return _rules


def reset_rules() -> None:
    """Forget the loaded rules (after an import into the store, or in tests) and the engine's memo."""
    global _rules
    _rules = None
    from exportscreen.engine import clear_caches

    clear_caches()
