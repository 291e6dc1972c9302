"""XTERRA Trail Run World Series 2023: questions answered from seed 002, and the plugin's validators."""

from __future__ import annotations

from typing import NamedTuple

import pytest
from racepolicy.language.errors import PolicyError, PolicyErrors
from racepolicy.language.source import Source
from racepolicy.query.policyset import PolicySet

EDITION = "xterra-2023"


class Question(NamedTuple):
    query: str
    expected: str
    seed: str  # the seed 002 heading the answer must cite


GO = "Go Half or Go Full"
KNOW = "What to Know Before Your Run"
POINTS = "Collect Points as You Run"
TICKET = "Punch Your Ticket to the World Champs"
CALENDAR = "Explore the Trail Run World Series"

# Every row cites seed 002 through its `seed` column, which the answer's own citations must carry.
QUESTIONS = [
    # seed 002 "Go Half or Go Full": "Trail Half Marathons cover 15–34K, Trail Marathons run 35–59K"
    Question("distance_class(14.9 km)", "not a series race", GO),
    Question("distance_class(15 km)", "Trail Half", GO),
    Question("distance_class(21.1 km)", "Trail Half", GO),
    Question("distance_class(34 km)", "Trail Half", GO),
    Question("distance_class(34.9 km)", "Trail Half", GO),  # no gap between the classes: see the policy's comment
    Question("distance_class(35 km)", "Trail Marathon", GO),
    Question("distance_class(59 km)", "Trail Marathon", GO),
    Question("distance_class(60 km)", "not a series race", GO),
    Question("is_series_race(42.2 km)", "yes", GO),
    Question("is_series_race(100 km)", "no", GO),
    # seed 002 "What to Know Before Your Run": "Age groups are determined by your age on December 31 of the year of the event"
    Question("division 2004-01-01 on 2023-06-01", "19U (age 19 on 2023-12-31)", KNOW),
    Question("division 2003-12-31 on 2023-06-01", "20-24 (age 20 on 2023-12-31)", KNOW),  # 19 on race day, 20 on 31 December
    Question("division 2003-12-31 at SouthAfrica", "20-24 (age 20 on 2023-12-31)", KNOW),  # the race's own date, 21 January
    Question("division 1990-05-01 on 2026-06-01", "35-39 (age 36 on 2026-12-31)", KNOW),  # the year of the event, not of the edition
    Question("age_division(2013-06-01, 2023-06-01)", "19U", KNOW),
    Question("age_division(1989-01-01, 2023-06-01)", "30-34", KNOW),
    Question("age_division(1988-12-31, 2023-06-01)", "35-39", KNOW),
    Question("age_division(1943-01-01, 2023-06-01)", "80+", KNOW),  # an 80-year-old
    Question("age_division(1943-12-31, 2023-01-21)", "80+", KNOW),  # 79 on race day, 80 by 31 December
    Question("age_division(1944-01-01, 2023-12-03)", "75-79", KNOW),
    Question("age_division(1923-06-01, 2023-06-01)", "80+", KNOW),
    # seed 002 "What to Know Before Your Run": "PC athletes may compete either in the Physically Challenged division or within standard age divisions"
    Question("division_of({pc: true, pc_division: true, birth_date: 1980-01-01}, 2023-06-01)", "Physically Challenged", KNOW),
    Question("division_of({pc: true, pc_division: false, birth_date: 1980-01-01}, 2023-06-01)", "40-44", KNOW),
    Question("division_of({pc: false, birth_date: 1980-01-01}, 2023-06-01)", "40-44", KNOW),
    # "PC athletes who complete at least one qualifying race are invited to compete at the World Championship"
    Question("pc_invited(1)", "yes", KNOW),
    Question("pc_invited(0)", "no", KNOW),
    Question("eligible WorldChampionship given runner = {slot_awarded: false, pc: true, qualifying_races: 1}", "yes", KNOW),
    # seed 002 "Collect Points as You Run": "25–125 points in a Half and 35–200 points in a Marathon, depending on placing"
    Question('base_points("Trail Half", 1) given last_stepped_place = 21', "125", POINTS),
    Question('base_points("Trail Marathon", 1) given last_stepped_place = 21', "200", POINTS),
    Question('base_points("Trail Half", 2) given last_stepped_place = 21', "120", POINTS),
    Question('base_points("Trail Marathon", 2) given last_stepped_place = 21', "191.75", POINTS),
    Question('base_points("Trail Half", 20) given last_stepped_place = 21', "30", POINTS),
    Question('base_points("Trail Half", 21) given last_stepped_place = 21', "25", POINTS),  # the bottom of the range
    Question('base_points("Trail Marathon", 21) given last_stepped_place = 21', "35", POINTS),
    Question('base_points("Trail Half", 50) given last_stepped_place = 21', "25", POINTS),  # later finishers keep the bottom of the range
    # "The more races you complete, the more your points are multiplied through a participation bonus"
    # ... but gives no multiplier and not the place where the range ends: both are declared inputs the query supplies
    Question("season_points(100, 2) given participation_multiplier = 110%", "110", POINTS),
    Question("points half 1 given last_stepped_place = 21, participation_multiplier = 100%", "125 (125 = 125 base points over 1 race(s))", POINTS),
    Question("points half 1 marathon 2 given last_stepped_place = 21, participation_multiplier = 110%",
             "348.425 (125 + 191.75 = 316.75 base points over 2 race(s))", POINTS),
    Question("points marathon 21 half 30 half 21 given last_stepped_place = 21, participation_multiplier = 120%",
             "102 (35 + 25 + 25 = 85 base points over 3 race(s))", POINTS),
    Question("points half 2 given last_stepped_place = 11, participation_multiplier = 100%", "115 (115 = 115 base points over 1 race(s))", POINTS),
    # seed 002 "Punch Your Ticket to the World Champs" and the FAQ: slots "split evenly between men and women and evenly across both distances"
    Question("slots_per_sex_and_distance(Gozo)", "29", TICKET),
    Question("slots_per_sex_and_distance(Taihu)", "14.5", TICKET),
    Question("is_qualifier(Europe)", "yes", CALENDAR),
    Question("is_qualifier(WorldChampionship)", "no", CALENDAR),
    # "no Trail Marathon is available within 500 km ... and ... top 15 overall ..., or ... top 3 overall in a Trail Half Marathon"
    Question("half_to_marathon_transfer(500 km, 10)", "no", TICKET),  # 500 km is within 500 km
    Question("half_to_marathon_transfer(501 km, 15)", "yes", TICKET),
    Question("half_to_marathon_transfer(800 km, 16)", "no", TICKET),
    Question("half_to_marathon_transfer(100 km, 3)", "yes", TICKET),
    Question("half_to_marathon_transfer(100 km, 4)", "no", TICKET),
    Question("marathon_to_half_transfer", "only in exceptional circumstances, by special request", TICKET),
    Question('championship_distance("Trail Half", false)', "Trail Half", TICKET),
    Question('championship_distance("Trail Half", true)', "Trail Marathon", TICKET),
    # seed 002 "What to Know Before Your Run": "the regional champion in a given division is the first athlete from that region to finish"
    Question('regional_champion([{name: "Ito", region: "Asia-Pacific"}], "Asia-Pacific")', "Ito", KNOW),
    Question(
        'regional_champion([{name: "Rossi", region: "European"}, {name: "Ito", region: "Asia-Pacific"},'
        ' {name: "Lee", region: "Asia-Pacific"}], "Asia-Pacific")',
        "Ito", KNOW,
    ),
    Question('regional_champion([{name: "Rossi", region: "European"}], "Americas")', "no finisher from Americas", KNOW),
    # "athlete's are required to hold a valid passport for their represented nation"
    Question('may_represent({country: "Japan", passports: ["France", "Japan"]})', "yes", KNOW),
    Question('may_represent({country: "Italy", passports: ["France"]})', "no", KNOW),
    # seed 002 "Explore the Trail Run World Series": the calendar
    Question("slots Gozo", "116", CALENDAR),
    Question("slots AsiaPacific", "131", CALENDAR),
    Question("slots Taihu", "58", CALENDAR),
    Question("date SouthAfrica", "2023-01-21", CALENDAR),
    Question("date WorldChampionship", "2023-09-30", CALENDAR),
    Question("status Gozo", "Dates not confirmed", CALENDAR),
    Question("championship Americas", "Americas", CALENDAR),
    Question("country Comapedrosa", "Andorra", CALENDAR),
]


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.query for q in QUESTIONS])
def test_question_answered_from_the_seed(ask, question: Question) -> None:
    answer = ask(question.query, edition=EDITION)
    assert answer.text == question.expected
    assert any(question.seed in c for c in answer.citations()), answer.citations()


