"""The README's notebook example of the Python API, run exactly as written (so that it cannot rot)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _example() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1, "the Python API section has one example"
    return blocks[0]


def test_readme_example_runs_as_written(monkeypatch, capsys):
    pytest.importorskip("pandas")
    monkeypatch.chdir(REPO)
    ns: dict = {}
    exec(compile(_example(), "README.md (Python API)", "exec"), ns)
    screened, by_group, needs_action = ns["screened"], ns["by_group"], ns["needs_action"]
    decided = screened["判定"].notna()
    assert decided.sum() == 12 and not decided.iloc[-1]  # the sample's 12 lines; its 合計 row left empty
    assert by_group.to_numpy().sum() == decided.sum()
    assert by_group.loc["全面禁輸", "輸出禁止"] == 1 and "不明" in by_group.index  # 北朝鮮; Atlantis
    assert set(needs_action["判定コード"]) == {"PROHIBITED", "LICENSE_REQUIRED", "REVIEW", "INVALID"}
    assert (
        "NO_LICENSE" in set(screened["判定コード"])
        and len(needs_action) == (decided & (screened["判定コード"] != "NO_LICENSE")).sum()
    )
    out = capsys.readouterr().out
    assert "SO-2025-0101" in out and "北朝鮮" in out and "輸出禁止" in out
