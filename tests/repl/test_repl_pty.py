"""End to end in a real pseudo-terminal: start `racepolicy repl`, type with Tab completion, read the answer, Ctrl-C, Ctrl-D."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pexpect
from repl_helpers import racepolicy_command

# Generous: a shared CI box may be slow to start Python; nothing here waits unless the REPL is late.
TIMEOUT = 60


def test_typing_a_query_with_tab_completion_in_a_terminal(tmp_path: Path) -> None:
    command = racepolicy_command("repl")
    env = dict(os.environ, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", XDG_DATA_HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path), NO_COLOR="1")
    child = pexpect.spawn(command[0], command[1:], env=env, encoding="utf-8", timeout=TIMEOUT, dimensions=(40, 160))
    try:
        child.expect("Editions loaded")
        child.expect("racepolicy>")
        child.send("penalty missing_jack")
        time.sleep(0.5)  # let the completer see the text before Tab, as a person would
        child.send("\t")  # completes missing_jack to missing_jacket: without it the query would fail
        time.sleep(0.5)
        child.send(" on UTMB\r")
        # seed 003 "PENALTIES - DISQUALIFICATION": missing mandatory equipment on UTMB -> disqualification
        child.expect(r"disqualification\s+\[utmb 2022\]")
        child.expect("PENALTIES - DISQUALIFICATION")
        child.expect("racepolicy>")
        child.send("cutoff TD")
        time.sleep(0.3)
        child.sendcontrol("c")  # abandons the input; the session goes on
        child.expect("racepolicy>")
        child.send("cutoff TDS\r")
        child.expect(r"44h\s+\[utmb 2022\]")
        child.expect("racepolicy>")
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert "+penalty missing_jacket on UTMB" in (tmp_path / "racepolicy" / "history").read_text(encoding="utf-8")
