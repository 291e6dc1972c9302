"""The compiled runner: an edition's rule bodies as generated Python (codegen.py), the interpreter as the exact fallback.

There are two evaluators, no more. The interpreter (`interpreter.py`) is the
reference and the only source of traces. Generated Python is the fast path for
rule bodies; whenever it gives up (a kind the checker could not prove, an error
to report, a Decimal signal) the interpreter evaluates that body again, untraced,
and every node class the code generator does not know is handed to the
interpreter as it stands. So a construct added to the interpreter is right under
the compiled runner at once, and every error message has one author.

The compiled form of an edition is kept on the edition itself (`Edition.compiled`),
so it lives exactly as long as the edition: no process-wide cache holds it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from racepolicy.evaluation.builtins import BUILTINS
from racepolicy.evaluation.interpreter import MAX_CALL_DEPTH, MAX_STEPS, Evaluator
from racepolicy.evaluation.model import Edition, Penalty
from racepolicy.evaluation.operators import OperatorError, check_range
from racepolicy.evaluation.values import GroupValue, RaceValue, Sanction, combine_sanctions, type_name
from racepolicy.language import ast
from racepolicy.language.errors import EvaluationError
from racepolicy.language.source import Source, Span

# A compiled callable: (arguments, call span, caller's source) -> value.
Invoke = Callable[[Sequence[Any], Span, Source], Any]

_UNSET = object()
MEMO_LIMIT = 4096  # entries per table memo: keeps memory flat on unbounded inputs


def _too_deep(span: Span, source: Source) -> EvaluationError:
    return EvaluationError(f"rules call each other more than {MAX_CALL_DEPTH} levels deep", span, source)


class CompiledEdition:
    """One edition's rules as generated functions, its penalty chart as a dict, table rows remembered; built lazily."""

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
        self._slow: dict[str, Callable[[Sequence[Any]], Any]] = {}  # rule name -> its body by the interpreter (argument tuple)
        self._steps_bound: dict[str, int] = {}
        self._prepare: dict[str, Callable[[], None]] = {}
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

    # ---- the interpreter, as fallback
    def interpreter(self, source: Source | None = None) -> CompiledEvaluator:
        """An untraced interpreter whose calls to other rules still go to their generated code."""
        return CompiledEvaluator(self.edition, source, unit=self)

    def interpret_rule(self, name: str, args: Sequence[Any], span: Span, source: Source) -> Any:
        """A rule's body evaluated by the interpreter (its own argument checks and error messages included)."""
        evaluator = self.interpreter(source)
        return Evaluator.call_rule(evaluator, name, args, span)  # the interpreter's own, not the compiled override

    def interpret(self, expr: ast.Expr, env: Mapping[str, Any]) -> Any:
        """One expression of a rule body that generated code does not handle, evaluated by the interpreter."""
        evaluator = self.interpreter()
        previous = evaluator._enter(expr.span)  # inside a rule: errors point into the policy, the depth counts
        try:
            return evaluator.evaluate(expr, env)
        finally:
            evaluator._leave(previous)

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
        if name in self._prepare:
            self._prepare[name]()
            return self._direct[name]
        span = self.edition.rules[name].decl.span
        source = self.source
        return lambda *args: invoke(args, span, source)

    def entry(
        self, name: str, accepts: list[list[tuple[type, str]]], general: Callable[..., Any], plain: Callable[[Any], Any],
    ) -> Callable[..., Any] | None:
        """A rule as one generated function of plain arguments (the embedder API's call, `codegen.generate_entry`):
        the arguments of the classes `accepts` lists converted inline, the body and the rules it calls inline,
        `general` for every other call; None for a rule without generated code (too large, or past the step budget)."""
        if self.fast(name) is None:
            return None
        from racepolicy.evaluation.codegen import generate_entry

        rule = self.edition.rules[name]
        span, source = rule.decl.span, self.source
        return generate_entry(self, rule.decl, rule.kind, self._slow[name], lambda: _too_deep(span, source), accepts, general, plain)

    def invoker(self, name: str) -> Invoke:
        """The compiled form of anything callable by name: generated code for rules, the interpreter for the rest."""
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
            if penalty is None:  # the interpreter says why, in its words
                return Evaluator.penalty(self.interpreter(source), infractions, race, span)
            sanctions.append(penalty.sanction)
        return (self.edition.combine or combine_sanctions)(sanctions)

    def kind_of(self, expr: ast.Expr, scope: Mapping[str, str]) -> str:
        """The kind the checker proves for an expression (or 'any')."""
        if self._kind_checker is None:
            from racepolicy.language.checker import Checker

            checker = Checker(self.edition.policy, self.source, None)
            checker.ed = self.edition
            checker._rule_kinds = {name: rule.kind for name, rule in self.edition.rules.items()}
            self._kind_checker = checker
        checker = self._kind_checker
        try:
            kind: str = checker.infer(expr, dict(scope))
        except Exception:  # a node the checker cannot type here: prove nothing, the fast path then checks every value
            kind = "any"
        checker.errors.clear()
        return kind

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

    # ---- callables
    def _build_invoker(self, name: str) -> Invoke:
        ed = self.edition
        if name in ed.rules:
            return self._rule_invoker(name)
        if name in ed.tables:
            return self._table_invoker(name)
        if name in ed.functions:
            return self._function_invoker(name)
        if name in BUILTINS and name not in ed.callables():
            return self._builtin_invoker(name)

        # Schedules, bands, and whatever else the interpreter can call: the interpreter does it.
        def interpreted(args: Sequence[Any], span: Span, source: Source) -> Any:
            return self.interpreter(source).call(name, args, span)

        return interpreted

    def _rule_invoker(self, name: str) -> Invoke:
        decl = self.edition.rules[name].decl
        if self.steps_bound(name) > MAX_STEPS:
            # A rule that may fan out past the interpreter's step budget (each level using the next
            # several times) is left to the interpreter alone, which stops it with a clear error.
            edition = self.edition

            def budgeted(args: Sequence[Any], span: Span, source: Source) -> Any:
                return Evaluator(edition, source, tracing=False).call_rule(name, args, span)

            return budgeted
        from racepolicy.evaluation.codegen import EXACT

        params = decl.params
        count = len(params)
        checks = [(i, p.type, EXACT.get(p.type, frozenset())) for i, p in enumerate(params) if p.type != "any"]
        own_span, own_source = decl.span, self.source

        def slow(args: Sequence[Any]) -> Any:
            return self.interpret_rule(name, args, own_span, own_source)

        def first_call(args: Sequence[Any]) -> Any:
            prepare()
            return body[0](args)

        def prepare() -> None:
            # Generated on first use, so rules that call each other need no ordering.
            if body[0] is not first_call:
                return
            body[0] = slow
            self._slow[name] = slow
            from racepolicy.evaluation.codegen import generate_rule

            generated = generate_rule(self, decl, slow, check, lambda: _too_deep(own_span, own_source))
            if generated is not None:
                body[0], self._direct[name], self._fast[name] = generated

        def check(args: Sequence[Any]) -> None:
            if not fits(args):
                self.interpret_rule(name, args, own_span, own_source)  # raises the interpreter's error for these arguments

        body: list[Callable[[Sequence[Any]], Any]] = [first_call]
        # Whether arguments fit depends on their Python types alone: remember the type tuples that passed.
        passed: set[tuple[type, ...]] = set()

        def fits(args: Sequence[Any]) -> bool:
            signature = tuple(map(type, args))
            if signature in passed:
                return True
            if len(args) != count or any(type(args[i]) not in exact and type_name(args[i]) != ptype for i, ptype, exact in checks):
                return False
            if len(passed) < 64:
                passed.add(signature)
            return True

        def invoke(args: Sequence[Any], span: Span, source: Source) -> Any:
            if not fits(args):
                return self.interpret_rule(name, args, span, source)  # reports the bad argument at the call
            try:
                return body[0](args)
            except RecursionError:
                raise _too_deep(span, source) from None

        def direct(*args: Any) -> Any:
            # The same as invoke() without the call-site arguments: what batch runs and embedders call.
            if tuple(map(type, args)) not in passed and not fits(args):  # the usual case inline: no call to fits()
                return self.interpret_rule(name, args, own_span, own_source)
            try:
                return body[0](args)
            except RecursionError:
                raise _too_deep(own_span, own_source) from None

        self._direct[name] = direct
        self._prepare[name] = prepare
        return invoke

    def _table_invoker(self, name: str) -> Invoke:
        # Rows match arguments by equality alone and hold constants, so the value found for a tuple of
        # arguments can be kept; the interpreter finds it (and reports a missing row) the first time.
        memo: dict[Any, Any] = {}
        self.table_memos[name] = memo

        def invoke(args: Sequence[Any], span: Span, source: Source) -> Any:
            try:
                found = memo.get(args, _UNSET)
                hashable = True
            except TypeError:  # an unhashable argument (a list): no memo
                found, hashable = _UNSET, False
            if found is not _UNSET:
                return found
            value = Evaluator.call_table(self.interpreter(source), name, args, span)
            if hashable and type(args) is tuple and len(memo) < MEMO_LIMIT:
                memo[args] = value
            return value

        return invoke

    def _function_invoker(self, name: str) -> Invoke:
        fn = self.edition.functions[name]
        count, impl = len(fn.params), fn.impl

        def invoke(args: Sequence[Any], span: Span, source: Source) -> Any:
            if len(args) == count:
                try:
                    return impl(*args)
                except (OperatorError, ValueError, TypeError, KeyError, ArithmeticError):
                    pass  # the interpreter words the error
            return self.interpreter(source).call(name, args, span)

        return invoke

    def _builtin_invoker(self, name: str) -> Invoke:
        low, high, _, _, impl = BUILTINS[name]

        def invoke(args: Sequence[Any], span: Span, source: Source) -> Any:
            if low <= len(args) and (high is None or len(args) <= high):
                try:
                    return check_range(impl(*args))
                except (OperatorError, TypeError, AttributeError, ArithmeticError):
                    pass  # the interpreter words the error
            return self.interpreter(source).call(name, args, span)

        return invoke


