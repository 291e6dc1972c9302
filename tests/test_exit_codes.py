"""One exit-code rule for scripts: 0 answered, 1 the answer is a no (every yes/no answer, and forms that grant nothing), 2 bad input."""

from __future__ import annotations

import subprocess
import sys

import pytest
from racepolicy.cli.main import EXIT_CODES_HELP, main


@pytest.mark.parametrize(("query", "code"), [
    # yes/no answers: a no is 1 whatever asked it
    ("eligible ETC given runner = {birth_year: 2000}", 1),  # seed 003:22 ETC "reserved for runners 23 years and older"
    ("eligible UTMB given runner = {birth_year: 1990}", 0),
    ("1 > 2", 1),
    ("2 > 1", 0),
    ("is_series_race(14 km)", 1),  # seed 002:33 "Trail Half Marathons cover 15–34K"
    ("is_series_race(20 km)", 0),
    # query forms that grant nothing are a no too: seed 000:23 Majors qualify "the top 10 male and female runners"
    ("qualify major 100K women 11", 1),
    ("qualify major 100K women 7", 0),
    ("change 100M to 20K", 1),  # seed 000:16 Finals in "the three key distances": OCC (50k), CCC (100k), UTMB (100M), none for 20K
    # values are answers, not a no
    ("fee CCC", 0),
    ("refund UTMB cancelled 2022-08-15", 0),  # 0.00 EUR is an amount, not a no
    # bad input
    ("penalty missing_jackett on UTMB", 2),
    ("qualify major 100K women", 2),
])
def test_query_exit_codes_follow_one_rule(query: str, code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", query]) == code
    out = capsys.readouterr().out
    if code == 1:
        assert out.splitlines()[0].split(" ")[0] in ("no", "none")


def test_json_says_whether_the_answer_is_a_no(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["query", "qualify major 100K women 11", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["negative"] is True


def test_the_rule_is_in_the_help_and_the_docs() -> None:
    result = subprocess.run([sys.executable, "-m", "racepolicy.cli.main", "--help"], capture_output=True, text=True, check=False)
    assert EXIT_CODES_HELP in result.stdout
    from pathlib import Path

    docs = (Path(__file__).resolve().parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "| 1 | the answer is a no: any yes/no answer that is `no`" in docs and "`qualify` or `change` answering `none`" in docs
