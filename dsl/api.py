"""The Python API for embedders (timing systems, registration platforms): plain values in and out, compiled evaluation.

    import racepolicy
    policies = racepolicy.load()                          # the bundled policies
    refund = policies.edition("utmb-2022").rule("refund")
    refund(race="UTMB", cancelled=date(2022, 5, 15))      # Decimal('152.50')

Nothing here needs the language's internals: races go in by name, numbers as int
or Decimal, dates as dates; money comes out as a Decimal in the edition's
currency, durations as timedelta, sanctions as a `Decision`. Every mistake is a
PolicyError (an unknown rule, race or argument, an argument of the wrong kind).
See docs/api.md.
"""

from __future__ import annotations

import datetime
import functools
import inspect
import os
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs
from racepolicy.evaluation.codegen import AS_IS, FINITE, OMITTED, RACE, TO_DECIMAL
from racepolicy.evaluation.values import Duration, GroupValue, Length, Money, Percent, RaceValue, Record, Sanction
from racepolicy.language.errors import EvaluationError, UnknownInfractionError, UnknownNameError, UnknownRaceError, did_you_mean
from racepolicy.language.source import NOWHERE, Source

if TYPE_CHECKING:
    import pluggy
    from racepolicy.evaluation.compiled import CompiledEdition
    from racepolicy.evaluation.model import Edition
    from racepolicy.query.answer import Answer
    from racepolicy.query.policyset import PolicySet

# Where errors about a Python call point: there is no policy text to show.
CALLER = Source("<python call>", "")
_MICROSECONDS_PER_MINUTE = 60_000_000


def _plugins() -> pluggy.PluginManager:
    """The plugin manager of this process's API calls, built on first use.

    Reading the entry points and registering the series plugins cost more than parsing and
    compiling a small policy (issue #16), so `load()` and `loads()` share one manager. The
    manager holds no state of a policy: sharing it cannot change an answer. A plugin installed
    after the first call is seen by a `PolicySet(make_plugin_manager())` made afterwards.
    """
    global _PLUGINS
    if _PLUGINS is None:
        from racepolicy.pluginapi.manager import make_plugin_manager

        _PLUGINS = make_plugin_manager()
    return _PLUGINS


_PLUGINS: pluggy.PluginManager | None = None


def load(*paths: str | os.PathLike[str]) -> PolicySet:
    """Load policy files or folders (the bundled policies when none are given) into a PolicySet."""
    from racepolicy.query.policyset import PolicySet

    return PolicySet.load(list(paths), _plugins()) if paths else PolicySet.bundled(_plugins())


def loads(text: str, name: str = "<string>.policy") -> PolicySet:
    """A PolicySet holding the one edition written in `text`; `name` is the file name its errors show."""
    from racepolicy.query.policyset import PolicySet

    policies = PolicySet(_plugins())
    policies.add(Source(name, text))
    return policies


# ---- plain Python values out -----------------------------------------------------------


def _duration(value: Duration) -> datetime.timedelta:
    # Exact to the microsecond, which every duration a regulation writes is (no float on the way).
    return datetime.timedelta(microseconds=int(value.minutes * _MICROSECONDS_PER_MINUTE))


_TO_PYTHON: dict[type, Callable[[Any], Any]] = {
    bool: lambda v: v,
    str: lambda v: v,
    Decimal: lambda v: v,
    int: Decimal,
    datetime.date: lambda v: v,
    Money: lambda v: v.amount,
    Duration: _duration,
    Length: lambda v: v.metres,
    Percent: lambda v: v.value / 100,
    RaceValue: lambda v: v.name,
    GroupValue: lambda v: v.name,
    Sanction: lambda v: Decision.of(v),
    Record: lambda v: {k: to_python(x) for k, x in v.fields},
    tuple: lambda v: [to_python(x) for x in v],
}


# Values that are already plain: returned as they are, without a call.
_PLAIN = frozenset({bool, str, Decimal, datetime.date})


def to_python(value: Any) -> Any:
    """A value of the language as plain Python: Decimal (money: its amount; percent: the fraction, 50% is 0.5; length:
    metres), timedelta for durations, date, str (races and groups by name), bool, dict, list, `Decision` for sanctions."""
    if type(value) in _PLAIN:
        return value
    convert = _TO_PYTHON.get(type(value))
    if convert is not None:
        return convert(value)
    for cls, found in _TO_PYTHON.items():
        if isinstance(value, cls):
            return found(value)
    return value


