"""Code actions: the did-you-mean fix of a diagnostic, applied where it points."""

from __future__ import annotations

from lsprotocol import types
from racepolicy.lsp.guard import answers
from racepolicy.lsp.server import PolicyServer


def register(server: PolicyServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    @answers(list)
    def code_actions(ls: PolicyServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        found: list[types.CodeAction] = []
        for diagnostic in params.context.diagnostics:
            data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
            replacement = data.get("replacement")
            if not isinstance(replacement, str) or diagnostic.source != "racepolicy":
                continue
            edit = types.WorkspaceEdit(changes={uri: [types.TextEdit(range=diagnostic.range, new_text=replacement)]})
            found.append(types.CodeAction(title=f"Change to '{replacement}'", kind=types.CodeActionKind.QuickFix,
                                          diagnostics=[diagnostic], edit=edit, is_preferred=True))
        return found
