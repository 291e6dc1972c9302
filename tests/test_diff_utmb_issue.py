"""The UTMB 2016 → 2022 diff holds each change the regulation-diff issue (#15) lists, and none of the false ones."""

from __future__ import annotations

import json

import pytest
from racepolicy.cli.main import main
from racepolicy.diff.compare import Change, EditionDiff, diff_editions
from racepolicy.diff.render import render
from racepolicy.query.policyset import PolicySet


@pytest.fixture(scope="module")
def utmb_diff(bundled: PolicySet) -> EditionDiff:
    return diff_editions(bundled.find("utmb-2016"), bundled.find("utmb-2022"), bundled.pm)


def one(diff: EditionDiff, topic: str, subject: str) -> Change:
    found = [c for c in diff.changes(topic) if c.subject == subject]
    assert len(found) == 1, (subject, [c.subject for c in diff.changes(topic)])
    return found[0]


# ---- an added race brings everything it has --------------------------------------------------


def test_etc_is_added_with_its_age_limit_insurance_assistance_and_gear_in_text_and_markdown(utmb_diff: EditionDiff) -> None:
    etc = one(utmb_diff, "races", "ETC")
    assert etc.kind == "added"
    # seed 003:22 "The race is reserved for runners 23 years and older"; seed 003 "Cancellation insurance prices ... ETC: 8€"
    assert any(line.startswith("eligible when") and "23 years and older" in line for line in etc.details)
    assert "insurance: 8.00 EUR" in etc.details
    assert any(line.startswith("assistance:") for line in etc.details)
    assert any(line.startswith("mandatory gear:") and "survival_blanket" in line for line in etc.details)
    text, markdown = render(utmb_diff, "text"), render(utmb_diff, "markdown")
    for line in etc.details:
        assert f"      {line}\n" in text
    assert "  - insurance: 8.00 EUR\n" in markdown and "23 years and older" in markdown


def test_mcc_is_added_with_its_capacity(utmb_diff: EditionDiff) -> None:
    # seed 003:21 MCC "Around 1000 runners"... given as the race's capacity
    mcc = one(utmb_diff, "races", "MCC")
    assert "capacity: 1000" in mcc.details


# ---- values, always -------------------------------------------------------------------------------


def test_elite_index_thresholds_are_shown_by_race_and_sex(utmb_diff: EditionDiff) -> None:
    # seed 003:370 "Free entry without lottery": UTMB men 880, women 760; CCC/TDS/OCC men 860, women 730
    table = one(utmb_diff, "tables", "free_entry_threshold(race, sex)")
    assert 'UTMB, "men" → 880' in table.details and 'UTMB, "women" → 760' in table.details
    assert any(line.endswith('"men" → 860') and "CCC" in line for line in table.details)
    # MCC and ETC have no column in the chart: their rows are `n/a` and shown as such.
    assert table.new_json is not None and len(table.new_json) == 6
    assert sum(row["value"] == "not applicable" for row in table.new_json) == 2


def test_json_never_has_a_null_value_for_a_changed_value(utmb_diff: EditionDiff) -> None:
    data = json.loads(render(utmb_diff, "json"))
    for section in data["sections"]:
        for change in section["changes"]:
            if change["kind"] not in ("added", "removed"):
                assert change["old_value"] is not None and change["new_value"] is not None, change["summary"]


def test_changed_refund_schedule_shows_each_tier_old_to_new(utmb_diff: EditionDiff) -> None:
    # seed 004:135-136 50% to May 15, 40% to July 31; seed 003:926/874/878 60% to end of April, 50% to end of June, 30% to end of July
    found = [c.summary for c in utmb_diff.changes("schedules") if c.subject.startswith("cancellation_refund ")]
    assert found == [
        "cancellation_refund 03-16..04-30: 50% → 60% (+10 points)",
        "cancellation_refund 05-16..06-30: 40% → 50% (+10 points)",
        "cancellation_refund 07-01..07-31: 40% → 30% (-10 points)",
    ]


def test_checklist_changes_show_items_added_removed_and_changed(utmb_diff: EditionDiff) -> None:
    gear = utmb_diff.changes("utmb_checklists")
    kinds = {c.kind for c in gear}
    # Nothing is removed: the three items the 2016 list required of the OCC in every weather are in 2022's OCC cold kit
    # (seed 004:174-175, seed 003:221-222), changed, not removed (tests/test_diff_review_sections.py).
    assert {"added", "changed", "renamed"} <= kinds and "removed" not in kinds
    # seed 003:122 "Whistle" on the UTMB® CCC® TDS® list; seed 004's list has none
    assert any(c.kind == "added" and c.subject.startswith("whistle on UTMB, CCC, TDS") for c in gear)
    # seed 003:119 "Recommendation : 200 lumens or more for the main torch": a figure the 2016 list does not give
    assert any(c.subject.startswith("torch on UTMB, CCC, TDS") and "200 lumens" in (c.new or "") for c in gear)


# ---- the changed part of a rule ---------------------------------------------------------------------


def test_race_cancellation_notice_shows_15d_to_30d_and_explain_shows_the_bodies(utmb_diff: EditionDiff) -> None:
    # seed 004:404 "more than 15 days before the date of the start"; seed 003:866 "more than 30 days before the start"
    change = one(utmb_diff, "rules", "rule race_cancelled_refund")
    assert change.summary.startswith("rule race_cancelled_refund: 15d → 30d (+15d)")
    assert "if " in change.old_json and "if " in change.new_json
    assert f"utmb 2022: {change.new_json}" in render(utmb_diff, "text", explain=True)
    assert f"utmb 2022: {change.new_json}" not in render(utmb_diff, "text")


