"""A real LSP client over stdio, driving `racepolicy lsp` as an editor does (pygls's own client)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

# Longest a test waits for the server's diagnostics of one version: a loaded CI machine is slow, a hung server is not.
WAIT_SECONDS = 60.0


class Editor:
    """One server process and the client that talks to it; every call runs the client's loop until the answer comes."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.loop = asyncio.new_event_loop()
        self.client = LanguageClient("racepolicy-tests", "1")
        self.diagnostics: dict[str, list[tuple[int | None, list[types.Diagnostic]]]] = {}
        self.versions: dict[str, int] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.diagnostics.setdefault(params.uri, []).append((params.version, params.diagnostics))

        command = Path(sys.executable).parent / "racepolicy"
        self.run(self.client.start_io(str(command), "lsp", env={**os.environ, **(env or {})}))
        self.result = self.run(self.client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(), process_id=os.getpid(), root_uri=None)))
        self.client.initialized(types.InitializedParams())

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(asyncio.wait_for(coroutine, WAIT_SECONDS))

    def alive(self) -> bool:
        server = self.client._server
        return server is not None and server.returncode is None

    # ---- documents
    def open(self, path: Path, text: str | None = None) -> str:
        uri = path.resolve().as_uri()
        self.versions[uri] = 1
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=uri, language_id="racepolicy", version=1, text=path.read_text(encoding="utf-8") if text is None else text)))
        return uri

    def change(self, uri: str, text: str, range_: types.Range | None = None) -> None:
        """Send a change: the whole text, or `text` put in place of `range_` (an incremental change)."""
        self.versions[uri] += 1
        change: Any = (types.TextDocumentContentChangeWholeDocument(text=text) if range_ is None
                       else types.TextDocumentContentChangePartial(range=range_, text=text))
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]), content_changes=[change]))

    def wait_diagnostics(self, uri: str) -> list[types.Diagnostic]:
        """The diagnostics the server publishes for the document's current version."""
        version = self.versions[uri]

        async def arrived() -> list[types.Diagnostic]:
            while True:
                for got, found in reversed(self.diagnostics.get(uri, [])):
                    if got == version:
                        return found
                await asyncio.sleep(0.01)

        return self.run(arrived())

    # ---- requests
    def doc(self, uri: str) -> types.TextDocumentIdentifier:
        return types.TextDocumentIdentifier(uri=uri)

    def completion(self, uri: str, line: int, character: int) -> Any:
        return self.run(self.client.text_document_completion_async(types.CompletionParams(
            text_document=self.doc(uri), position=types.Position(line=line, character=character))))

    def hover(self, uri: str, line: int, character: int) -> types.Hover | None:
        return self.run(self.client.text_document_hover_async(types.HoverParams(
            text_document=self.doc(uri), position=types.Position(line=line, character=character))))

    def definition(self, uri: str, line: int, character: int) -> Any:
        return self.run(self.client.text_document_definition_async(types.DefinitionParams(
            text_document=self.doc(uri), position=types.Position(line=line, character=character))))

    def references(self, uri: str, line: int, character: int, declaration: bool = True) -> Any:
        return self.run(self.client.text_document_references_async(types.ReferenceParams(
            text_document=self.doc(uri), position=types.Position(line=line, character=character),
            context=types.ReferenceContext(include_declaration=declaration))))

    def symbols(self, uri: str) -> Any:
        return self.run(self.client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=self.doc(uri))))

    def formatting(self, uri: str) -> Any:
        return self.run(self.client.text_document_formatting_async(types.DocumentFormattingParams(
            text_document=self.doc(uri), options=types.FormattingOptions(tab_size=2, insert_spaces=True))))

    def code_actions(self, uri: str, diagnostics: list[types.Diagnostic]) -> Any:
        return self.run(self.client.text_document_code_action_async(types.CodeActionParams(
            text_document=self.doc(uri), range=diagnostics[0].range, context=types.CodeActionContext(diagnostics=diagnostics))))

    def close(self) -> None:
        try:
            self.run(self.client.shutdown_async(None))
            self.client.exit(None)
            self.run(self.client.stop())
        finally:
            self.loop.close()
