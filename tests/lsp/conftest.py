"""One language server for the tests of this folder, started as an editor starts it: `racepolicy lsp` over stdio."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lsp_client import Editor
from lsp_helpers import SEEDS


@pytest.fixture(scope="session")
def editor() -> Iterator[Editor]:
    # Broken copies live in temporary folders: the regulation texts are found through the environment, as `check` finds them.
    started = Editor({"RACEPOLICY_SOURCES": str(SEEDS)})
    yield started
    started.close()
