"""The user's settings: a small JSON file ``config.json`` under EXPORTSCREEN_HOME, written atomically.

``exportscreen config set reviewer "山田 太郎"`` names the person who screens (審査者 / 担当者 on the audit
record and the 取引審査票); ``company`` is the 会社名 printed on the audit workbook. An environment variable
(``EXPORTSCREEN_REVIEWER``, ``EXPORTSCREEN_COMPANY``) overrides the file; the reviewer falls back to the OS login.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from exportscreen import files
from exportscreen.errors import UserError

FILE_NAME = "config.json"
# key -> (environment variable, Japanese description, English description)
KEYS: dict[str, tuple[str, str, str]] = {
    "reviewer": (
        "EXPORTSCREEN_REVIEWER",
        "審査者・担当者の名前（監査記録と取引審査票）",
        "reviewer's name (audit record, 取引審査票)",
    ),
    "company": ("EXPORTSCREEN_COMPANY", "監査ブックの会社名", "company name on the audit workbook"),
}
MAX_LENGTH = 200


def path() -> Path:
    from exportscreen.state import home

    return home() / FILE_NAME


def _check_key(key: str) -> None:
    if key not in KEYS:
        raise UserError(
            f"設定項目「{key}」はありません（{', '.join(KEYS)}）", f"no setting {key!r} (settings: {', '.join(KEYS)})"
        )


def load() -> dict[str, str]:
    """The stored settings (empty when there is no file yet)."""
    p = path()
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise UserError(
            f"設定ファイル {p} を読めません（{exc.__class__.__name__}）。直すか削除してください",
            f"cannot read the settings file {p} ({exc.__class__.__name__}); fix or delete it",
        ) from None
    if not isinstance(data, dict):
        raise UserError(f"設定ファイル {p} の形式が違います", f"the settings file {p} is not a JSON object")
    return {k: str(v) for k, v in data.items() if k in KEYS and v is not None}


def clean(value: str) -> str:
    """A setting as stored: one line, white space collapsed, not empty, not too long."""
    text = " ".join(str(value).split())
    if not text:
        raise UserError("値が空です", "the value is empty")
    if len(text) > MAX_LENGTH:
        raise UserError(f"値が長すぎます（{MAX_LENGTH} 文字まで）", f"the value is too long (at most {MAX_LENGTH})")
    return text


def set_value(key: str, value: str | None) -> None:
    """Store ``value`` under ``key`` (None removes it)."""
    _check_key(key)
    data = load()
    if value is None:
        data.pop(key, None)
    else:
        data[key] = clean(value)
    files.write_text(path(), json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def get(key: str) -> str | None:
    """The value in effect: the environment variable, else the file, else None."""
    _check_key(key)
    env = os.environ.get(KEYS[key][0], "").strip()
    if env:
        return " ".join(env.split())[:MAX_LENGTH]
    return load().get(key)


def source(key: str) -> str | None:
    """Where :func:`get` takes the value from: the environment variable's name, the file's path, or None."""
    _check_key(key)
    if os.environ.get(KEYS[key][0], "").strip():
        return KEYS[key][0]
    return str(path()) if key in load() else None


def reviewer() -> str:
    """Who screens: ``EXPORTSCREEN_REVIEWER``, else ``config set reviewer``, else the OS login. A settings file
    that cannot be read does not stop a run (it is reported by ``config list``)."""
    try:
        name = get("reviewer")
    except UserError:
        name = None
    if name:
        return name
    from exportscreen.audit import _user

    return _user()
