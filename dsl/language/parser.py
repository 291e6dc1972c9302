"""Parse policy and query text into the AST; Lark trees never leave this module."""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

import attrs
from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError
from lark.parse_tree_builder import ChildFilterLALR_NoPlaceholders, ExpandSingleChild, PropagatePositions
from lark.parsers.lalr_analysis import Shift
from racepolicy.evaluation.values import CURRENCIES, CURRENCY_ALIASES
from racepolicy.language import ast
from racepolicy.language.errors import (
    ChecklistError,
    InputTooLargeError,
    InvalidDateError,
    NestingError,
    NumberRangeError,
    PolicyError,
    PolicyErrors,
    PolicySyntaxError,
    UnexpectedCharacterError,
    UnexpectedEndError,
)
from racepolicy.language.source import Source, Span
from racepolicy.tools.lalr import (
    MAX_LITERAL_DIGITS,
    NUMERIC,
    BadLiteral,
    GiveUp,
    Node,
    duration_minutes,
    literal_value,
    reduce,
    too_many_digits,
)

try:  # the reading of a regular expression (first_chars below), private to `re` since Python 3.11
    from re import _constants as sre  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another Python: the lexers try every terminal everywhere, as Lark does
    sre = sre_parse = None

# Limits keep a hostile or mistaken input from exhausting the machine.
MAX_SOURCE_CHARS = 2_000_000
MAX_QUERY_CHARS = 10_000
MAX_SYNTAX_ERRORS = 50
# Re-parsing after each syntax error costs a full parse; cap the characters parsed in all.
MAX_RECOVERY_CHARS = 20_000_000
# Deeper than any regulation needs, shallow enough that every recursive walk
# downstream (checker, evaluator, AST equality) stays far from Python's stack limit.
MAX_NESTING = 100
# Significant digits of one number as written: enough for any fee, distance or time.

STATEMENT_KEYWORDS = (
    "edition", "section", "race", "group", "infraction", "penalty", "schedule", "table", "band", "rule",
    "informative", "source", "input", "assert",  # fidelity
    "checklist",  # gear
    "words", "facts", "attribute",  # words, facts and a policy's own race attributes
)

# What each terminal is, in the words of a rule author.
TERMINAL_LABELS: dict[str, str] = {
    "NAME": "a name",
    "SERIES": "a series name such as utmb",
    "INT": "a year such as 2022",
    "STRING": 'a quoted text such as "Chamonix"',
    "DURATION": "a duration such as 1h or 15min",
    "NUMBER": "a number",
    "MONEY": "an amount such as 305 EUR",
    "QUANTITY": "a length such as 171 km or 10000 m",
    "PERCENT": "a percentage such as 50%",
    "DATE": "a date such as 2022-05-15",
    "MONTHDAY": "a day and month such as 04-30",
    "CURRENCY": "a currency code such as EUR",
    "TIME": "a time of day such as 08:30",
    "TYPE_NAME": "a type such as number, money or date",
    "COMPARE": "a comparison such as <=",
    "ADD_OP": "'+' or '-'",
    "MUL_OP": "'*' or '/'",
    "$END": "the end of the input",
}


@functools.cache
def _lark() -> Lark:
    # Built once, lazily: the first query pays for it, `racepolicy --version` does not.
    return Lark.open_from_package(
        "racepolicy.grammar",
        "racepolicy.lark",
        start=["policy", "query"],
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=False,
        cache=True,
        strict=True,
    )


@functools.cache
def _direct() -> Driver | None:
    # The same grammar's tables driven without a parse tree (the block at the end of this file); None if this Lark builds them differently.
    try:
        return Driver(_lark(), _ToAst(), MAX_NESTING, literal_of)
    except (AttributeError, TypeError, KeyError):  # pragma: no cover - another Lark version: every text takes the usual parse
        return None


def _span(meta: Any) -> Span:
    if getattr(meta, "empty", True):
        return Span(0, 0, 0, 0)
    return Span(meta.line, meta.column, meta.end_line, meta.end_column)


def _tok_span(tok: Token) -> Span:
    return Span(tok.line or 0, tok.column or 0, tok.end_line or tok.line or 0, tok.end_column or (tok.column or 0) + 1)


def _bad_value(message: str, tok: Token, hint: str) -> PolicySyntaxError:
    return InvalidDateError(message, _tok_span(tok), None, hint)


def _check_digits(tok: Token) -> None:
    # Decimal arithmetic is exact only within its precision; a number with
    # hundreds of digits would be rounded silently, so it is refused here.
    found = too_many_digits(str(tok))
    if found is not None:
        number, digits = found
        raise NumberRangeError(
            f"'{number[:20]}{'...' if len(number) > 20 else ''}' has {digits} digits, over the limit of {MAX_LITERAL_DIGITS}",
            _tok_span(tok), None, f"numbers in a policy have at most {MAX_LITERAL_DIGITS} significant digits",
        )


def literal_of(tok: Token) -> Any:
    """The value of a literal token; raises PolicySyntaxError for impossible dates and huge numbers."""
    kind = tok.type
    if kind in NUMERIC:
        _check_digits(tok)
    try:
        return literal_value(kind, str(tok))
    except BadLiteral as bad:
        raise _bad_value(bad.message, tok, bad.hint) from None


def _month_day(tok: Token) -> ast.MonthDay:
    month, day = (int(p) for p in str(tok).split("-"))
    try:
        datetime.date(2000, month, day)  # a leap year, so 02-29 is accepted
    except ValueError:
        raise _bad_value(f"'{tok}' is not a day of the year", tok, "write the month then the day, as MM-DD") from None
    return ast.MonthDay(month=month, day=day, span=_tok_span(tok))


class _When:
    """A penalty's `when` condition, on its way into the PenaltyDecl."""

    def __init__(self, condition: ast.Expr) -> None:
        self.condition = condition


_CASE_SENSITIVE = object()  # marks `case sensitive` on its way into a WordsDecl


class _SectionMark:
    """A `section` heading; folded into the statements that follow it."""

    def __init__(self, title: str) -> None:
        self.title = title


@attrs.frozen
class _Kit:
    """`kit NAME` of a checklist; folded into its ChecklistDecl."""

    name: str


@attrs.frozen
class _Spec:
    """`spec "..."` of a checklist or an item: the text's own words, kept as a quote so the checker verifies it."""

    quote: ast.Citation


@attrs.frozen
class _Kits:
    """`with hot, cold` of a penalty query; folded into its PenaltyQuery."""

    names: tuple[str, ...]


@attrs.frozen
class _Count:
    """The quantity of a checklist item as written, with its place for an error."""

    value: Decimal
    span: Span


