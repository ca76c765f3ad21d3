"""Dates, amounts and the enumerated fields (end use, inform) of an order line."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from exportscreen.ids import InvalidInput
from exportscreen.ids.text import cell_text, fold, nfkc

_EXCEL_EPOCH = date(1899, 12, 30)

END_USES = {
    "civil": ("civil", "民生", "民生用", "民需", "民間", "commercial", "civilian"),
    "military": ("military", "軍事", "軍用", "通常兵器", "conventional", "conventionalweapons", "兵器"),
    "wmd": ("wmd", "大量破壊兵器", "大量破壊兵器等", "核兵器", "化学兵器", "生物兵器", "ミサイル", "massdestruction"),
    "unknown": ("unknown", "不明", "未確認", "?", "？", "tbd"),
}
INFORMS = {
    "wmd": ("wmd", "大量破壊兵器", "大量破壊兵器等", "wmdinform"),
    "conventional": ("conventional", "通常兵器", "conv", "通常兵器インフォーム"),
    "both": ("both", "両方", "wmdconventional", "大量破壊兵器通常兵器"),
    "none": ("none", "なし", "無", "無し", "no", "-", "ー", "n/a", "na", "未受領"),
}
END_USE_LOOKUP = {fold(word): key for key, words in END_USES.items() for word in words}
INFORM_LOOKUP = {fold(word): key for key, words in INFORMS.items() for word in words}


# The names of the date fields in messages; a CLI option (--date, --from …) is named as it is.
DATE_FIELDS = {
    "ship_date": ("出荷日", "ship date"),
    "as_of_date": ("基準日", "as-of date"),
    "provision_date": ("提供日", "provision date"),  # technology lines
    "report_date": ("報告日", "report date"),  # the pre-report of a critical technology
}
_TIME = r"(?:\s*[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"  # a time after the date (00:00:00) is ignored
_WESTERN = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?" + _TIME)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")  # 20261215
_SERIAL_TEXT = re.compile(r"\d{5}(?:\.\d*)?")  # an Excel serial written as text (csv): 46371


def _labels(field: str) -> tuple[str, str]:
    return DATE_FIELDS.get(field, (field, field))


def parse_date(value, field: str = "ship_date") -> date | None:
    """A date as clerks give it: a date or datetime, an Excel serial number (1900 system), or text — ISO
    (2026-12-15), 2026/12/15, 2026.12.15, 2026年12月15日, 20261215, an Excel serial as text (46371), or 和暦:
    令和8年12月15日, R8.12.15, R8/12/15, H31.4.30, 令和元年5月1日 (eras from rules/eras.yaml). Full-width digits and
    the era symbols ㋿ ㍻ ㍼ are read through NFKC. A date outside its era (令和0年, 平成32年, H31.5.1) is refused,
    never moved into another era. None for an empty value; :class:`InvalidInput` naming ``field`` otherwise."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _serial(value, str(value), field)
    text = cell_text(value)
    if text is None:
        return None
    return _parse_date_text(text, field)


def _serial(value: float, shown: str, field: str) -> date:
    if 1 <= value < 2958466:  # Excel serial date (1900 system): 1 = 1900-01-01 … 2958465 = 9999-12-31
        return _EXCEL_EPOCH + timedelta(days=int(value))
    ja, en = _labels(field)
    raise InvalidInput(field, f"{ja}「{shown}」を日付として読めません", f"{en} {shown!r} is not a date")


@lru_cache(maxsize=1)
def _era_date():
    """The 和暦 pattern, with the era names and letters of rules/eras.yaml."""
    from exportscreen.ids import eras

    tokens = sorted({t for e in eras.bundled() for t in (e.name, e.abbr)}, key=len, reverse=True)
    alternatives = "|".join(map(re.escape, tokens))
    return re.compile(
        rf"(?i:(?P<era>{alternatives}))\s*(?P<year>\d{{1,3}}|元)\s*[-/.年]\s*(?P<month>\d{{1,2}})\s*[-/.月]\s*"
        rf"(?P<day>\d{{1,2}})\s*日?" + _TIME
    )


@lru_cache(maxsize=4096)
def _parse_date_text(text: str, field: str) -> date:
    norm = nfkc(text)
    ja, en = _labels(field)
    if _SERIAL_TEXT.fullmatch(norm):
        return _serial(float(norm), text, field)
    m = _WESTERN.fullmatch(norm) or _COMPACT.fullmatch(norm)
    era_m = None if m else _era_date().fullmatch(norm)
    try:
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if era_m:
            return _era_day(era_m, text, field)
    except InvalidInput:  # a ValueError too
        raise
    except ValueError:  # 2026-02-30, R8.13.1
        pass
    raise InvalidInput(
        field,
        f"{ja}「{text}」を日付として読めません（例: 2026-04-01、2026/4/1、令和8年4月1日、R8.4.1）",
        f"{en} {text!r} is not a date (e.g. 2026-04-01, 2026/4/1, 令和8年4月1日, R8.4.1)",
    )


