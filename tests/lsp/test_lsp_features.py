"""Completion, hover, definition, references, outline and formatting, asked of the server as an editor asks them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lsp_client import Editor
from lsp_helpers import POLICIES, SEEDS, apply, line_of, position_of, text_in
from lsprotocol import types

UTMB_2022 = POLICIES / "utmb-2022.policy"


@pytest.fixture(scope="module")
def opened(editor: Editor) -> tuple[str, str]:
    uri = editor.open(UTMB_2022)
    editor.wait_diagnostics(uri)
    return uri, UTMB_2022.read_text(encoding="utf-8")


def labels(result: types.CompletionList) -> dict[str, types.CompletionItem]:
    return {item.label: item for item in result.items}


def test_completion_offers_keywords_names_in_scope_types_units_and_currencies(editor: Editor, opened: tuple[str, str]) -> None:
    uri, text = opened
    at = position_of(text, "rule bank_charges")
    found = labels(editor.completion(uri, at.line, at.character))
    assert {"rule", "table", "schedule", "penalty", "checklist", "section"} <= set(found)  # keywords
    assert found["UTMB"].kind == types.CompletionItemKind.Class and found["UTMB"].detail == 'race UTMB "Ultra-Trail du Mont-Blanc"'
    assert found["long"].kind == types.CompletionItemKind.Module  # a group
    assert found["cheating"].kind == types.CompletionItemKind.EnumMember  # an infraction
    assert found["born_in_time"].detail == "rule born_in_time(runner: record)"
    assert found["general_awards"].kind == types.CompletionItemKind.Struct  # a table
    assert {"EUR", "CHF", "km", "min"} <= set(found) and found["EUR"].detail == "currency"  # units and currencies
    assert {"money", "duration", "date"} <= set(found)  # types
    assert {"round", "ceil", "years_between"} <= set(found)  # built-in functions


def test_completion_after_a_dot_offers_the_fields_races_declare(editor: Editor, opened: tuple[str, str]) -> None:
    uri, text = opened
    at = position_of(text, "race.fee * 5%", shift=len("race."))
    found = labels(editor.completion(uri, at.line, at.character))
    # seed 003:17 and the fee table: each race has a distance, a cut-off and an entry fee in the policy
    assert {"fee", "distance", "cutoff", "insurance", "assistance"} <= set(found)
    assert "rule" not in found and "UTMB" not in found


def test_hover_on_a_race_shows_its_declaration_and_the_line_of_its_clause_in_the_regulation(editor: Editor, opened: tuple[str, str]) -> None:
    uri, text = opened
    at = position_of(text, "race UTMB", shift=len("race "))
    hover = editor.hover(uri, at.line, at.character)
    assert hover is not None and text_in(text, hover.range) == "UTMB"
    value = hover.contents.value
    assert value.startswith("**race** `UTMB`") and 'section "THE EVENT AND THE RACES"' in value
    # The clause's line, read from the seed itself rather than written down here (seed 003:17).
    seed = (SEEDS / "003_03726955152b33cc.txt").read_text(encoding="utf-8").split("\n")
    line = next(n for n, s in enumerate(seed, 1) if "UTMB®: around 171 km and about 10 000 meters elevation gain" in s)
    clause = ("UTMB®: around 171 km and about 10 000 meters elevation gain, starts from Chamonix, in semi-autonomy. "
              "Cut-off time for finishing is 46 hrs 30 mins. Around 2300 runners.")
    assert f'§ "{clause}" — 003_03726955152b33cc.txt:{line}' in value


def test_hover_on_a_use_of_a_rule_a_builtin_and_a_citation(editor: Editor, opened: tuple[str, str]) -> None:
    uri, text = opened
    at = position_of(text, "eligible when born_in_time(runner)", shift=len("eligible when "))
    value = editor.hover(uri, at.line, at.character).contents.value
    assert value.startswith("**rule** `born_in_time`") and "rule born_in_time(runner: record) = runner.birth_year <= 2002" in value
    at = position_of(text, "ceil(stones")
    assert "**built-in function** `ceil(number) -> number`" in editor.hover(uri, at.line, at.character).contents.value
    at = position_of(text, '§ "Cut-off time for finishing is 44 hrs."', shift=5)
    value = editor.hover(uri, at.line, at.character).contents.value
    # seed 003:19, the TDS line, read from the seed rather than written here
    seed = (SEEDS / "003_03726955152b33cc.txt").read_text(encoding="utf-8").split("\n")
    line = next(n for n, s in enumerate(seed, 1) if "Cut-off time for finishing is 44 hrs." in s)
    assert value.startswith(f'§ "Cut-off time for finishing is 44 hrs." — 003_03726955152b33cc.txt:{line}')
    at = position_of(text, "# Cut-offs are stated twice", shift=3)
    assert editor.hover(uri, at.line, at.character) is None  # a comment: nothing to say


def test_hover_on_a_race_attribute_gives_its_value_for_each_race_with_the_clause(editor: Editor, opened: tuple[str, str]) -> None:
    uri, text = opened
    at = position_of(text, "race.fee * 5%", shift=len("race."))
    value = editor.hover(uri, at.line, at.character).contents.value
    assert value.startswith("**race attribute** `fee`")
    # seed 003:48-50: "Fees:" and then "UTMB®: 305€"; the quote stands at the line of "Fees:", read from the seed, not written here
    seed = (SEEDS / "003_03726955152b33cc.txt").read_text(encoding="utf-8").split("\n")
    fee = next(n for n, s in enumerate(seed, 1) if s.strip() == "UTMB®: 305€")
    line = max(n for n, s in enumerate(seed, 1) if n < fee and s.strip() == "Fees:")
    assert f'- UTMB: `305 EUR` — § "Fees: UTMB®: 305€" — 003_03726955152b33cc.txt:{line}' in value
    assert "- ETC: `40 EUR`" in value


def test_definition_of_a_rule_used_in_a_race_is_its_declaration(editor: Editor, opened: tuple[str, str]) -> None:
    uri, text = opened
    at = position_of(text, "eligible when mcc_reserved(runner)", shift=len("eligible when "))
    found = editor.definition(uri, at.line, at.character)
    assert len(found) == 1 and found[0].uri == uri
    assert text_in(text, found[0].range) == "mcc_reserved" and line_of(text, found[0].range).startswith("rule mcc_reserved(")
    at = position_of(text, "penalty cheating on long", shift=len("penalty "))
    found = editor.definition(uri, at.line, at.character)
    assert [line_of(text, d.range) for d in found] == ['infraction cheating "Cheating (eg.: use of a means of transport, sharing a race-bib, ...)"']


def test_references_of_a_group_are_its_uses_and_never_a_comment_or_a_string(editor: Editor, opened: tuple[str, str]) -> None:
    uri, text = opened
    at = position_of(text, "group long =", shift=len("group "))
    found = editor.references(uri, at.line, at.character)
    assert all(text_in(text, r.range) == "long" for r in found)
    lines = [line_of(text, r.range) for r in found]
    assert "group long = UTMB, CCC, TDS" in lines
    assert "checklist long_hot on long kit hot" in lines
    assert '  long  -> 3 § "as well as the first 3 runners of each category receive a trophy and a prize."' in lines  # seed 003:605
    assert not [line for line in lines if line.lstrip().startswith("#")]  # "(group long)" in a comment is not a use
    # Every use outside comments and strings, counted from the text itself.
    uses = sum(len(re.findall(r"\blong\b", re.sub(r'"[^"\n]*"', "", line.split("#")[0]))) for line in text.split("\n"))
    assert len(found) == uses
    without = editor.references(uri, at.line, at.character, declaration=False)
    assert len(without) == uses - 1 and "group long = UTMB, CCC, TDS" not in [line_of(text, r.range) for r in without]


def test_document_symbols_outline_the_policy_by_section(editor: Editor, opened: tuple[str, str]) -> None:
    uri, text = opened
    found = editor.symbols(uri)
    headings = re.findall(r'^section "([^"]*)"', text, flags=re.MULTILINE)
    # What stands before the first heading (the page title, an `informative` clause) stands at the top; then one entry per heading.
    top = [s for s in found if s.kind != types.SymbolKind.Namespace]
    first = text[: text.index('\nsection "')].count("\n") + 1
    assert top and all(s.range.start.line < first for s in top) and top[0].name == 'informative "2021 Regulations"'
    assert [s.name for s in found[len(top) :]] == headings
    races = next(s for s in found if s.name == "THE EVENT AND THE RACES")
    named = [c for c in races.children if c.kind in (types.SymbolKind.Class, types.SymbolKind.Module)]
    assert [c.name for c in named] == ["UTMB", "CCC", "TDS", "OCC", "MCC", "ETC", "long", "short"]
    assert named[0].kind == types.SymbolKind.Class and text_in(text, named[0].selection_range) == "UTMB"
    penalties = next(s for s in found if s.name == "PENALTIES - DISQUALIFICATION")
    assert "penalty cheating on long" in [c.name for c in penalties.children]
    # The declarations of the merged language are in the outline under their headings: word sets and facts.
    awards = [c for s in found if s.name == "RANKING AND AWARDS" for c in s.children]
    assert ("sex", types.SymbolKind.Enum) in [(c.name, c.kind) for c in awards]
    entry = [c for s in found if s.name == "ENTRY PROCESS" for c in s.children]
    assert ("runner", types.SymbolKind.Struct) in [(c.name, c.kind) for c in entry]


def test_formatting_gives_the_layout_of_fmt_and_then_nothing_to_change(editor: Editor, tmp_path: Path) -> None:
    from racepolicy.tools.formatter import format_policy

    path = tmp_path / "utmb-2022.policy"
    text = UTMB_2022.read_text(encoding="utf-8").replace("group long = UTMB, CCC, TDS", "group   long =   UTMB,CCC,   TDS")
    path.write_text(text, encoding="utf-8")
    uri = editor.open(path)
    formatted = apply(text, editor.formatting(uri))
    assert formatted == format_policy(text, str(path)) and "group long = UTMB, CCC, TDS" in formatted
    editor.change(uri, formatted)
    assert list(editor.formatting(uri)) == []


def test_completion_offers_word_sets_their_words_fact_fields_and_the_new_keywords(editor: Editor, opened: tuple[str, str]) -> None:
    uri, text = opened
    at = position_of(text, "rule bank_charges")
    found = labels(editor.completion(uri, at.line, at.character))
    assert {"words", "facts", "attribute", "where", "informative", "input", "assert", "reading", "optional", "case", "sensitive"} <= set(found)
    # seed 003:604 "a general ranking - men and women": the policy's set sex, and each of its words with its aliases
    assert found["sex"].kind == types.CompletionItemKind.Enum and found["sex"].detail == 'words sex: "men", "women"'
    assert found['"men"'].kind == types.CompletionItemKind.EnumMember and found['"men"'].detail == "word of sex (also 'man', 'male', 'm')"
    assert found['"Aosta Valley"'].detail == "word of local_region"  # seed 003:21
    assert found["runner"].kind == types.CompletionItemKind.Struct and found["runner"].detail.startswith("facts runner: birth_year: number")
    assert found["tds_elite_start"].kind == types.CompletionItemKind.Variable and found["long_hot"].kind == types.CompletionItemKind.Interface
    assert {"time", "datetime", "percent"} <= set(found)  # kinds of the checker, usable as types
    at = position_of(text, "runner.birth_year <= 2002", shift=len("runner."))
    fields = labels(editor.completion(uri, at.line, at.character))
    assert fields["birth_year"].detail == "field of facts runner: number"
    assert fields["profile"].detail == "field of facts runner: profile optional" and "region" in fields
    assert "fee" in fields and "words" not in fields and '"men"' not in fields


def test_hover_and_definition_of_a_word_set_its_words_facts_inputs_and_checklists(editor: Editor, opened: tuple[str, str]) -> None:
    uri, text = opened
    seed = (SEEDS / "003_03726955152b33cc.txt").read_text(encoding="utf-8").split("\n")
    at = position_of(text, "table free_entry_threshold(race, sex: sex)", shift=len("table free_entry_threshold(race, sex: "))
    value = editor.hover(uri, at.line, at.character).contents.value
    line = next(n for n, s in enumerate(seed, 1) if "there is a general ranking - men and women" in s)  # seed 003:604
    assert value.startswith("**words** `sex`") and f'§ "there is a general ranking - men and women" — 003_03726955152b33cc.txt:{line}' in value
    (found,) = editor.definition(uri, at.line, at.character)
    assert line_of(text, found.range) == 'words sex § "there is a general ranking - men and women":'
    # A word of the set, written as a string in a table row: the set that holds it, and where the set declares it.
    at = position_of(text, '  UTMB, "men"          -> 880', shift=len('  UTMB, "m'))
    hover = editor.hover(uri, at.line, at.character)
    assert text_in(text, hover.range) == '"men"' and hover.contents.value.startswith("**word** `\"men\"` (also 'man', 'male', 'm') of **words** `sex`")
    (found,) = editor.definition(uri, at.line, at.character)
    assert text_in(text, found.range) == '"men"' and line_of(text, found.range).startswith('  "men" ("man", "male", "m")')
    # The declared facts: a use of the record goes to its shape.
    at = position_of(text, "runner.birth_year <= 2002", shift=2)
    assert editor.hover(uri, at.line, at.character).contents.value.startswith("**facts** `runner`")
    (found,) = editor.definition(uri, at.line, at.character)
    assert line_of(text, found.range) == "facts runner:"
    # An input used in a schedule row goes to its declaration, and its hover gives the reason the text leaves it open.
    at = position_of(text, "9001..9096    -> tds_elite_start", shift=len("9001..9096    -> "))
    value = editor.hover(uri, at.line, at.character).contents.value
    assert value.startswith("**input** `tds_elite_start`") and "the text gives the TDS elite wave's bibs but no start time" in value
    (found,) = editor.definition(uri, at.line, at.character)
    assert line_of(text, found.range).startswith("input tds_elite_start: time")
    at = position_of(text, "checklist long_hot on long", shift=len("checklist "))
    assert editor.hover(uri, at.line, at.character).contents.value.startswith("**checklist** `long_hot`")
    (found,) = editor.definition(uri, at.line, at.character)
    assert text_in(text, found.range) == "long_hot" and line_of(text, found.range) == "checklist long_hot on long kit hot"


OWN_ATTRIBUTE = """edition utmb 2099 "a made-up edition"
attribute start_time: time
race A "A race": start_time 18:00
race B "B race": start_time 09:30
rule starts_late(race: race) = race.start_time > 12:00
"""


def test_an_attribute_the_policy_declares_is_completed_hovered_with_each_race_value_and_defined(editor: Editor, tmp_path: Path) -> None:
    path = tmp_path / "own.policy"
    path.write_text(OWN_ATTRIBUTE, encoding="utf-8")
    uri = editor.open(path)
    editor.wait_diagnostics(uri)
    at = position_of(OWN_ATTRIBUTE, "race.start_time >", shift=len("race."))
    assert labels(editor.completion(uri, at.line, at.character))["start_time"].detail == "race attribute: time"
    value = editor.hover(uri, at.line, at.character).contents.value
    assert value.startswith("**attribute** `start_time`") and "- A: `18:00`" in value and "- B: `09:30`" in value
    (found,) = editor.definition(uri, at.line, at.character)
    assert line_of(OWN_ATTRIBUTE, found.range) == "attribute start_time: time" and text_in(OWN_ATTRIBUTE, found.range) == "start_time"
