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

import builtins
import datetime
import functools
import itertools
import keyword
import operator
import re
import sys
import types
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, Inexact, localcontext
from typing import TYPE_CHECKING, Any

from racepolicy.evaluation.operators import ARITHMETIC, COMPARISONS, MAX_MAGNITUDE, ORDERED, OperatorError, apply, check_range
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
INLINE_DEPTH = 4  # rules inlined into rules inlined into ...: at most this deep
INLINE_NODES = 60  # a callee of more nodes than this is called, not inlined

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


# Dividing by a Decimal 100 gives the very Decimal that dividing by the int 100 gives (the int is converted first),
# without converting it on every call (issue #16: the refund's percent divided by 100 on each call).
_HUNDRED = Decimal(100)


# The interpreter's limit on a result (operators.check_range): beyond it the generated code gives up, and the
# interpreter reports the number as too large. Written as `-_MAX < x < _MAX`, false for an infinity or a NaN too.
_MAX = MAX_MAGNITUDE


def _money(amount: Decimal, currency: str) -> Money:
    if -_MAX < amount < _MAX:
        return Money(amount, currency)
    raise Bail


def _money_times_percent(a: Money, b: Percent) -> Money:
    return _money((a.amount * (b.value / _HUNDRED)).quantize(CENT, rounding=ROUND_HALF_UP), a.currency)


def _percent_times_money(a: Percent, b: Money) -> Money:
    return _money(((a.value / _HUNDRED) * b.amount).quantize(CENT, rounding=ROUND_HALF_UP), b.currency)


def _money_times_number(a: Money, b: Decimal) -> Money:
    return _money((a.amount * b).quantize(CENT, rounding=ROUND_HALF_UP), a.currency)


def _money_plus_money(a: Money, b: Money) -> Money:
    if a.currency != b.currency:
        raise OperatorError(f"cannot combine {a.currency} with {b.currency}")
    return _money((a.amount + b.amount).quantize(CENT, rounding=ROUND_HALF_UP), a.currency)


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


