"""Python code generated from a rule's checked AST: one function per rule body, for the common case only.

The generated function handles the fast path of the nodes it knows: proven
kinds, races' attributes, records' fields, memoised table rows, schedules of
constant tiers. Whenever a value is not what the fast path expects (a kind the
checker could not prove, an error to report, a Decimal signal), it gives up and
the interpreter evaluates the whole body again, untraced (`compiled.py`). A node
class it does not know (a construct added to the language since) is not a reason
to give up: that node is handed to the interpreter as it stands, with the rule's
parameters. Evaluation is pure, so running a body twice cannot change an answer.

No user text is ever part of the generated source: parameters become `p0, p1,
...`, temporaries `_t0, _t1, ...`, and every literal, name, span and helper is
passed in the function's namespace under a generated identifier.
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from racepolicy.evaluation.operators import ARITHMETIC, COMPARISONS, ORDERED, OperatorError, apply
from racepolicy.evaluation.values import CENT, Duration, GroupValue, Length, Money, Percent, RaceValue, Record, Sanction
from racepolicy.language import ast

if TYPE_CHECKING:
    from racepolicy.evaluation.compiled import CompiledEdition

# A generated body: takes the argument tuple of a rule and returns its value.
Code = Callable[[Any], Any]

# Python's own spelling of the operators the fast path emits (never taken from the source text).
_PY_OPERATORS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "+": "+", "-": "-", "*": "*"}
_NATIVE_ORDER = ("number", "date", "text")
_ORDER_FIELD = {"duration": "minutes", "length": "metres", "percent": "value"}
MAX_SOURCE = 200_000  # characters; a body beyond this is left to the interpreter

# Exact Python classes of each kind: a `type(x) in ...` test is the fast path; anything else
# (a subclass such as bool for int, datetime for date) makes the fast path give up.
EXACT: dict[str, frozenset[type]] = {
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
FAST_ARITHMETIC: dict[tuple[str, str, str], Callable[[Any, Any], Any]] = {
    ("+", "number", "number"): operator.add,
    ("-", "number", "number"): operator.sub,
    ("*", "number", "number"): operator.mul,
    ("*", "money", "percent"): _money_times_percent,
    ("*", "percent", "money"): _percent_times_money,
    ("*", "money", "number"): _money_times_number,
    ("+", "money", "money"): _money_plus_money,
}


class Bail(Exception):
    """The fast path met a value it does not handle: the interpreter evaluates the body instead."""


# What makes the generated body give up: its own signal, and anything the slow path reports properly.
BAIL = (Bail, TypeError, AttributeError, ArithmeticError, OperatorError, KeyError, IndexError, ValueError)


def _bail(*_: Any) -> Any:
    raise Bail


def _record_field(value: Any, name: str) -> Any:
    if type(value) is Record:
        return value.get(name)  # KeyError: the slow path names the missing fact
    raise Bail


def _name_or_title(value: Any, name: str) -> Any:
    if type(value) is RaceValue:
        return value.name if name == "name" else value.title
    return _record_field(value, name)


class RuleGenerator:
    """Generates the source of one rule body and builds the function."""

    def __init__(self, unit: CompiledEdition, decl: ast.RuleDecl, slow: Code) -> None:
        self.unit = unit
        self.decl = decl
        self.scope = {p.name: p.type for p in decl.params}
        self.params = {p.name: f"p{i}" for i, p in enumerate(decl.params)}
        self.namespace: dict[str, Any] = {
            "_Bail": Bail, "_BAIL": BAIL, "_bail": _bail, "_slow": slow, "_Race": RaceValue, "_Record": Record, "_Money": Money,
            "_Decimal": Decimal, "_record_field": _record_field, "_name_or_title": _name_or_title, "_UNSET": _UNSET, "_src": unit.source,
            "_interpret": unit.interpret,
        }
        self.counter = 0
        self.source = ""

    def constant(self, value: Any) -> str:
        name = f"_k{self.counter}"
        self.counter += 1
        self.namespace[name] = value
        return name

    def temp(self) -> str:
        name = f"_t{self.counter}"
        self.counter += 1
        return name

    def build(
        self, check: Callable[[Any], None], deep: Callable[[], Exception],
    ) -> tuple[Code, Callable[..., Any], Callable[..., Any]] | None:
        """The generated body (takes the argument tuple) and the rule as a plain function (checks its arguments),
        or None when the body is too large to generate."""
        try:
            expr = self.code(self.decl.body)
        except RecursionError:  # nested too deeply to generate: the interpreter keeps the body
            return None
        names = ", ".join(self.params.values())
        unpack = f"{names}{',' if len(self.params) == 1 else ''} = env" if self.params else "pass"
        guards = []
        for i, param in enumerate(self.decl.params):
            if param.type != "any":
                classes = EXACT.get(param.type, frozenset())
                if len(classes) == 1:
                    guards.append(f"(type(p{i}) is not {self.constant(next(iter(classes)))})")
                else:
                    guards.append(f"(type(p{i}) not in {self.constant(classes)})")
        guard = f"    if {' or '.join(guards)}:\n        _check(env)\n" if guards else ""
        # _fast: what another generated body calls. Arguments of an unexpected class make the caller
        # give up (so its exact path reports the error at the call site); the callee's own bail-outs
        # still end in its exact path.
        fast_guard = f"    if {' or '.join(guards)}:\n        raise _Bail\n" if guards else ""
        source = (
            f"def _body(env):\n    try:\n        {unpack}\n        return {expr}\n    except _BAIL:\n        return _slow(env)\n\n"
            f"def _direct(*env):\n    if len(env) != {len(self.params)}:\n        _check(env)\n    {unpack}\n{guard}"
            f"    try:\n        return {expr}\n    except _BAIL:\n        return _slow(env)\n"
            f"    except RecursionError:\n        raise _deep() from None\n\n"
            f"def _fast(*env):\n    {unpack}\n{fast_guard}"
            f"    try:\n        return {expr}\n    except _BAIL:\n        return _slow(env)\n"
        )
        self.source = source
        if len(source) > MAX_SOURCE:
            return None
        self.namespace["_check"], self.namespace["_deep"] = check, deep
        try:
            exec(compile(source, "<racepolicy rule>", "exec"), self.namespace)
        except (SyntaxError, RecursionError, MemoryError):  # nested too deeply for Python's compiler
            return None
        return self.namespace["_body"], self.namespace["_direct"], self.namespace["_fast"]

    def kind(self, expr: ast.Expr) -> str:
        return self.unit.kind_of(expr, self.scope)

    # ---- nodes
    def code(self, expr: ast.Expr) -> str:
        method: Callable[[Any], str] | None = getattr(self, "_" + type(expr).__name__, None)
        if method is None:
            return self.interpreted(expr)
        return method(expr)

    def interpreted(self, expr: ast.Expr) -> str:
        """A node this generator does not handle, evaluated by the interpreter with the rule's parameters."""
        names = self.constant(tuple(self.params))
        values = "(" + "".join(f"{p}, " for p in self.params.values()) + ")"
        return f"_interpret({self.constant(expr)}, dict(zip({names}, {values})))"

    def _Literal(self, expr: ast.Literal) -> str:
        return self.constant(expr.value)

    def _MonthDay(self, expr: ast.MonthDay) -> str:
        try:
            return self.constant(datetime.date(self.unit.edition.year, expr.month, expr.day))
        except ValueError:
            return "_bail()"

    def _Name(self, expr: ast.Name) -> str:
        name = expr.name
        unit, ed = self.unit, self.unit.edition
        if name in self.params:
            return self.params[name]
        if name in ed.races:
            return self.constant(unit.race_values[name])
        if name in ed.groups:
            return self.constant(unit.group_values[name])
        if name == "year":
            return self.constant(unit.year)
        if name in ed.rules and not ed.rules[name].decl.params:
            return f"{self.constant(unit.invoker(name))}((), {self.constant(expr.span)}, _src)"
        return self.interpreted(expr)  # a name of a kind added since, or unknown: the interpreter says which

    def _Field(self, expr: ast.Field) -> str:
        subject, t, key = self.code(expr.subject), self.temp(), self.constant(expr.name)
        if expr.name in ("name", "title"):
            return f"_name_or_title({subject}, {key})"
        return f"({t}.attributes[{key}] if type({t} := {subject}) is _Race else _record_field({t}, {key}))"

    def _Unary(self, expr: ast.Unary) -> str:
        operand, t = self.code(expr.operand), self.temp()
        if expr.op == "not":
            return f"(False if ({t} := {operand}) is True else (True if {t} is False else _bail()))"
        return f"(-{t} if type({t} := {operand}) is _Decimal else _bail())"

    def _Binary(self, expr: ast.Binary) -> str:
        op = expr.op
        left, right = self.code(expr.left), self.code(expr.right)
        a, b = self.temp(), self.temp()
        if op in ("and", "or"):
            if _certainly_bool(expr.left) and _certainly_bool(expr.right):
                return f"({left} {op} {right})"  # both sides give True or False (or bail): Python's own and/or
            short = "True" if op == "or" else "False"
            other = "False" if op == "or" else "True"
            check_right = f"({b} if ({b} := {right}) is True or {b} is False else _bail())"
            return f"({a} if ({a} := {left}) is {short} else ({check_right} if {a} is {other} else _bail()))"
        if op in ("==", "!="):
            test = f"{a} == {b}" if op == "==" else f"{a} != {b}"
            return f"({test} if type({a} := {left}) is type({b} := {right}) else _bail())"
        if op in ("in", "notin"):
            if isinstance(expr.right, ast.ListExpr) and all(isinstance(i, ast.Literal) for i in expr.right.items):
                # A literal list is a constant tuple, and membership in a tuple is Python's own `in`.
                return f"({left} {'in' if op == 'in' else 'not in'} {right})"
            generic = self.constant(lambda x, y, op=op: apply(op, x, y))
            return f"{generic}({left}, {right})"
        lk, rk = self.kind(expr.left), self.kind(expr.right)
        if op in COMPARISONS and lk == rk and lk in ORDERED:
            py = _PY_OPERATORS[op]
            if lk in _NATIVE_ORDER:
                exact = self.constant(frozenset({Decimal, int}) if lk == "number" else frozenset({datetime.date} if lk == "date" else {str}))
                return self._guarded(f"{{}} {py} {{}}", (expr.left, left, a, lk), (expr.right, right, b, rk), exact=exact)
            if lk == "money":
                return (f"({a}.amount {py} {b}.amount if (type({a} := {left}) is _Money) & (type({b} := {right}) is _Money) "
                        f"and {a}.currency == {b}.currency else _bail())")
            get = self.constant(operator.attrgetter(_ORDER_FIELD[lk]))
            cls = self.constant(_class_of(lk))
            return f"({get}({a}) {py} {get}({b}) if (type({a} := {left}) is {cls}) & (type({b} := {right}) is {cls}) else _bail())"
        found = ARITHMETIC.get((op, lk, rk))
        if found is None:
            generic = self.constant(lambda x, y, op=op: apply(op, x, y))
            return f"{generic}({left}, {right})"
        if lk == rk == "number" and op in ("+", "-", "*"):
            exact = self.constant(frozenset({Decimal, int}))
            return self._guarded(f"{{}} {_PY_OPERATORS[op]} {{}}", (expr.left, left, a, lk), (expr.right, right, b, rk), exact=exact)
        impl = self.constant(FAST_ARITHMETIC.get((op, lk, rk), found[1]))
        lcls, rcls = self.constant(_classes_of(lk)), self.constant(_classes_of(rk))
        return f"({impl}({a}, {b}) if (type({a} := {left}) in {lcls}) & (type({b} := {right}) in {rcls}) else _bail())"

    def _guarded(self, template: str, *operands: tuple[ast.Expr, str, str, str], exact: str) -> str:
        """`template` applied to operands whose Python class is checked, except parameters of that very kind:
        their arguments were checked on entry (a subclass that slips through makes Python raise, and the
        body is run again by the interpreter)."""
        refs, conditions = [], []
        for node, code, temp, kind in operands:
            if isinstance(node, ast.Name) and node.name in self.params and self.scope[node.name] == kind:
                refs.append(self.params[node.name])
            elif isinstance(node, ast.Literal) and type(node.value) in EXACT.get(kind, ()):
                refs.append(code)  # a constant of the right class: its check is settled here, once
            else:
                refs.append(temp)
                conditions.append(f"(type({temp} := {code}) in {exact})")
        result = template.format(*refs)
        if not conditions:
            return f"({result})"
        return f"({result} if {' & '.join(conditions)} else _bail())"

    def _IfExpr(self, expr: ast.IfExpr) -> str:
        condition, then, otherwise, t = self.code(expr.condition), self.code(expr.then), self.code(expr.otherwise), self.temp()
        if _certainly_bool(expr.condition):
            return f"({then} if {condition} else {otherwise})"
        return f"({then} if ({t} := {condition}) is True else ({otherwise} if {t} is False else _bail()))"

    def _ListExpr(self, expr: ast.ListExpr) -> str:
        if all(isinstance(i, ast.Literal) for i in expr.items):
            return self.constant(tuple(i.value for i in expr.items))  # type: ignore[attr-defined]
        items = [self.code(i) for i in expr.items]
        return "(" + "".join(f"{i}, " for i in items) + ")"

    def _RecordExpr(self, expr: ast.RecordExpr) -> str:
        items = ", ".join(f"{self.constant(k)}: {self.code(v)}" for k, v in expr.items)
        return f"_Record.of({{{items}}})"

    def _Call(self, expr: ast.Call) -> str:
        unit, name = self.unit, expr.function
        args = [self.code(a) for a in expr.args]
        if name in unit.edition.rules and len(args) == len(unit.edition.rules[name].decl.params):
            fast = unit.fast(name)
            if fast is not None:
                # Straight into the other rule's generated code: no argument tuple, no entry checks
                # beyond its own class guards (a mismatch bails out here, to the exact path).
                return f"{self.constant(fast)}({', '.join(args)})"
        packed = "(" + "".join(f"{a}, " for a in args) + ")"
        lookup = self._schedule_lookup(name)
        if lookup is not None and len(args) == 1:
            return f"{self.constant(lookup)}({args[0]})"
        invoke, span = self.constant(unit.invoker(name)), self.constant(expr.span)
        memo = unit.table_memos.get(name)
        if memo is not None and len(args) == len(unit.edition.tables[name].decl.params):
            # A table row already found for these arguments is read from the memo, inline.
            found, key = self.temp(), self.temp()
            lookup = self.constant(memo.get)
            return f"({found} if ({found} := {lookup}({key} := {packed}, _UNSET)) is not _UNSET else {invoke}({key}, {span}, _src))"
        return f"{invoke}({packed}, {span}, _src)"

    def _schedule_lookup(self, name: str) -> Callable[[Any], Any] | None:
        """A schedule whose tiers are all constants, as a lookup that gives up on anything but a date."""
        ed = self.unit.edition
        if name not in ed.schedules or name in ed.rules:
            return None
        tiers = ed.schedules[name].tiers
        if not all(isinstance(t.value, ast.Literal) for t in tiers):
            return None
        pairs = tuple((t.through, t.value.value) for t in tiers)  # type: ignore[attr-defined]

        def lookup(when: Any) -> Any:
            if type(when) is datetime.date:
                for through, value in pairs:
                    if through is None or when <= through:
                        return value
            raise Bail  # not a date, or after the last tier: the interpreter reports it

        return lookup


_UNSET = object()


def _certainly_bool(expr: ast.Expr) -> bool:
    """Whether the generated code of an expression gives True or False whenever it does not give up."""
    if isinstance(expr, ast.Binary):
        if expr.op in ("and", "or"):
            return True  # checked or certain on both sides
        return expr.op in COMPARISONS or expr.op in ("in", "notin")
    if isinstance(expr, ast.Unary):
        return expr.op == "not"
    if isinstance(expr, ast.Literal):
        return isinstance(expr.value, bool)
    return False


def _classes_of(kind: str) -> frozenset[type]:
    return EXACT.get(kind, frozenset())


def _class_of(kind: str) -> type:
    return next(iter(_classes_of(kind)))


def generate_rule(
    unit: CompiledEdition, decl: ast.RuleDecl, slow: Code, check: Callable[[Any], None], deep: Callable[[], Exception],
) -> tuple[Code, Callable[..., Any], Callable[..., Any]] | None:
    """A generated body for a rule, the rule as a function, and its entry for other generated bodies;
    each falls back to `slow` (the interpreter) when the fast path gives up."""
    return RuleGenerator(unit, decl, slow).build(check, deep)
