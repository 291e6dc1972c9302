"""Shared fixtures: the bundled policies, and `ask` run under every evaluation strategy."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable

import pytest
from racepolicy.query.answer import Answer
from racepolicy.query.policyset import RUNNERS, PolicySet
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

# The cache of checked editions (docs/cache.md) goes to a folder of this run, never the user's; commands run in child
# processes inherit it. Tests of the cache itself give each test its own folder.
os.environ["RACEPOLICY_CACHE_DIR"] = _CACHE_DIR = tempfile.mkdtemp(prefix="racepolicy-test-cache-")
os.environ.pop("RACEPOLICY_NO_CACHE", None)
atexit.register(shutil.rmtree, _CACHE_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def bundled() -> PolicySet:
    return PolicySet.bundled()


@pytest.fixture(params=RUNNERS)
def ask(request: pytest.FixtureRequest, bundled: PolicySet) -> Callable[..., Answer]:
    """Ask the bundled policies; question tables run once per runner and must agree."""

    def _ask(query: str, edition: str | None = None) -> Answer:
        return bundled.ask(query, edition=edition, runner=request.param)

    return _ask


# ---- a module's own demo policy, asked under every runner ----------------------------


@pytest.fixture(params=RUNNERS)
def q(request: pytest.FixtureRequest, demo: PolicySet) -> Callable[[str], Answer]:
    """Ask the module's `demo` policy set (a fixture each module defines) under each runner; the runners must agree."""

    def _ask(query: str) -> Answer:
        return demo.ask(query, runner=request.param)

    return _ask


# ---- single-file snapshots a reviewer reads on GitHub (regulation diffs) -------


class MarkdownSnapshot(SingleFileSnapshotExtension):
    _write_mode = WriteMode.TEXT
    file_extension = "md"


class TextSnapshot(SingleFileSnapshotExtension):
    _write_mode = WriteMode.TEXT
    file_extension = "txt"


class JSONTextSnapshot(SingleFileSnapshotExtension):
    """Already-rendered JSON text, stored as it is (our own stable key order)."""

    _write_mode = WriteMode.TEXT
    file_extension = "json"


SNAPSHOT_FORMATS = {"markdown": MarkdownSnapshot, "text": TextSnapshot, "json": JSONTextSnapshot}


@pytest.fixture
def snapshot_file(snapshot: SnapshotAssertion) -> Callable[[str], SnapshotAssertion]:
    """`snapshot_file("markdown")`: a snapshot stored as one .md, .txt or .json file per test."""

    def _for(fmt: str) -> SnapshotAssertion:
        return snapshot.use_extension(SNAPSHOT_FORMATS[fmt])

    return _for
