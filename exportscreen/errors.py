"""The one user-facing error type: a problem the user can fix (bad file, bad option, locked workbook).

Adapters raise it with a one-line message, Japanese first: ``UserError("日本語", "English")``; a single text
(``UserError("...")``) is shown as is in both languages. The CLI prints ``exportscreen: <message>`` in the
language chosen (``--lang`` / ``EXPORTSCREEN_LANG``, default Japanese) on stderr and exits 2. ``str(exc)`` is the
English text, as for :class:`exportscreen.ids.InvalidInput` (logs, cells of the Calc bridge).
"""

from __future__ import annotations


class UserError(Exception):
    def __init__(self, ja: str, en: str | None = None) -> None:
        super().__init__(ja if en is None else en)
        self.ja = ja
        self.en = ja if en is None else en

    def text(self, lang: str = "ja") -> str:
        """The message in ``lang`` (``"ja"`` or ``"en"``)."""
        return self.en if lang == "en" else self.ja

    def __str__(self) -> str:
        return self.en
