"""The one table of what operators do to which kinds of value, shared by checker and evaluator."""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, DivisionByZero, InvalidOperation
from typing import Any

from racepolicy.evaluation.values import CENT, Duration, GroupValue, Length, Money, Percent, RaceValue, TimeOfDay, type_name

MINUTES_PER_DAY = Decimal(24 * 60)
ORDERED = ("number", "money", "duration", "length", "percent", "date", "text")
# Times of day and date-times are ordered too; they are kept apart so that the compiled runners'
# fast paths (which know ORDERED) hand them to `apply`, the one place that knows them.
ORDERED_ALL = (*ORDERED, "time", "datetime")
COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")


# Results at or beyond this size are refused: Decimal keeps 28 significant
# digits, so larger amounts (with their cents) would be rounded silently.
MAX_MAGNITUDE = Decimal(10) ** 18


class OperatorError(Exception):
    """Raised by an operator on values it cannot combine; callers add the location."""


class OutOfRangeError(OperatorError):
    """Raised when a result is too large to be held exactly (or a date leaves the calendar)."""


def _magnitude(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, Money):
        return value.amount
    if isinstance(value, Duration):
        return value.minutes
    if isinstance(value, Length):
        return value.metres
    if isinstance(value, Percent):
        return value.value
    return None


def check_range(value: Any) -> Any:
    """The value itself, or OutOfRangeError when its number is too large to be exact."""
    if type(value) is Decimal:
        number = value
    else:
        magnitude = _MAGNITUDE_BY_CLASS.get(type(value))
        number = magnitude(value) if magnitude is not None else _magnitude(value)
    if number is not None and (not number.is_finite() or abs(number) >= MAX_MAGNITUDE):
        raise OutOfRangeError(f"the result is too large (limit {MAX_MAGNITUDE:.0e})")
    return value


def _same_currency(a: Money, b: Money) -> str:
    if a.currency != b.currency:
        raise OperatorError(f"cannot combine {a.currency} with {b.currency}")
    return a.currency


def _days(d: Duration) -> int:
    days, rem = divmod(d.minutes, MINUTES_PER_DAY)
    if rem:
        raise OperatorError(f"{d} is not a whole number of days, so it cannot move a date")
    return int(days)


def _div(a: Decimal, b: Decimal) -> Decimal:
    if b == 0:
        raise OperatorError("division by zero")
    return a / b


Impl = Callable[[Any, Any], Any]

