"""Country cells of the End User List (``イラン\\nIslamic Republic of Iran``) → ISO 3166-1 alpha-2."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pycountry

# Japanese names as METI's list and the Export Trade Control Order write them (and common variants).
JA_NAMES: dict[str, str] = {
    "アフガニスタン": "AF",
    "アラブ首長国連邦": "AE",
    "イラン": "IR",
    "イラク": "IQ",
    "中国": "CN",
    "中華人民共和国": "CN",
    "北朝鮮": "KP",
    "朝鮮民主主義人民共和国": "KP",
    "パキスタン": "PK",
    "ロシア": "RU",
    "ロシア連邦": "RU",
    "香港": "HK",
    "シリア": "SY",
    "レバノン": "LB",
    "台湾": "TW",
    "エジプト": "EG",
    "イエメン": "YE",
    "インド": "IN",
    "イスラエル": "IL",
    "ベラルーシ": "BY",
    "トルコ": "TR",
    "マレーシア": "MY",
    "シンガポール": "SG",
    "タイ": "TH",
    "カザフスタン": "KZ",
    "アルメニア": "AM",
    "ウズベキスタン": "UZ",
    "キルギス": "KG",
    "キルギスタン": "KG",
    "ミャンマー": "MM",
    "スーダン": "SD",
    "リビア": "LY",
    "ヨルダン": "JO",
    "サウジアラビア": "SA",
    "オマーン": "OM",
    "カタール": "QA",
    "クウェート": "KW",
    "バーレーン": "BH",
    "ベトナム": "VN",
    "インドネシア": "ID",
    "マカオ": "MO",
    "韓国": "KR",
    "大韓民国": "KR",
    "日本": "JP",
    "米国": "US",
    "アメリカ": "US",
    "アメリカ合衆国": "US",
    "ドイツ": "DE",
    "フランス": "FR",
    "英国": "GB",
    "イギリス": "GB",
    "イタリア": "IT",
    "スイス": "CH",
    "オランダ": "NL",
    "ジョージア": "GE",
    "グルジア": "GE",
    "アゼルバイジャン": "AZ",
    "タジキスタン": "TJ",
    "トルクメニスタン": "TM",
    "モンゴル": "MN",
    "キプロス": "CY",
    "セルビア": "RS",
}
EN_NAMES: dict[str, str] = {
    "north korea": "KP",
    "dprk": "KP",
    "democratic peoples republic of korea": "KP",
    "south korea": "KR",
    "korea": "KR",
    "iran": "IR",
    "russia": "RU",
    "syria": "SY",
    "taiwan": "TW",
    "hong kong": "HK",
    "china": "CN",
    "peoples republic of china": "CN",
    "prc": "CN",
    "uae": "AE",
    "lebanon": "LB",
    "republic of lebanon": "LB",
    "macau": "MO",
    "macao": "MO",
    "turkey": "TR",
    "turkiye": "TR",
    "vietnam": "VN",
    "laos": "LA",
    "burma": "MM",
    "uk": "GB",
    "usa": "US",
    "united states": "US",
}
_PREFIXES = re.compile(
    r"^(the |islamic republic of |republic of |state of |arab republic of |kingdom of |federal republic of |"
    r"democratic republic of |people'?s republic of |hashemite kingdom of |sultanate of )+"
)


def _key(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    return " ".join(re.sub(r"[^\w' ]+", " ", s).split())


@lru_cache(maxsize=1024)
def to_iso2(cell: str | None) -> str | None:
    """The ISO2 code of a country cell (Japanese line, English line, ISO code or name), or None."""
    if cell is None:
        return None
    text = unicodedata.normalize("NFKC", str(cell)).strip()
    if not text:
        return None
    lines = [ln.strip() for ln in re.split(r"[\r\n]+", text) if ln.strip()]
    for line in lines:  # the Japanese line first
        bare = re.sub(r"[\s・、,()（）]", "", line)
        if bare in JA_NAMES:
            return JA_NAMES[bare]
        for ja, iso in sorted(JA_NAMES.items(), key=lambda kv: -len(kv[0])):
            if bare.startswith(ja) and re.fullmatch(r"[\u3040-\u30ff\u4e00-\u9fff]*", bare):
                return iso
    for line in lines:
        found = _english(line)
        if found:
            return found
    return None


def _english(line: str) -> str | None:
    key = _key(line)
    if len(key) == 2 and key.isalpha():
        c = pycountry.countries.get(alpha_2=key.upper())
        return c.alpha_2 if c else None
    if len(key) == 3 and key.isalpha():
        c = pycountry.countries.get(alpha_3=key.upper())
        if c:
            return c.alpha_2
    plain = key.replace("'", "")
    if plain in EN_NAMES:
        return EN_NAMES[plain]
    stripped = _PREFIXES.sub("", key)
    for cand in (line.strip(), key, stripped):
        try:
            return pycountry.countries.lookup(cand).alpha_2
        except LookupError:
            pass
    if stripped.replace("'", "") in EN_NAMES:
        return EN_NAMES[stripped.replace("'", "")]
    head = _key(re.split(r"[(,]", line)[0])
    if head and head != key:
        iso = _english(head)
        if iso:
            return iso
    try:
        found = pycountry.countries.search_fuzzy(stripped)
    except LookupError:
        return None
    return found[0].alpha_2 if found else None


def name_ja(iso2: str) -> str:
    for ja, iso in JA_NAMES.items():
        if iso == iso2:
            return ja
    return iso2


def name_en(iso2: str) -> str:
    c = pycountry.countries.get(alpha_2=iso2)
    return getattr(c, "common_name", None) or (c.name if c else iso2)
