"""Fixtures of the REPL tests: a fresh session on the bundled policies, a small policy of one's own, no writes to the real home."""

from __future__ import annotations

from pathlib import Path

import pytest
from racepolicy.repl.session import Session
from repl_helpers import CUP_POLICY


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # History and the parse cache go to temporary folders, never to the tester's home.
    base = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "cache"))


@pytest.fixture
def session() -> Session:
    """A session opened on the bundled policies."""
    opened = Session()
    replies = opened.open()
    assert all(r.ok for r in replies), [r.text for r in replies]
    return opened


@pytest.fixture
def cup(tmp_path: Path) -> Path:
    """A one-race policy file the test may edit on disk."""
    path = tmp_path / "cup.policy"
    path.write_text(CUP_POLICY, encoding="utf-8")
    return path
