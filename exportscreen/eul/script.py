"""Chinese-character variants folded to one form before names are compared: simplified (发, 兴, 闪), traditional
(發, 興, 閃) and Japanese shinjitai (発, 興, 閃) of a character become the same character, so that a name written in any
of the three forms matches a listing written in any other.

The mapping comes from OpenCC (https://github.com/BYVoid/OpenCC, Apache-2.0), character by character: simplified →
traditional (``s2t``) → Japanese (``t2jp``) → traditional (``jp2t``) → simplified (``t2s``), so every form ends in
one simplified form (発 → 發 → 发; 浜 → 濱 → 滨; 髪, 髮 → 发; 聯 and 連, which Japanese writes for 聯 → 连).
Character by character, not phrase by phrase, so that the first characters of a name fold exactly as they do inside
the whole name. The table (≈ 3,900 characters that change) is built once per process, on the first name with a Chinese
character (≈ 20 ms: OpenCC's character tables only).
"""

from __future__ import annotations

import json
import os
import tempfile
from functools import lru_cache

# CJK Unified Ideographs, Extension A, and the Compatibility Ideographs (NFKC already maps most of these)
_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


# OpenCC's character tables, in this order: simplified → traditional, traditional → Japanese, Japanese →
# traditional, traditional → simplified (the standard configurations add phrase tables, which take 0.2 s to load
# and are not wanted: the folding is character by character)
CHAIN = ("STCharacters.ocd2", "JPShinjitaiCharactersRev.ocd2", "JPShinjitaiCharacters.ocd2", "TSCharacters.ocd2")
STANDARD_CHAIN = ("s2t", "t2jp", "jp2t", "t2s")  # the same through OpenCC's standard configurations (fallback)


def _convert(text: str) -> str:
    import opencc

    share = os.path.join(os.path.dirname(opencc.__file__), "clib", "share", "opencc")
    config = {
        "name": "exportscreen: fold Chinese-character variants",
        "normalization": [{"dict": {"type": "ocd2", "file": os.path.join(share, "CJK_Compatibility_Ideographs.ocd2")}}],
        "conversion_chain": [{"dict": {"type": "ocd2", "file": os.path.join(share, f)}} for f in CHAIN],
    }
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "fold.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(config, f)
            return opencc.OpenCC(path).convert(text)
    except Exception:  # another OpenCC layout: its standard configurations give the same characters, more slowly
        for name in STANDARD_CHAIN:
            text = opencc.OpenCC(name).convert(text)
        return text


@lru_cache(maxsize=1)
def table() -> dict[int, str]:
    """``str.translate`` table: code point → its folded (simplified) character, for the characters that change."""
    chars = [chr(c) for lo, hi in _RANGES for c in range(lo, hi + 1)]
    # one character per line: no phrase is ever seen, each character folds alone. Each goes to its Japanese form
    # on the way (联 → 聯 → 連 → 连), so that a character Japanese writes with another one (連 for 聯, 芸 for 藝)
    # folds with it
    folded = _convert("\n".join(chars)).split("\n")
    if len(folded) != len(chars):  # pragma: no cover — OpenCC keeps line breaks
        raise RuntimeError("OpenCC changed the number of lines while folding characters")
    return {ord(c): f for c, f in zip(chars, folded) if f != c and len(f) == 1}


def fold_variants(text: str) -> str:
    """``text`` with every Chinese character in its folded form (北京閃亮之夜科技発展 → 北京闪亮之夜科技发展)."""
    return text.translate(table())
