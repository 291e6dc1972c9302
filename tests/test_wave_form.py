"""`wave BIB`: the start wave of a bib, its race and its start time, from the race-bib lines of the 2022 text (seed 003:464-480)."""

from __future__ import annotations

import pytest
from racepolicy.cli.main import main
from racepolicy.language.errors import PolicyError
from racepolicy.query.policyset import PolicySet

SEED = "003_03726955152b33cc.txt"


@pytest.mark.parametrize(("bib", "wave", "race", "start", "seed_line"), [
    (1, "UTMB elite 1", "UTMB", "18:00", 464),  # seed 003:464 "UTMB elite 1 (start 18:00) : bib 1 - 36"
    (36, "UTMB elite 1", "UTMB", "18:00", 464),  # the last bib of the range is in it
    (41, "UTMB elite 2", "UTMB", "18:00", 465),  # seed 003:465 "UTMB elite 2 (start 18:00) : bib 41 - 182"
    (3500, "CCC 1", "CCC", "09:00", 468),  # seed 003:468 "CCC 1 (start 09:00) : bib 3301 - 3835"
    (4710, "CCC 2", "CCC", "09:15", 469),  # seed 003:469 "CCC 2 (start 09:15) : bib 3901 - 4710"
    (6701, "OCC 2", "OCC", "08:45", 474),  # seed 003:474 "OCC 2 (start 08:45) : bib 6701 - 7308"
    (13622, "MCC 2", "MCC", "10:15", 480),  # seed 003:480 "MCC 2 (start 10:15) : bib 13001 - 13622"
])
def test_a_bib_gets_its_wave_race_and_start_time_with_the_line_that_says_so(
    bundled: PolicySet, bib: int, wave: str, race: str, start: str, seed_line: int,
) -> None:
    answer = bundled.ask(f"wave {bib}")
    assert answer.edition == "utmb 2022"
    assert answer.text == f"{wave} ({race}, start {start})"
    cited = [e.citation for e in answer.trace if e.citation is not None]
    # The wave, the race and the start time each cite the same line of the text.
    assert len(cited) == 3
    assert all(c.text is not None and c.text.file == SEED and c.text.line == seed_line for c in cited)
    assert all(wave in c.clause for c in cited)


def test_the_tds_elite_wave_has_no_start_time_in_the_text_so_the_query_gives_it(bundled: PolicySet) -> None:
    # seed 003:477 "TDS elite : bib 9001 - 9096": bibs, but no start time
    with pytest.raises(PolicyError) as caught:
        bundled.ask("wave 9010")
    assert "tds_elite_start" in caught.value.message and "does not give" in caught.value.message
    answer = bundled.ask("wave 9010 given tds_elite_start = 20:00")
    assert answer.text == "TDS elite (TDS, start 20:00)"
    assert any(e.kind == "input" and e.name == "tds_elite_start" for e in answer.trace)


@pytest.mark.parametrize("bib", [37, 2345, 9097, 20000])
def test_a_bib_in_no_wave_is_a_located_error_listing_the_waves(bib: int, capsys: pytest.CaptureFixture[str]) -> None:
    # seed 003:464-465: bibs 37-40 are in no UTMB wave; 183-3000 in none at all.
    assert main(["query", f"wave {bib}"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("<query>:1:1: error[") and f"bib {bib} is in no start wave of utmb 2022" in err
    assert "1-36 UTMB elite 1" in err and "13001-13622 MCC 2" in err  # seed 003:464, 003:480
    assert "Traceback" not in err


@pytest.mark.parametrize(("query", "says"), [
    ("wave 1 2", "wave takes one bib number; 2 word(s) given"),
    ("wave 3.5", "a bib is a whole number"),
    ("wave UTMB", "a bib is a whole number"),
])
def test_a_wave_query_that_is_not_one_bib_says_what_it_expects(query: str, says: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", query]) == 2
    err = capsys.readouterr().err
    assert says in err and "wave BIB" in err


def test_the_wave_form_is_listed_by_describe(bundled: PolicySet) -> None:
    from racepolicy.query.describe import describe

    data = describe(bundled, ["utmb-2022", "wave"])
    assert data["kind"] == "query form" and data["usage"] == "wave BIB"
