"""Errors raised by plugin query forms point at the query the jury typed, not at the policy."""

from __future__ import annotations

import pytest
from racepolicy.language.errors import PolicyError


def test_refund_for_a_race_the_edition_lacks_names_the_race_under_the_query(bundled) -> None:
    # GIVEN the 2016 edition, which has no MCC (seed 004 lists UTMB, CCC, TDS, OCC)
    # WHEN a jury asks for an MCC refund
    with pytest.raises(PolicyError) as caught:
        bundled.ask("refund MCC cancelled 2016-03-01", edition="utmb-2016")
    # THEN the error names the race and its caret sits under the query's own line
    error = caught.value
    assert error.message == "unknown race 'MCC' in utmb 2016"
    assert error.span.line == 1
    assert error.render().splitlines()[1] == "   1 | refund MCC cancelled 2016-03-01"


def test_refund_asked_the_wrong_way_shows_the_usage_under_the_query(bundled) -> None:
    with pytest.raises(PolicyError) as caught:
        bundled.ask("refund UTMB 2016", edition="utmb-2016")
    error = caught.value
    assert error.message == "refund takes one cancellation date; 0 given"
    assert error.hint.startswith("ask as: refund RACE cancelled YYYY-MM-DD")
    assert error.render().splitlines()[1] == "   1 | refund UTMB 2016"
