"""`racepolicy fmt` in a shared folder: links written through, headings and their comments kept in place, no stale files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from racepolicy.cli.main import main
from racepolicy.language.parser import parse_policy
from racepolicy.tools.formatter import format_policy

MESSY = 'edition utmb 2022 "t"\nrule a   =   3\n'
TIDY = 'edition utmb 2022 "t" currency EUR\nrule a = 3\n'


def test_fmt_on_a_symlink_formats_the_file_it_points_to_and_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.policy"
    real.write_text(MESSY, encoding="utf-8")
    real.chmod(0o664)
    link = tmp_path / "link.policy"
    link.symlink_to(real)
    assert main(["fmt", str(link)]) == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8") == TIDY
    assert stat.S_IMODE(real.stat().st_mode) == 0o664
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.policy", "real.policy"]


def test_a_comment_between_section_and_its_title_stays_at_the_heading() -> None:
    text = 'edition utmb 2022 "t"\nsection # the fees\n  "Fees"\nrule a = 3\nrule b = 4\n'
    result = format_policy(text)
    assert result.splitlines()[1] == 'section "Fees"  # the fees'
    assert format_policy(result) == result


def test_a_statement_and_a_section_on_one_line_format_as_check_reads_them() -> None:
    text = 'edition utmb 2022 "t"\nrule a = 3 section "S"\nrule b = 4\n'
    result = format_policy(text)  # refused with RP0901 before: the heading was put before `rule a`
    assert result.splitlines()[1:] == ["rule a = 3", 'section "S"', "rule b = 4"]
    assert parse_policy(result) == parse_policy(text)


def test_fmt_removes_temporary_files_a_killed_run_left_and_keeps_a_live_runs(tmp_path: Path) -> None:
    path = tmp_path / "p.policy"
    path.write_text(MESSY, encoding="utf-8")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f".p.policy.{dead}.x1y2.tmp"
    stale.write_text("half\n")
    live = tmp_path / f".p.policy.{os.getppid()}.x1y2.tmp"
    live.write_text("another fmt, still running\n")
    assert main(["fmt", str(path)]) == 0
    assert not stale.exists() and live.exists()


def test_formatting_parses_the_text_and_the_result_once_each(monkeypatch: pytest.MonkeyPatch) -> None:
    # fmt of a 2 MB policy took 52 s: the text was parsed three times and the result twice (headings asked for apart).
    from racepolicy.language import parser

    parses: list[int] = []
    real, real_direct = parser._lark(), parser._direct()

    class Counting:
        def parse(self, text: str, start: str) -> object:
            parses.append(len(text))
            return real.parse(text, start=start)

    class CountingDirect:  # the direct parse (parser.Driver) reads a valid text without Lark's own parse
        def parse(self, text: str, start: str) -> object:
            parses.append(len(text))
            return real_direct.parse(text, start)

    monkeypatch.setattr(parser, "_lark", lambda: Counting())
    monkeypatch.setattr(parser, "_direct", lambda: CountingDirect())
    text = 'edition utmb 2022 "t"\nsection "Fees"\n# why\nrule a   =   3\nsection "Rules"\nrule b = a\n'
    result = format_policy(text + "# unique to this test\n")
    assert "section \"Rules\"" in result
    assert len(parses) == 2


def test_finding_the_statement_that_holds_each_comment_is_not_a_scan_per_comment() -> None:
    # Thousands of own-line comments inside and between statements keep their places.
    body = "".join(f"# before r{i}\nrule r{i} =\n  # inside r{i}\n  {i}\n" for i in range(2_000))
    result = format_policy('edition utmb 2022 "t"\n' + body)
    lines = result.splitlines()
    # A comment inside a statement laid out on one line follows it.
    assert lines[1:7] == ["# before r0", "rule r0 = 0", "# inside r0", "# before r1", "rule r1 = 1", "# inside r1"]
    assert result.count("# inside r") == 2_000 and result.count("# before r") == 2_000
    assert format_policy(result) == result
