"""Diagnostics on open and on every change: each error and warning `racepolicy check` reports, located, with its hint and a link to its explanation."""

from __future__ import annotations

import asyncio
import functools
import re
from pathlib import Path

from lsprotocol import types
from racepolicy.language.errors import PolicyError
from racepolicy.lsp.analysis import Analysis
from racepolicy.lsp.guard import answers
from racepolicy.lsp.positions import Lines
from racepolicy.lsp.server import PolicyServer

DID_YOU_MEAN = re.compile(r"did you mean '([^']+)'\?")


@functools.cache
def errors_page() -> str | None:
    """docs/errors.md beside the package (a source checkout or an editable install), as a file URI; None elsewhere."""
    import racepolicy

    page = Path(racepolicy.__file__).resolve().parent.parent / "docs" / "errors.md"
    return page.as_uri() if page.is_file() else None


def diagnostic(error: PolicyError, lines: Lines, severity: types.DiagnosticSeverity) -> types.Diagnostic:
    """One error as an editor shows it: the message and hint, its code linked to the catalogue's entry."""
    message = error.message + (f"\nhint: {error.hint}" if error.hint else "") + f"\n(racepolicy explain-error {error.code})"
    page = errors_page()
    suggestion = DID_YOU_MEAN.search(error.hint)
    return types.Diagnostic(
        range=lines.range(error.span),
        message=message,
        severity=severity,
        code=error.code,
        code_description=types.CodeDescription(href=f"{page}#{error.code.lower()}") if page else None,
        source="racepolicy",
        # The fix a code action offers: the name the hint suggests, put where the span points.
        data={"replacement": suggestion.group(1)} if suggestion else None,
    )


def diagnostics_of(analysis: Analysis, lines: Lines) -> list[types.Diagnostic]:
    found = [diagnostic(e, lines, types.DiagnosticSeverity.Error) for e in analysis.errors]
    found += [diagnostic(w, lines, types.DiagnosticSeverity.Warning) for w in analysis.warnings]
    found += [diagnostic(n, lines, types.DiagnosticSeverity.Information) for n in analysis.notes]
    return found


def publish(server: PolicyServer, uri: str) -> None:
    document = server.workspace.get_text_document(uri)
    found = diagnostics_of(server.analysis(uri), server.lines(uri))
    server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, version=document.version, diagnostics=found))


def register(server: PolicyServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @answers(lambda: None)
    def did_open(ls: PolicyServer, params: types.DidOpenTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: PolicyServer, params: types.DidChangeTextDocumentParams) -> None:
        # Changes that arrived together (fast typing on a busy machine) are applied before this runs on: only the
        # newest version is analysed, so the server never falls behind the author by a queue of stale versions.
        await asyncio.sleep(0)
        latest = ls.workspace.get_text_document(params.text_document.uri).version
        if latest is not None and latest > params.text_document.version:
            return
        answers(lambda: None)(publish)(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    @answers(lambda: None)
    def did_save(ls: PolicyServer, params: types.DidSaveTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @answers(lambda: None)
    def did_close(ls: PolicyServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))
