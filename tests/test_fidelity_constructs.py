"""Readings, declared inputs, `n/a` cells, load-time assertions and uncited statements: parse, check, evaluate, format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from racepolicy.cli.main import main
from racepolicy.language import ast
from racepolicy.language.citations import uncited
from racepolicy.language.errors import (
    AssertionFailedError,
    EvaluationError,
    MissingCitationError,
    MissingInputError,
    PolicyError,
    PolicyErrors,
    PolicyTypeError,
)
from racepolicy.language.parser import parse_policy
from racepolicy.language.source import Source
from racepolicy.query.policyset import RUNNERS, PolicySet
from racepolicy.tools.formatter import format_policy

POLICY = '''edition demo 2024 "Demo" currency EUR

section "Points"
input last_place: number "the text does not say where the points range ends" § "points by finishing position"
table top_points(distance) § "25 to 125 points in a Half"
    reading "the range is per division" over "the range is overall":
  "Half"     -> 125 § "125 points in a Half"
  "Marathon" -> n/a § "Marathon: not applicable"
rule step = (top_points("Half") - 25) / (last_place - 1) § "points by finishing position"
rule transfer(km: length) = km > 500 km § "if no Marathon is within 500 km" reading "within includes 500 km" over "within excludes 500 km"
race Half: capacity 700 § "700 runners"
race Full: capacity 500 § "500 runners"
assert Half.capacity + Full.capacity == 1200 § "1,200 places in all"
'''


@pytest.fixture(scope="module")
def demo() -> PolicySet:
    policies = PolicySet()
    policies.add(Source("demo.policy", POLICY))
    return policies


# ---- parse and format


def test_every_construct_parses_into_its_node() -> None:
    policy = parse_policy(POLICY)
    table = next(s for s in policy.statements if isinstance(s, ast.TableDecl))
    assert table.citation is not None and (table.citation.reading, table.citation.alternatives) == ("the range is per division", ("the range is overall",))
    assert isinstance(table.rows[1].value, ast.NotApplicable)
    declared = next(s for s in policy.statements if isinstance(s, ast.InputDecl))
    assert (declared.name, declared.type, declared.reason) == ("last_place", "number", "the text does not say where the points range ends")
    assertion = next(s for s in policy.statements if isinstance(s, ast.AssertDecl))
    assert assertion.citation is not None and assertion.citation.text == "1,200 places in all"


def test_the_formatter_round_trips_every_construct() -> None:
    formatted = format_policy(POLICY)
    assert parse_policy(formatted) == parse_policy(POLICY)
    assert format_policy(formatted) == formatted
    assert '"Marathon" -> n/a § "Marathon: not applicable"' in formatted
    assert '§ "if no Marathon is within 500 km" reading "within includes 500 km" over "within excludes 500 km"' in formatted
    assert 'input last_place: number "the text does not say where the points range ends" § "points by finishing position"' in formatted
    assert 'assert Half.capacity + Full.capacity == 1200 § "1,200 places in all"' in formatted


def test_reading_and_over_stay_usable_as_names() -> None:
    policy = parse_policy('edition demo 2024 "Demo"\nrule over = 1 § "a"\nrule reading = over + 1 § "b"\n')
    assert [s.name for s in policy.statements if isinstance(s, ast.RuleDecl)] == ["over", "reading"]


# ---- evaluate, under both runners


@pytest.mark.parametrize("runner", RUNNERS)
def test_an_answer_shows_the_reading_it_depends_on(demo: PolicySet, runner: str) -> None:
    answer = demo.ask("transfer(500 km)", runner=runner)
    assert answer.text == "no"
    assert 'reading "within includes 500 km" (the text also allows "within excludes 500 km")' in answer.render()
    assert 'reading "within includes 500 km"' in answer.render(explain=True)
    assert json.loads(answer.to_json_text())["readings"] == [{
        "reading": "within includes 500 km", "alternatives": ["within excludes 500 km"], "clause": "if no Marathon is within 500 km",
        "file": "demo.policy", "line": 10,
    }]


@pytest.mark.parametrize("runner", RUNNERS)
def test_a_reading_on_a_table_holds_for_the_row_the_answer_used(demo: PolicySet, runner: str) -> None:
    answer = demo.ask('top_points("Half")', runner=runner)
    assert answer.text == "125"
    assert [r["reading"] for r in answer.readings()] == ["the range is per division"]


@pytest.mark.parametrize("runner", RUNNERS)
def test_an_na_cell_answers_not_applicable_and_cites_its_row(demo: PolicySet, runner: str) -> None:
    answer = demo.ask('top_points("Marathon")', runner=runner)
    assert answer.text == "not applicable"
    assert any('"Marathon: not applicable" (demo.policy:8)' in c for c in answer.citations())


@pytest.mark.parametrize("runner", RUNNERS)
def test_a_declared_input_comes_from_the_query_and_the_answer_says_so(demo: PolicySet, runner: str) -> None:
    answer = demo.ask("step given last_place = 21", runner=runner)
    assert answer.text == "5"
    assert answer.inputs() == [{"name": "last_place", "value": "21", "reason": "the text does not say where the points range ends"}]
    assert "input last_place = 21: supplied with the query, not in the regulation" in answer.render()
    assert json.loads(answer.to_json_text())["inputs"][0]["name"] == "last_place"


@pytest.mark.parametrize("runner", RUNNERS)
def test_a_missing_input_is_a_located_error_that_says_how_to_give_it(demo: PolicySet, runner: str) -> None:
    with pytest.raises(MissingInputError) as caught:
        demo.ask("step", runner=runner)
    error = caught.value
    assert error.hint == "give it with the query: given last_place = ... (number)"
    assert error.source is not None and error.source.name == "demo.policy" and error.span.line == 9


def test_an_input_of_the_wrong_kind_is_refused(demo: PolicySet) -> None:
    with pytest.raises(EvaluationError, match="input 'last_place' must be number, not text"):
        demo.ask('step given last_place = "twenty"')


# ---- load-time assertions


def _errors(text: str) -> list[PolicyError]:
    try:
        PolicySet().add(Source("demo.policy", text))
    except PolicyErrors as exc:
        return list(exc.errors)
    return []


def test_an_assertion_that_holds_lets_the_policy_load(demo: PolicySet) -> None:
    assert "demo-2024" in demo.editions


def test_a_false_assertion_is_a_load_error_quoting_the_clause() -> None:
    errors = _errors(POLICY.replace("race Full: capacity 500", "race Full: capacity 600"))
    assert len(errors) == 1 and isinstance(errors[0], AssertionFailedError)
    assert errors[0].message == "assertion does not hold: Half.capacity + Full.capacity == 1200"
    assert errors[0].hint == 'the regulation says: "1,200 places in all"'
    assert errors[0].span.line == 13


def test_an_assertion_must_be_a_condition() -> None:
    errors = _errors('edition demo 2024 "Demo"\nassert 1 + 1 § "two"\n')
    assert [type(e) for e in errors] == [PolicyTypeError]


def test_an_assertion_needs_a_citation() -> None:
    with pytest.raises(PolicyError):
        parse_policy('edition demo 2024 "Demo"\nassert 1 == 1\n')


# ---- citations on everything


def test_statements_without_a_citation_are_found() -> None:
    text = '''edition demo 2024 "Demo"
race A: capacity 700, fee 10 EUR § "10 EUR"
race B § "B: 500 runners": capacity 500
rule r = 1
table t(x) § "t": 1 -> 2
table u(x): 1 -> 2 § "u row"
table v(x): 1 -> 2 § "v row" 2 -> 3
'''
    source = Source("demo.policy", text)
    found = uncited(parse_policy(text), source)
    assert [(e.span.line, e.message) for e in found] == [
        (2, "attribute 'capacity' of race A has no § citation of its own"),
        (4, "rule 'r' has no § citation of its own"),
        (7, "table 'v' has no § citation of its own"),
    ]
    assert all(isinstance(e, MissingCitationError) for e in found)


def test_check_warns_and_strict_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "demo.policy"
    path.write_text('edition demo 2024 "Demo"\nrule r = 1\n', encoding="utf-8")
    assert main(["check", str(path)]) == 0
    assert "warning[RP1005]: rule 'r' has no § citation of its own" in capsys.readouterr().err
    assert main(["check", "--strict", str(path)]) == 2
    assert "error[RP1005]" in capsys.readouterr().err


def test_check_readings_lists_every_reading_with_its_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "demo.policy"
    path.write_text(POLICY, encoding="utf-8")
    assert main(["check", "--readings", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1:] == [
        f'{path}:5:28: reading "the range is per division" (the text also allows "the range is overall") of § "25 to 125 points in a Half"',
        f'{path}:10:41: reading "within includes 500 km" (the text also allows "within excludes 500 km") of § "if no Marathon is within 500 km"',
    ]


@pytest.mark.parametrize("body", [
    'rule r = 1 § "a" reading "b"\n',  # a reading without an alternative
    'input x: "no type"\n',
    "table t(x): 1 -> n/a + 1\n",
], ids=["reading-without-alternative", "input-without-type", "na-in-an-expression"])
def test_misused_constructs_are_located_syntax_errors(body: str, snapshot) -> None:
    with pytest.raises(PolicyError) as caught:
        PolicySet().add(Source("demo.policy", 'edition demo 2024 "Demo"\n' + body))
    assert caught.value.render() == snapshot


def test_the_bundled_world_series_and_xterra_policies_are_clean_under_strict(capsys: pytest.CaptureFixture[str]) -> None:
    policies = Path(__file__).resolve().parent.parent / "policies"
    assert main(["check", "--strict", str(policies / "world-series-2023.policy"), str(policies / "xterra-2023.policy")]) == 0


def test_the_diff_shows_readings_that_changed() -> None:
    from racepolicy.diff.compare import diff_editions

    old = PolicySet().add(Source("old.policy", POLICY))
    new_text = POLICY.replace('edition demo 2024', 'edition demo 2025').replace(
        'reading "within includes 500 km" over "within excludes 500 km"', 'reading "within excludes 500 km" over "within includes 500 km"')
    new = PolicySet().add(Source("new.policy", new_text))
    changes = diff_editions(old, new).changes("readings")
    assert [(c.kind, c.subject, c.old, c.new) for c in changes] == [(
        "changed", "reading of rule transfer",
        '"within includes 500 km" over "within excludes 500 km"', '"within excludes 500 km" over "within includes 500 km"',
    )]


@pytest.mark.parametrize(("reading", "message"), [
    ('reading "a" over "a"', "the reading taken is also listed as an alternative"),
    ('reading "a" over "b" over "b"', "an alternative reading is listed twice"),
])
def test_a_reading_must_choose_between_distinct_readings(reading: str, message: str) -> None:
    errors = _errors(f'edition demo 2024 "Demo"\nrule r = 1 § "x" {reading}\n')
    assert [(e.message, e.span.line) for e in errors] == [(message, 2)]
