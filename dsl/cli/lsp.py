"""`racepolicy lsp`: the language server for editors, over stdin and stdout."""

from __future__ import annotations

import argparse

from racepolicy.cli.common import report
from racepolicy.language.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # Editors' clients add --stdio to the command they start; stdio is the only transport, so the flag changes nothing.
    parser.add_argument("--stdio", action="store_true", help="talk over stdin and stdout (the default and only transport)")


def run(args: argparse.Namespace) -> int:
    try:
        from racepolicy.lsp.server import serve
    except ImportError as exc:
        report(InputError(f"the language server needs {exc.name or 'pygls'}", hint="pip install 'racepolicy[lsp]'"))
        return 2
    serve()
    return 0
