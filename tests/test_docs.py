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
    # "no penalty" is a sanction, a value: only `no` and `none` are negative.
    first = out.splitlines()[0] if out else ""
    assert code == (2 if err else 1 if first.split(" ")[0] in ("no", "none") and not first.startswith("no penalty") else 0)


def coverage_sessions() -> list[tuple[str, str]]:
    """Each `$ racepolicy coverage ...` block of docs/coverage.md with the output printed under it."""
    blocks = re.findall(r"```\n\$ (racepolicy coverage [^\n]*)\n(.*?)```", (DOCS / "coverage.md").read_text(encoding="utf-8"), re.S)
    return [(command, output) for command, output in blocks]


def test_the_coverage_page_shows_real_runs() -> None:
    assert len(coverage_sessions()) >= 2


@pytest.mark.parametrize(("command", "output"), coverage_sessions(), ids=[c for c, _ in coverage_sessions()])
def test_coverage_examples_print_what_the_docs_show(command: str, output: str, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DOCS.parent)  # the paths in the page are relative to the repository
    assert main(shlex.split(command)[1:]) == 0
    assert capsys.readouterr().out == output


def readme_sessions() -> list[tuple[str, str]]:
    """Each `$ .venv/bin/racepolicy query|describe ...` of the README's console blocks with the output printed under it
    (and the exit code, for a command that ends with `; echo $?`)."""
    sessions = []
    for block in re.findall(r"```console\n(.*?)```", (DOCS.parent / "README.md").read_text(encoding="utf-8"), re.S):
        for command, output in re.findall(r"^\$ \.venv/bin/(racepolicy (?:query|describe) [^\n]*)\n(.*?)(?=^\$ |\Z)", block, re.S | re.M):
            sessions.append((command, output.rstrip("\n") + "\n"))
    return sessions


def test_the_readme_shows_real_runs() -> None:
    assert len(readme_sessions()) >= 5


@pytest.mark.parametrize(("command", "output"), readme_sessions(), ids=[c for c, _ in readme_sessions()])
def test_readme_examples_print_what_the_readme_shows(command: str, output: str, capsys: pytest.CaptureFixture[str]) -> None:
    command, echo, _ = command.partition("; echo $?")
    code = main(shlex.split(command)[1:])
    out, err = capsys.readouterr()
    assert out + err + (f"{code}\n" if echo else "") == output
