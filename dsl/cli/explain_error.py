"""`racepolicy explain-error CODE`: what an error code means, an input that causes it, and how to fix it."""

from __future__ import annotations

import argparse

from racepolicy.language.errors import InputError, did_you_mean


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("code", metavar="CODE", nargs="?", help="an error code such as RP0203 (as printed in error[RP0203]); none lists them all")


def run(args: argparse.Namespace) -> int:
    from racepolicy.language.error_catalogue import BY_CODE, ENTRIES, lookup

    if args.code is None:
        for e in ENTRIES:
            print(f"{e.code}  {e.title}")
        return 0
    entry = lookup(args.code)
    if entry is None:
        raise InputError(
            f"no error has the code '{args.code}'",
            hint=did_you_mean(args.code.upper(), BY_CODE) or f"codes: {', '.join(BY_CODE)}",
        )
    error = entry.trigger()
    print(entry.render(error.render() if error is not None else None))
    return 0
