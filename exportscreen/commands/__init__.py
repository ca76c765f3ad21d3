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
