"""Blame the right party: a word of the query that matches no table row is the query's mistake, with the valid keys."""

from __future__ import annotations

import pytest
from racepolicy.language.errors import EvaluationError, UnknownWordError
from racepolicy.query.policyset import PolicySet


@pytest.mark.parametrize("runner", ["interpreter", "compiled"])
def test_a_wrong_word_from_the_query_is_reported_at_the_word_with_the_valid_keys(bundled: PolicySet, runner: str) -> None:
    # "20K" is a category of the series (seed 000), but the elite tables have no 20K column.
    query = 'elite_access("France", "20K", "men", 800)'
    with pytest.raises(EvaluationError) as caught:
        bundled.ask(query, runner=runner)
    error = caught.value
    assert error.source is not None and error.source.name == "<query>"
    assert (error.span.line, error.span.column, error.span.end_column) == (1, 24, 29)  # "20K", quotes included
    assert error.message == "table free_entry_index has no row for (20K, men): '20K' is not a category it knows (world-series 2023)"
    # seed 001:48 "Distance Category 50K 100K 100M": the elite thresholds exist for these three only
    assert error.hint == "valid category: 50K, 100K, 100M"
    assert "otherwise" not in error.hint


def test_a_word_outside_its_set_is_blamed_on_the_query_with_the_words(bundled: PolicySet) -> None:
    # The sex and category columns are closed sets of words: "man" is an alias of "men", "mne" is no word at all.
    assert bundled.ask('elite_access("France", "100K", "man", 800)').text == bundled.ask('elite_access("France", "100K", "men", 800)').text
    with pytest.raises(UnknownWordError) as caught:
        bundled.ask('elite_access("France", "100K", "mne", 800)')
    assert caught.value.source is not None and caught.value.source.name == "<query>"
    assert (caught.value.span.line, caught.value.span.column) == (1, 32)
    assert caught.value.message == "\"mne\" is not one of the words of 'sex': \"men\", \"women\""
