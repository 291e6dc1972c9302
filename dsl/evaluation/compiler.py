"""The compiled runner: turns the checked AST of an edition into Python closures, once, for fast evaluation.

Nothing here evaluates user text as Python: every node becomes a closure built
from the node's fields. Kinds the checker proved let arithmetic and comparisons
skip the generic operator dispatch; anything unproven goes through
`operators.apply`, exactly as the interpreter does. The interpreter stays the
reference and the source of traces: this runner records none.
"""

from __future__ import annotations

import datetime
import operator
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, DivisionByZero, InvalidOperation
from typing import Any

from racepolicy.evaluation.builtins import BUILTINS
from racepolicy.evaluation.interpreter import MAX_CALL_DEPTH, MAX_STEPS, Evaluator, missing_fact_hint
from racepolicy.evaluation.model import Edition, Penalty
from racepolicy.evaluation.operators import ARITHMETIC, COMPARISONS, ORDERED, OperatorError, apply
from racepolicy.evaluation.values import (
    CENT,
    Duration,
    GroupValue,
    Length,
    Money,
    Percent,
    RaceValue,
    Record,
    Sanction,
    combine_sanctions,
    render,
    type_name,
)
from racepolicy.language import ast
from racepolicy.language.errors import EvaluationError, PolicyError, UnknownNameError, did_you_mean
from racepolicy.language.source import NOWHERE, Source, Span

# A compiled expression: takes the environment (a dict of facts, or the
# argument tuple of a rule) and returns a value.
Code = Callable[[Any], Any]
# A compiled callable: (arguments, call span, caller's source) -> value.
Invoke = Callable[[Sequence[Any], Span, Source], Any]

_UNSET = object()
# Rule bodies run as generated Python functions (codegen.py) with these closures as their slow path;
# False keeps to the closures alone (the tests run both).
GENERATE = True
MEMO_LIMIT = 4096  # entries per table memo: keeps memory flat on unbounded inputs

# Exact Python classes of each kind: a `type(x) in ...` test is the fast path,
# `type_name` the slow path for subclasses (bool/int, datetime/date).
_EXACT: dict[str, frozenset[type]] = {
    "number": frozenset({Decimal, int}),
    "money": frozenset({Money}),
    "duration": frozenset({Duration}),
    "length": frozenset({Length}),
    "percent": frozenset({Percent}),
    "date": frozenset({datetime.date}),
    "text": frozenset({str}),
    "bool": frozenset({bool}),
    "race": frozenset({RaceValue}),
    "record": frozenset({Record}),
    "list": frozenset({tuple}),
    "sanction": frozenset({Sanction}),
    "group": frozenset({GroupValue}),
}

_PY_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
# Kinds whose Python values compare the way the language orders them.
_NATIVE_ORDER = ("number", "date", "text")
_ORDER_FIELD = {"duration": "minutes", "length": "metres", "percent": "value"}


def _money_times_percent(a: Money, b: Percent) -> Money:
    return Money((a.amount * (b.value / 100)).quantize(CENT, rounding=ROUND_HALF_UP), a.currency)


def _percent_times_money(a: Percent, b: Money) -> Money:
    return Money(((a.value / 100) * b.amount).quantize(CENT, rounding=ROUND_HALF_UP), b.currency)


def _money_times_number(a: Money, b: Decimal) -> Money:
    return Money((a.amount * b).quantize(CENT, rounding=ROUND_HALF_UP), a.currency)


def _money_plus_money(a: Money, b: Money) -> Money:
    if a.currency != b.currency:
        raise OperatorError(f"cannot combine {a.currency} with {b.currency}")
    return Money((a.amount + b.amount).quantize(CENT, rounding=ROUND_HALF_UP), a.currency)


# The same formulas as operators.ARITHMETIC (so the same Decimal results), with fewer calls.
_FAST_ARITHMETIC: dict[tuple[str, str, str], Callable[[Any, Any], Any]] = {
    ("+", "number", "number"): operator.add,
    ("-", "number", "number"): operator.sub,
    ("*", "number", "number"): operator.mul,
    ("*", "money", "percent"): _money_times_percent,
    ("*", "percent", "money"): _percent_times_money,
    ("*", "money", "number"): _money_times_number,
    ("+", "money", "money"): _money_plus_money,
}


