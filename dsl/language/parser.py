"""Parse policy and query text into the AST; Lark trees never leave this module."""

from __future__ import annotations

import datetime
import functools
import re
from decimal import Decimal
from typing import Any

import attrs
from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError
from racepolicy.evaluation.values import CURRENCIES, CURRENCY_ALIASES, Duration, Length, Money, Percent, TimeOfDay
from racepolicy.language import ast
from racepolicy.language.direct_parse import Driver, GiveUp
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
MAX_LITERAL_DIGITS = 15

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
    # The same grammar's tables driven without a parse tree (direct_parse.py); None if this Lark builds them differently.
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


def _duration_minutes(text: str) -> Decimal:
    m = re.fullmatch(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)(?:min)?)?", text)
    if not m:  # pragma: no cover - the terminal only lets these shapes through
        raise ValueError(text)
    days, hours, minutes = (int(g) if g else 0 for g in m.groups())
    return Decimal(days * 1440 + hours * 60 + minutes)


def _bad_value(message: str, tok: Token, hint: str) -> PolicySyntaxError:
    return InvalidDateError(message, _tok_span(tok), None, hint)


def _check_digits(tok: Token) -> None:
    # Decimal arithmetic is exact only within its precision; a number with
    # hundreds of digits would be rounded silently, so it is refused here.
    if len(tok) <= MAX_LITERAL_DIGITS:
        return  # too short to hold that many digits
    for number in re.findall(r"\d+(?:\.\d+)?", str(tok)):
        digits = number.replace(".", "").lstrip("0")
        if len(digits) > MAX_LITERAL_DIGITS:
            raise NumberRangeError(
                f"'{number[:20]}{'...' if len(number) > 20 else ''}' has {len(digits)} digits, over the limit of {MAX_LITERAL_DIGITS}",
                _tok_span(tok), None, f"numbers in a policy have at most {MAX_LITERAL_DIGITS} significant digits",
            )


def literal_of(tok: Token) -> Any:
    """The value of a literal token; raises PolicySyntaxError for impossible dates and huge numbers."""
    kind, text = tok.type, str(tok)
    if kind in ("NUMBER", "QUANTITY", "MONEY", "PERCENT", "DURATION"):
        _check_digits(tok)
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
            raise _bad_value(f"'{text}' is not a time of day", tok, "write a time from 00:00 to 23:59")
        return TimeOfDay(hours * 60 + minutes)
    if kind == "PERCENT":
        return Percent(Decimal(text[:-1]))
    if kind == "DURATION":
        return Duration(_duration_minutes(text))
    if kind == "DATE":
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise _bad_value(f"'{text}' is not a calendar date", tok, "write a real date as YYYY-MM-DD") from None
    if kind == "STRING":
        return text[1:-1]
    raise AssertionError(kind)  # pragma: no cover


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
        return ast.SanctionExpr(kind="time", minutes=int(_duration_minutes(str(tok))), span=_span(meta))

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
    try:
        tree = _lark().parse(text, start="policy")
    except UnexpectedInput as exc:
        raise _syntax_error(exc, source) from None
    return _sections_of(tree)
