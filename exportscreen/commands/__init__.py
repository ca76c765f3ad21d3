"""Sub-commands of ``exportscreen``. Each module here defines ``register(subparsers)`` and is found
by :func:`exportscreen.cli.build_parser`; the handler it sets with ``set_defaults(func=...)`` returns the
exit status."""

from __future__ import annotations

import argparse
from datetime import date

from exportscreen.errors import UserError
from exportscreen.messages import tr


def add_lang(parser: argparse.ArgumentParser) -> None:
    """The command's own ``--lang`` (an alias of the global one: the CLI reads it wherever it stands)."""
    parser.add_argument(
        "--lang",
        choices=("ja", "en"),
        default=argparse.SUPPRESS,
        help=tr("表示言語（既定 ja、環境変数 EXPORTSCREEN_LANG）", "language (default ja, or $EXPORTSCREEN_LANG)"),
    )


def parse_date(text: str | None, option: str) -> date | None:
    """The date given to ``option`` (``--date``, ``--as-of`` …), read as a date in a cell is (one parser,
    :func:`exportscreen.ids.values.parse_date`): 2025-10-01, 2025/10/01, 2025年10月1日, 20251001, 令和7年10月1日,
    R7.10.1, H31.4.30, full-width digits, an Excel serial (45931). None when the option was not given; anything
    else is a :class:`UserError` naming the option (one line; the CLI exits 2)."""
    if text is None:
        return None
    from exportscreen.ids import InvalidInput
    from exportscreen.ids.values import parse_date as parse_cell_date

    try:
        day = parse_cell_date(text, option)
    except InvalidInput as exc:
        raise UserError(exc.ja, exc.en) from None
    if day is None:  # an empty or blank argument
        raise UserError(
            f"{option} {text!r}: 日付ではありません。2025-10-01 や 令和7年10月1日 のように指定してください",
            f"{option} {text!r}: not a date; give e.g. 2025-10-01 or 令和7年10月1日",
        )
    return day


def add_rate(parser: argparse.ArgumentParser) -> None:
    """``--rate USD=150`` (repeatable): the yen rates of the currencies a value may be given in."""
    parser.add_argument(
        "--rate",
        action="append",
        default=[],
        metavar="CUR=JPY",
        help=tr(
            "外貨建て金額の円換算レート（1単位あたりの円。例: --rate USD=150 --rate EUR=160）。"
            "レートのない外貨の金額は円として読まず、少額特例は 要確認 になります",
            "yen per unit of a currency a value is given in (e.g. --rate USD=150 --rate EUR=160); a value in a "
            "currency without a rate is never read as yen: the small-value exemption is then 要確認",
        ),
    )


def parse_rates(texts: list[str]) -> tuple[tuple[str, float], ...]:
    """The ``--rate`` options as the engine takes them: (currency, yen per unit) pairs, sorted; one rate per
    currency (two different rates for one currency are refused)."""
    from exportscreen.ids import InvalidInput
    from exportscreen.ids.values import parse_rate

    rates: dict[str, float] = {}
    for text in texts or ():
        try:
            code, rate = parse_rate(text)
        except InvalidInput as exc:
            raise UserError(exc.ja, exc.en) from None
        if rates.get(code, rate) != rate:
            raise UserError(
                f"--rate {code}: レートが2つあります（{rates[code]:g} と {rate:g}）",
                f"--rate {code}: two rates given ({rates[code]:g} and {rate:g})",
            )
        rates[code] = rate
    return tuple(sorted(rates.items()))
