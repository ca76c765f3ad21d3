"""Text folding shared by every lookup: Unicode NFKC (full-width ＵＳＡ → USA, half-width ｱﾒﾘｶ → アメリカ),
case folding, and removal of spaces and punctuation that clerks type inconsistently.

>>> fold(" Ｕ.Ｓ.Ａ ")
'usa'
>>> fold("ｱﾒﾘｶ")
'アメリカ'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_DROP = re.compile(r"[\s.,\-_'’`\"“”()\[\]{}・･/\\:;]+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    return _DROP.sub("", unicodedata.normalize("NFKC", text).casefold())


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def cell_text(value) -> str | None:
    """A cell value as stripped text, or None when empty (None, '', whitespace)."""
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        text = repr(value)[:-2] if value.is_integer() else repr(value)
    else:
        text = str(value)
    text = text.strip()
    return text or None
