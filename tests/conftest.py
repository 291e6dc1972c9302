"""Shared fixtures: the bundled policies, and `ask` run under every evaluation strategy."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from racepolicy.answer import Answer
from racepolicy.policyset import RUNNERS, PolicySet


@pytest.fixture(scope="session")
def bundled() -> PolicySet:
    return PolicySet.bundled()


@pytest.fixture(params=RUNNERS)
def ask(request: pytest.FixtureRequest, bundled: PolicySet) -> Callable[..., Answer]:
    """Ask the bundled policies; question tables run once per runner and must agree."""

    def _ask(query: str, edition: str | None = None) -> Answer:
        return bundled.ask(query, edition=edition, runner=request.param)

    return _ask
