"""The Rules section of the UTMB 2016 → 2022 diff: its line-by-line review stays in step with it, and its corrections hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from racepolicy.diff.compare import ADDED, REMOVED, RENAMED, RESTATED, Change, EditionDiff, diff_editions
from racepolicy.diff.render import render
from racepolicy.evaluation.model import Citation, Edition
from racepolicy.pluginapi.manager import make_plugin_manager
from racepolicy.query.policyset import PolicySet
from test_diff import BASE, compare, edit, lines

REVIEW = Path(__file__).parent.parent / "docs" / "diff-review" / "utmb-2016-2022-rules.md"
MARKERS = {ADDED: "+", REMOVED: "-", RESTATED: "="}  # any other kind is a change: "~"
# The verdicts a row may give for each marker of the diff.
VERDICTS = {"+": {"added", "fixed"}, "-": {"removed"}, "=": {"restated", "fixed"}, "~": {"changed", "renamed", "fixed"}}
ROW = re.compile(r"^\| `([-+=~]) (.+?)` \| (\w+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$")


@pytest.fixture(scope="module")
def utmb_diff(bundled: PolicySet) -> EditionDiff:
    return diff_editions(bundled.find("utmb-2016"), bundled.find("utmb-2022"), bundled.pm)


def key(change: Change) -> str:
    """How a rule change is named in the review: its subject, or `rule old → new` for a rename."""
    return f"rule {change.old} → {change.new}" if change.kind == RENAMED else change.subject


def seed_line(cite: Citation | None) -> str:
    if cite is None or cite.text is None:
        return "—"
    where = cite.text
    number = where.file[:3]
    return f"{number}:{where.first_line}" if where.first_line == where.end_line else f"{number}:{where.first_line}-{where.end_line}"


def review_rows() -> dict[tuple[str, str], tuple[str, str, str, str]]:
    rows: dict[tuple[str, str], tuple[str, str, str, str]] = {}
    for line in REVIEW.read_text(encoding="utf-8").splitlines():
        found = ROW.match(line)
        if found:
            marker, name, verdict, old, new, why = (g.strip() for g in found.groups())
            assert (marker, name) not in rows, f"two rows for {marker} {name}"
            rows[(marker, name)] = (verdict, old, new, why)
    return rows


def rule(diff: EditionDiff, subject: str) -> Change:
    found = [c for c in diff.changes("rules") if c.subject == subject]
    assert len(found) == 1, (subject, found)
    return found[0]


# ---- the review and the diff say the same ------------------------------------------------------


def test_every_rule_change_has_one_row_and_every_row_one_change(utmb_diff: EditionDiff) -> None:
    made = {(MARKERS.get(c.kind, "~"), key(c)) for c in utmb_diff.changes("rules")}
    reviewed = set(review_rows())
    assert sorted(made - reviewed) == [], "rule changes the review does not cover"
    assert sorted(reviewed - made) == [], "rows for changes the diff no longer makes"


def test_each_row_gives_a_verdict_its_kind_allows_and_the_clauses_the_diff_cites(utmb_diff: EditionDiff) -> None:
    rows = review_rows()
    for change in utmb_diff.changes("rules"):
        marker = MARKERS.get(change.kind, "~")
        verdict, old, new, why = rows[(marker, key(change))]
        assert verdict in VERDICTS[marker], (key(change), verdict)
        assert (old, new) == (seed_line(change.old_cite), seed_line(change.new_cite)), key(change)
        assert why, key(change)


# ---- no false removal -----------------------------------------------------------------------------


@pytest.mark.parametrize(("old_rule", "within"), [
    ("follow_marked_paths", "rule environment_rules"),  # seed 004:349 "follow the paths with the markers"; seed 003:341
    ("trash_cans_must_be_used", "rule environment_rules"),  # seed 004:300; seed 003:339 "they must be used"
    ("tumbler_min_volume_cl", "checklist long_basic, item beaker"),  # seed 004:291 "15cl"; seed 003:117 "15 cl minimum"
    ("poles_allowed", "checklist long_recommended, item poles"),  # seed 004:202; seed 003:173
    ("assistants_per_runner", "rule assistance_allowed"),  # seed 004:43 "one single person"; seed 003:87 "only one assistant"
    ("partial_refund_amount", "schedule race_cancellation_refund"),  # seed 004:404; seed 003:866 "irremediable expenses"
    ("guarantee_applies", "rule cancellation_refund_due"),  # seed 004:129; seed 003:957
])
def test_a_2016_rule_the_2022_text_restates_is_shown_within_its_new_statement(utmb_diff: EditionDiff, old_rule: str, within: str) -> None:
    change = rule(utmb_diff, f"rule {old_rule}")
    assert change.kind == RESTATED and change.new == f"within {within}"
    assert not change.counts
    assert change.old_cite is not None and change.new_cite is not None and change.new_cite.text is not None


def test_the_beaker_is_cited_from_its_own_item_not_from_the_checklist_heading(utmb_diff: EditionDiff) -> None:
    change = rule(utmb_diff, "rule tumbler_min_volume_cl")
    # seed 003:117
    assert change.new_cite is not None and change.new_cite.clause == "Personal beaker 15 cl minimum (bottles or flasks with lids are not accepted)"


@pytest.mark.parametrize(("subject", "old", "new"), [
    # seed 004:433 "relinquishes their claim"; seed 003:419 "expressly foregoes the right": waived = not kept
    ("rule image_rights_waived (now image_rights_kept_by_runner)", "true", "false"),
    # seed 004:9 "run in one stage"; seed 003:15 "one single stage"
    ("rule run_in_one_stage (now race_format)", "true", '"one single stage, at an undefined pace, within a time limit"'),
    # seed 004:346 "retrace your steps!"; seed 003:523 "turn back!"
    ("rule lost_markers", '"retrace your steps"', '"turn back"'),
])
def test_one_clause_each_policy_encodes_its_own_way_is_restated_not_changed(utmb_diff: EditionDiff, subject: str, old: str, new: str) -> None:
    change = rule(utmb_diff, subject)
    assert (change.kind, change.old, change.new) == (RESTATED, old, new)
    assert "encoded differently" in change.note


def test_no_2016_rule_the_2022_policy_now_states_the_same_way_is_in_the_diff(utmb_diff: EditionDiff) -> None:
    # seed 004:82 / 003:36 "Provide a specific medical certificate"; 004:88 / 003:38 the confirmation email;
    # 004:38 / 003:84 "must always carry with them all items"; 004:58 / 003:277; 004:422 / 003:604
    names = {c.subject for c in utmb_diff.changes("rules")}
    for same in ("medical_certificate_required", "medical_certificate_form_sent_with", "equipment_carried_at_all_times",
                 "medical_action_replaces_anti_doping_rules", "classifications", "insurance_available", "insurance_price"):
        assert f"rule {same}" not in names


def test_the_objection_and_complaint_clauses_are_one_change_each(utmb_diff: EditionDiff) -> None:
    # seed 004:386 "within two hours of the arrival"; seed 003:850 "within 10 days after the end of the event"
    change = rule(utmb_diff, "rule objection_in_time (now complaint_receivable)")
    assert change.note == 'the reference point changed: "of the arrival" → "after the end of the event"'
    assert "rule complaint_receivable" not in {c.subject for c in utmb_diff.changes("rules")}


def test_the_cancellation_refund_is_a_change_with_both_bodies_not_a_removal(utmb_diff: EditionDiff) -> None:
    # seed 004:131 the guarantee or the schedule; seed 003:922-964 the schedule, the insurance, "Other grounds ... partially covered"
    change = rule(utmb_diff, "rule cancellation_refund_due")
    assert change.kind not in (REMOVED, RESTATED)
    assert "insurer_partial_refund" in (change.new or "") and "guarantee_applies" in (change.old or "")
    text = render(utmb_diff, "text")
    assert "rule cancellation_refund_due" in text and "cancellation_refund_due: if guarantee_applies" not in text


def test_the_ycc_assistance_is_added_and_the_occ_rule_is_renamed_to_its_2022_clause(utmb_diff: EditionDiff) -> None:
    # seed 004:45 "No assistance is allowed, at any point of route, during the OCC"; seed 003:88 "... during the OCC, MCC, ETC and YCC"
    assert rule(utmb_diff, "rule ycc_assistance").kind == ADDED
    renamed = [c for c in utmb_diff.changes("rules") if c.kind == RENAMED and c.old == "occ_assistance_allowed"]
    assert [c.new for c in renamed] == ["assistance_elsewhere"]


def test_a_reference_point_is_only_named_for_a_rule_that_counts_time(utmb_diff: EditionDiff) -> None:
    # seed 004:91 "ethics of the race"; seed 003:11 "the ethics of the event": no deadline, no reference point
    assert "reference point" not in rule(utmb_diff, "rule participation_means_acceptance (now accepted_on_entry)").note
    # seed 004:229 "within two hours of the end of the race"; seed 003:499 "presentation of the race-bib ... after the end of the race"
    assert "reference point" not in rule(utmb_diff, "rule bag_collection (now bag_retrieval)").note


def test_restated_rules_are_shown_but_not_counted(utmb_diff: EditionDiff) -> None:
    section = utmb_diff.section("rules")
    assert section is not None
    restated = [c for c in section.changes if c.kind == RESTATED]
    assert len(restated) > 50
    assert section.count == len(section.changes) - len(restated)
    assert "  = rule follow_marked_paths: true → within rule environment_rules (restated, not a change)\n" in render(utmb_diff, "text")


# ---- the forms a series plugin may use, on small editions -------------------------------------------


class RestatePlugin:
    """A test series plugin using each form of rename value."""

    from racepolicy import hookimpl

    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping

    @hookimpl
    def racepolicy_diff_renames(self, old: Edition, new: Edition) -> dict[str, str]:
        return self.mapping


def restated(mapping: dict[str, str], old_text: str, new_text: str) -> EditionDiff:
    return compare(new_text, old_text=old_text, pm=make_plugin_manager([RestatePlugin(mapping)], entry_points=False))


def test_restated_in_shows_the_old_rule_within_the_new_one_and_the_new_one_as_an_addition_that_says_so() -> None:
    old = BASE + 'rule use_bins = true § "Bins must be used"\n'
    new = BASE + 'rule environment = ["use the bins", "carry a pouch"] § "Use the bins; carry a pouch"\n'
    diff = restated({"rule:use_bins": "restated in rule:environment"}, old, new)
    assert lines(diff, "rules") == [
        'rule environment: ["use the bins", "carry a pouch"] (added) — also restates demo 2020 rule use_bins',
        "rule use_bins: true → within rule environment (restated, not a change)",
    ]
    assert diff.section("rules").count == 1  # type: ignore[union-attr]


def test_restated_as_holds_nothing_else_so_the_new_rule_is_no_addition() -> None:
    old = BASE + 'rule use_bins = true § "Bins must be used"\nrule keep_rubbish = true § "Keep your rubbish"\n'
    new = BASE + 'rule environment = ["use the bins", "keep your rubbish"] § "Use the bins; keep your rubbish"\n'
    diff = restated({"rule:use_bins": "restated as rule:environment", "rule:keep_rubbish": "restated as rule:environment"}, old, new)
    assert [c.kind for c in diff.changes("rules")] == [RESTATED, RESTATED]
    assert diff.section("rules").count == 0  # type: ignore[union-attr]


def test_same_as_is_a_rename_whose_differences_are_the_encoding() -> None:
    old = BASE + 'rule rights_waived = true § "The runner waives the rights"\n'
    new = BASE + 'rule rights_kept = false § "The runner foregoes the rights"\n'
    diff = restated({"rule:rights_waived": "same as rule:rights_kept"}, old, new)
    assert lines(diff, "rules") == [
        "rule rights_waived (now rights_kept): true → false (restated, not a change) — the same clause in both texts, encoded differently by each policy"]
    assert diff.equal


def test_restates_shows_a_new_rule_that_names_what_an_old_one_held_inline() -> None:
    new = edit(BASE, ('rule notice = 15d § "cancelled more than 15 days before the start"',
                      'rule notice = 15d § "cancelled more than 15 days before the start"\nrule notice_days = 15 § "15 days"'))
    diff = restated({"rule:notice_days": "restates rule:notice"}, BASE, new)
    assert lines(diff, "rules") == ["rule notice_days: within rule notice → 15 (restated, not a change)"]


def test_a_target_the_new_policy_lacks_leaves_an_honest_removal() -> None:
    old = BASE + 'rule use_bins = true § "Bins must be used"\n'
    diff = restated({"rule:use_bins": "restated in rule:environment"}, old, BASE)
    assert lines(diff, "rules") == ["rule use_bins: true (removed)"]
