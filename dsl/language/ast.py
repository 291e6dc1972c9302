"""The typed syntax tree of policies and queries: frozen attrs nodes, each with its source span."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import attrs
from racepolicy.language.source import NOWHERE, Span


def _span() -> Span:
    # Spans never take part in equality: two nodes that say the same thing
    # compare equal wherever they stand (the formatter and the diff rely on it).
    return attrs.field(default=NOWHERE, eq=False, repr=False, kw_only=True)  # type: ignore[no-any-return]


@attrs.frozen(repr=False)
class Node:
    """Base of every syntax node."""

    span: Span = _span()  # noqa: RUF009 - an attrs field, not a dataclass default

    def __repr__(self) -> str:
        # Cold start: one __repr__ for every node class, word for word the one attrs would generate for each (`Name(name='x')`,
        # fields with repr=False left out), so that attrs compiles 51 fewer methods at import (issue #16, bench/analysis.md).
        names = _REPR_FIELDS.get(type(self))
        if names is None:
            names = _REPR_FIELDS[type(self)] = tuple((f.name, f.repr) for f in attrs.fields(type(self)) if f.repr is not False)
        shown = ", ".join(f"{name}={getattr(self, name)!r}" if how is True else f"{name}={how(getattr(self, name))}" for name, how in names)
        return f"{type(self).__qualname__.rsplit('>.', 1)[-1]}({shown})"

    def iter_child_nodes(self) -> Iterator[Node]:
        return iter(_children(self))

    def find_all(self, kind: type[Node]) -> Iterator[Node]:
        # Depth first, each node before its descendants; a stack rather than nested generators, whose cost grows with depth
        # (the checker walks every policy this way when it loads).
        stack = _children(self)
        stack.reverse()
        while stack:
            node = stack.pop()
            if isinstance(node, kind):
                yield node
            children = _children(node)
            if children:
                children.reverse()
                stack += children


_REPR_FIELDS: dict[type, tuple[tuple[str, Any], ...]] = {}  # node class -> (field, repr) of the fields its repr shows
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}  # node class -> the fields that may hold a node
_NO_NODE = frozenset({"Span", "str", "int", "bool", "int | None", "tuple[str, ...]"})  # fields declared to hold none


def _children(node: Node) -> list[Node]:
    """The nodes a node holds, in field order (one level of tuples of tuples included, as table rows' keys are)."""
    names = _FIELD_NAMES.get(type(node))
    if names is None:
        names = _FIELD_NAMES[type(node)] = tuple(f.name for f in attrs.fields(type(node)) if f.type not in _NO_NODE)
    found: list[Node] = []
    for name in names:
        value = getattr(node, name)
        if isinstance(value, Node):
            found.append(value)
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, Node):
                    found.append(item)
                elif isinstance(item, tuple):
                    found.extend(x for x in item if isinstance(x, Node))
    return found


N = TypeVar("N", bound=Node)


def rewrite(node: N, replace: Callable[[Node], Node | None]) -> N:
    """The node with every descendant that `replace` answers for replaced by its answer (None: keep it, look inside).

    Unchanged parts are shared, not copied, so `rewrite(node, ...) is node` tells that nothing changed."""

    def walk(value: Any) -> Any:
        if isinstance(value, Node):
            replaced = replace(value)
            if replaced is not None:
                return replaced
            changes = {}
            for field in attrs.fields(type(value)):
                old = getattr(value, field.name)
                new = walk(old)
                if new is not old:
                    changes[field.name] = new
            return attrs.evolve(value, **changes) if changes else value
        if isinstance(value, tuple):
            items = tuple(walk(item) for item in value)
            return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
        return value

    result: N = walk(node)
    return result


@attrs.frozen(repr=False)
class Citation(Node):
    """A `§ "..."` clause tying a statement to the regulation text, with the reading taken where the clause is ambiguous."""

    text: str = ""
    reading: str = ""  # `reading "..." over "..."`: the reading this policy takes
    alternatives: tuple[str, ...] = ()  # the other readings the text allows


# ---- expressions ---------------------------------------------------------


@attrs.frozen(repr=False)
class Expr(Node):
    """Base of expressions."""


@attrs.frozen(repr=False)
class Literal(Expr):
    """A constant: number, money, duration, length, percent, date, text or boolean."""

    value: object = None


@attrs.frozen(repr=False)
class MonthDay(Expr):
    """A day-month date such as 04-30, resolved against the edition year."""

    month: int = 1
    day: int = 1


@attrs.frozen(repr=False)
class Name(Expr):
    name: str = ""


@attrs.frozen(repr=False)
class Field(Expr):
    subject: Expr = attrs.field(factory=Expr)
    name: str = ""


@attrs.frozen(repr=False)
class Call(Expr):
    function: str = ""
    args: tuple[Expr, ...] = ()


