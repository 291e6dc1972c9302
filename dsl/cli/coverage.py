"""`racepolicy coverage [POLICY ...]`: which clauses of the regulation text each policy encodes, marks informative, or leaves uncovered."""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation

from racepolicy.cli.common import add_source_option, load_policies, report
from racepolicy.language.citations import unverified
from racepolicy.language.errors import PolicyError, PolicyErrors


def _percent(text: str) -> Decimal:
    try:
        value = Decimal(text.rstrip("%"))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"'{text}' is not a percentage such as 80") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"'{text}' is not between 0 and 100")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="POLICY", help="policy files or folders (default: the bundled policies)")
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text", help="how to print the report (default: text)")
    show = parser.add_mutually_exclusive_group()
    show.add_argument("--uncovered", action="store_true", help="list only the clauses no statement accounts for, with their lines")
    show.add_argument("--all", action="store_true", help="list every clause with its status")
    parser.add_argument("--fail-under", type=_percent, metavar="N", help="exit 1 when a policy accounts for less than N %% of its clauses")
    add_source_option(parser)


def run(args: argparse.Namespace) -> int:
    from racepolicy.tools.coverage import coverage_of, render_json, render_markdown, render_text

    try:
        policies = load_policies(args.paths, args.source, use_cache=False)
    except PolicyError as exc:
        report(exc)
        return 2
    editions = sorted(policies.editions.values(), key=lambda e: e.key)
    # Coverage needs the texts themselves: without them there is nothing to count.
    problems = [error for edition in editions if (error := unverified(edition.source)) is not None]
    if problems:
        report(problems[0] if len(problems) == 1 else PolicyErrors(problems))
        return 2
    show = "uncovered" if args.uncovered else "all" if args.all else "summary"
    coverages = [coverage_of(edition) for edition in editions]
    if args.format == "json":
        print(render_json(coverages, show))
    else:
        render = render_markdown if args.format == "markdown" else render_text
        print(("\n\n" if args.format == "text" else "\n").join(render(c, show) for c in coverages))
    if args.fail_under is not None and any(c.tally().accounted < args.fail_under for c in coverages):
        return 1
    return 0
