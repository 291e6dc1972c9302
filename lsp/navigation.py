"""Go to definition and find references, for every declared name: races, groups, infractions, rules, tables, schedules, bands, checklists, inputs."""

from __future__ import annotations

from lsprotocol import types
from racepolicy.lsp.guard import answers
from racepolicy.lsp.server import PolicyServer


def register(server: PolicyServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    @answers(list)
    def definition(ls: PolicyServer, params: types.DefinitionParams) -> list[types.Location]:
        uri = params.text_document.uri
        analysis = ls.usable(uri)
        lines = ls.lines(uri)
        word = analysis.word_at(*lines.column_of(params.position))
        if word is None:
            return []
        return [types.Location(uri=uri, range=lines.range(d.span)) for d in analysis.definitions.get(word.name, [])]

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    @answers(list)
    def references(ls: PolicyServer, params: types.ReferenceParams) -> list[types.Location]:
        uri = params.text_document.uri
        analysis = ls.usable(uri)
        lines = ls.lines(uri)
        word = analysis.word_at(*lines.column_of(params.position))
        if word is None or word.name not in analysis.definitions:
            return []
        declared = {d.span for d in analysis.definitions[word.name]}
        return [types.Location(uri=uri, range=lines.range(w.span)) for w in analysis.references(word.name)
                if params.context.include_declaration or w.span not in declared]
