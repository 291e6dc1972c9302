"""The UTMB 2016 → 2022 regulation diff: what a jury must see, and snapshots of it in every format."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from racepolicy.cli.main import main
from racepolicy.diff.cases import Impact, replay
from racepolicy.diff.compare import EditionDiff, diff_editions
from racepolicy.diff.render import render
from racepolicy.query.policyset import PolicySet

CASES = Path(__file__).parent / "cases" / "utmb-2016-2022.jsonl"


@pytest.fixture(scope="module")
def utmb_diff(bundled: PolicySet) -> EditionDiff:
    return diff_editions(bundled.find("utmb-2016"), bundled.find("utmb-2022"), bundled.pm)


@pytest.fixture(scope="module")
def utmb_impact(bundled: PolicySet) -> Impact:
    lines = CASES.read_text(encoding="utf-8").splitlines()
    return replay(bundled.find("utmb-2016"), bundled.find("utmb-2022"), lines, "tests/cases/utmb-2016-2022.jsonl")


def summaries(diff: EditionDiff, topic: str) -> list[str]:
    return [c.summary for c in diff.changes(topic)]


def test_mcc_and_etc_are_new_races(utmb_diff: EditionDiff) -> None:
    # seed 004 "THE EVENTS" lists UTMB, CCC, TDS, OCC; seed 003 "THE EVENT AND THE RACES" adds MCC and ETC
    added = [c.subject for c in utmb_diff.changes("races") if c.kind == "added"]
    assert added == ["MCC", "ETC"]
    assert [c for c in utmb_diff.changes("races") if c.kind == "removed"] == []


def test_tds_cutoff_and_distance_change(utmb_diff: EditionDiff) -> None:
    # seed 004: TDS around 119 km, 33 hours; seed 003 "THE EVENT AND THE RACES": TDS around 145 km, 44h
    found = summaries(utmb_diff, "race_attributes")
    assert "TDS cutoff: 33h → 44h (+11h)" in found
    assert "TDS distance: 119 km → 145 km (+26 km)" in found


def test_fees_change_for_every_race_of_both_editions(utmb_diff: EditionDiff) -> None:
    # seed 004 "Enrolment fees": 219/136/150/73 €; seed 003 "ENTRY FEE": 305/189/229/115 €
    found = summaries(utmb_diff, "race_attributes")
    for line in (
        "UTMB fee: 219.00 EUR → 305.00 EUR (+86.00 EUR)",
        "CCC fee: 136.00 EUR → 189.00 EUR (+53.00 EUR)",
        "TDS fee: 150.00 EUR → 229.00 EUR (+79.00 EUR)",
        "OCC fee: 73.00 EUR → 115.00 EUR (+42.00 EUR)",
    ):
        assert line in found


def test_refund_schedule_new_dates_and_last_paid_tier_40_to_30(utmb_diff: EditionDiff) -> None:
    # seed 004: before March 15 60%, March 16-May 15 50%, May 16-July 31 40%, then nothing;
    # seed 003 "CANCELLATION OF A REGISTRATION": to end of April 60%, to end of June 50%, to end of July 30%, August nothing
    found = [s for s in summaries(utmb_diff, "schedules") if s.startswith("cancellation_refund ")]
    assert found == [
        "cancellation_refund 03-16..04-30: 50% → 60% (+10 points)",
        "cancellation_refund 05-16..06-30: 40% → 50% (+10 points)",
        "cancellation_refund 07-01..07-31: 40% → 30% (-10 points)",
    ]


def test_lack_of_respect_and_not_assisting_become_disqualification(utmb_diff: EditionDiff) -> None:
    # seed 004 chart: 1 hour (UTMB/CCC/TDS) and 30 min (OCC); seed 003 "PENALTIES - DISQUALIFICATION": Disqualification
    found = summaries(utmb_diff, "penalties")
    for infraction in ("lack_of_respect", "not_assisting"):
        assert f"{infraction} on UTMB/CCC/TDS: 1h → disqualify (harsher)" in found
        assert f"{infraction} on OCC: 30min → disqualify (harsher)" in found


def test_race_cancellation_notice_goes_from_15_to_30_days(utmb_diff: EditionDiff) -> None:
    # seed 004 "more than 15 days before the date of the start"; seed 003 "EXCEPTIONAL CONDITIONS": more than 30 days
    (change,) = [c for c in utmb_diff.changes("rules") if c.subject == "rule race_cancelled_refund"]
    assert "15d" in (change.old or "") and "30d" in (change.new or "")
    assert change.old_cite is not None and change.new_cite is not None


def test_every_change_cites_a_clause(utmb_diff: EditionDiff) -> None:
    for change in utmb_diff.changes():
        assert change.old_cite is not None or change.new_cite is not None, change.summary
        if change.kind not in ("added", "removed"):
            assert change.old_cite is not None and change.new_cite is not None, change.summary


def test_decision_impact_lists_the_cases_whose_answer_changed(utmb_impact: Impact) -> None:
    changed = {r.name: (r.old, r.new) for r in utmb_impact.changed}
    assert changed["lack of respect on UTMB"] == ("1h time penalty", "disqualification")
    assert changed["UTMB cancelled on 15 July"] == ("87.60 EUR (40% of 219.00 EUR)", "91.50 EUR (30% of 305.00 EUR)")
    assert changed["cutoff MCC"] == ("error: unknown race 'MCC' in utmb 2016", "10h")
    # seed 004:358 "Immediate disqualification" for every race; seed 003:669 "Disqualification" on UTMB® CCC® TDS®.
    assert changed["no waterproof jacket on CCC"] == ("immediate disqualification", "disqualification")
    assert "OCC cancelled in August" not in changed  # no refund in both
    assert utmb_impact.bad_lines == ()


def test_cli_diff_of_bundled_editions_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "utmb-2016", "utmb-2022"]) == 1
    assert "TDS cutoff: 33h → 44h (+11h)" in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_utmb_2016_to_2022_snapshot(fmt: str, utmb_diff: EditionDiff, utmb_impact: Impact, snapshot_file: Callable[[str], object]) -> None:
    # A change to either bundled policy that changes the diff fails here until the snapshot is updated on purpose:
    # pytest tests/test_diff_utmb.py --snapshot-update, then review the .md/.txt/.json files in the pull request.
    assert render(utmb_diff, fmt, utmb_impact) == snapshot_file(fmt)
