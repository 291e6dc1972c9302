"""The reference evaluator: walks the checked AST, dispatching on node classes, and records a trace."""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from racepolicy.evaluation.builtins import BUILTINS
from racepolicy.evaluation.fidelity import NOT_APPLICABLE
from racepolicy.evaluation.model import Citation, Edition, Penalty, cite
from racepolicy.evaluation.operators import ARITHMETIC_BY_CLASS, OperatorError, OutOfRangeError, apply, arithmetic, check_range
from racepolicy.evaluation.trace import TraceEntry
from racepolicy.evaluation.values import GroupValue, RaceValue, Record, Sanction, combine_sanctions, render, type_name
from racepolicy.language import ast
from racepolicy.language.errors import (
    EvaluationError,
    MissingInputError,
    NestingError,
    NumberRangeError,
    PolicyError,
    StepLimitError,
    UnknownNameError,
    did_you_mean,
)
from racepolicy.language.source import Source, Span

MAX_CALL_DEPTH = 100
_NUMBER_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}
# Rules cannot recurse, but `rule a = b + b`, `rule b = c + c`, ... doubles the work at each
# level; a budget of expression steps per evaluator (one per query) keeps every answer bounded in time.
MAX_STEPS = 200_000
# The hot handlers (binary, if, call, field) evaluate a child that is a literal or a parameter in place, written out in
# each of them (step counted, limit checked, value read) rather than through a helper: a Python call per leaf was a
# third of an interpreted qualification (bench/analysis.md, "The interpreter through the API"). Keep the copies alike.
_LITERAL, _NAME, _FIELD = ast.Literal, ast.Name, ast.Field
_DATE = datetime.date
_OWN_FIELDS = frozenset({"name", "title"})  # a race's fields that are no attribute of it (see _field)
# A rule prepared for calls (Evaluator._rule_plan): body, parameter names, typed-parameter checks, classes that passed.
_RulePlan = tuple[ast.Expr, tuple[str, ...], tuple[tuple[int, str, str], ...], set[tuple[type, ...]]]
# The node classes whose handlers begin by counting their step (`self._steps += 1`, then the limit): a handler
# added for another class without that prologue is wrapped to count it, so every node evaluated is one step.
_COUNTS_ITS_STEP = frozenset({
    ast.Literal, ast.MonthDay, ast.Name, ast.Field, ast.Call, ast.Unary, ast.Binary, ast.IfExpr, ast.ListExpr, ast.RecordExpr,
    ast.NotApplicable, ast.Where,
})
# A call of a rule prepared once per evaluator (Evaluator._call_site): the node (held, so that its id is not given to
# another node), whether its arguments are the rule's parameters by name and in order, and their names.
_CallSite = tuple[ast.Call, bool, tuple[str, ...]]
_NO_ROW: Any = object()  # a table's memo has not seen the key (None there means: no row)


def _classes_and_env(names: tuple[str, ...], args: Sequence[Any]) -> tuple[tuple[type, ...], dict[str, Any]]:
    """A rule's arguments' classes (for its parameter check) and its environment, for as many names as arguments.
    Written out for up to four parameters: `tuple(map(type, ...))` and `dict(zip(...))` cost three times as much for two
    (issue #16), more than this function's own call."""
    n = len(args)
    if n == 2:
        a0, a1 = args
        return (type(a0), type(a1)), {names[0]: a0, names[1]: a1}
    if n == 1:
        (a0,) = args
        return (type(a0),), {names[0]: a0}
    if n == 3:
        a0, a1, a2 = args
        return (type(a0), type(a1), type(a2)), {names[0]: a0, names[1]: a1, names[2]: a2}
    if n == 4:
        a0, a1, a2, a3 = args
        return (type(a0), type(a1), type(a2), type(a3)), {names[0]: a0, names[1]: a1, names[2]: a2, names[3]: a3}
    return tuple(map(type, args)), dict(zip(names, args))  # noqa: B905 - the callers checked the lengths


