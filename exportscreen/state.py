"""Where exportscreen keeps its state: the store (audit log, End User Lists; :mod:`exportscreen.store`), settings —
and the rules in use.

The folder is ``$EXPORTSCREEN_HOME`` if set, else the user data folder (platformdirs). :func:`rules` is the thin
default the adapters use: the bundled law data plus the End User Lists in the store (the engine itself takes
rules and the as-of date as arguments and reads nothing).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import platformdirs

from exportscreen.rules import Rules

_rules: Rules | None = None
_generation: Any = None  # what the store held when the rules in use were loaded (see _store_generation)
_checked = 0.0  # time.monotonic() of the last look at the store
CHECK_SECONDS = 30.0  # the rules in use are trusted this long before the store is asked whether anything changed


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


def _store_generation() -> tuple:
    """What changes when an End User List, a licence register or a 品番マスタ is imported (or replaced) or a shipment
    recorded: each table's row count and latest import (shipments: the latest id)."""
    from sqlalchemy import func, select

    from exportscreen import licences, products, shipments
    from exportscreen.eul import store as eul_store
    from exportscreen.store import open_store

    cols = (
        eul_store.versions_t.c.imported,
        licences.versions_t.c.imported,
        products.versions_t.c.imported,
        shipments.shipments_t.c.id,
    )
    with open_store().read() as conn:
        return tuple(tuple(conn.execute(select(func.count(), func.max(c))).one()) for c in cols)


def rules() -> Rules:
    """The bundled law data plus the End User Lists, the licence register (with the shipments recorded) and the
    品番マスタ in the store. Loaded once, and again when the store has changed since (looked at no more often than
    every :data:`CHECK_SECONDS`: a spreadsheet that stays open uses a list the officer imports without a restart;
    a run takes the rules once and keeps them for all its lines)."""
    global _rules, _generation, _checked
    now = time.monotonic()
    if _rules is not None and now - _checked < CHECK_SECONDS:
        return _rules
    try:
        generation = _store_generation()
    except Exception:  # the store cannot be read just now: keep the rules in use (a first load says why)
        generation = None
    _checked = now
    if _rules is not None and (generation is None or generation == _generation):
        return _rules
    if _rules is not None:
        reset_rules()
    _generation = generation
    if _rules is None:
        from exportscreen import eul, licences
        from exportscreen.rules import bundled

        _rules = bundled().with_eul(eul.load_lists()).with_licences(licences.load_registers())
        if _rules.licence_registers:  # the shipments recorded against them: the balances
            from exportscreen import shipments

            _rules = _rules.with_shipments(shipments.load_usage())
        from exportscreen import products  # 品番マスタ versions: screening by part number

        _rules = _rules.with_products(products.load_all())
        _checked = time.monotonic()
    return _rules


def reset_rules() -> None:
    """Forget the loaded rules (after an import into the store, or in tests) and the engine's memo."""
    global _rules, _checked
    _rules = None
    _checked = 0.0
    from exportscreen.engine import clear_caches

    clear_caches()
