"""Sub-commands of ``exportscreen``. Each module here defines ``register(subparsers)`` and is found
by :func:`exportscreen.cli.build_parser`; the handler it sets with ``set_defaults(func=...)`` returns the
exit status."""

from __future__ import annotations

import re
from datetime import date

from exportscreen.errors import UserError


def parse_date(text: str | None, option: str) -> date | None:
    """The date given to ``option`` (``--date``, ``--as-of`` …) as YYYY-MM-DD; None when the option was not
    given. Anything else is a :class:`UserError` naming the option (one line; the CLI exits 2)."""
    if text is None:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text, flags=re.ASCII):
        try:
            return date.fromisoformat(text)
        except ValueError:  # 2025-02-30
            pass
    raise UserError(f"{option} {text!r}: not a date; expected YYYY-MM-DD (e.g. 2025-10-01)")
