"""docs/diff.md shows the real output: each `$ racepolicy diff ...` block is run and compared, whole or piece by piece."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pytest
from racepolicy.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "docs" / "diff.md").read_text(encoding="utf-8")
# A block opens with the command; a line holding only "…" stands for output the page leaves out.
BLOCKS = re.findall(r"```\n\$ (racepolicy diff [^\n]*)\n(.*?)```", PAGE, re.S)


def test_the_diff_page_shows_real_runs() -> None:
    assert len(BLOCKS) >= 4
    assert any("…" not in output for _, output in BLOCKS), "at least one example is shown whole"


@pytest.mark.parametrize(("command", "output"), BLOCKS, ids=[c for c, _ in BLOCKS])
def test_diff_examples_print_what_the_page_shows(command: str, output: str, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("NO_COLOR", "1")
    words = shlex.split(command)[1:]
    if "<" in words:  # `--cases - < FILE`: the file is standard input
        at = words.index("<")
        monkeypatch.setattr("sys.stdin", io.StringIO((ROOT / words[at + 1]).read_text(encoding="utf-8")))
        words = words[:at]
    assert main(words) == 1
    printed = capsys.readouterr().out
    if "…" not in output:
        assert printed == output
        return
    # Excerpts: each shown piece is printed, in the order shown.
    position = 0
    for piece in (p.strip("\n") for p in output.split("…")):
        if piece:
            found = printed.find(piece, position)
            assert found >= 0, f"not printed (or not in this order): {piece!r}"
            position = found + len(piece)
