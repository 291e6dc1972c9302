"""The direct parse (Lark's tables driven without a parse tree, issue #16) builds exactly the AST of Lark's tree and transformer.

Spans are excluded from AST equality (STYLE.md), so these tests compare every node's span as
well: a policy's error messages, citations and the formatter all point with them. A text Lark's
parse refuses (or whose AST methods raise) must make the direct parse give up, so that the usual
parse words the error as before.
"""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from lark import Lark
from lark.exceptions import UnexpectedInput
from racepolicy.language import parser
from racepolicy.language.errors import PolicyError
from racepolicy.language.parser import GiveUp
from racepolicy.language.source import Source

POLICIES = sorted((Path(__file__).resolve().parent.parent / "policies").glob("*.policy"))


def shape(value: Any) -> Any:
    """Everything a node holds, spans included, as nested tuples."""
    if attrs.has(type(value)):
        return (type(value).__name__, tuple((f.name, shape(getattr(value, f.name))) for f in attrs.fields(type(value))))
    if isinstance(value, tuple | list):
        return tuple(shape(v) for v in value)
    return (type(value).__name__, value)


def through_lark(text: str, start: str) -> tuple[Any, list[tuple[int, int, str]] | None]:
    tree = parser.parser().parse(text, start=start)
    return parser._transform(tree, Source("t.policy", text)), (parser._sections_of(tree) if start == "policy" else None)


def direct(text: str, start: str) -> tuple[Any, list[tuple[int, int, str]] | None]:
    driver = parser._direct()
    assert driver is not None, "the direct parse is not built for this Lark"
    result, sections = driver.parse(text, start)
    return result, (sorted(sections) if start == "policy" else None)


def assert_same_parse(text: str, start: str = "policy") -> bool:
    """Both parses give the same AST, spans and section headings, or both refuse the text; True if it parsed."""
    try:
        expected = through_lark(text, start)
    except (UnexpectedInput, PolicyError):
        with pytest.raises(GiveUp):
            direct(text, start)
        return False
    got = direct(text, start)
    assert shape(got[0]) == shape(expected[0])
    assert got[1] == expected[1]
    return True


@pytest.mark.parametrize("path", POLICIES, ids=[p.stem for p in POLICIES])
def test_bundled_policies_parse_to_the_same_ast_with_every_span(path: Path) -> None:
    # GIVEN a bundled policy WHEN parsed directly and through Lark's tree THEN the two ASTs agree node for node, span for span
    assert assert_same_parse(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# only a comment\n",
        'edition trail 2025 "x"\ncurrency EUR\nrule qualifies(rank: number) = rank >= 1 and rank <= 10\n',
        'edition trail 2025 "x" rule f() = (1 + 2) * -(3)\nrule g(a) = if a then [1, 2] else []\nrule h = {a: 1, b: "x"}.a',
        'edition t 2024 "x"\nsection "One"\nrule a = 1\nsection\n  "Two" rule b = 2\n',
        'edition t 2024 "x"\nrule a = 2024-05-01 at 08:30\nrule b = 15 km + 500 m\nrule c = 20% * 100 EUR\nrule d = 1h30 + 2d\n',
        'edition t 2024 "x"\nschedule s: through 05-01 -> 50% otherwise -> 0%\ntable t(a, b): x, "y" -> 1 § "q"\n',
        'edition t 2024 "x"\nrule a(x: number) = x not in [1, 2] or not x in [3] and x != 4',
    ],
    ids=["empty", "comment", "one-rule", "brackets", "sections", "literals", "schedule-table", "membership"],
)
def test_small_texts_parse_to_the_same_ast_with_every_span(text: str) -> None:
    assert assert_same_parse(text)


@pytest.mark.parametrize(
    "text",
    [
        'edition t 2024 "x"\nrule a = 2024-02-30',  # an AST method refuses the date
        'edition t 2024 "x"\nrule a = 1 +',  # unexpected end
        'edition t 2024 "x"\nrule a = 1 $ 2',  # unexpected character
        'edition t 2024 "x"\nrule a = ' + "not " * 150 + "true",  # deeper than MAX_NESTING
        'edition t 2024 "x"\nrule a = "open',
    ],
    ids=["impossible-date", "end", "character", "nesting", "open-quote"],
)
def test_texts_with_an_error_are_left_to_the_usual_parse(text: str) -> None:
    # GIVEN a text with an error WHEN parsed directly THEN the driver gives up (so the usual parse words the error)
    with pytest.raises(GiveUp):
        direct(text, "policy")
    with pytest.raises(PolicyError):
        parser.parse_policy(text)


@pytest.mark.parametrize(
    "text",
    ["penalty missing_jacket on UTMB", "eligible CCC", "refund UTMB 2022-05-15", "1 + 2 * 3 given a = 1, b = [1]", "penalty a, b on X with hot"],
)
def test_queries_parse_to_the_same_ast_with_every_span(text: str) -> None:
    assert assert_same_parse(text, "query")


