"""What the LSP tests share: the text under a range, and applying an editor's edits."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

POLICIES = Path(__file__).resolve().parents[2] / "policies"
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"  # the texts the bundled policies quote (../shared/seeds/INDEX.md)


def offset(text: str, position: types.Position) -> int:
    """A position (UTF-16 columns, the LSP default) as an index into the text."""
    lines = text.split("\n")
    before = sum(len(line) + 1 for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    units = 0
    for index, char in enumerate(line):
        if units >= position.character:
            return before + index
        units += 2 if ord(char) > 0xFFFF else 1
    return before + len(line)


def text_in(text: str, range_: types.Range) -> str:
    return text[offset(text, range_.start) : offset(text, range_.end)]


def line_of(text: str, range_: types.Range) -> str:
    return text.split("\n")[range_.start.line]


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """The text once the edits are made, last first so earlier offsets hold."""
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(text, edit.range.start)] + edit.new_text + text[offset(text, edit.range.end) :]
    return text


def position_of(text: str, needle: str, occurrence: int = 0, shift: int = 0) -> types.Position:
    """Where the occurrence-th `needle` starts (plus `shift` characters), as an LSP position."""
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(needle, index + 1)
    index += shift
    line = text.count("\n", 0, index)
    column = index - (text.rfind("\n", 0, index) + 1)
    return types.Position(line=line, character=len(text[index - column : index].encode("utf-16-le")) // 2)
