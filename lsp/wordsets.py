"""The words of declared sets where they stand in strings (`"men"` in a table row): which set holds them and where it declares them."""

from __future__ import annotations

import re

from racepolicy.language import ast
from racepolicy.language.source import Span
from racepolicy.lsp.analysis import Analysis
from racepolicy.lsp.describe import citation_text

_STRING = re.compile(r'"([^"\n]*)"')


def string_at(text: str, line: int, column: int) -> tuple[str, Span] | None:
    """The string literal under a position (line and column from 1), its content and its span quotes included."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    row = lines[line - 1]
    code_end = len(row)
    for match in re.finditer(r'"[^"\n]*"|#', row):  # a "#" outside a string starts a comment: no string after it counts
        if match.group(0) == "#":
            code_end = match.start()
            break
    for match in _STRING.finditer(row[:code_end]):
        if match.start() + 1 <= column <= match.end():
            return match.group(1), Span(line, match.start() + 1, line, match.end() + 1)
    return None


def sets_holding(analysis: Analysis, text: str) -> list[tuple[ast.WordsDecl, ast.Word]]:
    """Each declared set that holds the text as a word or an alias, with that word (a set may ignore case, as its lookups do)."""
    found = []
    for statement in analysis.policy.statements if analysis.policy is not None else ():
        if isinstance(statement, ast.WordsDecl):
            for word in statement.words:
                spellings = (word.text, *word.aliases)
                if text in spellings or (not statement.case_sensitive and text.casefold() in {s.casefold() for s in spellings}):
                    found.append((statement, word))
    return found


def word_hover(analysis: Analysis, text_now: str, line: int, column: int) -> tuple[str, Span] | None:
    """A hover's Markdown for a word of a set under the position (in the text as it is now): the set, its aliases, the clause it cites."""
    found = string_at(text_now, line, column)
    if found is None:
        return None
    text, span = found
    parts = []
    for words, word in sets_holding(analysis, text):
        also = f" (also {', '.join(repr(a) for a in word.aliases)})" if word.aliases else ""
        values = ", ".join(f'"{w.text}"' for w in words.words)
        parts.append(f'**word** `"{word.text}"`{also} of **words** `{words.name}`: {values}\n\n'
                     + citation_text(word.citation or words.citation, analysis.source))
    return ("\n\n---\n\n".join(parts), span) if parts else None


def word_definitions(analysis: Analysis, text_now: str, line: int, column: int) -> list[Span]:
    """Where the word under the position (in the text as it is now) is declared in its set(s): the word's own string."""
    found = string_at(text_now, line, column)
    if found is None:
        return []
    # A word item starts with its string: the span is cut to it, without the aliases and citation that follow.
    return [Span(w.span.line, w.span.column, w.span.line, w.span.column + len(w.text) + 2) for _, w in sets_holding(analysis, found[0])]
