"""Country cells of the End User List (``イラン\\nIslamic Republic of Iran``) → ISO 3166-1 alpha-2.

The End User List has no country table of its own: it resolves through ``rules/countries.csv``
(:func:`exportscreen.rules.country_names`), the same table and the same exact, folded matching as the engine's
destinations, so the two never disagree on a country (Korea is neither KR nor KP; ウクライナ is Ukraine). There is
no fuzzy matching: a cell that names no country, or whose lines name different countries, does not resolve and the
import is refused naming the row; a new spelling is added to ``rules/countries.csv`` as an alias.
"""

from __future__ import annotations

import re
from functools import lru_cache


def _names():
    from exportscreen.rules import country_names  # imported late: exportscreen.rules imports the End User List model

    return country_names()


@lru_cache(maxsize=1024)
def to_iso2(cell: str | None) -> str | None:
    """The ISO2 code a country cell names, or None. A cell has one or more lines (the Japanese name, then the English
    one); every line that names a country must name the same one, and at least one must."""
    if cell is None:
        return None
    names = _names()
    found = {names.lookup(line) for line in re.split(r"[\r\n]+", str(cell)) if line.strip()}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def name_ja(iso2: str) -> str:
    c = _names().countries.get(iso2)
    return c.name_ja if c else iso2


def name_en(iso2: str) -> str:
    c = _names().countries.get(iso2)
    return c.name_en if c else iso2
