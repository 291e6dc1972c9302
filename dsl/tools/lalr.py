"""The Lark-free pieces of the direct LALR parse: giving up, a reduced rule on the stack, one reduction, literal values.

Two drivers read Lark's LALR tables and build the AST as each rule reduces: the policy parse of `language/parser.py`
(its "Driver" block, over the tables of a Lark parser in memory) and the cached query parse of `tools/query_parse.py`
(over the query's tables kept as JSON, without importing Lark). What they do alike is here, once, and imports no Lark.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

MAX_LITERAL_DIGITS = 15  # significant digits a number of a policy or a query may have (Decimal is exact within them)


class GiveUp(Exception):
    """This text is for Lark's own parse (an error to word, or a shape the driver does not take)."""


class Node:
    """A reduced rule on the stack: its AST value (or, for a `_rule` Lark inlines into its parent, its children), its own
    extent, the extent of the outermost rule that passed it up unchanged (Lark's "container"), its height. It is also the
    `meta` its AST method reads: the positions `propagate_positions` gives a tree node (`empty`, `line`, `column`, ...)."""

    __slots__ = ("children", "column", "container", "empty", "end_column", "end_line", "height", "line", "own", "value")

    def __init__(self, own: tuple[int, int, int, int] | None, height: int, children: list[Any] | None = None) -> None:
        self.value: Any = None
        self.own = own
        self.container = own
        self.height = height
        self.children = children
        if own is None:
            self.empty = True
        else:
            self.empty = False
            self.line, self.column, self.end_line, self.end_column = own


def reduce(raw: list[Any], keep: list[Any] | None, collapse: bool, method: Callable[..., Any] | None, origin: str, token: type,
           max_height: int) -> Any:
    """One reduction, as Lark's tree builder and our transformer would make it: `raw` the expansion's values (tokens of
    class `token`, or Nodes), `keep` the children Lark's filter keeps ((index, expand) pairs, None for all), `collapse` a
    single child passed up as it is, `method` the rule's AST method (None for a `_rule` Lark inlines). GiveUp for what the
    drivers leave to Lark: nesting past `max_height`, an AST method that raises, a shape this grammar does not have."""
    # The extent Lark's PropagatePositions gives: first and last child that has one, including dropped keywords.
    extent = None
    first = None
    for child in raw:
        if type(child) is token:
            first = (child.line, child.column)
            break
        if child.container is not None:
            first = child.container[:2]
            break
    if first is not None:
        for child in reversed(raw):
            if type(child) is token:
                extent = (*first, child.end_line, child.end_column)
                break
            if child.container is not None:
                extent = (*first, *child.container[2:])
                break
    if keep is None:
        kept = raw
    else:
        kept = []
        for index, expand in keep:
            if expand:
                kept += raw[index].children
            else:
                kept.append(raw[index])
    if collapse and len(kept) == 1:
        result = kept[0]
        if type(result) is Node and extent is not None:
            if result.own is None:
                raise GiveUp  # Lark would give the empty child its parent's place: not a case this grammar has
            result.container = extent
        return result
    if method is None:
        if not origin.startswith("_"):
            raise GiveUp  # a rule without an AST method would stay a Lark tree
        return Node(extent, 0, kept)
    height = 1
    args = []
    for child in kept:
        if type(child) is Node:
            if child.height >= height:
                height = child.height + 1
            args.append(child.value)
        else:
            args.append(child)
    if height > max_height:
        raise GiveUp  # the usual parse refuses it with its located error
    node = Node(extent, height)
    try:
        node.value = method(node, *args)
    except Exception:
        raise GiveUp from None  # the usual parse reports it, located
    return node


# ---- literal values --------------------------------------------------------------------------------------------------


class BadLiteral(ValueError):
    """A literal no value has (an impossible date or time of day); the parser words it, located."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def too_many_digits(text: str) -> tuple[str, int] | None:
    """The first number in a literal's text with more than MAX_LITERAL_DIGITS significant digits, and how many it has:
    Decimal arithmetic is exact only within its precision, so such a number would be rounded silently."""
    if len(text) <= MAX_LITERAL_DIGITS:
        return None  # too short to hold that many digits
    for number in re.findall(r"\d+(?:\.\d+)?", text):
        digits = number.replace(".", "").lstrip("0")
        if len(digits) > MAX_LITERAL_DIGITS:
            return number, len(digits)
    return None


def duration_minutes(text: str) -> Decimal:
    m = re.fullmatch(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)(?:min)?)?", text)
    if not m:  # pragma: no cover - the terminal only lets these shapes through
        raise ValueError(text)
    days, hours, minutes = (int(g) if g else 0 for g in m.groups())
    return Decimal(days * 1440 + hours * 60 + minutes)


def literal_value(kind: str, text: str) -> Any:
    """The value of a literal token of a terminal `kind`; BadLiteral for an impossible date or time of day (the caller
    checks the digits first: too_many_digits)."""
    from racepolicy.evaluation.values import CURRENCY_ALIASES, Duration, Length, Money, Percent, TimeOfDay

    if kind == "NUMBER":
        return Decimal(text)
    if kind == "QUANTITY":
        number, unit = re.fullmatch(r"([\d.]+) ?(km|cm|m)", text).groups()  # type: ignore[union-attr]
        factor = {"km": Decimal(1000), "cm": Decimal("0.01"), "m": Decimal(1)}[unit]
        return Length(Decimal(number) * factor, unit)
    if kind == "MONEY":
        number, currency = re.fullmatch(r"([\d.]+) ?([A-Z]{3})", text).groups()  # type: ignore[union-attr]
        return Money.of(Decimal(number), CURRENCY_ALIASES.get(currency, currency))
    if kind == "TIME":
        hours, minutes = (int(p) for p in text.split(":"))
        if hours > 23 or minutes > 59:
            raise BadLiteral(f"'{text}' is not a time of day", "write a time from 00:00 to 23:59")
        return TimeOfDay(hours * 60 + minutes)
    if kind == "PERCENT":
        return Percent(Decimal(text[:-1]))
    if kind == "DURATION":
        return Duration(duration_minutes(text))
    if kind == "DATE":
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise BadLiteral(f"'{text}' is not a calendar date", "write a real date as YYYY-MM-DD") from None
    if kind == "STRING":
        return text[1:-1]
    raise AssertionError(kind)  # pragma: no cover


# The terminals whose literal holds a number, whose digits are checked.
NUMERIC = frozenset({"NUMBER", "QUANTITY", "MONEY", "PERCENT", "DURATION"})