@attrs.frozen(repr=False)
class Unary(Expr):
    op: str = "-"  # "-" or "not"
    operand: Expr = attrs.field(factory=Expr)


@attrs.frozen(repr=False)
class Binary(Expr):
    op: str = "+"  # + - * / == != < <= > >= and or in notin
    left: Expr = attrs.field(factory=Expr)
    right: Expr = attrs.field(factory=Expr)


@attrs.frozen(repr=False)
class IfExpr(Expr):
    condition: Expr = attrs.field(factory=Expr)
    then: Expr = attrs.field(factory=Expr)
    otherwise: Expr = attrs.field(factory=Expr)


@attrs.frozen(repr=False)
class ListExpr(Expr):
    items: tuple[Expr, ...] = ()


@attrs.frozen(repr=False)
class Where(Expr):
    """`results where date >= 2015-09-01`: the items of a list for which the condition holds.

    In the condition, a record's fields are names (`date`), and `item` is the item itself."""

    items: Expr = attrs.field(factory=Expr)
    condition: Expr = attrs.field(factory=Expr)


@attrs.frozen(repr=False)
class RecordExpr(Expr):
    items: tuple[tuple[str, Expr], ...] = ()

    def iter_child_nodes(self) -> Iterator[Node]:
        for _, value in self.items:
            yield value


# ---- sanctions -------------------------------------------------------------


@attrs.frozen(repr=False)
class SanctionExpr(Node):
    """A sanction as written: kind is time, disqualify, life, ban, discretion, doping or none."""

    kind: str = "time"
    minutes: int = 0
    # ---- richer sanctions (issue #11 item 4)
    immediate: bool = False  # "Immediate disqualification": served at once, not after the race
    ban_months: int = 0  # kind "ban": `disqualify for 2 years` is 24 months
    decider: str = ""  # kind "discretion": who decides ("the Race Jury"); empty is the race direction


# ---- statements ------------------------------------------------------------


@attrs.frozen(repr=False)
class Statement(Node):
    citation: Citation | None = None
    section: str = ""  # the `section` heading in force where the statement stands


@attrs.frozen(repr=False)
class SourceRef(Node):
    """A `source "path"` line of the header: a regulation text the policy encodes, relative to the policy file."""

    path: str = ""


@attrs.frozen(repr=False)
class Header(Node):
    series: str = ""
    year: int = 0
    title: str = ""
    currency: str = "EUR"
    sources: tuple[SourceRef, ...] = ()


@attrs.frozen(repr=False)
class Attribute(Node):
    name: str = ""
    value: Expr = attrs.field(factory=Expr)
    citation: Citation | None = None


@attrs.frozen(repr=False)
class Eligibility(Node):
    condition: Expr = attrs.field(factory=Expr)
    citation: Citation | None = None


@attrs.frozen(repr=False)
class RaceDecl(Statement):
    name: str = ""
    title: str = ""
    attributes: tuple[Attribute, ...] = ()
    eligibility: tuple[Eligibility, ...] = ()


@attrs.frozen(repr=False)
class GroupDecl(Statement):
    name: str = ""
    members: tuple[str, ...] = ()


@attrs.frozen(repr=False)
class InfractionDecl(Statement):
    name: str = ""
    description: str = ""


@attrs.frozen(repr=False)
class PenaltyDecl(Statement):
    infractions: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()  # race or group names; "all" for every race
    sanction: SanctionExpr = attrs.field(factory=SanctionExpr)
    condition: Expr | None = None  # `when EXPR`: the line applies only when the facts make it hold


@attrs.frozen(repr=False)
class Tier(Node):
    """A schedule tier: applies to dates up to and including `through`."""

    through: Expr = attrs.field(factory=Expr)  # Literal(date) or MonthDay
    value: Expr = attrs.field(factory=Expr)
    citation: Citation | None = None


@attrs.frozen(repr=False)
class Otherwise(Node):
    value: Expr = attrs.field(factory=Expr)
    citation: Citation | None = None


@attrs.frozen(repr=False)
class ScheduleDecl(Statement):
    name: str = ""
    tiers: tuple[Tier, ...] = ()
    otherwise: Otherwise | None = None


@attrs.frozen(repr=False)
class Param(Node):
    name: str = ""
    type: str = "any"


@attrs.frozen(repr=False)
class TableRow(Node):
    keys: tuple[Literal | Name, ...] = ()
    value: Expr = attrs.field(factory=Expr)
    citation: Citation | None = None


@attrs.frozen(repr=False)
class TableDecl(Statement):
    name: str = ""
    params: tuple[Param, ...] = ()
    rows: tuple[TableRow, ...] = ()
    otherwise: Otherwise | None = None


@attrs.frozen(repr=False)
class BandRow(Node):
    low: int = 0
    high: int | None = None  # None: open-ended ("85+")
    value: Expr | None = None
    citation: Citation | None = None

    @property
    def label(self) -> str:
        return f"{self.low}+" if self.high is None else f"{self.low}-{self.high}"


