"""Regulation diffs on small synthetic edition pairs: one pair per kind of change, and what is not a change."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from racepolicy.cli.main import main
from racepolicy.diff.cases import case_query, replay
from racepolicy.diff.compare import EditionDiff, diff_editions
from racepolicy.diff.render import render, render_text, use_colour
from racepolicy.evaluation.model import Edition
from racepolicy.language.source import Source
from racepolicy.pluginapi.manager import make_plugin_manager
from racepolicy.query.policyset import compile_source

# A small edition of an imaginary series (no plugin speaks for it), written to exercise every topic.
BASE = """
edition demo 2020 "Demo trail 2020" currency EUR

section "THE RACES"
race LONG "Long trail" § "Long: 100 km": distance 100 km, elevation 5000 m, cutoff 30h, fee 200 EUR,
  insurance 15 EUR, capacity 1000, assistance ["Alpha", "Bravo"],
  eligible when runner.birth_year <= 2000 § "born in or before 2000"
race MID "Mid trail" § "Mid: 50 km": distance 50 km, cutoff 14h, fee 100 EUR, capacity 800
race SHORT "Short trail" § "Short: 20 km": distance 20 km, cutoff 6h, fee 50 EUR

group long = LONG, MID
group short = SHORT

section "PENALTIES"
infraction littering "Discarding of rubbish"
infraction lack_of_respect "Lack of respect for others"
infraction missing_jacket "No waterproof jacket"
infraction short_cutting "Short-cutting the route"
penalty littering on long = 1h § "Littering: 1 hour"
penalty littering on short = 30min § "Littering: 30 minutes"
penalty lack_of_respect on all = 1h § "Lack of respect: 1 hour"
penalty missing_jacket on all = disqualify § "Missing jacket: disqualification"
penalty short_cutting on all = discretion § "Short-cutting: at the race director's discretion"

section "REFUNDS"
schedule refund_share § "refunded as follows":
  through 04-30 -> 60% § "Until the end of April: 60%"
  through 06-30 -> 50% § "May and June: 50%"
  otherwise -> 0% § "Later: no refund"

rule refund(race: race, cancelled: date) = race.fee * refund_share(cancelled) § "refund excluding charges"
rule notice = 15d § "cancelled more than 15 days before the start"

section "AWARDS"
table awards(race) § "prizes for the first N":
  long -> 5 § "Long and Mid: first 5"
  SHORT -> 3 § "Short: first 3"

band age_group § "age groups":
  20..39 -> "senior"
  40..59 -> "master"
  60+ -> "veteran"
