"""The examples in docs/ answer as the docs say, so the reference cannot drift from the language."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from racepolicy.cli.main import main

DOCS = Path(__file__).resolve().parent.parent / "docs"

# `query` → `answer` pairs in the language reference, all asked of the bundled 2022 edition.
ARROWS = re.findall(r"`([^`]+)` → `([^`]+)`", (DOCS / "language.md").read_text(encoding="utf-8"))


def test_the_reference_has_examples() -> None:
    assert len(ARROWS) >= 8


@pytest.mark.parametrize(("query", "expected"), ARROWS, ids=[q for q, _ in ARROWS])
def test_language_reference_examples(ask, query: str, expected: str) -> None:
    assert ask(query, edition="utmb-2022").text == expected


def cli_sessions() -> list[tuple[str, str]]:
    """Each `$ racepolicy query ...` line of docs/cli.md with the line printed after it."""
    lines = (DOCS / "cli.md").read_text(encoding="utf-8").splitlines()
    return [(line[2:], lines[i + 1].strip()) for i, line in enumerate(lines) if line.startswith("$ racepolicy query ")]


@pytest.mark.parametrize(("command", "first_line"), cli_sessions())
def test_cli_examples_print_what_the_docs_show(command: str, first_line: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(shlex.split(command)[1:])
    out, err = capsys.readouterr()
    assert (out or err).splitlines()[0] == first_line
    # docs/cli.md#exit-codes: a no (`no`, or `none` from a query form) is 1.
    assert code == (2 if err else 1 if out.split()[0] in ("no", "none") else 0)
