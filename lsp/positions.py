"""Positions between the two counts: racepolicy's spans (lines and columns from 1, in characters) and LSP's (from 0, in UTF-16 units by default)."""

from __future__ import annotations

from lsprotocol import types
from racepolicy.language.source import NOWHERE, Span


class Lines:
    """A document's lines as the parser counts them (split at "\\n" only), and the client's unit of columns."""

    def __init__(self, text: str, encoding: str = types.PositionEncodingKind.Utf16) -> None:
        self.lines = text.split("\n")
        self.encoding = encoding

    def _units(self, chars: str) -> int:
        if self.encoding == types.PositionEncodingKind.Utf32:
            return len(chars)
        if self.encoding == types.PositionEncodingKind.Utf8:
            return len(chars.encode("utf-8", errors="surrogatepass"))
        return len(chars.encode("utf-16-le", errors="surrogatepass")) // 2

    def line(self, number: int) -> str:
        """Line `number` (from 0), without its "\\r"; empty past the end."""
        return self.lines[number].removesuffix("\r") if 0 <= number < len(self.lines) else ""

    def position(self, line: int, column: int) -> types.Position:
        """A racepolicy line and column (from 1) as an LSP position, clamped to the text."""
        row = min(max(line - 1, 0), len(self.lines) - 1)
        text = self.line(row)
        return types.Position(line=row, character=self._units(text[: max(column - 1, 0)]))

    def range(self, span: Span) -> types.Range:
        """A span as an LSP range; a span with no place (NOWHERE) marks the first character."""
        if span == NOWHERE:
            span = Span(1, 1, 1, 2)
        return types.Range(start=self.position(span.line, span.column), end=self.position(span.end_line, span.end_column))

    def column_of(self, position: types.Position) -> tuple[int, int]:
        """An LSP position as a racepolicy (line, column), both from 1; a position past the end is clamped to it."""
        row = min(max(position.line, 0), len(self.lines) - 1)
        text = self.line(row)
        if position.line >= len(self.lines):
            return row + 1, len(text) + 1
        units = 0
        for index, char in enumerate(text):
            if units >= position.character:
                return row + 1, index + 1
            units += self._units(char)
        return row + 1, len(text) + 1
