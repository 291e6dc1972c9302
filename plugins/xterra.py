"""The XTERRA Trail Run World Series plugin: age on 31 December, regional champions, calendar attributes, queries, validators."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from racepolicy import hookimpl
from racepolicy.evaluation.interpreter import Evaluator
from racepolicy.evaluation.model import Edition
from racepolicy.evaluation.values import Percent, RaceValue, Record, render
from racepolicy.language import ast
from racepolicy.language.errors import PolicyError, ValidationError
from racepolicy.language.source import NOWHERE, Span
from racepolicy.pluginapi.types import Function, QueryForm, Vocabulary

SERIES = "xterra"

# Seed 002 "Go Half or Go Full": the two distance classes (their kilometres live in the policy).
DISTANCE_CLASSES = ("Trail Half", "Trail Marathon")
# Seed 002 "What to Know Before Your Run": "separate age divisions for men and women".
SEXES = ("men", "women")
# Seed 002: divisions "ranging from 19U through 80+", and the PC division. The divisions between are the
# policy's reading (its band age_divisions), so they are not words of the series here.
DIVISIONS = ("19U", "80+", "Physically Challenged")

# The names this plugin's queries and validators look for in an xterra policy.
AGE_DIVISIONS_BAND = "age_divisions"
MULTIPLIER_BAND = "participation_multiplier"
TOP_POINTS_TABLE = "top_points"
BOTTOM_POINTS_TABLE = "bottom_points"

# The race attributes of the series calendar, with their kinds.
RACE_ATTRIBUTES = {
    "slots": "number",  # World Championship slots the event awards, all sexes and distances together
    "place": "text",
    "country": "text",
    "status": "text",  # "Entries open", "Dates not confirmed", "Qualification only"
    "championship": "text",  # the region whose championship the event is
    "slots_note": "text",  # why the slots do not split evenly, when they do not
}


# ---------------------------------------------------------------------------
# Domain functions
# ---------------------------------------------------------------------------


def age_on_december_31(birth: datetime.date, event: datetime.date) -> Decimal:
    """Age reached on 31 December of the event's year (seed 002: "your age on December 31 of the year of the event")."""
    if birth > event:
        raise ValueError(f"born {birth.isoformat()}, after the event on {event.isoformat()}")
    # Everyone born in a year is the same age on 31 December, so the birthday never matters.
    return Decimal(event.year - birth.year)


def first_from_region(finishers: tuple[Any, ...], region: str) -> str:
    """The first finisher, in finishing order, who represents `region` (seed 002: regional champions)."""
    for place, finisher in enumerate(finishers, start=1):
        if not isinstance(finisher, Record):
            raise ValueError(f"finisher {place} is not a record such as {{name: \"A\", region: \"{region}\"}}")
        try:
            if finisher.get("region") == region:
                return str(finisher.get("name"))
        except KeyError as missing:
            raise ValueError(f"finisher {place} has no {missing.args[0]}") from None
    return f"no finisher from {region}"


FUNCTIONS = [
    Function(
        "age_on_december_31", (("birth", "date"), ("event", "date")), "number", age_on_december_31,
        "age on 31 December of the event's year",
    ),
    Function(
        "first_from_region", (("finishers", "list"), ("region", "text")), "text", first_from_region,
        "first finisher, in finishing order, from the region",
    ),
]


# ---------------------------------------------------------------------------
# Query forms
# ---------------------------------------------------------------------------


def _require_rule(evaluator: Evaluator, name: str, signature: str) -> None:
    if name not in evaluator.edition.rules:
        raise evaluator.fail(f"the {evaluator.edition.label} policy has no rule '{signature}'", NOWHERE)


def _division(evaluator: Evaluator, args: Sequence[Any]) -> tuple[Any, str]:
    """`division BIRTH on DATE` or `division BIRTH at RACE`: the age division a runner races in."""
    usage = "ask as: division YYYY-MM-DD on YYYY-MM-DD, or division YYYY-MM-DD at RACE"
    if len(args) != 3 or not isinstance(args[0], datetime.date) or args[1] not in ("on", "at"):
        raise evaluator.fail(usage, NOWHERE)
    birth, _, when = args
    if isinstance(when, RaceValue):
        if "date" not in when.attributes:
            raise evaluator.fail(f"the {evaluator.edition.label} policy gives no date for {when.name}", NOWHERE)
        when = when.attributes["date"]
    if not isinstance(when, datetime.date):
        raise evaluator.fail(usage, NOWHERE)
    _require_rule(evaluator, "age_division", "age_division(birth, event)")
    division = evaluator.call_rule("age_division", [birth, when], NOWHERE)
    age = age_on_december_31(birth, when)
    return division, f"age {render(age)} on {when.year}-12-31"


