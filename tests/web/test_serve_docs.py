"""The `curl` examples of docs/serve.md, run against a real server: each prints what the page shows (`...` leaves lines out)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "serve.md"
DOCUMENTED_URL = "http://127.0.0.1:8000"


def examples() -> list[tuple[str, list[str]]]:
    """Each `$ curl ...` of a console block, with the lines shown under it."""
    found = []
    for block in re.findall(r"```console\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S):
        lines = block.splitlines()
        assert lines[0].startswith("$ curl "), lines[0]
        found.append((lines[0][2:], lines[1:]))
    return found


def shown_in(expected: list[str], actual: list[str]) -> bool:
    """The documented lines appear in order; with no `...` they are the whole output."""
    if "..." not in expected:
        return expected == actual
    position = 0
    for line in (e for e in expected if e != "..."):
        try:
            position = actual.index(line, position) + 1
        except ValueError:
            return False
    return (expected[0] == "..." or actual[0] == expected[0]) and (expected[-1] == "..." or actual[-1] == expected[-1])


def test_the_page_documents_every_endpoint() -> None:
    commands = " ".join(command for command, _ in examples())
    for endpoint in ("/v1/query", "/v1/editions", "/v1/describe/", "/v1/checklists/", "/v1/diff", "/v1/complete", "/v1/clause"):
        assert endpoint in commands


@pytest.mark.parametrize(("command", "expected"), examples(), ids=[c.split(DOCUMENTED_URL)[1].split("'")[0][:60] for c, _ in examples()])
def test_curl_examples_print_what_the_docs_show(server: str, command: str, expected: list[str]) -> None:
    assert shutil.which("curl"), "curl is needed to run the documented examples"
    assert DOCUMENTED_URL in command
    run = subprocess.run(command.replace(DOCUMENTED_URL, server), shell=True, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    actual = run.stdout.splitlines()
    assert shown_in(expected, actual), "\n".join(actual[:60])
