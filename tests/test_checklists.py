"""Equipment checklists, the construct: parse, check, answer under both runners, misuse errors, layout and JSON form."""

from __future__ import annotations

import json

import pytest
from racepolicy.language import ast, ast_codec
from racepolicy.language.errors import (
    ChecklistError,
    DuplicateError,
    PolicyError,
    PolicyErrors,
    QueryError,
    UnexpectedEndError,
    UnknownInfractionError,
    UnknownNameError,
    UnknownRaceError,
    ValidationError,
)
from racepolicy.language.parser import parse_policy
from racepolicy.language.source import Source
from racepolicy.query.policyset import RUNNERS, PolicySet
from racepolicy.tools.formatter import format_policy

HEADER = 'edition utmb 2022 "Checklist demo" currency EUR\n'
# A small chart in the shape of seed 003's: two races, a shared checklist, a cold-weather kit.
RACES = (
    "race OCC: fee 115 EUR\nrace MCC: fee 75 EUR\ngroup short = OCC, MCC\n"
    'infraction missing_torch "no torch"\ninfraction only_one_torch "only one torch"\ninfraction missing_gloves "no gloves"\n'
    "penalty missing_torch on short = disqualify\npenalty only_one_torch, missing_gloves on short = 30min\n"
)
CHECKLISTS = (
    'checklist basic on short § "OCC MCC mandatory equipment checklist":\n'
    '  require 2 torch "working torches" spec "200 lumens" except MCC absent missing_torch fewer only_one_torch § "2 working torches"\n'
    '  recommend poles "Poles in case of rain or snow"\n'
    'checklist cold on short kit cold § "Cold weather kit":\n'
    '  require gloves "Warm and water-proof gloves" absent missing_gloves § "Warm and water-proof gloves"\n'
)
DEMO = HEADER + RACES + CHECKLISTS


@pytest.fixture(scope="module")
def demo() -> PolicySet:
    policies = PolicySet()
    policies.add(Source("demo.policy", DEMO))
    return policies


@pytest.fixture(params=RUNNERS)
def ask(request: pytest.FixtureRequest, demo: PolicySet):
    return lambda query: demo.ask(query, runner=request.param)


# ---- parse ---------------------------------------------------------------------------


def test_a_checklist_parses_into_items_with_quantity_specs_exceptions_and_ties() -> None:
    policy = parse_policy(DEMO, "demo.policy")
    basic, cold = [s for s in policy.statements if isinstance(s, ast.ChecklistDecl)]
    torch, poles = basic.items
    assert (basic.name, basic.targets, basic.kit, basic.citation.text) == ("basic", ("short",), "", "OCC MCC mandatory equipment checklist")
    assert (torch.mode, torch.count, torch.name, torch.description) == ("require", 2, "torch", "working torches")
    assert ([q.text for q in torch.specs], torch.excepted, torch.absent, torch.fewer) == (["200 lumens"], ("MCC",), ("missing_torch",), ("only_one_torch",))
    assert (poles.mode, poles.count, poles.citation) == ("recommend", None, None)
    assert cold.kit == "cold" and cold.items[0].name == "gloves"


def test_the_ast_of_a_checklist_round_trips_through_its_json_form() -> None:
    policy = parse_policy(DEMO, "demo.policy")
    assert ast_codec.loads(ast_codec.dumps(policy)) == policy


def test_formatting_a_checklist_keeps_its_meaning_and_is_idempotent() -> None:
    messy = DEMO.replace("\n  require 2 torch", "\n        require   2 torch").replace(" absent missing_torch", "\n absent missing_torch")
    once = format_policy(messy, "demo.policy")
    assert parse_policy(once) == parse_policy(messy)
    assert format_policy(once) == once
    assert '  require 2 torch "working torches" spec "200 lumens" except MCC absent missing_torch fewer only_one_torch § "2 working torches"' in once


