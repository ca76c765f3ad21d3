"""Place names as clerks write them (``rules/eul_place_names.yaml``): katakana renderings read as the kanji or Latin
name the End User List uses (ハルビン → 哈爾浜, テヘラン → Tehran), Latin spellings read as one (Peking → Beijing), and
the places that are a common part of company names (weak words: 北京, Beijing …).

Loaded and validated once per process, on the first name that needs it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FILE = "eul_place_names.yaml"
KEYS = frozenset({"latin", "kanji", "kana", "country", "weak", "source", "note"})
_KATAKANA = r"\u30a0-\u30ff"
_KATAKANA_LETTER = r"\u30a1-\u30fa\u30fc-\u30ff"  # katakana without the middle dot ・, which separates words
_KANA_FORM = re.compile(rf"^[{_KATAKANA}\u3400-\u4dbf\u4e00-\u9fff]+$")
_KANJI_FORM = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")
_LATIN_FORM = re.compile(r"^[A-Za-z][A-Za-z' -]*$")


class PlacesError(ValueError):
    """The alias table is inconsistent (named by file and record)."""


@dataclass(frozen=True)
class Place:
    latin: tuple[str, ...]
    kanji: tuple[str, ...]
    kana: tuple[str, ...]
    country: str
    weak: bool
    source: str


@dataclass(frozen=True)
class Places:
    """The table as the matcher uses it. A weak place is read as one word whatever the script — its first Latin name
    in lower case (ハルビン = 哈爾浜 = 哈尔滨 = Harbin → ``harbin``), so that a name that mixes scripts still compares;
    a place that is not weak keeps its kanji (タンチョン → 端川)."""

    places: tuple[Place, ...]
    kana: dict[str, str]  # katakana rendering → what it is read as (" harbin ", or the kanji of a place not weak)
    kana_shown: dict[str, str]  # katakana rendering → how the explanation shows it (哈爾浜, or Tehran)
    kana_re: re.Pattern | None  # every rendering, longest first, as a whole katakana word
    latin: dict[str, str]  # folded Latin spelling → the first spelling of its place (both lower case)
    weak_latin: frozenset[str]  # Latin names (lower case, one word) of the weak places
    weak_kanji: dict[str, str]  # kanji form of a weak place (as written in the table) → its Latin name, lower case
    shown_ja: dict[str, str]  # Latin name of a place, lower case → how Japanese text shows it (北京, テヘラン)

    def read_kana(self, text: str) -> str:
        """``text`` with each katakana place rendering replaced by how the matcher reads the place (ハルビン工業大学 →
        " harbin 工業大学", テヘラン電子 → " tehran 電子", タンチョン商業銀行 → 端川商業銀行)."""
        if self.kana_re is None:
            return text
        return self.kana_re.sub(lambda m: self.kana[m.group(0)], text)


def _forms(rec: dict, key: str, where: str, pattern: re.Pattern, what: str) -> tuple[str, ...]:
    value = rec.get(key) or []
    if not isinstance(value, list):
        raise PlacesError(f"{where}: {key} must be a list")
    out = []
    for v in value:
        v = unicodedata.normalize("NFKC", str(v)).strip()
        if not pattern.match(v):
            raise PlacesError(f"{where}: {key} {v!r} is not {what}")
        out.append(v)
    return tuple(out)


def parse(data: dict, where: str = FILE) -> Places:
    if not isinstance(data, dict) or not isinstance(data.get("places"), list):
        raise PlacesError(f"{where}: expected a mapping with a list 'places'")
    if not (data.get("source") or {}).get("read"):
        raise PlacesError(f"{where}: provenance header (source: … read:) missing")
    places: list[Place] = []
    kana: dict[str, str] = {}
    shown: dict[str, str] = {}
    latin: dict[str, str] = {}
    for n, rec in enumerate(data["places"], start=1):
        at = f"{where} place {n}"
        if not isinstance(rec, dict):
            raise PlacesError(f"{at}: expected a mapping")
        unknown = sorted(set(rec) - KEYS)
        if unknown:
            raise PlacesError(f"{at}: unknown key {', '.join(unknown)}")
        names = _forms(rec, "latin", at, _LATIN_FORM, "Latin letters")
        if not names:
            raise PlacesError(f"{at}: no latin name")
        at = f"{where} place {n} ({names[0]})"
        if not str(rec.get("source") or "").strip():
            raise PlacesError(f"{at}: no source")
        weak = rec.get("weak", True)
        if not isinstance(weak, bool):
            raise PlacesError(f"{at}: weak must be true or false")
        p = Place(
            names,
            _forms(rec, "kanji", at, _KANJI_FORM, "Chinese characters"),
            _forms(rec, "kana", at, _KANA_FORM, "katakana (with kanji)"),
            str(rec.get("country") or ""),
            weak,
            str(rec["source"]),
        )
        for k in p.kana:
            if not re.search(f"[{_KATAKANA}]", k):
                raise PlacesError(f"{at}: kana {k!r} has no katakana")
            if k in kana:
                raise PlacesError(f"{at}: kana {k!r} is given to two places")
            kana[k] = p.kanji[0] if p.kanji and not p.weak else f" {p.latin[0].casefold()} "
            shown[k] = p.kanji[0] if p.kanji else p.latin[0]
        for name in p.latin:
            key = name.casefold()
            if latin.get(key, p.latin[0].casefold()) != p.latin[0].casefold():
                raise PlacesError(f"{at}: Latin {name!r} is given to two places")
            latin[key] = p.latin[0].casefold()
        places.append(p)
    kana_re = None
    if kana:
        alts = "|".join(re.escape(k) for k in sorted(kana, key=len, reverse=True))
        kana_re = re.compile(f"(?<![{_KATAKANA_LETTER}])(?:{alts})(?![{_KATAKANA_LETTER}])")
    return Places(
        tuple(places),
        kana,
        shown,
        kana_re,
        {k: v for k, v in latin.items() if k != v and " " not in k},
        frozenset(n.casefold() for p in places if p.weak for n in p.latin if " " not in n),
        {k: p.latin[0].casefold() for p in places if p.weak for k in p.kanji},
        {p.latin[0].casefold(): (p.kanji or p.kana or p.latin)[0] for p in places},
    )


def load(path: Path | None = None) -> Places:
    from exportscreen import yamlload

    if path is None:
        from exportscreen.state import data_dir

        path = data_dir("rules") / FILE
    with open(path, encoding="utf-8") as f:
        data = yamlload.safe_load(f)
    return parse(data, Path(path).name)


@lru_cache(maxsize=1)
def places() -> Places:
    """The bundled table, loaded once."""
    return load()
