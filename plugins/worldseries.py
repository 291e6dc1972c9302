"""The UTMB World Series plugin: tiers and distance categories, their order, geography, validators and the `qualify` query."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from racepolicy import hookimpl
from racepolicy.evaluation.interpreter import Evaluator
from racepolicy.evaluation.model import Edition, Table, cite
from racepolicy.evaluation.values import Length, render
from racepolicy.language import ast
from racepolicy.language.errors import EvaluationError, PolicyError, ValidationError
from racepolicy.language.source import Span
from racepolicy.pluginapi.types import Function, QueryForm, Vocabulary
from racepolicy.plugins.geography import continent_of, country_code

SERIES = "world-series"

# The distance categories, shortest first: "one category above or below" is one step here.
CATEGORIES = ("20K", "50K", "100K", "100M")
# The levels of events; policies name them as texts.
TIERS = ("major", "event", "index")
SEXES = ("men", "women")
FINALS_RACES = ("OCC", "CCC", "UTMB")
NO_FINALS = "none"
# Rules called by a query form are not written in the query: their trace entries cite the policy.
_CALL_SPAN = Span(1, 1, 1, 2)

_TIER_WORDS = {"major": "major", "majors": "major", "event": "event", "events": "event", "index": "index"}
_SEX_WORDS = {
    "men": "men", "man": "men", "male": "men", "m": "men",
    "women": "women", "woman": "women", "female": "women", "f": "women", "w": "women",
}
_ORDINAL_SUFFIXES = ("st", "nd", "rd", "th")

# ---------------------------------------------------------------------------
# Domain functions
# ---------------------------------------------------------------------------


def category_step(qualified_in: str, requested: str) -> Decimal:
    """Steps from one distance category to another: +1 one above, -1 one below, 0 the same."""
    return Decimal(_category_index(requested) - _category_index(qualified_in))


def _category_index(category: str) -> int:
    if category not in CATEGORIES:
        raise ValueError(f"unknown distance category '{category}' (categories: {', '.join(CATEGORIES)})")
    return CATEGORIES.index(category)


def calendar_year(day: datetime.date) -> Decimal:
    """The calendar year of a date: the qualification period a race falls in."""
    return Decimal(day.year)


def continent(country: str) -> str:
    """The continent of a country or territory, by the UN geoscheme (names in any usual English spelling, any case)."""
    found = continent_of(country)
    if found is None:
        raise ValueError(f"unknown country '{country}'; write it in English, e.g. \"France\", \"USA\", \"New Zealand\"")
    return found


def country_in(country: str, countries: tuple[Any, ...]) -> bool:
    """Whether a country is one of a list, however each is written ("usa", "United States" and "USA" are one country)."""
    code = country_code(country)
    if code is None and continent_of(country) is None:
        raise ValueError(f"unknown country '{country}'; write it in English, e.g. \"France\", \"USA\", \"New Zealand\"")
    return any((country_code(str(other)) or str(other).casefold()) == (code or country.casefold()) for other in countries)


FUNCTIONS = [
    Function("category_step", (("qualified_in", "text"), ("requested", "text")), "number", category_step,
             "steps between two distance categories on 20K < 50K < 100K < 100M"),
    Function("calendar_year", (("day", "date"),), "number", calendar_year, "the calendar year of a date"),
    Function("continent", (("country", "text"),), "text", continent, "continent of a country (UN geoscheme)"),
    Function("country_in", (("country", "text"), ("countries", "list")), "bool", country_in,
             "whether a country is one of a list, however each is written (ISO 3166 names and codes)"),
]


# ---------------------------------------------------------------------------
# Hooks: series, vocabulary, functions
# ---------------------------------------------------------------------------


@hookimpl
def racepolicy_series() -> list[str]:
    return [SERIES]


@hookimpl
def racepolicy_vocabulary(series: str) -> Vocabulary | None:
    if series != SERIES:
        return None
    return Vocabulary(races=FINALS_RACES, infractions=(), categories=CATEGORIES)


@hookimpl
def racepolicy_functions(series: str) -> list[Function] | None:
    if series != SERIES:
        return None
    return list(FUNCTIONS)


# ---------------------------------------------------------------------------
# Query forms
# ---------------------------------------------------------------------------


def normalise_words(args: Sequence[Any]) -> list[Any]:
    """Glue what the query lexer split: `100 K` -> "100K", `7 th` -> 7; `100m` (a length) -> "100M"."""
    words: list[Any] = []
    for arg in args:
        previous = words[-1] if words else None
        if isinstance(arg, str) and isinstance(previous, Decimal):
            # `100km` and `100 km` are the 100K category: the lexer reads a number then the word `km`.
            unit = {"K": "K", "KM": "K", "M": "M", "MI": "M", "MILES": "M"}.get(arg.upper())
            if unit is not None:
                words[-1] = f"{previous}{unit}"
                continue
            if arg.lower() in _ORDINAL_SUFFIXES:
                continue
        if isinstance(arg, Length) and arg.unit == "m":
            # `100m` reads as a length of 100 metres; no race is that short, so it means 100 miles.
            words.append(f"{arg.metres}M")
            continue
        if isinstance(arg, Length) and arg.unit == "km":
            words.append(f"{arg.metres / 1000:f}".rstrip("0").rstrip(".") + "K")
            continue
        words.append(arg.upper() if isinstance(arg, str) and arg.upper() in CATEGORIES else arg)
    return words


def _verb_span(verb: str) -> Span:
    """Where a query form's error points: its verb, which opens the query (handlers see values, not spans)."""
    return Span(1, 1, 1, 1 + len(verb))


