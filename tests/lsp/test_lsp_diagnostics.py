"""Diagnostics as an editor receives them: what `racepolicy check` reports, on open and after every change, with fixes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lsp_client import Editor
from lsp_helpers import POLICIES, SEEDS, apply, position_of, text_in
from lsprotocol import types

RACEPOLICY = str(Path(sys.executable).parent / "racepolicy")


def check_json(path: Path) -> list[dict[str, object]]:
    """The errors `racepolicy check --json` reports for a file (the server must report the same)."""
    done = subprocess.run([RACEPOLICY, "check", "--json", str(path)], capture_output=True, text=True,
                          env={**os.environ, "RACEPOLICY_SOURCES": str(SEEDS)}, check=False)
    return json.loads(done.stdout)["errors"] if done.returncode else []


def broken_copy(tmp_path: Path) -> Path:
    """The 2022 policy with a misspelt race in a group and a quote the regulation text does not hold."""
    text = (POLICIES / "utmb-2022.policy").read_text(encoding="utf-8")
    assert "group long = UTMB, CCC, TDS" in text and 'fee 305 EUR § "Fees: UTMB®: 305€"' in text
    text = text.replace("group long = UTMB, CCC, TDS", "group long = UTMBB, CCC, TDS")
    # seed 003:48-50 give "Fees:" and "UTMB®: 305€"; 350€ is in no line of the text
    text = text.replace('fee 305 EUR § "Fees: UTMB®: 305€"', 'fee 305 EUR § "Fees: UTMB®: 350€"')
    path = tmp_path / "utmb-2022.policy"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(p.name for p in POLICIES.glob("*.policy")))
def test_a_bundled_policy_has_no_error_and_the_warnings_check_gives(editor: Editor, name: str) -> None:
    path = POLICIES / name
    found = editor.wait_diagnostics(editor.open(path))
    assert not [d for d in found if d.severity == types.DiagnosticSeverity.Error]
    done = subprocess.run([RACEPOLICY, "check", str(path)], capture_output=True, text=True, check=True)
    warned = [line for line in done.stderr.splitlines() if ": warning[" in line]
    shown = [d for d in found if d.severity == types.DiagnosticSeverity.Warning]
    assert sorted(f"{d.range.start.line + 1}:{d.range.start.character + 1}:{d.code}" for d in shown) == sorted(
        ":".join(w.split(":")[1:3]) + ":" + w.split("[")[1].split("]")[0] for w in warned)


def test_a_broken_copy_gets_every_error_check_reports_located_with_hint_and_link(editor: Editor, tmp_path: Path) -> None:
    path = broken_copy(tmp_path)
    text = path.read_text(encoding="utf-8")
    found = [d for d in editor.wait_diagnostics(editor.open(path)) if d.severity == types.DiagnosticSeverity.Error]
    expected = check_json(path)
    assert {(e["code"], e["line"], e["column"]) for e in expected} == {(d.code, d.range.start.line + 1, d.range.start.character + 1) for d in found}
    assert {d.code for d in found} == {"RP0203", "RP1001"}  # the misspelt race, the quote not in the text
    for diagnostic in found:
        assert diagnostic.source == "racepolicy"
        assert f"racepolicy explain-error {diagnostic.code}" in diagnostic.message
        assert diagnostic.code_description is not None and diagnostic.code_description.href.endswith(f"errors.md#{str(diagnostic.code).lower()}")
        page = Path(diagnostic.code_description.href.removeprefix("file://").split("#")[0])
        assert f"## {diagnostic.code}" in page.read_text(encoding="utf-8")
    race = next(d for d in found if d.code == "RP0203")
    assert text_in(text, race.range) == "UTMBB"
    assert "hint: did you mean 'UTMB'?" in race.message
    quote = next(d for d in found if d.code == "RP1001")
    assert text_in(text, quote.range) == '§ "Fees: UTMB®: 350€"'
    assert "closest in 003_03726955152b33cc.txt" in quote.message


def test_the_did_you_mean_code_action_fixes_the_name(editor: Editor, tmp_path: Path) -> None:
    path = broken_copy(tmp_path)
    uri = editor.open(path)
    text = path.read_text(encoding="utf-8")
    race = next(d for d in editor.wait_diagnostics(uri) if d.code == "RP0203")
    actions = editor.code_actions(uri, [race])
    assert [a.title for a in actions] == ["Change to 'UTMB'"]
    fixed = apply(text, actions[0].edit.changes[uri])
    assert "group long = UTMB, CCC, TDS" in fixed
    editor.change(uri, fixed)
    assert [d.code for d in editor.wait_diagnostics(uri) if d.severity == types.DiagnosticSeverity.Error] == ["RP1001"]
    quote = next(d for d in editor.wait_diagnostics(uri) if d.code == "RP1001")
    assert list(editor.code_actions(uri, [quote])) == []  # no name to suggest: no action


def test_diagnostics_follow_each_incremental_change(editor: Editor, tmp_path: Path) -> None:
    path = tmp_path / "utmb-2022.policy"
    text = (POLICIES / "utmb-2022.policy").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    uri = editor.open(path)
    assert not [d for d in editor.wait_diagnostics(uri) if d.severity == types.DiagnosticSeverity.Error]
    # Type a call to a rule that does not exist, as a keystroke-sized edit in the middle of the file.
    start = position_of(text, "race.fee * 5%")
    end = position_of(text, "race.fee * 5%", shift=len("race.fee"))
    editor.change(uri, "race.fees", types.Range(start=start, end=end))
    errors = [d for d in editor.wait_diagnostics(uri) if d.severity == types.DiagnosticSeverity.Error]
    assert len(errors) == 1 and errors[0].range.start.line == start.line
    editor.change(uri, "race.fee", types.Range(start=start, end=types.Position(line=end.line, character=end.character + 1)))
    assert not [d for d in editor.wait_diagnostics(uri) if d.severity == types.DiagnosticSeverity.Error]


def test_without_its_regulation_text_a_policy_gets_a_note_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "copy.policy"
    path.write_text((POLICIES / "utmb-2022.policy").read_text(encoding="utf-8"), encoding="utf-8")
    editor = Editor({"RACEPOLICY_SOURCES": ""})
    try:
        found = editor.wait_diagnostics(editor.open(path))
    finally:
        editor.close()
    notes = [d for d in found if d.code == "RP1002"]
    assert len(notes) == 1 and notes[0].severity == types.DiagnosticSeverity.Information
    assert "regulation text not found" in notes[0].message
    assert not [d for d in found if d.severity == types.DiagnosticSeverity.Error]


def test_columns_are_counted_in_utf16_units_after_a_character_outside_the_bmp(editor: Editor, tmp_path: Path) -> None:
    # An emoji is one character for the parser and two UTF-16 units for the editor (the LSP default encoding).
    text = 'edition utmb 2022 "t" currency EUR\nrule a = 1 § "x"\nrule b = if "🏃" == "x" then zz else a § "x"\n'
    path = tmp_path / "emoji.policy"
    uri = editor.open(path, text)
    (unknown,) = [d for d in editor.wait_diagnostics(uri) if d.severity == types.DiagnosticSeverity.Error]
    assert text_in(text, unknown.range) == "zz" and unknown.code == "RP0201"
    at = position_of(text, "else a", shift=len("else "))
    found = editor.definition(uri, at.line, at.character)
    assert [text_in(text, d.range) for d in found] == ["a"] and found[0].range.start.line == 1


def test_a_burst_of_changes_ends_with_the_diagnostics_of_the_last(editor: Editor, tmp_path: Path) -> None:
    path = tmp_path / "burst.policy"
    text = (POLICIES / "utmb-2022.policy").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    uri = editor.open(path)
    editor.wait_diagnostics(uri)
    for typed in ("UTMBB", "UTMBBB", "CCCC", "UTMB"):  # typed and retyped without waiting; the last is right again
        editor.change(uri, text.replace("group long = UTMB,", f"group long = {typed},"))
    assert not [d for d in editor.wait_diagnostics(uri) if d.severity == types.DiagnosticSeverity.Error]
    editor.change(uri, text.replace("group long = UTMB,", "group long = UTMBB,"))
    assert [d.code for d in editor.wait_diagnostics(uri) if d.severity == types.DiagnosticSeverity.Error] == ["RP0203"]


WARNED = """edition utmb 2099 "a made-up edition"
words sex: "men", "women"
facts runner:
  birth_year: number,
  sex: sex optional
