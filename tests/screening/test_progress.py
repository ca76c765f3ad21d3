"""The progress bar of a long screen run: shown on a terminal, counting lines of a table read while it is screened
(its size not known in advance), quiet otherwise."""

from __future__ import annotations

import sys

from exportscreen import screening


class Recorder:
    made: list[Recorder] = []

    def __init__(self, total, description, delay=1.0):
        self.total, self.description, self.done, self.stopped = total, description, [], False
        Recorder.made.append(self)

    def update(self, done):
        self.done.append(done)

    def stop(self):
        self.stopped = True


def _csv(path, n):
    rows = ["仕向地,品目,HSコード"] + [f"米国,非該当,8471.{30 + i % 50}" for i in range(n)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_streamed_table_counts_its_lines_on_a_terminal(tmp_path, monkeypatch):
    Recorder.made = []
    monkeypatch.setattr(screening, "_Progress", Recorder)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    summary = screening.screen_file(_csv(tmp_path / "big.csv", 2500), lang="ja")
    assert summary.lines == 2500
    [bar] = Recorder.made
    assert bar.total is None and bar.description == "判定中"  # the size is not known while the file is read
    assert bar.done == [1000, 2000] and bar.stopped


def test_no_bar_off_a_terminal_or_when_asked_not_to(tmp_path, monkeypatch):
    Recorder.made = []
    monkeypatch.setattr(screening, "_Progress", Recorder)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    screening.screen_file(_csv(tmp_path / "a.csv", 2500))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    screening.screen_file(_csv(tmp_path / "b.csv", 2500), show_progress=False)
    assert Recorder.made == []
    assert screening._progress(10, "x") is None  # a known small table: quiet
