"""The subcommands of `racepolicy`: each module has add_arguments(parser) and run(args) -> exit code."""

from __future__ import annotations

# name -> (module, one-line help). Modules are imported only to build the parser.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("racepolicy.commands.check", "check policy files for errors"),
    "query": ("racepolicy.commands.query", "answer one query from policy files or folders"),
    "diff": ("racepolicy.commands.diff", "compare two editions: what changed, as rules, and which decisions it changes"),
    "run": ("racepolicy.commands.run", "evaluate a rule for every row of a results file (.csv or .jsonl)"),
    "repl": ("racepolicy.commands.repl", "ask questions interactively (the bundled policies when no path is given)"),
    "fmt": ("racepolicy.commands.fmt", "give policy files the canonical layout (--check for CI, --diff to preview)"),
    "explain-error": ("racepolicy.commands.explain_error", "explain an error code such as RP0203, with an example and a fix"),
}
