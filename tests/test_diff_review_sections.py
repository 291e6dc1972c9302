"""The reviewed UTMB 2016 → 2022 diff (every section but Rules) and its review stay together; the review's corrections hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from racepolicy.diff.compare import EditionComparer, EditionDiff, diff_editions
from racepolicy.diff.in_words import in_words
from racepolicy.diff.render import render
from racepolicy.evaluation.model import Citation
from racepolicy.language.source import Source
from racepolicy.query.policyset import PolicySet, compile_source

ROOT = Path(__file__).resolve().parents[1]
REVIEW = ROOT / "docs" / "diff-review" / "utmb-2016-2022-sections.md"
VERDICTS = {"correct", "correct (reading)", "corrected", "corrected (reading on each side)", "reading on each side", "encoding, not the text"}
ROW = re.compile(r"^\| (\d+) \| ([^|]+) \| (.+?) \| ([^|]+) \| ([^|]+) \| ([^|]+) \| (.+) \|$")


@pytest.fixture(scope="module")
def utmb_diff(bundled: PolicySet) -> EditionDiff:
    return diff_editions(bundled.find("utmb-2016"), bundled.find("utmb-2022"), bundled.pm)


def review_rows() -> list[tuple[str, str, str, str, str, str]]:
    rows = []
    for line in REVIEW.read_text(encoding="utf-8").splitlines():
        found = ROW.match(line)
        if found:
            _, section, change, verdict, old, new, why = found.groups()
            rows.append((section, change.replace("\\|", "|"), verdict, old, new, why))
    return rows


def reviewed_changes(diff: EditionDiff) -> list[tuple[str, str, Citation | None, Citation | None]]:
    return [(s.title, c.summary, c.old_cite, c.new_cite) for s in diff.sections if s.topic != "rules" for c in s.changes]


def seed_line(cite: Citation | None) -> str | None:
    if cite is None or cite.text is None:
        return None
    return f"{cite.text.file[:3]}:{cite.text.line}"


# ---- the review and the diff do not drift apart ---------------------------------------------------------


def test_every_change_outside_rules_has_exactly_one_review_row_and_every_row_a_change(utmb_diff: EditionDiff) -> None:
    in_diff = [(section, summary) for section, summary, _, _ in reviewed_changes(utmb_diff)]
    in_review = [(section, change) for section, change, *_ in review_rows()]
    assert len(in_diff) > 100  # the sections under review are not empty
    missing = [c for c in in_diff if c not in in_review]
    stale = [r for r in in_review if r not in in_diff]
    assert not missing, f"changes the review has no row for (review them against both texts): {missing}"
    assert not stale, f"review rows for changes the diff no longer prints: {stale}"
    assert len(in_review) == len(set(in_review)) == len(in_diff)


def test_review_rows_cite_the_seed_lines_the_changes_cite(utmb_diff: EditionDiff) -> None:
    rows = {(section, change): (old, new) for section, change, _, old, new, _ in review_rows()}
    for section, summary, old_cite, new_cite in reviewed_changes(utmb_diff):
        old, new = rows[(section, summary)]
        for cited, written in ((seed_line(old_cite), old), (seed_line(new_cite), new)):
            if cited is not None:  # infractions carry no citation of their own: the review names their chart rows
                assert written == cited, (summary, written, cited)


def test_every_review_row_has_a_verdict_and_a_justification_with_seed_lines() -> None:
    rows = review_rows()
    assert rows
    for _section, change, verdict, old, new, why in rows:
        assert verdict in VERDICTS, (change, verdict)
        assert re.search(r"\b00[34]:\d+", why), (change, "the justification cites no seed line")
        assert old != "—" or new != "—", change


# ---- what the review corrected ---------------------------------------------------------------------------


def test_drop_bags_are_compared_race_by_race_with_the_four_2016_tables(utmb_diff: EditionDiff) -> None:
    tables = {c.subject: c for c in utmb_diff.changes("tables")}
    # seed 004:218-227: the 2016 bag clause, four tables in its policy; seed 003:484-497: 2022's one drop_bag table
    assert not any(s.startswith(("drop_bag_litres", "drop_bag_deposit", "drop_bag_posts")) for s in tables)
    tds = tables["drop_bag(TDS)"]
    assert tds.kind == "changed"
    # seed 004:224 "2 x 30 litre sacks", the Cormet de Roselend post; seed 003:490 the Beaufort aid station
    assert tds.old is not None and "drop_bags 2" in tds.old and "drop_bag_litres 30" in tds.old and "Cormet de Roselend" in tds.old
    assert tds.new is not None and "Beaufort" in tds.new
    assert tds.old_json is not None and set(tds.old_json) == {"drop_bags", "drop_bag_litres", "drop_bag_deposit", "drop_bag_posts"}
    assert tds.old_json["drop_bag_posts"] == ["Cormet de Roselend"]
    # seed 003:495, 003:497: the two new races' bags are additions, with no 2016 note
    assert tables["drop_bag(MCC)"].kind == "added" and not tables["drop_bag(MCC)"].note


def test_occ_gear_moved_to_the_cold_kit_is_one_change_not_a_removal(utmb_diff: EditionDiff) -> None:
    gear = utmb_diff.changes("utmb_checklists")
    # seed 004:174-175 "warm and waterproof gloves OBLIGATORY", "waterproof over-trousers OBLIGATORY" (every race in 2016);
    # seed 003:217 "Cold weather kit (may be required by the organization, depending on weather conditions)", 003:221-222
    assert not [c.summary for c in gear if c.kind == "removed"]
    for item in ("warm_layer", "gloves", "overtrousers"):
        found = [c for c in gear if c.subject == f"{item} on OCC (cold kit)"]
        assert len(found) == 1, item
        assert (found[0].kind, found[0].old, found[0].new) == ("changed", "required in every weather", "required when the organization calls for the cold kit")
    # seed 003:220 "Warm hat": no hat on the 2016 list, so the OCC's cold-kit hat is new
    assert any(c.kind == "added" and c.subject == "hat on OCC (cold kit)" for c in gear)


def test_rest_areas_table_is_shown_with_the_2022_rule_not_removed(utmb_diff: EditionDiff) -> None:
    # seed 004:319 "Uniquely for UTMB® : at Les Chapieux, Courmayeur and Champex"; seed 003:600 "UTMB® (only): At les Chapieux,
    # Courmayeur and Champex"
    change = next(c for c in utmb_diff.changes("tables") if c.subject.startswith("rest_areas"))
    assert change.kind == "changed" and change.subject == "rest_areas(race) (now rule utmb_rest_areas)"
    assert change.old_json and change.new_json == '["Les Chapieux", "Courmayeur", "Champex"]'
    assert not any(c.subject == "rule utmb_rest_areas" for c in utmb_diff.changes("rules"))


def test_a_renamed_rule_keeps_its_reading(utmb_diff: EditionDiff, bundled: PolicySet) -> None:
    # seed 004:229 "within two hours of the end of the race", seed 003:499 "no later than 2 hours after the end of the race":
    # the same words, read the same way in both policies. The reading follows the rename bag_collection → bag_retrieval,
    # so it compares equal: neither a removed reading nor an added one.
    readings = [c for c in utmb_diff.changes("readings") if "bag_collection" in c.subject or "bag_retrieval" in c.subject]
    assert readings == []
    old = bundled.find("utmb-2016").rules["bag_collection"].decl.citation
    new = bundled.find("utmb-2022").rules["bag_retrieval"].decl.citation
    assert old is not None and new is not None and old.reading == new.reading == "counted from the end of the race (its cut-off)"


# ---- the Markdown document -------------------------------------------------------------------------------


def test_markdown_opens_with_a_runner_summary_in_words(utmb_diff: EditionDiff) -> None:
    markdown = render(utmb_diff, "markdown")
    short = markdown[markdown.index("## In short"): markdown.index("| Section | Changes |")]
    # seed 004:104 "UTMB® : 219 €", seed 003:48 "UTMB®: 305€"; seed 004:307 "TDS® : 33 hours", seed 003:532 "TDS®: 44 hrs"
    assert "Entry fees: UTMB 219.00 EUR → 305.00 EUR (86.00 EUR more)" in short
    assert "TDS 33h → 44h (11h longer)" in short
    # seed 004:135 "From March 16 to May 15 50%", seed 003:926-928 "Until the End of April 60%"
    assert "16 March to 30 April: 50% → 60%" in short
    assert "No longer required in every weather on OCC: warm layer, gloves and overtrousers, now in the cold kit." in short
    # seed 003:392: qualifying points are still required in 2022, only their numbers are not in the text
    assert "No longer given in the text: qualifying points" in short and "No longer required to register" not in short
    # seed 004:371 "Depending on the Race Jury", seed 003:727 "According to the race directors' decision"
    assert "Decided by \"the race directors\" instead of \"the race jury\": no chip, missed checkpoint and other breach." in short
    # Words, not rule identifiers or row counts
    assert "table " not in short and " rows" not in short and "\\_" not in short.split("Eligibility")[0]
    assert "## Distances, cut-offs, fees and other race figures" in markdown and "\n## Race attributes\n" not in markdown


# ---- the generic paths behind the corrections, on a small pair of editions --------------------------------

OLD = """
edition demo 2020 "Demo 2020" currency EUR
section "BAGS"
race LONG "Long" § "Long: 100 km": distance 100 km, cutoff 30h, fee 200 EUR
race SHORT "Short" § "Short: 20 km": distance 20 km, cutoff 6h, fee 50 EUR
table bags(race) § "bags":
  LONG -> 2 § "Long: 2 bags"
  SHORT -> 1 § "Short: 1 bag"
