"""Formatting: the canonical layout of `racepolicy fmt`, as one edit of the whole document."""

from __future__ import annotations

from lsprotocol import types
from racepolicy.language.errors import PolicyError
from racepolicy.lsp.guard import answers
from racepolicy.lsp.server import PolicyServer


def register(server: PolicyServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    @answers(list)
    def formatting(ls: PolicyServer, params: types.DocumentFormattingParams) -> list[types.TextEdit]:
        from racepolicy.tools.formatter import format_policy

        uri = params.text_document.uri
        text = ls.text(uri)
        try:
            result = format_policy(text, uri)
        except PolicyError:
            return []  # a text that does not parse is left as it is; its diagnostics already say why
        if result == text:
            return []
        lines = ls.lines(uri)
        last = len(lines.lines)
        whole = types.Range(start=types.Position(line=0, character=0), end=lines.position(last, len(lines.line(last - 1)) + 1))
        return [types.TextEdit(range=whole, new_text=result)]
