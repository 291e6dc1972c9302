"""Helpers the subcommands share: loading policies and printing errors."""

from __future__ import annotations

import argparse
import json
import sys

from racepolicy.language.errors import PolicyError
from racepolicy.query.policyset import PolicySet


def load_policies(paths: list[str]) -> PolicySet:
    """The policies at `paths`, or the bundled ones when none are given."""
    return PolicySet.load(paths) if paths else PolicySet.bundled()


def report(exc: PolicyError, as_json: bool = False) -> None:
    """Print an error for a person on stderr, and as JSON on stdout when asked."""
    print(exc.render(), file=sys.stderr)
    if as_json:
        print(json.dumps(exc.as_json(), indent=2, sort_keys=True))


def add_paths(parser: argparse.ArgumentParser, nargs: str = "*") -> None:
    parser.add_argument("paths", nargs=nargs, metavar="PATH", help="policy files or folders (default: the bundled policies)")
