"""`racepolicy check FILES…`: load and check policies, reporting every error with its location."""

from __future__ import annotations

import argparse
import sys

from racepolicy.cli.common import add_paths, add_source_option, load_policies, report
from racepolicy.evaluation.model import Edition
from racepolicy.language import ast
from racepolicy.language.citations import uncited, unverified
from racepolicy.language.errors import PolicyError, PolicyErrors


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_paths(parser)
    parser.add_argument("--json", action="store_true", help="print errors as JSON on stdout")
    add_source_option(parser)
    parser.add_argument("--strict", action="store_true", help="citations that cannot be verified against the regulation text are errors")
    parser.add_argument("--readings", action="store_true", help="list every reading of an ambiguous clause, with its location")


def print_readings(editions: list[Edition]) -> None:
    """Each `reading` of each policy: where it stands, the clause, the reading taken and the others."""
    for edition in editions:
        for node in edition.policy.find_all(ast.Citation):
            assert isinstance(node, ast.Citation)
            if node.reading:
                others = " or ".join(f'"{a}"' for a in node.alternatives)
                print(f'{edition.source.name}:{node.span.line}:{node.span.column}: reading "{node.reading}" '
                      f'(the text also allows {others}) of § "{node.text}"')


def run(args: argparse.Namespace) -> int:
    try:
        policies = load_policies(args.paths, args.source, use_cache=False)
    except PolicyError as exc:
        report(exc, args.json)
        return 2
    editions = sorted(policies.editions.values(), key=lambda e: e.key)
    problems = [error for edition in editions if (error := unverified(edition.source)) is not None]
    missing = [error for edition in editions for error in uncited(edition.policy, edition.source)]
    if (problems or missing) and args.strict:
        found = problems + missing
        report(found[0] if len(found) == 1 else PolicyErrors(found), args.json)
        return 2
    for warning in missing:
        # A warning, not an error, without --strict: the policy loads and answers, but a jury cannot check these against the text.
        print(warning.render().replace(f": error[{warning.code}]", f": warning[{warning.code}]", 1), file=sys.stderr)
    for edition in editions:
        print(f"{edition.source.name}: ok ({edition.label}: {len(edition.races)} races, "
              f"{sum(len(p) for p in edition.penalties.values())} penalties, {len(edition.rules)} rules)")
        for warning in edition.warnings:  # a field of declared facts that no rule reads (issue #11 item 1)
            print(warning.render(), file=sys.stderr)
    if args.readings:
        print_readings(editions)
    if problems:
        # Said once, not per citation: the policies are fine, only the check against their texts was skipped.
        names = ", ".join(p.source_name for p in problems)
        print(f"note: citations not verified against the regulation text ({names}): {problems[0].message}; "
              f"{problems[0].hint}", file=sys.stderr)
    return 0