_PARAMETER = re.compile(r"p[0-9]+")


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

    def __init__(
        self, unit: CompiledEdition, decl: ast.RuleDecl, slow: Code, parent: RuleGenerator | None = None, params: dict[str, str] | None = None,
    ) -> None:
        self.unit = unit
        self.decl = decl
        self.scope = {p.name: p.type for p in decl.params}
        # Parameter name -> the code that holds its value: `p0, p1, ...` in a rule's own body; in a body
        # inlined into a caller (`parent`), the caller's parameters, temporaries or constants.
        self.params = params if params is not None else {p.name: f"p{i}" for i, p in enumerate(decl.params)}
        self.root: RuleGenerator = parent.root if parent is not None else self  # holds the namespace and the counter
        self.depth = parent.depth + 1 if parent is not None else 0
        self.namespace: dict[str, Any] = self.root.namespace if parent is not None else {
            "_Bail": Bail, "_BAIL": BAIL, "_bail": _bail, "_slow": slow, "_Race": RaceValue, "_Record": Record, "_Money": Money,
            "_Decimal": Decimal, "_record_field": _record_field, "_name_or_title": _name_or_title, "_UNSET": _UNSET, "_src": unit.source,
            "_interpret": unit.interpret, "_MAX": _MAX, "_Percent": Percent, "_HUNDRED": _HUNDRED, "_CENT": CENT, "_HALF_UP": ROUND_HALF_UP,
        }
        self.counter = 0
        self.source = ""
        self.order_alias = False  # set by generate_entry: number parameters in order comparisons read as q<i>
        # Set by generate_entry: lookups keyed by the entry's own arguments are hoisted (`hoist`). Each maps its code,
        # written on the plain arguments `a<i>`, to the local that holds it and the arguments it validates.
        self.hoisting = False
        self.text_args: frozenset[int] = frozenset()  # entry parameters whose argument is the text itself
        self.race_args: frozenset[int] = frozenset()  # entry parameters whose argument is a race's name
        self.hoists: dict[str, tuple[str, tuple[int, ...]]] = {}
        self.tables: dict[tuple[str, str], str] = {}  # (what, name) -> the constant holding a lookup dict, made once
        self.bounds: dict[str, Decimal] = {}  # code -> the largest magnitude it can give, where known now (constants)
        self.nonnegative: set[str] = set()  # codes that give no negative number (each of their constants is >= 0)

    def constant(self, value: Any) -> str:
        root = self.root
        name = f"_k{root.counter}"
        root.counter += 1
        root.namespace[name] = _interned(value)
        return name

    def temp(self) -> str:
        root = self.root
        name = f"_t{root.counter}"
        root.counter += 1
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
        hoisted = self._race_attribute(expr, amount=False)
        if hoisted is not None:
            return hoisted
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
            if self.certainly_bool(expr.left) and self.certainly_bool(expr.right):
                return f"({left} {op} {right})"  # both sides give True or False (or bail): Python's own and/or
            short = "True" if op == "or" else "False"
            other = "False" if op == "or" else "True"
            check_right = f"({b} if ({b} := {right}) is True or {b} is False else _bail())"
            return f"({a} if ({a} := {left}) is {short} else ({check_right} if {a} is {other} else _bail()))"
        if op in ("==", "!="):
            test = f"{a} == {b}" if op == "==" else f"{a} != {b}"
            if isinstance(expr.right, ast.Literal) or isinstance(expr.left, ast.Literal):
                # A literal's class is known now: one type test at run time, on the other side (issue #16).
                if isinstance(expr.right, ast.Literal):
                    value, code, literal, other = expr.right.value, left, self.constant(expr.right.value), expr.left
                    sides = (a, literal)
                else:
                    value, code, literal, other = expr.left.value, right, self.constant(expr.left.value), expr.right  # type: ignore[attr-defined]
                    sides = (literal, a)
                compare = f" {'==' if op == '==' else '!='} ".join(sides)
                if self.known_classes(other) == {type(value)}:
                    return f"({code} {'==' if op == '==' else '!='} {literal})" if sides[0] == a else f"({literal} {op} {code})"
                return f"({compare} if type({a} := {code}) is {self.constant(type(value))} else _bail())"
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
                return self._guarded(f"{{}} {py} {{}}", (expr.left, left, a, lk), (expr.right, right, b, rk), exact=exact, order=True)
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
            return self.in_range(self._guarded(f"{{}} {_PY_OPERATORS[op]} {{}}", (expr.left, left, a, lk), (expr.right, right, b, rk), exact=exact))
        impl = self.constant(FAST_ARITHMETIC.get((op, lk, rk)) or (lambda x, y, formula=found[1]: check_range(formula(x, y))))
        lcls, rcls = self.constant(_classes_of(lk)), self.constant(_classes_of(rk))
        return f"({impl}({a}, {b}) if (type({a} := {left}) in {lcls}) & (type({b} := {right}) in {rcls}) else _bail())"

    def in_range(self, code: str) -> str:
        """A number's code, giving up when the number is beyond the interpreter's limit (which then reports it)."""
        t = self.temp()
        return f"({t} if -_MAX < ({t} := {code}) < _MAX else _bail())"

    def _guarded(self, template: str, *operands: tuple[ast.Expr, str, str, str], exact: str, order: bool = False) -> str:
        """`template` applied to operands whose Python class is checked, except parameters of that very kind:
        their arguments were checked on entry (a subclass that slips through makes Python raise, and the
        body is run again by the interpreter). In an order comparison (`order`) a number parameter of the API's
        entry is read as `q<i>`, which may hold the caller's int as it is (`generate_entry`)."""
        refs, conditions = [], []
        for node, code, temp, kind in operands:
            if isinstance(node, ast.Name) and node.name in self.params and self.scope[node.name] == kind:
                ref = self.params[node.name]
                if order and kind == "number" and self.root.order_alias and _PARAMETER.fullmatch(ref):
                    ref = "q" + ref[1:]
                refs.append(ref)
            elif (known := self.known_classes(node)) is not None and known <= EXACT.get(kind, frozenset()):
                # A constant, or a row of a table of constants, of the right class: settled here, once.
                refs.append(self._whole_as_int(node, code) if order and kind == "number" else code)
            else:
                refs.append(temp)
                conditions.append(f"(type({temp} := {code}) in {exact})")
        result = template.format(*refs)
        if not conditions:
            return f"({result})"
        return f"({result} if {' & '.join(conditions)} else _bail())"

    # ---- lookups keyed by the API entry's own arguments, hoisted (issue #16)
    def table_dict(self, what: str, name: str, build: Callable[[], dict[Any, Any]]) -> str:
        """The constant holding a lookup dict made from the policy (a table's rows, its rows as ints, a race
        attribute by race name), built once per generated function so that equal lookups read as equal code."""
        root = self.root
        found = root.tables.get((what, name))
        if found is None:
            found = root.tables[what, name] = self.constant({_interned(k): _interned(v) for k, v in build().items()})
        return found

    def subscript(self, table: str, args: list[str]) -> str:
        """`table[args]`. In the API's entry (`hoisting`), a subscript keyed only by the entry's parameters is
        computed once, before the body, into a local (`hoist`): an `and` or an `if` that reads the same row
        twice reads it once, and a key the dict lacks gives up before the body runs."""
        code = f"{table}[{args[0] if len(args) == 1 else ', '.join(args)}]"
        if self.root.hoisting and all(_PARAMETER.fullmatch(a) and int(a[1:]) in self.root.text_args for a in args):
            return self.hoist(code, tuple(int(a[1:]) for a in args))
        return code

    def hoist(self, code: str, validates: tuple[int, ...]) -> str:
        """A local computed before the body of the API's entry from its plain arguments (`p<i>` in `code` is read as
        the argument `a<i>`), which the entry gives up on when it raises. A dict keyed only by texts that holds the
        row validates the arguments it is keyed by: a value it finds is a text (`validates`)."""
        root = self.root
        code = re.sub(r"\bp([0-9]+)\b", r"a\1", code)
        found = root.hoists.get(code)
        if found is None:
            found = root.hoists[code] = (f"_h{len(root.hoists)}", validates)
        return found[0]

    def _race_attribute(self, expr: ast.Field, amount: bool) -> str | None:
        """In the API's entry, `race.attribute` of a race parameter as one dict probe on the race's name (the argument
        as given), hoisted: the attribute of every race that has it, made now (races are constants). With `amount`,
        the amount of an attribute that is money in every race. None when this does not apply."""
        subject = expr.subject
        if not self.root.hoisting or not isinstance(subject, ast.Name) or subject.name not in self.params:
            return None
        ref = self.params[subject.name]
        if not _PARAMETER.fullmatch(ref) or int(ref[1:]) not in self.root.race_args or expr.name in ("name", "title"):
            return None
        races, attribute = self.unit.race_values, expr.name
        values = {name: race.attributes[attribute] for name, race in races.items() if attribute in race.attributes}
        if amount:
            if not values or any(type(v) is not Money for v in values.values()):
                return None
            table = self.table_dict("amount", attribute, lambda: {name: v.amount for name, v in values.items()})
            local = self.hoist(f"{table}[{ref}]", (int(ref[1:]),))
            if all(v.amount.is_finite() for v in values.values()):
                self.root.bounds[local] = max(abs(v.amount) for v in values.values())  # one of the races' amounts
                if all(v.amount >= 0 for v in values.values()):
                    self.root.nonnegative.add(local)
            return local
        table = self.table_dict("attribute", attribute, lambda: values)
        return self.hoist(f"{table}[{ref}]", (int(ref[1:]),))

    def _whole_as_int(self, node: ast.Expr, code: str) -> str:
        """In an order comparison, a whole number constant, or the row of a table whose rows are all whole number
        constants, as an int (issue #16): Python compares an int with an int or with a Decimal exactly, and an int
        argument with an int about three times faster than with a Decimal. Anything else keeps its code."""
        if isinstance(node, ast.Literal):
            return self.constant(int(node.value)) if _whole(node.value) else code
        if isinstance(node, ast.Call) and not self.inlinable(node.function, len(node.args)):
            rows = self._literal_table(node.function, len(node.args))
            if rows and all(_whole(v) for v in rows.values()):
                args = [self.code(a) for a in node.args]
                ints = self.table_dict("ints", node.function, lambda: {key: int(value) for key, value in rows.items()})
                return self.subscript(ints, args)  # a missing row gives up, as before
        return code

    def _IfExpr(self, expr: ast.IfExpr) -> str:
        condition, then, otherwise, t = self.code(expr.condition), self.code(expr.then), self.code(expr.otherwise), self.temp()
        if self.certainly_bool(expr.condition):
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
        if self.inlinable(name, len(expr.args)):
            return self._inline(name, expr.args)
        chain = self._schedule_chain(name, expr.args, ratio=False)
        if chain is not None:
            return chain
        args = [self.code(a) for a in expr.args]
        if name in unit.edition.rules and len(args) == len(unit.edition.rules[name].decl.params):
            fast = unit.fast(name)
            if fast is not None:
                # Straight into the other rule's generated code: no argument tuple, no entry checks
                # beyond its own class guards (a mismatch bails out here, to the exact path).
                return f"{self.constant(fast)}({', '.join(args)})"
        packed = "(" + "".join(f"{a}, " for a in args) + ")"
        invoke, span = self.constant(unit.invoker(name)), self.constant(expr.span)
        rows = self._literal_table(name, len(args))
        if rows is not None:
            # Every row a constant keyed by texts: one dict subscript (issue #16). A key not in it (a missing
            # row) raises KeyError, so the body gives up and the interpreter reports the missing row.
            return self.subscript(self.table_dict("rows", name, lambda: rows), args)
        memo = unit.table_memos.get(name)
        if memo is not None and len(args) == len(unit.edition.tables[name].decl.params):
            # A table row already found for these arguments is read from the memo, inline.
            found, key = self.temp(), self.temp()
            lookup = self.constant(memo.get)
            return f"({found} if ({found} := {lookup}({key} := {packed}, _UNSET)) is not _UNSET else {invoke}({key}, {span}, _src))"
        return f"{invoke}({packed}, {span}, _src)"

    # ---- a rule's body inlined into its caller (issue #16: one generated function for the qualification chain)
    def inlinable(self, name: str, count: int) -> bool:
        """Whether a call of rule `name` with `count` arguments is generated as the callee's body in place: a rule
        with generated code of its own (so within the interpreter's step budget), small, of parameters whose
        classes a type test settles, not nested past INLINE_DEPTH."""
        rules = self.unit.edition.rules
        if name not in rules or self.depth >= INLINE_DEPTH:
            return False
        decl = rules[name].decl
        if len(decl.params) != count or any(p.type != "any" and p.type not in EXACT for p in decl.params):
            return False
        if sum(1 for _ in decl.body.find_all(ast.Node)) > INLINE_NODES:
            return False
        return self.unit.fast(name) is not None

    def _inline(self, name: str, arg_nodes: tuple[ast.Expr, ...]) -> str:
        """The callee's body with its parameters bound to the arguments. An argument that is a parameter of the
        same kind here, or a literal of the right class, is used as it is; any other is computed once into a
        temporary and its class tested as the callee's own entry would (a mismatch gives up, and the exact path
        reports the error at the call). Anything the inlined body gives up on makes this body give up: the
        interpreter then evaluates this body, and its call of the callee, again."""
        decl = self.unit.edition.rules[name].decl
        params: dict[str, str] = {}
        conditions = []
        for param, node in zip(decl.params, arg_nodes, strict=True):
            classes = EXACT.get(param.type, frozenset())
            if isinstance(node, ast.Name) and node.name in self.params and self.scope.get(node.name) == param.type:
                params[param.name] = self.params[node.name]  # tested on entry to this body already
            elif isinstance(node, ast.Literal) and (param.type == "any" or type(node.value) in classes):
                params[param.name] = self.constant(node.value)
            else:
                t, code = self.temp(), self.code(node)
                if param.type == "any":
                    conditions.append(f"(({t} := {code}) is not _UNSET)")
                elif len(classes) == 1:
                    conditions.append(f"(type({t} := {code}) is {self.constant(next(iter(classes)))})")
                else:
                    conditions.append(f"(type({t} := {code}) in {self.constant(classes)})")
                params[param.name] = t
        body = RuleGenerator(self.unit, decl, _bail, parent=self, params=params).code(decl.body)
        return f"({body} if {' and '.join(conditions)} else _bail())" if conditions else f"({body})"

    def certainly_bool(self, expr: ast.Expr) -> bool:
        """Whether the generated code of an expression gives True or False whenever it does not give up."""
        if isinstance(expr, ast.Name):
            return self.scope.get(expr.name) == "bool" and expr.name in self.params  # its class was tested on entry
        if isinstance(expr, ast.Call) and self.inlinable(expr.function, len(expr.args)):
            decl = self.unit.edition.rules[expr.function].decl
            return RuleGenerator(self.unit, decl, _bail, parent=self, params={p.name: "" for p in decl.params}).certainly_bool(decl.body)
        return _certainly_bool(expr)

    def known_classes(self, expr: ast.Expr) -> frozenset[type] | None:
        """The classes an expression's generated code can give when it does not give up, if they are known now:
        a literal's, a comparison's (bool), the values' of a table of constants read by one dict probe (a key it
        lacks gives up), both branches' of an `if`, an inlined rule body's."""
        if isinstance(expr, ast.Literal):
            return frozenset({type(expr.value)})
        if self.certainly_bool(expr) and not isinstance(expr, ast.Name):
            return frozenset({bool})
        if isinstance(expr, ast.IfExpr):
            then, otherwise = self.known_classes(expr.then), self.known_classes(expr.otherwise)
            return then | otherwise if then is not None and otherwise is not None else None
        if isinstance(expr, ast.Call):
            if self.inlinable(expr.function, len(expr.args)):
                decl = self.unit.edition.rules[expr.function].decl
                return RuleGenerator(self.unit, decl, _bail, parent=self, params={p.name: "" for p in decl.params}).known_classes(decl.body)
            rows = self._literal_table(expr.function, len(expr.args))
            if rows:
                return frozenset(map(type, rows.values()))
        return None

    # ---- a schedule of constant tiers as a chain of date comparisons
    def _schedule_chain(self, name: str, arg_nodes: tuple[ast.Expr, ...], ratio: bool, each: Callable[[Any], str] | None = None) -> str | None:
        """`schedule(date)` for a schedule whose tiers are all constants, as `v0 if d <= t0 else (v1 if ...)`:
        no call, no loop. With `ratio`, each tier's percent is given as its ratio (the percent divided by 100,
        computed now; only when that division is exact, so it is the very Decimal a call would compute).
        A date after the last tier, or an argument not a date, gives up: the interpreter reports it. `each` gives a
        tier's code from its value (the value itself, by default)."""
        ed = self.unit.edition
        if name not in ed.schedules or name in ed.rules or len(arg_nodes) != 1:
            return None
        tiers = ed.schedules[name].tiers
        if not all(isinstance(t.value, ast.Literal) for t in tiers):
            return None
        values = [t.value.value for t in tiers]  # type: ignore[attr-defined]
        if ratio:
            if not all(type(v) is Percent for v in values):
                return None
            try:
                with localcontext() as exact:
                    exact.traps[Inexact] = True
                    values = [v.value / _HUNDRED for v in values]
            except Inexact:
                return None
        node = arg_nodes[0]
        condition = ""
        if isinstance(node, ast.Name) and node.name in self.params and self.scope.get(node.name) == "date":
            when = self.params[node.name]  # a date: tested on entry
        else:
            when = self.temp()
            condition = f"type({when} := {self.code(node)}) is {self.constant(datetime.date)}"
        chain = "_bail()"
        for tier, value in zip(reversed(tiers), reversed(values), strict=True):
            code = self.constant(value) if each is None else each(value)
            chain = code if tier.through is None else f"({code} if {when} <= {self.constant(tier.through)} else {chain})"
        chain = f"({chain} if {condition} else _bail())" if condition else chain
        if ratio and each is None and all(v.is_finite() for v in values):
            self.root.bounds[chain] = max(abs(v) for v in values)  # a ratio is one of these constants
        return chain

    # ---- money whose amount is all the caller wants (the embedder API returns money as a Decimal)
    def amount(self, expr: ast.Expr) -> str:
        """Code giving the amount of a money expression, rounded as Money rounds it: a product of money and a
        percent is one Decimal product quantized to the cent ROUND_HALF_UP (what `Money.of` and
        `_money_times_percent` do), with no Money built; anything else is its Money's amount."""
        if isinstance(expr, ast.Binary) and expr.op == "*":
            lk, rk = self.kind(expr.left), self.kind(expr.right)
            if (lk, rk) in (("money", "percent"), ("percent", "money")):
                money, percent = (expr.left, expr.right) if lk == "money" else (expr.right, expr.left)
                amount = self._money_amount(money)
                if isinstance(percent, ast.Call) and amount in self.root.bounds:
                    # The amount is one of the races' (known now) and the percent a schedule of constant tiers: each tier
                    # gives its own product, and a tier of 0 % gives 0.00 without one, as a programmer would write it.
                    chain = self._schedule_chain(percent.function, percent.args, ratio=True, each=lambda r: self._product(amount, r))
                    if chain is not None:
                        return chain
                ratio = self._ratio(percent)
                bounds = self.root.bounds
                largest = bounds[amount] * bounds[ratio] if amount in bounds and ratio in bounds else None
                return self._rounded_product(amount, ratio, largest)
        return self._money_amount(expr)

    def _product(self, amount: str, ratio: Decimal) -> str:
        """An amount known now within `bounds` times a constant ratio, to the cent as Money rounds it."""
        if ratio == 0 and amount in self.root.nonnegative:
            return self.constant(Decimal("0.00"))  # what (amount * 0) quantized to the cent is for any amount >= 0
        largest = self.root.bounds[amount] * abs(ratio) if ratio.is_finite() else None
        return self._rounded_product(amount, self.constant(ratio), largest)

    def _rounded_product(self, amount: str, ratio: str, largest: Decimal | None) -> str:
        """`amount * ratio` to the cent ROUND_HALF_UP, checked against the interpreter's limit unless the largest
        magnitude it can have (`largest`, known when the code is generated) is far within it."""
        product = f"({amount} * {ratio}).quantize(_CENT, rounding=_HALF_UP)"
        if largest is not None and largest < _MAX / 2:
            return product  # every amount times every ratio is far within the limit: nothing to check per call
        return self.in_range(product)

    def _money_amount(self, expr: ast.Expr) -> str:
        if isinstance(expr, ast.Field) and (hoisted := self._race_attribute(expr, amount=True)) is not None:
            return hoisted  # the amount of the race's fee, found by the race's name
        t = self.temp()
        return f"({t}.amount if type({t} := {self.code(expr)}) is _Money else _bail())"

    def _ratio(self, expr: ast.Expr) -> str:
        if isinstance(expr, ast.Call):
            chain = self._schedule_chain(expr.function, expr.args, ratio=True)
            if chain is not None:
                return chain
        t = self.temp()
        return f"({t}.value / _HUNDRED if type({t} := {self.code(expr)}) is _Percent else _bail())"

    def _literal_table(self, name: str, count: int) -> dict[Any, Any] | None:
        """A table whose rows all key on text literals and hold constants, as a dict of its rows (the first row
        for a key wins, as the interpreter tries rows top to bottom): one text, or a tuple of texts, to the value."""
        table = self.unit.edition.tables.get(name)
        if table is None or name in self.unit.edition.rules or len(table.decl.params) != count or count == 0:
            return None
        rows: dict[Any, Any] = {}
        for row in table.decl.rows:
            keys = row.keys
            if len(keys) != count or not all(isinstance(k, ast.Literal) and type(k.value) is str for k in keys):
                return None
            if not isinstance(row.value, ast.Literal):
                return None
            key = keys[0].value if count == 1 else tuple(k.value for k in keys)  # type: ignore[union-attr]
            rows.setdefault(key, row.value.value)
        return rows


