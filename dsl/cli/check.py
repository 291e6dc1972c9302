"""`racepolicy check FILES…`: load and check policies, reporting every error with its location."""

from __future__ import annotations

import argparse
import sys

from racepolicy.cli.common import add_paths, add_source_option, load_policies, report
from racepolicy.language.citations import unverified
from racepolicy.language.errors import PolicyError, PolicyErrors


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_paths(parser)
    parser.add_argument("--json", action="store_true", help="print errors as JSON on stdout")
    add_source_option(parser)
    parser.add_argument("--strict", action="store_true", help="citations that cannot be verified against the regulation text are errors")


def run(args: argparse.Namespace) -> int:
    try:
        policies = load_policies(args.paths, args.source)
    except PolicyError as exc:
        report(exc, args.json)
        return 2
    editions = sorted(policies.editions.values(), key=lambda e: e.key)
    problems = [error for edition in editions if (error := unverified(edition.source)) is not None]
    if problems and args.strict:
        report(problems[0] if len(problems) == 1 else PolicyErrors(problems), args.json)
        return 2
    for edition in editions:
        print(f"{edition.source.name}: ok ({edition.label}: {len(edition.races)} races, "
              f"{sum(len(p) for p in edition.penalties.values())} penalties, {len(edition.rules)} rules)")
    if problems:
        # Said once, not per citation: the policies are fine, only the check against their texts was skipped.
        names = ", ".join(p.source_name for p in problems)
        print(f"note: citations not verified against the regulation text ({names}): {problems[0].message}; "
              f"{problems[0].hint}", file=sys.stderr)
    return 0
