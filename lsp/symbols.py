"""Document symbols: the policy's outline, each statement under the `section` heading it stands in."""

from __future__ import annotations

from lsprotocol import types
from racepolicy.language import ast
from racepolicy.language.source import Span
from racepolicy.lsp.analysis import KIND_OF, Analysis, sections
from racepolicy.lsp.guard import answers
from racepolicy.lsp.positions import Lines
from racepolicy.lsp.server import PolicyServer

SYMBOL_KIND = {
    "race": types.SymbolKind.Class, "group": types.SymbolKind.Module, "infraction": types.SymbolKind.EnumMember,
    "rule": types.SymbolKind.Function, "table": types.SymbolKind.Struct, "schedule": types.SymbolKind.Struct,
    "band": types.SymbolKind.Struct, "checklist": types.SymbolKind.Interface, "input": types.SymbolKind.Variable,
    "words": types.SymbolKind.Enum, "facts": types.SymbolKind.Struct, "attribute": types.SymbolKind.Property,
}
# Longest quote shown as the name of an unnamed statement (an `informative` clause, an `assert`).
MAX_LABEL = 60


def _label(statement: ast.Statement) -> tuple[str, types.SymbolKind]:
    if isinstance(statement, ast.PenaltyDecl):
        return f"penalty {', '.join(statement.infractions)} on {', '.join(statement.targets)}", types.SymbolKind.Event
    quote = statement.citation.text if statement.citation is not None else ""
    quote = quote if len(quote) <= MAX_LABEL else quote[: MAX_LABEL - 1] + "…"
    word = "informative" if isinstance(statement, ast.InformativeDecl) else "assert" if isinstance(statement, ast.AssertDecl) else "statement"
    return f'{word} "{quote}"' if quote else word, types.SymbolKind.Constant


def outline(analysis: Analysis, lines: Lines) -> list[types.DocumentSymbol]:
    if analysis.policy is None:
        return []
    names = {id(d.statement): d for ds in analysis.definitions.values() for d in ds}
    symbols: list[types.DocumentSymbol] = []
    for statement in analysis.policy.statements:
        kind = KIND_OF.get(type(statement))
        definition = names.get(id(statement))
        if kind is not None and definition is not None:
            label, symbol_kind, selection = definition.name, SYMBOL_KIND.get(kind, types.SymbolKind.Object), definition.span
        else:
            (label, symbol_kind), selection = _label(statement), statement.span
        whole = lines.range(statement.span)
        symbols.append(types.DocumentSymbol(name=label, kind=symbol_kind, range=whole, selection_range=lines.range(selection),
                                            detail=kind or "", children=[]))
    headings = analysis.headings if analysis.headings is not None else sections(analysis.source.text, analysis.source.name)
    if not headings:
        return symbols
    # Each heading holds the statements up to the next one; statements before the first stand at the top.
    result: list[types.DocumentSymbol] = [s for s in symbols if (s.range.start.line + 1) < headings[0][0]]
    for index, (line, column, title) in enumerate(headings):
        end = headings[index + 1][0] if index + 1 < len(headings) else None
        inside = [s for s in symbols if line <= s.range.start.line + 1 and (end is None or s.range.start.line + 1 < end)]
        last = inside[-1].range.end if inside else lines.position(line, column + len("section"))
        heading = lines.range(Span(line, column, line, column + len("section")))
        result.append(types.DocumentSymbol(name=title, kind=types.SymbolKind.Namespace, detail="section",
                                           range=types.Range(start=heading.start, end=last), selection_range=heading, children=inside))
    return result


def register(server: PolicyServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    @answers(list)
    def document_symbols(ls: PolicyServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        uri = params.text_document.uri
        return outline(ls.analysis(uri), ls.lines(uri))