def _usage_error(evaluator: Evaluator, message: str, usage: str) -> EvaluationError:
    verb = usage.split()[0]
    return evaluator.fail(message, _verb_span(verb), f"ask as: {usage}")


def _need_rule(evaluator: Evaluator, name: str) -> None:
    if name not in evaluator.edition.rules:
        raise evaluator.fail(f"the {evaluator.edition.label} policy has no rule '{name}'", Span(1, 1, 1, 2),
                             "this query needs a world-series policy that defines it")


QUALIFY_USAGE = "qualify major|event|index 20K|50K|100K|100M men|women RANK"


def _qualify(evaluator: Evaluator, args: Sequence[Any]) -> tuple[str, str]:
    """`qualify major 100K women 7`: the Finals race a ranking gives, by the rule that decides."""
    words = normalise_words(args)
    if len(words) != 4:
        raise _usage_error(evaluator, f"qualify takes a tier, a category, a sex and a rank; {len(words)} given", QUALIFY_USAGE)
    tier_word, category, sex_word, rank = words
    tier = _TIER_WORDS.get(str(tier_word).lower())
    if tier is None:
        raise _usage_error(evaluator, f"unknown tier '{tier_word}' (tiers: {', '.join(TIERS)})", QUALIFY_USAGE)
    if category not in CATEGORIES:
        raise _usage_error(evaluator, f"unknown distance category '{category}' (categories: {', '.join(CATEGORIES)})", QUALIFY_USAGE)
    sex = _SEX_WORDS.get(str(sex_word).lower())
    if sex is None:
        raise _usage_error(evaluator, f"unknown ranking '{sex_word}' (rankings: men, women)", QUALIFY_USAGE)
    if not isinstance(rank, Decimal) or rank != rank.to_integral_value() or rank < 1:
        raise _usage_error(evaluator, f"the rank must be a whole number from 1, not '{rank}'", QUALIFY_USAGE)
    _need_rule(evaluator, "finals_qualification")
    race = evaluator.call_rule("finals_qualification", [tier, category, sex, rank], _CALL_SPAN)
    how = f"rank {rank} of the {sex} in the {category} at {'an' if tier[0] in 'aeiou' else 'a'} {tier}"
    return race, (f"automatic qualification, {how}" if race != NO_FINALS else f"no automatic qualification, {how}")


FINALS_USAGE = "finals YYYY-MM-DD (the date of the qualifying race)"


def _finals(evaluator: Evaluator, args: Sequence[Any]) -> tuple[Any, str]:
    """`finals 2023-05-20`: the Finals years a qualifying race on that date counts for."""
    if len(args) != 1 or not isinstance(args[0], datetime.date):
        raise _usage_error(evaluator, "finals takes the date of one race", FINALS_USAGE)
    _need_rule(evaluator, "finals_years")
    years = evaluator.call_rule("finals_years", [args[0]], _CALL_SPAN)
    system = evaluator.call("qualification_system", [args[0]], _CALL_SPAN) if "qualification_system" in evaluator.edition.schedules else ""
    return years, str(system)


CHANGE_USAGE = "change 50K to 100K|CCC (from the category qualified in to the one requested, or its Finals race)"


def _count(n: int) -> str:
    return f"{n} word" if n == 1 else f"{n} words"


