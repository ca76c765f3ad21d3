"""The ``exportscreen`` command. Sub-commands live in :mod:`exportscreen.commands`, one module each."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from exportscreen import commands
from exportscreen.errors import UserError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="exportscreen", description="安全保障貿易管理 screening")
    sub = parser.add_subparsers(dest="command", required=True)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"{commands.__name__}.{info.name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"exportscreen: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("exportscreen: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
