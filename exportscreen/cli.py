"""The ``exportscreen`` command. Sub-commands live in :mod:`exportscreen.commands`, one module each.

The language (``--lang ja|en`` anywhere on the line, else ``EXPORTSCREEN_LANG``, else Japanese) is read once
here, before the parser is built, so help, errors and output all speak it; commands get it as ``args.lang``.

Exit status: 0 done; 1 a check found something (``audit verify`` problems, ``rules snapshot --check``
differences, a PDF not written); 2 a user error (bad option, bad or open file: one line on stderr);
130 interrupted (Ctrl-C); 141 the reader of the output went away (``| head``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

from exportscreen import __version__, commands, messages
from exportscreen.errors import UserError
from exportscreen.messages import tr

EXIT_OK, EXIT_FOUND, EXIT_USER_ERROR, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 0, 1, 2, 130, 141


def build_parser(lang: str | None = None) -> argparse.ArgumentParser:
    if lang is not None:
        messages.set_lang(lang)
    messages.localise_argparse(messages.lang())
    parser = argparse.ArgumentParser(
        prog="exportscreen",
        description=tr(
            "安全保障貿易管理の該非・許可判定（輸出令別表第一、キャッチオール、外国ユーザーリスト、制裁）",
            "Japanese security export control screening (Export Control Order Appended Table 1, catch-all, "
            "End User List, sanctions)",
        ),
        epilog=tr(
            "終了コード: 0 正常 / 1 検証で問題あり・差分あり / 2 入力・ファイルの誤り / 130 中断 (Ctrl-C) / "
            "141 出力先が閉じた。英語表示は --lang en または EXPORTSCREEN_LANG=en。",
            "Exit status: 0 ok / 1 verify found problems, differences / 2 bad input or file / 130 interrupted "
            "(Ctrl-C) / 141 output closed. Japanese is the default; --lang en or EXPORTSCREEN_LANG=en for English.",
        ),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"exportscreen {__version__}",
        help=tr("バージョンを表示して終了する", "show the version and exit"),
    )
    parser.add_argument(
        "--lang",
        choices=messages.LANGS,
        help=tr(
            "表示言語（既定 ja、環境変数 EXPORTSCREEN_LANG）。どの位置に書いてもよい",
            "language of all output (default ja, or $EXPORTSCREEN_LANG); may be given anywhere",
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", title=tr("コマンド", "commands"))
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"{commands.__name__}.{info.name}").register(sub)
    return parser


def _split_lang(argv: list[str]) -> tuple[str | None, list[str], str | None]:
    """(language given with --lang, argv without the --lang options, a bad value given)."""
    lang, rest, bad = None, [], None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            rest += argv[i:]
            break
        value = None
        if a == "--lang" and i + 1 < len(argv):
            value, i = argv[i + 1], i + 2
        elif a.startswith("--lang="):
            value, i = a.split("=", 1)[1], i + 1
        else:
            rest.append(a)
            i += 1
            continue
        if messages.normalise(value) is None:
            bad = value
        else:
            lang = messages.normalise(value)
    return lang, rest, bad


def _quiet_stdout() -> None:
    """After a closed pipe: point stdout at devnull so the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (captured output)
        pass


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    given, rest, bad = _split_lang(argv)
    lang = given or messages.normalise(os.environ.get(messages.ENV)) or "ja"
    try:
        parser = build_parser(lang)
        if bad is not None:
            parser.error(tr(f"--lang {bad!r}: ja または en を指定してください", f"--lang {bad!r}: give ja or en"))
        args = parser.parse_args(rest)
        args.lang = lang
        status = int(args.func(args) or 0)
        sys.stdout.flush()
        return status
    except UserError as exc:
        print(f"exportscreen: {exc.text(lang)}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print(f"exportscreen: {messages.msg('interrupted', lang)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
