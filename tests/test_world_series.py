"""UTMB World Series 2023: questions answered from seeds 000 and 001, and the world-series plugin."""

from __future__ import annotations

import datetime
from decimal import Decimal
from importlib import metadata, resources

import pytest
from racepolicy.evaluation.values import Length
from racepolicy.language.errors import PolicyError, PolicyErrors
from racepolicy.language.source import Source
from racepolicy.plugins import worldseries
from racepolicy.query.policyset import PolicySet

EDITION = "world-series-2023"
POLICY_NAME = "world-series-2023.policy"

# Section names the policy cites (seed 000 lost its headings: its sections are named
# after the sentence that opens each paragraph).
FINALS = "The UTMB World Series Finals will be held in the three key distances"
LEVELS = "The UTMB World Series integrates different levels of events."
MAJORS = "Three UTMB World Series Majors are held each year"
SCORE = "Qualification with the UTMB Score (New rule)"
SCORE_EXPLAINED = "UTMB Score Explained"
PERIOD = "Qualification period for the UTMB World Series finals (New rule)"
CHANGE = "Change of category"
ELITE = "Elite Runner Registration Benefits"

# (query, expected answer, section the trace must cite). Each row's comment names the seed
# file and section the answer comes from.
QUESTIONS = [
    # --- Finals races per distance category
    ('finals_race("50K")', "OCC", FINALS),  # seed 000 Finals: "OCC (50k)"
    ('finals_race("100K")', "CCC", FINALS),  # seed 000 Finals: "CCC (100k)"
    ('finals_race("100M")', "UTMB", FINALS),  # seed 000 Finals: "UTMB (100M)"
    ('finals_race("20K")', "none", FINALS),  # seed 000 Finals: only three key distances; seed 001 "UTMB Score Explained" has a 20K category
    # --- Running Stones by tier
    ('running_stones("major") given event_stones = 4', "8", LEVELS),  # seed 000 Majors: "award double the amount of Running Stones"
    ('running_stones("event") given event_stones = 4', "4", LEVELS),  # seed 000 Events: "all finishers collect Running Stones"
    ('running_stones("index") given event_stones = 4', "0", LEVELS),  # seed 000 Index races: "it will not provide Running Stones"
    # seed 000 Index races: Stones "mandatory to enter the ... lottery"
    ('may_enter_finals_lottery(running_stones("index")) given event_stones = 4', "no", LEVELS),
    # --- automatic qualification by rank: Majors top 10, Events top 3, per sex and category
    ('finals_qualification("major", "100K", "women", 7)', "CCC", LEVELS),  # seed 000 Majors: top 10 ... CCC (100K)
    ("qualify major 100K women 7", "CCC", LEVELS),  # seed 000 Majors, the same question as a query form
    ("qualify major 100M men 10", "UTMB", LEVELS),  # seed 000 Majors: "top 10 male and female runners" (boundary: 10th in)
    ("qualify major 100M men 11", "none", LEVELS),  # seed 000 Majors: top 10 (boundary: 11th out)
    ("qualify major 50K women 10", "OCC", LEVELS),  # seed 000 Majors: "OCC (50K)"
    ("qualify major 50K women 11", "none", LEVELS),  # seed 000 Majors: top 10
    ("qualify event 100K men 3", "CCC", LEVELS),  # seed 000 Events: "The top 3 elite runners" (boundary: 3rd in)
    ("qualify event 100K men 4", "none", LEVELS),  # seed 000 Events: top 3 (boundary: 4th out)
    ("qualify event 100M women 1", "UTMB", LEVELS),  # seed 001 period: "The first woman ... in the 100M race of the Istria 100"
    ("qualify event 100M men 3", "UTMB", LEVELS),  # seed 001 period: "the third man in the 100M race of The Canyons"
    ("qualify index 100M men 1", "none", LEVELS),  # seed 001 intro: elite qualification "only through ... Events or ... Majors"
    ("qualify major 20K women 1", "none", FINALS),  # seed 000 Majors: top 10 "in the 100M, 100K and 50K categories"; no 20K Finals
    ("automatic_qualifiers_per_major", "225", MAJORS),  # seed 000 Majors: "In total 225 runners"
    ("majors_per_year", "3", MAJORS),  # seed 000 Majors: "Three UTMB World Series Majors are held each year"
    ('age_group_winner_qualification("major", "100M")', "UTMB", MAJORS),  # seed 000 Majors: "This includes age-group category winners"
    ('age_group_winner_qualification("event", "100M")', "none", MAJORS),  # seed 000: age-group winners are named for Majors only
    # --- qualification by UTMB Score
    ('score_qualification("event", "100K", 700) given score_threshold = 700', "CCC", SCORE),  # seed 001 score: "higher or equal" (boundary: equal qualifies)
    ('score_qualification("event", "100K", 699) given score_threshold = 700', "none", SCORE),  # seed 001 score: one point short
    ('score_qualification("major", "50K", 720) given score_threshold = 700', "OCC", SCORE),  # seed 001 score: "qualified for the final of the same category"
    # seed 001: "on one of the races of the UTMB World Series circuit"
    ('score_qualification("index", "100K", 800) given score_threshold = 700', "none", SCORE),
    ('score_qualification("major", "20K", 900) given score_threshold = 700', "none", SCORE),  # seed 001 score: "in the 50K, 100K or 100M categories"
    ("score_qualifying_races_per_category", "1", SCORE),  # seed 001 score: "only one can qualify elite runners"
    ("index_scores_counted", "5", SCORE_EXPLAINED),  # seed 001 "UTMB Score Explained": "the 5 best scores"
    # --- qualification period and the January-August 2023 transition
    ("finals 2023-01-01", "[2023, 2024]", PERIOD),  # seed 001 period: transition "from January 2023" (first day)
    ("finals 2023-08-31", "[2023, 2024]", PERIOD),  # seed 001 period: transition "to August 2023" (last day)
    ("finals 2023-09-01", "[2024]", PERIOD),  # seed 001 period: after the transition, calendar year prior only
    ("finals 2023-12-31", "[2024]", PERIOD),  # seed 001 period: "races in 2023 qualify for the corresponding 2024 finals"
    ("finals 2024-01-01", "[2025]", PERIOD),  # seed 001 period: "races in 2024 for the 2025 finals"
    ("finals 2022-12-31", "[]", PERIOD),  # seed 001 period: before 2023 the old "15 month period", not in this regulation
    ("counts_for_finals(2024-06-15, 2025)", "yes", PERIOD),  # seed 001 period: "the calendar year prior to the finals"
    ("counts_for_finals(2023-09-15, 2023)", "no", PERIOD),  # seed 001 period: September 2023 is after the transition
    ("direct_access_2023(false, 50)", "yes", PERIOD),  # seed 001 period: "in the top 50 runners in the second chance list"
    ("direct_access_2023(false, 51)", "no", PERIOD),  # seed 001 period: top 50 (boundary: 51st out)
    ("direct_access_2023(true, 0)", "yes", PERIOD),  # seed 001 period: "does not appear in the second chance list but qualifies by score"
    # --- change of category: one above or below, never 20K to OCC
    ("change 50K to 100K", "CCC", CHANGE),  # seed 001 change: "one category above"
    ("change 100M to 100K", "CCC", CHANGE),  # seed 001 change: "or below"
    ("change 100K to 50K", "OCC", CHANGE),  # seed 001 change: one below, into the OCC from a 100K result
    ("change 50K to 100M", "none", CHANGE),  # seed 001 change: two above is not "one category above"
    ("change 100M to 50K", "none", CHANGE),  # seed 001 change: two below is not "one category ... below"
    ("change 20K to 50K", "none", CHANGE),  # seed 001 change: "a 20K result cannot qualify for the OCC"
    ("change 50K to 20K", "none", CHANGE),  # seed 001 change: one below, but 20K has no Finals race (seed 000 Finals)
    # --- elite registration: 60 days
    ("elite_registration_deadline(2023-09-01)", "2023-07-03", ELITE),  # seed 001 elite: "at least 60 days before the race"
    ("elite_registered_in_time(2023-07-03, 2023-09-01)", "yes", ELITE),  # seed 001 elite: exactly 60 days before is in time
    ("elite_registered_in_time(2023-07-04, 2023-09-01)", "no", ELITE),  # seed 001 elite: 59 days before is late
    # seed 001 elite: "no registration will be accepted after the deadline"
    ("elite_registration(2023-07-04, 2023-09-01, false)", "refused: less than 60 days before the race", ELITE),
    # seed 001 elite: "Once a distance is sold out, the event organiser has the right to refuse"
    ("elite_registration(2023-07-03, 2023-09-01, true)", "the organiser may refuse: the distance is sold out", ELITE),
    ("elite_registration(2023-07-03, 2023-09-01, false)", "accepted", ELITE),  # seed 001 elite: in time, places left
    # --- regions, by where the race is held
    ('region("USA")', "1", ELITE),  # seed 001 elite: "Region 1: USA, Europe, China, Oceania"
    ('region("China")', "1", ELITE),  # seed 001 elite: Region 1
    ('region("Italy")', "1", ELITE),  # seed 001 elite: Region 1 (Europe)
    ('region("New Zealand")', "1", ELITE),  # seed 001 elite: Region 1 (Oceania)
    ('region("Canada")', "2", ELITE),  # seed 001 elite: "USA", not North America: "All other countries"
    ('region("Japan")', "2", ELITE),  # seed 001 elite: "Region 2: All other countries and regions"
    # --- elite thresholds (second table read as men, first as women; the policy flags it)
    ('elite_access("France", "100M", "men", 800)', "direct and free entry", ELITE),  # seed 001 second table: free 800 (boundary: equal)
    ('elite_access("France", "100M", "men", 799)', "direct and paid entry", ELITE),  # seed 001 second table: Region 1 paid 720
    ('elite_access("France", "100M", "men", 719)', "no elite access", ELITE),  # seed 001 second table: below Region 1's 720
    ('elite_access("Argentina", "100M", "men", 719)', "direct and paid entry", ELITE),  # seed 001 second table: Region 2 paid 660
    ('elite_access("USA", "50K", "women", 710)', "direct and free entry", ELITE),  # seed 001 first table: free 710
    ('elite_access("USA", "50K", "women", 649)', "no elite access", ELITE),  # seed 001 first table: Region 1 paid 650
    ('elite_access("Chile", "50K", "women", 649)', "direct and paid entry", ELITE),  # seed 001 first table: Region 2 paid 560
    ('elite_access("Thailand", "100M", "women", 450)', "direct and paid entry", ELITE),  # seed 001 first table: Region 2 paid 450
    ('elite_access("Thailand", "100M", "women", 449)', "no elite access", ELITE),  # seed 001 first table: Region 2 paid 450
    ('paid_entry_index(2, "100K", "men")', "660", ELITE),  # seed 001 second table: "Region 2 710 660 660"
    ('free_entry_index("100K", "women")', "690", ELITE),  # seed 001 first table: "Direct* and free entry 710 690 650"
]