_UNSET = object()


def _interned(value: Any) -> Any:
    """A text (or a tuple of texts) as Python's interned copy: a caller's text written as a literal in Python is
    interned too, and comparing or looking up two interned texts is one identity test instead of comparing their
    characters (issue #16). Anything else as it is."""
    if type(value) is str:
        return sys.intern(value)
    if type(value) is tuple and value and all(type(v) is str for v in value):
        return tuple(sys.intern(v) for v in value)
    return value


def _whole(value: Any) -> bool:
    """A finite Decimal without a fraction (2, 10.0, 1E+3): the same number as an int."""
    return type(value) is Decimal and value.is_finite() and value == value.to_integral_value()


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


def generate_call(names: list[str], converted: list[str], namespace: dict[str, Any]) -> Callable[..., Any]:
    """The public API's call for one tuple of argument types (api._call_plan): `names` are the generated parameters
    (`a0, a1, ...`), `converted` the generated expression of each converted argument; `namespace` holds `_f` (the
    rule), `_exact`, `_to_python`, `_PLAIN`, `_Refused` and `_Money`. The result comes back plain (a Money as its amount)."""
    arguments = ", ".join(names)
    source = (
        f"def _plan({arguments}):\n"
        f"    try:\n        _v = _f({', '.join(converted)})\n"
        f"    except _Refused:\n        return _to_python(_exact({arguments}))\n"
        f"    return _v.amount if type(_v) is _Money else _v if type(_v) in _PLAIN else _to_python(_v)\n"
    )
    exec(compile(source, "<racepolicy call>", "exec"), namespace)
    plan: Callable[..., Any] = namespace["_plan"]
    return plan