def _era_day(m: re.Match, text: str, field: str) -> date:
    from exportscreen.ids import eras

    era = eras.lookup(m.group("era"))
    assert era is not None  # the pattern has only the eras' names and letters
    ja, en = _labels(field)
    year = 1 if m.group("year") == "元" else int(m.group("year"))
    if year == 0:
        raise InvalidInput(
            field,
            f"{ja}「{text}」: {era.name}0年はありません（元年が1年目です）",
            f"{en} {text!r}: there is no year 0 of {era.name} (the first year, 元年, is 1)",
        )
    day = date(era.gregorian_year(year), int(m.group("month")), int(m.group("day")))  # ValueError: not a date
    if not era.contains(day):
        raise InvalidInput(
            field,
            f"{ja}「{text}」は{era.name}の期間外です（{era.name}は {era.span()}）",
            f"{en} {text!r} is outside the era {era.name} ({era.span()})",
        )
    return day


# Units of a value (a header such as 金額(USD), 金額（千円）, 単価(ドル), a currency column, or the cell's own text
# such as USD 1,000 or 1,000ドル). Yen and its multiples need no rate; a currency needs the rate the user gives
# (exportscreen screen --rate USD=150). Keys are folded (NFKC, casefold, no spaces or punctuation).
YEN_WORDS = ("円", "jpy", "yen", "¥", "日本円")
CURRENCIES = {
    "USD": ("usd", "$", "us$", "usドル", "ドル", "米ドル", "米国ドル", "dollar", "dollars", "usdollar"),
    "EUR": ("eur", "€", "euro", "euros", "ユーロ"),
    "CNY": ("cny", "rmb", "元", "人民元", "中国元", "yuan"),
    "GBP": ("gbp", "£", "ポンド", "英ポンド"),
    "KRW": ("krw", "₩", "ウォン", "韓国ウォン"),
    "HKD": ("hkd", "hk$", "香港ドル"),
    "SGD": ("sgd", "s$", "シンガポールドル"),
    "TWD": ("twd", "nt$", "台湾ドル", "新台湾ドル"),
    "AUD": ("aud", "a$", "豪ドル", "オーストラリアドル"),
    "CAD": ("cad", "c$", "カナダドル"),
    "CHF": ("chf", "スイスフラン"),
    "THB": ("thb", "バーツ", "タイバーツ"),
}
FOREIGN = "外貨"  # a currency other than yen, but which one is not said
FOREIGN_WORDS = ("外貨", "foreigncurrency", "fx")
# multipliers written with the unit: 千円, 百万円, 千USD, USD (thousands), kUSD
MULTIPLIERS = (
    ("百万", 1e6),
    ("million", 1e6),
    ("millions", 1e6),
    ("thousands", 1e3),
    ("thousand", 1e3),
    ("千", 1e3),
    ("万", 1e4),
)
_UNIT_WORDS = sorted(
    [(w, "JPY") for w in YEN_WORDS]
    + [(w, code) for code, words in CURRENCIES.items() for w in words]
    + [(w, FOREIGN) for w in FOREIGN_WORDS],
    key=lambda wc: -len(wc[0]),
)
_UNIT_CODE = re.compile(r"[a-z]{3}")  # an ISO 4217-like code we have no name for (XYZ): still a currency
_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*)?\.?\d+(?:e[+-]?\d+)?")


@lru_cache(maxsize=4096)
def unit_of(text: str | None) -> tuple[str, float] | None:
    """What a unit text names: ``("JPY", factor)`` for yen and its multiples (千円 → 1000, 百万円 → 1e6),
    ``(code, factor)`` for a currency (USD, ドル, US$, €, 千USD → ("USD", 1000); an unnamed 3-letter code as it is,
    upper case; 外貨 and the like as 外貨), None for a text that names no unit (税込, 税抜, 参考 …)."""
    key = fold(text) if text else ""
    if not key:
        return None
    for word, code in _UNIT_WORDS:
        if word in key:
            rest = key.replace(word, "", 1)
            factor = 1e3 if rest == "k" else 1e6 if rest == "m" else next((f for t, f in MULTIPLIERS if t in rest), 1.0)
            return code, factor
    if _UNIT_CODE.fullmatch(key):
        return key.upper(), 1.0
    return None


def split_amount(value) -> tuple[float | None, tuple[str, float] | None, str | None]:
    """(amount, unit, unit text) of a value cell: a number as it is; text such as 1,000 / ¥1,000 / 40000円 /
    USD 1,000 / 1,000ドル / €5 / 5千円 read as its number and the unit it names (:func:`unit_of`; None when it
    names none). Text that is not a number, or whose other words name no unit, is refused; so is a negative
    amount."""
    if value is None or isinstance(value, bool):
        return None, None, None
    if isinstance(value, (int, float)):
        amount = float(value)
        if amount != amount:
            return None, None, None
        unit, shown = None, None
    else:
        text = cell_text(value)
        if text is None:
            return None, None, None
        norm = nfkc(text)
        m = _NUMBER.search(norm.replace(" ", "").lower())
        rest = "" if m is None else (norm.replace(" ", "")[: m.start()] + norm.replace(" ", "")[m.end() :])
        unit = unit_of(rest) if rest.strip() else None
        if m is None or (rest.strip() and unit is None and fold(rest)):
            raise InvalidInput(
                "value_jpy", f"金額「{text}」を数値として読めません", f"value {text!r} is not a number"
            ) from None
        try:
            amount = float(m.group().replace(",", ""))
        except ValueError:
            raise InvalidInput(
                "value_jpy", f"金額「{text}」を数値として読めません", f"value {text!r} is not a number"
            ) from None
        shown = rest.strip() or None
    if amount < 0:
        raise InvalidInput("value_jpy", f"金額が負です（{amount:,.0f}）", f"value is negative ({amount:,.0f})")
    return amount, unit, shown


