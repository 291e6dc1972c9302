"""A series without a plugin (issue #11 item 10): its policy declares its own race attributes, asked without query forms."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from racepolicy.language import ast
from racepolicy.language.errors import PolicyError, PolicyErrors
from racepolicy.language.parser import parse_policy
from racepolicy.language.source import Source
from racepolicy.query.answer import Answer
from racepolicy.query.policyset import RUNNERS, PolicySet
from racepolicy.tools.formatter import format_policy

# No plugin knows the series "trail-du-lac": everything below is the policy's own.
LAC = '''edition trail-du-lac 2024 "Trail du Lac 2024 regulations" currency CHF
words surface: "trail", "road"
attribute start_time: time § "Start at 08:30"
attribute team_fee: money § "Teams of two: 120 CHF"
attribute checkpoint_cutoffs: list
attribute surface: surface
race LAC "Trail du Lac": distance 42 km, fee 60 CHF, start_time 08:30, team_fee 120 CHF, checkpoint_cutoffs [3h, 5h30], surface "trail"
race PETIT: distance 12 km, fee 30 CHF, start_time 10:00, surface "road"
rule late(race: race, arrival: time) = arrival > race.start_time + 6h
'''


@pytest.fixture(scope="module")
def lac() -> PolicySet:
    policies = PolicySet()
    policies.add(Source("lac.policy", LAC))
    return policies


@pytest.fixture(params=RUNNERS)
def q(request: pytest.FixtureRequest, lac: PolicySet) -> Callable[[str], Answer]:
    def _ask(query: str) -> Answer:
        return lac.ask(query, runner=request.param)

    return _ask


def test_the_series_has_no_plugin_and_its_attributes_have_their_kinds(lac: PolicySet) -> None:
    edition = lac.find("trail-du-lac")
    assert edition.vocabulary is None and not edition.query_forms
    assert {k: edition.attribute_kinds[k] for k in ("start_time", "team_fee", "checkpoint_cutoffs", "surface")} == {
        "start_time": "time", "team_fee": "money", "checkpoint_cutoffs": "list", "surface": "surface",
    }


def test_an_attribute_declaration_parses_to_its_ast() -> None:
    assert parse_policy(LAC).statements[1] == ast.AttributeDecl(name="start_time", type="time", citation=ast.Citation(text="Start at 08:30"))


@pytest.mark.parametrize(("query", "text"), [
    ("start_time LAC", "08:30"),
    ("team_fee LAC", "120.00 CHF"),
    ("checkpoint_cutoffs LAC", "[3h, 5h30]"),
    ("surface PETIT", "road"),
    ("late(LAC, 15:00)", "yes"),
    ("late(PETIT, 15:00)", "no"),
    ("LAC.team_fee - 2 * LAC.fee", "0.00 CHF"),
])
def test_own_attributes_are_asked_like_the_core_ones(q, query: str, text: str) -> None:
    assert q(query).text == text


def test_an_attribute_a_race_leaves_out_says_so(q) -> None:
    with pytest.raises(PolicyError, match="gives no team_fee for PETIT"):
        q("team_fee PETIT")


MISUSE = [
    ("wrong-kind", "attribute start_time: time\nrace A: start_time 8h30\n"),
    ("unknown-type", "attribute start_time: tme\nrace A: fee 1 EUR\n"),
    ("declared-twice", "attribute start_time: time\nattribute start_time: time\nrace A: fee 1 EUR\n"),
    ("core-attribute-of-another-kind", "attribute fee: number\nrace A: fee 1 EUR\n"),
    ("word-outside-its-set", 'words surface: "trail", "road"\nattribute surface: surface\nrace A: surface "snow"\n'),
    ("undeclared-attribute", "race A: bib_colour \"red\"\n"),
]


@pytest.mark.parametrize("body", [pytest.param(b, id=i) for i, b in MISUSE])
def test_misuse_is_a_located_load_error(body: str, snapshot) -> None:
    policies = PolicySet()
    with pytest.raises(PolicyError) as caught:
        policies.add(Source("inline.policy", 'edition trail-du-lac 2024 "t"\n' + body))
    errors = caught.value.errors if isinstance(caught.value, PolicyErrors) else [caught.value]
    assert all(e.span.line >= 2 for e in errors)
    assert caught.value.render() == snapshot


def test_the_formatter_writes_attribute_declarations_back_to_the_same_ast() -> None:
    once = format_policy(LAC)
    assert parse_policy(once) == parse_policy(LAC)
    assert format_policy(once) == once
    assert 'attribute team_fee: money § "Teams of two: 120 CHF"' in once
