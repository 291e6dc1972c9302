"""The examples of docs/api.md run as doctests: the embedder API does what its page shows."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

API = Path(__file__).resolve().parent.parent / "docs" / "api.md"
BLOCKS = re.findall(r"```python\n(.*?)```", API.read_text(encoding="utf-8"), flags=re.S)


def test_the_api_page_has_examples() -> None:
    assert len(BLOCKS) >= 6
    assert all(">>> " in block for block in BLOCKS)


def test_api_page_examples_run_as_shown() -> None:
    # One namespace for the whole page, as a reader runs it top to bottom.
    text = "\n".join(BLOCKS)
    test = doctest.DocTestParser().get_doctest(text, {}, "docs/api.md", str(API), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    failures: list[str] = []
    runner.run(test, out=failures.append)
    if runner.failures:
        pytest.fail("".join(failures))
    assert runner.tries >= 30
