"""The language server: the documents an editor has open, each analysed by the core, and the features registered on it."""

from __future__ import annotations

import gc
import logging
from importlib import metadata

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from racepolicy.lsp.analysis import Analysis, analyse
from racepolicy.lsp.incremental import StatementCache
from racepolicy.lsp.positions import Lines
from racepolicy.pluginapi.manager import make_plugin_manager

log = logging.getLogger(__name__)


class PolicyServer(LanguageServer):
    """A pygls server that keeps the core's analysis of each open document."""

    def __init__(self) -> None:
        try:
            version = metadata.version("racepolicy")
        except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree that was never installed
            version = "0"
        super().__init__("racepolicy", version, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.pm = make_plugin_manager()
        self.analyses: dict[str, tuple[int | None, str, Analysis]] = {}
        # The last analysis of each document that parsed: a half-typed file still completes and hovers the names it had.
        self.last_parsed: dict[str, Analysis] = {}
        # Each document's statements as last parsed: a change re-parses only the statements it touched (issue #17).
        self.pieces: dict[str, StatementCache] = {}

    def text(self, uri: str) -> str:
        return self.workspace.get_text_document(uri).source

    def analysis(self, uri: str) -> Analysis:
        """The analysis of the document's current text, computed once per version."""
        document = self.workspace.get_text_document(uri)
        text = document.source
        known = self.analyses.get(uri)
        if known is not None and known[0] == document.version and known[1] is text:
            return known[2]
        # The regulation text named by `source` is found relative to the policy file, so the core needs the real path.
        name = to_fs_path(uri) or uri
        result = analyse(text, name, self.pm, self.pieces.setdefault(uri, StatementCache()))
        self.analyses[uri] = (document.version, text, result)
        if result.policy is not None:
            self.last_parsed[uri] = result
        return result

    def usable(self, uri: str) -> Analysis:
        """The current analysis if the text parses, else the last one that did (names survive a half-typed line)."""
        current = self.analysis(uri)
        return current if current.policy is not None else self.last_parsed.get(uri, current)

    def lines(self, uri: str) -> Lines:
        return Lines(self.text(uri), self.workspace.position_encoding)

    def forget(self, uri: str) -> None:
        self.analyses.pop(uri, None)
        self.last_parsed.pop(uri, None)
        self.pieces.pop(uri, None)


def make_server() -> PolicyServer:
    """A server with every feature registered: one module a feature, as in pygls's examples."""
    from racepolicy.lsp import actions, completion, diagnostics, formatting, hover, navigation, symbols

    server = PolicyServer()
    for feature in (diagnostics, completion, hover, navigation, symbols, formatting, actions):
        feature.register(server)
    return server


def serve() -> None:
    """Serve an editor over stdin and stdout until it says exit."""
    from racepolicy.language.parser import parser

    server = make_server()
    parser()  # the grammar is built before the first keystroke, not during it
    # What exists now (grammar, plugins, modules) lives as long as the server: out of the collector's way, each change's
    # analysis is about a sixth cheaper (bench/lsp_bench.py).
    gc.freeze()
    server.start_io()