def test_a_long_item_wraps_one_spec_a_line() -> None:
    spec = "x" * 150
    text = HEADER + RACES + f'checklist basic on short:\n  require torch "torch" spec "{spec}" spec "second" absent missing_torch § "quote"\n'
    out = format_policy(text)
    assert f'  require torch "torch"\n    spec "{spec}"\n    spec "second"\n    absent missing_torch § "quote"\n' in out
    assert parse_policy(out) == parse_policy(text)


# ---- evaluate, under both runners -------------------------------------------------------


def test_carry_lists_mandatory_items_then_recommended_ones(ask) -> None:
    answer = ask("carry OCC")
    assert answer.text.splitlines() == [
        "OCC runners must carry (1 items):", "  - 2 × torch: working torches (200 lumens)",
        "recommended:", "  - poles: Poles in case of rain or snow",
    ]
    assert '"2 working torches"' in " ".join(answer.citations())


def test_carry_with_a_kit_adds_the_kit_items(ask) -> None:
    answer = ask("carry MCC with cold")
    assert "  - gloves: Warm and water-proof gloves  [cold kit]" in answer.text
    assert "torch" not in answer.text.split("recommended:")[0]  # "except MCC"
    items = answer.as_json()["value"]["items"]
    assert [(i["name"], i["count"], i["required"], i["kit"]) for i in items] == [("gloves", 1, True, "cold"), ("poles", 1, False, "")]


def test_required_and_how_many(ask) -> None:
    assert ask("required torch on OCC").value is True
    assert ask("how many torch on OCC").text.startswith("2 (2 × torch")
    assert ask("quantity torch on MCC").value == 0
    no = ask("required torch on MCC")
    assert no.value is False and no.text == "no (not required on MCC)"
    assert '"2 working torches"' in " ".join(no.citations())  # the clause that names the exception
    assert ask("required gloves on OCC").text == "no (not required on OCC unless the cold kit is announced)"
    assert ask("required gloves on OCC with cold").value is True
    assert ask("required poles on OCC").text == "no (recommended, not required)"


def test_a_gear_penalty_applies_only_where_the_item_is_required(ask) -> None:
    assert ask("penalty missing_torch on OCC").text == "disqualification"
    waived = ask("penalty missing_torch on MCC")
    assert waived.text == "no penalty (missing_torch: torch not required on MCC — no penalty)"
    assert [e.kind for e in waived.trace] == ["checklist"] and waived.trace[0].citation.clause == "2 working torches"
    assert ask("penalty missing_gloves on OCC").text == "no penalty (missing_gloves: gloves not required on OCC unless the cold kit is announced — no penalty)"
    assert ask("penalty missing_gloves on OCC with cold").text == "30min time penalty"


def test_a_shortfall_needs_a_quantity_above_one_and_only_the_waived_infraction_drops_out(ask) -> None:
    assert ask("penalty only_one_torch on OCC").text == "30min time penalty"
    both = ask("penalty only_one_torch, missing_gloves on MCC")
    assert both.value.minutes == 0 and "only_one_torch: torch not required on MCC" in both.note
    mixed = ask("penalty missing_torch, missing_gloves on OCC with cold")
    assert mixed.text == "disqualification"


def test_an_unknown_kit_or_item_is_a_located_query_error_with_a_suggestion(demo: PolicySet) -> None:
    with pytest.raises(UnknownNameError) as kit:
        demo.ask("penalty missing_gloves on OCC with colt")
    assert kit.value.hint == "did you mean 'cold'?" and kit.value.span.column == 36
    with pytest.raises(UnknownNameError) as item:
        demo.ask("required torc on OCC")
    assert item.value.hint == "did you mean 'torch'?"
    with pytest.raises(UnknownRaceError):
        demo.ask("carry OCCC")
    with pytest.raises(QueryError):
        demo.ask("required torch OCC")


# ---- misuse: located load errors --------------------------------------------------------

