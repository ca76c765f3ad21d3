"""The decision snapshot: every destination × representative goods × end use/inform × rules period, as committed.

A change to the engine or to rules/ that moves any decision fails here until the snapshot is regenerated with
`exportscreen rules snapshot` — and the regenerated file's diff shows the outcome of the change in review."""

from __future__ import annotations

from conftest import REPO

from exportscreen import snapshot

COMMITTED = REPO / snapshot.DEFAULT_PATH


def test_the_engine_and_the_law_data_give_the_committed_decisions(rules):
    new = snapshot.render(rules)
    old = COMMITTED.read_text(encoding="utf-8")
    changes = snapshot.diff(old, new)
    assert not changes and old == new, (
        "decisions changed — review and regenerate with `exportscreen rules snapshot`:\n  " + "\n  ".join(changes)
    )


def test_the_snapshot_covers_every_country_and_period(rules):
    rows = snapshot.rows(rules)
    days = snapshot.days(snapshot.snapshot_rules(rules))
    assert len(rows) == len(rules.countries) * len(days) and len(days) >= 7
    assert {"2019-08-28", "2023-07-21", "2025-10-09"} <= {d.isoformat() for d in days}  # KR out and back; 2025 revision


def test_the_diff_names_the_cells_that_moved(rules):
    old = snapshot.render(rules)
    lines = old.splitlines()
    i = next(n for n, ln in enumerate(lines) if ln.startswith("2025-10-09,KP,"))
    assert lines[i].startswith("2025-10-09,KP,P,")
    lines[i] = "2025-10-09,KP,N," + lines[i][len("2025-10-09,KP,P,") :]
    assert snapshot.diff("\n".join(lines), old) == ["2025-10-09 KP listed/civil: N → P"]


def test_the_command_reports_in_japanese_and_in_english(tmp_path, capsys):
    from exportscreen.cli import main

    out = tmp_path / "decisions.csv"
    assert main(["rules", "snapshot", "--out", str(out)]) == 0
    first = capsys.readouterr().out
    assert "行、1 件の変更" in first and "（スナップショットはまだありません）" in first
    assert main(["rules", "snapshot", "--out", str(out), "--lang", "en"]) == 0
    assert capsys.readouterr().out.strip().endswith("rows; unchanged")
    assert main(["rules", "snapshot", "--out", str(out), "--check"]) == 0