@pytest.mark.parametrize(("query", "expected", "section"), QUESTIONS, ids=[q for q, _, _ in QUESTIONS])
def test_world_series_question(ask, query: str, expected: str, section: str) -> None:
    answer = ask(query, edition=EDITION)
    assert answer.edition == "world-series 2023"
    assert answer.value is not None
    assert answer.text.split(" (")[0] == expected
    assert any(f"§ {section}" in c for c in answer.citations()), answer.citations()


def test_the_question_table_is_large_enough() -> None:
    assert len(QUESTIONS) >= 40


# ---- answers a jury reads -------------------------------------------------------------


def test_woman_seventh_at_a_major_100k_goes_to_ccc_by_the_top_10_rule(ask) -> None:
    # seed 000 Majors: "the top 10 male and female runners ... CCC (100K)"
    answer = ask("qualify major 100K women 7", edition=EDITION)
    assert answer.value == "CCC"
    assert answer.note == "automatic qualification, rank 7 of the women in the 100K at a major"
    rules = [e.name for e in answer.trace]
    assert rules[:2] == ["finals_qualification", "qualifies_by_rank"]
    places = next(e for e in answer.trace if e.name == "automatic_places")
    assert places.result == "10"
    assert places.citation is not None and "top 10 male and female" in places.citation.clause


