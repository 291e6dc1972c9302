"""Richer sanctions (issue #11 item 4): immediate disqualification, fixed-term bans, named deciders, no penalty, `when` lines."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from racepolicy.evaluation.values import Sanction
from racepolicy.language import ast
from racepolicy.language.errors import EvaluationError, PolicyError, PolicyErrors
from racepolicy.language.parser import parse_policy
from racepolicy.language.source import Source
from racepolicy.query.answer import Answer
from racepolicy.query.policyset import RUNNERS, PolicySet
from racepolicy.tools.formatter import format_policy

HEADER = 'edition demo 2024 "Demo regulations" currency EUR\n'

CHART = HEADER + '''
race LONG: fee 200 EUR
race SHORT: fee 40 EUR
group all_races = LONG, SHORT
infraction missing_jacket "no waterproof jacket"
infraction cheating "Cheating"
infraction no_chip "No electronic chip"
infraction short_cut "Short-cutting"
infraction doping "Doping"
infraction littering "Discarding of rubbish"
infraction tampering "Tampering with the course"
penalty missing_jacket on LONG = disqualify § "Disqualification"
penalty missing_jacket on SHORT = disqualify immediately § "Immediate disqualification"
penalty cheating on all = disqualify immediately for life § "Immediate disqualification for life"
penalty doping on all = disqualify for 2 years § "a two-year ban"
penalty tampering on all = disqualify immediately for 18 months
penalty no_chip on all = discretion of "the Race Jury" § "Depending on the Race Jury"
penalty short_cut on all = discretion
penalty littering on all = no penalty § "no penalty for an involuntary act"
penalty littering on all = 1h when runner.voluntary § "voluntary act: 1 hour penalty"
penalty littering on SHORT = 30min when runner.voluntary and race.fee < 50 EUR
'''


@pytest.fixture(scope="module")
def chart() -> PolicySet:
    policies = PolicySet()
    policies.add(Source("chart.policy", CHART))
    return policies


@pytest.fixture(params=RUNNERS)
def q(request: pytest.FixtureRequest, chart: PolicySet) -> Callable[[str], Answer]:
    def _ask(query: str) -> Answer:
        return chart.ask(query, runner=request.param)

    return _ask


def load(body: str) -> PolicySet:
    policies = PolicySet()
    policies.add(Source("inline.policy", HEADER + body))
    return policies


# ---- parse -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "expected"), [
    ("disqualify immediately", ast.SanctionExpr(kind="disqualify", immediate=True)),
    ("disqualify immediately for life", ast.SanctionExpr(kind="life", immediate=True)),
    ("disqualify for 2 years", ast.SanctionExpr(kind="ban", ban_months=24)),
    ("disqualify for 1 year", ast.SanctionExpr(kind="ban", ban_months=12)),
    ("disqualify for 18 months", ast.SanctionExpr(kind="ban", ban_months=18)),
    ("disqualify immediately for 6 months", ast.SanctionExpr(kind="ban", ban_months=6, immediate=True)),
    ('discretion of "the Race Jury"', ast.SanctionExpr(kind="discretion", decider="the Race Jury")),
    ("no penalty", ast.SanctionExpr(kind="none")),
])
def test_each_new_sanction_parses_to_its_ast(written: str, expected: ast.SanctionExpr) -> None:
    statement = parse_policy(HEADER + f"penalty a on X = {written}").statements[0]
    assert isinstance(statement, ast.PenaltyDecl) and statement.sanction == expected


def test_a_when_condition_parses_between_the_sanction_and_the_citation() -> None:
    statement = parse_policy(HEADER + 'penalty a on X = 1h when runner.voluntary § "voluntary"').statements[0]
    assert isinstance(statement, ast.PenaltyDecl)
    assert statement.condition == ast.Field(subject=ast.Name(name="runner"), name="voluntary")
    assert statement.citation is not None and statement.citation.text == "voluntary"


# ---- evaluate, under both runners -------------------------------------------------------------------


@pytest.mark.parametrize(("query", "text", "value"), [
    ("penalty missing_jacket on LONG", "disqualification", Sanction(disqualified=True)),
    ("penalty missing_jacket on SHORT", "immediate disqualification", Sanction(disqualified=True, immediate=True)),
    ("penalty cheating on LONG", "immediate disqualification for life", Sanction(disqualified=True, for_life=True, immediate=True)),
    ("penalty doping on SHORT", "disqualification for 2 years", Sanction(disqualified=True, ban_months=24)),
    ("penalty tampering on SHORT", "immediate disqualification for 18 months", Sanction(disqualified=True, ban_months=18, immediate=True)),
    ("penalty no_chip on LONG", "at the discretion of the Race Jury (no_chip)",
     Sanction(discretion=("no_chip",), deciders=(("no_chip", "the Race Jury"),))),
    ("penalty short_cut on LONG", "at the race direction's discretion (short_cut)", Sanction(discretion=("short_cut",))),
])
def test_each_new_sanction_answers_as_written(q, query: str, text: str, value: Sanction) -> None:
    answer = q(query)
    assert answer.value == value
    assert answer.text == text


def test_who_decides_is_in_the_json(q) -> None:
    value = q("penalty no_chip, short_cut on LONG").as_json()["value"]
    assert value["deciders"] == {"no_chip": "the Race Jury", "short_cut": "the race direction"}
    assert value["text"] == "at the discretion of the Race Jury (no_chip) + at the race direction's discretion (short_cut)"
    ban = q("penalty doping on LONG").as_json()["value"]
    assert (ban["kind"], ban["ban_months"], ban["immediate"]) == ("disqualify for a term", 24, False)


@pytest.mark.parametrize(("query", "text"), [
    ("penalty missing_jacket, short_cut on SHORT", "immediate disqualification + at the race direction's discretion (short_cut)"),
    ("penalty doping, tampering on LONG", "immediate disqualification for 2 years"),  # the longest ban stands, immediacy too
    ("penalty doping, cheating on LONG", "immediate disqualification for life"),  # life dominates a ban
    ("penalty littering, missing_jacket on LONG given runner = {voluntary: false}", "disqualification"),
])
def test_combining_keeps_immediacy_and_the_longest_ban(q, query: str, text: str) -> None:
    assert q(query).text == text


@pytest.mark.parametrize(("race", "voluntary", "text", "line"), [
    ("LONG", "true", "1h time penalty", 21),
    ("LONG", "false", "no penalty", 20),
    ("SHORT", "true", "30min time penalty", 22),  # the line naming SHORT is more specific than the line for all
    ("SHORT", "false", "no penalty", 20),
])
def test_a_when_line_applies_only_when_its_condition_holds(q, race: str, voluntary: str, text: str, line: int) -> None:
    answer = q(f"penalty littering on {race} given runner = {{voluntary: {voluntary}}}")
    assert answer.text == text
    [entry] = [e for e in answer.trace if e.kind == "penalty"]
    assert entry.citation is not None and entry.citation.line == line
    assert ("when runner.voluntary" in entry.detail) == (voluntary == "true")


def test_a_when_line_without_the_facts_it_reads_is_an_error_against_the_query(q) -> None:
    with pytest.raises(EvaluationError) as caught:
        q("penalty littering on LONG")
    assert caught.value.source is not None and caught.value.source.name == "<query>"
    assert "applies only when runner.voluntary" in caught.value.message


def test_lines_with_when_may_differ_from_the_line_without_at_equal_specificity() -> None:
    load('race A: fee 1 EUR\ninfraction x "x"\npenalty x on A = 1h\npenalty x on A = 2h when runner.age > 60\n')


# ---- check: misuse is a located load error, with a snapshot of its message ----------------------------

MISUSE = [
    ("when-not-bool", 'race A: fee 1 EUR\ninfraction x "x"\npenalty x on A = 1h when race.fee * 2\n'),
    ("when-unknown-name", 'race A: fee 1 EUR\ninfraction x "x"\npenalty x on A = 1h when rnner.age > 1\n'),
    ("ban-of-no-months", 'race A: fee 1 EUR\ninfraction x "x"\npenalty x on A = disqualify for 0 years\n'),
    ("ban-of-part-of-a-month", 'race A: fee 1 EUR\ninfraction x "x"\npenalty x on A = disqualify for 1.5 months\n'),
    ("ban-without-unit", 'race A: fee 1 EUR\ninfraction x "x"\npenalty x on A = disqualify for 2\n'),
    ("discretion-of-a-name", 'race A: fee 1 EUR\ninfraction x "x"\npenalty x on A = discretion of jury\n'),
    ("no-without-penalty", 'race A: fee 1 EUR\ninfraction x "x"\npenalty x on A = no\n'),
    ("unconditional-lines-still-conflict", 'race A: fee 1 EUR\ninfraction x "x"\npenalty x on A = no penalty\npenalty x on A = disqualify immediately\n'),
]


@pytest.mark.parametrize("body", [pytest.param(b, id=i) for i, b in MISUSE])
def test_misuse_is_a_located_load_error(body: str, snapshot) -> None:
    with pytest.raises(PolicyError) as caught:
        load(body)
    errors = caught.value.errors if isinstance(caught.value, PolicyErrors) else [caught.value]
    assert all(e.span.line >= 2 and e.hint for e in errors)
    assert caught.value.render() == snapshot


# ---- format ------------------------------------------------------------------------------------------


def test_the_formatter_writes_every_new_sanction_back_to_the_same_ast() -> None:
    once = format_policy(CHART)
    assert parse_policy(once) == parse_policy(CHART)
    assert format_policy(once) == once
    assert "penalty doping      on all   = disqualify for 2 years" in once or "= disqualify for 2 years" in once
    assert "= 1h when runner.voluntary" in once


def test_a_ban_in_months_that_make_whole_years_is_written_in_years() -> None:
    assert "disqualify for 2 years" in format_policy(HEADER + "penalty a on X = disqualify for 24 months")


def test_no_penalty_is_a_sanction_of_nothing() -> None:
    assert str(Sanction()) == "no penalty" and Sanction().kind == "no penalty"
    assert Sanction().minutes == Decimal(0)


# ---- the diff shows who decides, immediacy, bans and `when` lines ----------------------------------------


def test_the_diff_shows_the_new_parts_of_sanctions_and_conditional_lines() -> None:
    from racepolicy.diff.compare import diff_editions

    old = load('race A: fee 1 EUR\ninfraction x "x"\ninfraction y "y"\npenalty x on A = discretion\npenalty y on A = no penalty\n'
               "penalty y on A = 30min when runner.voluntary\n").find("demo")
    new = load('race A: fee 1 EUR\ninfraction x "x"\ninfraction y "y"\npenalty x on A = discretion of "the Race Jury"\n'
               "penalty y on A = no penalty\npenalty y on A = 1h when runner.voluntary\n").find("demo")
    changes = {c.subject: (c.kind, c.old, c.new) for c in diff_editions(old, new).changes()}
    assert changes["x on A"] == ("changed", "discretion", 'discretion of "the Race Jury"')
    assert changes["y on A when runner.voluntary"] == ("harsher", "30min", "1h")