def test_question_table_is_large_enough() -> None:
    assert len(QUESTIONS) >= 40


def test_age_on_31_december_comes_from_the_plugin(ask) -> None:
    # seed 002 "What to Know Before Your Run": "your age on December 31 of the year of the event"; the birthday never matters
    answer = ask("age_on_december_31(1990-05-01, 2023-06-01)", edition=EDITION)
    assert answer.text == "33"
    assert [(e.kind, e.name) for e in answer.trace] == [("function", "age_on_december_31")]
    assert ask("age_on_december_31(1990-12-31, 2023-01-01)", edition=EDITION).text == "33"


def test_world_championship_is_qualification_only(ask) -> None:
    # seed 002 calendar: "XTERRA Trail Run World Championship ... QualificationOnly"
    assert ask("eligible WorldChampionship given runner = {slot_awarded: true}", edition=EDITION).value is True
    answer = ask("eligible WorldChampionship given runner = {slot_awarded: false, pc: false}", edition=EDITION)
    assert answer.negative


def test_calendar_holds_every_event_of_the_seed(bundled: PolicySet) -> None:
    # seed 002 "Explore the Trail Run World Series": 43 dated entries, from South Africa (Jan 21) to Taihu (Dec 3)
    edition = bundled.find(EDITION)
    assert len(edition.races) == 43
    dates = [race.attributes["date"] for race in edition.races.values()]
    assert dates == sorted(dates)
    assert {d.year for d in dates} == {2023}
    assert edition.groups["qualifiers"].members == frozenset(edition.races) - {"WorldChampionship"}


