"""exportscreen: Japanese security export control screening, inside the spreadsheet.

The public Python API (see README, "Python API"); everything else in the package is internal:

- :func:`check` — screen one order line; returns a :class:`Decision`
- :func:`screen_frame` — screen a pandas DataFrame of order lines (``pip install 'exportscreen[pandas]'``)
- :func:`screen_records` — the same for a list of dicts, without pandas
- :func:`rules_info` — the law data in use
- :class:`Decision`, :class:`Code` — what a line's screening returns; :class:`InputError` — bad input (a ValueError)

``import exportscreen`` loads nothing else: each name is imported when first used, so that Excel's and LibreOffice's
Python never pay for pandas or the engine until they screen.
"""

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["check", "screen_frame", "screen_records", "rules_info", "Decision", "Code", "InputError"]

_LAZY = {
    "check": "exportscreen.api",
    "screen_frame": "exportscreen.api",
    "screen_records": "exportscreen.api",
    "rules_info": "exportscreen.api",
    "InputError": "exportscreen.api",
    "Decision": "exportscreen.model",
    "Code": "exportscreen.model",
}

if TYPE_CHECKING:
    from exportscreen.api import InputError, check, rules_info, screen_frame, screen_records
    from exportscreen.model import Code, Decision


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'exportscreen' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
