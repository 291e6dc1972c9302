"""Every construct of the language, parsed and evaluated on small inline policies; the Python API and the CLI."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
import racepolicy
from racepolicy.cli.main import main
from racepolicy.evaluation.values import Duration, Length, Money, Percent, Sanction
from racepolicy.language import ast
from racepolicy.language.errors import EvaluationError, NumberRangeError, PolicyError, PolicyTypeError
from racepolicy.language.parser import parse_policy, parse_query
from racepolicy.language.source import Source
from racepolicy.query.answer import Answer
from racepolicy.query.policyset import RUNNERS, PolicySet

HEADER = 'edition demo 2024 "Demo regulations" currency EUR\n'

# A small policy touching every statement kind; the tests below ask it questions.
DEMO = HEADER + '''
section "RACES"
# Comments run to the end of the line; newlines are not significant.
race LONG "The long one" § "LONG: 100 km":
  distance 100.5 km, elevation 6000 m, start "Chamonix", finish "Chamonix", cutoff 30h30,
  fee 200 EUR § "LONG: 200€", insurance 15.50 EUR, capacity 2000, assistance ["Champex", "Trient"],
  date 2024-08-30,
  eligible when runner.birth_year <= 2004 § "born in or before 2004",
  eligible when runner.points >= 10 § "10 points"
race MID: distance 50 km, fee 100 EUR  race SHORT: distance 20 km, fee 40 EUR
group big = LONG, MID
group racing = big, SHORT

section "PENALTIES"
infraction littering "Discarding of rubbish"
infraction no_bib "No visible bib"
infraction cheating "Cheating"
infraction short_cut "Short-cutting"
infraction doping_refusal "Refusal of anti-doping control"
penalty littering on all = 1h § "rubbish: 1 hour"
penalty littering on big = 30min § "rubbish on big races: 30 minutes"
penalty littering on LONG = disqualify § "rubbish on LONG: disqualification"
penalty no_bib on racing = 15min
penalty cheating on all = disqualify for life
penalty short_cut on LONG, SHORT = discretion
penalty short_cut on MID = 1h30
penalty doping_refusal on all = as doping

section "REFUNDS"
schedule refund_share § "refunded as follows":
  through 02-29 -> 80% § "until February: 80%"
  through 04-30 -> 60%
  through 2024-06-30 -> 50%
  otherwise -> 0% § "then nothing"
schedule early_only: through 2024-01-31 -> 1

section "ELITE"
table threshold(race, sex) § "elite chart":
  LONG, "men" -> 880 § "LONG men"
  big, "men" -> 800
  big, "women" -> 700
  otherwise -> 1000
table by_points(points): 1 -> "one" 2 -> "two"
band age_category § "categories":
  20..34
  35..39 -> "senior"
  85+
section "RULES"
rule refund(race: race, cancelled: date) = race.fee * refund_share(cancelled) § "refund of the fee"
rule stones_back(stones: number, insured: bool) = if insured then stones else ceil(stones * 50%)
rule plus(a, b) = a + b
rule answer = 42 § "the answer"
rule local(runner: record) = runner.region in ["Valais", "Savoie"] and not (runner.banned)
'''


@pytest.fixture(scope="module")
def demo() -> PolicySet:
    policies = PolicySet()
    policies.add(Source("demo.policy", DEMO))
    return policies


@pytest.fixture(params=RUNNERS)
def q(request: pytest.FixtureRequest, demo: PolicySet) -> Callable[[str], Answer]:
    """Ask the demo policy under every runner."""

    def _ask(query: str) -> Answer:
        return demo.ask(query, runner=request.param)

    return _ask


def load(body: str, name: str = "inline.policy") -> PolicySet:
    policies = PolicySet()
    policies.add(Source(name, HEADER + body))
    return policies


# ---- header ------------------------------------------------------------------------------------


def test_header_gives_series_year_title_and_currency(demo: PolicySet) -> None:
    edition = demo.find("demo-2024")
    assert (edition.series, edition.year, edition.title, edition.currency) == ("demo", 2024, "Demo regulations", "EUR")
    assert (edition.key, edition.label) == ("demo-2024", "demo 2024")


def test_header_currency_defaults_to_eur_and_series_may_hold_hyphens() -> None:
    header = parse_policy('edition world-series 2024 "World Series"').header
    assert header == ast.Header(series="world-series", year=2024, title="World Series", currency="EUR")


def test_an_edition_is_found_by_key_label_or_series(demo: PolicySet) -> None:
    assert demo.find("demo 2024") is demo.find("demo-2024") is demo.find("demo")


# ---- races -------------------------------------------------------------------------------------

ATTRIBUTES = [
    ("distance LONG", Length(Decimal("100500"), "km"), "100.5 km"),
    ("elevation LONG", Length(Decimal(6000)), "6000 m"),
    ("start LONG", "Chamonix", "Chamonix"),
    ("finish LONG", "Chamonix", "Chamonix"),
    ("cutoff LONG", Duration(Decimal(1830)), "30h30"),
    ("fee LONG", Money(Decimal("200.00"), "EUR"), "200.00 EUR"),
    ("insurance LONG", Money(Decimal("15.50"), "EUR"), "15.50 EUR"),
    ("capacity LONG", Decimal(2000), "2000"),
    ("assistance LONG", ("Champex", "Trient"), "[Champex, Trient]"),
    ("date LONG", datetime.date(2024, 8, 30), "2024-08-30"),
    ("title LONG", "The long one", "The long one"),
]


@pytest.mark.parametrize(("query", "value", "text"), ATTRIBUTES, ids=[a[0] for a in ATTRIBUTES])
def test_each_race_attribute_kind_is_a_typed_value(q, query: str, value: object, text: str) -> None:
    answer = q(query)
    assert answer.value == value
    assert answer.text == text


def test_an_attribute_cites_its_own_clause_or_else_the_race_clause(q) -> None:
    assert q("fee LONG").citations() == ['§ RACES — "LONG: 200€" (demo.policy:7)']
    assert q("distance LONG").citations() == ['§ RACES — "LONG: 100 km" (demo.policy:6)']


def test_race_fields_name_title_and_attributes(q) -> None:
    assert q("LONG.name").text == "LONG"
    assert q("LONG.title").text == "The long one"
    assert q("LONG.distance + MID.distance").text == "150.5 km"


def test_an_attribute_a_race_does_not_give_is_a_query_error(q) -> None:
    with pytest.raises(PolicyError, match="gives no cutoff for MID"):
        q("cutoff MID")
    with pytest.raises(EvaluationError, match="race MID has no cutoff"):
        q("MID.cutoff")


def test_eligibility_conditions_all_hold_and_each_is_traced(q) -> None:
    yes = q("eligible LONG given runner = {birth_year: 2004, points: 10}")
    assert yes.value is True
    assert [e.detail for e in yes.trace if e.kind == "eligibility"] == ["runner.birth_year <= 2004", "runner.points >= 10"]
    no = q("eligible LONG given runner = {birth_year: 2005, points: 12}")
    assert no.value is False
    assert no.negative
    # The first failing condition ends the check; its citation says why.
    assert no.citations() == ['§ RACES — "born in or before 2004" (demo.policy:9)']


def test_a_race_without_conditions_is_open_to_everyone(q) -> None:
    assert q("eligible MID").value is True


# ---- groups ------------------------------------------------------------------------------------


def test_groups_nest_and_membership_sees_through_them(q) -> None:
    assert q("LONG in big").value is True
    assert q("SHORT in big").value is False
    assert q("SHORT in racing").value is True  # racing = big, SHORT
    assert q("LONG in racing").value is True
    assert q("SHORT not in big").value is True


def test_all_reaches_every_race(q) -> None:
    for race in ("LONG", "MID", "SHORT"):
        assert q(f"penalty cheating on {race}").text == "disqualification for life"


# ---- penalties and sanctions ---------------------------------------------------------------------

SANCTION_KINDS = [
    ("penalty no_bib on SHORT", Sanction(minutes=Decimal(15)), "15min time penalty", "time"),
    ("penalty short_cut on MID", Sanction(minutes=Decimal(90)), "1h30 time penalty", "time"),
    ("penalty littering on LONG", Sanction(disqualified=True), "disqualification", "disqualify"),
    ("penalty cheating on MID", Sanction(disqualified=True, for_life=True), "disqualification for life", "disqualify for life"),
    ("penalty short_cut on SHORT", Sanction(discretion=("short_cut",)), "at the race direction's discretion (short_cut)", "discretion"),
    ("penalty doping_refusal on LONG", Sanction(doping=("doping_refusal",)), "sanctioned as for doping (doping_refusal)", "as doping"),
]


@pytest.mark.parametrize(("query", "value", "text", "kind"), SANCTION_KINDS, ids=[s[3] for s in SANCTION_KINDS])
def test_each_sanction_kind(q, query: str, value: Sanction, text: str, kind: str) -> None:
    answer = q(query)
    assert answer.value == value
    assert answer.text == text
    assert answer.as_json()["value"]["kind"] == kind


def test_penalty_statement_parses_exactly_as_the_card_writes_it() -> None:
    statement = parse_policy(HEADER + "penalty missing_jacket on UTMB = disqualify").statements[0]
    assert statement == ast.PenaltyDecl(infractions=("missing_jacket",), targets=("UTMB",), sanction=ast.SanctionExpr(kind="disqualify"))


def test_one_statement_may_name_several_infractions_and_targets() -> None:
    statement = parse_policy(HEADER + "penalty a, b on X, g, all = 1h30").statements[0]
    assert statement == ast.PenaltyDecl(infractions=("a", "b"), targets=("X", "g", "all"), sanction=ast.SanctionExpr(kind="time", minutes=90))


@pytest.mark.parametrize(
    ("race", "text", "detail", "clause"),
    [
        ("LONG", "disqualification", "on LONG (named race)", "rubbish on LONG: disqualification"),
        ("MID", "30min time penalty", "on big (group big)", "rubbish on big races: 30 minutes"),
        ("SHORT", "1h time penalty", "on all (all races)", "rubbish: 1 hour"),
    ],
)
def test_most_specific_penalty_wins_and_the_trace_says_which(q, race: str, text: str, detail: str, clause: str) -> None:
    # A race named beats a group, a group beats `all`.
    answer = q(f"penalty littering on {race}")
    assert answer.text == text
    (entry,) = answer.trace
    assert (entry.kind, entry.name, entry.detail) == ("penalty", "littering", detail)
    assert entry.citation is not None and entry.citation.clause == clause and entry.citation.section == "PENALTIES"


def test_equally_specific_penalties_that_agree_are_not_a_conflict() -> None:
    policies = load('race A: fee 1 EUR group g = A group h = A infraction x "x" penalty x on g = 1h penalty x on h = 1h')
    assert policies.ask("penalty x on A").text == "1h time penalty"


def test_combined_penalties_add_time_and_disqualification_dominates(q) -> None:
    assert q("penalty no_bib, short_cut on MID").text == "1h45 time penalty"
    assert q("penalty no_bib, littering on LONG").text == "disqualification"
    assert q("penalty littering, cheating on LONG").text == "disqualification for life"
    assert q("penalty no_bib, short_cut on SHORT").text == "15min time penalty + at the race direction's discretion (short_cut)"


# ---- schedules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "share"),
    [
        ("2024-01-01", "80%"),
        ("2024-02-29", "80%"),  # day-month tiers resolve in the edition year: 2024 is a leap year
        ("2024-03-01", "60%"),
        ("2024-04-30", "60%"),  # `through` includes its day
        ("2024-05-01", "50%"),
        ("2024-06-30", "50%"),  # a full date tier
        ("2024-07-01", "0%"),  # otherwise
        ("2025-03-01", "0%"),
    ],
)
def test_schedule_tiers_are_inclusive_and_day_months_use_the_edition_year(q, day: str, share: str) -> None:
    assert q(f"refund_share({day})").text == share


def test_schedule_traces_its_tier_and_falls_back_to_its_own_citation(q) -> None:
    (entry,) = q("refund_share(2024-02-01)").trace
    assert (entry.kind, entry.name, entry.detail, entry.inputs) == ("schedule", "refund_share", "through 2024-02-29", (("date", "2024-02-01"),))
    assert entry.citation is not None and entry.citation.clause == "until February: 80%"
    # A tier without its own `§` cites the schedule's.
    assert q("refund_share(2024-03-15)").trace[0].citation.clause == "refunded as follows"


def test_schedule_without_otherwise_refuses_a_later_date(q) -> None:
    with pytest.raises(EvaluationError, match="schedule early_only has no tier for 2024-02-01") as caught:
        q("early_only(2024-02-01)")
    assert caught.value.hint == "its last tier ends on 2024-01-31"


def test_a_day_month_anywhere_is_a_date_in_the_edition_year(q) -> None:
    # Regression: outside a schedule tier `04-30` lexed as 4 - 30 and answered -26.
    assert q("04-30").value == datetime.date(2024, 4, 30)
    assert q("refund_share(05-01)").text == "50%"
    assert q("12 - 10").text == "2"  # subtraction keeps working when written with spaces


def test_schedule_ast_keeps_day_month_and_full_dates_apart() -> None:
    decl = parse_policy(HEADER + "schedule s: through 04-30 -> 1 through 2024-06-30 -> 2").statements[0]
    assert isinstance(decl, ast.ScheduleDecl)
    assert decl.tiers[0].through == ast.MonthDay(month=4, day=30)
    assert decl.tiers[1].through == ast.Literal(value=datetime.date(2024, 6, 30))
    assert decl.otherwise is None


# ---- tables ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "text", "detail"),
    [
        ('threshold(LONG, "men")', "880", 'LONG, men'),
        ('threshold(MID, "men")', "800", "big, men"),  # a group key matches each of its races
        ('threshold(LONG, "women")', "700", "big, women"),
        ('threshold(SHORT, "men")', "1000", "otherwise"),
        ("by_points(2)", "two", "2"),  # number keys
    ],
)
def test_table_rows_match_race_group_text_and_number_keys(q, query: str, text: str, detail: str) -> None:
    answer = q(query)
    assert answer.text == text
    assert answer.trace[-1].kind == "table"
    assert answer.trace[-1].detail == detail


def test_table_row_citation_or_the_table_citation(q) -> None:
    assert q('threshold(LONG, "men")').trace[0].citation.clause == "LONG men"
    assert q('threshold(MID, "men")').trace[0].citation.clause == "elite chart"


def test_table_without_a_matching_row_or_otherwise_is_an_evaluation_error(q) -> None:
    with pytest.raises(EvaluationError, match=r"table by_points has no row for \(3\)"):
        q("by_points(3)")


def test_table_rows_are_tried_top_to_bottom() -> None:
    # The first matching row wins: a race's own row stands before its group's row (the other order is a load error).
    policies = load('race A: fee 1 EUR race B: fee 1 EUR group g = A, B table first(race): A -> "race" g -> "group"')
    assert policies.ask("first(A)").text == "race"
    assert policies.ask("first(B)").text == "group"


# ---- bands -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "text"),
    [("20", "20-34"), ("34", "20-34"), ("34.5", "20-34"), ("35", "senior"), ("39", "senior"), ("85", "85+"), ("120", "85+")],
)
def test_band_rows_are_inclusive_labels_or_values_and_the_last_may_be_open(q, age: str, text: str) -> None:
    answer = q(f"age_category({age})")
    assert answer.text == text
    assert answer.trace[0].citation.clause == "categories"


def test_a_value_in_a_gap_between_bands_is_an_evaluation_error(q) -> None:
    with pytest.raises(EvaluationError, match="40 falls in no band of age_category") as caught:
        q("age_category(40)")
    assert caught.value.hint == "bands: 20-34, 35-39, 85+"


def test_band_ast_marks_open_ranges() -> None:
    decl = parse_policy(HEADER + 'band b: 1..5 -> "low" 6+').statements[0]
    assert isinstance(decl, ast.BandDecl)
    assert [(r.low, r.high, r.label) for r in decl.rows] == [(1, 5, "1-5"), (6, None, "6+")]


# ---- rules -------------------------------------------------------------------------------------


def test_rules_take_typed_and_untyped_parameters(q) -> None:
    assert q("refund(LONG, 2024-05-01)").text == "100.00 EUR"
    assert q("plus(1, 2)").text == "3"
    assert q("plus(1h, 15min)").text == "1h15"  # an untyped parameter takes any kind the body accepts
    assert q("answer").text == "42"  # a rule without parameters is used by its name


def test_rule_params_record_their_types() -> None:
    decl = parse_policy(HEADER + "rule r(a: money, b) = a").statements[0]
    assert isinstance(decl, ast.RuleDecl)
    assert decl.params == (ast.Param(name="a", type="money"), ast.Param(name="b", type="any"))


def test_a_rule_call_nests_its_trace_under_the_rule(q) -> None:
    answer = q("refund(LONG, 2024-05-01)")
    assert [(e.kind, e.name, e.depth) for e in answer.trace] == [("rule", "refund", 0), ("attribute", "LONG.fee", 1), ("schedule", "refund_share", 1)]
    assert answer.trace[0].inputs == (("race", "LONG"), ("cancelled", "2024-05-01"))
    assert answer.trace[0].result == "100.00 EUR"


def test_an_argument_of_the_wrong_type_is_refused_before_evaluation(q) -> None:
    with pytest.raises(PolicyError, match="argument 'stones' of stones_back must be a number, not a text"):
        q('stones_back("nine", false)')


def test_conditional_rule(q) -> None:
    assert q("stones_back(9, false)").text == "5"
    assert q("stones_back(9, true)").text == "9"


# ---- expressions: literals, operators, built-ins -----------------------------------------------

LITERALS = [
    ("5", Decimal(5)),
    ("2.5", Decimal("2.5")),
    ("171 km", Length(Decimal(171000), "km")),
    ("10000 m", Length(Decimal(10000))),
    ("305 EUR", Money(Decimal("305.00"), "EUR")),
    ("50%", Percent(Decimal(50))),
    ("46h30", Duration(Decimal(2790))),
    ("15min", Duration(Decimal(15))),
    ("10d", Duration(Decimal(14400))),
    ("2d12h", Duration(Decimal(3600))),
    ("2022-05-15", datetime.date(2022, 5, 15)),
    ('"text"', "text"),
    ("true", True),
    ("false", False),
]


@pytest.mark.parametrize(("text", "value"), LITERALS, ids=[t for t, _ in LITERALS])
def test_literals(q, text: str, value: object) -> None:
    assert q(text).value == value


OPERATORS = [
    ("1 + 2", "3"), ("5 - 7", "-2"), ("3 * 4", "12"), ("7 / 2", "3.5"),
    ("-5", "-5"), ("-(2 EUR)", "-2.00 EUR"),
    ("10 EUR + 2.50 EUR", "12.50 EUR"), ("10 EUR - 2.50 EUR", "7.50 EUR"), ("10 EUR * 3", "30.00 EUR"), ("3 * 10 EUR", "30.00 EUR"),
    ("10 EUR / 3", "3.33 EUR"), ("10 EUR / 4 EUR", "2.5"), ("305 EUR * 50%", "152.50 EUR"), ("50% * 305 EUR", "152.50 EUR"),
    ("0.05 EUR * 50%", "0.03 EUR"),  # half-up to the cent
    ("1h + 30min", "1h30"), ("1h - 45min", "15min"), ("15min * 3", "45min"), ("2 * 15min", "30min"), ("1h30 / 2", "45min"),
    ("3h / 1h", "3"), ("1h30 * 50%", "45min"),
    ("171 km + 500 m", "171.5 km"), ("10 km - 2 km", "8 km"), ("10 km * 2", "20 km"), ("10 km / 4", "2.5 km"), ("10 km / 500 m", "20"),
    ("50% + 10%", "60%"), ("50% - 10%", "40%"), ("50% * 50%", "25%"), ("9 * 50%", "4.5"),
    ("2022-05-01 + 10d", "2022-05-11"), ("2022-05-01 - 1d", "2022-04-30"), ("2022-08-26 - 2022-07-27", "30d"),
    ("1 == 1", "yes"), ("1 != 1", "no"), ("1 < 2", "yes"), ("2 <= 2", "yes"), ("1 > 2", "no"), ("1 >= 2", "no"),
    ("1 km == 1000 m", "yes"), ("46h30 > 46h", "yes"), ("305 EUR >= 305.00 EUR", "yes"), ("2022-04-30 < 2022-05-01", "yes"),
    ('"a" < "b"', "yes"), ("50% <= 60%", "yes"),
    ("true and false", "no"), ("true or false", "yes"), ("not true", "no"), ("not 1 == 2 and 2 > 1", "yes"),
    ('"men" in ["men", "women"]', "yes"), ('"kids" not in ["men", "women"]', "yes"), ('"Cham" in "Chamonix"', "yes"), ('"cham" in "Chamonix"', "no"),
    ("if 1 < 2 then \"a\" else \"b\"", "a"), ("if false then 1 else if true then 2 else 3", "2"),
    ("[1, 2] == [1, 2]", "yes"), ("{a: 1, b: 2}.b", "2"), ("{a: 1} == {a: 1}", "yes"),
    ("year", "2024"), ("(1 + 2) * 3", "9"), ("1 + 2 * 3", "7"),
]


@pytest.mark.parametrize(("text", "expected"), OPERATORS, ids=[t for t, _ in OPERATORS])
def test_operators(q, text: str, expected: str) -> None:
    assert q(text).text == expected


BUILTINS = [
    ("min(3, 1, 2)", "1"), ("max(1h, 90min)", "1h30"), ("min(5 EUR, 3 EUR)", "3.00 EUR"),
    ("ceil(4.5)", "5"), ("ceil(-4.5)", "-4"), ("floor(4.5)", "4"), ("floor(-4.5)", "-5"),
    ("round(2.5)", "3"), ("round(2.345, 2)", "2.35"),  # half-up, never banker's rounding
    ("abs(-3)", "3"), ("abs(-2 EUR)", "2.00 EUR"), ("abs(-1h)", "1h"),
    ("date(2024, 2, 29)", "2024-02-29"),
    ("years_between(2000-08-31, 2024-08-30)", "23"), ("years_between(2000-08-30, 2024-08-30)", "24"),
    ("len([1, 2, 3])", "3"), ("len([])", "0"), ("len(LONG.assistance)", "2"),
]


@pytest.mark.parametrize(("text", "expected"), BUILTINS, ids=[t for t, _ in BUILTINS])
def test_builtins(q, text: str, expected: str) -> None:
    assert q(text).text == expected


def test_division_by_zero_and_mixed_currencies_are_evaluation_errors(q) -> None:
    with pytest.raises(EvaluationError, match="division by zero"):
        q("1 / 0")
    with pytest.raises(EvaluationError, match="cannot combine EUR with CHF"):
        q("x + 1 CHF given x = 1 EUR")  # the currency of a fact is seen only when it is evaluated
    with pytest.raises(PolicyTypeError, match="amounts in two currencies never combine"):
        q("1 EUR + 1 CHF")  # where the currencies are written, a load (here: query check) error
    with pytest.raises(EvaluationError, match="not a whole number of days"):
        q("2022-05-01 + 1h")
    with pytest.raises(EvaluationError, match="is not a calendar date"):
        q("date(2023, 2, 29)")


def test_results_beyond_exact_range_are_a_clear_error(ask) -> None:
    # Regression: an integer beyond 28 digits raised decimal.InvalidOperation (a traceback);
    # results that large are now refused, with the place that produced them.
    with pytest.raises(NumberRangeError, match="too large") as caught:
        ask("ceil(999999999999999 * 999999999999999 * 999999999999999)")
    assert caught.value.span.column == 6


# ---- records, facts and `given` ----------------------------------------------------------------


def test_given_binds_facts_for_one_query(q) -> None:
    assert q("x * 2 given x = 21").text == "42"
    assert q("local(r) given r = {region: \"Valais\", banned: false}").text == "yes"
    assert q("local(r) given r = {region: \"Valais\", banned: true}").text == "no"
    assert q("a + b given a = 1, b = a + 1").text == "3"  # later facts see earlier ones


def test_a_missing_fact_names_the_known_ones(q) -> None:
    with pytest.raises(EvaluationError, match="no fact 'birth_year' was given") as caught:
        q("eligible LONG given runner = {points: 12, birth_yr: 2000}")
    # Regression: the hint read "did you mean 'birth_yr'?", suggesting the misspelling to the person who typed it.
    assert caught.value.hint == "'birth_yr' was given: did you mean 'birth_year'?"


def test_facts_from_the_api(demo: PolicySet) -> None:
    answer = demo.ask("eligible LONG", facts={"runner": racepolicy.evaluation.values.Record.of({"birth_year": Decimal(1990), "points": Decimal(10)})})
    assert answer.value is True


# ---- citations, sections and JSON ---------------------------------------------------------------


def test_sections_and_citations_reach_the_answer_and_json(q) -> None:
    answer = q("refund(LONG, 2024-03-01)")
    assert answer.citations() == [
        '§ RULES — "refund of the fee" (demo.policy:50)',
        '§ RACES — "LONG: 200€" (demo.policy:7)',
        '§ REFUNDS — "refunded as follows" (demo.policy:33)',
    ]
    data = answer.as_json()
    assert data["query"] == "refund(LONG, 2024-03-01)"
    assert data["edition"] == "demo 2024"
    assert data["value"] == {"type": "money", "amount": "120.00", "currency": "EUR"}
    assert data["text"] == "120.00 EUR"
    assert data["trace"][0] == {
        "kind": "rule", "name": "refund", "detail": "", "inputs": {"race": "LONG", "cancelled": "2024-03-01"}, "result": "120.00 EUR",
        "citation": {"section": "RULES", "clause": "refund of the fee", "file": "demo.policy", "line": 50},
    }
    assert json.loads(answer.to_json_text()) == data


def test_a_statement_without_a_clause_cites_its_section_and_line(q) -> None:
    assert q("penalty no_bib on LONG").citations() == ["§ PENALTIES (demo.policy:24)"]


def test_statements_carry_the_section_in_force() -> None:
    policy = parse_policy(HEADER + 'rule a = 1 section "ONE" rule b = 2 section "TWO" rule c = 3')
    assert [(s.name, s.section) for s in policy.statements] == [("a", ""), ("b", "ONE"), ("c", "TWO")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("2.50"), {"type": "number", "value": "2.5"}),
        (Duration(Decimal(90)), {"type": "duration", "minutes": "90", "text": "1h30"}),
        (Length(Decimal(171000), "km"), {"type": "length", "metres": "171000", "text": "171 km"}),
        (Percent(Decimal(50)), {"type": "percent", "value": "50"}),
        (datetime.date(2024, 4, 30), {"type": "date", "value": "2024-04-30"}),
        (("a", True), ["a", True]),
    ],
)
def test_json_values_are_exact_strings_never_floats(value: object, expected: object) -> None:
    answer = Answer("q", "demo 2024", value)
    assert answer.as_json()["value"] == expected


# ---- queries -----------------------------------------------------------------------------------


def test_query_forms_parse_to_their_ast() -> None:
    assert parse_query("penalty a, b on X") == ast.PenaltyQuery(infractions=("a", "b"), race="X")
    assert parse_query("eligible X given runner = {age: 30}") == ast.EligibleQuery(
        race="X", given=(ast.Binding(name="runner", value=ast.RecordExpr(items=(("age", ast.Literal(value=Decimal(30))),))),),
    )
    assert parse_query("cutoff TDS") == ast.FormQuery(verb="cutoff", args=(ast.Name(name="TDS"),))
    assert parse_query("refund UTMB cancelled 2022-05-15") == ast.FormQuery(
        verb="refund", args=(ast.Name(name="UTMB"), ast.Name(name="cancelled"), ast.Literal(value=datetime.date(2022, 5, 15))),
    )
    assert parse_query("f(1)") == ast.ExprQuery(expr=ast.Call(function="f", args=(ast.Literal(value=Decimal(1)),)))


def test_nodes_compare_equal_wherever_they_stand() -> None:
    # Spans are excluded from equality: the same statement on another line is the same statement.
    one = parse_policy(HEADER + "rule r = 1").statements[0]
    two = parse_policy(HEADER + "\n\n   rule r = 1").statements[0]
    assert one == two
    assert one.span != two.span


def test_a_query_picks_the_newest_edition_that_knows_its_names() -> None:
    policies = PolicySet()
    policies.add(Source("old.policy", 'edition demo 2023 "old" race OLD: fee 1 EUR race BOTH: fee 2 EUR'))
    policies.add(Source("new.policy", 'edition demo 2024 "new" race BOTH: fee 3 EUR'))
    assert policies.ask("fee BOTH").edition == "demo 2024"
    assert policies.ask("fee OLD").edition == "demo 2023"  # only 2023 knows OLD
    assert policies.ask("fee BOTH", edition="demo-2023").text == "2.00 EUR"


# ---- Python API --------------------------------------------------------------------------------


def test_api_load_a_file_and_ask(tmp_path: Path) -> None:
    path = tmp_path / "demo.policy"
    path.write_text(DEMO, encoding="utf-8")
    policies = racepolicy.load(str(path))
    assert isinstance(policies, racepolicy.PolicySet)
    answer = policies.ask("penalty littering on MID")
    assert isinstance(answer, racepolicy.Answer)
    assert answer.value == Sanction(minutes=Decimal(30))
    assert answer.as_json()["value"]["text"] == "30min time penalty"


def test_api_load_a_folder_loads_every_policy_in_it(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.policy").write_text('edition demo 2023 "a" race A: fee 1 EUR', encoding="utf-8")
    (tmp_path / "sub" / "b.policy").write_text('edition demo 2024 "b" race A: fee 2 EUR', encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a policy", encoding="utf-8")
    assert sorted(racepolicy.load(str(tmp_path)).editions) == ["demo-2023", "demo-2024"]


def test_api_load_without_paths_gives_the_bundled_policies() -> None:
    assert "utmb-2022" in racepolicy.load().editions


# ---- command line ------------------------------------------------------------------------------


@pytest.fixture()
def demo_file(tmp_path: Path) -> Path:
    path = tmp_path / "demo.policy"
    path.write_text(DEMO, encoding="utf-8")
    return path


def test_cli_check_ok_exits_0(demo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(demo_file)]) == 0
    assert capsys.readouterr().out == f"{demo_file}: ok (demo 2024: 3 races, 8 penalties, 5 rules)\n"


def test_cli_check_broken_exits_2_with_the_error_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.policy"
    path.write_text(HEADER + "race A: fee 1 EUR\npenalty x on A = disqualify\n", encoding="utf-8")
    assert main(["check", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"{path}:3:9: error[RP0204]: unknown infraction 'x'")


def test_cli_check_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.policy"
    path.write_text(HEADER + "rule r = yeer\n", encoding="utf-8")
    assert main(["check", "--json", str(path)]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data == {"errors": [{
        "code": "RP0201", "message": "unknown name 'yeer'", "file": str(path), "line": 2, "column": 10, "end_line": 2, "end_column": 14,
        "hint": "did you mean 'year'?",
    }]}


def test_cli_query_text_and_citations(demo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", str(demo_file), "penalty littering on MID"]) == 0
    assert capsys.readouterr().out == (
        '30min time penalty\n  § PENALTIES — "rubbish on big races: 30 minutes" (' + str(demo_file) + ":22)\n"
    )


def test_cli_query_explain_prints_the_trace(demo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", str(demo_file), "refund(MID, 2024-01-15)", "--explain"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == ["80.00 EUR", "  edition: demo 2024", "  rule refund(race=MID, cancelled=2024-01-15) → 80.00 EUR"]
    assert "    schedule refund_share(date=2024-01-15): through 2024-02-29 → 80%" in out


def test_cli_query_json(demo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--json", str(demo_file), "cutoff LONG"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["value"] == {"type": "duration", "minutes": "1830", "text": "30h30"}
    assert data["trace"][0]["citation"]["clause"] == "LONG: 100 km"


def test_cli_query_edition_pins_the_edition(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "cutoff UTMB", "--edition", "utmb-2022"]) == 0
    assert capsys.readouterr().out.startswith("46h30\n")
    assert main(["query", "cutoff UTMB", "--edition", "utmb-1999"]) == 2
    assert "no edition 'utmb-1999' is loaded" in capsys.readouterr().err


def test_cli_query_negative_eligibility_exits_1(demo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", str(demo_file), "eligible LONG given runner = {birth_year: 2010, points: 20}"]) == 1
    assert capsys.readouterr().out.startswith("no\n")
    assert main(["query", str(demo_file), "eligible LONG given runner = {birth_year: 2000, points: 20}"]) == 0


def test_cli_query_bad_query_exits_2_without_traceback(demo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", str(demo_file), "penalty littering on"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("<query>:1:21: error[RP0103]: unexpected end of input")
    assert "Traceback" not in err


def test_cli_query_starting_with_a_minus_after_double_dash(capsys: pytest.CaptureFixture[str]) -> None:
    # Regression: `racepolicy query -- '-UTMB.fee'` failed with "the following arguments are required: QUERY".
    assert main(["query", "--edition", "utmb-2022", "--", "-UTMB.fee"]) == 0
    assert capsys.readouterr().out.startswith("-305.00 EUR\n")
    assert main(["query", "(-UTMB.fee)", "--edition", "utmb-2022"]) == 0


def test_cli_version() -> None:
    # The installed console script, as a user runs it.
    result = subprocess.run([sys.executable, "-m", "racepolicy.cli.main", "--version"], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout) == (0, f"racepolicy {racepolicy.__version__}\n")


def test_cli_unknown_command_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err
