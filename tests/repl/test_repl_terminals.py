"""Tab then Enter in real terminals: one that answers cursor-position requests (tmux) and one that does not (pexpect, no CPR)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pexpect
import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from racepolicy.repl.completer import RacePolicyCompleter, RankedCompleter
from racepolicy.repl.session import Session
from repl_helpers import racepolicy_command

TIMEOUT = 60


def _env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, TERM="xterm", XDG_DATA_HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path), NO_COLOR="1")


def test_tab_offers_prefix_matches_before_fuzzy_ones(session: Session) -> None:
    completer = RankedCompleter(RacePolicyCompleter(session))
    offered = [c.text for c in completer.get_completions(Document("pena"), CompleteEvent(completion_requested=True))]
    assert offered[0] == "penalty"
    offered = [c.text for c in completer.get_completions(Document("pe"), CompleteEvent(completion_requested=True))]
    prefixed = [o for o in offered if o.casefold().startswith("pe")]
    assert offered[: len(prefixed)] == prefixed  # every prefix match before any fuzzy one


def test_enter_after_a_tab_selected_completion_runs_the_query_without_cpr(tmp_path: Path) -> None:
    # GIVEN a pseudo-terminal that never answers cursor-position requests
    command = racepolicy_command("repl")
    env = dict(_env(tmp_path), PROMPT_TOOLKIT_NO_CPR="1")
    child = pexpect.spawn(command[0], command[1:], env=env, encoding="utf-8", timeout=TIMEOUT, dimensions=(40, 160))
    try:
        child.expect("racepolicy>")
        child.send("cutoff TD")
        time.sleep(1.0)  # let the completer see the text before Tab, as a person would
        child.send("\t")  # selects TDS in the menu
        time.sleep(1.0)
        # WHEN Enter is pressed once
        child.send("\r")
        # THEN the query runs: seed 003:532 "TDS®: 44 hrs"
        child.expect(r"44h\s+\[utmb 2022\]")
        child.expect("racepolicy>")
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)


@pytest.fixture
def tmux_repl(tmp_path: Path):  # type: ignore[no-untyped-def]
    """`racepolicy repl` in a tmux pane: a real terminal emulator, which answers cursor-position requests."""
    assert shutil.which("tmux"), "tmux is needed for this test (.ci/run installs it)"
    name = f"racepolicy-{uuid.uuid4().hex[:8]}"
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in _env(tmp_path).items() if k in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "NO_COLOR", "PATH"))
    command = " ".join(shlex.quote(part) for part in racepolicy_command("repl"))
    socket = ["-L", name]  # a private tmux server: nothing of the tester's own tmux is touched
    subprocess.run(["tmux", *socket, "new-session", "-d", "-s", name, "-x", "160", "-y", "40", f"env TERM=xterm {env} {command}"], check=True)
    target = name

    def tmux(*args: str) -> str:
        return subprocess.run(["tmux", *socket, *args], capture_output=True, text=True, check=True).stdout

    try:
        yield tmux, target
    finally:
        subprocess.run(["tmux", *socket, "kill-server"], capture_output=True, check=False)


def _wait(tmux, target: str, text: str) -> str:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + TIMEOUT
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", target)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")


def test_tab_ranking_and_enter_after_completion_in_a_real_terminal(tmux_repl) -> None:  # type: ignore[no-untyped-def]
    tmux, target = tmux_repl
    _wait(tmux, target, "racepolicy>")
    # `pena` + Tab takes the first completion offered: penalty, a prefix match, not a fuzzy one.
    tmux("send-keys", "-t", target, "pena")
    time.sleep(0.5)
    tmux("send-keys", "-t", target, "Tab")
    _wait(tmux, target, "racepolicy> penalty")  # the screen shows the completion before anything else is typed
    tmux("send-keys", "-t", target, " missing_jacket on UTMB", "Enter")
    # seed 003 penalty chart: missing mandatory equipment on UTMB -> disqualification
    _wait(tmux, target, "disqualification    [utmb 2022]")
    # Tab selects a completion, and one Enter runs the query.
    tmux("send-keys", "-t", target, "cutoff TD")
    time.sleep(0.5)
    tmux("send-keys", "-t", target, "Tab")
    _wait(tmux, target, "racepolicy> cutoff TDS")
    time.sleep(0.2)  # the menu is still open, as a person sees it, when Enter comes
    tmux("send-keys", "-t", target, "Enter")
    screen = _wait(tmux, target, "44h    [utmb 2022]")  # seed 003:532 "TDS®: 44 hrs"
    assert "cutoff TDS" in screen
