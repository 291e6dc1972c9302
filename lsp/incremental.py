"""Parsing for an editor: a policy cut at its top-level statements, each piece parsed once and reused while its text stays the same."""

from __future__ import annotations

import itertools
import re
from typing import Any

import attrs
from racepolicy.language import ast
from racepolicy.language.errors import PolicyError
from racepolicy.language.parser import MAX_SOURCE_CHARS, STATEMENT_KEYWORDS, parse_policy, section_positions
from racepolicy.language.source import NOWHERE, Source, Span

# A piece starts on a line whose first word is a statement keyword followed by a blank or the line's end. `edition` and
# its `source` lines stay in the first piece: the header is one item of the grammar.
_OPENERS = "|".join(k for k in STATEMENT_KEYWORDS if k not in ("edition", "source"))
_START = re.compile(rf"^[ \t]*(?:{_OPENERS})(?=[ \t\r]|$)", re.MULTILINE)
# Pieces remembered beyond those of the current text: an undo finds the piece it had.
SPARE_PIECES = 512

Heading = tuple[int, int, str]  # a `section` heading: line, column, title


@attrs.frozen
class _Piece:
    """One piece of text parsed on its own, as if it stood on line 1."""

    header: ast.Header | None
    statements: tuple[ast.Statement, ...]
    own_section: tuple[bool, ...]  # whether a heading inside the piece stands before the statement
    headings: tuple[Heading, ...]
    span: Span  # the piece's tokens from first to last; NOWHERE when it holds none (blank lines and comments)
    lines: int  # the line breaks it holds


@attrs.frozen
class _Placed:
    """A piece moved to its line, its statements under the heading in force there."""

    header: ast.Header | None
    statements: tuple[ast.Statement, ...]
    headings: tuple[Heading, ...]
    span: Span
    section: str  # the heading in force after the piece


@attrs.frozen
class Parsed:
    """A parsed policy with its section headings (the AST folds them into statements; the outline wants them)."""

    policy: ast.Policy
    headings: tuple[Heading, ...]
    pieces: int  # how many pieces the text was cut into; 0 when it was parsed whole
    reparsed: int  # how many of them were parsed afresh


_FIELDS: dict[type, tuple[str, ...]] = {}


def _moved(value: Any, lines: int) -> Any:
    """A node with every span `lines` further down; what holds no node is shared."""
    if lines == 0:
        return value
    if isinstance(value, ast.Node):
        names = _FIELDS.get(type(value))
        if names is None:
            names = _FIELDS[type(value)] = tuple(f.name for f in attrs.fields(type(value)) if f.name != "span")
        changes = {name: _moved(getattr(value, name), lines) for name in names}
        return attrs.evolve(value, span=_moved_span(value.span, lines), **changes)
    if isinstance(value, tuple):
        return tuple(_moved(item, lines) for item in value)
    return value


def _moved_span(span: Span, lines: int) -> Span:
    # A node that holds no token has no place (NOWHERE), wherever its statement stands.
    return span if span == NOWHERE else Span(span.line + lines, span.column, span.end_line + lines, span.end_column)


def _piece(text: str, name: str) -> _Piece:
    """Parse one piece; a PolicyError when it does not parse on its own."""
    policy = parse_policy(text, name)
    headings = tuple(section_positions(text, name)) if "section" in text else ()
    own = tuple(any((h[0], h[1]) < (s.span.line, s.span.column) for h in headings) for s in policy.statements)
    return _Piece(policy.header, policy.statements, own, headings, policy.span, text.count("\n"))


def _place(piece: _Piece, line: int, section: str) -> _Placed:
    lines = line - 1
    moved = (_moved(st, lines) for st in piece.statements)
    statements = tuple(st if own or st.section == section else attrs.evolve(st, section=section) for st, own in zip(moved, piece.own_section, strict=True))
    headings = tuple((h[0] + lines, h[1], h[2]) for h in piece.headings)
    header = _moved(piece.header, lines)
    return _Placed(header, statements, headings, _moved_span(piece.span, lines), headings[-1][2] if headings else section)


