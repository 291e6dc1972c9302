"""No input, however broken, gets past the REPL's parts as anything but a reply: the session must never crash."""

from __future__ import annotations

import functools

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from racepolicy.repl.completer import RacePolicyCompleter
from racepolicy.repl.session import Session
from racepolicy.repl.validator import status

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
