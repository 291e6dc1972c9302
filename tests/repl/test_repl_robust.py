"""No input, however broken, gets past the REPL's parts as anything but a reply: the session must never crash."""

from __future__ import annotations

import functools
import os
import subprocess

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from racepolicy.repl.completer import RacePolicyCompleter
from racepolicy.repl.session import Session
from racepolicy.repl.validator import status
from repl_helpers import racepolicy_command, say

# Words of the language mixed with noise reach deeper than random characters alone.
WORDS = st.sampled_from([
    "penalty", "on", "UTMB", "missing_jacket", ",", "=", "1h", "given", "runner", "{", "}", ":", "birth_year", "eligible",
    "refund", "cancelled", "2022-05-15", "rule", "x", "(", ")", "if", "then", "else", '"', "§", ":facts", ":edition", "utmb",
    "2016", ":explain", ":diff", "\n", "#", "..", "->", "disqualify", "race", ".", "fee", "%", "-", "*", "[", "]",
])
INPUT = st.one_of(st.text(max_size=60), st.lists(WORDS, max_size=12).map(" ".join))


@functools.cache
def shared_session() -> Session:
    session = Session()
    session.open()
    return session


@settings(max_examples=150, deadline=None)
@given(INPUT)
def test_any_line_gets_replies_never_an_exception(text: str) -> None:
    assume(":load" not in text)  # loading a random folder (say /) would scan the disk, not test the REPL
    session = shared_session()
    for reply in session.handle(text):
        assert "internal error" not in reply.text, reply.text
    session.handle(":session clear")


@settings(max_examples=150, deadline=None)
@given(INPUT)
def test_validator_and_completer_take_any_text(text: str) -> None:
    status(text)
    list(RacePolicyCompleter(shared_session()).get_completions(Document(text), CompleteEvent(completion_requested=True)))


def test_a_policy_deleted_while_the_repl_runs_keeps_the_last_good_version(cup) -> None:
    session = Session([str(cup)])
    session.open()
    cup.unlink()
    reply = say(session, ":reload")
    assert not reply.ok
    assert "no such file" in reply.text
    # The edition loaded before the file went away still answers.
    assert say(session, "penalty littering on A").text.startswith("15min")


def test_a_huge_paste_gets_a_message_and_the_session_goes_on(session: Session) -> None:
    reply = say(session, "penalty " + "missing_jacket, " * 100_000 + "littering on UTMB")
    assert not reply.ok
    assert "over the limit" in reply.text
    assert say(session, "cutoff TDS").text.startswith("44h")  # seed 003 "TIME LIMIT": TDS 44 hrs


def test_binary_junk_on_stdin_is_reported_line_by_line_without_a_traceback(tmp_path) -> None:
    junk = b"\x00\xff\xfe garbage \x80\x81\n\x1b[31m\x07\ncutoff TDS\n" + bytes(range(256)) + b"\n"
    result = subprocess.run(
        [*racepolicy_command("repl")], input=junk, capture_output=True, timeout=60,
        env={**os.environ, "XDG_DATA_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)},
    )
    output = result.stdout.decode("utf-8", "replace") + result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2  # some lines failed, and a script must see it
    assert "Traceback" not in output
    assert "44h" in output  # the good line in the middle was still answered
