"""YAML as exportscreen reads its data files: PyYAML's safe loader, in its C implementation (libyaml) when PyYAML
has it — every process that screens parses the bundled rules, and the pure-Python loader spends half a second on
them. Same documents, same values."""

from __future__ import annotations

from typing import Any

import yaml

SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(stream: Any) -> Any:
    """``yaml.safe_load`` with the fastest safe loader available."""
    return yaml.load(stream, Loader=SafeLoader)