def generate_rule(
    unit: CompiledEdition, decl: ast.RuleDecl, slow: Code, check: Callable[[Any], None], deep: Callable[[], Exception],
) -> tuple[Code, Callable[..., Any], Callable[..., Any]] | None:
    """A generated body for a rule, the rule as a function, and its entry for other generated bodies;
    each falls back to `slow` (the interpreter) when the fast path gives up."""
    return RuleGenerator(unit, decl, slow).build(check, deep)


# ---- the embedder API's call of a rule, generated with the rule's body inside (issue #16) ----------------

# How the entry makes one plain argument the language's value, for an argument of one Python class.
AS_IS = "as is"  # already the language's value (a text, a date, a yes/no, a Decimal number)
FINITE = "finite"  # a Decimal number, which must be finite
TO_DECIMAL = "decimal"  # an int number, made a Decimal
RACE = "race"  # a race name, looked up among the edition's races
OMITTED = object()  # the default of an argument the caller left out: `general` drops it and reports what is missing


def generate_entry(
    unit: CompiledEdition, decl: ast.RuleDecl, kind: str, slow: Code, deep: Callable[[], Exception],
    accepts: list[list[tuple[type, str]]], general: Callable[..., Any], plain: Callable[[Any], Any],
) -> Callable[..., Any] | None:
    """A rule as one function of plain positional arguments, giving a plain value: for each parameter the Python
    classes it takes here and how each becomes the language's value (`accepts`, e.g. `[(int, TO_DECIMAL), (Decimal,
    FINITE)]`), then the rule's body (with the rules it calls inlined), then the result made plain (money as its
    amount, computed without a Money when the body is a product of money and a percent). Anything else — a missing
    argument, a class not listed, an unknown race, a key no hoisted dict holds — goes to `general`, the checked path
    that converts or reports it (a call Python cannot bind is its TypeError: `_entry_arguments`); a body that gives up
    is evaluated by `slow` (the interpreter).
    None when the body is too large to generate. The source holds no user text but the parameters' names, each a
    lower-case word checked here (`named`); otherwise the arguments are `a0, a1, ...`."""
    generator = RuleGenerator(unit, decl, slow)
    generator.order_alias = generator.hoisting = True
    generator.text_args = frozenset(i for i, a in enumerate(accepts) if a == [(str, AS_IS)])
    generator.race_args = frozenset(i for i, a in enumerate(accepts) if a == [(str, RACE)])
    try:
        body = generator.amount(decl.body) if kind == "money" else generator.code(decl.body)
        known = generator.known_classes(decl.body)
    except RecursionError:
        return None
    # A number parameter read only in order comparisons (`q<i>`, never `p<i>`) keeps an int argument as it is:
    # comparing an int with a Decimal is exact in Python, and Decimal(int) would cost more than the rule.
    used = {name for name in re.findall(r"\b[pq][0-9]+\b", body)}
    # An argument the body reads only through hoisted dicts keyed by texts needs no class test: a dict of text keys
    # finds nothing for another class, and the entry then gives up to `general`, which tests and reports it.
    # (A lookup generated and then not used, such as a table's Decimal rows read as ints instead, is dropped.)
    hoists = {code: (local, indices) for code, (local, indices) in generator.hoists.items() if re.search(rf"\b{local}\b", body)}
    validated = {i for _, indices in hoists.values() for i in indices}
    untested = {i for i in validated if f"p{i}" not in used and f"q{i}" not in used}
    namespace = generator.namespace
    namespace.update({"_U": OMITTED, "_general": general, "_plain": plain, "_deep": deep, "_PLAIN_CLASSES": _PLAIN_CLASSES})
    count = len(decl.params)
    args = ", ".join(f"a{i}" for i in range(count))
    lines, converted, rename = _entry_arguments(decl, accepts, used, untested, generator.constant, unit.race_values.get)
    if lines is None:
        return None  # a parameter no plain class fits without conversion: the checked path serves every call
    if kind == "money":
        result = body  # the amount already
    elif kind in ("text", "bool", "date", "number") and known is not None and known <= _PLAIN_CLASSES and int not in known:
        result = body  # plain whenever it does not give up
    elif kind in ("text", "bool", "date", "number"):
        result = f"(_v if type(_v := {body}) in _PLAIN_CLASSES else _plain(_v))"
    else:
        result = f"_plain({body})"
    values = "(" + "".join(f"({c}), " for c in converted) + ")"
    # Giving up: the interpreter evaluates the body with the arguments as converted; when some argument's class was
    # left to the hoisted lookups, the checked path tests every argument first.
    fallback = f"_general({args})" if untested else f"_plain(_slow({values}))"
    hoisted = "".join(f"        {local} = {code}\n" for code, (local, _) in hoists.items())
    lines.append(f"    try:\n{hoisted}        return {result}\n    except _BAIL:\n        return {fallback}")
    lines.append("    except RecursionError:\n        raise _deep() from None")
    return _compile_entry(rename("\n".join(lines) + "\n"), namespace)


