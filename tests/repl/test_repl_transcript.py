"""A race meeting's session, as a transcript a reviewer reads; and `racepolicy repl < questions.txt` for scripts."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest
from racepolicy.repl.app import run_lines
from racepolicy.repl.session import Session
from repl_helpers import racepolicy_command
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode


class TranscriptExtension(SingleFileSnapshotExtension):
    """A plain-text snapshot file, readable in a review on GitHub."""

    _write_mode = WriteMode.TEXT
    file_extension = "txt"


@pytest.fixture
def transcript(snapshot):
    return snapshot.use_extension(TranscriptExtension)


# A jury at UTMB 2022 deals with a runner at CCC, checks a few cases, tries a what-if, then looks back at 2016.
RACE_MEETING = """\
:edition utmb 2022
:facts runner = {birth_year: 1985}
penalty missing_jacket on CCC
penalty smartphone_off, missing_whistle on OCC
penalty short_cutting on UTMB
cutoff TDS
refund UTMB cancelled 2022-05-15
eligible ETC
eligible ETC given runner = {birth_year: 2001}
penalty missing_jaket on CCC
:explain refund CCC cancelled 2022-07-15
penalty littering on CCC = 1h
penalty littering on CCC
:session
:edition utmb 2016
penalty lack_of_respect on UTMB
:quit
cutoff UTMB
"""


def test_race_meeting_transcript(transcript) -> None:
    out = io.StringIO()
    code = run_lines(Session(), RACE_MEETING.splitlines(), out, out)
    assert code == 2  # the typo failed, so a script would see it
    assert out.getvalue() == transcript


def test_script_answers_line_by_line_and_exits_0() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = run_lines(Session(), ["cutoff TDS", "", "# a comment", "penalty missing_jacket on UTMB"], out, err)
    assert code == 0 and err.getvalue() == ""
    assert out.getvalue().splitlines()[:2] == ["> cutoff TDS", "44h    [utmb 2022]"]


def test_script_with_a_failed_query_exits_2_and_goes_on() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = run_lines(Session(), ["penalty missing_jaket on UTMB", "cutoff TDS"], out, err)
    assert code == 2
    assert "unknown infraction 'missing_jaket'" in err.getvalue()
    assert "44h    [utmb 2022]" in out.getvalue()


def test_racepolicy_repl_reads_stdin_when_it_is_not_a_terminal(tmp_path: Path) -> None:
    questions = "refund UTMB cancelled 2022-05-15\ncutoff CCC\n"
    done = subprocess.run(racepolicy_command("repl"), input=questions, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, XDG_DATA_HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path)))
    assert done.returncode == 0, done.stderr
    # seed 003 "CANCELLATION OF A REGISTRATION": 50% of the 305 EUR fee until the end of June
    assert "152.50 EUR (50% of 305.00 EUR)    [utmb 2022]" in done.stdout
    assert "26h30    [utmb 2022]" in done.stdout
    bad = subprocess.run(racepolicy_command("repl"), input="penalty jacket on UTMB\n", capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, XDG_DATA_HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path)))
    assert bad.returncode == 2 and "error" in bad.stderr and "Traceback" not in bad.stderr