@cache
def grammar() -> Lark:
    # from_lark needs the grammar object, which a cached parser does not keep.
    return Lark.open_from_package("racepolicy.grammar", "racepolicy.lark", start=["policy", "query"], parser="lalr")


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(st.data())
def test_texts_the_grammar_generates_parse_the_same_both_ways(data: st.DataObject) -> None:
    # GIVEN any text the grammar generates (words run together where the lexer reads them otherwise, impossible dates, ...)
    assert_same_parse(data.draw(from_lark(grammar(), start="policy")))


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(st.data())
def test_queries_the_grammar_generates_parse_the_same_both_ways(data: st.DataObject) -> None:
    assert_same_parse(data.draw(from_lark(grammar(), start="query")), "query")


def test_section_headings_are_found_in_a_text_whose_ast_refuses_a_value() -> None:
    # GIVEN an impossible date (the AST refuses it, the grammar does not) WHEN the formatter asks for the headings
    text = 'edition t 2024 "x"\nsection "One"\nrule a = 2024-02-30\nsection\n  "Two" rule b = 2\n'
    # THEN the direct parse gives up and Lark's tree still gives every heading where its keyword stands
    assert parser.section_positions(text) == [(2, 1, "One"), (4, 1, "Two")]
    assert parser.section_positions(text.replace("2024-02-30", "2024-02-28")) == [(2, 1, "One"), (4, 1, "Two")]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("abc", "a"),
        (r"\d+(\.\d+)?%", "0123456789"),
        ("[ ]?km", " k"),  # an optional first item: what follows may come first
        ("a*b", "ab"),
        ("(?:==|!=|<|>)", "=!<>"),
        ('"[^"\\n]*"', '"'),
        ("[^x]y", None),  # a negated set: any character, so unsure
        ("(?i:rule)", None),  # either case: unsure
        ("(?i)rule", None),
        ("x?", None),  # may match nothing: unsure
    ],
)
def test_the_first_characters_of_a_terminal_are_never_too_few(pattern: str, expected: str | None) -> None:
    # The lexer tries only the terminals that may start with the character at hand: leaving one out would read another terminal.
    found = parser.first_chars(pattern)
    assert found == (None if expected is None else frozenset(expected))


def test_bundled_policies_with_random_edits_parse_the_same_both_ways() -> None:
    # GIVEN windows of the bundled policies with characters deleted or inserted (brackets, quotes, dates the AST refuses,
    # non-ASCII letters): what an author has on screen while typing
    rng = random.Random(7)
    texts = [path.read_text(encoding="utf-8") for path in POLICIES]
    pieces = [" ", "\n", "(", ")", "1", "2022-02-30", "x", "rule", "§", '"', "#", "-", "+", "and", "10 km", "5%", "n/a", "é", ":", "->"]
    parsed = 0
    for _ in range(80):
        lines = rng.choice(texts).split("\n")
        start = rng.randrange(len(lines))
        text = "\n".join(lines[:3] + lines[start:start + 40])
        for _ in range(rng.randrange(1, 4)):
            at = rng.randrange(len(text) + 1)
            if rng.random() < 0.5:
                text = text[:at] + text[at + rng.randrange(1, 6):]
            else:
                text = text[:at] + rng.choice(pieces) + text[at:]
        # THEN both parses give the same AST, spans and headings, or both refuse the text
        parsed += assert_same_parse(text)
    assert 10 < parsed < 80  # both outcomes were exercised


def test_a_half_typed_statement_costs_one_lark_parse_and_reports_what_lark_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    # An editor's keystroke leaves one statement broken: Lark words its error, then the text with that statement blanked is
    # taken whole by the direct parse, so Lark is not run a second time over the whole file (the language server's case).
    text = next(p for p in POLICIES if p.name == "utmb-2022.policy").read_text(encoding="utf-8")
    broken = text.replace("race.fee * 5%", "race.fee *", 1)
    with pytest.raises(PolicyError) as with_direct:
        parser.parse_policy(broken, "p")
    lark = parser._lark()
    calls: list[int] = []
    original = type(lark).parse
    monkeypatch.setattr(type(lark), "parse", lambda self, *a, **k: (calls.append(1), original(self, *a, **k))[1])
    with pytest.raises(PolicyError):
        parser.parse_policy(broken, "p")
    assert len(calls) == 1
    # The same report as Lark's own recovery gives with no direct parse at all.
    monkeypatch.setattr(parser, "_direct", lambda: None)
    with pytest.raises(PolicyError) as lark_only:
        parser.parse_policy(broken, "p")
    assert with_direct.value.render() == lark_only.value.render()
