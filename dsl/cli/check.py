"""`racepolicy check FILES…`: load and check policies, reporting every error with its location."""

from __future__ import annotations

import argparse
import sys

from racepolicy.cli.common import add_paths, load_policies, report
from racepolicy.language.errors import PolicyError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_paths(parser)
    parser.add_argument("--json", action="store_true", help="print errors as JSON on stdout")


def run(args: argparse.Namespace) -> int:
    try:
        policies = load_policies(args.paths)
    except PolicyError as exc:
        report(exc, args.json)
        return 2
    for edition in sorted(policies.editions.values(), key=lambda e: e.key):
        print(f"{edition.source.name}: ok ({edition.label}: {len(edition.races)} races, "
              f"{sum(len(p) for p in edition.penalties.values())} penalties, {len(edition.rules)} rules)")
        for warning in edition.warnings:  # a field of declared facts that no rule reads (issue #11 item 1)
            print(warning.render(), file=sys.stderr)
    return 0
