"""Diagnostics over stdio after random edits: the server's reused statements give what a check of the same text from scratch gives."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsp_client import Editor
from lsp_helpers import POLICIES, SEEDS
from lsprotocol import types
from lsprotocol.converters import get_converter
from racepolicy.language import citations
from racepolicy.lsp.analysis import analyse
from racepolicy.lsp.diagnostics import diagnostics_of
from racepolicy.lsp.positions import Lines
from racepolicy.pluginapi.manager import make_plugin_manager

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from policy_edits import EDIT, edited

PM = make_plugin_manager()
COPIES = itertools.count()


def position(text: str, index: int) -> types.Position:
    """An index into the text as an LSP position (UTF-16 columns, the default)."""
    line = text.count("\n", 0, index)
    start = text.rfind("\n", 0, index) + 1
    return types.Position(line=line, character=len(text[start:index].encode("utf-16-le")) // 2)


def change_between(old: str, new: str) -> tuple[types.Range, str]:
    """The one range edit an editor sends to turn `old` into `new`: what lies between their common start and end."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    return types.Range(start=position(old, start), end=position(old, len(old) - end)), new[start : len(new) - end]


def expected(text: str, name: str) -> list[Any]:
    """The diagnostics of a whole parse and check of the text, every quote searched again, as JSON."""
    citations._LOOKED_UP.clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RACEPOLICY_SOURCES", str(SEEDS))  # as the server finds the regulation text of a copy
        found = diagnostics_of(analyse(text, name, PM), Lines(text))
    return get_converter().unstructure(found)


@settings(max_examples=5, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(EDIT, st.booleans()), min_size=2, max_size=6))
def test_after_random_edits_the_server_publishes_the_diagnostics_of_a_check_from_scratch(
        editor: Editor, tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[tuple[str, int, int, str], bool]]) -> None:
    text = (POLICIES / "utmb-2022.policy").read_text(encoding="utf-8")
    path = tmp_path_factory.mktemp("edits") / f"utmb-2022-{next(COPIES)}.policy"
    path.write_text(text, encoding="utf-8")
    uri = editor.open(path)
    editor.wait_diagnostics(uri)
    history = [text]
    for index, (edit, wait) in enumerate(edits):
        # A lone "\r" ends a line for LSP positions but not for the parser: the helper above counts "\n" only, so none is typed here.
        new = edited(text, edit, history).replace("\r", "")
        history.append(new)
        range_, inserted = change_between(text, new)
        editor.change(uri, inserted, range_)
        text = new
        # Some changes follow one another without waiting, as fast typing does: only the last needs its diagnostics.
        if wait or index == len(edits) - 1:
            assert get_converter().unstructure(editor.wait_diagnostics(uri)) == expected(text, str(path.resolve()))
    assert editor.alive()


def test_a_new_line_typed_above_moves_every_diagnostic_below_it_one_line_down(editor: Editor, tmp_path: Path) -> None:
    text = (POLICIES / "utmb-2022.policy").read_text(encoding="utf-8")
    broken = text.replace("group long = UTMB, CCC, TDS", "group long = UTMBB, CCC, TDS")
    path = tmp_path / "utmb-2022.policy"
    path.write_text(broken, encoding="utf-8")
    uri = editor.open(path)
    (before,) = [d for d in editor.wait_diagnostics(uri) if d.code == "RP0203"]
    at = position(broken, broken.index("group long"))
    editor.change(uri, "\n", types.Range(start=types.Position(line=at.line, character=0), end=types.Position(line=at.line, character=0)))
    (after,) = [d for d in editor.wait_diagnostics(uri) if d.code == "RP0203"]
    assert (after.range.start.line, after.range.start.character) == (before.range.start.line + 1, before.range.start.character)