def _fail(message: str, span: Span, source: Source, hint: str = "") -> EvaluationError:
    return EvaluationError(message, span, source, hint)


def _too_deep(span: Span, source: Source) -> EvaluationError:
    return _fail(f"rules call each other more than {MAX_CALL_DEPTH} levels deep", span, source)


class CompiledEdition:
    """One edition's rules, schedules, tables, bands and penalty chart as closures, built lazily and kept."""

    def __init__(self, edition: Edition) -> None:
        self.edition = edition
        self.source = edition.source
        self.race_values = {name: RaceValue(name, race.title, race.attributes) for name, race in edition.races.items()}
        self.group_values = {name: GroupValue(name, group.members) for name, group in edition.groups.items()}
        self.year = Decimal(edition.year)
        self._invokers: dict[str, Invoke] = {}
        self.table_memos: dict[str, dict[Any, Any]] = {}  # table name -> {argument tuple: value}
        self._direct: dict[str, Callable[..., Any]] = {}  # rule name -> f(*args), errors cited at the rule
        self._fast: dict[str, Callable[..., Any]] = {}  # rule name -> its generated entry for other generated bodies
        self._steps_bound: dict[str, int] = {}
        self._prepare: dict[str, Callable[[], None]] = {}
        self._eligibility: dict[tuple[str, frozenset[tuple[str, str]]], list[tuple[Code, ast.Eligibility]]] = {}
        self._kind_checker: Any = None
        # The penalty chart as a dict: (infraction, race) -> the most specific statement.
        self.penalty_index: dict[tuple[str, str], Penalty] = {}
        for infraction in edition.penalties:
            for race in edition.races:
                found = edition.penalty_for(infraction, race)
                if found is not None:
                    self.penalty_index[infraction, race] = found
        combine = edition.combine or combine_sanctions
        # Combining is pure, so a lone infraction's combined sanction is computed once.
        self.single_sanction: dict[tuple[str, str], Sanction] = {key: combine([p.sanction]) for key, p in self.penalty_index.items()}

    # ---- public entry points
    def fast(self, name: str) -> Callable[..., Any] | None:
        """A rule's generated entry for other generated bodies (generated now if need be), or None without one."""
        self.invoker(name)
        if name in self._prepare:
            self._prepare[name]()
        return self._fast.get(name)

    def rule(self, name: str) -> Callable[..., Any]:
        """A plain Python function for a rule: `refund(race_value, date)` -> value; raises PolicyError."""
        invoke = self.invoker(name)
        source = self.source
        span = self.edition.rules[name].decl.span if name in self.edition.rules else NOWHERE
        if name in self._prepare:
            self._prepare[name]()
            return self._direct[name]

        def call(*args: Any) -> Any:
            return invoke(args, span, source)

        return call

    def invoker(self, name: str) -> Invoke:
        """The compiled form of anything callable by name: rule, schedule, table, band, plugin function, built-in."""
        found = self._invokers.get(name)
        if found is None:
            found = self._invokers[name] = self._build_invoker(name)
        return found

    def penalty(self, infractions: Sequence[str], race: str, span: Span, source: Source) -> Sanction:
        """The combined sanction for infractions on a race, from the precomputed chart."""
        if len(infractions) == 1:
            found = self.single_sanction.get((infractions[0], race))
            if found is not None:
                return found
        sanctions: list[Sanction] = []
        for infraction in infractions:
            penalty = self.penalty_index.get((infraction, race))
            if penalty is None:
                raise _fail(
                    f"the {self.edition.label} policy gives no penalty for {infraction} on {race}", span, source,
                    "the regulation leaves other breaches to the race directors",
                )
            sanctions.append(penalty.sanction)
        return (self.edition.combine or combine_sanctions)(sanctions)

    def eligible(self, race: str, facts: Mapping[str, Any], span: Span, source: Source) -> bool:
        env = dict(facts)
        env.setdefault("race", self.race_values[race])
        scope = {name: _kind(value) for name, value in env.items()}
        key = (race, frozenset(scope.items()))  # compiled for these facts and their kinds
        conditions = self._eligibility.get(key)
        if conditions is None:
            decl = self.edition.races[race].decl
            conditions = [(self.compile(rule.condition, scope, self.source), rule) for rule in decl.eligibility]
            self._eligibility[key] = conditions
        for code, _ in conditions:
            try:
                ok = code(env)
            except EvaluationError as exc:
                raise EvaluationError(exc.message, span, source, exc.hint) from None
            except RecursionError:
                raise _too_deep(span, source) from None
            if not ok:
                return False
        return True

    def expression(self, expr: ast.Expr, env: Mapping[str, Any], source: Source) -> Code:
        """Compile a query's expression for the facts in `env` (their names and kinds)."""
        return self.compile(expr, {name: _kind(value) for name, value in env.items()}, source)

    # ---- expressions
    def compile(self, expr: ast.Expr, scope: Mapping[str, str], source: Source, slots: Mapping[str, int] | None = None) -> Code:
        """Compile an expression. `scope` gives the kinds of local names; with `slots`, locals are read
        from an argument tuple by position rather than from a dict by name."""
        return _Compiler(self, scope, source, slots).code(expr)

    def kind_of(self, expr: ast.Expr, scope: Mapping[str, str]) -> str:
        """The kind the checker proves for an expression (or 'any')."""
        if self._kind_checker is None:
            from racepolicy.language.checker import Checker

            checker = Checker(self.edition.policy, self.source, None)
            checker.ed = self.edition
            checker._rule_kinds = {name: rule.kind for name, rule in self.edition.rules.items()}
            self._kind_checker = checker
        checker = self._kind_checker
        kind: str = checker.infer(expr, dict(scope))
        checker.errors.clear()
        return kind

    # ---- callables
    def _build_invoker(self, name: str) -> Invoke:
        ed = self.edition
        if name in ed.rules:
            return self._rule_invoker(name)
        if name in ed.schedules:
            return self._schedule_invoker(name)
        if name in ed.tables:
            return self._table_invoker(name)
        if name in ed.bands:
            return self._band_invoker(name)
        if name in ed.functions:
            return self._function_invoker(name)
        if name in BUILTINS:
            return _builtin_invoker(name)

        def unknown(args: Sequence[Any], span: Span, source: Source) -> Any:
            raise UnknownNameError(
                f"unknown rule or function '{name}'", span, source, did_you_mean(name, list(ed.callables()) + list(BUILTINS)),
            )

        return unknown

    def steps_bound(self, name: str) -> int:
        """At most how many evaluation steps one call of a rule takes (both branches of every `if` counted).

        Rules cannot call themselves (a load error), so the bound is a finite sum over the call graph.
        """
        found = self._steps_bound.get(name)
        if found is not None:
            return found
        rules = self.edition.rules
        total = 0
        for node in (rules[name].decl.body, *rules[name].decl.body.find_all(ast.Node)):
            total += 1
            callee = node.function if isinstance(node, ast.Call) else node.name if isinstance(node, ast.Name) else None
            if callee in rules and callee != name:
                total += self.steps_bound(callee)
            if total > MAX_STEPS:
                break
        self._steps_bound[name] = total
        return total

    def _rule_invoker(self, name: str) -> Invoke:
        decl = self.edition.rules[name].decl
        if self.steps_bound(name) > MAX_STEPS:
            # A rule that may fan out past the interpreter's step budget (each level using the next
            # several times) is left to the interpreter, which stops it with a clear error.
            edition = self.edition

            def interpreted(args: Sequence[Any], span: Span, source: Source) -> Any:
                return Evaluator(edition, source, tracing=False).call_rule(name, args, span)

            return interpreted
        params = decl.params
        names = [p.name for p in params]
        count = len(params)
        usage = f"{name}({', '.join(names)})"
        checks = [(i, p.name, p.type, _EXACT.get(p.type, frozenset())) for i, p in enumerate(params) if p.type != "any"]

        closures: list[Code] = []

        def slow(args: Sequence[Any]) -> Any:
            if not closures:
                closures.append(self.compile(decl.body, {p.name: p.type for p in params}, self.source, {n: i for i, n in enumerate(names)}))
            return closures[0](args)

        def first_call(args: Sequence[Any]) -> Any:
            prepare()
            return body[0](args)

        def prepare() -> None:
            # Compiled on first use, so rules that call each other need no ordering.
            if body[0] is not first_call:
                return
            body[0] = slow
            if GENERATE:
                from racepolicy.evaluation.codegen import generate_rule

                generated = generate_rule(self, decl, slow, check, lambda: _too_deep(own_span, own_source))
                if generated is not None:
                    body[0], self._direct[name], self._fast[name] = generated

        def check(args: Sequence[Any]) -> None:
            if not fits(args):
                raise refuse(args, own_span, own_source)

        body: list[Code] = [first_call]

        def refuse(args: Sequence[Any], span: Span, source: Source) -> EvaluationError:
            if len(args) != count:
                return _fail(f"'{name}' takes {count} argument(s), {len(args)} given", span, source, usage)
            for i, pname, ptype, _ in checks:
                if type_name(args[i]) != ptype:
                    return _fail(f"argument '{pname}' of {name} must be {ptype}, not {type_name(args[i])}", span, source)
            raise AssertionError("refuse() called on good arguments")  # pragma: no cover

        # Whether arguments fit depends on their Python types alone: remember the type tuples that passed.
        passed: set[tuple[type, ...]] = set()

        def fits(args: Sequence[Any]) -> bool:
            signature = tuple(map(type, args))
            if signature in passed:
                return True
            if len(args) != count or any(type(args[i]) not in exact and type_name(args[i]) != ptype for i, _, ptype, exact in checks):
                return False
            if len(passed) < 64:
                passed.add(signature)
            return True

        def invoke(args: Sequence[Any], span: Span, source: Source) -> Any:
            if not fits(args):
                raise refuse(args, span, source)
            try:
                return body[0](args)
            except RecursionError:
                raise _too_deep(span, source) from None

        own_span, own_source = decl.span, self.source

        def direct(*args: Any) -> Any:
            # The same as invoke() without the call-site arguments: what batch runs and benchmarks call.
            if tuple(map(type, args)) not in passed and not fits(args):
                raise refuse(args, own_span, own_source)
            try:
                return body[0](args)
            except RecursionError:
                raise _too_deep(own_span, own_source) from None

        self._direct[name] = direct
        self._prepare[name] = prepare
        return invoke

    def _constant(self, expr: ast.Expr) -> Callable[[], Any]:
        """A constant-valued expression (schedule tier, table row) evaluated on first use and kept."""
        if isinstance(expr, ast.Literal):
            literal = expr.value
            return lambda: literal
        code = self.compile(expr, {}, self.source)
        cell: list[Any] = []

        def value() -> Any:
            if not cell:
                cell.append(code({}))
            return cell[0]

        return value

    def _schedule_invoker(self, name: str) -> Invoke:
        schedule = self.edition.schedules[name]
        tiers = [(tier.through, self._constant(tier.value)) for tier in schedule.tiers]
        last = schedule.tiers[-1].through if schedule.tiers else None

        def invoke(args: Sequence[Any], span: Span, source: Source) -> Any:
            if len(args) != 1:
                raise _fail(f"'{name}' takes 1 argument(s), {len(args)} given", span, source, f"{name}(date)")
            when = args[0]
            if not isinstance(when, datetime.date):
                raise _fail(f"schedule {name} needs a date, not {type_name(when)}", span, source, "write a date such as 2022-05-15")
            for through, value in tiers:
                if through is None or when <= through:
                    return value()
            raise _fail(
                f"schedule {name} has no tier for {when.isoformat()}", span, source,
                f"its last tier ends on {last.isoformat()}" if last else "the schedule has no tiers",
            )

        return invoke

    def _table_invoker(self, name: str) -> Invoke:
        decl = self.edition.tables[name].decl
        groups = self.edition.groups
        width = len(decl.params)
        usage = f"{name}({', '.join(p.name for p in decl.params)})"
        rows = [(row.keys, self._constant(row.value)) for row in decl.rows]
        otherwise = self._constant(decl.otherwise.value) if decl.otherwise is not None else None
        # Rows match arguments by equality alone, so equal arguments always find the same row, and a
        # table's rows are constants: the value found for a tuple of arguments can be kept.
        memo: dict[Any, Any] = {}
        self.table_memos[name] = memo

        def matches(key: ast.Literal | ast.Name, arg: Any) -> bool:
            if isinstance(key, ast.Name):
                if isinstance(arg, RaceValue):
                    group = groups.get(key.name)
                    return arg.name == key.name or (group is not None and arg.name in group.members)
                return isinstance(arg, str) and arg == key.name
            return bool(key.value == arg)

        def find(args: Sequence[Any]) -> Callable[[], Any] | None:
            for keys, value in rows:
                if len(keys) == len(args) and all(matches(k, a) for k, a in zip(keys, args, strict=True)):
                    return value
            return otherwise

        def invoke(args: Sequence[Any], span: Span, source: Source) -> Any:
            if len(args) != width:
                raise _fail(f"'{name}' takes {width} argument(s), {len(args)} given", span, source, usage)
            try:
                found = memo.get(args, _UNSET)
                hashable = True
            except TypeError:  # an unhashable argument (a list): no memo
                found, hashable = _UNSET, False
            if found is not _UNSET:
                return found
            thunk = find(args)
            if thunk is None:
                shown = ", ".join(render(a) for a in args)
                raise _fail(f"table {name} has no row for ({shown})", span, source, "add a row or an `otherwise ->` row")
            value = thunk()
            if hashable and type(args) is tuple and len(memo) < MEMO_LIMIT:
                memo[args] = value
            return value

        return invoke

    def _band_invoker(self, name: str) -> Invoke:
        decl = self.edition.bands[name].decl
        rows = [
            (Decimal(row.low), None if row.high is None else Decimal(row.high) + 1, row.label, None if row.value is None else self._constant(row.value))
            for row in decl.rows
        ]
        labels = ", ".join(r.label for r in decl.rows)

        def invoke(args: Sequence[Any], span: Span, source: Source) -> Any:
            if len(args) != 1:
                raise _fail(f"'{name}' takes 1 argument(s), {len(args)} given", span, source, f"{name}(value)")
            value = args[0]
            if not isinstance(value, Decimal):
                raise _fail(f"band {name} needs a number, not {type_name(value)}", span, source)
            for low, high, label, result in rows:
                if value >= low and (high is None or value < high):
                    return label if result is None else result()
            raise _fail(f"{render(value)} falls in no band of {name}", span, source, f"bands: {labels}")

        return invoke

    def _function_invoker(self, name: str) -> Invoke:
        fn = self.edition.functions[name]
        params = [p for p, _ in fn.params]
        impl = fn.impl

        def invoke(args: Sequence[Any], span: Span, source: Source) -> Any:
            if len(args) != len(params):
                raise _fail(f"'{name}' takes {len(params)} argument(s), {len(args)} given", span, source, f"{name}({', '.join(params)})")
            try:
                return impl(*args)
            except PolicyError:
                raise
            except (OperatorError, ValueError, TypeError, KeyError, ArithmeticError) as exc:
                raise _fail(f"{name}: {exc}", span, source) from None

        return invoke