def _compile_entry(source: str, namespace: dict[str, Any]) -> Callable[..., Any] | None:
    if len(source) > MAX_SOURCE:
        return None
    try:
        exec(compile(source, "<racepolicy call>", "exec"), namespace)
    except (SyntaxError, RecursionError, MemoryError):
        return None
    entry: Callable[..., Any] = namespace["_entry"]
    entry.generated_source = source  # type: ignore[attr-defined]  # for tests and for reading what runs
    return entry


def _entry_arguments(
    decl: ast.RuleDecl, accepts: list[list[tuple[type, str]]], used: set[str], untested: set[int], constant: Callable[[Any], str],
    race: Callable[[str], Any],
) -> tuple[list[str] | None, list[str], Callable[[str], str]]:
    """The head of an API entry: its parameters, then each argument's class tested and converted into `p<i>` (and
    `q<i>`, an int number kept as it is) where the body reads it (`used`), except the `untested` ones. Gives the lines,
    each argument's code as the language's value (for the interpreter), and how to name the arguments in the source."""
    count = len(decl.params)
    args = ", ".join(f"a{i}" for i in range(count))
    # The arguments are named as the rule's parameters, so that a call binds as Python binds any call, a call by keyword as
    # fast as one by position, with no `**kwargs` (a dict CPython builds on every call, a sixth of the hand-written
    # qualification: issue #16) and no `*args` (a slower way into the function). A name the rule does not have, an
    # argument given twice, or more arguments than parameters is then Python's own TypeError, as for any function; one
    # left out stays `_U`, which no class test and no dict of texts accepts: `general` reports what is missing. Names
    # that could clash with the generated code's keep `a0, a1, ...`, taken by position only, with `*_rest, **_kw` for
    # every other call, which goes to `general`.
    names = [p.name for p in decl.params]
    named = own_names(names)
    given = "".join(f"a{i}, " for i in range(count))
    if named:
        lines = [f"def _entry({', '.join(f'a{i}=_U' for i in range(count))}):"]
    else:
        lines = [f"def _entry({''.join(f'a{i}=_U, ' for i in range(count))}{'/, ' if count else ''}*_rest, **_kw):",
                 f"    if _kw or _rest:\n        return _general({given}*_rest, **_kw)"]
    converted = []  # each argument as the language's value, for the interpreter
    for i, alternatives in enumerate(accepts):
        if not alternatives:
            return None, [], str
        if i in untested:
            converted.append(f"a{i}")
            continue
        for j, (cls, how) in enumerate(alternatives):
            test = f"type(a{i}) is {constant(cls)}"
            value = f"a{i}"
            if how == FINITE:
                test += f" and a{i}.is_finite()"
            elif how == TO_DECIMAL:
                value = f"_Decimal(a{i})" if f"p{i}" in used else f"a{i}"
            elif how == RACE:
                test += f" and (_r{i} := {constant(race)}(a{i})) is not None"
                value = f"_r{i}"
            targets = "".join(f"{v} = " for v in (f"p{i}", f"q{i}") if v in used) or "_ = "
            lines.append(f"    {'if' if j == 0 else 'elif'} {test}:\n        {targets}{value}")
        lines.append(f"    else:\n        return _general({args})")
        converted.append(f"_Decimal(a{i}) if type(a{i}) is int else " if any(how == TO_DECIMAL for _, how in accepts[i]) else "")
        converted[-1] += f"_r{i}" if any(how == RACE for _, how in accepts[i]) else f"a{i}"

    def rename(source: str) -> str:
        if not named:
            return source
        return re.sub(r"\ba([0-9]+)\b", lambda m: names[int(m.group(1))], source)  # names checked by own_names: lower-case words

    return lines, converted, rename


