"""Helpers of the REPL tests: a small policy text and a way to get one reply per line."""

from __future__ import annotations

import sys
from pathlib import Path

from racepolicy.repl.session import Reply, Session

CUP_POLICY = '''edition testcup 2024 "Test cup" currency EUR
section "PENALTIES"
race A "A race": distance 10 km, fee 20 EUR, cutoff 2h
infraction littering "Throwing waste"
penalty littering on all = 15min § "Littering: 15 minutes"
'''


def say(session: Session, line: str) -> Reply:
    """The one reply to a line (commands that print several replies are joined)."""
    replies = session.handle(line)
    assert replies, f"no reply to {line!r}"
    return Reply("\n".join(r.text for r in replies if r.text), ok=all(r.ok for r in replies), quit=any(r.quit for r in replies))


def racepolicy_command(*args: str) -> list[str]:
    """The console script next to this Python, or `python -m racepolicy.cli.main` when it is not installed there."""
    script = Path(sys.executable).with_name("racepolicy")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "racepolicy.cli.main", *args]