class StatementCache:
    """The pieces of the last texts of one document, parsed: a change re-parses only the statements whose text it touched.

    The result is the AST `parse_policy` gives, spans included. When a piece does not parse on its own (a half-typed
    statement, an edit that joins two), the whole text is parsed as `parse_policy` does, with the same errors."""

    def __init__(self) -> None:
        self._pieces: dict[str, _Piece] = {}
        self._placed: dict[tuple[str, int, str], _Placed] = {}

    def parse(self, text: str, name: str = "<policy>") -> Parsed:
        if len(text) > MAX_SOURCE_CHARS:
            return self._whole(text, name)
        cuts = [0, *(m.start() for m in _START.finditer(text) if m.start() > 0), len(text)]
        header: ast.Header | None = None
        statements: list[ast.Statement] = []
        headings: list[Heading] = []
        spans: list[Span] = []
        pieces: dict[str, _Piece] = {}
        placed: dict[tuple[str, int, str], _Placed] = {}
        line, section, reparsed = 1, "", 0
        for index, (start, end) in enumerate(itertools.pairwise(cuts)):
            chunk = text[start:end]
            piece = pieces.get(chunk) or self._pieces.get(chunk)
            if piece is None:
                try:
                    piece = _piece(chunk, name)
                except PolicyError:
                    # Every piece before this one parsed: the header and the piece just before it are all the whole
                    # parse needs to reach this one's error in the same parser state (_whole).
                    return self._whole(text, name, cuts[1], cuts[index - 1]) if index >= 2 else self._whole(text, name)
                reparsed += 1
            if piece.header is not None and index > 0:
                return self._whole(text, name)  # an edition header below a statement: the whole parse says what is wrong
            pieces[chunk] = piece
            key = (chunk, line, section)
            here = placed.get(key) or self._placed.get(key) or _place(piece, line, section)
            placed[key] = here
            header = here.header if index == 0 else header
            statements.extend(here.statements)
            headings.extend(here.headings)
            if here.span != NOWHERE:
                spans.append(here.span)
            line += piece.lines
            section = here.section
        self._keep(pieces, placed)
        span = Span(spans[0].line, spans[0].column, spans[-1].end_line, spans[-1].end_column) if spans else NOWHERE
        return Parsed(ast.Policy(header=header, statements=tuple(statements), span=span), tuple(headings), len(cuts) - 1, reparsed)

    def _whole(self, text: str, name: str, blank_from: int = 0, blank_to: int = 0) -> Parsed:
        if blank_to > blank_from:
            _raise_as_whole(text, name, blank_from, blank_to)
        policy = parse_policy(text, name)  # raises as `check` does
        return Parsed(policy, tuple(section_positions(text, name)), 0, 0)

    def _keep(self, pieces: dict[str, _Piece], placed: dict[tuple[str, int, str], _Placed]) -> None:
        """Keep the current text's pieces and a bounded number of older ones, the most recent last."""
        for old, new in ((self._pieces, pieces), (self._placed, placed)):
            spare = [key for key in old if key not in new][-SPARE_PIECES:]
            kept = {key: old[key] for key in spare}
            kept.update(new)
            old.clear()
            old.update(kept)


def _raise_as_whole(text: str, name: str, blank_from: int, blank_to: int) -> None:
    """Raise the errors `parse_policy(text)` raises, for a text whose statements in text[blank_from:blank_to] each parsed on
    their own and whose next piece does not (a half-typed statement in the editor).

    Those statements are left out (their lines kept, empty), so the parse reaches the broken piece without reading them:
    it comes to it in the state the whole text's parse would, just after a complete statement (the one before the broken
    piece is kept), and Lark words the same error at the same place. Further errors are found past it as in the whole
    text, which is kept from the piece before the broken one on. The errors are shown with the real text's lines."""
    region = text[blank_from:blank_to]
    try:
        parse_policy(text[:blank_from] + "\n" * region.count("\n") + text[blank_to:], name)
    except PolicyError as exc:
        source = Source(name, text)
        for error in getattr(exc, "errors", None) or (exc,):
            error.source = source
        raise
