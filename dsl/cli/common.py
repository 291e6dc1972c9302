"""Helpers the subcommands share: loading policies and printing errors."""

from __future__ import annotations

import argparse
import json
import sys

from racepolicy.language.errors import PolicyError
from racepolicy.query.policyset import PolicySet


def load_policies(paths: list[str], sources: list[str] | None = None, use_cache: bool = True) -> PolicySet:
    """The policies at `paths`, or the bundled ones when none are given; `sources` are more places for regulation texts.

    `use_cache`: through the cache of checked editions (docs/cache.md); `check` and `coverage` search every quote again."""
    if sources:
        from racepolicy.language.citations import add_search_paths

        add_search_paths(sources)
    return PolicySet.load(paths, use_cache=use_cache) if paths else PolicySet.bundled(use_cache=use_cache)


def add_cache_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-cache", action="store_true",
                        help="parse and check every policy afresh, without the cache of checked editions (or set RACEPOLICY_NO_CACHE=1)")


def add_source_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source", action="append", default=[], metavar="FILE",
        help="a regulation text (or a folder of them) to use for `source` lines whose file is not where the policy says; "
        "repeatable; RACEPOLICY_SOURCES lists more places",
    )


def report(exc: PolicyError, as_json: bool = False) -> None:
    """Print an error for a person on stderr, and as JSON on stdout when asked."""
    print(exc.render(), file=sys.stderr)
    if as_json:
        print(json.dumps(exc.as_json(), indent=2, sort_keys=True))


def add_paths(parser: argparse.ArgumentParser, nargs: str = "*") -> None:
    parser.add_argument("paths", nargs=nargs, metavar="PATH", help="policy files or folders (default: the bundled policies)")