def test_qualify_query_picks_the_world_series_edition_unasked(ask) -> None:
    assert ask("qualify event 50K men 2").edition == "world-series 2023"


def test_qualify_accepts_the_words_juries_type(ask) -> None:
    # `100m` lexes as a length and `7th` as 7 then "th": both are understood.
    assert ask("qualify majors 100m female 7th", edition=EDITION).value == "UTMB"
    assert ask('qualify Event "50K" W 3', edition=EDITION).value == "OCC"


def test_finals_query_names_the_qualification_system(ask) -> None:
    # seed 001 period: "a transition period is set up from January 2023 to August 2023"
    answer = ask("finals 2023-05-20", edition=EDITION)
    assert answer.value == (Decimal(2023), Decimal(2024))
    assert answer.note == "transition: both qualification systems"
    assert "old rule" in ask("finals 2022-10-01", edition=EDITION).note


def test_change_of_category_answer_says_the_committee_decides(ask) -> None:
    # seed 001 change: "The request will be evaluated by the UTMB World Series Sport Committee"
    assert ask("change 50K to 100K", edition=EDITION).note == "may be requested; the Sport Committee decides"
    assert ask("change 20K to 50K", edition=EDITION).note == "cannot be requested"


def test_answer_as_json_has_value_and_cited_trace(ask) -> None:
    data = ask('finals_qualification("event", "50K", "men", 2)', edition=EDITION).as_json()
    assert data["value"] == "OCC"
    assert any(t["citation"] and t["citation"]["section"] == LEVELS for t in data["trace"])


