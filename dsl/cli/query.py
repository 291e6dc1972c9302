"""`racepolicy query PATH 'QUERY'`: answer one query, with its citations, as text or JSON."""

from __future__ import annotations

import argparse
import sys

from racepolicy.cli.common import add_cache_option, add_source_option, load_policies, report
from racepolicy.language.errors import PolicyError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = "exit codes: 0 answered, 1 the answer is a no (no, or none from qualify/change), 2 bad input"
    parser.add_argument("paths", nargs="*", metavar="PATH", help="policy files or folders (default: the bundled policies)")
    parser.add_argument("query", metavar="QUERY", help="e.g. 'penalty missing_jacket on UTMB'")
    parser.add_argument("--edition", "-e", help="the edition to ask, e.g. utmb-2022 (default: the newest that knows the names used)")
    parser.add_argument("--json", action="store_true", help="print the answer and its trace as JSON")
    parser.add_argument("--explain", action="store_true", help="print the full trace with inputs and citations")
    parser.add_argument(
        "--runner", default="interpreter", metavar="RUNNER",
        help="interpreter (the reference) or compiled (generated Python; its trace comes from the interpreter)",
    )
    add_source_option(parser)
    add_cache_option(parser)


def run(args: argparse.Namespace) -> int:
    try:
        policies = load_policies(args.paths, args.source, use_cache=not args.no_cache)
        answer = policies.ask(args.query, edition=args.edition, runner=args.runner)
    except PolicyError as exc:
        report(exc, args.json)
        return 2
    for warning in answer.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(answer.to_json_text() if args.json else answer.render(explain=args.explain))
    return 1 if answer.negative else 0