def parse_value(value) -> float | None:
    """A value in yen (number, or text such as ¥1,000,000, 40000円, 5千円). A value in another currency raises
    :class:`ForeignValue` (the caller decides: convert with a rate, or say a conversion is needed)."""
    amount, unit, shown = split_amount(value)
    if amount is None or unit is None:
        return amount
    code, factor = unit
    if code == "JPY":
        return amount * factor
    raise ForeignValue(amount * factor, code, shown or code)


class ForeignValue(InvalidInput):
    """A value given in a currency other than yen (or a currency not named: 外貨): not a value in yen."""

    def __init__(self, amount: float, code: str, shown: str):
        super().__init__(
            "value_jpy", f"金額が{shown}建てです（円換算が必要）", f"the value is in {shown} (conversion to yen needed)"
        )
        self.amount, self.code, self.shown = amount, code, shown


def parse_quantity(value) -> float | None:
    """A quantity (数量): a number, or text such as 1,200 / 10個 / 5 pcs (words after the number are units).
    None for an empty cell; :class:`InvalidInput` for anything else or a negative number."""
    return split_quantity(value)[0]


def split_quantity(value) -> tuple[float | None, str | None]:
    """(number, unit as written or None) of a quantity cell (:func:`parse_quantity`): 10台 -> (10.0, "台"),
    "5 kg" -> (5.0, "kg"), 3 -> (3.0, None)."""
    if value is None or isinstance(value, bool):
        return None, None
    unit = None
    if isinstance(value, (int, float)):
        q = float(value)
        if q != q:
            return None, None
    else:
        text = cell_text(value)
        if text is None:
            return None, None
        m = _QUANTITY.fullmatch(nfkc(text))
        if m is None:
            raise InvalidInput(
                "value_jpy", f"数量「{text}」を数値として読めません", f"quantity {text!r} is not a number"
            )
        q, unit = float(m.group(1).replace(",", "")), m.group(2) or None
    if q < 0:
        raise InvalidInput("value_jpy", f"数量が負です（{q:g}）", f"quantity is negative ({q:g})")
    return q, unit


_QUANTITY = re.compile(r"([+-]?(?:\d[\d,]*)?\.?\d+)\s*([^\d\s]*)")


def _enum(value, lookup: dict, field: str, ja_name: str, choices: str) -> str | None:
    text = cell_text(value)
    if text is None:
        return None
    key = lookup.get(fold(text))
    if key is None:
        raise InvalidInput(
            field, f"{ja_name}「{text}」は選択肢にありません（{choices}）", f"{field} {text!r} is not one of {choices}"
        )
    return key


def parse_end_use(value) -> str:
    """civil | military | wmd | unknown (an empty cell is unknown)."""
    return _enum(value, END_USE_LOOKUP, "end_use", "用途", "民生/軍事/大量破壊兵器/不明") or "unknown"


def parse_inform(value) -> frozenset[str]:
    """The informs received: a subset of {"wmd", "conventional"}. Several may be given, separated by , or 、."""
    text = cell_text(value)
    if text is None:
        return frozenset()
    kinds: set[str] = set()
    for part in re.split(r"[,、，;／/]|\s+(?:and|&)\s+|及び|と", nfkc(text)):
        if not part.strip():
            continue
        key = _enum(part, INFORM_LOOKUP, "inform", "インフォーム", "なし/大量破壊兵器/通常兵器")
        if key == "both":
            kinds |= {"wmd", "conventional"}
        elif key is not None and key != "none":
            kinds.add(key)
    return frozenset(kinds)


def parse_rate(text: str) -> tuple[str, float]:
    """An exchange rate as the user gives it: ``USD=150`` (yen per unit; ドル=150, usd=150.5, EUR=１６０ too).
    The currency is named as :func:`unit_of` names it; :class:`InvalidInput` (field ``rate``) otherwise."""
    name, sep, number = nfkc(str(text)).partition("=")
    unit = unit_of(name) if sep else None
    try:
        rate = float(number.replace(",", "").strip()) if sep else float("nan")
    except ValueError:
        rate = float("nan")
    if unit is None or unit[0] in ("JPY", FOREIGN) or unit[1] != 1 or not (0 < rate < 1e9):
        raise InvalidInput(
            "rate",
            f"--rate {text}: 「通貨=1単位あたりの円」で指定してください（例: --rate USD=150 --rate EUR=160）",
            f"--rate {text}: give a currency and its rate in yen per unit (e.g. --rate USD=150 --rate EUR=160)",
        )
    return unit[0], rate