def _builtin_invoker(name: str) -> Invoke:
    low, high, _, _, impl = BUILTINS[name]

    def invoke(args: Sequence[Any], span: Span, source: Source) -> Any:
        if len(args) < low or (high is not None and len(args) > high):
            raise _fail(f"'{name}' takes {low}{'+' if high is None else ''} argument(s), {len(args)} given", span, source)
        try:
            return impl(*args)
        except OperatorError as exc:
            raise _fail(f"{name}: {exc}", span, source) from None
        except (TypeError, AttributeError, ArithmeticError):
            kinds = ", ".join(type_name(a) for a in args)
            raise _fail(f"{name} does not apply to {kinds}", span, source) from None

    return invoke


def _kind(value: Any) -> str:
    return type_name(value)


class _Compiler:
    """Compiles one expression tree for one scope; a new one per rule body or query."""

    def __init__(self, unit: CompiledEdition, scope: Mapping[str, str], source: Source, slots: Mapping[str, int] | None) -> None:
        self.unit = unit
        self.scope = scope
        self.source = source
        self.slots = slots

    def code(self, expr: ast.Expr) -> Code:
        method: Callable[[Any], Code] | None = getattr(self, "_" + type(expr).__name__, None)
        if method is None:
            return self._interpreted(expr)
        return method(expr)

    def _interpreted(self, expr: ast.Expr) -> Code:
        """A node this compiler does not know (`where`, issue #11) is evaluated by the interpreter, the reference."""
        unit, source, slots = self.unit, self.source, self.slots

        def interpreted(env: Any) -> Any:
            local = {name: env[index] for name, index in slots.items()} if slots is not None else env
            return Evaluator(unit.edition, source, tracing=False).evaluate(expr, local)

        return interpreted

    def local_key(self, expr: ast.Expr) -> int | str | None:
        """Where a local name is read from the environment, so a parent node can read it inline."""
        if isinstance(expr, ast.Name) and expr.name in self.scope:
            return self.slots[expr.name] if self.slots is not None else expr.name
        return None

    def kind(self, expr: ast.Expr) -> str:
        return self.unit.kind_of(expr, self.scope)

    # ---- leaves
    def _Literal(self, expr: ast.Literal) -> Code:
        value = expr.value
        return lambda env: value

    def _MonthDay(self, expr: ast.MonthDay) -> Code:
        year, month, day = self.unit.edition.year, expr.month, expr.day
        try:
            value = datetime.date(year, month, day)
        except ValueError:
            # The interpreter fails when it meets this node; so does the compiled form.
            return lambda env: datetime.date(year, month, day)
        return lambda env: value

    def _Name(self, expr: ast.Name) -> Code:
        name = expr.name
        unit = self.unit
        ed = unit.edition
        if name in self.scope:
            key: int | str = self.slots[name] if self.slots is not None else name
            return lambda env: env[key]
        if name in ed.races:
            race = unit.race_values[name]
            return lambda env: race
        if name in ed.groups:
            group = unit.group_values[name]
            return lambda env: group
        if name == "year":
            year = unit.year
            return lambda env: year
        span, source = expr.span, self.source
        if name in ed.rules and not ed.rules[name].decl.params:
            invoke = unit.invoker(name)
            return lambda env: invoke((), span, source)
        candidates = list(self.scope) + list(ed.races) + list(ed.groups) + list(ed.rules)

        def unknown(env: Any) -> Any:
            raise _fail(f"unknown name '{name}'", span, source, did_you_mean(name, candidates) or "give it as a fact: given NAME = value")

        return unknown

    # ---- compound expressions
    def _Field(self, expr: ast.Field) -> Code:
        subject = self.code(expr.subject)
        name, span, source = expr.name, expr.span, self.source

        def other(value: Any) -> Any:
            if isinstance(value, RaceValue):
                if name == "name":
                    return value.name
                if name == "title":
                    return value.title
                if name not in value.attributes:
                    raise _fail(f"race {value.name} has no {name}", span, source, "the policy does not give it for this race")
                return value.attributes[name]
            if isinstance(value, Record):
                try:
                    return value.get(name)
                except KeyError:
                    raise _fail(f"no fact '{name}' was given", span, source, missing_fact_hint(name, value.keys())) from None
            if isinstance(value, tuple):  # the field of each record of a list, as in the interpreter
                return tuple(other(item) for item in value)
            raise _fail(f"{type_name(value)} has no field '{name}'", span, source)

        if name in ("name", "title"):
            return lambda env: other(subject(env))

        local = self.local_key(expr.subject)
        if local is not None:
            def local_field(env: Any) -> Any:
                value = env[local]
                if type(value) is RaceValue:
                    try:
                        return value.attributes[name]
                    except KeyError:
                        pass
                return other(value)

            return local_field

        def field(env: Any) -> Any:
            value = subject(env)
            if type(value) is RaceValue:
                try:
                    return value.attributes[name]
                except KeyError:
                    pass
            return other(value)

        return field

    def _Unary(self, expr: ast.Unary) -> Code:
        operand = self.code(expr.operand)
        span, operand_span, source = expr.span, expr.operand.span, self.source
        if expr.op == "not":
            def negation(env: Any) -> Any:
                value = operand(env)
                if value is True:
                    return False
                if value is False:
                    return True
                raise _fail(f"'not' needs yes or no, not {type_name(value)}", operand_span, source)

            return negation
        minus_one = Decimal(-1)

        def minus(env: Any) -> Any:
            value = operand(env)
            if isinstance(value, Decimal):
                return -value
            try:
                return apply("*", value, minus_one)
            except OperatorError as exc:
                raise _fail(str(exc), span, source) from None

        return minus

    def _Binary(self, expr: ast.Binary) -> Code:
        op = expr.op
        left, right = self.code(expr.left), self.code(expr.right)
        span, source = expr.span, self.source
        if op in ("and", "or"):
            return self._logic(expr, left, right)

        def generic(a: Any, b: Any) -> Any:
            try:
                return apply(op, a, b)
            except OperatorError as exc:
                raise _fail(str(exc), span, source) from None

        if op in ("==", "!="):
            same = op == "=="

            def equality(env: Any) -> Any:
                a, b = left(env), right(env)
                if type(a) is type(b):
                    return (a == b) is same
                return generic(a, b)

            return equality
        if op in ("in", "notin"):
            return lambda env: generic(left(env), right(env))
        lk, rk = self.kind(expr.left), self.kind(expr.right)
        if op in COMPARISONS and lk == rk and lk in ORDERED:
            return self._ordered(op, lk, left, right, generic, self.local_key(expr.left))
        found = ARITHMETIC.get((op, lk, rk))
        if found is None:
            return lambda env: generic(left(env), right(env))
        impl = _FAST_ARITHMETIC.get((op, lk, rk), found[1])

        def arithmetic(env: Any) -> Any:
            a, b = left(env), right(env)
            try:
                return impl(a, b)
            except (TypeError, AttributeError):
                return generic(a, b)  # kinds the checker could not see: let the shared table decide
            except OperatorError as exc:
                raise _fail(str(exc), span, source) from None
            except (InvalidOperation, DivisionByZero, OverflowError) as exc:
                raise _fail(f"arithmetic failed: {exc.__class__.__name__}", span, source) from None

        return arithmetic

    def _ordered(self, op: str, kind: str, left: Code, right: Code, generic: Callable[[Any, Any], Any], local: int | str | None) -> Code:
        compare = _PY_COMPARE[op]
        if kind in _NATIVE_ORDER:
            exact = _EXACT[kind]
            if local is not None:
                def native_local(env: Any) -> Any:
                    a, b = env[local], right(env)
                    if type(a) in exact and type(b) in exact:
                        return compare(a, b)
                    return generic(a, b)

                return native_local

            def native(env: Any) -> Any:
                a, b = left(env), right(env)
                if type(a) in exact and type(b) in exact:
                    return compare(a, b)
                return generic(a, b)

            return native
        if kind == "money":
            def money(env: Any) -> Any:
                a, b = left(env), right(env)
                if type(a) is Money and type(b) is Money and a.currency == b.currency:
                    return compare(a.amount, b.amount)
                return generic(a, b)

            return money
        attr = _ORDER_FIELD[kind]
        cls = next(iter(_EXACT[kind]))
        get = operator.attrgetter(attr)

        def measured(env: Any) -> Any:
            a, b = left(env), right(env)
            if type(a) is cls and type(b) is cls:
                return compare(get(a), get(b))
            return generic(a, b)

        return measured

    def _logic(self, expr: ast.Binary, left: Code, right: Code) -> Code:
        op, source = expr.op, self.source
        left_span, right_span = expr.left.span, expr.right.span
        short = op == "or"  # the value of the left side that decides alone

        def logic(env: Any) -> Any:
            a = left(env)
            if a is not True and a is not False:
                raise _fail(f"'{op}' needs yes or no, not {type_name(a)}", left_span, source)
            if a is short:
                return a
            b = right(env)
            if b is not True and b is not False:
                raise _fail(f"'{op}' needs yes or no, not {type_name(b)}", right_span, source)
            return b

        return logic

    def _IfExpr(self, expr: ast.IfExpr) -> Code:
        condition, then, otherwise = self.code(expr.condition), self.code(expr.then), self.code(expr.otherwise)
        span, source = expr.condition.span, self.source

        def choose(env: Any) -> Any:
            cond = condition(env)
            if cond is True:
                return then(env)
            if cond is False:
                return otherwise(env)
            raise _fail(f"'if' needs yes or no, not {type_name(cond)}", span, source)

        return choose

    def _ListExpr(self, expr: ast.ListExpr) -> Code:
        items = [self.code(i) for i in expr.items]
        return lambda env: tuple(item(env) for item in items)

    def _RecordExpr(self, expr: ast.RecordExpr) -> Code:
        items = [(k, self.code(v)) for k, v in expr.items]
        return lambda env: Record.of({k: code(env) for k, code in items})

    def _Call(self, expr: ast.Call) -> Code:
        invoke = self.unit.invoker(expr.function)
        args = [self.code(a) for a in expr.args]
        span, source = expr.span, self.source
        # Fixed arities get their own closure: no list to build on the hot path.
        if len(args) == 0:
            return lambda env: invoke((), span, source)
        if len(args) == 1:
            a0 = args[0]
            k0 = self.local_key(expr.args[0])
            if k0 is not None:
                return lambda env: invoke((env[k0],), span, source)
            return lambda env: invoke((a0(env),), span, source)
        keys = [self.local_key(a) for a in expr.args]
        if len(args) >= 2 and all(k is not None for k in keys):
            get = operator.itemgetter(*keys)
            return lambda env: invoke(get(env), span, source)
        if len(args) == 2:
            a0, a1 = args
            return lambda env: invoke((a0(env), a1(env)), span, source)
        if len(args) == 3:
            a0, a1, a2 = args
            return lambda env: invoke((a0(env), a1(env), a2(env)), span, source)
        return lambda env: invoke(tuple(a(env) for a in args), span, source)


