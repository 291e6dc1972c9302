"""The `racepolicy` command line: subcommands, exit codes 0/1/2 (3 for a bug of ours), and no tracebacks for users."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from racepolicy import __version__
from racepolicy.cli import COMMANDS

EXIT_OK, EXIT_NEGATIVE, EXIT_BAD_INPUT, EXIT_CRASH = 0, 1, 2, 3
# One rule for every command, so a script can test `$?`: docs/cli.md#exit-codes says the same.
EXIT_CODES_HELP = """exit codes:
  0  answered: a yes, a value, a race; the files are fine; the editions are the same
  1  the answer is a no: any yes/no answer that is no (eligible, a comparison, a rule),
     a query form that grants nothing (qualify/change -> none); diff: the editions differ;
     run: some rows were rejected
  2  bad input: an error in a policy, a query, a file or an option (the message says where)
  3  internal error: a bug in racepolicy (reported without a traceback; please file it)"""


def _terminal_columns() -> int:
    # shutil.get_terminal_size().columns, as argparse asks it, without importing shutil (and its compression modules) at
    # every start: argparse builds a help formatter for each option it adds.
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
        columns = columns or 80
    return columns


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, its width found as argparse finds it (cold start: without shutil)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, _terminal_columns() - 2 if width is None else width)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse exits with 2 already; say it in our own words, with a hint.
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n  hint: run '{self.prog} --help'\n")
        raise SystemExit(EXIT_BAD_INPUT)


def top_parser() -> argparse.ArgumentParser:
    lines = "\n".join(f"  {name:<14}{help_text}" for name, (_, help_text) in COMMANDS.items())
    parser = _Parser(
        prog="racepolicy",
        description="Rules-as-code for trail-race regulations: check policies, ask questions, compare editions.",
        epilog=f"commands:\n{lines}\n\n{EXIT_CODES_HELP}\n\nrun 'racepolicy COMMAND --help' for a command's options",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"racepolicy {__version__}")
    parser.add_argument("command", metavar="COMMAND", choices=sorted(COMMANDS), help="one of: " + ", ".join(COMMANDS))
    return parser


def command_parser(name: str) -> tuple[argparse.ArgumentParser, str]:
    module, help_text = COMMANDS[name]
    parser = _Parser(prog=f"racepolicy {name}", description=help_text, formatter_class=_Formatter)
    # Each command module declares its own options; only the one asked for is imported.
    importlib.import_module(module).add_arguments(parser)
    return parser, module


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list in (["--version"], ["-V"]):
        print(f"racepolicy {__version__}")  # fast path: no grammar, no plugins
        return EXIT_OK
    first = next((i for i, a in enumerate(args_list) if not a.startswith("-")), None)
    try:
        if first is None or args_list[first] not in COMMANDS:
            top_parser().parse_args(args_list)  # prints help, version or a clear error
            return EXIT_BAD_INPUT
        parser, module = command_parser(args_list[first])
        # Intermixed: options may stand before, between or after the positionals. Intermixed parsing
        # loses what follows `--` (a query such as '-UTMB.fee'), so then parse plainly.
        rest = args_list[:first] + args_list[first + 1 :]
        args = parser.parse_args(rest) if "--" in rest else parser.parse_intermixed_args(rest)
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_BAD_INPUT
    from racepolicy.language.errors import PolicyError

    try:
        code: int = importlib.import_module(module).run(args)
        return code
    except PolicyError as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug of ours: its own exit code, never 1 ("no" or "some rows rejected")
        print(f"racepolicy: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("  hint: this is a bug in racepolicy; please report it with the command that caused it", file=sys.stderr)
        return EXIT_CRASH


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