def generate_interpreted_entry(
    decl: ast.RuleDecl, kind: str, interpret: Callable[..., Any], accepts: list[list[tuple[type, str]]], general: Callable[..., Any],
    plain: Callable[[Any], Any], race: Callable[[str], Any],
) -> Callable[..., Any] | None:
    """The API's call of a rule under the interpreter (`edition.interpreted()`): the head of `generate_entry` (each
    argument's class tested and converted inline, anything else to `general`), then `interpret(*values)`, the
    interpreter's evaluation of the rule, and its result made plain. Only the call is generated: the rule's body is
    walked by the interpreter, as the reference runner walks it."""
    namespace: dict[str, Any] = {
        "_U": OMITTED, "_general": general, "_plain": plain, "_interpret": interpret, "_PLAIN_CLASSES": _PLAIN_CLASSES, "_Decimal": Decimal,
    }
    counter = itertools.count()

    def constant(value: Any) -> str:
        name = f"_k{next(counter)}"
        namespace[name] = value
        return name

    used = {f"p{i}" for i in range(len(decl.params))}
    lines, _, rename = _entry_arguments(decl, accepts, used, set(), constant, race)
    if lines is None:
        return None
    call = f"_interpret({', '.join(f'p{i}' for i in range(len(decl.params)))})"
    result = f"(_v if type(_v := {call}) in _PLAIN_CLASSES else _plain(_v))" if kind in ("text", "bool", "date", "number") else f"_plain({call})"
    lines.append(f"    return {result}")
    return _compile_entry(rename("\n".join(lines) + "\n"), namespace)


