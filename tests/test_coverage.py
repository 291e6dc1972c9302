"""`racepolicy coverage`: each clause of the regulation text is encoded, informative or uncovered, and the totals add up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from racepolicy.cli.main import main
from racepolicy.query.policyset import PolicySet
from racepolicy.tools.coverage import ENCODED, INFORMATIVE, UNCOVERED, coverage_of

TEXT = """Skip to Content

RACE RULES

The race starts in Chamonix. The fee is 50 EUR.

  • Runners must carry a whistle.
  • Runners must carry a cup.

Organisation

Our association was founded in 1980 by three friends who loved the mountains and wanted to share them with everyone.

Follow the races live
"""

POLICY = """edition demo 2024 "Demo" currency EUR
source "regulation.txt"

section "Organisation"
informative § "Our association was founded in 1980 ... with everyone" "history of the organiser: no rule"
section "RACE RULES"
rule fee = 50 EUR § "The fee is 50 EUR"
rule start = "Chamonix" § "The race starts in Chamonix"
rule whistle = true § "Runners must carry a whistle"
"""


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    (tmp_path / "regulation.txt").write_text(TEXT, encoding="utf-8")
    path = tmp_path / "demo.policy"
    path.write_text(POLICY, encoding="utf-8")
    return path


def test_each_clause_gets_its_status_and_headings_and_boilerplate_are_not_counted(demo: Path) -> None:
    cov = coverage_of(PolicySet.load([demo]).editions["demo-2024"])
    statuses = [(c.line, c.text, c.status) for c in cov.clauses]
    assert statuses == [
        (5, "The race starts in Chamonix.", ENCODED),
        (5, "The fee is 50 EUR.", ENCODED),
        (7, "• Runners must carry a whistle.", ENCODED),
        (8, "• Runners must carry a cup.", UNCOVERED),
        (12, "Our association was founded in 1980 by three friends who loved the mountains and wanted to share them with everyone.", INFORMATIVE),
    ]
    assert (cov.headings, cov.boilerplate) == (2, 2)
    informative = cov.clauses[-1]
    assert informative.reason == "history of the organiser: no rule" and informative.statements == (5,)
    assert [(s, t.total, t.encoded) for _, s, t in cov.sections()] == [("RACE RULES", 4, 3), ("Organisation", 1, 0)]
    tally = cov.tally()
    assert (tally.total, tally.encoded, tally.informative, tally.uncovered, str(tally.accounted)) == (5, 3, 1, 1, "80.0")


def test_uncovered_lists_only_the_gaps_with_their_lines(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "--uncovered", str(demo)]) == 0
    out = capsys.readouterr().out
    assert "regulation.txt:8  UNCOVERED  [RACE RULES] • Runners must carry a cup." in out
    assert "whistle" not in out and "Chamonix" not in out
    assert "80.0% accounted for (3 encoded 60.0%, 1 informative 20.0%, 1 uncovered) of 5 clauses" in out


def test_fail_under_exits_1_below_the_threshold(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "--fail-under", "80", str(demo)]) == 0
    assert main(["coverage", "--fail-under", "80.1", str(demo)]) == 1
    assert main(["coverage", "--fail-under", "101", str(demo)]) == 2
    assert "not between 0 and 100" in capsys.readouterr().err


def test_json_and_markdown_carry_the_same_counts(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "--format", "json", str(demo)]) == 0
    report = json.loads(capsys.readouterr().out)["policies"][0]
    assert report["summary"] == {"clauses": 5, "encoded": 3, "informative": 1, "uncovered": 1, "accounted_percent": "80.0",
                                 "encoded_percent": "60.0", "informative_percent": "20.0"}
    assert [c["status"] for c in report["clauses"]] == [ENCODED, ENCODED, ENCODED, UNCOVERED, INFORMATIVE]
    assert main(["coverage", "--format", "markdown", str(demo)]) == 0
    assert "| RACE RULES | 4 | 3 | 0 | 1 | 75.0% |" in capsys.readouterr().out


def test_a_policy_whose_text_is_missing_has_no_coverage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "demo.policy"
    path.write_text(POLICY, encoding="utf-8")
    assert main(["coverage", str(path)]) == 2
    assert "error[RP1002]" in capsys.readouterr().err


def test_a_repeated_line_marked_informative_is_informative_everywhere(tmp_path: Path) -> None:
    (tmp_path / "regulation.txt").write_text("Entries open now\n\nThe fee is 50 EUR.\n\nEntries open now\n", encoding="utf-8")
    path = tmp_path / "demo.policy"
    path.write_text('edition demo 2024 "Demo"\nsource "regulation.txt"\ninformative § "Entries open now" "a sign-up banner"\n'
                    'rule fee = 50 EUR § "The fee is 50 EUR"\n', encoding="utf-8")
    cov = coverage_of(PolicySet.load([path]).editions["demo-2024"])
    assert [c.status for c in cov.clauses] == [INFORMATIVE, ENCODED, INFORMATIVE]


def test_every_bundled_policy_has_a_coverage_report(bundled: PolicySet) -> None:
    for edition in bundled.editions.values():
        tally = coverage_of(edition).tally()
        assert tally.total > 0 and tally.encoded > 0, edition.label
