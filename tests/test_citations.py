"""Every `§` quote is checked against the regulation text the policy names, and answers say where it stands there."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from racepolicy.cli.main import main
from racepolicy.language import ast, citations
from racepolicy.language.errors import CitationNotFoundError, PolicyErrors
from racepolicy.language.parser import parse_policy
from racepolicy.language.source import Source
from racepolicy.query.policyset import PolicySet, bundled_sources

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"  # ../shared/seeds beside the clone
POLICIES = Path(__file__).resolve().parent.parent / "policies"

TEXT = """ENTRY FEE

Fees:

UTMB®: 305€
CCC®: 189€

The “race bib” must be worn on the chest… at all times.
The fee is 110 EUR for volunteers.
"""


@pytest.fixture
def regulation(tmp_path: Path) -> citations.RegulationText:
    path = tmp_path / "regulation.txt"
    path.write_text(TEXT, encoding="utf-8")
    found = citations.read_text(path)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("quote", "line"),
    [
        ("CCC®: 189€", 6),
        ("CCC: 189€", 6),  # ® is ignored
        ("ENTRY FEE ... CCC®: 189€", 6),  # `...` stands for the table between; the line is the clause's, not the heading's
        ("ENTRY FEE … CCC: 189€", 6),  # and so does the typographic ellipsis
        ('The "race bib" must be worn', 8),  # typographic quotes are ignored
        ("must be worn on the chest... at all times", 8),
        ("Fees:   UTMB®:\n305€", 3),  # whitespace and line breaks are one space
    ],
)
def test_a_quote_is_found_however_the_page_spelt_it(regulation: citations.RegulationText, quote: str, line: int) -> None:
    where = citations.find_quote(quote, regulation)
    assert where is not None
    assert (where.file, where.line) == ("regulation.txt", line)


@pytest.mark.parametrize(
    "quote",
    [
        "ENTRY FEE: CCC: 189€",  # a colon the text does not have
        "CCC®: 189€ ... ENTRY FEE",  # pieces out of order
        "The fee is 10 EUR",  # 10 is not 110: quotes match whole words
        "ccc: 189€",  # case matters
        "CCC: 198€",
    ],
)
def test_a_quote_that_says_something_else_is_not_found(regulation: citations.RegulationText, quote: str) -> None:
    assert citations.find_quote(quote, regulation) is None


def _policy(tmp_path: Path, body: str, source: str = "regulation.txt") -> Path:
    (tmp_path / "regulation.txt").write_text(TEXT, encoding="utf-8")
    path = tmp_path / "demo.policy"
    path.write_text(f'edition demo 2024 "Demo" currency EUR\nsource "{source}"\n{body}\n', encoding="utf-8")
    return path


def test_a_quote_not_in_the_text_is_a_located_load_error_naming_the_closest_sentence(tmp_path: Path) -> None:
    path = _policy(tmp_path, 'rule fee = 189 EUR § "CCC: 198€"')
    with pytest.raises(PolicyErrors) as caught:
        PolicySet.load([path])
    error = caught.value.errors[0]
    assert isinstance(error, CitationNotFoundError)
    assert (error.span.line, error.span.column) == (3, 20)
    assert error.hint == 'closest in regulation.txt:6: "CCC®: 189€"'
    assert main(["check", str(path)]) == 2


def test_every_quote_of_a_policy_is_checked_not_only_the_first(tmp_path: Path) -> None:
    path = _policy(tmp_path, 'rule a = 1 § "CCC: 198€"\nrule b = 2 § "CCC: 189€"\nrule c = 3 § "no such words"')
    with pytest.raises(PolicyErrors) as caught:
        PolicySet.load([path])
    assert [e.span.line for e in caught.value.errors] == [3, 5]


def test_an_answer_shows_the_line_of_the_regulation_it_quotes(bundled: PolicySet) -> None:
    answer = bundled.ask("fee CCC", edition="utmb-2022")
    # seed 003:51 "CCC®: 189€"
    assert "003_03726955152b33cc.txt:51" in answer.render()
    trace = json.loads(answer.to_json_text())["trace"]
    assert trace[0]["citation"]["text"] == {"file": "003_03726955152b33cc.txt", "line": 51, "first_line": 51, "end_line": 51}


def test_every_citation_of_every_bundled_policy_is_verified() -> None:
    for source in bundled_sources():
        edition = PolicySet().add(source)
        assert citations.unverified(edition.source) is None, source.name
        policy = parse_policy(source.text, source.name)
        quotes = {c.text for c in policy.find_all(ast.Citation)}  # type: ignore[attr-defined]
        assert quotes and all(citations.location_of(edition.source, q) is not None for q in quotes), source.name


def _elsewhere(tmp_path: Path) -> Path:
    # A copy of a bundled policy away from the texts: its `source` line points nowhere.
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    shutil.copy(POLICIES / "xterra-2023.policy", folder)
    return folder / "xterra-2023.policy"


def test_without_its_text_check_says_once_that_citations_were_not_verified(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _elsewhere(tmp_path)
    assert main(["check", str(path)]) == 0
    err = capsys.readouterr().err
    assert err.count("citations not verified") == 1
    assert "002_7ccbb740de9a767f.txt" in err


def test_strict_makes_an_unverified_policy_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _elsewhere(tmp_path)
    assert main(["check", "--strict", str(path)]) == 2
    assert "error[RP1002]: regulation text not found" in capsys.readouterr().err


def test_source_option_and_environment_point_to_the_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    path = _elsewhere(tmp_path)
    try:
        assert main(["check", "--strict", "--source", str(SEEDS / "002_7ccbb740de9a767f.txt"), str(path)]) == 0
    finally:
        citations.clear_search_paths()
    monkeypatch.setenv(citations.ENV_VAR, str(SEEDS))
    assert main(["check", "--strict", str(path)]) == 0
    assert "not verified" not in capsys.readouterr().err


def test_a_policy_without_a_source_line_is_unverified() -> None:
    source = Source("demo.policy", 'edition demo 2024 "Demo"\nrule fee = 1 EUR § "anything at all"\n')
    edition = PolicySet().add(source)
    error = citations.unverified(edition.source)
    assert error is not None and "names no regulation text" in error.message