# (operator, left kind, right kind) -> (result kind, implementation)
ARITHMETIC: dict[tuple[str, str, str], tuple[str, Impl]] = {
    ("+", "number", "number"): ("number", lambda a, b: a + b),
    ("-", "number", "number"): ("number", lambda a, b: a - b),
    ("*", "number", "number"): ("number", lambda a, b: a * b),
    ("/", "number", "number"): ("number", _div),
    ("+", "money", "money"): ("money", lambda a, b: Money.of(a.amount + b.amount, _same_currency(a, b))),
    ("-", "money", "money"): ("money", lambda a, b: Money.of(a.amount - b.amount, _same_currency(a, b))),
    ("*", "money", "number"): ("money", lambda a, b: Money.of(a.amount * b, a.currency)),
    ("*", "number", "money"): ("money", lambda a, b: Money.of(a * b.amount, b.currency)),
    ("*", "money", "percent"): ("money", lambda a, b: Money.of(a.amount * b.ratio, a.currency)),
    ("*", "percent", "money"): ("money", lambda a, b: Money.of(a.ratio * b.amount, b.currency)),
    ("/", "money", "number"): ("money", lambda a, b: Money.of(_div(a.amount, b), a.currency)),
    ("/", "money", "money"): ("number", lambda a, b: _div(a.amount, b.amount) if _same_currency(a, b) else 0),
    ("+", "duration", "duration"): ("duration", lambda a, b: Duration(a.minutes + b.minutes)),
    ("-", "duration", "duration"): ("duration", lambda a, b: Duration(a.minutes - b.minutes)),
    ("*", "duration", "number"): ("duration", lambda a, b: Duration(a.minutes * b)),
    ("*", "number", "duration"): ("duration", lambda a, b: Duration(a * b.minutes)),
    ("*", "duration", "percent"): ("duration", lambda a, b: Duration(a.minutes * b.ratio)),
    ("*", "percent", "duration"): ("duration", lambda a, b: Duration(a.ratio * b.minutes)),
    ("/", "duration", "number"): ("duration", lambda a, b: Duration(_div(a.minutes, b))),
    ("/", "duration", "duration"): ("number", lambda a, b: _div(a.minutes, b.minutes)),
    ("+", "length", "length"): ("length", lambda a, b: Length(a.metres + b.metres, a.unit)),
    ("-", "length", "length"): ("length", lambda a, b: Length(a.metres - b.metres, a.unit)),
    ("*", "length", "number"): ("length", lambda a, b: Length(a.metres * b, a.unit)),
    ("*", "number", "length"): ("length", lambda a, b: Length(a * b.metres, b.unit)),
    ("/", "length", "number"): ("length", lambda a, b: Length(_div(a.metres, b), a.unit)),
    ("/", "length", "length"): ("number", lambda a, b: _div(a.metres, b.metres)),
    ("+", "percent", "percent"): ("percent", lambda a, b: Percent(a.value + b.value)),
    ("-", "percent", "percent"): ("percent", lambda a, b: Percent(a.value - b.value)),
    ("*", "percent", "percent"): ("percent", lambda a, b: Percent(a.value * b.ratio)),
    ("*", "number", "percent"): ("number", lambda a, b: a * b.ratio),
    ("*", "percent", "number"): ("number", lambda a, b: a.ratio * b),
    ("+", "date", "duration"): ("date", lambda a, b: a + datetime.timedelta(days=_days(b))),
    ("-", "date", "duration"): ("date", lambda a, b: a - datetime.timedelta(days=_days(b))),
    ("-", "date", "date"): ("duration", lambda a, b: Duration(Decimal((a - b).days) * MINUTES_PER_DAY)),
    # ---- time of day and date-times (issue #11 item 5)
    ("at", "date", "time"): ("datetime", lambda a, b: datetime.datetime(a.year, a.month, a.day, b.minutes // 60, b.minutes % 60)),
    ("+", "time", "duration"): ("time", lambda a, b: _time(a.minutes + _minutes(b))),
    ("-", "time", "duration"): ("time", lambda a, b: _time(a.minutes - _minutes(b))),
    ("-", "time", "time"): ("duration", lambda a, b: Duration(Decimal(a.minutes - b.minutes))),
    ("+", "datetime", "duration"): ("datetime", lambda a, b: a + datetime.timedelta(minutes=_minutes(b))),
    ("-", "datetime", "duration"): ("datetime", lambda a, b: a - datetime.timedelta(minutes=_minutes(b))),
    ("-", "datetime", "datetime"): ("duration", lambda a, b: Duration(Decimal((a - b) // datetime.timedelta(minutes=1)))),
}


def _minutes(d: Duration) -> int:
    if d.minutes != d.minutes.to_integral_value():
        raise OperatorError(f"{d} is not a whole number of minutes, so it cannot move a time")
    if abs(d.minutes) > MAX_MAGNITUDE:
        raise OutOfRangeError("the duration is too long to move a time")
    return int(d.minutes)


def _time(minutes: int) -> TimeOfDay:
    # A time of day stays within its day: past midnight, the day matters, so a date-time is needed.
    if not 0 <= minutes < 24 * 60:
        raise OperatorError("the time passes midnight: give the day too, e.g. (date at 22:00) + 3h")
    return TimeOfDay(minutes)


def _member(item: Any, collection: Any) -> bool:
    if isinstance(collection, GroupValue):
        return isinstance(item, RaceValue) and item.name in collection.members
    if isinstance(collection, tuple):
        return item in collection
    if isinstance(collection, str) and isinstance(item, str):
        return item in collection
    raise OperatorError(f"'in' needs a list or a group on its right, not {type_name(collection)}")


def result_kind(op: str, left: str, right: str) -> str | None:
    """The kind an operator yields for two kinds, 'any' when unknown, None when it is an error."""
    if op in ("and", "or"):
        return "bool" if {left, right} <= {"bool", "any"} else None
    if op in ("in", "notin"):
        return "bool" if right in ("list", "group", "text", "any") else None
    if op in COMPARISONS:
        if "any" in (left, right) or left == right:
            if op in ("==", "!=") or left in ORDERED_ALL or "any" in (left, right):
                return "bool"
        return None
    if "any" in (left, right):
        return "any"
    found = ARITHMETIC.get((op, left, right))
    return found[0] if found else None


# ---- arithmetic found by the operands' exact classes (issue #16) ----------------------------------------------
# The classes whose values are exactly of one kind (values._KIND_OF_TYPE: a subclass, such as datetime against date,
# falls to `type_name`), and ARITHMETIC keyed by (operator, left class, right class): `apply` finds an implementation
# with one dict probe instead of naming both kinds first. The same implementations, so the same results and errors.
_CLASSES_OF_KIND: dict[str, tuple[type, ...]] = {
    "number": (Decimal, int), "money": (Money,), "duration": (Duration,), "length": (Length,), "percent": (Percent,),
    "date": (datetime.date,), "time": (TimeOfDay,), "datetime": (datetime.datetime,),
}
_HUNDRED = Decimal(100)


def _money_times_percent(a: Money, b: Percent) -> Money:
    # Money.of(a.amount * b.ratio, a.currency) without its two calls: b.ratio is b.value / 100, and dividing by the int
    # or by Decimal(100) gives the same Decimal; the product is rounded to the cent half-up, as Money.of rounds it.
    return Money((a.amount * (b.value / _HUNDRED)).quantize(CENT, ROUND_HALF_UP), a.currency)  # rounding by position: cheaper


def _percent_times_money(a: Percent, b: Money) -> Money:
    return Money(((a.value / _HUNDRED) * b.amount).quantize(CENT, ROUND_HALF_UP), b.currency)  # as above


ARITHMETIC_BY_CLASS: dict[tuple[str, type, type], Impl] = {
    (op, left, right): impl
    for (op, lk, rk), (_, impl) in ARITHMETIC.items()
    for left in _CLASSES_OF_KIND[lk]
    for right in _CLASSES_OF_KIND[rk]
}
ARITHMETIC_BY_CLASS["*", Money, Percent] = _money_times_percent  # a refund: a fee times a share
ARITHMETIC_BY_CLASS["*", Percent, Money] = _percent_times_money
# How check_range finds a result's number, by its exact class (a Decimal is its own number; a class in neither goes
# through _magnitude).
_MAGNITUDE_BY_CLASS: dict[type, Callable[[Any], Any]] = {
    Money: operator.attrgetter("amount"), Duration: operator.attrgetter("minutes"), Length: operator.attrgetter("metres"),
    Percent: operator.attrgetter("value"),
}


def apply(op: str, left: Any, right: Any) -> Any:
    """Apply a binary operator to two values; raises OperatorError for kinds that do not mix."""
    impl = ARITHMETIC_BY_CLASS.get((op, type(left), type(right)))
    if impl is not None:
        return arithmetic(op, impl, left, right)
    lk, rk = type_name(left), type_name(right)
    if op in ("in", "notin"):
        found = _member(left, right)
        return found if op == "in" else not found
    if op in COMPARISONS:
        if lk != rk:
            raise OperatorError(f"cannot compare {lk} with {rk}")
        if op == "==":
            return left == right
        if op == "!=":
            return left != right
        if lk not in ORDERED_ALL:
            raise OperatorError(f"{lk} values have no order")
        if lk == "money":
            _same_currency(left, right)
        a, b = _order_key(left), _order_key(right)
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    found = ARITHMETIC.get((op, lk, rk))
    if found is None:
        raise OperatorError(describe_mismatch(op, lk, rk))
    return arithmetic(op, found[1], left, right)


def arithmetic(op: str, impl: Impl, left: Any, right: Any) -> Any:
    """An arithmetic operator's result, within range, or the OperatorError that says why not."""
    try:
        result = impl(left, right)
        # check_range(result), without its frame
        number = result if type(result) is Decimal else (_MAGNITUDE_BY_CLASS.get(type(result)) or _magnitude)(result)
        if number is not None and (not number.is_finite() or abs(number) >= MAX_MAGNITUDE):
            raise OutOfRangeError(f"the result is too large (limit {MAX_MAGNITUDE:.0e})")
        return result
    except OverflowError:
        raise OutOfRangeError("the resulting date is outside the calendar") from None
    except InvalidOperation as exc:
        if op != "/":  # the exact result has more digits than Decimal keeps (money is rounded to the cent): it is too large
            raise OutOfRangeError(f"the result is too large (limit {MAX_MAGNITUDE:.0e})") from exc
        raise OutOfRangeError(f"arithmetic failed: {exc.__class__.__name__}") from exc
    except DivisionByZero as exc:
        raise OutOfRangeError(f"arithmetic failed: {exc.__class__.__name__}") from exc


def _order_key(value: Any) -> Any:
    """What values of one kind are ordered by: their exact magnitude, or the value itself (dates, texts)."""
    if isinstance(value, TimeOfDay):
        return value.minutes
    magnitude = _magnitude(value)
    return value if magnitude is None else magnitude


VERBS = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}


def describe_mismatch(op: str, left: str, right: str) -> str:
    if op == "+":
        return f"cannot add {right} to {left}"
    if op == "-":
        return f"cannot subtract {right} from {left}"
    if op in ("*", "/"):
        return f"cannot {VERBS[op]} {left} by {right}"
    if op in COMPARISONS:
        return f"cannot compare {left} with {right}"
    if op == "at":
        return f"'at' puts a time of day on a date (2022-08-26 at 12:00), not on {left} with {right}"
    return f"'{op}' does not apply to {left} and {right}"
