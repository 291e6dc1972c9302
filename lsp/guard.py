"""Keep serving whatever the input: a feature that fails answers with an empty result and the failure is logged."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger("racepolicy.lsp")
T = TypeVar("T")


def answers(empty: Callable[[], T]) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """A handler that returns `empty()` instead of raising: an editor gets an answer, and the next request is served."""

    def wrap(handler: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(handler)
        def guarded(*args: Any, **kwargs: Any) -> T:
            try:
                return handler(*args, **kwargs)
            except Exception:  # the server outlives any one bad request: the bug is logged for the report, not raised
                log.exception("%s failed", handler.__name__)
                return empty()

        return guarded

    return wrap