# A rule's parameter name the generated entry may use as its own: a lower-case word that is not a Python keyword, not
# a builtin the generated code calls, and not of the form of a name the generator makes (`a0`, `p1`, `q2`, `r3`, `_...`).
_PYTHON_NAME = re.compile(r"[a-z][a-z0-9_]*")
_GENERATED_NAME = re.compile(r"[apqr][0-9]+")
_BUILTIN_NAMES = frozenset(dir(builtins))

# Results that are plain Python already: a number is a Decimal (an int result goes through `plain`).
_PLAIN_CLASSES = frozenset({str, bool, datetime.date, Decimal})


def own_names(names: list[str]) -> bool:
    """Whether a generated function may take its parameters under these names (a rule's parameters): distinct
    lower-case words, none a Python keyword, a builtin the generated code calls, or of the form of a name the
    generator makes (`a0`, `p1`, `q2`, `r3`, `_...`)."""
    return len(set(names)) == len(names) and all(
        _PYTHON_NAME.fullmatch(n) and not _GENERATED_NAME.fullmatch(n) and not keyword.iskeyword(n) and n not in _BUILTIN_NAMES for n in names
    )


def generate_stub(target: Callable[..., Any], names: list[str]) -> Callable[..., Any]:
    """A function that calls `target` with its arguments, in a namespace of its own: the embedder API's callable
    before its rule's code is generated (a warming rule, a table, the interpreter), which `repoint` can later turn
    into the generated entry in place, so that every holder of the callable gets the generated code. It binds its
    arguments as the entry does (`generate_entry`): by the parameters' names when `own_names`, a parameter left out
    given to `target` as `OMITTED`, so a call Python cannot bind fails the same way before and after. The code of a
    stub is compiled once per list of names (a `loads()` for one answer would otherwise pay a `compile()` per rule)."""
    code, defaults = _stub_code(tuple(names))
    return types.FunctionType(code, {"_target": target, "_U": OMITTED}, "_stub", defaults)


