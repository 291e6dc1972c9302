"""`racepolicy describe` and `:describe`: what an edition knows, found without opening a .policy file."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from racepolicy.cli.main import main
from racepolicy.language import ast
from racepolicy.language.errors import QueryError
from racepolicy.query.describe import describe, describe_edition
from racepolicy.query.policyset import PolicySet


def test_describe_alone_lists_every_loaded_edition(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe"]) == 0
    out = capsys.readouterr().out
    for key in ("utmb-2016", "utmb-2022", "world-series-2023", "xterra-2023"):
        assert key in out


def test_an_edition_lists_races_infractions_rules_tables_and_query_forms(bundled, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe", "utmb-2022"]) == 0
    out = capsys.readouterr().out
    edition = bundled.find("utmb-2022")
    # Every race, rule, schedule and table the edition holds is listed: the six races of seed 003:13-21.
    assert "Races (6):" in out and len(edition.races) == 6
    for heading, things in (("Rules", edition.rules), ("Schedules", edition.schedules), ("Tables", edition.tables)):
        assert f"{heading} ({len(things)}):" in out
        assert all(name in out for name in things)
    assert "Query forms (" in out
    # The infraction is listed with the words of its chart row (seed 003:683).
    assert "littering" in out and "Discarding of rubbish" in out
    # The refund schedule is printed whole: "Until the End of April" 60% (seed 003:926-928).
    assert "04-30      60%" in out


def test_a_name_alone_is_shown_whole_with_its_citations_from_the_newest_edition(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe", "littering"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("[utmb 2022]\ninfraction littering")
    assert "1h time penalty" in out and "30min time penalty" in out
    assert "(utmb-2022.policy:" in out  # every penalty line says where it is written
    assert "also in utmb-2016" in out


def test_edition_then_name_as_two_words_or_a_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe", "utmb", "2016", "cancellation_refund"]) == 0
    two_words = capsys.readouterr().out
    assert main(["describe", "utmb-2016", "cancellation_refund"]) == 0
    assert capsys.readouterr().out == two_words
    assert two_words.startswith("[utmb 2016]\nschedule cancellation_refund")


def test_json_is_plain_data_for_tools(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe", "world-series", "finals_race", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "table" and data["edition"] == "world-series 2023"
    # seed 000:23 "UTMB (100M), CCC (100K) and OCC (50K)"
    assert {tuple(r["keys"]): r["value"] for r in data["rows"]}.items() >= {('"50K"',): '"OCC"', ('"100K"',): '"CCC"', ('"100M"',): '"UTMB"'}.items()
    assert all(r["citation"]["file"] == "world-series-2023.policy" for r in data["rows"])


def test_the_data_of_a_whole_edition_is_json_serialisable(bundled: PolicySet) -> None:
    for edition in bundled.editions.values():
        data = describe_edition(edition)
        assert json.loads(json.dumps(data)) == data
        assert [f["name"] for f in data["query_forms"]] == list(edition.query_forms)


def test_an_unknown_name_says_which_editions_were_searched_and_suggests_from_the_clause_words(bundled: PolicySet) -> None:
    with pytest.raises(QueryError) as caught:
        describe(bundled, ["overpants"])
    assert "searched: utmb-2016, utmb-2022, world-series-2023, xterra-2023" in caught.value.message
    assert "missing_overtrousers" in caught.value.hint  # seed 003:139 "Waterproof overpants"


def test_an_unknown_name_is_exit_code_2_with_a_hint(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe", "utmb-2022", "drop_bag_deadline"]) == 2
    err = capsys.readouterr().err
    assert "nothing called 'drop_bag_deadline'" in err and "complaint_deadline" not in err



def test_a_bare_schedule_name_in_a_query_shows_the_schedule(capsys: pytest.CaptureFixture[str]) -> None:
    # Once error RP0302 ("a function of its inputs"); now the schedule, whole, with its citations.
    assert main(["query", "cancellation_refund"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("schedule cancellation_refund(date) -> percent\n")
    assert "04-30      60%" in out  # seed 003:926-928 "Until the End of April" 60%
    # The policy line and the regulation line of each row, with the reading the schedule takes (seed 003:926).
    assert re.search(r'"Until the End of April 60%" \(utmb-2022.policy:\d+, 003_03726955152b33cc.txt:926\) — reading', out)
    assert out.rstrip().endswith("edition: utmb 2022")


def test_a_race_says_which_facts_its_eligibility_reads(capsys: pytest.CaptureFixture[str]) -> None:
    # seed 003:21 MCC "reserved for volunteers, members of the organization, partners and local runners (i.e. people living in Valais, ...)"
    assert main(["describe", "utmb-2022", "MCC"]) == 0
    out = capsys.readouterr().out
    assert "  eligible if mcc_reserved(runner)\n      give runner = {profile: ..., region: ...}" in out
    assert "give runner = {birth_year: ...}" in out  # through born_in_time(runner)


def test_a_rule_lists_the_words_it_compares_with(bundled: PolicySet) -> None:
    # seed 004:119-120 the guarantee covers "an accident, a serious illness or the death of the runner" and relatives' cases
    data = describe(bundled, ["utmb-2016", "guarantee_covers"])
    assert data["words"] == {"reason": ["accident", "serious illness", "death", "relative hospitalised", "relative died"]}
    whole = describe_edition(bundled.editions["utmb-2022"])
    # seed 003:21 "people living in Valais, Aosta Valley, Savoie and Haute-Savoie"
    assert whole["words"]["mcc_reserved: runner.region"] == ["Valais", "Aosta Valley", "Savoie", "Haute-Savoie"]


# ---- what was added to the language since: checklists, words, facts, inputs, readings, assertions (issue #13 item 1)


def test_a_checklist_is_printed_whole_as_a_table(bundled: PolicySet, capsys: pytest.CaptureFixture[str]) -> None:
    edition = bundled.find("utmb-2022")
    assert main(["describe", "utmb-2022", "long_basic"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("[utmb 2022]\nchecklist long_basic on long (races: CCC, TDS, UTMB)")
    assert any(line.split() == ["#", "item", "qty", "description", "specs", "except", "infractions"] for line in out.splitlines())
    # Every item of the checklist has its row: the item, its quantity and the infractions tied to it.
    for item in edition.checklists["long_basic"].decl.items:
        assert re.search(rf"^  \d+ +(recommended: )?{item.name} +{item.count or 1} ", out, re.M), item.name
    # seed 003:119 "2 working torches with spare cells/batteries for each torch": 2, tied to both torch infractions
    assert re.search(r"^  \d+ +torch +2 +working torches .*missing_torch, only_one_torch$", out, re.M)
    assert "003_03726955152b33cc.txt:" in out  # each row cites the line of the text


def test_a_kit_says_it_is_a_kit_and_a_race_it_excepts(bundled: PolicySet) -> None:
    # seed 003:142 "Hot weather kit (may be required by the organization, depending on weather conditions)"
    kit = describe(bundled, ["utmb-2022", "long_hot"])
    assert kit["kind"] == "checklist" and kit["kit"] == "hot"
    assert kit["citation"]["text"]["line"] == 142
    # seed 003:148 "Minimum water supply: 2 liters"
    assert {"item": "water", "count": 1, "specs": ["2 liters"], "infractions": ["missing_water"]}.items() <= next(
        r for r in kit["rows"] if r["item"] == "water").items()
    # seed 003:191 "1 working torch with spare cell/batteries (except MCC)"
    basic = describe(bundled, ["utmb-2022", "occ_mcc_basic"])
    assert next(r for r in basic["rows"] if r["item"] == "torch")["excepted"] == ["MCC"]


def test_word_sets_show_their_values_and_aliases(bundled: PolicySet, capsys: pytest.CaptureFixture[str]) -> None:
    edition = bundled.find("utmb-2022")
    assert main(["describe", "utmb-2022", "sex"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("[utmb 2022]\nwords sex\n")
    for word in edition.words["sex"].decl.words:
        assert re.search(rf"^  \d+  {word.text} +{', '.join(word.aliases)}$", out, re.M)
    assert "003_03726955152b33cc.txt:604" in out  # seed 003:604 "there is a general ranking - men and women"


def test_facts_show_each_field_its_kind_and_whether_it_may_be_left_out(bundled: PolicySet) -> None:
    data = describe(bundled, ["utmb-2022", "runner"])
    decl = bundled.find("utmb-2022").facts["runner"].decl
    assert [(r["field"], r["type"], r["optional"]) for r in data["rows"]] == [(f.name, f.type, f.optional) for f in decl.fields]
    # seed 003:15 "The races are open to any person born in or before 2002"
    assert data["rows"][0]["citation"]["clause"] == "The races are open to any person born in or before 2002"


def test_an_input_says_why_the_text_does_not_give_it(capsys: pytest.CaptureFixture[str], bundled: PolicySet) -> None:
    decl = bundled.find("utmb-2022").inputs["tds_elite_start"]
    assert main(["describe", "tds_elite_start"]) == 0
    out = capsys.readouterr().out
    assert f"not in the text: {decl.reason}" in out and "given tds_elite_start = ..." in out
    assert "003_03726955152b33cc.txt:477" in out  # seed 003:477 "TDS elite : bib 9001 - 9096"


def test_a_whole_edition_lists_every_reading_and_assertion(bundled: PolicySet, capsys: pytest.CaptureFixture[str]) -> None:
    edition = bundled.find("utmb-2022")
    data = describe_edition(edition)
    statements = edition.policy.statements
    chosen = [c.reading for s in statements for c in s.find_all(ast.Citation) if isinstance(c, ast.Citation) and c.reading]
    assert [r["reading"] for r in data["readings"]] == chosen and chosen
    asserted = [s for s in statements if isinstance(s, ast.AssertDecl)]
    assert len(data["assertions"]) == len(asserted) and asserted
    # seed 003:17 "Cut-off time for finishing is 46 hrs 30 mins."
    assert {"condition": "UTMB.cutoff == 46h30"}.items() <= data["assertions"][0].items()
    assert data["assertions"][0]["citation"]["text"]["line"] == 17
    assert [c["name"] for c in data["checklists"]] == list(edition.checklists)
    assert [w["name"] for w in data["word_sets"]] == list(edition.words)
    assert [i["name"] for i in data["inputs"]] == list(edition.inputs)
    assert main(["describe", "utmb-2022"]) == 0
    out = capsys.readouterr().out
    for heading, things in (("Equipment checklists and kits", edition.checklists), ("Word sets (words)", edition.words),
                            ("Declared inputs: figures the text does not give", edition.inputs),
                            ("Readings of ambiguous clauses", chosen), ("Assertions checked at load", asserted)):
        assert f"{heading} ({len(things)}):" in out
    assert f'reading "{chosen[0]}"' in out


def test_declared_attributes_are_described(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    # No bundled policy declares its own attribute: a small one does.
    policy = tmp_path / "mini.policy"
    policy.write_text('edition mini 2030 "Mini"\n  currency EUR\nattribute start_time: duration\nrace A "A": start_time 9h\n', encoding="utf-8")
    assert main(["describe", str(policy), "mini", "start_time", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"kind": "attribute", "name": "start_time", "type": "duration", "citation": None, "edition": "mini 2030"}


DOCS = Path(__file__).resolve().parent.parent / "docs"


def describe_sessions() -> list[tuple[str, str]]:
    """Each `$ racepolicy describe ...` block of docs/cli.md with the output printed under it."""
    return re.findall(r"```\n\$ (racepolicy describe[^\n]*)\n(.*?)```", (DOCS / "cli.md").read_text(encoding="utf-8"), re.S)


def test_the_cli_page_shows_describe_of_a_checklist_a_word_set_and_an_input() -> None:
    commands = [c for c, _ in describe_sessions()]
    assert {"racepolicy describe", "racepolicy describe utmb-2022", "racepolicy describe utmb-2022 long_hot",
            "racepolicy describe sex", "racepolicy describe tds_elite_start"} <= set(commands)


@pytest.mark.parametrize(("command", "output"), describe_sessions(), ids=[c for c, _ in describe_sessions()])
def test_the_describe_examples_print_what_the_docs_show(command: str, output: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(shlex.split(command)[1:]) == 0
    assert capsys.readouterr().out == output
