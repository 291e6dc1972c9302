"""Whole sessions driven through a pipe: answers, continuation lines, Ctrl-C, Ctrl-D, history that cannot break the REPL."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from racepolicy.repl.app import SafeFileHistory, history_path, make_history, run_interactive
from racepolicy.repl.session import Reply, Session

ENTER, CTRL_C, CTRL_D = "\r", "\x03", "\x04"


def drive(keys: str, session: Session | None = None, history=None) -> tuple[int, list[Reply], Session]:
    """Run the REPL on typed keys; return its exit code, every reply it printed, and the session."""
    session = session or Session()
    printed: list[Reply] = []
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()  # the end of input ends the session like Ctrl-D, so a test can never hang
        code = run_interactive(session, input=pipe, output=DummyOutput(), history=history or InMemoryHistory(), printer=printed.extend)
    return code, printed, session


def answers(printed: list[Reply]) -> list[str]:
    return [r.text.splitlines()[0] for r in printed if r.kind == "answer"]


def test_a_session_opens_on_the_bundled_editions_and_answers_with_citations() -> None:
    code, printed, _ = drive("penalty missing_jacket on UTMB" + ENTER + CTRL_D)
    assert code == 0
    assert "utmb-2022" in printed[0].text and "Editions loaded" in printed[0].text
    answer = next(r.text for r in printed if r.kind == "answer")
    # seed 003 "PENALTIES - DISQUALIFICATION": missing mandatory equipment on UTMB -> disqualification
    assert answer.startswith("disqualification    [utmb 2022]")
    assert "§ PENALTIES - DISQUALIFICATION" in answer


def test_enter_on_an_unfinished_query_continues_on_a_new_line() -> None:
    _, printed, session = drive("penalty smartphone_off, missing_whistle on" + ENTER + "OCC" + ENTER + CTRL_D)
    # seed 003 chart OCC MCC ETC: 10 minutes + 30 minutes
    assert answers(printed) == ["40min time penalty    [utmb 2022]"]
    assert session.last_query == "penalty smartphone_off, missing_whistle on\nOCC"


def test_enter_on_an_empty_continuation_line_sends_the_input_anyway() -> None:
    _, printed, _ = drive("cutoff" + ENTER + ENTER + "cutoff TDS" + ENTER + CTRL_D)
    errors = [r for r in printed if r.kind == "error"]
    assert len(errors) == 1 and "cutoff" in errors[0].text
    assert answers(printed) == ["44h    [utmb 2022]"]  # seed 003: TDS cut-off 44 hours


def test_ctrl_c_abandons_the_input_and_the_session_goes_on() -> None:
    _, printed, _ = drive("penalty missing_jacket on UT" + CTRL_C + "cutoff CCC" + ENTER + CTRL_D)
    assert answers(printed) == ["26h30    [utmb 2022]"]  # seed 003: CCC cut-off 26h30


def test_invalid_input_is_not_sent_and_ctrl_c_clears_it() -> None:
    _, printed, session = drive("penalty missing_jacket on UTMB OCC" + ENTER + CTRL_C + "cutoff OCC" + ENTER + CTRL_D)
    assert answers(printed) == ["14h30    [utmb 2022]"]
    assert session.failures == 0  # the validator kept the broken line from being sent


def test_errors_never_end_the_session() -> None:
    keys = "".join(line + ENTER for line in (
        "penalty missing_jaket on UTMB", "refund UTMBB cancelled 2022-05-15", ":edition utmb 1999", ":load /nowhere",
        "rule broken = UTMBB.fee", "eligible ETC", "cutoff MCC",
    ))
    code, printed, session = drive(keys + CTRL_D)
    assert code == 0
    assert session.failures == 6
    assert answers(printed)[-1] == "10h    [utmb 2022]"  # seed 003: MCC cut-off 10 hours
    assert "did you mean 'missing_jacket'?" in printed[1].text


def test_quit_command_leaves() -> None:
    code, printed, _ = drive(":quit" + ENTER + "cutoff TDS" + ENTER)
    assert code == 0 and answers(printed) == []


def test_a_what_if_penalty_applies_to_the_session_only() -> None:
    keys = "penalty littering on UTMB = 2h" + ENTER + "penalty littering on UTMB" + ENTER + CTRL_D
    _, printed, _session = drive(keys)
    assert answers(printed) == ["2h time penalty    [utmb 2022]"]
    assert "§ typed at the prompt (<session>:1)" in next(r.text for r in printed if r.kind == "answer")
    fresh = Session()
    fresh.open()
    assert not fresh.handle("penalty littering on UTMB")[0].text.startswith("2h")


def test_history_is_saved_in_the_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert history_path() == tmp_path / "racepolicy" / "history"
    history, note = make_history()
    assert note == ""
    drive("cutoff TDS" + ENTER + CTRL_D, history=history)
    assert "+cutoff TDS" in (tmp_path / "racepolicy" / "history").read_text(encoding="utf-8")
    # The next session finds it (Ctrl-R and Up search it).
    assert "cutoff TDS" in list(SafeFileHistory(str(history_path())).load_history_strings())


def test_an_unusable_history_folder_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    history, note = make_history(blocker / "racepolicy" / "history")
    assert isinstance(history, InMemoryHistory) and "history is not saved" in note
    code, printed, _ = drive("cutoff TDS" + ENTER + CTRL_D, history=history)
    assert code == 0 and answers(printed) == ["44h    [utmb 2022]"]


def test_a_corrupt_or_unwritable_history_file_does_not_crash(tmp_path: Path) -> None:
    path = tmp_path / "history"
    path.write_bytes(b"\xff\xfe garbage \x00\n+\xc3\x28\n")
    history = SafeFileHistory(str(path))
    code, printed, _ = drive("cutoff TDS" + ENTER + CTRL_D, history=history)
    assert code == 0 and answers(printed) == ["44h    [utmb 2022]"]
    if os.geteuid() != 0:  # root may write anywhere; the fallback is still exercised below
        path.chmod(0o400)
    history.filename = str(tmp_path / "no-such-folder" / "history")
    code, printed, _ = drive("cutoff CCC" + ENTER + CTRL_D, history=history)
    assert code == 0 and answers(printed) == ["26h30    [utmb 2022]"]
    assert "kept in memory only" in printed[-1].text


def test_ctrl_r_searches_the_history() -> None:
    # Keys come in steps, as typed: the prompt loads its history between two inputs.
    chunks = ["cutoff CCC" + ENTER, "cutoff TDS" + ENTER, "\x12", "cutoff C", ENTER, ENTER, CTRL_D]
    printed: list[Reply] = []
    with create_pipe_input() as pipe:

        def type_slowly() -> None:
            for chunk in chunks:
                time.sleep(0.2)
                pipe.send_text(chunk)
            pipe.close()

        threading.Thread(target=type_slowly, daemon=True).start()
        run_interactive(Session(), input=pipe, output=DummyOutput(), history=InMemoryHistory(), printer=printed.extend)
    # The search found `cutoff CCC` again; Enter took it, a second Enter sent it.
    assert answers(printed) == ["26h30    [utmb 2022]", "44h    [utmb 2022]", "26h30    [utmb 2022]"]