class Evaluator:
    """Evaluates expressions and statements of one edition; pure, no I/O, no clock."""

    def __init__(self, edition: Edition, query_source: Source | None = None, tracing: bool = True) -> None:
        self.edition = edition
        self.trace: list[TraceEntry] = []
        self.tracing = tracing
        self._source = query_source or edition.source
        # The query being answered: plugin query forms point their errors here.
        self.query_span: Span | None = None
        self._depth = 0
        self._steps = 0
        # The facts of the query being answered: declared inputs are read from them, wherever they are used.
        self.query_facts: Mapping[str, Any] = {}
        self.inputs_read: set[str] = set()  # declared inputs this answer read (so a given input is never "unused")
        self.unchecked_conditions: list[str] = []  # `when` lines of a penalty passed over for want of facts
        self._hints = True  # whether errors are given their hints (not where only their message is used)
        # Rules prepared once per evaluator (issue #16): body, parameter names, and the checks of typed parameters.
        self._rule_plans: dict[str, _RulePlan] = {}
        self._sites: dict[int, _CallSite] = {}  # call nodes prepared once, by id (issue #16)
        self._schedule_tiers: dict[str, tuple[tuple[datetime.date | None, Any], ...]] = {}  # _schedule_plan
        # Rule calls and table lookups are made inline (untraced) unless a subclass serves them (CompiledEvaluator).
        self._own_rules = type(self).call_rule is Evaluator.call_rule
        self._own_tables = type(self).call_table is Evaluator.call_table
        self._own_schedules = type(self).call_schedule is Evaluator.call_schedule
        # The handler of each node class. Each handler counts its node's step; the common ones evaluate their
        # children through this dict directly (one Python call per node, none for a literal or a parameter).
        self._dispatch: dict[type, Callable[[Any, Mapping[str, Any]], Any]] = {
            ast.Literal: self._literal,
            ast.MonthDay: self._month_day,
            ast.Name: self._name,
            ast.Field: self._field,
            ast.Call: self._call,
            ast.Unary: self._unary,
            ast.Binary: self._binary,
            ast.IfExpr: self._if,
            ast.ListExpr: self._list,
            ast.RecordExpr: self._record,
            ast.NotApplicable: self._not_applicable,
            ast.Where: self._where,
        }
        for cls in self._dispatch.keys() - _COUNTS_ITS_STEP:  # a handler written without the step prologue: counted here
            self._dispatch[cls] = self._counted(self._dispatch[cls])

    # ---- tracing
    def note(
        self, kind: str, name: str, detail: str = "", inputs: Sequence[tuple[str, Any]] = (), result: Any = None,
        citation: Citation | None = None,
    ) -> None:
        """Record a statement the answer used (plugins call this from their query forms)."""
        if not self.tracing:
            return
        self.trace.append(
            TraceEntry(
                kind, name, detail, tuple((k, render(v)) for k, v in inputs), "" if result is None else render(result),
                citation, self._depth,
            )
        )

    def fail(self, message: str, span: Span, hint: str = "") -> EvaluationError:
        return EvaluationError(message, span, self._source, hint)

    def _operator_failed(self, exc: OperatorError, span: Span, prefix: str = "") -> PolicyError:
        if isinstance(exc, OutOfRangeError):
            return NumberRangeError(prefix + str(exc), span, self._source, "keep amounts, durations and numbers below a million million")
        return self.fail(prefix + str(exc), span)

    # ---- expressions
    # Every node evaluated is one step of the answer's budget (MAX_STEPS), counted by the node's handler, and a
    # RecursionError is reported as a NestingError at the node whose evaluation overflowed, as `evaluate` does.
    def evaluate(self, expr: ast.Expr, env: Mapping[str, Any]) -> Any:
        try:
            return self._dispatch[type(expr)](expr, env)
        except RecursionError:
            raise self._nested(expr) from None

    def _not_applicable(self, expr: ast.NotApplicable, env: Mapping[str, Any]) -> Any:
        self._steps += 1
        if self._steps > MAX_STEPS:
            raise self._too_many_steps(expr)
        return NOT_APPLICABLE  # fidelity: an `n/a` cell answers "not applicable"

    def _counted(self, handler: Callable[[Any, Mapping[str, Any]], Any]) -> Callable[[Any, Mapping[str, Any]], Any]:
        """A handler that does not count its node's step, made to count it first (as every handler above does)."""

        def counted(expr: ast.Expr, env: Mapping[str, Any]) -> Any:
            self._steps += 1
            if self._steps > MAX_STEPS:
                raise self._too_many_steps(expr)
            return handler(expr, env)

        return counted

    def _too_many_steps(self, expr: ast.Expr) -> StepLimitError:
        self._steps = 0  # so the error can be reported and the evaluator reused
        return StepLimitError(
            f"the answer needs more than {MAX_STEPS:,} evaluation steps", expr.span, self._source,
            "rules that each use another rule several times multiply the work: compute the shared part once",
        )

    def _nested(self, expr: ast.Expr) -> NestingError:
        return NestingError("expression is nested too deeply to evaluate", expr.span, self._source)

    def _literal(self, expr: ast.Literal, env: Mapping[str, Any]) -> Any:
        self._steps += 1
        if self._steps > MAX_STEPS:
            raise self._too_many_steps(expr)
        return expr.value

    def _month_day(self, expr: ast.MonthDay, env: Mapping[str, Any]) -> Any:
        self._steps += 1
        if self._steps > MAX_STEPS:
            raise self._too_many_steps(expr)
        try:
            return datetime.date(self.edition.year, expr.month, expr.day)
        except ValueError:  # the checker reports it first; this keeps a traceback from ever reaching a user
            raise self.fail(f"{expr.month:02}-{expr.day:02} does not exist in {self.edition.year}", expr.span) from None

    def _name(self, expr: ast.Name, env: Mapping[str, Any]) -> Any:
        self._steps += 1
        if self._steps > MAX_STEPS:
            raise self._too_many_steps(expr)
        name = expr.name
        if name in env:
            if env is self.query_facts and name in self.edition.inputs:
                return self.declared_input(name, expr.span)  # asked directly in the query: still noted as supplied
            return env[name]
        ed = self.edition
        if name in ed.races:
            return self.race_value(name)
        if name in ed.groups:
            group = ed.groups[name]
            return GroupValue(name, group.members)
        if name == "year":
            return Decimal(ed.year)
        if name in ed.inputs:
            return self.declared_input(name, expr.span)
        if name in ed.rules and not ed.rules[name].decl.params:
            return self.call_rule(name, [], expr.span)
        raise self.fail(
            f"unknown name '{name}'", expr.span,
            (did_you_mean(name, list(env) + list(ed.races) + list(ed.groups) + list(ed.rules)) or "give it as a fact: given NAME = value")
            if self._hints else "",
        )

    # ---- fidelity: declared inputs
    def declared_input(self, name: str, span: Span) -> Any:
        """The value the query gives for a figure the regulation does not give; noted so the answer says it was supplied."""
        decl = self.edition.inputs[name]
        if name not in self.query_facts:
            raise MissingInputError(
                f"this answer needs '{name}', which the regulation does not give: {decl.reason}", span, self._source,
                f"give it with the query: given {name} = ... ({decl.type})",
            )
        value = self.query_facts[name]
        self.inputs_read.add(name)
        if decl.type != "any" and type_name(value) != decl.type:
            raise self.fail(f"input '{name}' must be {decl.type}, not {type_name(value)}", span, f"give a {decl.type}: given {name} = ...")
        self.note("input", name, f"supplied with the query, not in the regulation: {decl.reason}", (), value,
                  cite(self.edition.source, decl) if decl.citation is not None else None)
        return value

    def race_value(self, name: str) -> RaceValue:
        race = self.edition.races[name]
        return RaceValue(name, race.title, race.attributes)

    def _field(self, expr: ast.Field, env: Mapping[str, Any]) -> Any:
        self._steps += 1
        if self._steps > MAX_STEPS:
            raise self._too_many_steps(expr)
        node = expr.subject
        if type(node) is _NAME and env is not self.query_facts and node.name in env:  # a parameter or fact (see _name)
            self._steps += 1
            if self._steps > MAX_STEPS:
                raise self._too_many_steps(node)
            subject = env[node.name]
        else:
            subject = self.evaluate(node, env)
        if type(subject) is RaceValue or isinstance(subject, RaceValue):
            name = expr.name
            if name == "name":
                return subject.name
            if name == "title":
                return subject.title
            attributes = subject.attributes
            if name not in attributes:
                raise self.fail(f"race {subject.name} has no {name}", expr.span, "the policy does not give it for this race")
            value = attributes[name]
            if self.tracing:  # the note's text and citation, only when there is a trace to write them in
                race = self.edition.races.get(subject.name)
                self.note("attribute", f"{subject.name}.{name}", result=value, citation=race.citations.get(name) if race else None)
            return value
        if isinstance(subject, Record):
            try:
                return subject.get(expr.name)
            except KeyError:
                hint = missing_fact_hint(expr.name, subject.keys()) if self._hints else ""
                missing = self.fail(f"no fact '{expr.name}' was given", expr.span, hint)
                missing.missing_fact = expr.name  # type: ignore[attr-defined]  # read by `and`/`or` above
                raise missing from None
        if isinstance(subject, tuple):  # `results.points`: the field of each record of a list (issue #11 item 2)
            values = []
            for item in subject:
                self._steps -= 1  # the field of each item is no node of the policy: not a step (the item, as a literal, is one)
                values.append(self._field(ast.Field(subject=ast.Literal(value=item), name=expr.name, span=expr.span), env))
            return tuple(values)
        raise self.fail(f"{type_name(subject)} has no field '{expr.name}'", expr.span)

    def _unary(self, expr: ast.Unary, env: Mapping[str, Any]) -> Any:
        self._steps += 1
        if self._steps > MAX_STEPS:
            raise self._too_many_steps(expr)
        node = expr.operand
        try:
            value = self._dispatch[type(node)](node, env)
        except RecursionError:
            raise self._nested(node) from None
        if expr.op == "not":
            if not isinstance(value, bool):
                raise self.fail(f"'not' needs yes or no, not {type_name(value)}", expr.operand.span)
            return not value
        try:
            return apply("*", value, Decimal(-1)) if not isinstance(value, Decimal) else -value
        except OperatorError as exc:
            raise self._operator_failed(exc, expr.span) from None

    def _binary(self, expr: ast.Binary, env: Mapping[str, Any]) -> Any:
        self._steps += 1
        if self._steps > MAX_STEPS:
            raise self._too_many_steps(expr)
        op = expr.op
        dispatch = self._dispatch
        node = expr.left
        cls = type(node)
        if cls is _LITERAL:  # a leaf, evaluated here: its step counted, no call
            self._steps += 1
            if self._steps > MAX_STEPS:
                raise self._too_many_steps(node)
            left = node.value
        elif cls is _NAME and env is not self.query_facts and node.name in env:  # a parameter or fact (see _name)
            self._steps += 1
            if self._steps > MAX_STEPS:
                raise self._too_many_steps(node)
            left = env[node.name]
        elif (
            cls is _FIELD and type(node.subject) is _NAME and env is not self.query_facts and type(subject := env.get(node.subject.name)) is RaceValue
            and node.name in subject.attributes and node.name not in _OWN_FIELDS and not self.tracing and self._steps + 2 <= MAX_STEPS
        ):  # a race parameter's attribute (`race.fee`), read here as _field reads it untraced: its step and its subject's
            self._steps += 2
            left = subject.attributes[node.name]
        else:
            try:
                left = dispatch[cls](node, env)
            except RecursionError:
                raise self._nested(node) from None
            except EvaluationError as exc:
                # An optional fact left out: `runner.profile in [...] or runner.region in [...]` is decided by the
                # side that was given when that side alone decides; otherwise the missing fact is the error.
                if op not in ("and", "or") or not getattr(exc, "missing_fact", ""):
                    raise
                try:
                    right = self.evaluate(expr.right, env)
                except PolicyError:
                    raise exc from None  # both sides missing: the first one is reported
                if right is (op == "or"):
                    return right
                raise
        node = expr.right
        if op == "and" or op == "or":
            if not isinstance(left, bool):
                raise self.fail(f"'{op}' needs yes or no, not {type_name(left)}", expr.left.span)
            if (op == "and" and not left) or (op == "or" and left):
                return left
            cls = type(node)
            if cls is _LITERAL:  # a leaf, evaluated here: its step counted, no call
                self._steps += 1
                if self._steps > MAX_STEPS:
                    raise self._too_many_steps(node)
                right = node.value
            elif cls is _NAME and env is not self.query_facts and node.name in env:  # a parameter or fact (see _name)
                self._steps += 1
                if self._steps > MAX_STEPS:
                    raise self._too_many_steps(node)
                right = env[node.name]
            else:
                try:
                    right = dispatch[cls](node, env)
                except RecursionError:
                    raise self._nested(node) from None
            if not isinstance(right, bool):
                raise self.fail(f"'{op}' needs yes or no, not {type_name(right)}", expr.right.span)
            return right
        cls = type(node)
        if cls is _LITERAL:  # a leaf, evaluated here: its step counted, no call
            self._steps += 1
            if self._steps > MAX_STEPS:
                raise self._too_many_steps(node)
            right = node.value
        elif cls is _NAME and env is not self.query_facts and node.name in env:  # a parameter or fact (see _name)
            self._steps += 1
            if self._steps > MAX_STEPS:
                raise self._too_many_steps(node)
            right = env[node.name]
        else:
            try:
                right = dispatch[cls](node, env)
            except RecursionError:
                raise self._nested(node) from None
        if left is NOT_APPLICABLE or right is NOT_APPLICABLE:
            return NOT_APPLICABLE  # fidelity: a computation on an `n/a` cell is not applicable either, not a type error
        kind = type(left)
        if kind is type(right):
            # Two values of one class are of one kind: `apply` would compare them as Python does; skip its table.
            if kind is Decimal:
                compare = _NUMBER_COMPARISONS.get(op)
                if compare is not None:
                    return compare(left, right)
            elif op == "==":
                return left == right
            elif op == "!=":
                return left != right
        impl = ARITHMETIC_BY_CLASS.get((op, kind, type(right)))  # what `apply` looks up first, without its frame
        try:
            return arithmetic(op, impl, left, right) if impl is not None else apply(op, left, right)
        except OperatorError as exc:
            raise self._operator_failed(exc, expr.span) from None

    def _if(self, expr: ast.IfExpr, env: Mapping[str, Any]) -> Any:
        self._steps += 1
        if self._steps > MAX_STEPS:
            raise self._too_many_steps(expr)
        dispatch = self._dispatch
        node = expr.condition
        cls = type(node)
        if cls is _LITERAL:  # a leaf, evaluated here: its step counted, no call
            self._steps += 1
            if self._steps > MAX_STEPS:
                raise self._too_many_steps(node)
            cond = node.value
        elif cls is _NAME and env is not self.query_facts and node.name in env:  # a parameter or fact (see _name)
            self._steps += 1
            if self._steps > MAX_STEPS:
                raise self._too_many_steps(node)
            cond = env[node.name]
        else:
            try:
                cond = dispatch[cls](node, env)
            except RecursionError:
                raise self._nested(node) from None
        if cond is NOT_APPLICABLE:
            return NOT_APPLICABLE  # fidelity: a choice that rests on an `n/a` cell is not applicable
        if not isinstance(cond, bool):
            raise self.fail(f"'if' needs yes or no, not {type_name(cond)}", expr.condition.span)
        node = expr.then if cond else expr.otherwise
        cls = type(node)
        if cls is _LITERAL:  # a leaf, evaluated here: its step counted, no call
            self._steps += 1
            if self._steps > MAX_STEPS:
                raise self._too_many_steps(node)
            value = node.value
        elif cls is _NAME and env is not self.query_facts and node.name in env:  # a parameter or fact (see _name)
            self._steps += 1
            if self._steps > MAX_STEPS:
                raise self._too_many_steps(node)
            value = env[node.name]
        else:
            try:
                value = dispatch[cls](node, env)
            except RecursionError:
                raise self._nested(node) from None
        return value

    def _list(self, expr: ast.ListExpr, env: Mapping[str, Any]) -> Any:
        self._steps += 1
        if self._steps > MAX_STEPS:
            raise self._too_many_steps(expr)
        return tuple(self.evaluate(i, env) for i in expr.items)

    def _where(self, expr: ast.Where, env: Mapping[str, Any]) -> Any:
        """The items for which the condition holds; a record's fields are names in the condition (issue #11 item 2)."""
        self._steps += 1
        if self._steps > MAX_STEPS:
            raise self._too_many_steps(expr)
        items = self.evaluate(expr.items, env)
        if not isinstance(items, tuple):
            raise self.fail(f"'where' filters a list, not {type_name(items)}", expr.items.span)
        kept = []
        for item in items:
            local = dict(env)
            if isinstance(item, Record):
                local.update(item.fields)
            local["item"] = item
            holds = self.evaluate(expr.condition, local)
            if not isinstance(holds, bool):
                raise self.fail(f"the condition of 'where' gives {type_name(holds)}, not yes or no", expr.condition.span)
            if holds:
                kept.append(item)
        return tuple(kept)

    def _record(self, expr: ast.RecordExpr, env: Mapping[str, Any]) -> Any:
        self._steps += 1
        if self._steps > MAX_STEPS:
            raise self._too_many_steps(expr)
        return Record.of({k: self.evaluate(v, env) for k, v in expr.items})

    def _call(self, expr: ast.Call, env: Mapping[str, Any]) -> Any:
        self._steps += 1
        if self._steps > MAX_STEPS:
            raise self._too_many_steps(expr)
        name = expr.function
        ed = self.edition
        rule = name in ed.rules
        tiers = None if rule else self._schedule_tiers.get(name)  # a schedule called before (see the fast path below)
        if tiers is not None and len(expr.args) == 1 and not self.tracing and self._depth and self._depth < MAX_CALL_DEPTH:
            # A schedule of constant tiers called with a parameter inside a rule: the fast path below, without the
            # general path's argument list (the parameter's step and the tier's counted together).
            node = expr.args[0]
            if type(node) is _NAME and env is not self.query_facts and type(when := env.get(node.name)) is _DATE and self._steps + 2 <= MAX_STEPS:
                for through, value in tiers:
                    if through is None or when <= through:
                        if value is not _NO_ROW:
                            self._steps += 2
                            return value
                        break
        callee_env = None
        if rule and type(env) is dict and env is not self.query_facts and not self.tracing and self._own_rules:
            site = self._sites.get(id(expr))
            if site is None or site[0] is not expr:
                site = self._call_site(expr)
            if site[1] and len(env) == len(site[0].args) and self._steps + len(env) <= MAX_STEPS:
                # The arguments are the names of the rule's parameters, in order, and the environment holds just those
                # names: it is the callee's environment (what dict(zip(names, args)) would build; evaluation never
                # changes an environment). The arguments are read at once, one step each, as the loop below would.
                try:
                    args = list(map(env.__getitem__, site[2]))
                except KeyError:
                    pass  # a name that is no parameter here (a race, a rule without parameters): evaluated one by one
                else:
                    self._steps += len(args)
                    callee_env = env
        if callee_env is None:
            dispatch = self._dispatch
            args = []
            for node in expr.args:
                cls = type(node)
                if cls is _LITERAL:  # a leaf, evaluated here: its step counted, no call
                    self._steps += 1
                    if self._steps > MAX_STEPS:
                        raise self._too_many_steps(node)
                    value = node.value
                elif cls is _NAME and env is not self.query_facts and node.name in env:  # a parameter or fact (see _name)
                    self._steps += 1
                    if self._steps > MAX_STEPS:
                        raise self._too_many_steps(node)
                    value = env[node.name]
                else:
                    try:
                        value = dispatch[cls](node, env)
                    except RecursionError:
                        raise self._nested(node) from None
                args.append(value)
        if rule:  # what `call` tries first, without its frame
            if self.tracing or not self._own_rules:
                return self.call_rule(name, args, expr.span)
            # call_rule untraced, without its frame: check the arguments, enter the policy, evaluate the body.
            body, names, checks, passed = self._rule_plans.get(name) or self._rule_plan(name)
            if len(names) != len(args):
                self._check_args(name, names, args, expr.span)
            if callee_env is None:
                classes, callee_env = _classes_and_env(names, args)  # lengths checked above
            else:
                classes = tuple(map(type, args))
            if classes not in passed:
                self._check_params(name, checks, args, classes, passed, expr.span)
            depth = self._depth
            if depth == 0:
                self._steps = 0  # a call from outside any rule starts a new answer: a fresh step budget
            self._depth = depth = depth + 1
            if depth > MAX_CALL_DEPTH:
                self._depth = 0
                raise self.fail(f"rules call each other more than {MAX_CALL_DEPTH} levels deep", expr.span)
            previous = self._source
            self._source = ed.source
            try:
                return self._dispatch[type(body)](body, callee_env)
            except RecursionError:
                raise self._nested(body) from None
            finally:
                self._depth -= 1
                self._source = previous
        if name in ed.tables and name not in ed.schedules and self._own_tables and not self.tracing:
            # A constant row found before: one probe of the table's memo (call_table reports anything else).
            row = None
            try:
                row = ed.tables[name].memo.get(tuple(args))
            except TypeError:
                pass  # an unhashable argument: call_table looks it up without the memo
            if row is not None and type(row.value) is _LITERAL and len(row.keys) == len(args):
                return row.value.value
            return self.call_table(name, args, expr.span)
        if name in ed.schedules and self._own_schedules and not self.tracing and self._depth and len(args) == 1 and type(args[0]) is _DATE:
            # Inside a rule, untraced: the first tier that holds, and a constant tier's value with its one step counted
            # (call_schedule's own work, without its frames). Near the step or depth limit, call_schedule reports it.
            when = args[0]
            for through, value in self._schedule_tiers.get(name) or self._schedule_plan(name):
                if through is None or when <= through:
                    if value is not _NO_ROW and self._steps < MAX_STEPS and self._depth < MAX_CALL_DEPTH:
                        self._steps += 1
                        return value
                    break
            return self.call_schedule(name, args, expr.span)
        return self.call(name, args, expr.span)

    def _schedule_plan(self, name: str) -> tuple[tuple[datetime.date | None, Any], ...]:
        """A schedule's tiers prepared once: each tier's last day (None for `otherwise`) and its constant value
        (_NO_ROW when the value is no literal, for call_schedule to evaluate)."""
        tiers = tuple(
            (tier.through, tier.value.value if type(tier.value) is _LITERAL else _NO_ROW) for tier in self.edition.schedules[name].tiers
        )
        self._schedule_tiers[name] = tiers
        return tiers

    def _call_site(self, expr: ast.Call) -> _CallSite:
        """A call of a rule prepared once (issue #16): whether its arguments are the rule's parameters by name, in order
        (bare names, each once), and those names."""
        names = tuple(a.name for a in expr.args if type(a) is _NAME)
        plan = self._rule_plans.get(expr.function) or self._rule_plan(expr.function)
        site = (expr, names == plan[1] and len(names) == len(expr.args), names)
        if len(self._sites) < 4096:  # the calls of a policy; an evaluator asked many queries' own calls stops adding them
            self._sites[id(expr)] = site  # the node is held in its site, so its id cannot be given to another node
        return site

    # ---- calls
    def call(self, name: str, args: Sequence[Any], span: Span) -> Any:
        """Call a rule, schedule, table, band, plugin function or built-in by name."""
        ed = self.edition
        if name in ed.rules:
            return self.call_rule(name, args, span)
        if name in ed.schedules:
            return self.call_schedule(name, args, span)
        if name in ed.tables:
            return self.call_table(name, args, span)
        if name in ed.bands:
            return self.call_band(name, args, span)
        if name in ed.functions:
            fn = ed.functions[name]
            self._check_args(name, [p for p, _ in fn.params], args, span)
            try:
                result = fn.impl(*args)
            except PolicyError:
                raise
            except (OperatorError, ValueError, TypeError, KeyError, ArithmeticError) as exc:
                raise self.fail(f"{name}: {exc}", span) from None
            self.note("function", name, fn.doc, list(zip((p for p, _ in fn.params), args, strict=False)), result)
            return result
        if name in BUILTINS:
            low, high, _, _, impl = BUILTINS[name]
            if len(args) < low or (high is not None and len(args) > high):
                raise self.fail(f"'{name}' takes {low}{'+' if high is None else ''} argument(s), {len(args)} given", span)
            try:
                return check_range(impl(*args))
            except OperatorError as exc:
                raise self._operator_failed(exc, span, f"{name}: ") from None
            except (TypeError, AttributeError, ArithmeticError):
                kinds = ", ".join(type_name(a) for a in args)
                raise self.fail(f"{name} does not apply to {kinds}", span) from None
        raise UnknownNameError(
            f"unknown rule or function '{name}'", span, self._source, did_you_mean(name, list(ed.callables()) + list(BUILTINS))
        )

    def _check_args(self, name: str, params: Sequence[str], args: Sequence[Any], span: Span) -> None:
        if len(params) != len(args):
            raise self.fail(f"'{name}' takes {len(params)} argument(s), {len(args)} given", span, f"{name}({', '.join(params)})")

    def _enter(self, span: Span) -> Source:
        if self._depth == 0:
            # A call from outside any rule starts a new answer (a query, a batch row): a fresh step budget,
            # so an evaluator reused for many answers is not stopped by the sum of them.
            self._steps = 0
        self._depth += 1
        if self._depth > MAX_CALL_DEPTH:
            self._depth = 0
            raise self.fail(f"rules call each other more than {MAX_CALL_DEPTH} levels deep", span)
        previous = self._source
        self._source = self.edition.source
        return previous

    def _leave(self, previous: Source) -> None:
        self._depth -= 1
        self._source = previous

    def _evaluate_in_policy(self, expr: ast.Expr, span: Span) -> Any:
        """Evaluate an expression written in the policy, so its errors point into the policy's text."""
        previous = self._enter(span)
        try:
            return self.evaluate(expr, {})
        finally:
            self._leave(previous)

    def _rule_plan(self, name: str) -> _RulePlan:
        """A rule prepared for calls: its body, its parameter names, the checks of its typed parameters (position,
        name, kind), and the set of tuples of argument classes that passed them (the check depends on classes only)."""
        params = self.edition.rules[name].decl.params
        checks = tuple((i, p.name, p.type) for i, p in enumerate(params) if p.type != "any")
        plan = (self.edition.rules[name].decl.body, tuple(p.name for p in params), checks, set())
        self._rule_plans[name] = plan
        return plan

    def _check_params(
        self, name: str, checks: tuple[tuple[int, str, str], ...], args: Sequence[Any], classes: tuple[type, ...], passed: set[tuple[type, ...]],
        span: Span,
    ) -> None:
        """Each typed parameter's argument of its kind, or the error; the classes that passed are remembered."""
        for index, param_name, kind in checks:
            if type_name(args[index]) != kind:
                raise self.fail(f"argument '{param_name}' of {name} must be {kind}, not {type_name(args[index])}", span)
        if len(passed) < 64:
            passed.add(classes)

    def call_rule(self, name: str, args: Sequence[Any], span: Span) -> Any:
        body, names, checks, passed = self._rule_plans.get(name) or self._rule_plan(name)
        if len(names) != len(args):
            self._check_args(name, names, args, span)
        classes, env = _classes_and_env(names, args)  # lengths checked above
        if classes not in passed:
            self._check_params(name, checks, args, classes, passed, span)
        tracing = self.tracing
        if tracing:
            index = len(self.trace)
        # _enter, without its frame
        depth = self._depth
        if depth == 0:
            self._steps = 0  # a call from outside any rule starts a new answer: a fresh step budget
        self._depth = depth = depth + 1
        if depth > MAX_CALL_DEPTH:
            self._depth = 0
            raise self.fail(f"rules call each other more than {MAX_CALL_DEPTH} levels deep", span)
        previous = self._source
        self._source = self.edition.source
        try:
            result = self._dispatch[type(body)](body, env)
        except RecursionError:
            raise self._nested(body) from None
        finally:
            self._depth -= 1  # _leave, without its frame
            self._source = previous
        if tracing:
            decl = self.edition.rules[name].decl
            entry = TraceEntry(
                "rule", name, "", tuple((p.name, render(a)) for p, a in zip(decl.params, args, strict=True)), render(result),
                cite(self.edition.source, decl), self._depth,
            )
            self.trace.insert(index, entry)
        return result

    def call_schedule(self, name: str, args: Sequence[Any], span: Span) -> Any:
        schedule = self.edition.schedules[name]
        if len(args) != 1:
            self._check_args(name, ["date"], args, span)
        when = args[0]
        if not isinstance(when, datetime.date):
            raise self.fail(f"schedule {name} needs a date, not {type_name(when)}", span, "write a date such as 2022-05-15")
        for tier in schedule.tiers:
            if tier.through is None or when <= tier.through:
                previous = self._enter(span)
                try:
                    value = self.evaluate(tier.value, {})
                finally:
                    self._leave(previous)
                if self.tracing:  # the detail's text only when there is a trace to write it in
                    detail = "otherwise" if tier.through is None else f"through {tier.through.isoformat()}"
                    self.note("schedule", name, detail, [("date", when)], value, tier.citation)
                return value
        last = schedule.tiers[-1].through if schedule.tiers else None
        raise self.fail(
            f"schedule {name} has no tier for {when.isoformat()}", span,
            f"its last tier ends on {last.isoformat()}" if last else "the schedule has no tiers",
        )

    def call_table(self, name: str, args: Sequence[Any], span: Span) -> Any:
        table = self.edition.tables[name]
        decl = table.decl
        if len(decl.params) != len(args):
            self._check_args(name, [p.name for p in decl.params], args, span)
        key = tuple(args)
        memo = table.memo
        try:
            row = memo.get(key, _NO_ROW)
            if row is _NO_ROW:
                row = memo.setdefault(key, self._find_row(decl, args))
        except TypeError:  # an unhashable argument (a list): look it up without the memo
            row = self._find_row(decl, args)
        chosen = row if row is not None else decl.otherwise
        if chosen is None:
            shown = ", ".join(render(a) for a in args)
            raise self.fail(f"table {name} has no row for ({shown})", span, "add a row or an `otherwise ->` row")
        if isinstance(chosen.value, ast.Literal):
            value = chosen.value.value  # most rows hold a constant: nothing to enter
        else:
            previous = self._enter(span)
            try:
                value = self.evaluate(chosen.value, {})
            finally:
                self._leave(previous)
        if self.tracing:
            keys = "otherwise" if row is None else ", ".join(k.name if isinstance(k, ast.Name) else render(k.value) for k in row.keys)
            self.note("table", name, keys, list(zip((p.name for p in decl.params), args, strict=True)), value,
                      cite(self.edition.source, decl, chosen, chosen.citation))
        return value

    def _find_row(self, decl: ast.TableDecl, args: Sequence[Any]) -> ast.TableRow | None:
        """The first row whose keys all match the arguments (rows are tried top to bottom)."""
        for row in decl.rows:
            if len(row.keys) == len(args) and all(self._key_matches(k, a) for k, a in zip(row.keys, args, strict=True)):
                return row
        return None

    def _key_matches(self, key: ast.Literal | ast.Name, arg: Any) -> bool:
        if isinstance(key, ast.Name):
            if isinstance(arg, RaceValue):
                group = self.edition.groups.get(key.name)
                return arg.name == key.name or (group is not None and arg.name in group.members)
            return isinstance(arg, str) and arg == key.name
        return bool(key.value == arg)

    def call_band(self, name: str, args: Sequence[Any], span: Span) -> Any:
        band = self.edition.bands[name]
        self._check_args(name, ["value"], args, span)
        value = args[0]
        if not isinstance(value, Decimal):
            raise self.fail(f"band {name} needs a number, not {type_name(value)}", span)
        for row in band.decl.rows:
            if value >= row.low and (row.high is None or value < row.high + 1):
                result = row.label if row.value is None else self._evaluate_in_policy(row.value, span)
                self.note("band", name, row.label, [("value", value)], result, cite(self.edition.source, band.decl, row, row.citation))
                return result
        labels = ", ".join(r.label for r in band.decl.rows)
        raise self.fail(f"{render(value)} falls in no band of {name}", span, f"bands: {labels}")

    # ---- statements
    def penalty(self, infractions: Sequence[str], race: str, span: Span, facts: Mapping[str, Any] | None = None) -> Sanction:
        """The combined sanction for one or more infractions on a race (facts decide lines with `when`)."""
        ed = self.edition
        sanctions: list[Sanction] = []
        for infraction in infractions:
            found: Penalty | None = ed.penalty_for(infraction, race)
            if ed.has_conditional_penalty(infraction):
                found = self._conditional_penalty(infraction, race, span, facts or {})
            if found is None:
                raise self.fail(
                    f"the {ed.label} policy gives no penalty for {infraction} on {race}", span,
                    "the regulation leaves other breaches to the race directors",
                )
            if self.tracing:
                how = "named race" if found.rank == 0 else ("group " + found.target_label if found.rank == 1 else "all races")
                when = f" when {_source_text(ed.source, found.condition.span)}" if found.condition is not None else ""
                self.note("penalty", infraction, f"on {found.target_label} ({how}){when}", [("race", race)], found.sanction, found.citation)
            sanctions.append(found.sanction)
        if len(sanctions) == 1:
            return sanctions[0]  # a lone sanction is its own combination: no plugin call
        combine = ed.combine or combine_sanctions
        return combine(sanctions)

    def _conditional_penalty(self, infraction: str, race: str, span: Span, facts: Mapping[str, Any]) -> Penalty | None:
        """The first statement, most specific first, whose `when` holds for these facts."""
        env = dict(facts)
        env.setdefault("race", self.race_value(race))
        query_source = self._source
        candidates = list(self.edition.penalty_candidates(infraction, race))
        for index, candidate in enumerate(candidates):
            if candidate.condition is None:
                return candidate
            previous = self._enter(span)
            # Of an error of the condition only the message is used (below): its hint, a search among every name
            # of the edition for a missing fact, is not computed (it was two thirds of an interpreted penalty chart).
            hints, self._hints = self._hints, False
            try:
                holds = self.evaluate(candidate.condition, env)
            except EvaluationError as exc:
                condition = _source_text(self.edition.source, candidate.condition.span)
                if not facts and any(c.condition is None for c in candidates[index + 1:]):
                    # Asked without any facts ("the penalty for a non-conforming bib"): the chart's line answers, and the
                    # answer says which exception it did not check.
                    self.unchecked_conditions.append(f"{infraction}: {candidate.sanction} when {condition}, not checked: no facts given")
                    continue
                # Reported against the query: it is the query that lacks the facts the line reads.
                raise EvaluationError(
                    f"{exc.message}: the penalty for {infraction} on {race} applies only when {condition}", span, query_source,
                    f"give the facts it reads, e.g. given runner = {{...}} (line {candidate.decl.span.line})",
                ) from None
            finally:
                self._leave(previous)
                self._hints = hints
            if not isinstance(holds, bool):
                raise self.fail(f"the 'when' of the penalty for {infraction} gives {type_name(holds)}, not yes or no", span)
            if holds:
                return candidate
        return None

    def eligible(self, race: str, facts: Mapping[str, Any], span: Span) -> bool:
        decl = self.edition.races[race].decl
        env = dict(facts)
        env.setdefault("race", self.race_value(race))
        for rule in decl.eligibility:
            previous = self._enter(span)
            try:
                ok = self.evaluate(rule.condition, env)
            except EvaluationError as exc:
                self._leave(previous)
                raise EvaluationError(exc.message, span, self._source, exc.hint) from None
            self._leave(previous)
            self.note("eligibility", race, _source_text(self.edition.source, rule.condition.span), result=ok,
                      citation=cite(self.edition.source, decl, rule, rule.citation))
            if not ok:
                return False
        return True


def missing_fact_hint(name: str, given: Sequence[str]) -> str:
    """The hint for a fact a rule needs but the query did not give (shared by both runners)."""
    # did_you_mean names the given fact close to the one needed; say it that way round.
    close = did_you_mean(name, given).removeprefix("did you mean ").removesuffix("?")
    return f"{close} was given: did you mean '{name}'?" if close else f"known facts: {', '.join(given) or 'none'}"


def _source_text(source: Source, span: Span) -> str:
    if span.line != span.end_line:
        return source.line(span.line)[span.column - 1:].strip() + " …"
    return source.line(span.line)[span.column - 1: span.end_column - 1]