"""


def edition(text: str, name: str = "demo.policy", pm: object = None) -> Edition:
    return compile_source(Source(name, text), pm)  # type: ignore[arg-type]


def edit(text: str, *replacements: tuple[str, str]) -> str:
    """BASE with each (old, new) replacement made once; each old text must be there."""
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def compare(new_text: str, old_text: str = BASE, pm: object = None) -> EditionDiff:
    old = edition(old_text, "old.policy", pm)
    new = edition(new_text.replace("edition demo 2020", "edition demo 2021", 1), "new.policy", pm)
    return diff_editions(old, new, pm)  # type: ignore[arg-type]


def lines(diff: EditionDiff, topic: str | None = None) -> list[str]:
    return [c.summary for c in diff.changes(topic)]


# ---- what is not a change ------------------------------------------------------------


def test_same_rules_next_year_are_equal() -> None:
    diff = compare(BASE)
    assert diff.equal
    assert render_text(diff) == "demo 2020 → demo 2021: no changes\n  old: old.policy\n  new: new.policy\n"


def test_reordering_reformatting_and_comments_are_not_changes() -> None:
    # GIVEN the same policy with statements moved, lines rewrapped and comments added
    moved = edit(
        BASE,
        ('penalty littering on short = 30min § "Littering: 30 minutes"\n', ""),
        ('penalty lack_of_respect on all = 1h § "Lack of respect: 1 hour"',
         'penalty lack_of_respect on all = 1h § "Lack of respect: 1 hour"\n# moved here\npenalty littering on short = 30min'),
        ("distance 100 km, elevation 5000 m,", "distance   100 km,   # about\n    elevation 5000 m,\n   "),
        ("  through 04-30 -> 60%", "  # the first tier\n  through 04-30 ->   60%"),
    )
    # WHEN compared THEN nothing changed
    assert lines(compare(moved)) == []


def test_renamed_group_covering_the_same_races_is_not_a_change() -> None:
    renamed = BASE.replace("group long = LONG, MID", "group ultra = MID, LONG").replace("on long", "on ultra").replace("  long -> 5", "  ultra -> 5")
    assert lines(compare(renamed)) == []


def test_group_row_split_into_its_races_is_not_a_change() -> None:
    split = edit(BASE, ('  long -> 5 § "Long and Mid: first 5"', "  LONG -> 5\n  MID -> 5"),
                 ('penalty littering on long = 1h § "Littering: 1 hour"', "penalty littering on LONG, MID = 1h"))
    assert lines(compare(split)) == []


def test_reworded_citation_is_not_a_change() -> None:
    assert lines(compare(BASE.replace("Until the end of April: 60%", "Up to 30 April: 60 %"))) == []


# ---- one pair per kind of change -------------------------------------------------------


def test_race_added_and_removed() -> None:
    new = edit(BASE, ('race SHORT "Short trail" § "Short: 20 km": distance 20 km, cutoff 6h, fee 50 EUR',
                      'race KIDS "Kids trail" § "Kids: 5 km": distance 5 km, cutoff 2h, fee 10 EUR'),
               ("group short = SHORT", "group short = KIDS"), ("  SHORT -> 3", "  KIDS -> 3"))
    diff = compare(new)
    assert lines(diff, "races") == ['KIDS: "Kids trail" (added)', 'SHORT: "Short trail" (removed)']
    assert [c.details for c in diff.changes("races")] == [
        ("distance: 5 km", "cutoff: 2h", "fee: 10.00 EUR"), ("distance: 20 km", "cutoff: 6h", "fee: 50.00 EUR"),
    ]
    # Penalties of a race found in one edition only are not listed again, and tables say which race changed.
    assert lines(diff, "penalties") == []
    assert lines(diff, "tables") == ["awards(KIDS): 3 (added)", "awards(SHORT): 3 (removed)"]
    added = diff.changes("races")[0]
    assert added.new_cite is not None and added.new_cite.clause == "Kids: 5 km" and added.old_cite is None


def test_race_attributes_changed_with_deltas() -> None:
    new = edit(BASE, ("cutoff 30h, fee 200 EUR", "cutoff 33h30, fee 230 EUR"), ("distance 100 km", "distance 105.5 km"),
               ('assistance ["Alpha", "Bravo"]', 'assistance ["Bravo", "Charlie"]'), ("capacity 800", "capacity 750"),
               ("insurance 15 EUR, ", ""), ("fee 50 EUR", "fee 50 EUR, insurance 5 EUR"))
    assert lines(compare(new), "race_attributes") == [
        "LONG distance: 100 km → 105.5 km (+5.5 km)",
        "LONG cutoff: 30h → 33h30 (+3h30)",
        "LONG fee: 200.00 EUR → 230.00 EUR (+30.00 EUR)",
        "LONG insurance: 15.00 EUR (removed)",
        "LONG assistance: [Alpha, Bravo] → [Bravo, Charlie] — added Charlie; removed Alpha",
        "MID capacity: 800 → 750 (-50)",
        "SHORT insurance: 5.00 EUR (added)",
    ]


def test_attribute_change_cites_the_clause_in_both_editions() -> None:
    new = edit(BASE, ("cutoff 30h,", 'cutoff 32h § "Long: 32 hours",'))
    change = compare(new).changes("race_attributes")[0]
    assert change.old_cite is not None and change.new_cite is not None
    assert (change.old_cite.file, change.old_cite.clause) == ("old.policy", "Long: 100 km")
    assert (change.new_cite.file, change.new_cite.clause, change.new_cite.section) == ("new.policy", "Long: 32 hours", "THE RACES")


def test_eligibility_changed() -> None:
    new = edit(BASE, ("runner.birth_year <= 2000", "runner.birth_year <= 2003"))
    assert lines(compare(new), "race_attributes") == ["LONG eligibility: runner.birth_year <= 2000 → runner.birth_year <= 2003"]


def test_eligibility_birth_year_that_moves_with_the_edition_is_restated_not_changed() -> None:
    # GIVEN "born in or before 2000" in the 2020 edition and "2001" in the 2021 edition: 20 years old in the race's year both times
    diff = compare(edit(BASE, ("runner.birth_year <= 2000", "runner.birth_year <= 2001")))
    assert lines(diff, "race_attributes") == [
        "LONG eligibility: runner.birth_year <= 2000 → runner.birth_year <= 2001 (restated, not a change)"
        " — the same limit: 20 years before the edition year in both",
    ]
    assert diff.equal and "= LONG eligibility" in render_text(diff)


def test_penalties_harsher_milder_added_removed_grouped_by_race() -> None:
    new = edit(
        BASE,
        ('penalty lack_of_respect on all = 1h', "penalty lack_of_respect on all = disqualify"),
        ("penalty littering on long = 1h", "penalty littering on long = 30min"),
        ("penalty short_cutting on all = discretion", "penalty short_cutting on all = discretion\npenalty short_cutting on SHORT = 15min"),
        ("penalty missing_jacket on all = disqualify", "penalty missing_jacket on all = disqualify for life"),
    )
    assert lines(compare(new), "penalties") == [
        "littering on LONG/MID: 1h → 30min (-30min, milder)",
        "lack_of_respect on all races: 1h → disqualify (harsher)",
        "missing_jacket on all races: disqualify → disqualify for life (harsher)",
        "short_cutting on SHORT: discretion → 15min",
    ]


def test_penalty_added_and_removed_with_the_infraction() -> None:
    new = edit(BASE, ('infraction short_cutting "Short-cutting the route"', 'infraction pack_not_tagged "Pack not tagged"'),
               ('penalty short_cutting on all = discretion', "penalty pack_not_tagged on all = 1h"))
    diff = compare(new)
    assert lines(diff, "infractions") == ['pack_not_tagged: "Pack not tagged" (added)', 'short_cutting: "Short-cutting the route" (removed)']
    assert lines(diff, "penalties") == ["pack_not_tagged on all races: 1h (added)", "short_cutting on all races: discretion (removed)"]


def test_renamed_infraction_is_reported_as_a_rename_and_its_penalties_compared() -> None:
    # GIVEN an infraction renamed with (nearly) the same description, and a harsher sanction
    new = edit(BASE, ('infraction lack_of_respect "Lack of respect for others"', 'infraction disrespect "Lack of respect for other people"'),
               ("penalty lack_of_respect on all = 1h", "penalty disrespect on all = disqualify"))
    diff = compare(new)
    # THEN one rename, no added/removed pair, and the penalty change follows the rename
    assert lines(diff, "infractions") == ["infraction: renamed lack_of_respect → disrespect"]
    assert lines(diff, "penalties") == ["lack_of_respect (now disrespect) on all races: 1h → disqualify (harsher)"]


def test_schedule_compared_by_calendar_day_as_date_ranges() -> None:
    # seed-like change: the 60% tier ends two weeks earlier, a 30% tier is added in July
    new = edit(BASE, ("through 04-30 -> 60%", "through 04-15 -> 60%"),
               ("through 06-30 -> 50% § \"May and June: 50%\"", 'through 06-30 -> 50% § "May and June: 50%"\n  through 07-31 -> 30% § "July: 30%"'))
    diff = compare(new)
    assert lines(diff, "schedules") == ["refund_share 04-16..04-30: 60% → 50% (-10 points)", "refund_share 07-01..07-31: 0% → 30% (+30 points)"]
    july = diff.changes("schedules")[1]
    assert july.old_cite is not None and july.old_cite.clause == "Later: no refund"
    assert july.new_cite is not None and july.new_cite.clause == "July: 30%"


def test_schedule_with_full_dates_matches_day_month_of_the_other_year() -> None:
    # 2020-04-30 in the 2020 edition and 04-30 in the 2021 edition are the same calendar day
    old = BASE.replace("through 04-30", "through 2020-04-30").replace("through 06-30", "through 2020-06-30")
    assert lines(compare(BASE, old_text=old)) == []


def test_table_cell_by_cell() -> None:
    new = edit(BASE, ('  long -> 5 § "Long and Mid: first 5"', "  LONG -> 10\n  MID -> 5"), ("SHORT -> 3", "SHORT -> 3\n  otherwise -> 1"))
    assert lines(compare(new), "tables") == ["awards(LONG): 5 → 10 (+5)", "awards otherwise: 1 (added)"]


def test_band_rows() -> None:
    new = edit(BASE, ('40..59 -> "master"', '40..59 -> "master 1"'), ('60+ -> "veteran"', '60..69 -> "veteran"\n  70+ -> "elder"'))
    assert lines(compare(new), "bands") == [
        "age_group 40-59: master → master 1",
        "age_group 60-69: veteran (added)",
        "age_group 70+: elder (added)",
        "age_group 60+: veteran (removed)",
    ]


def test_rule_whose_meaning_changed_shows_the_fragment_that_differs() -> None:
    new = edit(BASE, ("rule notice = 15d", "rule notice = 30d"), ("race.fee * refund_share(cancelled)", "race.fee * refund_share(cancelled) - 5 EUR"))
    diff = compare(new)
    assert lines(diff, "rules") == [
        "rule refund: race.fee * refund_share(cancelled) → race.fee * refund_share(cancelled) - 5 EUR",
        "rule notice: 15d → 30d (+15d)",
    ]
    notice = diff.changes("rules")[1]
    assert notice.old_json == "15d" and notice.new_json == "30d"


def test_rule_dates_are_compared_on_the_edition_year() -> None:
    # GIVEN a deadline on 31 May of each edition's year, then one moved to 15 June
    old = BASE + "rule deadline = 2020-05-31\n"
    assert lines(compare(BASE + "rule deadline = 2021-05-31\n", old_text=old)) == []
    assert lines(compare(BASE + "rule deadline = 2021-06-15\n", old_text=old)) == ["rule deadline: 2020-05-31 → 2021-06-15 (+15 days)"]


def test_rule_changed_in_a_few_places_shows_each_place_and_explain_shows_the_bodies() -> None:
    new = edit(BASE, ("race.fee * refund_share(cancelled)", "race.insurance * refund_share(cancelled + 1d)"))
    diff = compare(new)
    assert lines(diff, "rules") == ["rule refund: race.fee → race.insurance; cancelled → cancelled + 1d"]
    # WHEN shown with --explain THEN both whole bodies follow; without it they do not
    explained = render_text(diff, explain=True)
    assert "demo 2020: race.fee * refund_share(cancelled)" in explained
    assert "demo 2021: race.insurance * refund_share(cancelled + 1d)" in explained
    assert "demo 2020: race.fee * refund_share(cancelled)" not in render_text(diff)
    (change,) = diff.changes("rules")
    assert (change.old_json, change.new_json) == ("race.fee * refund_share(cancelled)", "race.insurance * refund_share(cancelled + 1d)")


def test_rule_changed_in_many_places_is_shown_whole() -> None:
    old = BASE + "rule mix(a, b, c, d) = a + b + c + d\n"
    new = BASE + "rule mix(a, b, c, d) = a * b - c / d\n"
    assert lines(compare(new, old_text=old), "rules") == ["rule mix: a + b + c + d → a * b - c / d"]


def test_several_changed_parts_each_carry_their_delta() -> None:
    new = edit(BASE, ("rule notice = 15d", "rule notice = max(30d, 1d)"))
    old = edit(BASE, ("rule notice = 15d", "rule notice = max(15d, 2d)"))
    assert lines(compare(new, old_text=old), "rules") == ["rule notice: 15d → 30d (+15d); 2d → 1d (-1d)"]


def test_deadline_counted_from_another_point_shows_both_without_a_delta() -> None:
    # seed 004:386 "within two hours of the arrival"; seed 003:850 "within 10 days after the end of the event"
    old = BASE + 'rule complaint_deadline = 2h § "within two hours of the arrival of the runner concerned"\n'
    new = BASE + 'rule complaint_deadline = 10d § "within 10 days after the end of the event"\n'
    (change,) = compare(new, old_text=old).changes("rules")
    assert change.summary == 'rule complaint_deadline: 2h → 10d — the reference point changed: "of the arrival" → "after the end of the event"'
    assert change.delta == ""
    # the same point in other words keeps its delta
    same = BASE + 'rule complaint_deadline = 4h § "within four hours after the arrival"\n'
    assert lines(compare(same, old_text=old), "rules") == ["rule complaint_deadline: 2h → 4h (+2h)"]


def test_birth_year_moved_with_the_edition_year_is_the_same_age_limit() -> None:
    # seed 004:28 "born in 1996 or before" (2016), seed 003:32 "born in or before 2002" (2022): 20 years before each
    old = BASE + "rule born_in_time(runner: record) = runner.birth_year <= 2000\n"
    new = BASE + "rule born_in_time(runner: record) = runner.birth_year <= 2001\n"
    diff = compare(new, old_text=old)
    (change,) = diff.changes("rules")
    assert change.kind == "restated"
    assert change.summary == "rule born_in_time: 2000 → 2001 (restated, not a change) — the same limit: 20 years before the edition year in both"
    assert diff.equal and diff.count == 0
    # a limit that really moved is a change
    moved = BASE + "rule born_in_time(runner: record) = runner.birth_year <= 2003\n"
    assert lines(compare(moved, old_text=old), "rules") == ["rule born_in_time: 2000 → 2003 (+3)"]


def test_editions_of_different_series_are_compared_not_crashed() -> None:
    other = BASE.replace("edition demo 2020", "edition other 2020")
    diff = compare(other)
    assert lines(diff, "edition") == ["series: demo → other — editions of different series"]


def test_currency_change_is_reported() -> None:
    assert lines(compare(BASE.replace("currency EUR", "currency CHF")), "edition") == ["currency: EUR → CHF"]


# ---- values always: what an added or removed statement holds ---------------------------------


def test_added_race_brings_everything_it_has_in_every_format() -> None:
    new = edit(BASE, ('race SHORT "Short trail"',
                      'race KIDS "Kids trail" § "Kids: 5 km": distance 5 km, cutoff 2h, fee 10 EUR, insurance 2 EUR, capacity 50,\n'
                      '  assistance ["Alpha"], eligible when runner.birth_year >= 2008 § "reserved for runners born in 2008 or later"\n'
                      'race SHORT "Short trail"'))
    diff = compare(new)
    (added,) = diff.changes("races")
    assert added.details == (
        "distance: 5 km", "cutoff: 2h", "fee: 10.00 EUR", "insurance: 2.00 EUR", "capacity: 50", "assistance: [Alpha]",
        'eligible when runner.birth_year >= 2008 — "reserved for runners born in 2008 or later"',
    )
    text, markdown = render(diff, "text"), render(diff, "markdown")
    assert "insurance: 2.00 EUR" in text and "capacity: 50" in text and "runner.birth_year >= 2008" in text
    # Markdown escapes what would otherwise be read as emphasis or a quote
    assert "  - insurance: 2.00 EUR" in markdown and "  - capacity: 50" in markdown and "runner.birth\\_year \\>= 2008" in markdown
    assert added.new_json["eligibility"] == ["runner.birth_year >= 2008"]


def test_added_table_shows_its_rows_not_only_a_count() -> None:
    new = BASE + 'table thresholds(race, sex) § "Free entry":\n  LONG, "men" -> 880\n  LONG, "women" -> 760\n'
    (added,) = compare(new).changes("tables")
    assert added.summary == "thresholds(race, sex): 2 rows (added)"
    assert added.details == ('LONG, "men" → 880', 'LONG, "women" → 760')
    assert added.new_json == [{"row": 'LONG, "men"', "value": {"type": "number", "value": "880"}},
                              {"row": 'LONG, "women"', "value": {"type": "number", "value": "760"}}]
    assert 'LONG, "women" → 760' in render(compare(new), "markdown")


def test_json_values_are_never_null_for_a_changed_value() -> None:
    diff = compare(EVERYTHING)
    data = json.loads(render(diff, "json"))
    for section in data["sections"]:
        for change in section["changes"]:
            if change["kind"] in ("changed", "harsher", "milder", "renamed", "restated"):
                assert change["old_value"] is not None and change["new_value"] is not None, change["summary"]
            if change["kind"] == "added":
                assert change["new_value"] is not None, change["summary"]
            if change["kind"] == "removed":
                assert change["old_value"] is not None, change["summary"]


# ---- renames a series plugin declares ------------------------------------------------------------


class RenamePlugin:
    """A test series plugin that says a rule was renamed and another became a table."""

    from racepolicy import hookimpl

    @hookimpl
    def racepolicy_diff_renames(self, old: Edition, new: Edition) -> dict[str, str]:
        return {"rule:notice": "rule:notice_period", "rule:covers": "table:covered"}


def test_plugin_renames_make_one_change_not_a_removal_and_an_addition() -> None:
    pm = make_plugin_manager([RenamePlugin()], entry_points=False)
    old = BASE + 'rule covers(reason: text) = reason in ["accident", "illness"]\n'
    new = edit(BASE, ("rule notice = 15d", "rule notice_period = 30d"))
    new += 'table covered(reason):\n  "accident" -> true\n  "illness" -> true\n  "pregnancy" -> true\n'
    diff = compare(new, old_text=old, pm=pm)
    assert lines(diff, "rules") == [
        "rule notice (now notice_period): 15d → 30d (+15d)",
        'rule covers (now table covered): reason in ["accident", "illness"] → table covered: 3 rows',
    ]
    assert diff.changes("rules")[1].details == ('"accident" → yes', '"illness" → yes', '"pregnancy" → yes')
    assert lines(diff, "tables") == []


# ---- the summary a reader sees first -------------------------------------------------------------


def test_summary_comes_first_with_counts_and_what_a_runner_notices() -> None:
    text = render_text(compare(EVERYTHING))
    assert text.index("Summary") < text.index("Races\n")
    assert "  changes per section: Races 1, Race attributes 2, Penalties 1, Schedules 1, Tables 1, Rules 1\n" in text
    assert "  Fees: LONG fee 200.00 EUR → 220.00 EUR (+20.00 EUR)\n" in text
    assert "  Penalties: 1 harsher\n" in text
    assert "  Cut-offs: LONG 30h → 32h (+2h)\n" in text
    markdown = render(compare(EVERYTHING), "markdown")
    assert markdown.startswith("# What changed in the 2021 regulations\n")
    assert "## In short" in markdown and "| Races | 1 |" in markdown


# ---- plugin sections ----------------------------------------------------------------------


class GearPlugin:
    """A test series plugin that reports one section of its own."""

    from racepolicy import hookimpl

    @hookimpl
    def racepolicy_diff_sections(self, old: Edition, new: Edition) -> list[object]:
        from racepolicy.diff.compare import ADDED, Change, DiffSection

        return [DiffSection("zz_demo", "Demo checks", (Change(ADDED, "headlamp", new="mandatory"),))]


def test_plugin_adds_its_own_section_after_the_core_topics() -> None:
    pm = make_plugin_manager([GearPlugin()], entry_points=False)
    diff = compare(BASE, pm=pm)
    assert [s.topic for s in diff.sections][-1] == "zz_demo"
    assert lines(diff, "zz_demo") == ["headlamp: mandatory (added)"]
    assert not diff.equal


UTMB_BASE = """
edition utmb 2020 "t" currency EUR
race UTMB: fee 1 EUR
race CCC: fee 1 EUR
infraction missing_jacket "no waterproof jacket"
infraction missing_phone "no mobile phone"
infraction missing_torch "no torch"
infraction missing_beaker "no cup"
infraction missing_whistle "no whistle"
penalty missing_jacket, missing_phone, missing_torch on all = disqualify § "Missing item of the mandatory equipment: Disqualification"
penalty missing_beaker, missing_whistle on all = 1h § "Lacking cup: 1 hour"
schedule share § "refunded as follows": through 04-30 -> 60% otherwise -> 0%
rule refund(race: race, cancelled: date) = race.fee * share(cancelled)
checklist basic on all § "mandatory equipment":
  require phone "mobile phone with option enabling its use in the three countries" absent missing_phone § "mobile phone"
  require jacket "waterproof jacket" spec "a jacket with hood" absent missing_jacket § "jacket"
  require 2 torch "torches" absent missing_torch § "2 torches"
  require cup "a cup" spec "15 cl minimum" absent missing_beaker § "cup"
