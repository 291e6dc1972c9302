"""The subcommands of `racepolicy`: each module has add_arguments(parser) and run(args) -> exit code."""

from __future__ import annotations

# name -> (module, one-line help). Modules are imported only to build the parser.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("racepolicy.cli.check", "check policy files for errors"),
    "query": ("racepolicy.cli.query", "answer one query from policy files or folders"),
    "describe": ("racepolicy.cli.describe", "list what the loaded editions know: races, infractions, rules, tables, query forms"),
    "diff": ("racepolicy.cli.diff", "compare two editions: what changed, as rules, and which decisions it changes"),
    "run": ("racepolicy.cli.run", "evaluate a rule for every row of a results file (.csv or .jsonl)"),
    "repl": ("racepolicy.cli.repl", "ask questions interactively (the bundled policies when no path is given)"),
    "fmt": ("racepolicy.cli.fmt", "give policy files the canonical layout (--check for CI, --diff to preview)"),
    "coverage": ("racepolicy.cli.coverage", "show which clauses of the regulation text each policy encodes, marks informative or leaves uncovered"),
    "serve": ("racepolicy.web.command", "the jury console in the browser, and its JSON API, on localhost (read-only)"),
    "explain-error": ("racepolicy.cli.explain_error", "explain an error code such as RP0203, with an example and a fix"),
    "lsp": ("racepolicy.cli.lsp", "serve editors over the Language Server Protocol (diagnostics, completion, hover, navigation, formatting)"),
}
