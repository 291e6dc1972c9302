"""Every error kind a user can cause, with its rendered message as a snapshot a person reviews."""

from __future__ import annotations

import pytest

from racepolicy.errors import PolicySyntaxError
from racepolicy.parser import parse_query


@pytest.mark.parametrize("text", ["99999999999999999999999999999 EUR", "1234567890123456 km", "10000000000000000%", "9999999999999999h"])
def test_absurdly_long_figures_are_syntax_errors_not_crashes(text: str) -> None:
    # Regression: a 29-digit amount escaped the transformer as a VisitError(InvalidOperation).
    with pytest.raises(PolicySyntaxError, match="too large a number"):
        parse_query(text)