# ---- answers that must be errors, never tracebacks ------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("qualify major 30K men 1", "unknown distance category '30K'"),
        ("qualify worldcup 100K men 1", "unknown tier 'worldcup'"),
        ("qualify major 100K kids 1", "unknown ranking 'kids'"),
        ("qualify major 100K men 0", "the rank must be a whole number from 1"),
        ("qualify major 100K men", "qualify takes a tier, a category, a sex and a rank; 3 given"),
        ("finals tomorrow", "finals takes the date of one race"),
        ("change 50K to 30K", "change takes two distance categories"),
    ],
)
def test_bad_query_form_is_a_located_error(ask, query: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        ask(query, edition=EDITION)
    assert message in caught.value.message
    assert (caught.value.span.line, caught.value.span.column) == (1, 1)
    assert "ask as:" in caught.value.hint


def test_a_sex_written_as_an_alias_answers_and_an_unknown_one_lists_the_words(ask) -> None:
    # seed 000 Majors: "the top 10 male and female runners in the 100M, 100K and 50K categories"
    assert ask('finals_qualification("major", "100K", "male", 1)', edition=EDITION).text == "CCC"
    assert ask('finals_qualification("Majors", "100k", "Women", 10)', edition=EDITION).text == "CCC"
    with pytest.raises(PolicyError, match='"mal" is not one of the words of \'sex\': "men", "women"'):
        ask('finals_qualification("major", "100K", "mal", 1)', edition=EDITION)


def test_no_elite_threshold_for_20k(ask) -> None:
    # seed 001 elite: the tables have columns 50K, 100K and 100M only
    with pytest.raises(PolicyError, match="free_entry_index has no row"):
        ask('elite_access("France", "20K", "men", 900)', edition=EDITION)


def test_unknown_country_is_an_error_with_a_hint(ask) -> None:
    with pytest.raises(PolicyError, match="unknown country 'Atlantis'"):
        ask('region("Atlantis")', edition=EDITION)


# ---- the plugin's functions ------------------------------------------------------------


@pytest.mark.parametrize(
    ("qualified_in", "requested", "step"),
    [("50K", "100K", 1), ("100M", "100K", -1), ("20K", "100M", 3), ("100K", "100K", 0), ("100M", "20K", -3)],
)
def test_category_step_counts_rungs_on_the_distance_ladder(qualified_in: str, requested: str, step: int) -> None:
    assert worldseries.category_step(qualified_in, requested) == Decimal(step)


def test_category_step_rejects_an_unknown_category() -> None:
    with pytest.raises(ValueError, match="unknown distance category '30K'"):
        worldseries.category_step("30K", "50K")


def test_calendar_year_of_a_date() -> None:
    assert worldseries.calendar_year(datetime.date(2023, 12, 31)) == Decimal(2023)


@pytest.mark.parametrize(
    ("country", "continent"),
    [("France", "Europe"), ("  new zealand ", "Oceania"), ("Russia", "Europe"), ("Turkey", "Asia"), ("USA", "Americas"), ("Morocco", "Africa")],
)
def test_continent_follows_the_un_geoscheme(country: str, continent: str) -> None:
    assert worldseries.continent(country) == continent


def test_continent_of_an_unknown_country_raises() -> None:
    with pytest.raises(ValueError, match="unknown country"):
        worldseries.continent("Atlantis")


def test_normalise_words_glues_what_the_lexer_split() -> None:
    words = worldseries.normalise_words(["major", Decimal(100), "K", "women", Decimal(7), "th", Length(Decimal(100), "m"), "50k"])
    assert words == ["major", "100K", "women", Decimal(7), "100M", "50K"]


def test_plugin_is_an_entry_point_like_a_third_party_one() -> None:
    found = {ep.name: ep.value for ep in metadata.entry_points(group="racepolicy.plugins")}
    assert found.get("world-series") == "racepolicy.plugins.worldseries"


def test_plugin_speaks_only_for_its_series() -> None:
    assert worldseries.racepolicy_series() == ["world-series"]
    assert worldseries.racepolicy_vocabulary("utmb") is None
    assert worldseries.racepolicy_functions("utmb") is None
    assert worldseries.racepolicy_query_forms("utmb") is None
    vocabulary = worldseries.racepolicy_vocabulary("world-series")
    assert vocabulary is not None and vocabulary.categories == ("20K", "50K", "100K", "100M")


# ---- the plugin's validators: a broken policy is a located error -----------------------


def _policy_text() -> str:
    return resources.files("racepolicy.policies").joinpath(POLICY_NAME).read_text(encoding="utf-8")


def _line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def _load_errors(text: str) -> list[PolicyError]:
    with pytest.raises(PolicyErrors) as caught:
        PolicySet().add(Source("broken.policy", text))
    return caught.value.errors


def test_bundled_policy_passes_the_validators(bundled: PolicySet) -> None:
    assert bundled.find(EDITION).label == "world-series 2023"


def test_category_without_finals_row_is_reported_at_the_table() -> None:
    text = _policy_text()
    row = '  "20K"  -> "none" § "held in the three key distances ... OCC (50k), CCC (100k) and UTMB (100M)"\n'
    assert row in text
    broken = text.replace(row, "")
    errors = _load_errors(broken)
    assert [e.code for e in errors] == ["RP0502"]
    assert "category '20K' has no Finals race and the policy does not say why" in errors[0].message
    assert errors[0].span.line == _line_of(broken, "table finals_race(category: category)")
    assert errors[0].source is not None and errors[0].source.name == "broken.policy"


def test_category_without_finals_race_must_cite_why() -> None:
    text = _policy_text()
    row = '  "20K"  -> "none" § "held in the three key distances ... OCC (50k), CCC (100k) and UTMB (100M)"\n'
    broken = text.replace(row, '  "20K"  -> "none"\n')
    errors = _load_errors(broken)
    assert "category '20K' has no Finals race but the row does not say why" in errors[0].message
    assert errors[0].span.line == _line_of(broken, '"20K"  -> "none"')
    assert "cite the regulation" in errors[0].hint


def test_finals_row_for_an_unknown_category_or_race() -> None:
    # The table's column is typed with the words of `category`: an unknown one is the checker's error, with the words.
    broken = _policy_text().replace('"50K"  -> "OCC"  § "OCC (50k)"', '"50K"  -> "OCC"  § "OCC (50k)"\n  "30K"  -> "OCC"')
    messages = [e.message for e in _load_errors(broken)]
    assert messages == ['"30K" is not one of the words of \'category\': "20K", "50K", "100K", "100M"']
    broken = _policy_text().replace('"100K" -> "CCC"  § "CCC (100k)"', '"100K" -> "TDS"  § "CCC (100k)"')
    assert "'TDS' is not a Finals race" in [e.message for e in _load_errors(broken)]


def test_missing_tier_row_is_reported() -> None:
    text = _policy_text()
    broken = text.replace('  "index" -> 0 § "Finishing a UTMB Index race ... will not provide Running Stones"\n', "")
    errors = _load_errors(broken)
    assert [e.message for e in errors] == ["tier 'index' has no Running Stones row"]
    assert errors[0].span.line == _line_of(broken, "table running_stones_multiplier(tier: tier)")


def test_major_top_places_must_fit_in_the_225() -> None:
    # 80 men + 80 women in each of 3 categories is 480 > 225 (seed 000 Majors)
    broken = _policy_text().replace('"major", "men"   -> 10', '"major", "men"   -> 80').replace('"major", "women" -> 10', '"major", "women" -> 80')
    errors = _load_errors(broken)
    assert len(errors) == 1
    assert "a Major's top places need 480 qualifiers" in errors[0].message
    assert errors[0].span.line == _line_of(broken, '"major", "men"   -> 80')


def test_paid_entry_harder_than_free_entry_is_reported_at_the_row() -> None:
    broken = _policy_text().replace('1, "100M", "men"   -> 720', '1, "100M", "men"   -> 820')
    errors = _load_errors(broken)
    assert [e.message for e in errors] == ["100M men: paid entry in Region 1 asks an index of 820, more than free entry (800)"]
    line = _line_of(broken, '1, "100M", "men"   -> 820')
    assert (errors[0].span.line, errors[0].span.column) == (line, broken.splitlines()[line - 1].index("820") + 1)
    assert "broken.policy:" in errors[0].render()


def test_policy_without_finals_table_is_told_what_to_add() -> None:
    errors = _load_errors('edition world-series 2030 "empty" currency EUR')
    messages = [e.message for e in errors]
    assert "the world-series 2030 policy has no table 'finals_race'" in messages
    assert all(e.span.line == 1 for e in errors)
