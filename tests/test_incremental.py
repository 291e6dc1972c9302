"""Incremental analysis for the language server: after any edits, the reused statements give what a parse and check from scratch give."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policy_edits import EDIT, edited
from racepolicy.language import ast_codec, citations
from racepolicy.language.errors import PolicyError
from racepolicy.language.parser import parse_policy, section_positions
from racepolicy.lsp.analysis import Analysis, analyse
from racepolicy.lsp.diagnostics import diagnostics_of
from racepolicy.lsp.incremental import _START, StatementCache
from racepolicy.lsp.positions import Lines
from racepolicy.pluginapi.manager import make_plugin_manager

POLICIES = Path(__file__).resolve().parent.parent / "policies"
PM = make_plugin_manager()

def from_scratch(text: str, name: str) -> Analysis:
    """What `racepolicy check` says of the text: a whole parse, and every quote searched again."""
    citations._LOOKED_UP.clear()
    return analyse(text, name, PM)


def parse_outcome(text: str, name: str, pieces: StatementCache | None) -> tuple[object, ...]:
    """A parse as comparable data: the AST with every span (its JSON form) and the headings, or every error."""
    try:
        if pieces is None:
            return ast_codec.dumps(parse_policy(text, name)), tuple(section_positions(text, name))
        parsed = pieces.parse(text, name)
        return ast_codec.dumps(parsed.policy), parsed.headings
    except PolicyError as exc:
        return ("error", exc.render())


def assert_same(text: str, name: str, pieces: StatementCache) -> None:
    incremental = analyse(text, name, PM, pieces)
    whole = from_scratch(text, name)
    lines = Lines(text)
    assert diagnostics_of(incremental, lines) == diagnostics_of(whole, lines)
    assert (incremental.policy is None) == (whole.policy is None)
    if whole.policy is not None and incremental.policy is not None:
        assert ast_codec.dumps(incremental.policy) == ast_codec.dumps(whole.policy)  # every span too: hovers and go-to use them


@pytest.mark.parametrize("name", sorted(p.name for p in POLICIES.glob("*.policy")))
def test_a_bundled_policy_cut_into_statements_parses_to_the_whole_parse_spans_and_headings_included(name: str) -> None:
    path = POLICIES / name
    text = path.read_text(encoding="utf-8")
    parsed = StatementCache().parse(text, str(path))
    # Cut at its statements; a statement repeated word for word (the same clause cited twice) is parsed once.
    cuts = [0, *(m.start() for m in _START.finditer(text) if m.start() > 0), len(text)]
    distinct = {text[start:end] for start, end in itertools.pairwise(cuts)}
    assert parsed.pieces == len(cuts) - 1 > 50 and parsed.reparsed == len(distinct)
    assert (ast_codec.dumps(parsed.policy), parsed.headings) == parse_outcome(text, str(path), None)


def test_a_keystroke_reparses_one_statement_and_a_new_line_above_reparses_none() -> None:
    path = POLICIES / "utmb-2022.policy"
    text = path.read_text(encoding="utf-8")
    pieces = StatementCache()
    first = pieces.parse(text, str(path))
    at = text.index("race.fee * 5%") + len("race.fee")
    typed = pieces.parse(text[:at] + "s" + text[at:], str(path))
    assert typed.reparsed == 1 and typed.pieces == first.pieces
    shifted = "\n\n" + text
    moved = pieces.parse(shifted, str(path))
    assert moved.reparsed == 1  # the first piece (comments and header) changed; every other one moved two lines down unparsed
    assert (ast_codec.dumps(moved.policy), moved.headings) == parse_outcome(shifted, str(path), None)


def test_a_broken_statement_is_parsed_whole_with_every_error_the_whole_parse_reports() -> None:
    path = POLICIES / "utmb-2022.policy"
    text = path.read_text(encoding="utf-8")
    pieces = StatementCache()
    pieces.parse(text, str(path))
    broken = text.replace("race.fee * 5%", "race.fee * ", 1).replace("group long = UTMB,", "group long = UTMB,,", 1)
    outcome = parse_outcome(broken, str(path), pieces)
    assert outcome[0] == "error" and outcome == parse_outcome(broken, str(path), None)
    assert parse_outcome(text, str(path), pieces) == parse_outcome(text, str(path), None)  # repaired


def test_statements_under_a_new_heading_take_its_title_and_lose_it_when_it_goes() -> None:
    text = 'edition utmb 2099 "t" currency EUR\nsection "A"\nrule a = 1 § "x"\nrule b = 2 § "y"\n'
    pieces = StatementCache()
    assert [s.section for s in pieces.parse(text).policy.statements] == ["A", "A"]
    inserted = text.replace('rule b', 'section "B"\nrule b')
    parsed = pieces.parse(inserted)
    assert [s.section for s in parsed.policy.statements] == ["A", "B"]
    assert parsed.headings == ((2, 1, "A"), (4, 1, "B"))
    assert [s.section for s in pieces.parse(text).policy.statements] == ["A", "A"]


def test_an_edition_header_below_a_statement_gets_the_whole_parse_error() -> None:
    text = 'edition utmb 2099 "t" currency EUR\nrule a = 1 § "x"\nedition utmb 2100 "u"\n'
    assert parse_outcome(text, "p.policy", StatementCache())[0] == "error"
    assert parse_outcome(text, "p.policy", StatementCache()) == parse_outcome(text, "p.policy", None)


@settings(max_examples=10, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EDIT, min_size=1, max_size=8))
def test_after_random_edits_the_diagnostics_are_those_of_a_check_from_scratch(edits: list[tuple[str, int, int, str]]) -> None:
    # The world-series policy: every construct a statement split meets (headings, headers with two sources, facts, words),
    # at a third of the 2022 policy's size so that each step's check from scratch stays cheap.
    edit_and_compare(POLICIES / "world-series-2023.policy", edits)


@settings(max_examples=4, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EDIT, min_size=1, max_size=4))
def test_after_random_edits_of_the_2022_policy_the_diagnostics_are_those_of_a_check_from_scratch(edits: list[tuple[str, int, int, str]]) -> None:
    edit_and_compare(POLICIES / "utmb-2022.policy", edits)


def edit_and_compare(path: Path, edits: list[tuple[str, int, int, str]]) -> None:
    """Apply the edits one after the other, as an editor sends them, each result held to a check from scratch."""
    text = path.read_text(encoding="utf-8")
    pieces = StatementCache()
    analyse(text, str(path), PM, pieces)
    history = [text]
    for edit in edits:
        text = edited(text, edit, history)
        history.append(text)
        assert_same(text, str(path), pieces)
