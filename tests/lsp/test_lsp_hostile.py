"""Bad input never stops the server: a half-typed file, a binary file, a 10 MB file, a position past the end all get an answer."""

from __future__ import annotations

from pathlib import Path

from lsp_client import Editor
from lsp_helpers import POLICIES, position_of
from lsprotocol import types

UTMB_2022 = POLICIES / "utmb-2022.policy"


def still_serving(editor: Editor) -> None:
    """A good document still gets its diagnostics and a hover: the server survived what came before."""
    uri = editor.open(UTMB_2022)
    assert not [d for d in editor.wait_diagnostics(uri) if d.severity == types.DiagnosticSeverity.Error]
    text = UTMB_2022.read_text(encoding="utf-8")
    at = position_of(text, "race UTMB", shift=len("race "))
    assert editor.hover(uri, at.line, at.character) is not None
    assert editor.alive()


def every_request(editor: Editor, uri: str, line: int, character: int) -> None:
    """Each feature answers (an empty answer is an answer) at this position."""
    editor.completion(uri, line, character)
    editor.hover(uri, line, character)
    assert isinstance(editor.definition(uri, line, character), list | tuple)
    assert isinstance(editor.references(uri, line, character), list | tuple)
    assert isinstance(editor.symbols(uri), list | tuple)
    assert isinstance(editor.formatting(uri), list | tuple)


def test_a_half_typed_file_gets_a_syntax_error_and_keeps_its_names(editor: Editor, tmp_path: Path) -> None:
    text = UTMB_2022.read_text(encoding="utf-8")
    path = tmp_path / "half.policy"
    path.write_text(text, encoding="utf-8")
    uri = editor.open(path)
    editor.wait_diagnostics(uri)
    # The author starts a new rule at the end and stops mid-expression.
    typed = text + "\nrule late = UTMB.fee +"
    editor.change(uri, typed)
    errors = [d for d in editor.wait_diagnostics(uri) if d.severity == types.DiagnosticSeverity.Error]
    assert [d.code for d in errors] == ["RP0103"]  # the text stops in the middle of a statement
    end = typed.split("\n")
    found = {item.label for item in editor.completion(uri, len(end) - 1, len(end[-1])).items}
    assert {"UTMB", "born_in_time", "cheating"} <= found  # names of the last version that parsed
    # Definition and hover of a name on the half-typed line still work.
    column = len("rule late = ") + 1
    found = editor.definition(uri, len(end) - 1, column)
    assert [typed.split("\n")[d.range.start.line][: len("race UTMB")] for d in found] == ["race UTMB"]
    assert editor.hover(uri, len(end) - 1, column).contents.value.startswith("**race** `UTMB`")
    every_request(editor, uri, len(end) - 1, len(end[-1]))
    still_serving(editor)


def test_a_binary_file_gets_located_errors(editor: Editor, tmp_path: Path) -> None:
    path = tmp_path / "binary.policy"
    text = bytes(range(256)).decode("latin-1") * 4
    path.write_text("x", encoding="utf-8")
    uri = editor.open(path, text)
    errors = editor.wait_diagnostics(uri)
    assert errors and all(d.severity == types.DiagnosticSeverity.Error and str(d.code).startswith("RP01") for d in errors)
    every_request(editor, uri, 0, 10)
    still_serving(editor)


def test_a_10_mb_file_gets_the_size_error(editor: Editor, tmp_path: Path) -> None:
    path = tmp_path / "huge.policy"
    path.write_text("x", encoding="utf-8")
    line = 'rule r = 1 § "a clause"\n'
    uri = editor.open(path, line * (10_000_000 // len(line)))
    errors = editor.wait_diagnostics(uri)
    assert [d.code for d in errors] == ["RP0802"] and "over the limit" in errors[0].message
    every_request(editor, uri, 5, 3)
    assert list(editor.symbols(uri)) == []
    still_serving(editor)


def test_a_position_past_the_end_and_an_unknown_document_get_empty_answers(editor: Editor) -> None:
    uri = editor.open(UTMB_2022)
    editor.wait_diagnostics(uri)
    assert editor.hover(uri, 100_000, 100_000) is None
    assert list(editor.definition(uri, 100_000, 100_000)) == []
    assert list(editor.references(uri, 100_000, 5)) == []
    assert editor.hover(uri, 12, 100_000) is None  # past the end of a line
    every_request(editor, uri, 100_000, 100_000)
    never = (UTMB_2022.parent / "never-opened.policy").resolve().as_uri()
    assert editor.hover(never, 0, 0) is None
    assert list(editor.symbols(never)) == []
    still_serving(editor)
