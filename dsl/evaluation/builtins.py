"""Functions every policy may call: min, max, ceil, floor, round, abs, date, years_between, len, and the calendar's and lists'."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from racepolicy.evaluation.operators import OperatorError, apply
from racepolicy.evaluation.values import Duration, Money, ceil, floor, round_half_up, type_name


def _items(args: tuple[Any, ...], name: str) -> tuple[Any, ...]:
    """`min(a, b, c)` or `min(list)`: the values compared (issue #11 item 2)."""
    if len(args) == 1 and isinstance(args[0], tuple):
        if not args[0]:
            raise OperatorError(f"{name} of an empty list")
        return args[0]
    return args


def _extreme(args: tuple[Any, ...], name: str, beats: str) -> Any:
    """The value that `beats` every other (`<` for min, `>` for max), compared by the language's own operator."""
    args = _items(args, name)
    best = args[0]
    for a in args[1:]:
        if apply(beats, a, best):
            best = a
    return best


def _min(*args: Any) -> Any:
    return _extreme(args, "min", "<")


def _max(*args: Any) -> Any:
    return _extreme(args, "max", ">")


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


# ---- lists you can compute with (issue #11 item 2) --------------------------------


def _sum(items: tuple[Any, ...]) -> Any:
    """The sum of a list of numbers, amounts, durations, lengths or percentages (0 for an empty list)."""
    if not items:
        return Decimal(0)
    total = items[0]
    for item in items[1:]:
        total = apply("+", total, item)
    if type_name(total) not in ("number", "money", "duration", "length", "percent"):
        raise OperatorError(f"sum needs numbers, amounts, durations, lengths or percentages, not {type_name(total)}")
    return total


def _field_value(item: Any, field: str) -> Any:
    from racepolicy.evaluation.values import Record

    if not field:
        return item
    if not isinstance(item, Record):
        raise OperatorError(f"only records have a field '{field}', not {type_name(item)}")
    try:
        return item.get(field)
    except KeyError:
        raise OperatorError(f"a record of the list has no field '{field}'") from None


def _sorted(items: tuple[Any, ...], field: str = "", descending: bool = False) -> tuple[Any, ...]:
    """Least first, in the language's own order; stable, so equal values keep the order they came in."""
    from racepolicy.evaluation.operators import ORDERED_ALL, _order_key

    values = [_field_value(item, field) for item in items]
    kinds = {type_name(v) for v in values}
    if len(kinds) > 1:
        raise OperatorError(f"cannot sort values of kinds {', '.join(sorted(kinds))} together")
    if kinds and next(iter(kinds)) not in ORDERED_ALL:
        raise OperatorError(f"{next(iter(kinds))} values have no order")
    if "money" in kinds and len({v.currency for v in values}) > 1:
        raise OperatorError("cannot sort amounts in two currencies together")
    order = sorted(range(len(items)), key=lambda i: _order_key(values[i]), reverse=descending)
    return tuple(items[i] for i in order)


def _sort(items: tuple[Any, ...]) -> tuple[Any, ...]:
    return _sorted(items)


def _sort_by(items: tuple[Any, ...], field: str) -> tuple[Any, ...]:
    return _sorted(items, field)


def _count_of(n: Decimal) -> int:
    if n != n.to_integral_value() or n < 0:
        raise OperatorError(f"the number of items must be a whole number, not {n}")
    return int(min(n, Decimal(10**9)))


def _top(items: tuple[Any, ...], n: Decimal) -> tuple[Any, ...]:
    """The `n` greatest values, greatest first ("the best 3 results count", for points)."""
    return _sorted(items, descending=True)[: _count_of(n)]


def _bottom(items: tuple[Any, ...], n: Decimal) -> tuple[Any, ...]:
    """The `n` least values, least first (the best times)."""
    return _sorted(items)[: _count_of(n)]


def _top_by(items: tuple[Any, ...], n: Decimal, field: str) -> tuple[Any, ...]:
    return _sorted(items, field, descending=True)[: _count_of(n)]


def _bottom_by(items: tuple[Any, ...], n: Decimal, field: str) -> tuple[Any, ...]:
    return _sorted(items, field)[: _count_of(n)]


def _bools(items: tuple[Any, ...], name: str) -> tuple[bool, ...]:
    if not all(isinstance(i, bool) for i in items):
        raise OperatorError(f"{name} needs a list of yes or no")
    return items


def _any(items: tuple[Any, ...]) -> bool:
    return any(_bools(items, "any"))


def _all(items: tuple[Any, ...]) -> bool:
    return all(_bools(items, "all"))


def _subset(part: tuple[Any, ...], whole: tuple[Any, ...]) -> bool:
    """Whether every item of `part` is in `whole`."""
    return all(item in whole for item in part)


# ---- end lists


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
    # lists you can compute with (issue #11 item 2); the checker gives their results' kinds (checker_lists.py)
    "sum": (1, 1, ("list",), "any", _sum),
    "count": (1, 1, ("list",), "number", _len),
    "sort": (1, 1, ("list",), "list", _sort),
    "sort_by": (2, 2, ("list", "text"), "list", _sort_by),
    "top": (2, 2, ("list", "number"), "list", _top),
    "bottom": (2, 2, ("list", "number"), "list", _bottom),
    "top_by": (3, 3, ("list", "number", "text"), "list", _top_by),
    "bottom_by": (3, 3, ("list", "number", "text"), "list", _bottom_by),
    "any": (1, 1, ("list",), "bool", _any),
    "all": (1, 1, ("list",), "bool", _all),
    "subset": (2, 2, ("list", "list"), "bool", _subset),
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
