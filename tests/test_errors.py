"""Every error kind a user can cause, with its rendered message as a snapshot a person reviews."""

from __future__ import annotations

import pytest
from racepolicy.errors import PolicyError, PolicyErrors, PolicySyntaxError, PolicyTypeError
from racepolicy.parser import parse_query
from racepolicy.policyset import PolicySet
from racepolicy.source import Source

HEADER = 'edition demo 2022 "Demo regulations" currency EUR\n'


def load_errors(body: str, name: str = "demo.policy") -> list[PolicyError]:
    """Every error of loading a policy made of a header and `body`, in the order reported."""
    try:
        PolicySet().add(Source(name, HEADER + body))
    except PolicyErrors as exc:
        return list(exc.errors)
    except PolicyError as exc:
        return [exc]
    raise AssertionError("the policy loaded without errors")


@pytest.mark.parametrize("text", ["99999999999999999999999999999 EUR", "1234567890123456 km", "10000000000000000%", "9999999999999999h"])
def test_absurdly_long_figures_are_syntax_errors_not_crashes(text: str) -> None:
    # Regression: a 29-digit amount escaped the transformer as a VisitError(InvalidOperation).
    with pytest.raises(PolicySyntaxError, match="too large a number"):
        parse_query(text)


def test_a_unit_mismatch_in_a_race_attribute_is_reported_once() -> None:
    # Regression: the checker reported the type error, then evaluated the attribute and reported it again.
    errors = load_errors("race A: distance 171 km + 15min")
    assert [type(e) for e in errors] == [PolicyTypeError]


def test_a_syntax_hint_lists_only_what_may_really_come_next() -> None:
    # Regression: LALR's merged lookaheads made the hint after `penalty a UTMB` list 'band', 'group', 'rule', ...
    with pytest.raises(PolicySyntaxError) as caught:
        parse_query("penalty missing_jacket UTMB")
    assert caught.value.hint == "expected ',' or 'on'"


def test_a_syntax_error_names_the_unexpected_token_in_plain_words() -> None:
    # Regression: messages read "unexpected a number '5'" and "unexpected '*' or '/' '*'".
    with pytest.raises(PolicySyntaxError) as number:
        parse_query("1 2")
    with pytest.raises(PolicySyntaxError) as operator:
        parse_query("1 +* 2")
    assert number.value.message == "unexpected number '2'"
    assert operator.value.message == "unexpected '*'"
    # What an author can write comes first in the hint, punctuation after.
    assert operator.value.hint.startswith("expected a date such as 2022-05-15, a duration such as 1h or 15min")