@v_args(meta=True, inline=True)
class _ToAst(Transformer[Token, Any]):
    """Builds AST nodes from the parse tree, carrying every span."""

    # ---- policy structure
    def policy(self, meta: Any, *items: Any) -> ast.Policy:
        header = None
        statements: list[ast.Statement] = []
        section = ""
        for item in items:
            if isinstance(item, ast.Header):
                header = item
            elif isinstance(item, _SectionMark):
                section = item.title
            else:
                statements.append(item if item.section == section else attrs.evolve(item, section=section))
        return ast.Policy(header=header, statements=tuple(statements), span=_span(meta))

    def header(self, meta: Any, series: Token, year: Token, title: Token, *rest: Any) -> ast.Header:
        currency = next((r for r in rest if isinstance(r, str)), None)
        sources = tuple(r for r in rest if isinstance(r, ast.SourceRef))
        return ast.Header(
            series=str(series), year=int(year), title=literal_of(title), currency=currency or "EUR", sources=sources, span=_span(meta),
        )

    # ---- fidelity: source lines and informative clauses
    def source_ref(self, meta: Any, path: Token) -> ast.SourceRef:
        return ast.SourceRef(path=literal_of(path), span=_span(meta))

    def assert_decl(self, meta: Any, condition: ast.Expr, citation: ast.Citation) -> ast.AssertDecl:
        return ast.AssertDecl(condition=condition, citation=citation, span=_span(meta))

    def not_applicable(self, meta: Any, tok: Token) -> ast.NotApplicable:
        return ast.NotApplicable(span=_tok_span(tok))

    def input_decl(self, meta: Any, name: Token, type_name: str, reason: Token, citation: ast.Citation | None = None) -> ast.InputDecl:
        return ast.InputDecl(name=str(name), type=str(type_name), reason=literal_of(reason), citation=citation, span=_span(meta))

    def informative_decl(self, meta: Any, citation: ast.Citation, reason: Token) -> ast.InformativeDecl:
        return ast.InformativeDecl(citation=citation, reason=literal_of(reason), span=_span(meta))

    def currency(self, meta: Any, code: Token) -> str:
        return CURRENCY_ALIASES.get(str(code), str(code))

    def section(self, meta: Any, title: Token) -> _SectionMark:
        return _SectionMark(literal_of(title))

    def cite(self, meta: Any, text: Token, reading: tuple[str, tuple[str, ...]] | None = None) -> ast.Citation:
        chosen, alternatives = reading or ("", ())
        return ast.Citation(text=literal_of(text), reading=chosen, alternatives=alternatives, span=_span(meta))

    def reading(self, meta: Any, chosen: Token, *alternatives: Token) -> tuple[str, tuple[str, ...]]:
        return literal_of(chosen), tuple(literal_of(a) for a in alternatives)

    # ---- races and groups
    def race_decl(self, meta: Any, name: Token, *rest: Any) -> ast.RaceDecl:
        title = ""
        citation = None
        attributes: list[ast.Attribute] = []
        eligibility: list[ast.Eligibility] = []
        for item in rest:
            if isinstance(item, Token):
                title = literal_of(item)
            elif isinstance(item, ast.Citation):
                citation = item
            elif isinstance(item, ast.Attribute):
                attributes.append(item)
            elif isinstance(item, ast.Eligibility):
                eligibility.append(item)
        return ast.RaceDecl(
            name=str(name), title=title, citation=citation, attributes=tuple(attributes),
            eligibility=tuple(eligibility), span=_span(meta),
        )

    def attr(self, meta: Any, name: Token, value: ast.Expr, citation: ast.Citation | None = None) -> ast.Attribute:
        return ast.Attribute(name=str(name), value=value, citation=citation, span=_span(meta))

    def eligibility(self, meta: Any, condition: ast.Expr, citation: ast.Citation | None = None) -> ast.Eligibility:
        return ast.Eligibility(condition=condition, citation=citation, span=_span(meta))

    def group_decl(self, meta: Any, name: Token, members: tuple[str, ...], citation: ast.Citation | None = None) -> ast.GroupDecl:
        return ast.GroupDecl(name=str(name), members=members, citation=citation, span=_span(meta))

    def name_list(self, meta: Any, *names: Token) -> tuple[str, ...]:
        return tuple(str(n) for n in names)

    def infraction_decl(self, meta: Any, name: Token, text: Token, citation: ast.Citation | None = None) -> ast.InfractionDecl:
        return ast.InfractionDecl(name=str(name), description=literal_of(text), citation=citation, span=_span(meta))

    # ---- penalties
    def penalty_decl(self, meta: Any, infractions: tuple[str, ...], targets: tuple[str, ...], sanction: ast.SanctionExpr, *rest: Any) -> ast.PenaltyDecl:
        citation = next((r for r in rest if isinstance(r, ast.Citation)), None)
        condition = next((r.condition for r in rest if isinstance(r, _When)), None)
        return ast.PenaltyDecl(
            infractions=infractions, targets=targets, sanction=sanction, condition=condition, citation=citation, span=_span(meta),
        )

    def target_list(self, meta: Any, *targets: str) -> tuple[str, ...]:
        return tuple(targets)

    def target(self, meta: Any, name: Token) -> str:
        return str(name)

    def target_all(self, meta: Any) -> str:
        return "all"

    def time_sanction(self, meta: Any, tok: Token) -> ast.SanctionExpr:
        _check_digits(tok)
        return ast.SanctionExpr(kind="time", minutes=int(duration_minutes(str(tok))), span=_span(meta))

    def dq_sanction(self, meta: Any) -> ast.SanctionExpr:
        return ast.SanctionExpr(kind="disqualify", span=_span(meta))

    def life_sanction(self, meta: Any) -> ast.SanctionExpr:
        return ast.SanctionExpr(kind="life", span=_span(meta))

    def discretion_sanction(self, meta: Any) -> ast.SanctionExpr:
        return ast.SanctionExpr(kind="discretion", span=_span(meta))

    def doping_sanction(self, meta: Any) -> ast.SanctionExpr:
        return ast.SanctionExpr(kind="doping", span=_span(meta))

    # ---- richer sanctions (issue #11 item 4)
    def immediate_sanction(self, meta: Any, term: ast.SanctionExpr | None = None) -> ast.SanctionExpr:
        base = term or ast.SanctionExpr(kind="disqualify")
        return attrs.evolve(base, immediate=True, span=_span(meta))

    def life_term(self, meta: Any) -> ast.SanctionExpr:
        return ast.SanctionExpr(kind="life", span=_span(meta))

    def ban_years(self, meta: Any) -> str:
        return "years"

    def ban_months(self, meta: Any) -> str:
        return "months"

    def ban_term(self, meta: Any, number: Token, unit: str) -> ast.SanctionExpr:
        _check_digits(number)
        count = Decimal(str(number))
        months = count * 12 if unit == "years" else count
        if months != months.to_integral_value() or months <= 0:
            raise NumberRangeError(
                f"a ban of {number} {unit} is not a whole number of months, one or more", _tok_span(number), None,
                "write e.g. disqualify for 2 years or for 18 months",
            )
        return ast.SanctionExpr(kind="ban", ban_months=int(months), span=_span(meta))

    ban_sanction = ban_term

    def decider_sanction(self, meta: Any, who: Token) -> ast.SanctionExpr:
        return ast.SanctionExpr(kind="discretion", decider=literal_of(who), span=_span(meta))

    def no_sanction(self, meta: Any) -> ast.SanctionExpr:
        return ast.SanctionExpr(kind="none", span=_span(meta))

    def penalty_when(self, meta: Any, condition: ast.Expr) -> _When:
        return _When(condition)

    # ---- schedules, tables, bands
    def schedule_decl(self, meta: Any, name: Token, *rest: Any) -> ast.ScheduleDecl:
        citation = next((r for r in rest if isinstance(r, ast.Citation)), None)
        tiers = tuple(r for r in rest if isinstance(r, ast.Tier))
        otherwise = next((r for r in rest if isinstance(r, ast.Otherwise)), None)
        return ast.ScheduleDecl(name=str(name), citation=citation, tiers=tiers, otherwise=otherwise, span=_span(meta))

    def tier(self, meta: Any, through: ast.Expr, value: ast.Expr, citation: ast.Citation | None = None) -> ast.Tier:
        return ast.Tier(through=through, value=value, citation=citation, span=_span(meta))

    def otherwise(self, meta: Any, value: ast.Expr, citation: ast.Citation | None = None) -> ast.Otherwise:
        return ast.Otherwise(value=value, citation=citation, span=_span(meta))

    def full_date(self, meta: Any, tok: Token) -> ast.Literal:
        return ast.Literal(value=literal_of(tok), span=_tok_span(tok))

    def month_day(self, meta: Any, tok: Token) -> ast.MonthDay:
        return _month_day(tok)

    def table_decl(self, meta: Any, name: Token, params: tuple[ast.Param, ...], *rest: Any) -> ast.TableDecl:
        citation = next((r for r in rest if isinstance(r, ast.Citation)), None)
        rows = tuple(r for r in rest if isinstance(r, ast.TableRow))
        otherwise = next((r for r in rest if isinstance(r, ast.Otherwise)), None)
        return ast.TableDecl(name=str(name), params=params, citation=citation, rows=rows, otherwise=otherwise, span=_span(meta))

    def table_row(self, meta: Any, *items: Any) -> ast.TableRow:
        citation = items[-1] if isinstance(items[-1], ast.Citation) else None
        body = items[:-1] if citation else items
        return ast.TableRow(keys=tuple(body[:-1]), value=body[-1], citation=citation, span=_span(meta))

    def key_name(self, meta: Any, tok: Token) -> ast.Name:
        return ast.Name(name=str(tok), span=_tok_span(tok))

    def key_text(self, meta: Any, tok: Token) -> ast.Literal:
        return ast.Literal(value=literal_of(tok), span=_tok_span(tok))

    def key_number(self, meta: Any, tok: Token) -> ast.Literal:
        return ast.Literal(value=literal_of(tok), span=_tok_span(tok))

    def band_decl(self, meta: Any, name: Token, *rest: Any) -> ast.BandDecl:
        citation = next((r for r in rest if isinstance(r, ast.Citation)), None)
        rows = tuple(r for r in rest if isinstance(r, ast.BandRow))
        return ast.BandDecl(name=str(name), citation=citation, rows=rows, span=_span(meta))

    def band_row(self, meta: Any, bounds: tuple[int, int | None], *rest: Any) -> ast.BandRow:
        value = next((r for r in rest if isinstance(r, ast.Expr)), None)
        citation = next((r for r in rest if isinstance(r, ast.Citation)), None)
        return ast.BandRow(low=bounds[0], high=bounds[1], value=value, citation=citation, span=_span(meta))

    def closed_range(self, meta: Any, low: Token, high: Token) -> tuple[int, int | None]:
        _check_digits(low)
        _check_digits(high)
        return (int(Decimal(str(low))), int(Decimal(str(high))))

    def open_range(self, meta: Any, low: Token) -> tuple[int, int | None]:
        _check_digits(low)
        return (int(Decimal(str(low))), None)

    # ---- rules
    def rule_decl(self, meta: Any, name: Token, *rest: Any) -> ast.RuleDecl:
        params: tuple[ast.Param, ...] = ()
        citation = None
        body: ast.Expr = ast.Expr()
        for item in rest:
            if isinstance(item, tuple):
                params = item
            elif isinstance(item, ast.Citation):
                citation = item
            elif isinstance(item, ast.Expr):
                body = item
        return ast.RuleDecl(name=str(name), params=params, body=body, citation=citation, span=_span(meta))

    def params(self, meta: Any, *params: ast.Param | None) -> tuple[ast.Param, ...]:
        return tuple(p for p in params if p is not None)

    def param(self, meta: Any, name: Token, type_name: str | None = None) -> ast.Param:
        return ast.Param(name=str(name), type=type_name or "any", span=_span(meta))

    def type_ref(self, meta: Any, name: Token) -> str:
        return str(name)

    # ---- closed sets of words and the shapes of facts (issue #11 item 1)
    def words_decl(self, meta: Any, name: Token, *rest: Any) -> ast.WordsDecl:
        return ast.WordsDecl(
            name=str(name), case_sensitive=any(r is _CASE_SENSITIVE for r in rest),
            citation=next((r for r in rest if isinstance(r, ast.Citation)), None),
            words=tuple(r for r in rest if isinstance(r, ast.Word)), span=_span(meta),
        )

    def case_rule(self, meta: Any) -> object:
        return _CASE_SENSITIVE

    def word_item(self, meta: Any, text: Token, *rest: Any) -> ast.Word:
        aliases = next((r for r in rest if isinstance(r, tuple)), ())
        citation = next((r for r in rest if isinstance(r, ast.Citation)), None)
        return ast.Word(text=literal_of(text), aliases=aliases, citation=citation, span=_span(meta))

    def word_aliases(self, meta: Any, *texts: Token) -> tuple[str, ...]:
        return tuple(literal_of(t) for t in texts)

    def facts_decl(self, meta: Any, name: Token, *rest: Any) -> ast.FactsDecl:
        return ast.FactsDecl(
            name=str(name), citation=next((r for r in rest if isinstance(r, ast.Citation)), None),
            fields=tuple(r for r in rest if isinstance(r, ast.FactField)), span=_span(meta),
        )

    def attribute_decl(self, meta: Any, name: Token, type_name: str, citation: ast.Citation | None = None) -> ast.AttributeDecl:
        return ast.AttributeDecl(name=str(name), type=type_name, citation=citation, span=_span(meta))

    def fact_field(self, meta: Any, name: Token, type_name: str, *rest: Any) -> ast.FactField:
        optional = any(isinstance(r, Token) and r.type == "OPTIONAL" for r in rest)
        citation = next((r for r in rest if isinstance(r, ast.Citation)), None)
        return ast.FactField(name=str(name), type=type_name, optional=optional, citation=citation, span=_span(meta))

    # ---- equipment checklists (gear)
    def checklist_decl(self, meta: Any, name: Token, targets: tuple[str, ...], *rest: Any) -> ast.ChecklistDecl:
        kit = next((r for r in rest if isinstance(r, _Kit)), None)
        citation = next((r for r in rest if isinstance(r, ast.Citation)), None)
        items = tuple(r for r in rest if isinstance(r, ast.GearItem))
        specs = tuple(r.quote for r in rest if isinstance(r, _Spec))
        return ast.ChecklistDecl(
            name=str(name), targets=targets, kit=kit.name if kit else "", specs=specs, items=items, citation=citation, span=_span(meta),
        )

    def checklist_spec(self, meta: Any, text: Token) -> _Spec:
        return _Spec(ast.Citation(text=literal_of(text), span=_tok_span(text)))

    def gear_kit(self, meta: Any, name: Token) -> _Kit:
        return _Kit(str(name))

    def gear_count(self, meta: Any, tok: Token) -> _Count:
        _check_digits(tok)
        return _Count(Decimal(str(tok)), _tok_span(tok))

    def gear_item(self, meta: Any, mode: str, *rest: Any) -> ast.GearItem:
        fields: dict[str, Any] = {"specs": [], "excepted": [], "absent": [], "fewer": []}
        for item in rest:
            if isinstance(item, _Count):
                if item.value != item.value.to_integral_value() or item.value < 1:
                    raise ChecklistError(
                        f"'{item.value}' is not a quantity of items", item.span, None, "write a whole number of items, 1 or more: require 2 torch",
                    )
                fields["count"] = int(item.value)
            elif isinstance(item, Token) and item.type == "NAME":
                fields["name"] = str(item)
            elif isinstance(item, Token):
                fields["description"] = literal_of(item)
            elif isinstance(item, ast.Citation):
                fields["citation"] = item
            elif isinstance(item, _Spec):
                fields["specs"].append(item.quote)
            else:
                fields[item[0]].extend(item[1])
        for key in ("specs", "excepted", "absent", "fewer"):
            fields[key] = tuple(fields[key])
        return ast.GearItem(mode=str(mode), span=_span(meta), **fields)

    def gear_spec(self, meta: Any, text: Token) -> _Spec:
        return _Spec(ast.Citation(text=literal_of(text), span=_tok_span(text)))

    def gear_except(self, meta: Any, names: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
        return ("excepted", names)

    def gear_absent(self, meta: Any, names: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
        return ("absent", names)

    def gear_fewer(self, meta: Any, names: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
        return ("fewer", names)

    def gear_mode(self, meta: Any, word: Token) -> str:
        return str(word)

    def gear_kits(self, meta: Any, names: tuple[str, ...]) -> _Kits:
        return _Kits(names)

    # ---- expressions
    def if_expr(self, meta: Any, cond: ast.Expr, then: ast.Expr, other: ast.Expr) -> ast.IfExpr:
        return ast.IfExpr(condition=cond, then=then, otherwise=other, span=_span(meta))

    def or_expr(self, meta: Any, left: ast.Expr, right: ast.Expr) -> ast.Binary:
        return ast.Binary(op="or", left=left, right=right, span=_span(meta))

    def and_expr(self, meta: Any, left: ast.Expr, right: ast.Expr) -> ast.Binary:
        return ast.Binary(op="and", left=left, right=right, span=_span(meta))

    def not_expr(self, meta: Any, operand: ast.Expr) -> ast.Unary:
        return ast.Unary(op="not", operand=operand, span=_span(meta))

    def compare(self, meta: Any, left: ast.Expr, op: Token, right: ast.Expr) -> ast.Binary:
        return ast.Binary(op=str(op), left=left, right=right, span=_span(meta))

    def member(self, meta: Any, left: ast.Expr, right: ast.Expr) -> ast.Binary:
        return ast.Binary(op="in", left=left, right=right, span=_span(meta))

    def not_member(self, meta: Any, left: ast.Expr, right: ast.Expr) -> ast.Binary:
        return ast.Binary(op="notin", left=left, right=right, span=_span(meta))

    def binary(self, meta: Any, left: ast.Expr, op: Token, right: ast.Expr) -> ast.Binary:
        return ast.Binary(op=str(op), left=left, right=right, span=_span(meta))

    def negate(self, meta: Any, operand: ast.Expr) -> ast.Unary:
        return ast.Unary(op="-", operand=operand, span=_span(meta))

    def field(self, meta: Any, subject: ast.Expr, name: Token) -> ast.Field:
        return ast.Field(subject=subject, name=str(name), span=_span(meta))

    def call(self, meta: Any, name: Token, *args: ast.Expr | None) -> ast.Call:
        return ast.Call(function=str(name), args=tuple(a for a in args if a is not None), span=_span(meta))

    def _literal(self, meta: Any, tok: Token) -> ast.Literal:
        return ast.Literal(value=literal_of(tok), span=_span(meta))

    number = quantity = money = percent = duration = date = text = time_of_day = _literal

    def where_expr(self, meta: Any, items: ast.Expr, condition: ast.Expr) -> ast.Where:
        return ast.Where(items=items, condition=condition, span=_span(meta))

    def at_time(self, meta: Any, day: ast.Expr, time: ast.Expr) -> ast.Binary:
        return ast.Binary(op="at", left=day, right=time, span=_span(meta))

    def true(self, meta: Any) -> ast.Literal:
        return ast.Literal(value=True, span=_span(meta))

    def false(self, meta: Any) -> ast.Literal:
        return ast.Literal(value=False, span=_span(meta))

    def name(self, meta: Any, tok: Token) -> ast.Name:
        return ast.Name(name=str(tok), span=_span(meta))

    def list(self, meta: Any, *items: ast.Expr | None) -> ast.ListExpr:
        return ast.ListExpr(items=tuple(i for i in items if i is not None), span=_span(meta))

    def record(self, meta: Any, *items: tuple[str, ast.Expr] | None) -> ast.RecordExpr:
        return ast.RecordExpr(items=tuple(i for i in items if i is not None), span=_span(meta))

    def record_item(self, meta: Any, name: Token, value: ast.Expr) -> tuple[str, ast.Expr]:
        return (str(name), value)

    # ---- queries
    def query(self, meta: Any, body: ast.Query, given: tuple[ast.Binding, ...] = ()) -> ast.Query:
        return attrs.evolve(body, given=given, span=_span(meta))

    def penalty_query(self, meta: Any, infractions: tuple[str, ...], race: Token, kits: _Kits | None = None) -> ast.PenaltyQuery:
        return ast.PenaltyQuery(infractions=infractions, race=str(race), kits=kits.names if kits else (), span=_span(meta))

    def eligible_query(self, meta: Any, race: Token) -> ast.EligibleQuery:
        return ast.EligibleQuery(race=str(race), span=_span(meta))

    def form_query(self, meta: Any, verb: Token, *args: ast.Literal | ast.Name) -> ast.FormQuery:
        return ast.FormQuery(verb=str(verb), args=args, span=_span(meta))

    def expr_query(self, meta: Any, expr: ast.Expr) -> ast.ExprQuery:
        return ast.ExprQuery(expr=expr, span=_span(meta))

    def arg_name(self, meta: Any, tok: Token) -> ast.Name:
        return ast.Name(name=str(tok), span=_span(meta))

    arg_number = arg_date = arg_duration = arg_text = _literal

    def given(self, meta: Any, *bindings: ast.Binding) -> tuple[ast.Binding, ...]:
        return bindings

    def binding(self, meta: Any, name: Token, value: ast.Expr) -> ast.Binding:
        return ast.Binding(name=str(name), value=value, span=_span(meta))


def _expected_words(expected: set[str] | frozenset[str]) -> list[str]:
    words = set()
    for name in expected:
        if name in TERMINAL_LABELS:
            words.add(TERMINAL_LABELS[name])
            continue
        try:
            pattern = _lark().get_terminal(name).pattern
        except KeyError:
            words.add(name.lower())
            continue
        words.add(f"'{pattern.value}'" if pattern.type == "str" else name.lower())
    # Words an author reads ("a number", "a date such as ...") first, punctuation and keywords after.
    return sorted(words, key=lambda w: (w.startswith("'"), w))


def _acceptable(exc: UnexpectedInput, fallback: set[str] | frozenset[str]) -> set[str] | frozenset[str]:
    """The terminals that may really come next: LALR's own `expected` merges lookaheads of unrelated
    statements (after `penalty a` it lists `group`, `rule`, ...), the interactive parser does not."""
    interactive = getattr(exc, "interactive_parser", None)
    if interactive is None:
        return fallback
    try:
        return interactive.accepts() or fallback
    except Exception:  # pragma: no cover - a best effort for a better hint; the error stands regardless
        return fallback


# What an unexpected token is, as a noun: "unexpected number '12'".
TOKEN_NOUNS: dict[str, str] = {
    "NAME": "word", "SERIES": "word", "INT": "number", "NUMBER": "number", "STRING": "text", "DURATION": "duration",
    "MONEY": "amount", "QUANTITY": "length", "PERCENT": "percentage", "DATE": "date", "MONTHDAY": "day of the year", "TIME": "time of day",
    "CURRENCY": "currency", "TYPE_NAME": "type name", "COMPARE": "comparison",
}


def _syntax_error(exc: UnexpectedInput, source: Source) -> PolicySyntaxError:
    line, column = exc.line or 1, exc.column or 1
    cls: type[PolicySyntaxError] = PolicySyntaxError
    if isinstance(exc, UnexpectedCharacters):
        cls = UnexpectedCharacterError
        ch = source.text[exc.pos_in_stream] if exc.pos_in_stream < len(source.text) else ""
        expected = _expected_words(_acceptable(exc, exc.allowed or set()))
        message = f"unexpected character {ch!r}"
        span = Span(line, column, line, column + 1)
    elif isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        expected = _expected_words(_acceptable(exc, exc.expected))
        lines = source.text.split("\n")
        while len(lines) > 1 and not lines[-1].strip():
            lines.pop()  # point just after the last text written, not at an empty last line
        line = len(lines)
        column = len(lines[-1]) + 1
        message = "unexpected end of input"
        span = Span(line, column, line, column + 1)
        cls = UnexpectedEndError
    else:
        assert isinstance(exc, UnexpectedToken)
        tok = exc.token
        expected = _expected_words(_acceptable(exc, exc.expected))
        message = f"unexpected {TOKEN_NOUNS[tok.type]} '{tok}'" if tok.type in TOKEN_NOUNS else f"unexpected '{tok}'"
        span = _tok_span(tok)
    if isinstance(exc, UnexpectedToken) and exc.token.type == "NAME":
        unit_hint = _unit_hint(source.text, exc.token)  # `8.5h`, `100 XYZ`: the author meant a duration or an amount
        if unit_hint:
            message, hint, width = unit_hint
            start = max(span.column - width, 1)
            return PolicySyntaxError(message, Span(span.line, start, span.end_line, span.end_column), source, hint)
    keywords = [w for w in expected if w.strip("'") in STATEMENT_KEYWORDS]
    if len(keywords) >= 3:
        # After a complete statement any statement may follow: say so once rather than list them.
        expected = [w for w in expected if w not in keywords] + ["a new statement (race, penalty, rule, ...)"]
    if isinstance(exc, UnexpectedCharacters) and message == "unexpected character '\"'":
        message, expected = "a quoted text that does not close on its line", ['a closing \'"\' before the end of the line']
    if len(expected) > 6:
        hint = "expected " + ", ".join(expected[:6]) + ", ..."
    elif expected:
        hint = "expected " + (expected[0] if len(expected) == 1 else ", ".join(expected[:-1]) + " or " + expected[-1])
    else:
        hint = ""
    return cls(message, span, source, hint)


def _unit_hint(text: str, tok: Token) -> tuple[str, str, int] | None:
    """A message, a hint and the width of the number before the word, for a number followed by a word that is almost a unit
    (issue #11 item 5)."""
    start = tok.start_pos or 0
    before = re.search(r"(\d+(?:\.\d+)?) ?$", text[:start])
    if before is None:
        return None
    number, word = before.group(1), str(tok)
    if word in ("h", "min", "d") and "." in number:
        whole, part = number.split(".")
        minutes = Decimal("0." + part) * {"h": 60, "min": 1, "d": 1440}[word]
        if word == "h" and minutes == minutes.to_integral_value():
            better = f"{whole}h{int(minutes):02}"
        elif word == "d" and minutes % 60 == 0:
            better = f"{whole}d{int(minutes // 60)}h"
        else:
            better = ""
        return (f"'{number}{word}' is not a duration: durations are written in whole units",
                f"write {better}" if better else "write hours and minutes, e.g. 8h30 or 1h05", len(before.group(0)))
    if re.fullmatch(r"[A-Z]{3}", word):
        aliases = ", ".join(f"{a} for {c}" for a, c in CURRENCY_ALIASES.items())
        return (f"unknown currency '{word}'", f"currencies: {', '.join(CURRENCIES)} ({aliases})", 0)
    return None


def _blank_statement(text: str, line: int, column: int = 0) -> str:
    """Blank out the statement holding `line` (keeping line numbers) so parsing can resume after it."""
    lines = text.split("\n")
    starts = [i for i, row in enumerate(lines) if row.strip().split(" ", 1)[0] in STATEMENT_KEYWORDS]
    index = min(max(line - 1, 0), len(lines) - 1)
    row = lines[index]
    at_keyword = column == len(row) - len(row.lstrip()) + 1
    if index > 0 and index in starts and at_keyword:
        # The keyword opening this statement was unexpected: the statement before it is the
        # unfinished one. Blanking this one instead would report the same mistake again.
        index -= 1
    first = max((s for s in starts if s <= index), default=0)
    if first > 0 and first == index and not at_keyword:
        # An error inside a statement's first line may come from the statement before swallowing
        # this one's keyword as a name (`fee 1 EUR,` then `rule ...`): blank both. The one before
        # parsed without error up to here, so no error of its own is lost.
        first = max((s for s in starts if s < index), default=first)
    following = [s for s in starts if s > index]
    last = following[0] if following else len(lines)
    if first == index and not any(s > first for s in starts) and first == last:
        last = first + 1
    for i in range(first, max(last, first + 1)):
        lines[i] = " " * len(lines[i])
    return "\n".join(lines)


def _check_size(source: Source, limit: int = MAX_SOURCE_CHARS, hint: str = "split the policy into several files") -> None:
    if len(source.text) > limit:
        raise InputTooLargeError(f"input is {len(source.text):,} characters, over the limit of {limit:,}", Span(1, 1, 1, 2), source, hint)


_OPENERS = {"(": ")", "[": "]", "{": "}"}
_SKIPPED = re.compile(r'"[^"\n]*"|#[^\n]*|[()\[\]{}]')


def _too_deep(source: Source, line: int, column: int) -> NestingError:
    return NestingError(
        f"nested more than {MAX_NESTING} levels deep", Span(line, column, line, column + 1), source,
        "split the expression into named rules",
    )


def _check_brackets(source: Source) -> None:
    """Refuse deep bracket nesting before parsing, so it costs a scan rather than a parse."""
    depth = 0
    for m in _SKIPPED.finditer(source.text):
        ch = m.group()
        if ch in _OPENERS:
            depth += 1
            if depth > MAX_NESTING:
                before = source.text[: m.start()]
                raise _too_deep(source, before.count("\n") + 1, m.start() - before.rfind("\n"))
        elif ch in ")]}":
            depth = max(depth - 1, 0)


def _check_depth(tree: Tree[Token], source: Source) -> None:
    """Refuse parse trees deeper than MAX_NESTING, walking them without recursion."""
    stack: list[tuple[Any, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, Tree):
            continue
        if depth > MAX_NESTING:
            meta = node.meta
            line, column = (1, 1) if getattr(meta, "empty", True) else (meta.line, meta.column)
            raise _too_deep(source, line, column)
        stack.extend((child, depth + 1) for child in node.children)


def _transform(tree: Any, source: Source) -> Any:
    _check_depth(tree, source)
    try:
        return _ToAst().transform(tree)
    except VisitError as exc:
        inner = exc.orig_exc
        if isinstance(inner, PolicyError):
            raise inner.with_source(source) from None
        raise
    except RecursionError:  # pragma: no cover - _check_depth refuses such trees first
        raise NestingError("input is nested too deeply", Span(1, 1, 1, 2), source, "flatten the expression") from None


def parse_policy(text: str, name: str = "<policy>") -> ast.Policy:
    """Parse a whole policy file; every syntax error of the file is reported together."""
    source = Source(name, text)
    _check_size(source)
    _check_brackets(source)
    direct = _direct()
    if direct is not None:
        try:
            policy, sections = direct.parse(text, "policy")
        except GiveUp:
            pass  # an error to word, or a shape only Lark's tree takes: the usual parse below
        else:
            _remember_sections(text, sections)
            result: ast.Policy = policy
            return result
    errors: list[PolicyError] = []
    attempt = text
    # Each attempt re-parses the whole text: a large broken file gets fewer attempts.
    attempts = max(1, min(MAX_SYNTAX_ERRORS, MAX_RECOVERY_CHARS // max(len(text), 1)))
    while True:
        if errors and direct is not None:
            # The text with its broken statements blanked: when the direct parse takes it whole, Lark would find no
            # further error either (both read one grammar), and the faster parse has said so (issue #17: an editor's
            # half-typed statement costs one Lark parse, not two).
            try:
                direct.parse(attempt, "policy")
            except GiveUp:
                pass  # a further error (or a shape only Lark takes): Lark words it below
            else:
                break
        try:
            tree = _lark().parse(attempt, start="policy")
        except UnexpectedInput as exc:
            err = _syntax_error(exc, Source(name, attempt))
            errors.append(type(err)(err.message, err.span, source, err.hint))
            if len(errors) >= attempts:
                break
            blanked = _blank_statement(attempt, err.span.line, err.span.column)
            if blanked == attempt:
                break
            attempt = blanked
            continue
        except RecursionError:  # pragma: no cover - Lark's LALR parser keeps its own stack
            errors.append(NestingError("input is nested too deeply", Span(1, 1, 1, 2), source, "flatten the expression"))
            break
        if errors:
            break
        _remember_sections(text, _sections_of(tree))
        result = _transform(tree, source)
        return result
    raise PolicyErrors(errors) if len(errors) > 1 else errors[0]


# The formatter needs the section headings the AST folds away: kept from the parse that just happened (a few texts,
# keyed by the text itself), so formatting a 2 MB policy parses it once rather than once more per question.
_SECTIONS: dict[str, list[tuple[int, int, str]]] = {}


def _sections_of(tree: Tree) -> list[tuple[int, int, str]]:
    return sorted((node.meta.line, node.meta.column, literal_of(tok)) for node in tree.find_data("section") for tok in node.children if isinstance(tok, Token))


def _remember_sections(text: str, sections: list[tuple[int, int, str]]) -> None:
    if len(_SECTIONS) >= 4:
        _SECTIONS.pop(next(iter(_SECTIONS)))
    _SECTIONS[text] = sorted(sections)


def parse_query(text: str, name: str = "<query>") -> ast.Query:
    """Parse one query as typed at the prompt or on the command line."""
    source = Source(name, text)
    _check_size(source, MAX_QUERY_CHARS, "ask a shorter question; put long facts in a policy rule")
    _check_brackets(source)
    direct = _direct()
    if direct is not None:
        try:
            query: ast.Query = direct.parse(text, "query")[0]
        except GiveUp:
            pass  # the usual parse below words the error
        else:
            return query
    try:
        tree = _lark().parse(text, start="query")
    except UnexpectedInput as exc:
        raise _syntax_error(exc, source) from None
    except RecursionError:  # pragma: no cover - Lark's LALR parser keeps its own stack
        raise NestingError("query is nested too deeply", Span(1, 1, 1, 2), source, "flatten the expression") from None
    result: ast.Query = _transform(tree, source)
    return result


def parser() -> Lark:
    """The shared Lark parser (for the REPL's completion, which asks what may come next)."""
    return _lark()


def section_headings(text: str, name: str = "<policy>") -> list[tuple[int, str]]:
    """Every `section "..."` heading of a policy as (line, title): the AST folds them into the statements that follow."""
    return [(line, title) for line, _, title in section_positions(text, name)]


def section_positions(text: str, name: str = "<policy>") -> list[tuple[int, int, str]]:
    """Every `section "..."` heading as (line, column, title), where its keyword stands (the title may be on a later line)."""
    if text in _SECTIONS:
        return list(_SECTIONS[text])
    source = Source(name, text)
    _check_size(source)
    _check_brackets(source)
    direct = _direct()
    if direct is not None:
        try:
            return sorted(direct.parse(text, "policy")[1])
        except GiveUp:
            pass  # Lark's tree below: it words a syntax error, and takes a text whose AST methods refuse a value
    try:
        tree = _lark().parse(text, start="policy")
    except UnexpectedInput as exc:
        raise _syntax_error(exc, source) from None
    return _sections_of(tree)


# ---- the direct parse (issue #16) -------------------------------------------------------------------------------------
# The grammar's LALR tables, as Lark builds them, driven here so that each rule becomes its AST node as it reduces (no
# parse tree). Lark's own parse builds a tree of every rule, propagates positions through it in
# wrapper objects, and our transformer then walks the tree again: three quarters of loading a small
# policy. This driver reads the same tables Lark computed from `grammar/racepolicy.lark` (the parse
# table, each state's lexer, each rule's child filter) and calls the same `_ToAst` methods, with the
# positions Lark's `propagate_positions` would have given. It only ever answers a text that parses
# cleanly: a syntax error, an exception raised by an AST method, nesting near the limit or anything
# it was not built for makes it give up, and parse_policy / parse_query parse the text again the usual way, which
# word every error exactly as before. So it can change no message, only the time a valid text takes.


# What one reduction does: (rule name to push, expansion size, children kept as (index, expand) or None for all,
# collapse a single child, the AST method or None for an inlined `_rule`, is a `section` heading).
_Reduction = tuple[str, int, "list[tuple[int, bool]] | None", bool, "Callable[..., Any] | None", bool]


SHIFT, UNIT, REDUCE = 0, 1, 2  # the kinds of action
_UNSEEN = object()
# Token() checks for a deprecated keyword, then calls this: the same token, built in a third of the time.
_NEW_TOKEN: Callable[..., Token] = getattr(Token, "_future_new", Token)


_ASCII = frozenset(chr(i) for i in range(128))


@functools.cache
def first_chars(pattern: str) -> frozenset[str] | None:
    """The ASCII characters a match of the regular expression may start with (non-ASCII ones are not followed);
    None whenever unsure, which is taken as "any character"."""
    if sre_parse is None:  # pragma: no cover - see the import
        return None
    try:
        parsed = sre_parse.parse(pattern)
        if parsed.state.flags & re.IGNORECASE:
            return None  # a letter may come in either case: unsure
        return _first_of(list(parsed))
    except Exception:  # pragma: no cover - a pattern this reading does not know: unsure
        return None


def _first_of(items: list[Any]) -> frozenset[str] | None:
    found: set[str] = set()
    for op, arg in items:
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # zero width: what follows comes first (skipping a lookahead only widens the answer)
        if op is sre.LITERAL:
            return frozenset(found | {chr(arg)})
        if op is sre.IN:
            members = _set_members(arg)
            return None if members is None else frozenset(found | members)
        if op is sre.SUBPATTERN:
            if arg[1] & re.IGNORECASE:
                return None  # (?i:...): a letter may come in either case
            inner = _first_of(list(arg[-1]))
            return None if inner is None else frozenset(found | inner)
        if op is sre.BRANCH:
            branches = [_first_of(list(branch)) for branch in arg[1]]
            if any(b is None for b in branches):
                return None
            return frozenset(found.union(*branches))  # type: ignore[arg-type]
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, _, item = arg
            inner = _first_of(list(item))
            if inner is None:
                return None
            found |= inner
            if low >= 1:
                return frozenset(found)
            continue  # repeated zero times, the next item comes first
        return None  # anything else (any character, a back reference, ...): unsure
    return None  # the pattern may match the empty text: unsure


def _set_members(members: list[Any]) -> set[str] | None:
    found: set[str] = set()
    for op, arg in members:
        if op is sre.LITERAL:
            found.add(chr(arg))
        elif op is sre.RANGE:
            found.update(c for c in _ASCII if arg[0] <= ord(c) <= arg[1])
        elif op is sre.CATEGORY and arg is sre.CATEGORY_DIGIT:
            found.update("0123456789")
        elif op is sre.CATEGORY and arg is sre.CATEGORY_WORD:
            found.update(c for c in _ASCII if c.isalnum() or c == "_")
        else:
            return None  # a negated set, another category: unsure
    return found


class StateLexer:
    """One of Lark's contextual lexers (those of several states may be the same), read without Lark's per-token calls.

    Lark tries one alternation of every terminal the state accepts, in its order; the first that matches wins. Here
    the alternation tried is that of the terminals that may start with the character at hand, in the same order, so
    the same one wins (the others cannot match there). A keyword read as a NAME gets its own type from a dict, as
    Lark's callback finds it by matching each keyword's text.
    """

    __slots__ = ("by_char", "callbacks", "firsts", "flags", "ignored", "keywords", "mres", "newlines", "patterns", "spaces", "terminals")

    def __init__(self, lexer: Any, patterns: dict[tuple[str, ...], Any], whitespace: frozenset[str]) -> None:
        scanner = lexer.scanner
        self.mres = list(scanner._mres)
        self.terminals = [(t.name, t.pattern.to_regexp()) for t in scanner.terminals]
        self.firsts = [first_chars(regexp) for _, regexp in self.terminals]
        self.flags = scanner.g_regex_flags
        self.ignored = frozenset(lexer.ignore_types)
        self.newlines = frozenset(lexer.newline_types)
        self.by_char: dict[str, Any] = {}
        self.patterns = patterns  # shared by all lexers: tuple of terminal names -> their alternation
        self.keywords: dict[str, dict[str, str]] = {}
        self.callbacks: dict[str, Any] = {}
        for name, callback in lexer.callback.items():
            unless = getattr(getattr(callback, "scanner", None), "terminals", None)
            if type(callback).__name__ == "UnlessCallback" and unless is not None and all(
                t.pattern.type == "str" and not t.pattern.flags for t in unless
            ):
                table: dict[str, str] = {}
                for t in unless:
                    table.setdefault(t.pattern.value, t.name)  # the first in the callback's order wins, as in its alternation
                self.keywords[name] = table
            else:
                self.callbacks[name] = callback
        # The characters where whitespace is skipped without the alternation: those WS starts with, if no terminal tried
        # before WS may start with them (so where one stands, Lark's lexer takes WS, and skips it).
        order = [name for name, _ in self.terminals]
        self.spaces: frozenset[str] = frozenset()
        if whitespace and "WS" in order and len(self.mres) == 1 and "WS" not in self.callbacks and "WS" not in self.keywords:
            if all(first is not None and not first & whitespace for first in self.firsts[: order.index("WS")]):
                self.spaces = whitespace

    def pattern_for(self, char: str) -> Any:
        """The alternation to try where `char` stands (the full one for a character outside ASCII); None if no terminal may start with it."""
        if char not in _ASCII or self.flags & re.IGNORECASE:
            whole = self.mres[0] if len(self.mres) == 1 else self.mres  # every terminal, in Lark's own alternation
            self.by_char[char] = whole
            return whole
        names = tuple(name for (name, _), first in zip(self.terminals, self.firsts, strict=True) if first is None or char in first)
        if not names:
            compiled = None
        elif len(self.mres) != 1:
            compiled = self.mres  # Lark split its alternation (too many groups): keep its pieces
        else:
            compiled = self.patterns.get(names)
            if compiled is None:
                regexps = dict(self.terminals)
                compiled = self.patterns[names] = re.compile("|".join(f"(?P<{n}>{regexps[n]})" for n in names), self.flags)
        self.by_char[char] = compiled
        return compiled


def _whitespace(lark: Lark) -> tuple[re.Pattern[str], frozenset[str]] | None:
    """The ignored WS terminal's pattern and the characters it may start with (StateLexer.skips tells where it is safe)."""
    found = [t for t in lark.terminals if t.name == "WS" and t.name in lark.lexer_conf.ignore]
    if not found:
        return None
    pattern = re.compile(found[0].pattern.to_regexp())
    return pattern, frozenset(c for c in " \t\f\r\n" if pattern.match(c))


class Driver:
    """The parse table, the lexers of each state and the rule reductions of one Lark parser."""

    def __init__(self, lark: Lark, builder: Any, max_height: int, literal: Callable[[Token], Any]) -> None:
        frontend = lark.parser
        table = frontend.parser.parser.parse_table
        self.start_states: dict[str, int] = dict(table.start_states)
        self.end_states: dict[str, int] = dict(table.end_states)
        self.max_height = max_height
        self.literal = literal
        reductions: dict[Any, _Reduction] = {}
        for rule, chain in lark._parse_tree_builder.rule_builders:
            reductions[rule] = self._reduction(rule, chain, builder)
        # Actions keyed by state then terminal or rule name: (SHIFT, next state), (UNIT, rule name) to reduce `?a: b` where
        # the child passes up as it is (most reductions), (REDUCE, reduction) otherwise.
        self.states: dict[int, dict[str, tuple[int, Any]]] = {
            state: {name: self._action(action, arg, reductions) for name, (action, arg) in actions.items()}
            for state, actions in table.states.items()
        }
        # (state beneath, state, next terminal) -> the state a chain of UNIT reductions ends in: found once, then looked up.
        self.units: dict[tuple[int, int, str], int] = {}
        # Each state's lexer, read here (StateLexer) once a text reaches the state, as Lark builds its own; states share them.
        self.lark_lexers: dict[int, Any] = frontend.lexer.lexers
        self.lexers: dict[int, StateLexer] = {}
        self.shared: dict[int, StateLexer] = {}
        self.patterns: dict[tuple[str, ...], Any] = {}
        self.whitespace = _whitespace(lark)

    def lexer(self, state: int) -> StateLexer:
        """The lexer of a state, made on first use."""
        lark_lexer = self.lark_lexers[state]
        found = self.shared.get(id(lark_lexer))
        if found is None:
            found = self.shared[id(lark_lexer)] = StateLexer(lark_lexer, self.patterns, self.whitespace[1] if self.whitespace else frozenset())
        self.lexers[state] = found
        return found

    @staticmethod
    def _action(action: Any, arg: Any, reductions: dict[Any, _Reduction]) -> tuple[int, Any]:
        if action is Shift:
            return (SHIFT, arg)
        origin, size, keep, collapse, _, _ = reduction = reductions[arg]
        if size == 1 and collapse and keep is None:
            # Lark's ExpandSingleChild returns the child, and its positions come out as they were: nothing to do but the goto.
            return (UNIT, origin)
        return (REDUCE, reduction)

    def _after_units(self, below: int, state: int, terminal: str, end_state: int) -> int:
        """The state on top once every UNIT reduction the terminal triggers is done (the state beneath stays)."""
        states = self.states
        while True:
            kind, arg = states[state].get(terminal, (REDUCE, None))
            if kind != UNIT:
                return state
            goto = states[below].get(arg)
            if goto is None or goto[0] != SHIFT or goto[1] == end_state:
                raise GiveUp  # not a shape this grammar has: left to Lark
            state = goto[1]

    @staticmethod
    def _reduction(rule: Any, chain: list[Any], builder: Any) -> _Reduction:
        collapse, keep, positions = False, None, False
        for wrapper in chain:
            if wrapper is ExpandSingleChild:
                collapse = True
            elif isinstance(wrapper, partial) and wrapper.func is ChildFilterLALR_NoPlaceholders:
                keep = list(wrapper.args[0])
            elif wrapper is PropagatePositions:
                positions = True
            else:
                raise TypeError(f"unexpected tree builder step {wrapper!r}")
        if not positions:
            raise TypeError("the grammar is built without positions")
        name = rule.alias or rule.options.template_source or rule.origin.name
        method = None
        if not name.startswith("_"):
            wrapped = getattr(builder, name, None)
            method = getattr(wrapped, "base_func", None)  # the method itself, under v_args(meta=True, inline=True)
        return (rule.origin.name, len(rule.expansion), keep, collapse, method, name == "section")

    def parse(self, text: str, start: str) -> tuple[Any, list[tuple[int, int, str]]]:
        """The AST of a text that parses cleanly, and its `section` headings as (line, column, title); GiveUp otherwise."""
        states, lexers, max_height, units = self.states, self.lexers, self.max_height, self.units
        new_token = _NEW_TOKEN
        space = self.whitespace[0] if self.whitespace else None
        state_stack = [self.start_states[start]]
        value_stack: list[Any] = []
        end_state = self.end_states[start]
        sections: list[tuple[int, int, str]] = []
        pos, line, line_start, end = 0, 1, 0, len(text)
        token: Token | None = None
        while True:
            # ---- the next token, as Lark's contextual lexer finds it in this state
            if pos < end:
                lexer = lexers.get(state_stack[-1]) or self.lexer(state_stack[-1])
                char = text[pos]
                if char in lexer.spaces:
                    value = space.match(text, pos).group(0)  # type: ignore[union-attr]  # spaces is empty without a pattern
                    count = value.count("\n")
                    if count:
                        line += count
                        line_start = pos + value.rindex("\n") + 1
                    pos += len(value)
                    continue
                mre = lexer.by_char.get(char, _UNSEEN)
                if mre is _UNSEEN:
                    mre = lexer.pattern_for(char)
                if mre is None:
                    raise GiveUp
                if type(mre) is list:
                    for piece in mre:
                        m = piece.match(text, pos)
                        if m:
                            break
                else:
                    m = mre.match(text, pos)
                if not m:
                    raise GiveUp
                value, kind = m.group(0), m.lastgroup
                start_pos, start_line, column = pos, line, pos - line_start + 1
                if kind in lexer.newlines:
                    count = value.count("\n")
                    if count:
                        line += count
                        line_start = pos + value.rindex("\n") + 1
                pos += len(value)
                if kind in lexer.ignored:
                    if kind in lexer.callbacks:
                        raise GiveUp  # a callback Lark would run on a skipped token: not one this grammar has
                    continue
                if kind in lexer.keywords:
                    kind = lexer.keywords[kind].get(value, kind)
                tok = new_token(kind, value, start_pos, start_line, column, line, pos - line_start + 1, pos)
                if kind in lexer.callbacks:
                    tok = lexer.callbacks[kind](tok)
                token, is_end = tok, False
            else:
                token = Token.new_borrow_pos("$END", "", token) if token is not None else Token("$END", "", 0, 1, 1)
                is_end = True
            # ---- shift it, after every reduction it completes
            terminal = token.type
            while True:
                action = states[state_stack[-1]].get(terminal)
                if action is None:
                    raise GiveUp
                kind = action[0]
                if kind == SHIFT:
                    if is_end:
                        raise GiveUp
                    state_stack.append(action[1])
                    value_stack.append(token)
                    break
                if kind == UNIT:
                    key = (state_stack[-2], state_stack[-1], terminal)
                    landed = units.get(key)
                    if landed is None:
                        landed = units[key] = self._after_units(*key, end_state)
                    state_stack[-1] = landed
                    continue
                origin, size, keep, collapse, method, is_section = action[1]
                if size:
                    raw = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                else:
                    raw = []
                result = reduce(raw, keep, collapse, method, origin, Token, max_height)
                if is_section:  # `section STRING`: its method makes a _SectionMark of the title
                    sections.append((result.line, result.column, result.value.title))
                goto = states[state_stack[-1]].get(origin)
                if goto is None or goto[0] != SHIFT:
                    raise GiveUp
                state_stack.append(goto[1])
                value_stack.append(result)
                if is_end and goto[1] == end_state:
                    top = value_stack[-1]
                    return (top.value if type(top) is Node else top), sections
