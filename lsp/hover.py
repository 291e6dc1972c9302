"""Hover: a name's kind and declaration or signature, and the clause it cites with that clause's line in the regulation text."""

from __future__ import annotations

from lsprotocol import types
from racepolicy.language import ast
from racepolicy.lsp.analysis import Analysis, Word
from racepolicy.lsp.describe import citation_text, describe, describe_function, excerpt
from racepolicy.lsp.guard import answers
from racepolicy.lsp.positions import Lines
from racepolicy.lsp.server import PolicyServer
from racepolicy.lsp.wordsets import word_hover


def attribute_text(analysis: Analysis, name: str) -> str | None:
    """A race attribute (`fee`, `cutoff`): its value for each race that gives one, with the clause it cites."""
    rows = []
    for race in analysis.policy.statements if analysis.policy is not None else ():
        if isinstance(race, ast.RaceDecl):
            for attribute in race.attributes:
                if attribute.name == name:
                    cited = attribute.citation or race.citation
                    rows.append(f"- {race.name}: `{excerpt(attribute.value, analysis.source)}` — {citation_text(cited, analysis.source)}")
    return f"**race attribute** `{name}`\n\n" + "\n".join(rows) if rows else None


def hover_text(analysis: Analysis, line: int, column: int, word: Word | None) -> tuple[str, ast.Node | None] | None:
    """The Markdown for a position and the node or word it is about; None where there is nothing to say."""
    if word is not None:
        definitions = analysis.definitions.get(word.name)
        if definitions:
            text = "\n\n---\n\n".join(describe(d, analysis.source) for d in definitions)
            # A declared `attribute`: its declaration, then the value each race gives it.
            values = attribute_text(analysis, word.name) if all(d.kind == "attribute" for d in definitions) else None
            return text + (f"\n\n---\n\n{values}" if values else ""), None
        function = describe_function(word.name, analysis.edition)
        if function is not None:
            return function, None
        vocabulary = analysis.edition.vocabulary if analysis.edition is not None else None
        if vocabulary is not None and word.name in vocabulary.infractions:
            return f"**infraction** `{word.name}` of the {analysis.edition.series if analysis.edition else ''} series", None
        attribute = attribute_text(analysis, word.name)
        if attribute is not None:
            return attribute, None
    if analysis.policy is not None:
        for citation in analysis.policy.find_all(ast.Citation):
            span = citation.span
            if (span.line, span.column) <= (line, column) < (span.end_line, span.end_column):
                assert isinstance(citation, ast.Citation)
                return citation_text(citation, analysis.source), citation
    return None


def register(server: PolicyServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @answers(lambda: None)
    def hover(ls: PolicyServer, params: types.HoverParams) -> types.Hover | None:
        uri = params.text_document.uri
        lines: Lines = ls.lines(uri)
        line, column = lines.column_of(params.position)
        # The word is read from the text as it is now; what it means, from the last version that parsed.
        current = ls.analysis(uri)
        word = current.word_at(line, column)
        found = hover_text(ls.usable(uri), line, column, word)
        if found is None:
            # Not a name nor a citation: perhaps a word of a declared set, written as a string ("men" in a table row).
            value = word_hover(ls.usable(uri), current.source.text, line, column)
            if value is None:
                return None
            return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=value[0]), range=lines.range(value[1]))
        text, node = found
        where = lines.range(node.span) if node is not None else lines.range(word.span) if word is not None else None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text), range=where)
