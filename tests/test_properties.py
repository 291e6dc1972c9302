"""Property tests: no text, however broken, escapes the parser or a query as anything but a PolicyError."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from racepolicy.language.errors import PolicyError
from racepolicy.language.parser import parse_policy, parse_query
from racepolicy.query.policyset import PolicySet

# Words and marks of the language, so generated text reaches deep into the grammar, not just its first token.
WORDS = [
    "edition", "utmb", "2022", '"title"', "currency", "EUR", "section", "race", "UTMB", "CCC", "OCC", ":", ",", "§", '"clause"',
    "distance", "171 km", "10000 m", "cutoff", "46h30", "15min", "10d", "fee", "305 EUR", "50%", "eligible", "when", "runner",
    ".", "birth_year", "group", "long", "=", "all", "infraction", "missing_jacket", "penalty", "on", "disqualify", "for", "life",
    "discretion", "as", "doping", "schedule", "through", "04-30", "02-29", "13-45", "2022-05-15", "2022-02-30", "->", "otherwise",
    "table", "(", ")", "[", "]", "{", "}", "band", "20..34", "85+", "..", "+", "rule", "r", "x", "number", "money", "if", "then",
    "else", "and", "or", "not", "in", "==", "<=", ">", "-", "*", "/", "given", "refund", "cancelled", "stones_back", "ceil", "max",
    "year", "true", "false", "#", "\n", "\t", "é", "\x00", "99999999999999999999999", "0.5", "1e5", '"', "$",
]
SOUP = st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join)
TEXT = st.one_of(st.text(max_size=200), SOUP, st.lists(st.sampled_from(WORDS), max_size=30).map("".join))

# A couple of seconds in all: enough to shake out crashes on every run, cheap enough for every run.
BOUNDED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


def only_policy_errors(call, text: str) -> None:
    try:
        call(text)
    except PolicyError as exc:
        exc.render()  # rendering must not fail either


@BOUNDED
@given(TEXT)
def test_parse_policy_raises_nothing_but_policy_errors(text: str) -> None:
    only_policy_errors(parse_policy, text)


@BOUNDED
@given(TEXT)
def test_parse_policy_after_a_header_raises_nothing_but_policy_errors(text: str) -> None:
    only_policy_errors(parse_policy, 'edition utmb 2022 "t" currency EUR\n' + text)


@BOUNDED
@given(TEXT)
def test_parse_query_raises_nothing_but_policy_errors(text: str) -> None:
    only_policy_errors(parse_query, text)


@pytest.fixture(scope="module")
def policies() -> PolicySet:
    return PolicySet.bundled()


@BOUNDED
@given(text=SOUP)
def test_asking_the_bundled_policies_raises_nothing_but_policy_errors(policies: PolicySet, text: str) -> None:
    only_policy_errors(lambda t: policies.ask(t, edition="utmb-2022").render(explain=True), text)
