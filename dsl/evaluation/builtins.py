"""Functions every policy may call: min, max, ceil, floor, round, abs, date, years_between, len, and the calendar's and lists'."""

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


# ---- calendar arithmetic (issue #11 item 5) ------------------------------------


def _whole(n: Decimal, what: str) -> int:
    if not isinstance(n, Decimal) or n != n.to_integral_value() or abs(n) > 100_000:
        raise OperatorError(f"{what} must be a whole number (up to 100000), not {n}")
    return int(n)


def _holidays(holidays: tuple[Any, ...]) -> frozenset[datetime.date]:
    if not all(isinstance(h, datetime.date) and not isinstance(h, datetime.datetime) for h in holidays):
        raise OperatorError("holidays must be a list of dates")
    return frozenset(holidays)


def _working_day(day: datetime.date, holidays: frozenset[datetime.date]) -> bool:
    return day.weekday() < 5 and day not in holidays  # Monday to Friday, and not a declared holiday


def _working_days_after(start: datetime.date, count: Decimal, holidays: tuple[Any, ...] = ()) -> datetime.date:
    """The date `count` working days after `start` ("within five working days"): Monday to Friday, without the holidays given."""
    n, off = _whole(count, "the number of working days"), _holidays(holidays)
    step = 1 if n >= 0 else -1
    day = start
    try:
        for _ in range(abs(n)):
            day += datetime.timedelta(days=step)
            while not _working_day(day, off):
                day += datetime.timedelta(days=step)
    except OverflowError:
        raise OperatorError("the resulting date is outside the calendar") from None
    return day


def _working_days_between(start: datetime.date, end: datetime.date, holidays: tuple[Any, ...] = ()) -> Decimal:
    """Working days after `start` up to and including `end`."""
    off = _holidays(holidays)
    if (end - start).days > 100_000:
        raise OperatorError("the dates are too far apart to count working days")
    return Decimal(sum(1 for i in range(1, (end - start).days + 1) if _working_day(start + datetime.timedelta(days=i), off)))


def _add_months(start: datetime.date, count: Decimal) -> datetime.date:
    """The same day `count` months later (or earlier); the last day of the month when it has fewer days."""
    import calendar

    months = start.year * 12 + start.month - 1 + _whole(count, "the number of months")
    year, month = divmod(months, 12)
    if not 1 <= year <= 9999:
        raise OperatorError("the resulting date is outside the calendar")
    return datetime.date(year, month + 1, min(start.day, calendar.monthrange(year, month + 1)[1]))


def _months_between(start: datetime.date, end: datetime.date) -> Decimal:
    """Whole months from `start` to `end` ("in the last 24 months")."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    return Decimal(months)


def _date_of(moment: datetime.datetime) -> datetime.date:
    return moment.date()


def _time_of(moment: datetime.datetime) -> Any:
    from racepolicy.evaluation.values import TimeOfDay

    return TimeOfDay(moment.hour * 60 + moment.minute)


# ---- end calendar arithmetic


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
    # calendar arithmetic (issue #11 item 5)
    "working_days_after": (2, 3, ("date", "number", "list"), "date", _working_days_after),
    "working_days_between": (2, 3, ("date", "date", "list"), "number", _working_days_between),
    "add_months": (2, 2, ("date", "number"), "date", _add_months),
    "months_between": (2, 2, ("date", "date"), "number", _months_between),
    "date_of": (1, 1, ("datetime",), "date", _date_of),
    "time_of": (1, 1, ("datetime",), "time", _time_of),
}


def param_kinds(name: str, count: int) -> Sequence[str]:
    kinds = BUILTINS[name][2]
    return [kinds[min(i, len(kinds) - 1)] for i in range(count)]
