"""Functions every policy may call: min, max, ceil, floor, round, abs, date, years_between, len."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from racepolicy.evaluation.operators import OperatorError, apply
from racepolicy.evaluation.values import Duration, Money, ceil, floor, round_half_up, type_name


def _min(*args: Any) -> Any:
    best = args[0]
    for a in args[1:]:
        if apply("<", a, best):
            best = a
    return best


def _max(*args: Any) -> Any:
    best = args[0]
    for a in args[1:]:
        if apply(">", a, best):
            best = a
    return best


def _round(value: Decimal, places: Decimal = Decimal(0)) -> Decimal:
    if places != places.to_integral_value() or not -12 <= places <= 12:
        raise OperatorError(f"round to {places} places: give a whole number of places from -12 to 12")
    return round_half_up(value, int(places))


def _abs(value: Any) -> Any:
    if isinstance(value, Decimal):
        return abs(value)
    if isinstance(value, Money):
        return Money(abs(value.amount), value.currency)
    if isinstance(value, Duration):
        return Duration(abs(value.minutes))
    raise OperatorError(f"abs needs a number, money or duration, not {type_name(value)}")


def _date(year: Decimal, month: Decimal, day: Decimal) -> datetime.date:
    try:
        return datetime.date(int(year), int(month), int(day))
    except (ValueError, OverflowError):
        raise OperatorError(f"{year}-{month}-{day} is not a calendar date") from None


def _years_between(start: datetime.date, end: datetime.date) -> Decimal:
    """Whole years from `start` to `end`: an age on a date when `start` is a birth date."""
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return Decimal(years)


def _len(value: tuple[Any, ...]) -> Decimal:
    return Decimal(len(value))


# name -> (minimum arity, maximum arity or None, parameter kinds (last repeats), result kind or "same")
BUILTINS: dict[str, tuple[int, int | None, tuple[str, ...], str, Callable[..., Any]]] = {
    "min": (1, None, ("any",), "same", _min),
    "max": (1, None, ("any",), "same", _max),
    "ceil": (1, 1, ("number",), "number", ceil),
    "floor": (1, 1, ("number",), "number", floor),
    "round": (1, 2, ("number", "number"), "number", _round),
    "abs": (1, 1, ("any",), "same", _abs),
    "date": (3, 3, ("number", "number", "number"), "date", _date),
    "years_between": (2, 2, ("date", "date"), "number", _years_between),
    "len": (1, 1, ("list",), "number", _len),
}


def param_kinds(name: str, count: int) -> Sequence[str]:
    kinds = BUILTINS[name][2]
    return [kinds[min(i, len(kinds) - 1)] for i in range(count)]
