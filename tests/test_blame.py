"""Blame the right party: a word of the query that matches no table row is the query's mistake, with the valid keys."""

from __future__ import annotations

import pytest
from racepolicy.language.errors import EvaluationError
from racepolicy.query.policyset import PolicySet


@pytest.mark.parametrize("runner", ["interpreter", "compiled"])
def test_a_wrong_word_from_the_query_is_reported_at_the_word_with_the_valid_keys(bundled: PolicySet, runner: str) -> None:
    query = 'elite_access("France", "200K", "men", 800)'
    with pytest.raises(EvaluationError) as caught:
        bundled.ask(query, runner=runner)
    error = caught.value
    assert error.source is not None and error.source.name == "<query>"
    assert (error.span.line, error.span.column, error.span.end_column) == (1, 24, 30)  # "200K", quotes included
    assert error.message == "table free_entry_index has no row for (200K, men): '200K' is not a category it knows (world-series 2023)"
    # seed 001:48 "Distance Category 50K 100K 100M": the elite thresholds exist for these three only
    assert error.hint == "valid category: 50K, 100K, 100M"
    assert "otherwise" not in error.hint


def test_a_wrong_sex_word_is_blamed_on_the_query_too(bundled: PolicySet) -> None:
    with pytest.raises(EvaluationError) as caught:
        bundled.ask('elite_access("France", "100K", "man", 800)')
    assert caught.value.source is not None and caught.value.source.name == "<query>"
    assert caught.value.hint == "valid sex: women, men"