_CLASS_WORDS = {"half": "Trail Half", "marathon": "Trail Marathon"}


def _points(evaluator: Evaluator, args: Sequence[Any]) -> tuple[Any, str]:
    """`points half 1 marathon 5 ...`: a season's points, base points per race times the participation bonus."""
    usage = "ask as: points half POSITION marathon POSITION ... (one distance and finishing position per race)"
    if not args or len(args) % 2:
        raise evaluator.fail(usage, NOWHERE)
    _require_rule(evaluator, "base_points", "base_points(class, position)")
    _require_rule(evaluator, "season_points", "season_points(base_total, races_completed)")
    span = NOWHERE
    total = Decimal(0)
    parts: list[str] = []
    for word, position in zip(args[0::2], args[1::2], strict=True):
        cls = _CLASS_WORDS.get(str(word).lower()) if isinstance(word, str) else None
        if cls is None or not isinstance(position, Decimal) or position < 1 or position != position.to_integral_value():
            raise evaluator.fail(usage, span)
        points = evaluator.call_rule("base_points", [cls, position], span)
        total += points
        parts.append(render(points))
    races = Decimal(len(parts))
    season = evaluator.call_rule("season_points", [total, races], span)
    return season, f"{' + '.join(parts)} = {render(total)} base points over {render(races)} race(s)"


QUERY_FORMS = [
    QueryForm("division", "division YYYY-MM-DD on YYYY-MM-DD | division YYYY-MM-DD at RACE", _division,
              "age division of a runner born on a date, for an event date or race"),
    QueryForm("points", "points half POSITION marathon POSITION ...", _points,
              "season points from one (distance, finishing position) pair per race"),
]


# ---------------------------------------------------------------------------
# Hook implementations
# ---------------------------------------------------------------------------


@hookimpl
def racepolicy_series() -> list[str]:
    return [SERIES]


@hookimpl
def racepolicy_vocabulary(series: str) -> Vocabulary | None:
    if series != SERIES:
        return None
    # Race names come from each edition's calendar; the categories are the series' own words.
    return Vocabulary(races=(), infractions=(), categories=(*DISTANCE_CLASSES, *SEXES, *DIVISIONS))


@hookimpl
def racepolicy_race_attributes(series: str) -> dict[str, str] | None:
    return dict(RACE_ATTRIBUTES) if series == SERIES else None


@hookimpl
def racepolicy_functions(series: str) -> list[Function] | None:
    return list(FUNCTIONS) if series == SERIES else None


@hookimpl
def racepolicy_query_forms(series: str) -> list[QueryForm] | None:
    return list(QUERY_FORMS) if series == SERIES else None


@hookimpl
def racepolicy_validate(edition: Edition) -> list[PolicyError] | None:
    if edition.series != SERIES:
        return None
    return [*_check_calendar(edition), *_check_age_divisions(edition), *_check_multiplier(edition), *_check_points(edition)]


# ---------------------------------------------------------------------------
# Validators
# ---------------------------------------------------------------------------


def _attribute_span(edition: Edition, race: str, attribute: str) -> Span:
    decl = edition.races[race].decl
    for attr in decl.attributes:
        if attr.name == attribute:
            return attr.span
    return decl.span


def _check_calendar(edition: Edition) -> list[PolicyError]:
    """Every event has a date in the edition's year and slots that split evenly four ways, or says why not."""
    errors: list[PolicyError] = []
    shares = len(SEXES) * len(DISTANCE_CLASSES)
    for name, race in edition.races.items():
        when = race.attributes.get("date")
        if when is None:
            errors.append(ValidationError(f"event {name} has no date", race.decl.span, edition.source, "add e.g. date 2023-05-06"))
        elif when.year != edition.year:
            errors.append(ValidationError(
                f"event {name} is dated {when.isoformat()}, outside the {edition.year} edition", _attribute_span(edition, name, "date"),
                edition.source, f"the calendar of xterra {edition.year} holds {edition.year} events only",
            ))
        slots = race.attributes.get("slots")
        if slots is None:
            errors.append(ValidationError(f"event {name} gives no slots", race.decl.span, edition.source, "add e.g. slots 116"))
            continue
        if slots < 0 or slots != slots.to_integral_value():
            errors.append(ValidationError(f"event {name} has {render(slots)} slots", _attribute_span(edition, name, "slots"), edition.source,
                                          "slots are a whole number"))
        elif slots % shares and "slots_note" not in race.attributes:
            # Seed 002: "Slots are split evenly between men and women and evenly across both distances."
            errors.append(ValidationError(
                f"{render(slots)} slots of {name} do not split evenly between men and women and across both distances "
                f"({render(slots / shares)} each)", _attribute_span(edition, name, "slots"), edition.source,
                'give a multiple of 4, or say why with slots_note "..."',
            ))
    return errors


