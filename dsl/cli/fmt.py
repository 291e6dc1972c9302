"""`racepolicy fmt FILES… [--check] [--diff]`: give policies the canonical layout, losing nothing."""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from pathlib import Path

from racepolicy.cli.common import report
from racepolicy.language.errors import InputError, PolicyError
from racepolicy.query.policyset import policy_files, read_source
from racepolicy.tools.tempfiles import commit, create_beside, real_target


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="policy files or folders of them")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is not in canonical layout (for CI)")
    parser.add_argument("--diff", action="store_true", help="change nothing; print what formatting would change")


def write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file beside the real file (a symlink is followed, and stays a link) and rename it over
    that file, keeping its mode; temporaries left by a killed run are removed on the way."""
    target = real_target(path)
    handle, temporary, mode = create_beside(target, ".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        commit(temporary, target, mode)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    from racepolicy.tools.formatter import format_policy

    changed = failed = 0
    for path in policy_files(args.paths):
        try:
            source = read_source(path)
            result = format_policy(source.text, source.name)
        except PolicyError as exc:
            report(exc)
            failed += 1
            continue
        if result == source.text:
            continue
        changed += 1
        if args.diff:
            sys.stdout.writelines(difflib.unified_diff(
                source.text.splitlines(keepends=True), result.splitlines(keepends=True), f"{path} (now)", f"{path} (formatted)",
            ))
        elif args.check:
            print(f"{path}: would be reformatted")
        else:
            try:
                write_atomically(path, result)
            except OSError as exc:
                report(InputError(f"cannot write: {exc.strerror or exc}", source=source, hint="the file was left as it was"))
                failed += 1
                continue
            print(f"{path}: reformatted")
    if failed:
        return 2
    return 1 if changed and (args.check or args.diff) else 0
