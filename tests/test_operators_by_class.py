"""Arithmetic found by the operands' classes (issue #16) gives what the table by kinds gives: the same values, the same errors."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st
from racepolicy.evaluation.operators import ARITHMETIC, ARITHMETIC_BY_CLASS, MAX_MAGNITUDE, OperatorError, apply
from racepolicy.evaluation.values import Duration, Length, Money, Percent, TimeOfDay, type_name

# One value of each class the table by classes holds, for every kind ARITHMETIC names.
SAMPLES: list[Any] = [
    Decimal("2.5"), 3, Money(Decimal("152.50"), "EUR"), Duration(Decimal(90)), Length(Decimal(1000), "km"), Percent(Decimal(60)),
    datetime.date(2022, 8, 26), TimeOfDay(8 * 60), datetime.datetime(2022, 8, 26, 18, 0),
]
OPERATORS = sorted({op for op, _, _ in ARITHMETIC})


def _outcome(compute: Any) -> Any:
    try:
        return compute()
    except OperatorError as exc:
        return type(exc), str(exc)


def test_every_pair_of_classes_finds_the_implementation_of_its_kinds() -> None:
    # The same implementation as ARITHMETIC's for the two kinds, except money times a percent (computed on the amount,
    # compared below), and nothing for a pair of kinds ARITHMETIC lacks (apply reports it as before).
    own = {("*", Money, Percent), ("*", Percent, Money)}
    for op in OPERATORS:
        for left in SAMPLES:
            for right in SAMPLES:
                by_class = ARITHMETIC_BY_CLASS.get((op, type(left), type(right)))
                found = ARITHMETIC.get((op, type_name(left), type_name(right)))
                if found is None:
                    assert by_class is None, (op, left, right)
                    assert _outcome(lambda op=op, left=left, right=right: apply(op, left, right))[0] is OperatorError
                elif (op, type(left), type(right)) in own:
                    assert by_class(left, right) == found[1](left, right)
                else:
                    assert by_class is found[1], (op, left, right)


@settings(max_examples=300, deadline=None)
@example(cents=5, share=Decimal(50))  # 0.025 EUR: half a cent, rounded up
@example(cents=-5, share=Decimal(50))  # and away from zero below it
@given(
    cents=st.integers(min_value=-(10**26), max_value=10**26),
    share=st.decimals(min_value=Decimal(-10**6), max_value=Decimal(10**6), places=3, allow_nan=False, allow_infinity=False),
)
def test_money_times_a_percent_is_money_of_the_amount_times_the_ratio(cents: int, share: Decimal) -> None:
    # A fee times a refund share (seed 003 "Until the End of April 60%"): the amount times the percent over 100, rounded to
    # the cent half-up (Money.of), or "too large" past MAX_MAGNITUDE, whichever operand comes first.
    fee, percent = Money(Decimal(cents) / 100, "EUR"), Percent(share)
    try:
        expected: Any = Money.of(fee.amount * percent.ratio, "EUR")
        too_large = abs(expected.amount) >= MAX_MAGNITUDE
    except InvalidOperation:  # more digits than Decimal keeps, to the cent
        too_large = True
    if too_large:  # then |fee| >= 10^14: times 10^18 it is too large too, and says so in the range error's own words
        expected = _outcome(lambda: apply("*", fee, Decimal(10) ** 18))
        assert expected[0] is not Money
    assert _outcome(lambda: apply("*", fee, percent)) == expected
    assert _outcome(lambda: apply("*", percent, fee)) == expected
