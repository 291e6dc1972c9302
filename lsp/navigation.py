"""Go to definition and find references: every declared name (races, groups, rules, tables, checklists, inputs, words, facts...), and words of sets."""

from __future__ import annotations

from lsprotocol import types
from racepolicy.lsp.guard import answers
from racepolicy.lsp.server import PolicyServer
from racepolicy.lsp.wordsets import word_definitions


def register(server: PolicyServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    @answers(list)
    def definition(ls: PolicyServer, params: types.DefinitionParams) -> list[types.Location]:
        uri = params.text_document.uri
        # The word is read from the text as it is now; the declarations may be those of the last version that parsed.
        lines = ls.lines(uri)
        current = ls.analysis(uri)
        line, column = lines.column_of(params.position)
        word = current.word_at(line, column)
        if word is None:
            # A word of a declared set, written as a string: its declaration in the set.
            return [types.Location(uri=uri, range=lines.range(span)) for span in word_definitions(ls.usable(uri), current.source.text, line, column)]
        return [types.Location(uri=uri, range=lines.range(d.span)) for d in ls.usable(uri).definitions.get(word.name, [])]

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    @answers(list)
    def references(ls: PolicyServer, params: types.ReferenceParams) -> list[types.Location]:
        uri = params.text_document.uri
        current = ls.analysis(uri)
        lines = ls.lines(uri)
        word = current.word_at(*lines.column_of(params.position))
        known = ls.usable(uri).definitions
        if word is None or word.name not in known:
            return []
        # Uses are found in the text as it is now: a declaration the author is retyping stands where it stands now.
        declared = {d.span for d in current.definitions.get(word.name, known[word.name])}
        return [types.Location(uri=uri, range=lines.range(w.span)) for w in current.references(word.name)
                if params.context.include_declaration or w.span not in declared]
