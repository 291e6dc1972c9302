"""One document as the server knows it: the core's parse and check of its text, its definitions and the names it uses."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import attrs
import pluggy
from racepolicy.evaluation.model import Edition
from racepolicy.language import ast
from racepolicy.language.citations import VerifiedSource, uncited, unverified, verify
from racepolicy.language.errors import PolicyError, PolicyErrors
from racepolicy.language.parser import MAX_SOURCE_CHARS, parse_policy, parser, section_positions
from racepolicy.language.source import Source, Span
from racepolicy.lsp.incremental import Heading, StatementCache

# The name of each kind of declaration, as the outline and hovers say it.
KIND_OF: dict[type[ast.Statement], str] = {
    ast.RaceDecl: "race", ast.GroupDecl: "group", ast.InfractionDecl: "infraction", ast.ScheduleDecl: "schedule",
    ast.TableDecl: "table", ast.BandDecl: "band", ast.RuleDecl: "rule", ast.ChecklistDecl: "checklist", ast.InputDecl: "input",
    ast.WordsDecl: "words", ast.FactsDecl: "facts", ast.AttributeDecl: "attribute",
}


@attrs.frozen
class Word:
    """A name as it stands in the text."""

    name: str
    span: Span


@attrs.frozen
class Definition:
    """A declared name: its kind, where the name stands and the statement that declares it."""

    name: str
    kind: str
    span: Span
    statement: ast.Statement


@attrs.frozen
class Analysis:
    """What the core says of one version of a document."""

    source: Source  # a VerifiedSource once the citations were checked: it knows each quote's line in the regulation text
    errors: tuple[PolicyError, ...]
    warnings: tuple[PolicyError, ...]  # statements without a citation of their own (RP1005), fields no rule reads (RP0207)
    notes: tuple[PolicyError, ...]  # the citations could not be verified: no regulation text at hand
    policy: ast.Policy | None
    edition: Edition | None
    words: tuple[Word, ...]
    definitions: dict[str, list[Definition]]
    headings: tuple[Heading, ...] | None = None  # the `section` headings, when the parse that just ran knows them

    def word_at(self, line: int, column: int) -> Word | None:
        """The name under a position (the character after the cursor, or the one before it at a name's end)."""
        for word in self.words:
            span = word.span
            if span.line == line and span.column <= column <= span.end_column:
                return word
        return None

    def references(self, name: str) -> list[Word]:
        return [word for word in self.words if word.name == name]


# Strings, comments and numbers (with their units: 171km, 46h30, 2022-05-31) are skipped whole; what is left are words.
_SCAN = re.compile(r'"[^"\n]*"|#[^\n]*|\d[\w.]*|([A-Za-z_][A-Za-z0-9_]*)')


@functools.cache
def keywords() -> frozenset[str]:
    """The grammar's keywords, read from the grammar: never names."""
    return frozenset(t.pattern.value for t in parser().terminals if t.pattern.type == "str" and t.pattern.value.isalpha())


def words_of(text: str) -> tuple[Word, ...]:
    """Every name of the text with its place; names in strings and comments are not names.

    The grammar's own lexer cannot do this without a second full parse: out of context it reads `born_in_time` as the
    series word `born` and then `_in_time`. Names are the one thing scanned here; everything else comes from the parser."""
    if len(text) > MAX_SOURCE_CHARS:
        return ()
    found: list[Word] = []
    reserved = keywords()
    line, line_start = 1, 0
    for match in _SCAN.finditer(text):
        name = match.group(1)
        if name is None or name in reserved:
            continue
        start = match.start()
        line += text.count("\n", line_start, start)
        line_start = text.rfind("\n", 0, start) + 1
        column = start - line_start + 1
        found.append(Word(name, Span(line, column, line, column + len(name))))
    return tuple(found)


def definitions_of(policy: ast.Policy, words: tuple[Word, ...]) -> dict[str, list[Definition]]:
    """Each declared name and where it stands: the first occurrence of the name inside its statement."""
    found: dict[str, list[Definition]] = {}
    index = 0
    for statement in policy.statements:
        kind = KIND_OF.get(type(statement))
        name = getattr(statement, "name", "")
        if kind is None or not name:
            continue
        start = (statement.span.line, statement.span.column)
        while index < len(words) and (words[index].span.line, words[index].span.column) < start:
            index += 1
        span = next((w.span for w in words[index:] if w.name == name), statement.span)
        found.setdefault(name, []).append(Definition(name, kind, span, statement))
    return found


def _flatten(error: PolicyError) -> Iterator[PolicyError]:
    if isinstance(error, PolicyErrors):
        for inner in error.errors:
            yield from _flatten(inner)
    else:
        yield error


def analyse(text: str, name: str, pm: pluggy.PluginManager | None, pieces: StatementCache | None = None) -> Analysis:
    """Parse and check a text as `racepolicy check` does, keeping every error rather than stopping at the first.

    With `pieces` (one cache per open document), only the statements a change touched are parsed again: same result."""
    from racepolicy.language.checker import check

    source = Source(name, text)
    words = words_of(text)
    headings: tuple[Heading, ...] | None = None
    try:
        if pieces is None:
            policy = parse_policy(text, name)
        else:
            parsed = pieces.parse(text, name)
            policy, headings = parsed.policy, parsed.headings
    except PolicyError as exc:
        return Analysis(source, tuple(_flatten(exc)), (), (), None, None, words, {})
    edition: Edition | None = None
    errors: tuple[PolicyError, ...] = ()
    try:
        edition = check(policy, source, pm)
        source = edition.source
    except PolicyError as exc:
        errors = tuple(_flatten(exc))
        # The checker stopped, but hovers still want each quote's place in the regulation text.
        found = next((e.source for e in errors if isinstance(e.source, VerifiedSource)), None)
        source = found if found is not None else verify(policy, source)[0]
    # The warnings `check` prints: statements without a citation, then what the checker warned of (a fact no rule reads).
    warnings = tuple(uncited(policy, source)) + tuple(edition.warnings if edition is not None else ())
    note = unverified(source)
    return Analysis(source, errors, warnings, (note,) if note else (), policy, edition, words, definitions_of(policy, words), headings)


def sections(text: str, name: str) -> tuple[tuple[int, int, str], ...]:
    """The `section` headings of a text that parses, as (line, column, title)."""
    try:
        return tuple(section_positions(text, name))
    except PolicyError:
        return ()
