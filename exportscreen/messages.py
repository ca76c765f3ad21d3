"""The language the command line speaks: Japanese by default, English with ``--lang en`` or
``EXPORTSCREEN_LANG=en``. :func:`exportscreen.cli.main` reads it once (:func:`from_argv`) and sets it
(:func:`set_lang`) before the parser is built, so help texts, messages and summaries all follow it.

Texts are written where they are used, as pairs: ``tr("日本語", "English")``; errors are
``UserError("日本語", "English")``. Texts used in several places are in :data:`CATALOGUE`
(``msg("file_not_found", name=...)``).
"""

from __future__ import annotations

import argparse
import gettext
import os
from collections.abc import Sequence

LANGS = ("ja", "en")
ENV = "EXPORTSCREEN_LANG"

_lang = "ja"

CATALOGUE: dict[str, tuple[str, str]] = {
    "file_not_found": ("{name}: ファイルが見つかりません", "{name}: file not found"),
    "not_a_file": ("{name}: ファイルではありません", "{name}: not a file"),
    "interrupted": ("中断しました", "interrupted"),
    "no_eul": (
        "外国ユーザーリストが取り込まれていません。先に `exportscreen rules import-eul FILE.xlsx` を実行してください",
        "no End User List imported; run `exportscreen rules import-eul FILE.xlsx` first",
    ),
}


def normalise(value: str | None) -> str | None:
    """``"ja"`` / ``"en"`` for a language name (ja, jp, japanese, 日本語, en, english …); None otherwise."""
    if not value:
        return None
    v = value.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    if v in ("ja", "jp", "japanese", "日本語"):
        return "ja"
    if v in ("en", "english", "英語"):
        return "en"
    return None


def from_argv(argv: Sequence[str], environ: dict[str, str] | None = None) -> str:
    """The language asked for: the last ``--lang X`` / ``--lang=X`` in ``argv``, else ``EXPORTSCREEN_LANG``,
    else Japanese."""
    found = None
    args = list(argv)
    for i, a in enumerate(args):
        if a == "--":
            break
        if a == "--lang" and i + 1 < len(args):
            found = normalise(args[i + 1]) or found
        elif a.startswith("--lang="):
            found = normalise(a.split("=", 1)[1]) or found
    env = os.environ if environ is None else environ
    return found or normalise(env.get(ENV)) or "ja"


def set_lang(lang: str) -> None:
    global _lang
    _lang = normalise(lang) or "ja"


def lang() -> str:
    """The language in use (``"ja"`` or ``"en"``)."""
    return _lang


def tr(ja: str, en: str, lang: str | None = None) -> str:
    """``ja`` or ``en``, for ``lang`` (default: the language in use)."""
    return en if (lang or _lang) == "en" else ja


def msg(key: str, lang: str | None = None, **params: object) -> str:
    """A catalogue text in ``lang`` (default: the language in use), formatted with ``params``."""
    ja, en = CATALOGUE[key]
    return tr(ja, en, lang).format(**params)


def pair(key: str, **params: object) -> tuple[str, str]:
    """Both texts of a catalogue entry, formatted: ``UserError(*pair("file_not_found", name=n))``."""
    ja, en = CATALOGUE[key]
    return ja.format(**params), en.format(**params)


# argparse's own texts (usage, option errors, section titles) in Japanese; argparse looks them up through its
# module's ``_`` and ``ngettext`` at call time. Texts not listed stay as argparse writes them.
ARGPARSE_JA: dict[str, str] = {
    "usage: ": "使い方: ",
    "options": "オプション",
    "positional arguments": "引数",
    "show this help message and exit": "このヘルプを表示して終了する",
    "%(prog)s: error: %(message)s\n": "%(prog)s: エラー: %(message)s\n",
    "the following arguments are required: %s": "次の引数が必要です: %s",
    "unrecognized arguments: %s": "知らない引数です: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "選べない値: %(value)r（%(choices)s から選択）",
    "expected one argument": "値を1つ指定してください",
    "expected at least one argument": "値を1つ以上指定してください",
    "expected at most one argument": "値は1つまでです",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "ambiguous option: %(option)s could match %(matches)s": "オプション %(option)s は %(matches)s のどれか分かりません",
    "invalid %(type)s value: %(value)r": "値 %(value)r を読めません（%(type)s）",
    "not allowed with argument %s": "%s と一緒には指定できません",
    "one of the arguments %s is required": "%s のどれかを指定してください",
    "ignored explicit argument %r": "値 %r は指定できません",
    "expected %s argument": "値を %s 個指定してください",
    "expected %s arguments": "値を %s 個指定してください",
}


def localise_argparse(lang: str) -> None:
    """Make argparse speak ``lang``: Japanese texts from :data:`ARGPARSE_JA`, or argparse's own English."""
    if lang == "en":
        argparse._ = gettext.gettext  # type: ignore[attr-defined]
        argparse.ngettext = gettext.ngettext  # type: ignore[attr-defined]
        return

    def ja(text: str) -> str:
        return ARGPARSE_JA.get(text, text)

    def nja(singular: str, plural: str, n: int) -> str:
        return ja(singular if n == 1 else plural)

    argparse._ = ja  # type: ignore[attr-defined]
    argparse.ngettext = nja  # type: ignore[attr-defined]
