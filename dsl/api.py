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
import inspect
import os
import weakref
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs
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
            if type(value) is str:
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
    if kind in ("date", "text", "bool"):
        cls = {"date": datetime.date, "text": str, "bool": bool}[kind]
        return lambda value: _checked(value, cls)
    if kind == "record":
        return lambda value: _checked(_from_python(value), Record) if isinstance(value, Mapping) else _refuse()
    if kind == "list":
        return lambda value: _from_python(value) if isinstance(value, list | tuple) else _refuse()
    return _from_python


# Kinds whose converter only checks the Python type (so a call with types seen before needs none).
_TYPE_CHECKS = frozenset({"date", "text", "bool"})


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


class RuleFunction:
    """A rule (or schedule, table, band) of one edition as a plain Python callable, evaluated by generated code."""

    def __init__(self, rulebook: Rulebook, name: str) -> None:
        edition, unit = rulebook.edition, rulebook.unit
        self.rulebook = rulebook  # keeps the edition (and its compiled form) alive while the callable is held
        self.name = name
        self.params, self.kind = _signature(edition, name)
        self.currency = edition.currency  # the currency of any money it returns, whose amount comes out as a Decimal
        self._converters = [_converter(kind, unit) for _, kind in self.params]
        self._count = len(self.params)
        self._plans: dict[tuple[type, ...], Callable[..., Any]] = {}  # argument types -> the call made for them (_call_plan)
        self._warm = True  # the rule's code is generated (or it has none to generate): calls made for argument types are worth making
        if name in edition.rules:
            # ---- warm-up (issue #16): the first calls of a rule are interpreted, see _warming_up
            self._function = self._warming_up
            self._warm = False
        else:
            invoke, source = unit.invoker(name), edition.source
            table = edition.schedules.get(name) or edition.tables.get(name) or edition.bands.get(name)
            span = table.decl.span if table is not None else NOWHERE
            self._function = lambda *args: invoke(args, span, source)
        self.__signature__ = inspect.Signature([inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD) for p, _ in self.params])
        self.__doc__ = f"{edition.label}: {name}({', '.join(f'{p}: {k}' for p, k in self.params)}) -> {self.kind}"

    def __repr__(self) -> str:
        return f"<rule {self.name} of {self.rulebook.name}>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Evaluate with plain values (by position or by parameter name); returns a plain value."""
        if not kwargs:
            plan = self._plans.get(tuple(map(type, args)))
            if plan is not None:
                return plan(*args)  # arguments of these types were converted before: the call made for them
        return to_python(self.exact(*args, **kwargs))
    def exact(self, *args: Any, **kwargs: Any) -> Any:
        """The same call, with the language's own value as the result (a Money keeps its currency)."""
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
        if not kwargs and len(self._plans) < 64 and self._warm:
            signature = tuple(map(type, args))
            if signature not in self._plans:
                self._plans[signature] = _call_plan(self, signature)
        return self._function(*values)

    def _warming_up(self, *values: Any) -> Any:
        """A rule's first calls, evaluated by the interpreter; from the WARM_UP_CALLS-th on, its generated code.

        Generating and compiling a rule's code costs as much as many interpreted calls, so a policy loaded for
        one or two answers (`racepolicy.loads(text)...rule(...)(x)`) never pays it. The interpreter is the
        reference the generated code falls back to whenever it gives up (and what runs a rule whose calls could
        exceed the step budget), so the answers and errors are the same.
        """
        from racepolicy.evaluation.compiled import _too_deep
        from racepolicy.evaluation.interpreter import Evaluator

        unit, name = self.rulebook.unit, self.name
        # Counted per edition, not per callable: `policies.edition(...)` makes a new Rulebook each time it is called.
        calls = _WARM_UP_COUNTS.setdefault(unit, {})
        calls[name] = count = calls.get(name, 0) + 1
        if count >= WARM_UP_CALLS:
            self._function, self._warm = unit.rule(name), True
            return self._function(*values)
        span, source = unit.edition.rules[name].decl.span, unit.source
        try:
            return Evaluator(unit.edition, source, tracing=False).call_rule(name, values, span)
        except RecursionError:
            raise _too_deep(span, source) from None

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


# Calls of a rule through the API that the interpreter answers before the rule's code is generated (RuleFunction._warming_up).
WARM_UP_CALLS = 3
# The calls made so far of each rule of an edition's compiled form, while they are interpreted; freed with the edition.
_WARM_UP_COUNTS: weakref.WeakKeyDictionary[CompiledEdition, dict[str, int]] = weakref.WeakKeyDictionary()


# ---- a call made for one tuple of argument types (issue #16: the wrapper was 40 % of a refund) ----------


def _call_plan(function: RuleFunction, signature: tuple[type, ...]) -> Callable[..., Any]:
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
        if kind in _TYPE_CHECKS or (kind == "number" and cls is int):
            # Settled by the type: the exact path accepted it (a number passed as int is made a Decimal).
            converted.append(f"_Decimal(a{i})" if kind == "number" else f"a{i}")
        elif kind == "race" and cls is str:
            namespace[f"_races{i}"] = function.rulebook.unit.race_values.get
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


class Rulebook:
    """One edition of a series as an embedder sees it: rules as plain callables, penalties as `Decision`s."""

    def __init__(self, edition: Edition) -> None:
        from racepolicy.evaluation.compiled import compile_edition

        self.edition = edition
        self.unit = compile_edition(edition)
        self._rules: dict[str, RuleFunction] = {}
        self._known = set(edition.infractions) | set(edition.penalties)
        # A lone infraction's decision on a race, made once: the chart is finite and its answers constant.
        self._single: dict[tuple[str, str], Decision] = {}

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
            found = self._rules[name] = RuleFunction(self, name)
        return found

    def penalty(self, *infractions: str, race: str) -> Decision:
        """The combined sanction for one or more infractions on a race, with the clauses it comes from."""
        if len(infractions) == 1:
            found = self._single.get((infractions[0], race))
            if found is not None:
                return found
        edition = self.edition
        if race not in edition.races:
            raise UnknownRaceError(
                f"unknown race '{race}' in {edition.label}", NOWHERE, CALLER, did_you_mean(race, edition.races) or f"races: {', '.join(edition.races)}",
            )
        if not infractions:
            raise EvaluationError("name at least one infraction", NOWHERE, CALLER, 'e.g. penalty("missing_jacket", race="UTMB")')
        known = self._known
        for infraction in infractions:
            if infraction not in known:
                raise UnknownInfractionError(f"unknown infraction '{infraction}'", NOWHERE, CALLER, did_you_mean(infraction, known))
        sanction = self.unit.penalty(infractions, race, NOWHERE, CALLER)
        found = (self.unit.penalty_index.get((i, race)) for i in infractions)
        citations = tuple(dict.fromkeys(str(p.citation) for p in found if p is not None))
        decision = Decision.of(sanction, citations)
        if len(infractions) == 1 and (infractions[0], race) in self.unit.penalty_index:
            self._single[infractions[0], race] = decision
        return decision

    def ask(self, text: str, tracing: bool = True) -> Answer:
        """Answer one query on this edition (the same language as `racepolicy query`)."""
        from racepolicy.language.parser import parse_query
        from racepolicy.query.forms import answer

        source = Source("<query>", text)
        return answer(self.edition, parse_query(text, source.name), source, tracing=tracing, runner="compiled")