@attrs.frozen(repr=False)
class BandDecl(Statement):
    name: str = ""
    rows: tuple[BandRow, ...] = ()


@attrs.frozen(repr=False)
class RuleDecl(Statement):
    name: str = ""
    params: tuple[Param, ...] = ()
    body: Expr = attrs.field(factory=Expr)


# ---- equipment checklists (gear) -------------------------------------------


@attrs.frozen(repr=False)
class GearItem(Node):
    """One line of a checklist: `require 2 torch "..." spec "..." except MCC absent missing_torch fewer only_one_torch`."""

    mode: str = "require"  # "require" (mandatory) or "recommend"
    name: str = ""
    count: int | None = None  # None: no quantity written (one)
    description: str = ""
    specs: tuple[Citation, ...] = ()  # the text's own words for size, weight, capacity, conditions: verified quotes
    excepted: tuple[str, ...] = ()  # races of the checklist that do not need the item
    absent: tuple[str, ...] = ()  # infractions for not carrying the item at all
    fewer: tuple[str, ...] = ()  # infractions for carrying fewer than `count`
    citation: Citation | None = None


# ---- closed sets of words and the shapes of facts (issue #11 item 1) ----------


@attrs.frozen(repr=False)
class Word(Node):
    """One word of a closed set, with the other spellings a query may use for it."""

    text: str = ""
    aliases: tuple[str, ...] = ()
    citation: Citation | None = None


@attrs.frozen(repr=False)
class ChecklistDecl(Statement):
    """`checklist NAME on RACES [kit KIT]: items`; a kit applies only when the organiser announces it."""

    name: str = ""
    targets: tuple[str, ...] = ()
    kit: str = ""
    specs: tuple[Citation, ...] = ()  # conditions on every item of the list, quoted from the text
    items: tuple[GearItem, ...] = ()


# ---- fidelity: statements about the regulation text itself ------------------


@attrs.frozen(repr=False)
class InformativeDecl(Statement):
    """`informative § "clause" "reason"`: a clause of the text that carries no machine-checkable rule."""

    reason: str = ""


# ---- the policy file ---------------------------------------------------------


@attrs.frozen(repr=False)
class NotApplicable(Expr):
    """`n/a` in a table cell: the regulation marks the row not applicable (not an error, not a value)."""


@attrs.frozen(repr=False)
class InputDecl(Statement):
    """`input NAME: TYPE "reason"`: a figure the regulation does not give; every query that needs it must supply it."""

    name: str = ""
    type: str = "any"
    reason: str = ""


@attrs.frozen(repr=False)
class AssertDecl(Statement):
    """`assert EXPR § "..."`: a fact the regulation states, checked when the policy loads."""

    condition: Expr = attrs.field(factory=Expr)


@attrs.frozen(repr=False)
class WordsDecl(Statement):
    """`words sex: "men" ("man", "m"), "women" ("woman", "w")`: the values a text may take."""

    name: str = ""
    words: tuple[Word, ...] = ()
    case_sensitive: bool = False


@attrs.frozen(repr=False)
class FactField(Node):
    name: str = ""
    type: str = "any"  # a kind or the name of a set of words
    optional: bool = False
    citation: Citation | None = None


@attrs.frozen(repr=False)
class FactsDecl(Statement):
    """`facts runner: birth_year: number, sex: sex, profile: profile optional`: the record a query passes."""

    name: str = ""
    fields: tuple[FactField, ...] = ()


@attrs.frozen(repr=False)
class AttributeDecl(Statement):
    """`attribute start_time: time`: a race attribute the policy declares itself, with its kind (issue #11 item 10)."""

    name: str = ""
    type: str = "any"


@attrs.frozen(repr=False)
class Policy(Node):
    """One parsed policy file: an edition header and its statements in source order."""

    header: Header | None = None
    statements: tuple[Statement, ...] = ()


# ---- queries ---------------------------------------------------------------


@attrs.frozen(repr=False)
class Binding(Node):
    name: str = ""
    value: Expr = attrs.field(factory=Expr)


@attrs.frozen(repr=False)
class Query(Node):
    """Base of queries; `given` binds facts for this query only."""

    given: tuple[Binding, ...] = ()


@attrs.frozen(repr=False)
class PenaltyQuery(Query):
    infractions: tuple[str, ...] = ()
    race: str = ""
    kits: tuple[str, ...] = ()  # `with hot`: the kits the organiser announced


@attrs.frozen(repr=False)
class EligibleQuery(Query):
    race: str = ""


@attrs.frozen(repr=False)
class FormQuery(Query):
    """A word-led query (`cutoff TDS`, `refund UTMB cancelled 2022-05-15`)."""

    verb: str = ""
    args: tuple[Literal | Name, ...] = ()


@attrs.frozen(repr=False)
class ExprQuery(Query):
    expr: Expr = attrs.field(factory=Expr)

