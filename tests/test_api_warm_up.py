"""A rule's first calls through the API are interpreted, later ones run generated code (issue #16): a user cannot tell which."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import racepolicy
from racepolicy.api import WARM_UP_CALLS
from racepolicy.evaluation.compiled import compile_edition
from racepolicy.query.policyset import PolicySet

UTMB_2022 = Path(__file__).resolve().parent.parent / "policies" / "utmb-2022.policy"


@pytest.fixture(scope="module")
def policies() -> PolicySet:
    return racepolicy.load()


ONE_RULE = 'edition trail 2025 "x"\ncurrency EUR\nrule qualifies(rank: number) = rank >= 1 and rank <= 10\n'


def outcome(call: Any) -> Any:
    """The answer, or the error's class and rendered message."""
    try:
        return ("answer", call())
    except racepolicy.PolicyError as exc:
        return (type(exc).__name__, exc.render())


def test_a_rule_called_once_generates_no_code() -> None:
    # GIVEN a one-rule policy from text WHEN its rule is called once THEN the interpreter answers, nothing is generated
    rulebook = racepolicy.loads(ONE_RULE).edition("trail-2025")
    qualifies = rulebook.rule("qualifies")
    assert qualifies(3) is True
    assert "qualifies" not in compile_edition(rulebook.edition)._fast
    # WHEN it is called WARM_UP_CALLS times THEN its code is generated and answers the same
    for _ in range(WARM_UP_CALLS):
        assert qualifies(3) is True
        assert qualifies(11) is False
    assert "qualifies" in compile_edition(rulebook.edition)._fast


def test_the_warm_up_counts_the_calls_made_through_every_rulebook_of_an_edition() -> None:
    # GIVEN an embedder who asks policies.edition(...) anew for each call (a new Rulebook and callable every time)
    policies = racepolicy.loads(ONE_RULE)
    for _ in range(WARM_UP_CALLS):
        assert policies.edition("trail-2025").rule("qualifies")(3) is True
    # THEN the rule's code is generated all the same, and a new callable runs it from its first call
    assert "qualifies" in compile_edition(policies.find("trail-2025"))._fast
    assert policies.edition("trail-2025").rule("qualifies")(11) is False


def test_a_warm_callable_is_the_generated_entry_itself() -> None:
    # GIVEN a callable held by an embedder WHEN its rule warms up THEN the callable calls the rule's generated entry directly
    # (no checked path in between: that is what keeps a warm call within 1.3x of hand-written Python), and so does a
    # callable made afterwards, from its first call
    policies = racepolicy.loads(ONE_RULE)
    held = policies.edition("trail-2025").rule("qualifies")
    checked_path = held.__code__
    assert not hasattr(held, "generated_source")
    for _ in range(WARM_UP_CALLS):
        assert held(3) is True
    assert held.__code__ is not checked_path and held.__code__.co_name == "_entry" and "def _entry(rank=" in held.generated_source
    later = policies.edition("trail-2025").rule("qualifies")
    assert later.__code__.co_name == "_entry" and later(10) is True and later(11) is False
    assert held.name == "qualifies" and held.params == (("rank", "number"),)  # still the RuleFunction it was


# Arguments a rule accepts, to warm it up with (the types of the first one are those of the calls made for types below).
WARM: dict[str, tuple[Any, ...]] = {
    "refund": ("UTMB", datetime.date(2022, 5, 15)), "stones_back": (9, False), "receives_award": ("UTMB", 10, 50),
}
CALLS = [
    # seed 003:922-940 "Until the End of April 60% / End of April - End of June 50% / ... August No refund"; seed 003:50 UTMB fee 305€
    ("refund", ("UTMB", datetime.date(2022, 4, 30)), {}),
    ("refund", ("CCC", datetime.date(2022, 6, 30)), {}),
    ("refund", (), {"race": "OCC", "cancelled": datetime.date(2022, 8, 1)}),
    ("stones_back", (9, False), {}),
    ("stones_back", (Decimal(9), True), {}),
    ("receives_award", (), {"race": "UTMB", "general_rank": 10, "category_rank": 50}),
    # mistakes: the same error, worded the same, before and after the code is generated
    ("refund", ("UTMBB", datetime.date(2022, 4, 1)), {}),
    ("refund", ("UTMB", datetime.datetime(2022, 4, 1, 12, 0)), {}),
    ("refund", ("UTMB",), {}),
    ("stones_back", (True, False), {}),
    ("stones_back", (9.0, False), {}),
]


@pytest.mark.parametrize(("rule", "args", "kwargs"), CALLS, ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(CALLS)])
def test_interpreted_and_generated_calls_give_the_same_answers_and_errors(
    policies: PolicySet, rule: str, args: tuple[Any, ...], kwargs: dict[str, Any],
) -> None:
    # GIVEN a rule of a freshly loaded edition (interpreted) and the same rule past its warm-up (generated code, calls
    # made for the argument types)
    fresh_edition = racepolicy.load(UTMB_2022).edition("utmb-2022")
    fresh = fresh_edition.rule(rule)
    warm = policies.edition("utmb-2022").rule(rule)
    for _ in range(WARM_UP_CALLS + 1):
        warm(*WARM[rule])
    assert rule in compile_edition(policies.find("utmb-2022"))._fast
    # WHEN both are called THEN the fresh one's first call, interpreted, gives what the warm one gives, answer or error
    expected = outcome(lambda: fresh(*args, **kwargs))
    assert rule not in compile_edition(fresh_edition.edition)._fast
    assert outcome(lambda: warm(*args, **kwargs)) == expected
    assert outcome(lambda: warm(*args, **kwargs)) == expected