def _check_age_divisions(edition: Edition) -> list[PolicyError]:
    """The age divisions cover every age from 0 without gap and end open ("80+"): nobody falls outside them."""
    band = edition.bands.get(AGE_DIVISIONS_BAND)
    if band is None:
        return []
    errors: list[PolicyError] = []
    expected = 0
    for row in band.decl.rows:
        if row.low != expected:
            missing = f"age {expected}" if row.low == expected + 1 else f"ages {expected} to {row.low - 1}"
            errors.append(ValidationError(
                f"age divisions leave {missing} without a division" if row.low > expected
                else f"age division {row.label} overlaps the one before it", row.span, edition.source,
                f"start this division at {expected}",
            ))
        if row.high is None:
            break
        expected = row.high + 1
    last = band.decl.rows[-1] if band.decl.rows else None
    if last is not None and last.high is not None:
        errors.append(ValidationError(
            f"the last age division {last.label} is closed, so older runners have no division", last.span, edition.source,
            f"write it open, as {last.low}+ (seed: \"through 80+\")",
        ))
    return errors


def _literal(expr: ast.Expr | None) -> Any:
    return expr.value if isinstance(expr, ast.Literal) else None


def _check_multiplier(edition: Edition) -> list[PolicyError]:
    """The participation bonus rises with every further race (seed 002: "The more races you complete, the more ...")."""
    band = edition.bands.get(MULTIPLIER_BAND)
    if band is None:
        return []
    errors: list[PolicyError] = []
    previous: Percent | None = None
    for row in band.decl.rows:
        value = _literal(row.value)
        if not isinstance(value, Percent):
            errors.append(ValidationError(f"the participation bonus for {row.label} races must be a percentage", row.span, edition.source,
                                          "write e.g. 110%"))
            continue
        if previous is not None and value.value <= previous.value:
            errors.append(ValidationError(
                f"the participation bonus does not rise from {previous} to {value} at {row.label} races", row.span, edition.source,
                "the more races a runner completes, the more the points are multiplied",
            ))
        previous = value
    return errors


def _table_values(edition: Edition, name: str) -> dict[str, tuple[Decimal, ast.TableRow]]:
    table = edition.tables.get(name)
    found: dict[str, tuple[Decimal, ast.TableRow]] = {}
    if table is None:
        return found
    for row in table.decl.rows:
        value = _literal(row.value)
        key = _literal(row.keys[0]) if len(row.keys) == 1 else None
        if isinstance(key, str) and isinstance(value, Decimal):
            found[key] = (value, row)
    return found


def _check_points(edition: Edition) -> list[PolicyError]:
    """Each distance's points range runs downward, and the Marathon's reaches higher than the Half's."""
    top = _table_values(edition, TOP_POINTS_TABLE)
    bottom = _table_values(edition, BOTTOM_POINTS_TABLE)
    errors: list[PolicyError] = []
    for cls, (high, row) in top.items():
        if cls in bottom and bottom[cls][0] > high:
            errors.append(ValidationError(
                f"{cls}: top points {render(high)} are below the bottom points {render(bottom[cls][0])}", row.span, edition.source,
                "the winner scores the top of the range",
            ))
    half, marathon = top.get(DISTANCE_CLASSES[0]), top.get(DISTANCE_CLASSES[1])
    if half and marathon and marathon[0] <= half[0]:
        # Seed 002 "Collect Points as You Run": "Trail Marathons carrying a higher points range than Trail Half Marathons".
        errors.append(ValidationError(
            f"Trail Marathon top points {render(marathon[0])} are not above the Trail Half's {render(half[0])}", marathon[1].span,
            edition.source, "Trail Marathons carry a higher points range than Trail Half Marathons",
        ))
    return errors