# ---- no false changes -------------------------------------------------------------------------------


def test_eco_participation_and_membership_are_not_removed(utmb_diff: EditionDiff) -> None:
    # seed 004:109 "Eco participation of 1.5€", "the 10€ 2016 membership"; seed 003:58 "1.5€ Eco fee", "13€ for the 2022 membership"
    rules = {c.subject: c for c in utmb_diff.changes("rules")}
    assert not any(c.kind == "removed" and s in ("rule eco_participation", "rule membership_fee") for s, c in rules.items())
    membership = next(c for s, c in rules.items() if s.startswith("rule membership_fee"))
    assert (membership.old, membership.new, membership.delta) == ("10 EUR", "13 EUR", "+3.00 EUR")
    assert not any(s.startswith("rule eco_participation") and c.kind != "renamed" for s, c in rules.items())


def test_spare_batteries_are_never_removed(utmb_diff: EditionDiff) -> None:
    # seed 004:161 "replacement batteries for each torch"; seed 003:119 "spare cells/batteries for each torch"
    for change in utmb_diff.changes():
        assert not (change.kind == "removed" and "batter" in change.subject), change.summary


def test_covered_reasons_of_the_cancellation_guarantee_are_broadened_not_removed(utmb_diff: EditionDiff) -> None:
    # seed 004:117-120 the guarantee's events; seed 003:957 the insurance's reasons
    change = one(utmb_diff, "rules", "rule guarantee_covers (now table insurance_cover)")
    assert change.kind == "changed" and change.details


def test_mobile_phone_to_smartphone_is_one_change(utmb_diff: EditionDiff) -> None:
    # seed 004:155 "mobile phone with option enabling its use in the three countries"; seed 003:112 "Smartphone: ..."
    phone_infractions = [c.summary for c in utmb_diff.changes("infractions") if "missing_" in c.summary and "phone" in c.summary]
    assert phone_infractions == ["infraction: renamed missing_phone → missing_smartphone"]
    phones = [c for c in utmb_diff.changes("utmb_checklists") if "phone" in c.subject and "UTMB" in c.subject]
    assert [c.kind for c in phones] == ["renamed"]


def test_mandatory_gear_is_read_from_the_checklists(utmb_diff: EditionDiff) -> None:
    assert utmb_diff.section("utmb_mandatory_gear") is None
    for change in utmb_diff.changes("utmb_checklists"):
        assert (change.old_cite or change.new_cite).section == "EQUIPMENT", change.summary  # type: ignore[union-attr]


# ---- who decides, readings ---------------------------------------------------------------------------


def test_who_decides_a_missing_chip_moves_from_the_race_jury_to_the_race_directors(utmb_diff: EditionDiff) -> None:
    # seed 004:370 "Lacking an electronic chip Depending on the Race Jury"; seed 003:723 "According to the race directors' decision"
    change = next(c for c in utmb_diff.changes("penalties") if c.subject.startswith("no_chip on"))
    assert "Race Jury" in (change.old or "") and "race directors" in (change.new or "")


def test_readings_that_changed_are_shown(utmb_diff: EditionDiff) -> None:
    assert utmb_diff.changes("readings")
    assert all(c.subject.startswith("reading of ") for c in utmb_diff.changes("readings"))


# ---- deltas only between comparable things --------------------------------------------------------------


def test_complaint_deadline_says_the_reference_point_changed_instead_of_a_delta(utmb_diff: EditionDiff) -> None:
    # seed 004:386 "within two hours of the arrival"; seed 003:850 "within 10 days after the end of the event"
    change = one(utmb_diff, "rules", "rule complaint_deadline")
    assert (change.old, change.new, change.delta) == ("2h", "10d", "")
    assert "238h" not in change.summary and "the reference point changed" in change.note


def test_birth_years_1996_and_2002_are_the_same_age_limit(utmb_diff: EditionDiff) -> None:
    # seed 004:28 "born in 1996 or before"; seed 003:32 "born in or before 2002": 20 years before each edition's year
    change = one(utmb_diff, "rules", "rule born_in_time")
    assert change.kind == "restated" and (change.old, change.new) == ("1996", "2002")
    assert "20 years before the edition year" in change.note


# ---- summary first, Markdown as a document ---------------------------------------------------------------


def test_summary_first_with_counts_and_what_a_runner_notices(utmb_diff: EditionDiff) -> None:
    text = render(utmb_diff, "text")
    summary = text[text.index("Summary\n"): text.index("\nRaces\n")]
    for theme in ("changes per section:", "Races: MCC added; ETC added", "Fees: UTMB fee 219.00 EUR → 305.00 EUR", "Cut-offs:", "Distances:",
                  "Gear:", "Eligibility:", "Refunds:"):
        assert theme in summary, theme
    markdown = render(utmb_diff, "markdown")
    assert markdown.startswith("# What changed in the 2022 regulations\n")
    assert markdown.index("## In short") < markdown.index("## Races")


def test_cases_label_each_edition_with_its_own_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "utmb-2016", "utmb-2022", "--cases", "tests/cases/utmb-2016-2022.jsonl"]) == 1
    out = capsys.readouterr().out
    # seed 004:135 "From March 16 to May 15 50%"; seed 003:926 "Until the End of April 60%"
    assert "utmb 2016 (refund TDS cancelled 2016-04-20): 75.00 EUR (50% of 150.00 EUR)" in out
    assert "utmb 2022 (refund TDS cancelled 2022-04-20): 137.40 EUR (60% of 229.00 EUR)" in out
