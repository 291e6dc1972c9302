"""Which edition answers a query: the one that declares every name it uses, of the year of its dates, and why."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

import attrs
from racepolicy.evaluation.builtins import BUILTINS
from racepolicy.evaluation.model import Edition
from racepolicy.language import ast
from racepolicy.language.errors import QueryError, UnknownInfractionError, UnknownNameError, UnknownRaceError
from racepolicy.language.source import Source
from racepolicy.query.suggest import suggest

_WHAT = {"race": "race", "infraction": "infraction"}
# Words every edition understands in an expression.
_ALWAYS = frozenset(("year", "true", "false", "title"))


@attrs.frozen
class Route:
    """The edition chosen for a query, with what the jury must be told about the choice."""

    edition: Edition
    note: str = ""  # why an edition other than the newest answered
    warnings: tuple[str, ...] = ()


def declares(edition: Edition, name: str) -> bool:
    """The edition itself declares the name (a series vocabulary alone is not enough to answer with it)."""
    return (
        name in edition.races or name in edition.groups or name in edition.infractions or name in edition.penalties
        or name in edition.callables() or name in edition.query_forms or name in edition.attribute_kinds
        or name in _ALWAYS or name in BUILTINS
    )


def _verb_known(edition: Edition, verb: str) -> bool:
    from racepolicy.query.gear import GEAR_FORMS

    gear = verb in GEAR_FORMS and bool(edition.checklists)  # the core's equipment forms, where an edition has checklists
    return gear or verb in edition.query_forms or verb in edition.attribute_kinds or verb == "title"


@attrs.frozen
class _Needs:
    """What a query asks of an edition: names it must declare, each with its role, and words that help choose."""

    required: dict[str, str]  # name -> role: "race", "infraction", "query" or "name"
    helpful: frozenset[str]  # plugin query-form words that, when an edition declares them, point to it
    verb: str | None


def _needs(query: ast.Query, given: Iterable[str]) -> _Needs:
    bound = {b.name for b in query.given} | set(given)
    required: dict[str, str] = {}
    helpful: set[str] = set()
    verb = None
    if isinstance(query, ast.PenaltyQuery):
        required.update(dict.fromkeys(query.infractions, "infraction"))
        required[query.race] = "race"
    elif isinstance(query, ast.EligibleQuery):
        required[query.race] = "race"
    elif isinstance(query, ast.FormQuery):
        verb = query.verb
        names = [a.name for a in query.args if isinstance(a, ast.Name)]
        helpful |= set(names)
    if not isinstance(query, ast.FormQuery):
        # Inside `LIST where CONDITION`, `item` and the items' fields are names of the list, not of an edition.
        wheres = [w for w in query.find_all(ast.Where) if isinstance(w, ast.Where)]
        local = {id(n) for w in wheres for n in (w.condition, *w.condition.find_all(ast.Name)) if isinstance(n, ast.Name)}
        for node in query.find_all(ast.Name):
            assert isinstance(node, ast.Name)
            if id(node) in local:
                helpful.add(node.name)
                continue
            required.setdefault(node.name, "name")
        for node in query.find_all(ast.Call):
            assert isinstance(node, ast.Call)
            required.setdefault(node.function, "name")
    else:
        for binding in query.given:
            for node in binding.find_all(ast.Name):
                assert isinstance(node, ast.Name)
                required.setdefault(node.name, "name")
    return _Needs({k: v for k, v in required.items() if k not in bound}, frozenset(helpful - bound), verb)


def query_dates(query: ast.Query) -> list[datetime.date]:
    """The dates written in a query, in order (a refund's cancellation date, an event date)."""
    dates = []
    for node in query.find_all(ast.Literal):
        assert isinstance(node, ast.Literal)
        if isinstance(node.value, datetime.date):
            dates.append(node.value)
    return dates


def _newest_by_series(editions: Iterable[Edition]) -> dict[str, Edition]:
    newest: dict[str, Edition] = {}
    for edition in editions:
        if edition.series not in newest or edition.year > newest[edition.series].year:
            newest[edition.series] = edition
    return newest


def _date_warning(edition: Edition, dates: list[datetime.date], editions: Mapping[str, Edition]) -> tuple[str, ...]:
    """A pinned edition asked about a date of another edition's year: say so, never answer silently."""
    if not dates or any(d.year == edition.year for d in dates):
        return ()
    others = [e for e in editions.values() if e.series == edition.series and any(d.year == e.year for d in dates)]
    if not others:
        return ()
    shown = ", ".join(d.isoformat() for d in dates)
    return (f"the query's date ({shown}) is in the year of {others[0].label}, but {edition.label} answered "
            f"(the rules of that year are in {others[0].key})",)


def pinned(edition: Edition, query: ast.Query, editions: Mapping[str, Edition]) -> Route:
    return Route(edition, warnings=_date_warning(edition, query_dates(query), editions))


def route(editions: Mapping[str, Edition], query: ast.Query, source: Source, given: Iterable[str] = ()) -> Route:
    """The edition that answers a query asked without --edition, or a located error naming the editions searched."""
    if not editions:
        raise QueryError("no policy is loaded", hint="load a .policy file or folder first")
    from racepolicy.query.forms import word_span
    from racepolicy.query.gear import GEAR_FORMS

    needs = _needs(query, given)
    pool = list(editions.values())
    searched = ", ".join(sorted(editions))
    if needs.verb is not None:
        pool = [e for e in pool if _verb_known(e, needs.verb)]
        if not pool:
            verbs = sorted({v for e in editions.values() for v in (*e.query_forms, *e.attribute_kinds)} | {"penalty", "eligible"}
                           | {v for e in editions.values() if e.checklists for v in GEAR_FORMS})
            from racepolicy.language.errors import did_you_mean

            raise QueryError(
                f"no loaded edition has a query '{needs.verb}' (searched: {searched})", word_span(source, query, needs.verb), source,
                did_you_mean(needs.verb, verbs) or f"queries: {', '.join(verbs)}; 'racepolicy describe' lists each edition's",
            )
        # A plugin's query form answers more than a race attribute of the same name (`assistance at PLACE`).
        pool = [e for e in pool if needs.verb in e.query_forms] or pool
        if all(needs.verb not in e.query_forms for e in pool) and len(query.args) == 1 and isinstance(query.args[0], ast.Name):
            # `fee PTL`: a race attribute asks about a race, which some edition must declare.
            needs.required[query.args[0].name] = "race"
    # A name no loaded edition declares cannot be answered: say so here, before any edition rejects it in its own words.
    for name, role in needs.required.items():
        if not any(declares(e, name) for e in editions.values()):
            # A race can only be in an edition with races, an infraction in one with a chart: the others were not searched.
            holding = {k: e for k, e in editions.items() if (e.races if role == "race" else e.penalties if role == "infraction" else True)}
            raise _unknown(name, role, holding or editions, query, source, ", ".join(sorted(holding or editions)))
    complete = [e for e in pool if all(declares(e, n) for n in needs.required)]
    if not complete:
        # Every name is known somewhere, but no edition knows them all: the one that knows most answers, and says what it lacks.
        ranked = sorted(pool, key=lambda e: (-sum(declares(e, n) for n in needs.required), -sum(declares(e, n) for n in needs.helpful),
                                             not e.races, -e.year, e.series))
        chosen = ranked[0]
        lacking = next(n for n in needs.required if not declares(chosen, n))
        holders = [e for e in editions.values() if declares(e, lacking)]
        others = [n for n in needs.required if n != lacking and not declares(holders[0], n)]
        error = {"race": UnknownRaceError, "infraction": UnknownInfractionError}.get(needs.required[lacking], UnknownNameError)
        raise error(
            f"unknown {_WHAT.get(needs.required[lacking], 'name')} '{lacking}' in {chosen.label}: no loaded edition knows all of "
            f"{', '.join(repr(n) for n in needs.required)}",
            word_span(source, query, lacking), source,
            f"'{lacking}' is in {', '.join(e.key for e in holders)}" + (f", which has no {', '.join(repr(n) for n in others)}" if others else ""),
        )
    helped = max(sum(declares(e, n) for n in needs.helpful) for e in complete)
    complete = [e for e in complete if sum(declares(e, n) for n in needs.helpful) == helped]
    newest = _newest_by_series(editions.values())
    dates = query_dates(query)
    of_the_date = [e for e in complete if any(d.year == e.year for d in dates)]
    if of_the_date:
        chosen = max(of_the_date, key=lambda e: e.year)
        latest = newest[chosen.series]
        date = next(d for d in dates if d.year == chosen.year)
        note = f"the edition of the year of {date.isoformat()}; the newest is {latest.label}" if chosen is not latest else ""
        return Route(chosen, note=note)
    ranked = sorted(complete, key=lambda e: (not e.races, e is not newest[e.series], -e.year, e.series))
    chosen = ranked[0]
    latest = newest[chosen.series]
    note = ""
    if chosen is not latest:
        missing = [n for n in needs.required if not declares(latest, n)]
        note = f"{latest.label}, the newest, has no {', '.join(repr(m) for m in missing)}"
    return Route(chosen, note=note, warnings=_date_warning(chosen, dates, editions))


def _unknown(name: str, role: str, editions: Mapping[str, Edition], query: ast.Query, source: Source, searched: str) -> QueryError:
    from racepolicy.query.forms import word_span

    span = word_span(source, query, name)
    in_vocabulary = sorted({
        e.series for e in editions.values()
        if e.vocabulary is not None and (name in e.vocabulary.races or name in e.vocabulary.infractions)
    })
    if in_vocabulary:
        hint = f"'{name}' is a word of the {', '.join(in_vocabulary)} series, but no loaded edition encodes it"
    else:
        newest = sorted(editions.values(), key=lambda e: (-e.year, e.series))
        kinds = {"race": ["race"], "infraction": ["infraction"]}.get(role)
        hint = next((h for h in (suggest(name, e, kinds) for e in newest) if h), "")
        if not hint and role == "race":
            from racepolicy.query.forms import _some

            hint = _some("races", list(dict.fromkeys(r for e in newest for r in e.races)))
        hint = hint or "'racepolicy describe' lists what each edition knows"
    what = _WHAT.get(role, "name")
    error = {"race": UnknownRaceError, "infraction": UnknownInfractionError}.get(role, UnknownNameError)
    return error(f"unknown {what} '{name}': no loaded edition knows it (searched: {searched})", span, source, hint)