table bag_litres(race) § "litres":
  LONG -> 30 § "30 litres"
  SHORT -> 30 § "30 litres"
table rest(race) § "rest areas":
  LONG -> ["Alpha"] § "Long: a rest area at Alpha" reading "only the Long" over "every race"
  SHORT -> [] § "none for the Short"
rule collect(hours: duration) = hours <= 2h § "collected within two hours" reading "from the arrival" over "from the cut-off"
"""

NEW = """
edition demo 2021 "Demo 2021" currency EUR
section "BAGS"
race LONG "Long" § "Long: 100 km": distance 100 km, cutoff 30h, fee 200 EUR
race SHORT "Short" § "Short: 20 km": distance 20 km, cutoff 6h, fee 50 EUR
table bag(race) § "bags":
  LONG -> "two 30 litre bags" § "Long: two 30 litre bags"
  SHORT -> "one 30 litre bag" § "Short: one 30 litre bag"
rule rest_areas = ["Alpha"] § "Long only: a rest area at Alpha"
rule retrieve(hours: duration) = hours <= 2h § "retrieved within 2 hours" reading "from the cut-off" over "from the arrival"
"""

RENAMES = {"table:bags": "table:bag", "table:bag_litres": "table:bag", "table:rest": "rule:rest_areas", "rule:collect": "rule:retrieve"}


@pytest.fixture(scope="module")
def small_diff() -> EditionDiff:
    old, new = compile_source(Source("old.policy", OLD), None), compile_source(Source("new.policy", NEW), None)  # type: ignore[arg-type]
    return EditionComparer(old, new, RENAMES).compare()


def test_two_old_tables_renamed_to_one_are_compared_key_by_key(small_diff: EditionDiff) -> None:
    tables = {c.subject: c for c in small_diff.changes("tables")}
    assert tables["bag(LONG)"].old == "bags 2; bag_litres 30" and tables["bag(LONG)"].new == "two 30 litre bags"
    assert tables["bag(LONG)"].old_json is not None and set(tables["bag(LONG)"].old_json) == {"bags", "bag_litres"}
    assert not any(c.kind == "removed" for c in small_diff.changes("tables"))


def test_a_table_stated_as_a_rule_is_one_change(small_diff: EditionDiff) -> None:
    change = next(c for c in small_diff.changes("tables") if c.subject.startswith("rest"))
    assert (change.kind, change.subject) == ("changed", "rest(race) (now rule rest_areas)")
    assert change.old == "LONG → [Alpha]; SHORT → []" and change.new == '["Alpha"]'
    assert not small_diff.changes("rules") or all("rest_areas" not in c.subject for c in small_diff.changes("rules"))


def test_readings_follow_a_rename(small_diff: EditionDiff) -> None:
    readings = [(c.kind, c.subject) for c in small_diff.changes("readings")]
    assert ("changed", "reading of rule collect (now retrieve)") in readings
    assert not any(subject in ("reading of rule collect", "reading of rule retrieve") for _, subject in readings)


def test_summary_in_words_names_whole_tables_gone_not_cells() -> None:
    def pair(rows: str) -> EditionDiff:
        head = 'edition demo {year} "Demo" currency EUR\nrace LONG "Long": distance 100 km\nrace SHORT "Short": distance 20 km\n'
        old = compile_source(Source("old.policy", head.format(year=2020) + 'table entry_index(race) § "index":\n  LONG -> 800\n  SHORT -> 600\n'), None)  # type: ignore[arg-type]
        new = compile_source(Source("new.policy", head.format(year=2021) + rows), None)  # type: ignore[arg-type]
        return EditionComparer(old, new).compare()

    # GIVEN a table that loses one row WHEN summarised THEN no table is said to be gone
    one_row = dict(in_words(pair('table entry_index(race) § "index":\n  LONG -> 800\n')))
    assert "Eligibility" not in one_row
    # GIVEN a table gone WHEN summarised THEN it is named once, in words
    gone = dict(in_words(pair("")))
    assert gone["Eligibility"] == ["No longer given in the text: entry index."]