"""


def utmb_pair(*replacements: tuple[str, str]) -> EditionDiff:
    new = edit(UTMB_BASE, ("utmb 2020", "utmb 2021"), *replacements)
    return compare(new, old_text=UTMB_BASE, pm=make_plugin_manager())


def test_utmb_renamed_phone_is_one_change_in_infractions_penalties_and_gear() -> None:
    # seed 004:155 "mobile phone with option enabling its use in the three countries"; seed 003:112 "Smartphone: ..."
    diff = utmb_pair(("missing_phone", "missing_smartphone"), ("missing_phone", "missing_smartphone"), ("no mobile phone", "no smartphone"),
                     ('require phone "mobile phone with option enabling its use in the three countries" absent missing_phone',
                      'require smartphone "Smartphone: the runner must be reachable" absent missing_smartphone'))
    assert lines(diff, "infractions") == ["infraction: renamed missing_phone → missing_smartphone"]
    assert lines(diff, "penalties") == []
    assert lines(diff, "utmb_checklists") == [
        "smartphone on UTMB, CCC: renamed mobile phone with option enabling its use in the three countries → Smartphone: the runner must be reachable"
        " — the same item under a new name",
    ]
    assert [c.kind for c in diff.changes()] == ["renamed", "renamed"]


def test_utmb_gear_section_reads_the_checklists_items_quantities_and_figures() -> None:
    diff = utmb_pair(("require 2 torch", "require 1 torch"), ('spec "15 cl minimum"', 'spec "minimum 15cl"'),
                     ('spec "a jacket with hood"', 'spec "a jacket with hood, 10 000 mm Schmerber"'),
                     ('require cup "a cup"', 'require whistle "Whistle" absent missing_whistle § "whistle"\n  require cup "a cup"'),
                     ('  require phone "mobile phone with option enabling its use in the three countries" absent missing_phone § "mobile phone"\n', ""),
                     ("missing_jacket, missing_phone, missing_torch on all", "missing_jacket, missing_torch on all"),
                     ('infraction missing_phone "no mobile phone"\n', ""))
    assert lines(diff, "utmb_checklists") == [
        "jacket on UTMB, CCC: a jacket with hood → a jacket with hood, 10 000 mm Schmerber",
        "torch on UTMB, CCC: 2 × torch → 1 × torch",
        "whistle on UTMB, CCC: Whistle (added)",
        "phone on UTMB, CCC: mobile phone with option enabling its use in the three countries (removed)",
    ]
    # the same figures in other words ("15 cl minimum", "minimum 15cl") are no change; the JSON carries both items
    jacket = diff.changes("utmb_checklists")[0]
    assert jacket.old_json["specs"] == ["a jacket with hood"] and jacket.new_json["specs"] == ["a jacket with hood, 10 000 mm Schmerber"]


def test_utmb_gear_section_is_not_inferred_from_infraction_names() -> None:
    # GIVEN a gear-sounding infraction added to the chart with no checklist item for it THEN the gear section says nothing
    diff = utmb_pair(('infraction missing_torch "no torch"', 'infraction missing_torch "no torch"\ninfraction missing_hat "no hat"'),
                     ("penalty missing_jacket,", "penalty missing_hat on all = 1h\npenalty missing_jacket,"))
    assert lines(diff, "utmb_checklists") == []
    assert lines(diff, "infractions") == ['missing_hat: "no hat" (added)']


def test_utmb_refund_case_replayed_on_the_same_day_of_each_year() -> None:
    pm = make_plugin_manager()
    old_ed = edition(UTMB_BASE, "old.policy", pm)
    new_ed = edition(UTMB_BASE.replace("utmb 2020", "utmb 2021").replace("through 04-30", "through 05-31").replace("UTMB: fee 1 EUR", "UTMB: fee 2 EUR"),
                     "new.policy", pm)
    cases = ['{"race": "UTMB", "cancelled": "2020-05-15"}', '{"race": "UTMB", "cancelled": "08-10"}', '{"race": "CCC", "cancelled": "04-01"}']
    impact = replay(old_ed, new_ed, cases)
    assert [(r.new_query, r.old, r.new) for r in impact.changed] == [
        ("refund UTMB cancelled 2021-05-15", "0.00 EUR (0% of 1.00 EUR)", "1.20 EUR (60% of 2.00 EUR)"),
    ]
    # no refund stays no refund though the fee it is a share of went up: answers are compared by value
    assert [(r.line, r.changed) for r in impact.results] == [(1, True), (2, False), (3, False)]


# ---- decision impact -------------------------------------------------------------------------


CASES = [
    '{"query": "penalty lack_of_respect on LONG"}',
    '{"race": "SHORT", "infractions": ["littering", "lack_of_respect"]}',
    "",
    "not json at all",
    '{"race": "LONG", "runner": {"birth_year": 2001}, "name": "young runner on LONG"}',
    '{"race": "LONG", "colour": "red"}',
    '{"query": "penalty missing_jacket on LONG"}',
    '{"query": "refund(LONG, 2020-05-15)"}',
    '{"query": "penalty @@ on"}',
]


def test_cases_replayed_under_both_editions_list_changed_answers_and_bad_lines() -> None:
    new = edit(BASE, ("penalty lack_of_respect on all = 1h", "penalty lack_of_respect on all = disqualify"),
               ("runner.birth_year <= 2000", "runner.birth_year <= 2001"))
    old_ed, new_ed = edition(BASE, "old.policy"), edition(new.replace("demo 2020", "demo 2021"), "new.policy")
    impact = replay(old_ed, new_ed, CASES, "cases.jsonl")
    assert [(r.line, r.name, r.old, r.new) for r in impact.changed] == [
        (1, "penalty lack_of_respect on LONG", "1h time penalty", "disqualification"),
        (2, "penalty littering, lack_of_respect on SHORT", "1h30 time penalty", "disqualification"),
        (5, "young runner on LONG", "no", "yes"),
        # a date written in a query is taken as written: 15 May 2020 is before the 2021 edition's first tier
        (8, "refund(LONG, 2020-05-15)", "100.00 EUR", "120.00 EUR"),
    ]
    assert [r.line for r in impact.results if not r.changed] == [7]
    assert [(b.line, b.message.split(":")[0]) for b in impact.bad_lines] == [(4, "not JSON"), (6, "unknown key(s) colour; a case has"), (9, "not a query")]


def test_cancellation_date_keeps_its_place_in_each_edition_year() -> None:
    old_ed, new_ed = edition(BASE), edition(BASE.replace("demo 2020", "demo 2021"))
    full = {"race": "LONG", "cancelled": "2020-05-15"}
    day = {"race": "LONG", "cancelled": "05-15"}
    assert [case_query(full, old_ed, e) for e in (old_ed, new_ed)] == ["refund LONG cancelled 2020-05-15", "refund LONG cancelled 2021-05-15"]
    assert [case_query(day, old_ed, e) for e in (old_ed, new_ed)] == ["refund LONG cancelled 2020-05-15", "refund LONG cancelled 2021-05-15"]


def test_race_unknown_in_the_old_edition_is_an_answer_not_a_crash() -> None:
    new = BASE.replace('race SHORT "Short trail"', 'race KIDS: distance 5 km, cutoff 2h, fee 10 EUR\nrace SHORT "Short trail"')
    old_ed, new_ed = edition(BASE), edition(new.replace("demo 2020", "demo 2021"))
    impact = replay(old_ed, new_ed, ['{"query": "cutoff KIDS"}'])
    assert [(r.old, r.new) for r in impact.changed] == [("error: unknown race 'KIDS' in demo 2020", "2h")]


# ---- command line --------------------------------------------------------------------------------


@pytest.fixture
def pair(tmp_path: Path) -> Callable[[str], tuple[str, str]]:
    def _write(new_text: str) -> tuple[str, str]:
        old, new = tmp_path / "old.policy", tmp_path / "new.policy"
        old.write_text(BASE, encoding="utf-8")
        new.write_text(new_text.replace("demo 2020", "demo 2021"), encoding="utf-8")
        return str(old), str(new)

    return _write


def test_cli_exit_codes(pair: Callable[[str], tuple[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", *pair(BASE)]) == 0
    assert main(["diff", *pair(BASE.replace("cutoff 30h", "cutoff 31h"))]) == 1
    assert "LONG cutoff: 30h → 31h (+1h)" in capsys.readouterr().out
    assert main(["diff", str(tmp_path / "missing.policy"), pair(BASE)[1]]) == 2
    broken = tmp_path / "broken.policy"
    broken.write_text(BASE.replace("penalty littering on long", "penalty littering on lonq"), encoding="utf-8")
    assert main(["diff", pair(BASE)[0], str(broken)]) == 2
    err = capsys.readouterr().err
    assert "unknown race 'lonq'" in err and "Traceback" not in err


def test_cli_json_is_parseable_with_stable_keys(pair: Callable[[str], tuple[str, str]], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", *pair(BASE.replace("fee 200 EUR", "fee 210 EUR")), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert list(data) == sorted(data)
    (section,) = data["sections"]
    assert section["topic"] == "race_attributes"
    change = section["changes"][0]
    assert change["old_value"] == {"type": "money", "amount": "200.00", "currency": "EUR"}
    assert (change["new_value"]["amount"], change["delta"]) == ("210.00", "+10.00 EUR")
    assert change["new_citation"]["clause"] == "Long: 100 km"


def test_cli_cases_bad_lines_reported_and_exit_2(pair: Callable[[str], tuple[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(CASES), encoding="utf-8")
    new = BASE.replace("penalty lack_of_respect on all = 1h", "penalty lack_of_respect on all = disqualify")
    assert main(["diff", *pair(new), "--cases", str(cases)]) == 2
    captured = capsys.readouterr()
    assert "~ line 1: penalty lack_of_respect on LONG" in captured.out
    assert f"{cases}:4: error: not JSON" in captured.err
    assert main(["diff", *pair(new), "--cases", str(tmp_path / "none.jsonl")]) == 2


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_colour(Tty()) is True  # type: ignore[arg-type]
    assert use_colour(object()) is False  # type: ignore[arg-type]
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_colour(Tty()) is False  # type: ignore[arg-type]
    assert use_colour(Tty(), "always") is True  # type: ignore[arg-type]
    diff = compare(BASE.replace("cutoff 30h", "cutoff 31h"))
    assert "\x1b[" in render_text(diff, colour=True) and "\x1b[" not in render_text(diff)


def test_cli_cases_from_stdin_and_from_a_file_descriptor(pair: Callable[[str], tuple[str, str]], monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    import io
    import os

    new = BASE.replace("penalty lack_of_respect on all = 1h", "penalty lack_of_respect on all = disqualify")
    monkeypatch.setattr("sys.stdin", io.StringIO(CASES[0] + "\n"))
    assert main(["diff", *pair(new), "--cases", "-"]) == 1
    assert "~ line 1: penalty lack_of_respect on LONG" in capsys.readouterr().out
    read, write = os.pipe()  # a pipe is not a regular file: /dev/fd/N must still be read
    os.write(write, (CASES[0] + "\n").encode())
    os.close(write)
    try:
        assert main(["diff", *pair(new), "--cases", f"/dev/fd/{read}"]) == 1
    finally:
        os.close(read)
    assert "~ line 1: penalty lack_of_respect on LONG" in capsys.readouterr().out


def test_cli_cases_that_cannot_be_read_are_located_errors(pair: Callable[[str], tuple[str, str]], tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", *pair(BASE), "--cases", str(tmp_path)]) == 2
    assert "cases file is a folder" in capsys.readouterr().err
    binary = tmp_path / "cases.jsonl"
    binary.write_bytes(b"\xff\xfe\x00")
    assert main(["diff", *pair(BASE), "--cases", str(binary)]) == 2
    err = capsys.readouterr().err
    assert "cannot read cases file" in err and "Traceback" not in err


def test_cases_asked_on_a_day_of_each_year_label_each_edition_with_its_own_date() -> None:
    pm = make_plugin_manager()
    old_ed = edition(UTMB_BASE, "old.policy", pm)
    new_ed = edition(edit(UTMB_BASE, ("utmb 2020", "utmb 2021"), ("through 04-30", "through 04-15")), "new.policy", pm)
    impact = replay(old_ed, new_ed, ['{"race": "UTMB", "cancelled": "2020-04-20"}'])
    diff = diff_editions(old_ed, new_ed, pm)
    text = render_text(diff, impact)
    assert "utmb 2020 (refund UTMB cancelled 2020-04-20): 0.60 EUR (60% of 1.00 EUR)" in text
    assert "utmb 2021 (refund UTMB cancelled 2021-04-20): 0.00 EUR (0% of 1.00 EUR)" in text
    markdown = render(diff, "markdown", impact)
    assert "0.60 EUR (60% of 1.00 EUR) (refund UTMB cancelled 2020-04-20)" in markdown


def test_cli_explain_shows_the_whole_bodies(pair: Callable[[str], tuple[str, str]], capsys: pytest.CaptureFixture[str]) -> None:
    new = edit(BASE, ("race.fee * refund_share(cancelled)", "race.insurance * refund_share(cancelled + 1d)"))
    assert main(["diff", *pair(new), "--explain"]) == 1
    assert "demo 2021: race.insurance * refund_share(cancelled + 1d)" in capsys.readouterr().out


# ---- snapshots a reviewer reads -------------------------------------------------------------------

EVERYTHING = edit(
    BASE,
    ("cutoff 30h, fee 200 EUR", "cutoff 32h, fee 220 EUR"),
    ('race SHORT "Short trail"', 'race KIDS "Kids trail" § "Kids: 5 km": distance 5 km, cutoff 2h, fee 10 EUR\nrace SHORT "Short trail"'),
    ("group short = SHORT", "group short = SHORT, KIDS"),
    ("penalty lack_of_respect on all = 1h", "penalty lack_of_respect on all = disqualify"),
    ("through 04-30 -> 60%", "through 04-15 -> 60%"),
    ("SHORT -> 3", "SHORT -> 2"),
    ("rule notice = 15d", "rule notice = 30d"),
)


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_synthetic_pair_snapshot(fmt: str, snapshot_file: Callable[[str], object]) -> None:
    diff = compare(EVERYTHING)
    old_ed, new_ed = edition(BASE, "old.policy"), edition(EVERYTHING.replace("demo 2020", "demo 2021"), "new.policy")
    impact = replay(old_ed, new_ed, CASES[:2] + CASES[6:8], "cases.jsonl")
    assert render(diff, fmt, impact) == snapshot_file(fmt)


def test_same_reading_of_a_reworded_clause_is_not_a_change_and_a_new_reading_of_it_is() -> None:
    old = BASE + 'rule window = 30d § "in the thirty days preceding the event" reading "30 days before the start" over "30 days before the first race"\n'
    reworded = old.replace("in the thirty days preceding the event", "within 30 days before the event")
    assert lines(compare(reworded, old_text=old), "readings") == []
    other = reworded.replace('reading "30 days before the start" over', 'reading "30 days before the first race" over "30 days before the start" over')
    other = other.replace('over "30 days before the first race"\n', "\n", 1)
    assert lines(compare(other, old_text=old), "readings") == [
        'reading of rule window: "30 days before the start" over "30 days before the first race"'
        ' → "30 days before the first race" over "30 days before the start"',
    ]


def test_parameters_renamed_one_for_one_are_not_a_change() -> None:
    # GIVEN the same rule with its input named after each edition's words
    old = BASE + "rule in_time(posted: date) = posted <= 2020-05-31\n"
    new = BASE + "rule in_time(uploaded: date) = uploaded <= 2021-05-31\n"
    assert lines(compare(new, old_text=old), "rules") == []
    changed = BASE + "rule in_time(uploaded: date) = uploaded < 2021-05-31\n"
    assert lines(compare(changed, old_text=old), "rules") == ["rule in_time: posted <= 2020-05-31 → uploaded < 2021-05-31"]


def test_text_reworded_by_the_translation_is_restated_and_other_words_are_a_change() -> None:
    # GIVEN a text value whose translation changed an article, not a requirement
    old = BASE + 'rule served = "in situ: the runner interrupts the race for the duration of the penalty"\n'
    new = BASE + 'rule served = "in situ: the runner interrupts their race for the duration of the penalty"\n'
    diff = compare(new, old_text=old)
    (change,) = diff.changes("rules")
    assert change.kind == "restated" and diff.equal
    other = BASE + 'rule served = "after the finish: the runner waits for the duration of the penalty"\n'
    assert [c.kind for c in compare(other, old_text=old).changes("rules")] == ["changed"]


def test_infraction_folded_into_one_both_editions_have_is_changed_not_removed() -> None:
    # GIVEN a plugin that says spare batteries are sanctioned as "other gear" in the new edition, which the old one also has
    class Folding:
        from racepolicy import hookimpl

        @hookimpl
        def racepolicy_diff_renames(self, old: Edition, new: Edition) -> dict[str, str]:
            return {"infraction:short_cutting": "infraction:lack_of_respect"}

    pm = make_plugin_manager([Folding()], entry_points=False)
    new = edit(BASE, ('infraction short_cutting "Short-cutting the route"\n', ""),
               ("penalty short_cutting on all = discretion", "penalty littering on all = 2h"))
    diff = compare(new, pm=pm)
    assert [(c.kind, c.subject, c.new) for c in diff.changes("infractions")] == [("changed", "short_cutting", "sanctioned as lack_of_respect")]
    assert "short_cutting (now lack_of_respect) on all races: discretion → 1h" in lines(diff, "penalties")


def test_who_decides_a_discretion_sanction_is_shown_when_it_changes_whatever_its_letter_case() -> None:
    # seed 004:370 "Depending on the Race Jury"; seed 003:723 "According to the race directors' decision"
    jury = edit(BASE, ("penalty short_cutting on all = discretion", 'penalty short_cutting on all = discretion of "the Race Jury"'))
    same = edit(BASE, ("penalty short_cutting on all = discretion", 'penalty short_cutting on all = discretion of "the race jury"'))
    directors = edit(BASE, ("penalty short_cutting on all = discretion", 'penalty short_cutting on all = discretion of "the race directors"'))
    assert lines(compare(same, old_text=jury), "penalties") == []
    diff = compare(directors, old_text=jury)
    assert lines(diff, "penalties") == ['short_cutting on all races: discretion of "the Race Jury" → discretion of "the race directors"']
    assert "Who decides: short_cutting on all races" in render_text(diff)


def test_a_declared_rename_to_a_name_the_new_edition_lacks_still_reports_the_removal() -> None:
    pm = make_plugin_manager([RenamePlugin()], entry_points=False)
    new = edit(BASE, ('rule notice = 15d § "cancelled more than 15 days before the start"\n', ""))
    assert lines(compare(new, pm=pm), "rules") == ["rule notice: 15d (removed)"]
