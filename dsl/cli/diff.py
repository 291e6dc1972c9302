"""`racepolicy diff OLD NEW`: what changed from one edition to the next, as rules, and which decisions it changes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from racepolicy.cli.common import report
from racepolicy.evaluation.model import Edition
from racepolicy.language.errors import InputError, PolicyError
from racepolicy.query.policyset import POLICY_SUFFIX, PolicySet, read_source


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD", help="the earlier edition: a .policy file, or a bundled edition such as utmb-2022")
    parser.add_argument("new", metavar="NEW", help="the later edition: a .policy file, or a bundled edition")
    parser.add_argument("--format", "-f", choices=("text", "markdown", "json"), default="text", help="output format (default: text)")
    parser.add_argument("--cases", metavar="CASES.jsonl",
                        help="replay these cases (one JSON object a line) under both editions; any readable path, /dev/fd/N, or - for stdin")
    parser.add_argument("--explain", action="store_true", help="show the whole old and new bodies of each rule whose changed part is shown")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colour the text output (default: on a terminal, unless NO_COLOR is set)")


def load_edition(name: str, policies: PolicySet) -> Edition:
    """A policy file, or failing that a bundled edition by key (`utmb-2022`)."""
    path = Path(name)
    if path.is_dir():
        raise InputError(f"{name} is a folder", hint="diff compares two editions: give two .policy files or edition keys such as utmb-2022")
    if path.exists() or name.endswith(POLICY_SUFFIX) or "/" in name:
        return policies.add(read_source(path))
    return PolicySet.bundled(policies.pm).find(name)


def read_cases(name: str) -> list[str]:
    """The lines of a cases file: `-` is stdin; any path that reads (a file, a pipe, /dev/fd/N) will do."""
    hint = "give a .jsonl file (one JSON case a line), /dev/fd/N, or - to read stdin"
    if name == "-":
        try:
            return sys.stdin.read().splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read cases from stdin: {exc}", hint=hint) from None
    path = Path(name)
    if path.is_dir():
        raise InputError(f"cases file is a folder: {name}", hint=hint)
    try:
        with open(path, encoding="utf-8") as stream:  # open, not is_file(): a pipe such as /dev/fd/3 is readable too
            return stream.read().splitlines()
    except FileNotFoundError:
        raise InputError(f"no such cases file: {name}", hint=hint) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read cases file {name}: {exc.strerror if isinstance(exc, OSError) else exc}", hint=hint) from None


def run(args: argparse.Namespace) -> int:
    from racepolicy.diff.cases import replay
    from racepolicy.diff.compare import diff_editions
    from racepolicy.diff.render import render, use_colour

    try:
        # Separate sets: the two files may hold the same edition key (two drafts of one year).
        old_set = PolicySet()
        old = load_edition(args.old, old_set)
        new = load_edition(args.new, PolicySet(old_set.pm))
        lines = read_cases(args.cases) if args.cases else None
    except PolicyError as exc:
        report(exc, args.format == "json")
        return 2
    diff = diff_editions(old, new, old_set.pm)
    cases_name = "<stdin>" if args.cases == "-" else args.cases
    impact = replay(old, new, lines, cases_name) if lines is not None else None
    sys.stdout.write(render(diff, args.format, impact, use_colour(sys.stdout, args.color), args.explain))
    if impact is not None and impact.bad_lines:
        for bad in impact.bad_lines:
            print(f"{cases_name}:{bad.line}: error: {bad.message}", file=sys.stderr)
        return 2
    changed = not diff.equal or (impact is not None and bool(impact.changed))
    return 1 if changed else 0