def _category_of_race(evaluator: Evaluator, word: Any) -> Any:
    """`CCC` -> "100K": a Finals race stands for its category, as the policy's finals_race table pairs them."""
    if not isinstance(word, str) or word.upper() not in FINALS_RACES or "finals_race" not in evaluator.edition.tables:
        return word
    decl = evaluator.edition.tables["finals_race"].decl
    for row in decl.rows:
        if isinstance(row.value, ast.Literal) and row.value.value == word.upper() and isinstance(row.keys[0], ast.Literal):
            category = row.keys[0].value
            evaluator.note("table", "finals_race", f"{word.upper()} is the Finals race of the {category} category", [("category", category)],
                           word.upper(), cite(evaluator.edition.source, decl, row, row.citation))
            return category
    return word


def _change(evaluator: Evaluator, args: Sequence[Any]) -> tuple[str, str]:
    """`change 50K to 100K`: the Finals race a runner may ask to move to, or "none"."""
    words = [_category_of_race(evaluator, w) for w in normalise_words(args) if w != "to"]
    if len(words) != 2:
        raise _usage_error(evaluator, f"change takes two distance categories (or a Finals race for the second); {_count(len(words))} given",
                           CHANGE_USAGE)
    for word in words:
        if word not in CATEGORIES:
            raise _usage_error(evaluator, f"change takes two distance categories: '{render(word)}' is neither a category ({', '.join(CATEGORIES)}) "
                               f"nor a Finals race ({', '.join(FINALS_RACES)})", CHANGE_USAGE)
    _need_rule(evaluator, "requested_finals_race")
    race = evaluator.call_rule("requested_finals_race", list(words), _CALL_SPAN)
    return race, ("may be requested; the Sport Committee decides" if race != NO_FINALS else "cannot be requested")


@hookimpl
def racepolicy_query_forms(series: str) -> list[QueryForm] | None:
    if series != SERIES:
        return None
    return [
        QueryForm("qualify", QUALIFY_USAGE, _qualify, "the Finals race an automatic-qualification rank gives", refusal=NO_FINALS),
        QueryForm("finals", FINALS_USAGE, _finals, "the Finals years a race on a date counts for"),
        QueryForm("change", CHANGE_USAGE, _change, "whether a change of category may be requested, and to which Finals race",
                  refusal=NO_FINALS),
    ]


# ---------------------------------------------------------------------------
# Validators
# ---------------------------------------------------------------------------


class _Rows:
    """The literal rows of one table: keys and values, for the validators."""

    def __init__(self, edition: Edition, table: Table) -> None:
        self.table = table
        self.rows: dict[tuple[Any, ...], tuple[Any, ast.TableRow]] = {}
        evaluator = Evaluator(edition, tracing=False)
        for row in table.decl.rows:
            keys = tuple(k.value if isinstance(k, ast.Literal) else k.name for k in row.keys)
            try:
                value = evaluator.evaluate(row.value, {})
            except PolicyError:
                value = None  # not a constant: the validators leave such rows alone
            self.rows[keys] = (value, row)

    def value(self, *keys: Any) -> Any:
        found = self.rows.get(tuple(keys))
        return found[0] if found else None

    def row(self, *keys: Any) -> ast.TableRow | None:
        found = self.rows.get(tuple(keys))
        return found[1] if found else None


def _table(edition: Edition, name: str, errors: list[PolicyError], why: str) -> _Rows | None:
    table = edition.tables.get(name)
    if table is None:
        span = edition.policy.header.span if edition.policy.header else Span(1, 1, 1, 2)
        errors.append(ValidationError(f"the {edition.label} policy has no table '{name}'", span, edition.source, why))
        return None
    return _Rows(edition, table)


