"""The `racepolicy` command line: subcommands, exit codes 0/1/2 (3 for a bug of ours), and no tracebacks for users."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from racepolicy import __version__
from racepolicy.cli import COMMANDS

EXIT_OK, EXIT_NEGATIVE, EXIT_BAD_INPUT, EXIT_CRASH = 0, 1, 2, 3


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
        epilog=f"commands:\n{lines}\n\nrun 'racepolicy COMMAND --help' for a command's options",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"racepolicy {__version__}")
    parser.add_argument("command", metavar="COMMAND", choices=sorted(COMMANDS), help="one of: " + ", ".join(COMMANDS))
    return parser


def command_parser(name: str) -> tuple[argparse.ArgumentParser, str]:
    module, help_text = COMMANDS[name]
    parser = _Parser(prog=f"racepolicy {name}", description=help_text)
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
