"""A time penalty from a policy holds exact Decimal minutes, so its JSON form never fails."""

from decimal import Decimal

from racepolicy.evaluation.values import to_json
from racepolicy.language.source import Source
from racepolicy.query.policyset import compile_source


def test_single_time_penalty_has_decimal_minutes_and_json() -> None:
    edition = compile_source(Source("t.policy", 'edition demo 2020 "t" race R: fee 1 EUR infraction x "x" penalty x on R = 1h30'), None)
    sanction = edition.penalties["x"][0].sanction
    assert isinstance(sanction.minutes, Decimal) and sanction.minutes == 90
    assert to_json(sanction)["minutes"] == "90"