def _check_finals_races(edition: Edition, errors: list[PolicyError]) -> _Rows | None:
    rows = _table(edition, "finals_race", errors, "add `table finals_race(category)` giving each category's Finals race")
    if rows is None:
        return None
    for keys, (value, row) in rows.rows.items():
        if len(keys) == 1 and keys[0] not in CATEGORIES:
            errors.append(ValidationError(
                f"finals_race names an unknown distance category '{keys[0]}'", row.keys[0].span, edition.source,
                f"categories: {', '.join(CATEGORIES)}",
            ))
        elif value is not None and value != NO_FINALS and value not in FINALS_RACES:
            errors.append(ValidationError(
                f"'{value}' is not a Finals race", row.value.span, edition.source, f"Finals races: {', '.join(FINALS_RACES)}, or \"{NO_FINALS}\"",
            ))
        elif value == NO_FINALS and row.citation is None:
            # A category without a Finals race is a decision of the regulation: say where it is written.
            errors.append(ValidationError(
                f"category '{keys[0]}' has no Finals race but the row does not say why", row.span, edition.source,
                'cite the regulation sentence with § "..."',
            ))
    for category in CATEGORIES:
        if rows.row(category) is None:
            errors.append(ValidationError(
                f"category '{category}' has no Finals race and the policy does not say why", rows.table.decl.span, edition.source,
                f'add a row: "{category}" -> "OCC" (or CCC, UTMB), or "{category}" -> "{NO_FINALS}" § "the sentence that says so"',
            ))
    return rows


def _check_tiers(edition: Edition, errors: list[PolicyError]) -> None:
    stones = _table(edition, "running_stones_multiplier", errors, "add `table running_stones_multiplier(tier)` for each tier")
    places = _table(edition, "automatic_places", errors, "add `table automatic_places(tier, sex)` for each tier and sex")
    for tier in TIERS:
        if stones is not None and stones.row(tier) is None:
            errors.append(ValidationError(
                f"tier '{tier}' has no Running Stones row", stones.table.decl.span, edition.source, f'add a row: "{tier}" -> N',
            ))
        for sex in SEXES:
            if places is not None and places.row(tier, sex) is None:
                errors.append(ValidationError(
                    f"tier '{tier}' has no automatic places for the {sex}", places.table.decl.span, edition.source,
                    f'add a row: "{tier}", "{sex}" -> N (0 if none)',
                ))


def _check_major_total(edition: Edition, finals: _Rows | None, errors: list[PolicyError]) -> None:
    """The top-N places of a Major, over every Finals category and both sexes, fit in its total."""
    places = edition.tables.get("automatic_places")
    total_rule = edition.rules.get("automatic_qualifiers_per_major")
    if places is None or total_rule is None or finals is None:
        return
    rows = _Rows(edition, places)
    try:
        total = Evaluator(edition, tracing=False).evaluate(total_rule.decl.body, {})
    except PolicyError:
        return
    categories = sum(1 for c in CATEGORIES if finals.value(c) not in (None, NO_FINALS))
    per_category = [rows.value("major", sex) for sex in SEXES]
    if not isinstance(total, Decimal) or not all(isinstance(p, Decimal) for p in per_category):
        return
    needed = sum(per_category) * categories
    if needed > total:
        row = rows.row("major", SEXES[0]) or places.decl
        errors.append(ValidationError(
            f"a Major's top places need {needed} qualifiers ({' + '.join(str(p) for p in per_category)} in each of "
            f"{categories} categories) but automatic_qualifiers_per_major is {total}", row.span, edition.source,
            "the seed's total includes the top places and the age-group winners",
        ))


def _check_thresholds(edition: Edition, errors: list[PolicyError]) -> None:
    """Free entry never asks less than paid entry, and Region 1 never less than Region 2."""
    free_table = edition.tables.get("free_entry_index")
    paid_table = edition.tables.get("paid_entry_index")
    if free_table is None or paid_table is None:
        return
    free, paid = _Rows(edition, free_table), _Rows(edition, paid_table)
    for category in CATEGORIES:
        for sex in SEXES:
            chain = [
                ("free entry", free.value(category, sex), free.row(category, sex)),
                ("paid entry in Region 1", paid.value(Decimal(1), category, sex), paid.row(Decimal(1), category, sex)),
                ("paid entry in Region 2", paid.value(Decimal(2), category, sex), paid.row(Decimal(2), category, sex)),
            ]
            known = [(label, value, row) for label, value, row in chain if isinstance(value, Decimal) and row is not None]
            for (high_label, high, _), (low_label, low, row) in itertools.pairwise(known):
                if low > high:
                    errors.append(ValidationError(
                        f"{category} {sex}: {low_label} asks an index of {low}, more than {high_label} ({high})",
                        row.value.span, edition.source, "a better access must never be easier to reach",
                    ))


@hookimpl
def racepolicy_validate(edition: Edition) -> list[PolicyError] | None:
    if edition.series != SERIES:
        return None
    errors: list[PolicyError] = []
    finals = _check_finals_races(edition, errors)
    _check_tiers(edition, errors)
    _check_major_total(edition, finals, errors)
    _check_thresholds(edition, errors)
    return errors