MISUSE = [
    ("unknown-race", "checklist basic on OCCC:\n  require whistle\n", UnknownRaceError),
    ("unknown-excepted-race", "checklist basic on OCC:\n  require torch except MCCC absent missing_torch\n", UnknownRaceError),
    ("unknown-infraction", "checklist basic on short:\n  require torch absent missing_torh\n", UnknownInfractionError),
    ("duplicate-item", "checklist basic on short:\n  require torch absent missing_torch\n  require torch absent missing_torch\n", DuplicateError),
    ("item-on-two-lists", "checklist a on OCC:\n  require torch absent missing_torch\nchecklist b on short:\n  require torch absent missing_torch\n",
     ChecklistError),
    ("zero-quantity", "checklist basic on short:\n  require 0 torch absent missing_torch\n", ChecklistError),
    ("fractional-quantity", "checklist basic on short:\n  require 1.5 torch absent missing_torch\n", ChecklistError),
    ("shortfall-of-one", "checklist basic on short:\n  require torch absent missing_torch fewer only_one_torch\n", ChecklistError),
    ("penalty-on-recommended", "checklist basic on short:\n  recommend torch absent missing_torch\n", ChecklistError),
    ("no-item", "checklist basic on short:\n", UnexpectedEndError),
    ("unsanctioned-item", "checklist basic on short:\n  require whistle\n", ValidationError),
]


def load_errors(body: str) -> list[PolicyError]:
    try:
        PolicySet().add(Source("demo.policy", HEADER + RACES + body))
    except PolicyErrors as exc:
        return list(exc.errors)
    except PolicyError as exc:
        return [exc]
    raise AssertionError("the policy loaded without errors")


@pytest.mark.parametrize(("body", "kind"), [pytest.param(b, k, id=i) for i, b, k in MISUSE])
def test_misuse_is_a_located_error(body: str, kind: type[PolicyError], snapshot) -> None:
    errors = load_errors(body)
    assert {type(e) for e in errors} == {kind}
    assert all(e.span.line > RACES.count("\n") and e.hint for e in errors)
    assert "\n".join(e.render() for e in errors) + "\n" == snapshot


def test_the_gear_forms_need_checklists_and_checklists_need_nothing_else() -> None:
    # A policy without checklists has no gear query; with one, penalties of untied infractions are untouched.
    plain = PolicySet()
    plain.add(Source("plain.policy", HEADER + RACES))
    with pytest.raises(QueryError):
        plain.ask("carry OCC")
    assert plain.ask("penalty missing_torch on MCC").text == "disqualification"
    assert json.loads(plain.ask("penalty missing_torch on MCC").to_json_text())["value"]["kind"] == "disqualify"


def test_a_race_no_checklist_covers_keeps_the_chart_as_written() -> None:
    # The policy says nothing of what an ETC runner carries: it cannot say the torch is not required there.
    policies = PolicySet()
    policies.add(Source("demo.policy", DEMO.replace("group short = OCC, MCC", "race ETC: fee 40 EUR\ngroup short = OCC, MCC")
                        .replace("on short = disqualify", "on short, ETC = disqualify").replace("on short = 30min", "on short, ETC = 30min")))
    for runner in RUNNERS:
        assert policies.ask("penalty missing_torch on ETC", runner=runner).text == "disqualification"
        assert policies.ask("penalty missing_torch on MCC", runner=runner).text.startswith("no penalty")


def test_a_condition_on_the_whole_list_parses_formats_and_shows_under_the_items() -> None:
    text = DEMO.replace('checklist basic on short §', 'checklist basic on short spec "All clothing items must fit the runner" §')
    policy = parse_policy(text)
    basic = next(s for s in policy.statements if isinstance(s, ast.ChecklistDecl))
    assert [q.text for q in basic.specs] == ["All clothing items must fit the runner"]
    assert format_policy(text) == format_policy(format_policy(text))
    assert 'checklist basic on short spec "All clothing items must fit the runner" § "OCC MCC mandatory equipment checklist":' in format_policy(text)
    policies = PolicySet()
    policies.add(Source("demo.policy", text))
    for runner in RUNNERS:
        answer = policies.ask("carry OCC", runner=runner)
        assert answer.text.endswith("for the whole list:\n  - All clothing items must fit the runner")
        assert answer.as_json()["value"]["conditions"] == ["All clothing items must fit the runner"]