# ---- the cache of compiled editions (an Edition is unhashable, so keyed by identity)

_COMPILED: dict[int, tuple[weakref.ref[Edition], CompiledEdition]] = {}


def compile_edition(edition: Edition) -> CompiledEdition:
    """The compiled form of an edition, built once and kept while the edition lives."""
    key = id(edition)
    found = _COMPILED.get(key)
    if found is not None and found[0]() is edition:
        return found[1]
    unit = CompiledEdition(edition)
    _COMPILED[key] = (weakref.ref(edition, lambda _ref, key=key: _COMPILED.pop(key, None)), unit)  # type: ignore[misc]
    return unit


def compile_all(editions: Iterable[Edition]) -> None:
    """Compile every rule, schedule, table and band of every edition now (W4 measures this; otherwise it happens on first use)."""
    for edition in editions:
        unit = compile_edition(edition)
        for name in edition.rules:
            unit.rule(name)  # generates the rule's code
        for name in edition.callables() - set(edition.rules):
            unit.invoker(name)


class CompiledEvaluator(Evaluator):
    """The interpreter's interface over compiled closures: what query forms and `answer` call. Records no trace."""

    def __init__(self, edition: Edition, query_source: Source | None = None, tracing: bool = False) -> None:
        super().__init__(edition, query_source, tracing=False)
        self.unit = compile_edition(edition)

    def evaluate(self, expr: ast.Expr, env: Mapping[str, Any]) -> Any:
        try:
            return self.unit.expression(expr, env, self._source)(env)
        except RecursionError:
            raise self.fail("expression is nested too deeply to evaluate", expr.span) from None

    def call(self, name: str, args: Sequence[Any], span: Span) -> Any:
        return self.unit.invoker(name)(args, span, self._source)

    def call_rule(self, name: str, args: Sequence[Any], span: Span) -> Any:
        return self.unit.invoker(name)(args, span, self._source)

    def call_schedule(self, name: str, args: Sequence[Any], span: Span) -> Any:
        return self.unit.invoker(name)(args, span, self._source)

    def call_table(self, name: str, args: Sequence[Any], span: Span) -> Any:
        return self.unit.invoker(name)(args, span, self._source)

    def call_band(self, name: str, args: Sequence[Any], span: Span) -> Any:
        return self.unit.invoker(name)(args, span, self._source)

    def race_value(self, name: str) -> RaceValue:
        return self.unit.race_values[name]

    def penalty(self, infractions: Sequence[str], race: str, span: Span, facts: Mapping[str, Any] | None = None) -> Sanction:
        if any(self.edition.has_conditional_penalty(i) for i in infractions):
            # A line with `when` depends on the facts: the precomputed chart cannot answer it.
            return Evaluator.penalty(self, infractions, race, span, facts)
        return self.unit.penalty(infractions, race, span, self._source)

    def eligible(self, race: str, facts: Mapping[str, Any], span: Span) -> bool:
        return self.unit.eligible(race, facts, span, self._source)