@pytest.mark.parametrize("query", [
    "points half 0",  # positions start at 1
    "points half",  # a distance without a position
    "points ultra 1",  # not a series distance
    "division 1990-05-01",  # no event
    "age_division(2024-01-01, 2023-05-01)",  # born after the event
    'base_points("not a series race", 1) given last_stepped_place = 21',  # no points outside the two distances
    'base_points("Trail Half", 2)',  # the place where the range ends is not in the text: the query must give it
    'regional_champion(["Ito"], "Asia-Pacific")',  # finishers are records
])
def test_bad_question_is_a_policy_error_not_a_traceback(ask, query: str) -> None:
    with pytest.raises(PolicyError):
        ask(query, edition=EDITION)


# ---- validators: the plugin holds an xterra policy to the rules of its series


def load(text: str) -> None:
    PolicySet().add(Source("xterra-test.policy", 'edition xterra 2023 "test"\n' + text))


def messages(text: str) -> list[str]:
    with pytest.raises(PolicyErrors) as caught:
        load(text)
    return [e.message for e in caught.value.errors]


def test_slots_that_split_evenly_four_ways_pass() -> None:
    load("race A: date 2023-05-06, slots 116")


def test_slots_that_do_not_split_evenly_need_a_reason() -> None:
    # seed 002: "Slots are split evenly between men and women and evenly across both distances"
    assert messages("race A: date 2023-05-06, slots 118") == [
        "118 slots of A do not split evenly between men and women and across both distances (29.5 each)",
    ]
    load('race A: date 2023-05-06, slots 118, slots_note "two extra slots for the host region"')


def test_event_outside_the_edition_year_is_refused() -> None:
    assert messages("race A: date 2026-05-06, slots 116") == ["event A is dated 2026-05-06, outside the 2023 edition"]


def test_event_needs_date_and_slots() -> None:
    assert messages('race A: place "Maine"') == ["event A has no date", "event A gives no slots"]


def test_age_divisions_may_not_leave_a_gap_or_close_at_the_top() -> None:
    # seed 002: divisions "ranging from 19U through 80+" by age: every runner has one
    found = messages("band age_divisions: 0..19 -> \"19U\" 21..79 80..84")
    assert found == ["age divisions leave age 20 without a division", "the last age division 80-84 is closed, so older runners have no division"]


def test_participation_bonus_must_rise_with_races() -> None:
    # seed 002: "The more races you complete, the more your points are multiplied"
    assert messages("band participation_multiplier: 1..1 -> 100% 2..2 -> 110% 3+ -> 105%") == [
        "the participation bonus does not rise from 110% to 105% at 3+ races",
    ]


def test_marathon_points_range_must_reach_higher_than_the_half() -> None:
    # seed 002: "with Trail Marathons carrying a higher points range than Trail Half Marathons"
    found = messages('table top_points(class): "Trail Half" -> 200 "Trail Marathon" -> 125')
    assert found == ["Trail Marathon top points 125 are not above the Trail Half's 200"]


def test_validator_error_points_at_the_statement_at_fault() -> None:
    with pytest.raises(PolicyErrors) as caught:
        load("race A: date 2023-05-06,\n  slots 118")
    error = caught.value.errors[0]
    assert (error.span.line, error.span.column) == (3, 3)
    assert "xterra-test.policy:3:3" in error.render()


def test_plugin_adds_the_series_words(bundled: PolicySet) -> None:
    vocabulary = bundled.find(EDITION).vocabulary
    assert vocabulary is not None
    assert {"Trail Half", "Trail Marathon", "19U", "80+", "Physically Challenged"} <= set(vocabulary.categories)
