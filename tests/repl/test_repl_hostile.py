"""The REPL under hostile input: bytes that are not UTF-8, and a thousand what-if definitions in one session."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from racepolicy.language import parser
from racepolicy.repl.session import Session
from repl_helpers import racepolicy_command

UTMB_2022 = str(Path(__file__).resolve().parents[2] / "policies" / "utmb-2022.policy")


def test_a_byte_that_is_not_utf8_piped_into_the_repl_is_an_error_on_its_line_and_the_session_goes_on() -> None:
    done = subprocess.run([*racepolicy_command(), "repl", UTMB_2022], input=b"fee CCC\n\xe9\nfee OCC\n", capture_output=True, timeout=120,
                          env={"PYTHONIOENCODING": "utf-8", "PATH": "/usr/bin:/bin"})
    out, err = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    assert "Traceback" not in err and "internal error" not in err
    assert "error[RP0701]: not UTF-8 text (byte 0xE9)" in err
    # seed 003:51 and 003:53 "ENTRY FEE": CCC 189€, OCC 115€ — both lines around the bad one are answered.
    assert "189.00 EUR" in out and "115.00 EUR" in out
    assert done.returncode == 2


def test_session_handle_turns_a_lone_surrogate_into_an_error_reply() -> None:
    session = Session([UTMB_2022])
    session.open()
    replies = session.handle("fee \udce9CCC")
    assert [r.ok for r in replies] == [False]
    assert "not UTF-8 text (byte 0xE9)" in replies[0].text and "1:5" in replies[0].text


def test_many_definitions_parse_each_typed_statement_a_bounded_number_of_times(monkeypatch: pytest.MonkeyPatch) -> None:
    # 1,000 rules typed in took 113 s: each definition re-parsed the file and every definition before it.
    session = Session([UTMB_2022])
    session.open()
    parsed: list[int] = []
    real = parser.parse_policy

    def counting(text: str, name: str = "<policy>") -> object:
        parsed.append(len(text))
        return real(text, name)

    monkeypatch.setattr(parser, "parse_policy", counting)
    count = 150
    for i in range(count):
        replies = session.handle(f"rule hostile_r{i} = UTMB.fee * {i % 50}%")
        assert replies[0].ok, replies[0].text
    assert len(parsed) <= 3 * count  # read as typed, stripped, and placed in the combined source; never the file again (before: 150 times)
    assert max(parsed) < 10 * len("rule hostile_r149 = UTMB.fee * 49%") + 2_000  # never the whole file (the padding is blank lines)


def test_a_typed_rule_still_replaces_the_files_rule_and_errors_point_into_the_typed_text() -> None:
    session = Session([UTMB_2022])
    session.open()
    assert session.handle("rule trip_insurance_price(amount: money) = amount * 5%")[0].ok
    # The file's rule said 4% (seed 003:996); the typed one now answers.
    assert session.handle("trip_insurance_price(1000 EUR)")[0].text.startswith("50.00 EUR")
    bad = session.handle("rule broken = UTMB.fee + 1h")
    assert not bad[0].ok and "<session>" in bad[0].text


def test_a_byte_that_is_not_utf8_typed_at_the_prompt_never_ends_the_session() -> None:
    from prompt_toolkit.history import InMemoryHistory
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput
    from racepolicy.repl.app import run_interactive
    from racepolicy.repl.session import Reply

    session = Session()
    printed: list[Reply] = []
    with create_pipe_input() as pipe:
        pipe.send_bytes(b"fee CCC\r\xe9\r\x03fee OCC\r")  # the bad line is kept from being sent; Ctrl-C clears it
        pipe.close()
        code = run_interactive(session, input=pipe, output=DummyOutput(), history=InMemoryHistory(), printer=printed.extend)
    assert code == 0
    # seed 003:51 and 003:53 "ENTRY FEE": CCC 189€, OCC 115€
    assert [r.text.splitlines()[0] for r in printed if r.kind == "answer"] == ["189.00 EUR    [utmb 2022]", "115.00 EUR    [utmb 2022]"]