def compile_edition(edition: Edition) -> CompiledEdition:
    """The compiled form of an edition, built once and kept on the edition (so it is freed with it)."""
    unit = edition.compiled
    if unit is None:
        unit = edition.compiled = CompiledEdition(edition)
    return unit


def compile_all(editions: Iterable[Edition]) -> None:
    """Generate the code of every rule of every edition now (W4 measures this; otherwise it happens on first use)."""
    for edition in editions:
        unit = compile_edition(edition)
        for name in edition.rules:
            unit.rule(name)
        for name in edition.callables() - set(edition.rules):
            unit.invoker(name)


class CompiledEvaluator(Evaluator):
    """The interpreter, untraced, with rule calls, table lookups and penalties served by the compiled edition.

    Query expressions, eligibility conditions and plugin query forms are evaluated by the
    interpreter's own code; whatever rule they call runs as generated Python.
    """

    def __init__(self, edition: Edition, query_source: Source | None = None, tracing: bool = False, unit: CompiledEdition | None = None) -> None:
        super().__init__(edition, query_source, tracing=False)
        self.unit = unit or compile_edition(edition)

    def call_rule(self, name: str, args: Sequence[Any], span: Span) -> Any:
        return self.unit.invoker(name)(args, span, self._source)

    def call_table(self, name: str, args: Sequence[Any], span: Span) -> Any:
        return self.unit.invoker(name)(tuple(args), span, self._source)

    def race_value(self, name: str) -> RaceValue:
        return self.unit.race_values[name]

    def penalty(self, infractions: Sequence[str], race: str, span: Span, facts: Mapping[str, Any] | None = None) -> Sanction:
        if any(self.edition.has_conditional_penalty(i) for i in infractions):
            # A line with `when` depends on the facts: the precomputed chart cannot answer it, the interpreter does.
            return Evaluator.penalty(self, infractions, race, span, facts)
        return self.unit.penalty(infractions, race, span, self._source)