race A "A race": distance 10km
rule old(runner: record) = runner.birth_year <= 2000
"""


def test_the_warnings_of_check_are_warnings_a_fact_no_rule_reads_and_a_statement_without_citation(editor: Editor, tmp_path: Path) -> None:
    path = tmp_path / "warned.policy"
    path.write_text(WARNED, encoding="utf-8")
    found = editor.wait_diagnostics(editor.open(path))
    assert not [d for d in found if d.severity == types.DiagnosticSeverity.Error]
    done = subprocess.run([RACEPOLICY, "check", str(path)], capture_output=True, text=True, check=True)
    warned = sorted(":".join(w.split(":")[1:3]) + ":" + w.split("[")[1].split("]")[0] for w in done.stderr.splitlines() if ": warning[" in w)
    shown = [d for d in found if d.severity == types.DiagnosticSeverity.Warning]
    assert sorted(f"{d.range.start.line + 1}:{d.range.start.character + 1}:{d.code}" for d in shown) == warned
    assert {d.code for d in shown} == {"RP0207", "RP1005"}
    unread = next(d for d in shown if d.code == "RP0207")
    assert text_in(WARNED, unread.range) == "sex: sex optional" and "no rule reads runner.sex" in unread.message
    assert "hint: read it in a rule or condition (runner.sex)" in unread.message
    assert [d.code for d in shown if d.code == "RP1005"] == ["RP1005", "RP1005"]  # the race attribute and the rule