@functools.lru_cache(maxsize=512)
def _stub_code(names: tuple[str, ...]) -> tuple[types.CodeType, tuple[Any, ...] | None]:
    if own_names(list(names)):
        given = "".join(f"{n}, " for n in names)
        source = f"def _stub({', '.join(f'{n}=_U' for n in names)}):\n    return _target({given})\n"
    else:
        source = "def _stub(*args, **kwargs):\n    return _target(*args, **kwargs)\n"
    namespace: dict[str, Any] = {"_U": OMITTED}
    exec(compile(source, "<racepolicy call>", "exec"), namespace)
    return namespace["_stub"].__code__, namespace["_stub"].__defaults__


def repoint(stub: Callable[..., Any], entry: Callable[..., Any]) -> None:
    """Make a stub of `generate_stub` run `entry`'s code from now on: its namespace takes the entry's names, and
    its code and defaults become the entry's (a function's globals cannot be replaced; its code can)."""
    stub.__globals__.update(entry.__globals__)  # type: ignore[attr-defined]
    stub.__defaults__, stub.__kwdefaults__ = entry.__defaults__, entry.__kwdefaults__  # type: ignore[attr-defined]
    stub.__code__ = entry.__code__  # type: ignore[attr-defined]
    stub.generated_source = entry.generated_source  # type: ignore[attr-defined]