# ---- plain Python values in ------------------------------------------------------------

# What each kind of parameter accepts, for the error message.
ACCEPTS = {
    "race": "a race name (str)", "number": "an int or a Decimal", "money": "a Decimal amount (or an int) in the edition's currency",
    "percent": "a Decimal fraction (0.5 for 50%)", "duration": "a timedelta or an int of minutes", "length": "a Decimal or int of metres",
    "date": "a datetime.date", "text": "a str", "bool": "a bool", "record": "a dict", "list": "a list", "group": "a group name (str)",
    "sanction": "a sanction", "any": "a str, int, Decimal, date, bool, timedelta, dict or list",
}


class _Refused(Exception):
    """A plain value that does not fit its parameter (turned into an EvaluationError naming the parameter)."""


def _number(value: Any) -> Decimal:
    if type(value) is Decimal:
        if not value.is_finite():
            raise _Refused
        return value
    if type(value) is int:
        return Decimal(value)
    raise _Refused  # bool, float (never exact), anything else


def _from_python(value: Any) -> Any:
    """A plain value of a parameter that takes any kind, converted by its Python type."""
    if type(value) in (bool, str, datetime.date):
        return value
    if type(value) in (int, Decimal):
        return _number(value)
    if type(value) is datetime.timedelta:
        return Duration(Decimal(value // datetime.timedelta(microseconds=1)) / _MICROSECONDS_PER_MINUTE)
    if isinstance(value, Mapping):
        return Record.of({str(k): _from_python(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_from_python(v) for v in value)
    raise _Refused


def _converter(kind: str, unit: CompiledEdition) -> Callable[[Any], Any]:
    """How a plain value becomes the language's value of `kind` (raises _Refused, or UnknownRaceError for a race)."""
    edition = unit.edition
    if kind == "race":
        races = unit.race_values

        def race(value: Any) -> RaceValue:
            if isinstance(value, str):
                value = _text(value)
                found = races.get(value)
                if found is None:
                    raise UnknownRaceError(
                        f"unknown race '{value}' in {edition.label}", NOWHERE, CALLER, did_you_mean(value, races) or f"races: {', '.join(races)}",
                    )
                return found
            if type(value) is RaceValue:
                return value
            raise _Refused

        return race
    if kind == "number":
        return _number
    if kind == "money":
        currency = edition.currency
        return lambda value: Money.of(_number(value), currency)
    if kind == "percent":
        return lambda value: Percent(_number(value) * 100)
    if kind == "length":
        return lambda value: Length(_number(value))
    if kind == "duration":
        return lambda value: Duration(_number(value)) if type(value) is int else _checked(_from_python(value), Duration)
    if kind == "text":
        return lambda value: _text(value) if isinstance(value, str) else _refuse()
    if kind in ("date", "bool"):
        cls = {"date": datetime.date, "bool": bool}[kind]
        return lambda value: _checked(value, cls)
    if kind == "record":
        return lambda value: _checked(_from_python(value), Record) if isinstance(value, Mapping) else _refuse()
    if kind == "list":
        return lambda value: _from_python(value) if isinstance(value, list | tuple) else _refuse()
    return _from_python


# Kinds whose converter only checks the Python type (so a call with types seen before needs none), and that type.
_PLAIN_OF = {"date": datetime.date, "text": str, "bool": bool}
_TYPE_CHECKS = frozenset(_PLAIN_OF)


def _text(value: str) -> str:
    """A text argument as a plain str: a subclass of str (an `enum.StrEnum` member) is taken as its characters, as the
    generated call takes it when it finds the text in a dict of the policy's texts (`codegen.generate_entry`)."""
    return value if type(value) is str else str.__str__(value)


def _checked(value: Any, cls: type) -> Any:
    if type(value) is not cls:
        raise _Refused
    return value


def _refuse() -> Any:
    raise _Refused


# ---- the objects an embedder holds --------------------------------------------------------


@attrs.frozen
class Decision:
    """A sanction as plain values: what the jury imposes for one or more infractions on a race."""

    kind: str  # "time", "disqualify", "disqualify for life", "discretion" or "as doping"
    minutes: int | Decimal  # the time penalty in minutes (0 when there is none or a disqualification dominates)
    disqualified: bool
    for_life: bool
    discretion: tuple[str, ...]  # infractions left to the race direction's discretion
    doping: tuple[str, ...]  # infractions sanctioned as for doping
    text: str  # as a jury reads it
    citations: tuple[str, ...] = ()  # the clauses of the regulation it comes from

    @classmethod
    def of(cls, sanction: Sanction, citations: Sequence[str] = ()) -> Decision:
        minutes = sanction.minutes
        whole = minutes == minutes.to_integral_value()
        return cls(
            kind=sanction.kind, minutes=int(minutes) if whole else minutes, disqualified=sanction.disqualified, for_life=sanction.for_life,
            discretion=sanction.discretion, doping=sanction.doping, text=str(sanction), citations=tuple(citations),
        )

    @property
    def time(self) -> datetime.timedelta:
        """The time penalty as a timedelta."""
        return _duration(Duration(Decimal(self.minutes)))


@runtime_checkable
class RuleFunction(Protocol):
    """A rule (or schedule, table, band) of one edition as a plain Python callable, evaluated by generated code.

    What `edition.rule(name)` gives is a Python function generated for the rule (`codegen.generate_entry`), with
    these attributes: its parameters are named as the rule's, the arguments of the usual classes (a race name, an
    int or a Decimal number, a date, a text, a yes/no) are converted inline, the rule's body and the rules it calls
    run inline, and the result comes back plain. Any other argument (left out, of a class to convert or to refuse)
    takes the checked path, `exact()`, which converts or reports it; a call Python cannot bind (a name the rule does
    not have, an argument given twice or one too many) is Python's own TypeError, as for any function.
    A function, and not an object with a `__call__`, because calling a function is all a call costs (issue #16:
    a Python `__call__` alone cost half the hand-written qualification, a `functools.partial` subclass a third).
    """

    rulebook: Rulebook  # keeps the edition (and its compiled form) alive while the callable is held
    name: str
    params: tuple[tuple[str, str], ...]
    kind: str
    currency: str  # the currency of any money it returns, whose amount comes out as a Decimal

    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

    def exact(self, *args: Any, **kwargs: Any) -> Any:
        """The same call, with the language's own value as the result (a Money keeps its currency)."""


def _rule_function(rulebook: Rulebook, name: str) -> RuleFunction:
    """The callable of a rule (or schedule, table, band): the rule's generated entry when its code is generated, else a
    stub calling the checked path, which the warm-up later turns into the generated entry in place (`_warmed`)."""
    from racepolicy.evaluation.codegen import generate_interpreted_entry, generate_stub

    edition, unit = rulebook.edition, rulebook.unit
    params, kind = _signature(edition, name)
    converters = [_converter(k, unit) for _, k in params]
    warming = rulebook.runner == "compiled" and name in edition.rules and _WARM_UP_COUNTS.get(unit, {}).get(name, 0) < WARM_UP_CALLS
    if rulebook.runner == "interpreter":
        function = _interpreted(edition, name)
    elif warming:
        function = _warm_up(unit, name)  # replaced by the rule's generated code on the WARM_UP_CALLS-th call: _warmed
    elif name in edition.rules:
        function = unit.rule(name)
    else:
        invoke, source = unit.invoker(name), edition.source
        table = edition.schedules.get(name) or edition.tables.get(name) or edition.bands.get(name)
        span = table.decl.span if table is not None else NOWHERE
        function = lambda *args: invoke(args, span, source)  # noqa: E731 - the callable the checked path calls
    checked = _Checked(name, params, converters, function, unit, warm=not warming)
    entry = None
    accepts = _accepts(params)
    if rulebook.runner == "compiled" and name in edition.rules and not warming:
        entry = unit.entry(name, accepts, checked.call, to_python)
    elif rulebook.runner == "interpreter" and name in edition.rules:
        # The interpreter walks the rule; only the call is generated: the arguments checked inline, as the compiled
        # entry checks them, rather than through the checked path's plan per tuple of argument types (about 0.5 µs).
        entry = generate_interpreted_entry(edition.rules[name].decl, kind, function, accepts, checked.call, to_python, unit.race_values.get)
    rule: Any = entry or generate_stub(checked.call, [p for p, _ in params])
    rule.__dict__.update(rulebook=rulebook, name=name, params=params, kind=kind, currency=edition.currency, exact=checked.exact, _checked=checked)
    rule.__name__, rule.__qualname__, rule.__module__ = name, f"{name} of {rulebook.name}", "racepolicy"  # its repr: <function refund of utmb-2022 ...>
    rule.__signature__ = inspect.Signature([inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD) for p, _ in params])
    rule.__doc__ = f"{edition.label}: {name}({', '.join(f'{p}: {k}' for p, k in params)}) -> {kind}"
    if warming:
        checked.on_warm = functools.partial(_warmed, rule)  # a cycle until the rule is warm, which the garbage collector clears
    return rule  # type: ignore[no-any-return]


def _warmed(rule: Any) -> None:
    """The rule has been called WARM_UP_CALLS times in its edition: from now on its generated code answers, and the
    callable itself runs the generated entry (`codegen.repoint`), so every holder of it gets the generated code."""
    from racepolicy.evaluation.codegen import repoint

    checked, unit = rule._checked, rule.rulebook.unit
    _WARM_UP_COUNTS.setdefault(unit, {})[rule.name] = WARM_UP_CALLS  # callables made from now on start warm
    checked._function, checked.warm, checked.on_warm = unit.rule(rule.name), True, None
    entry = unit.entry(rule.name, _accepts(rule.params), checked.call, to_python)
    if entry is not None:
        repoint(rule, entry)


# ---- warm-up (issue #16): a rule's first calls through the API are interpreted ---------------------------
# Generating and compiling a rule's code costs as much as many interpreted calls, so a policy loaded for one or two
# answers (`racepolicy.loads(text)...rule(...)(x)`) never pays it. The interpreter is the reference the generated code
# falls back to whenever it gives up, so the answers and errors are the same (tests/test_api_warm_up.py).

# Calls of a rule through the API that the interpreter answers before the rule's code is generated.
WARM_UP_CALLS = 3
# The calls made so far of each rule of an edition's compiled form, counted per edition (`policies.edition(...)` makes a
# new Rulebook each time); freed with the edition.
_WARM_UP_COUNTS: weakref.WeakKeyDictionary[CompiledEdition, dict[str, int]] = weakref.WeakKeyDictionary()


def _warm_up(unit: CompiledEdition, name: str) -> Callable[..., Any]:
    """The function a warming rule's checked path calls with the language's values: the interpreter, untraced, until the
    WARM_UP_CALLS-th call of the rule in its edition, which makes the rule warm (`_Checked.on_warm`)."""
    from racepolicy.evaluation.compiled import _too_deep

    span, source = unit.edition.rules[name].decl.span, unit.source
    interpret = _interpreted(unit.edition, name, source)

    def call(*values: Any) -> Any:
        calls = _WARM_UP_COUNTS.setdefault(unit, {})
        calls[name] = calls.get(name, 0) + 1
        try:
            return interpret(*values)
        except RecursionError:
            raise _too_deep(span, source) from None

    return call


# The plain Python classes each kind of parameter takes in the generated call, and how each becomes the
# language's value (codegen.generate_entry); any other class goes to the checked path, which converts or refuses it.
_FAST_ARGUMENTS: dict[str, list[tuple[type, str]]] = {
    "race": [(str, RACE)],
    "number": [(int, TO_DECIMAL), (Decimal, FINITE)],
    "text": [(str, AS_IS)],
    "date": [(datetime.date, AS_IS)],
    "bool": [(bool, AS_IS)],
}


def _accepts(params: tuple[tuple[str, str], ...]) -> list[list[tuple[type, str]]]:
    """What the generated call takes inline for each parameter (`_FAST_ARGUMENTS` by its kind)."""
    return [_FAST_ARGUMENTS.get(kind, []) for _, kind in params]


def _interpreted(edition: Edition, name: str, source: Source | None = None) -> Callable[..., Any]:
    """A callable of the edition by the interpreter, untraced: one evaluator per thread (an evaluator keeps the
    depth and step count of the call under way), reused for every call of this callable in that thread. `source`
    locates an error at the call itself (the warm-up gives the policy's, as the generated code does)."""
    from racepolicy.evaluation.interpreter import Evaluator

    found = edition.rules.get(name) or edition.schedules.get(name) or edition.tables.get(name) or edition.bands.get(name)
    span = found.decl.span if found is not None else NOWHERE
    local = threading.local()

    def evaluator() -> Evaluator:
        local.evaluator = made = Evaluator(edition, source, tracing=False)
        return made

    if name in edition.rules:
        # A rule goes straight to call_rule (what `call` would route it to, without its frame: issue #16).
        def call_rule(*values: Any) -> Any:
            return (getattr(local, "evaluator", None) or evaluator()).call_rule(name, values, span)

        return call_rule

    def call(*values: Any) -> Any:
        return (getattr(local, "evaluator", None) or evaluator()).call(name, values, span)

    return call


class _Checked:
    """The checked path of a RuleFunction: binds keywords, converts each plain value by its parameter's kind
    (or reports it), and remembers a generated conversion per tuple of argument types (`_call_plan`)."""

    def __init__(self, name: str, params: tuple[tuple[str, str], ...], converters: list[Callable[[Any], Any]], function: Callable[..., Any],
                 unit: CompiledEdition, warm: bool = True) -> None:
        self.name, self.params, self._converters, self._function, self.unit = name, params, converters, function, unit
        self.warm = warm  # the rule's code is generated (or it has none): calls made for argument types are worth making
        self.on_warm: Callable[[], None] | None = None  # while warming up: makes the rule warm (_warmed)
        self._count = len(params)
        self._plans: dict[tuple[type, ...], Callable[..., Any]] = {}  # argument types -> the call made for them (_call_plan)

    def call(self, *args: Any, **kwargs: Any) -> Any:
        """Evaluate with plain values (by position or by parameter name); returns a plain value."""
        if any(a is OMITTED for a in args):
            # Parameters the generated entry's caller left out (its defaults): the rest are given by name, so that
            # binding reports what is missing (the entry names its parameters as the rule's, so any may be left out).
            kwargs = {**{p: a for (p, _), a in zip(self.params, args, strict=False) if a is not OMITTED}, **kwargs}
            args = ()
        if not kwargs:
            plan = self._plans.get(tuple(map(type, args)))
            if plan is not None:
                return plan(*args)  # arguments of these types were converted before: the call made for them
        return to_python(self.exact(*args, **kwargs))

    def exact(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs or len(args) != self._count:
            args = self._bind(args, kwargs)
        values = []
        for (param, kind), convert, value in zip(self.params, self._converters, args, strict=True):
            try:
                values.append(convert(value))
            except _Refused:
                raise EvaluationError(
                    f"argument '{param}' of {self.name} must be {kind}, not {type(value).__name__} {value!r}", NOWHERE, CALLER,
                    f"give {ACCEPTS.get(kind, kind)}",
                ) from None
        if self.on_warm is not None and _WARM_UP_COUNTS.get(self.unit, {}).get(self.name, 0) + 1 >= WARM_UP_CALLS:
            self.on_warm()  # this call is the WARM_UP_CALLS-th: it, and every later one, runs the generated code
        if not kwargs and len(self._plans) < 64 and self.warm:
            signature = tuple(map(type, args))
            if signature not in self._plans:
                self._plans[signature] = _call_plan(self, signature)
        return self._function(*values)

    def _bind(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> tuple[Any, ...]:
        names = [p for p, _ in self.params]
        usage = f"{self.name}({', '.join(names)})"
        if len(args) > len(names):
            raise EvaluationError(f"{self.name} takes {len(names)} argument(s), {len(args)} given", NOWHERE, CALLER, usage)
        bound = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key not in names:
                raise EvaluationError(f"{self.name} has no parameter '{key}'", NOWHERE, CALLER, did_you_mean(key, names) or usage)
            if key in bound:
                raise EvaluationError(f"argument '{key}' of {self.name} is given twice", NOWHERE, CALLER, usage)
            bound[key] = value
        missing = [n for n in names if n not in bound]
        if missing:
            raise EvaluationError(f"{self.name} is missing argument(s) {', '.join(repr(m) for m in missing)}", NOWHERE, CALLER, usage)
        return tuple(bound[n] for n in names)


# ---- a call made for one tuple of argument types (issue #16: the wrapper was 40 % of a refund) ----------


def _call_plan(function: _Checked, signature: tuple[type, ...]) -> Callable[..., Any]:
    """A function of the plain arguments, for arguments of these Python types, that converts each as its type
    requires (a text, a yes/no or a date needs nothing; an int becomes a Decimal; a race name is one dict
    probe) and gives the result back plain. Generated Python: no argument list, no converter loop. Anything
    unexpected (an unknown race, a non-finite Decimal) goes to `exact()`, which reports it as before.
    The source holds no user text: arguments are `a0, a1, ...`, and every value is passed in the namespace;
    codegen.generate_call compiles it (the one module allowed to)."""
    namespace: dict[str, Any] = {
        "_f": function._function, "_exact": function.exact, "_to_python": to_python, "_PLAIN": _PLAIN, "_Refused": _Refused,
        "_Decimal": Decimal, "_Money": Money,
    }
    names = [f"a{i}" for i in range(len(signature))]
    converted = []
    for i, ((_, kind), cls, convert) in enumerate(zip(function.params, signature, function._converters, strict=True)):
        if (kind in _TYPE_CHECKS and cls is _PLAIN_OF[kind]) or (kind == "number" and cls is int):
            # Settled by the type: the exact path accepted it (a number passed as int is made a Decimal).
            converted.append(f"_Decimal(a{i})" if kind == "number" else f"a{i}")
        elif kind == "race" and cls is str:
            namespace[f"_races{i}"] = function.unit.race_values.get
            converted.append(f"(_r{i} if (_r{i} := _races{i}(a{i})) is not None else _exact({', '.join(names)}))")
        else:
            namespace[f"_c{i}"] = convert
            converted.append(f"_c{i}(a{i})")
    from racepolicy.evaluation.codegen import generate_call

    return generate_call(names, converted, namespace)


def _signature(edition: Edition, name: str) -> tuple[tuple[tuple[str, str], ...], str]:
    """The parameters (name, kind) and the result kind of a callable of the edition."""
    if name in edition.rules:
        rule = edition.rules[name]
        return tuple((p.name, p.type) for p in rule.decl.params), rule.kind
    if name in edition.schedules:
        return (("date", "date"),), edition.schedules[name].kind
    if name in edition.tables:
        table = edition.tables[name]
        return tuple((p.name, p.type) for p in table.decl.params), table.kind
    if name in edition.bands:
        return (("value", "number"),), edition.bands[name].kind
    names = sorted(set(edition.rules) | set(edition.schedules) | set(edition.tables) | set(edition.bands))
    raise UnknownNameError(
        f"the {edition.label} edition has no rule '{name}'", NOWHERE, CALLER, did_you_mean(name, names) or f"rules: {', '.join(names) or 'none'}",
    )


def _plain_sanction(decision: Decision) -> int | Decimal | str:
    """A sanction as one plain value: the minutes of a time penalty, otherwise the kind of sanction."""
    return decision.minutes if decision.kind == "time" else decision.kind


RUNNERS = ("compiled", "interpreter")


class Rulebook:
    """One edition of a series as an embedder sees it: rules as plain callables, penalties as `Decision`s."""

    def __init__(self, edition: Edition, runner: str = "compiled") -> None:
        from racepolicy.evaluation.compiled import compile_edition

        if runner not in RUNNERS:
            raise EvaluationError(f"no runner '{runner}'", NOWHERE, CALLER, did_you_mean(runner, RUNNERS) or f"runners: {', '.join(RUNNERS)}")
        self.edition = edition
        self.runner = runner  # "compiled" (generated code) or "interpreter" (the reference tree walker)
        self.unit = compile_edition(edition)  # the races as values, and the penalty chart (the interpreter's rulebook too)
        self._rules: dict[str, RuleFunction] = {}
        self._known = set(edition.infractions) | set(edition.penalties)
        # A lone infraction's decision on a race, made once: the chart is finite and its answers constant.
        self._single: dict[tuple[str, str], Decision] = {}
        self._interpreted: Rulebook | None = None
        self._charts: dict[str, dict[str, int | Decimal | str]] = {}

    @property
    def name(self) -> str:
        """`series-year`, as `policies.edition(...)` takes it: "utmb-2022"."""
        return self.edition.key

    @property
    def title(self) -> str:
        return self.edition.title

    @property
    def year(self) -> int:
        return self.edition.year

    @property
    def currency(self) -> str:
        return self.edition.currency

    @property
    def races(self) -> tuple[str, ...]:
        return tuple(self.edition.races)

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(self.edition.rules)

    def __repr__(self) -> str:
        return f"<edition {self.name}>"

    def rule(self, name: str) -> RuleFunction:
        """A rule (or a schedule, table or band) as a plain callable; UnknownNameError when the edition has none of that name."""
        found = self._rules.get(name)
        if found is None:
            found = self._rules[name] = _rule_function(self, name)
        return found

    def interpreted(self) -> Rulebook:
        """The same edition with every rule and penalty evaluated by the interpreter, untraced: the reference
        runner, for checking the compiled one or when generated code is not wanted (slower; same answers, same errors)."""
        if self.runner == "interpreter":
            return self
        if self._interpreted is None:
            self._interpreted = Rulebook(self.edition, runner="interpreter")
        return self._interpreted

    def penalty_chart(self, race: str) -> dict[str, int | Decimal | str]:
        """Every infraction sanctioned on `race`, mapped to its sanction as one plain value, read by one dict lookup:
        the minutes of a time penalty (an int, or a Decimal for a fraction of a minute), otherwise the kind
        ("disqualify", "disqualify for life", "discretion", "as doping"). A plain `dict`, and a new one on every call
        (yours to keep or change): a lookup then costs what a dict lookup costs (issue #16: a dict subclass, read-only
        with a PolicyError for a missing key, cost a quarter more per lookup). An infraction it lacks is a KeyError;
        `penalty()` gives the whole `Decision` of one or more infractions, with its citations, and words every mistake
        as a PolicyError with a did-you-mean."""
        found = self._charts.get(race)
        if found is None:
            if race not in self.edition.races:
                raise self._unknown_race(race)
            # The chart's statements (`penalty_index`: the unconditional ones, as penalty() reads them), each through penalty().
            found = self._charts[race] = {
                infraction: _plain_sanction(self.penalty(infraction, race=race)) for infraction, on in self.unit.penalty_index if on == race
            }
        return dict(found)

    def penalty(self, *infractions: str, race: str) -> Decision:
        """The combined sanction for one or more infractions on a race, with the clauses it comes from."""
        if len(infractions) == 1:
            found = self._single.get((infractions[0], race))
            if found is not None:
                return found
        edition = self.edition
        if race not in edition.races:
            raise self._unknown_race(race)
        if not infractions:
            raise EvaluationError("name at least one infraction", NOWHERE, CALLER, 'e.g. penalty("missing_jacket", race="UTMB")')
        known = self._known
        for infraction in infractions:
            if infraction not in known:
                raise UnknownInfractionError(f"unknown infraction '{infraction}'", NOWHERE, CALLER, did_you_mean(infraction, known))
        if self.runner == "interpreter":
            return self._interpreted_penalty(infractions, race)
        sanction = self.unit.penalty(infractions, race, NOWHERE, CALLER)
        found = (self.unit.penalty_index.get((i, race)) for i in infractions)
        citations = tuple(dict.fromkeys(str(p.citation) for p in found if p is not None))
        decision = Decision.of(sanction, citations)
        if len(infractions) == 1 and (infractions[0], race) in self.unit.penalty_index:
            self._single[infractions[0], race] = decision
        return decision

    def _unknown_race(self, race: str) -> UnknownRaceError:
        races = self.edition.races
        return UnknownRaceError(f"unknown race '{race}' in {self.edition.label}", NOWHERE, CALLER, did_you_mean(race, races) or f"races: {', '.join(races)}")

    def _interpreted_penalty(self, infractions: tuple[str, ...], race: str) -> Decision:
        """`penalty()` by the interpreter, its arguments checked: the statements of the chart found and combined on every call."""
        from racepolicy.evaluation.interpreter import Evaluator

        edition = self.edition
        sanction = Evaluator(edition, CALLER, tracing=False).penalty(infractions, race, NOWHERE)
        found = (edition.penalty_for(i, race) for i in infractions)
        return Decision.of(sanction, tuple(dict.fromkeys(str(p.citation) for p in found if p is not None)))

    def ask(self, text: str, tracing: bool = True) -> Answer:
        """Answer one query on this edition (the same language as `racepolicy query`)."""
        from racepolicy.language.parser import parse_query
        from racepolicy.query.forms import answer

        source = Source("<query>", text)
        return answer(self.edition, parse_query(text, source.name), source, tracing=tracing, runner=self.runner)
