"""The fused loop of `racepolicy run` (batch_fast) writes and reports exactly what the exact path does, byte for byte."""

from __future__ import annotations

import functools
import io
import re
import tempfile
import tokenize
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st
from racepolicy.language.errors import PolicyError
from racepolicy.tools import batch
from racepolicy.tools.batch import Job, Lines, RowProcessor, run_batch
from test_fuzz import fuzz_settings

POLICIES = Path(__file__).resolve().parents[1] / "policies"
UTMB = str(POLICIES / "utmb-2022.policy")
SERIES = str(POLICIES / "world-series-2023.policy")
UTMB_2016 = str(POLICIES / "utmb-2016.policy")

# Cells for each parameter: good ones (the rule answers), and ones the exact path rejects or that make the rule fail.
RACES = ["UTMB", "CCC", "OCC", "TDS", "MCC", "ETC", " OCC", "UTMBB", "utmb", ""]
DATES = ["2022-05-15", "2022-01-10", "2022-04-30", "2022-07-01", "2022-08-20", "2022-13-01", "15/05/2022", "2022-5-1", ""]
BOOLS = ["yes", "no", "true", "false", "1", "0", "Y", "maybe", ""]
TIERS = ["major", "event", "index", "Major", "elite", ""]
CATEGORIES = ["20K", "50K", "100K", "100M", "10K", " 50K", ""]
SEXES = ["men", "women", "mixed", ""]
RANKS = ["1", "3", "10", "400", "0", "-2", "1.5", "abc", "1_0", "1E+999999999", "NaN", "9" * 30, " 7", ""]
# rule, policy, (parameter, cells) in the rule's order
RULES: list[tuple[str, str, list[tuple[str, list[str]]]]] = [
    ("refund", UTMB, [("race", RACES), ("cancelled", DATES)]),  # a race and a date to money; dates past the schedule fail
    ("amount_paid", UTMB, [("race", RACES), ("insured", BOOLS)]),
    ("finals_qualification", SERIES, [("tier", TIERS), ("category", CATEGORIES), ("sex", SEXES), ("rank", RANKS)]),  # texts and a number
    ("has_finals_race", SERIES, [("category", CATEGORIES)]),  # one parameter: a file of one column
    ("bottle_refill", UTMB_2016, [("drink", ["plain water", "other drinks", "other", "coke", " "])]),  # one text, answered for any text
]
ENDS = st.sampled_from(["\n", "\n", "\n", "\r\n", "\r"])
EXTRA = st.sampled_from(["bib", "note", "Ω"])  # columns no parameter reads


LOAD_EDITION = batch.load_edition


@functools.cache
def _edition(policy: str, rule: str) -> Any:
    return LOAD_EDITION([policy], None, rule)


@contextmanager
def settings(fast: bool, chunk_rows: int, cache_limit: int) -> Iterator[None]:
    """Run with the fused loop or without it; small chunks and caches, so rows cross chunk boundaries and caches fill."""
    with mock.patch.object(batch, "FAST_LOOP", fast), mock.patch.object(batch, "CHUNK_ROWS", chunk_rows), \
            mock.patch.object(batch, "CACHE_LIMIT", cache_limit), \
            mock.patch.object(batch, "load_edition", lambda policy, edition, rule, *_: _edition(policy[0], rule)):  # the policy once, not per example
        yield


def run(data: bytes, policy: str, rule: str, fast: bool, chunk_rows: int, cache_limit: int) -> tuple[Any, ...]:
    """Everything a run leaves: the summary, stderr, the output and errors files (or the error that stopped it)."""
    with tempfile.TemporaryDirectory() as folder, settings(fast, chunk_rows, cache_limit):
        source, out = Path(folder) / "in.csv", Path(folder) / "out.csv"
        source.write_bytes(data)
        stderr = io.StringIO()
        try:
            summary = run_batch([policy], rule, str(source), str(out), stderr=stderr)
        except PolicyError as exc:
            return ("refused", str(exc).replace(folder, "<folder>"), stderr.getvalue())
        messages = stderr.getvalue().replace(folder, "<folder>")  # the two runs have two folders
        return summary, messages, out.read_bytes(), Path(str(out) + ".errors.csv").read_bytes()


@st.composite
def mixed_file(draw: st.DrawFn) -> tuple[str, str, bytes]:
    """A results file for one of RULES: the parameters' columns in any order among others, rows good and bad, lines
    blank, short or long, any line end, now and then a quoted cell or a byte that is not UTF-8 (their chunk is read
    by the csv module, the others by the loop)."""
    rule, policy, params = draw(st.sampled_from(RULES))
    extra = draw(st.lists(EXTRA, max_size=2, unique=True))
    wide = [f"c{i}" for i in range(draw(st.sampled_from([0, 0, 0, 70])))]  # wider than the loop unpacks
    columns = [name for name, _ in params] + extra + wide
    columns = draw(st.permutations(columns))
    cells = dict(params)
    lines = [",".join(columns) + "\n"]
    for _ in range(draw(st.integers(0, 14))):
        row = [draw(st.sampled_from(cells[c])) if c in cells else draw(st.sampled_from(["7", "", "x"])) for c in columns]
        damage = draw(st.sampled_from(["none"] * 8 + ["short", "long", "blank", "quote", "latin1", "spaces"]))
        if damage == "short":
            row = row[: draw(st.integers(0, len(row) - 1))]
        elif damage == "long":
            row.append("extra")
        elif damage == "quote":
            where = draw(st.integers(0, len(row) - 1))
            row[where] = draw(st.sampled_from([f'"{row[where]}"', f'"{row[where]},x"', '"', f'"{row[where]}""']))
        text = ",".join(row) if damage != "blank" else draw(st.sampled_from(["", " "]))
        if damage == "spaces":
            text = " " + text
        line = text.encode() + draw(ENDS).encode()
        if damage == "latin1":
            line = line.replace(b"\n", b"\xe9\n", 1) if b"\n" in line else b"\xe9" + line
        lines.append(line.decode("utf-8", "surrogateescape"))
    data = "".join(lines).encode("utf-8", "surrogateescape")
    if draw(st.booleans()):  # no line end after the last row
        data = data.rstrip(b"\r\n")
    return rule, policy, data


@fuzz_settings(normal=80)
@given(mixed_file(), st.integers(1, 5), st.sampled_from([1, 3, 10_000]))
def test_the_fused_loop_writes_and_reports_exactly_what_the_exact_path_does(case: tuple[str, str, bytes], chunk_rows: int, cache_limit: int) -> None:
    rule, policy, data = case
    exact = run(data, policy, rule, False, chunk_rows, cache_limit)
    fast = run(data, policy, rule, True, chunk_rows, cache_limit)
    assert fast == exact  # the summary, every message on stderr, the output and the errors file, byte for byte


def _processor(policy: str, rule: str, header: tuple[str, ...]) -> RowProcessor:
    return RowProcessor(Job((policy,), "", rule, "csv", header, (), rule), _edition(policy, rule))


def test_rows_the_loop_expects_never_reach_the_exact_path() -> None:
    # The loop is what makes a run fast: once a column's cells are converted, a good row must not fall back.
    processor = _processor(UTMB, "refund", ("bib", "race", "cancelled"))
    lines = [f"{n},{race},2022-05-15\n" for n, race in enumerate(["UTMB", "CCC", "OCC"] * 100)]
    original = RowProcessor._process_csv
    with mock.patch.object(RowProcessor, "_process_csv", autospec=True, side_effect=original) as exact:
        first = processor.process(Lines(2, lines))
        fallbacks = exact.call_count
        second = processor.process(Lines(302, lines))
        # A chunk that holds a quote (read by the csv module): only the row the csv module read takes the exact path.
        quoted = processor.process([(602, ["1", "UTMB", "2022-05-15"], "1,UTMB,2022-05-15"), (603, ["2", "CCC", "2022-05-15"], None),
                                    (605, ["3", "OCC", "2022-05-15"], "3,OCC,2022-05-15")])
        # Lines some of which hold quotes closed on their own line: only those go to the csv module and the exact path.
        quoted_lines = processor.process(Lines(606, ["1,UTMB,2022-05-15\n", '2,"CCC",2022-05-15\n', "3,OCC,2022-05-15\n"], True))
    assert fallbacks == 3  # the first row of each race, whose cell was not converted yet
    assert exact.call_count == fallbacks + 2  # none in the second chunk, one in the third, one in the fourth
    assert quoted_lines == quoted
    assert (first[1], first[2]) == ([], 300) and second[0] == first[0]
    assert quoted[0].splitlines() == [first[0].splitlines()[i].replace(str(i), str(i + 1), 1) for i in range(3)]


def test_a_bad_row_in_the_loop_is_reported_in_its_place_with_its_line() -> None:
    processor = _processor(UTMB, "refund", ("bib", "race", "cancelled"))
    lines = ["1,UTMB,2022-05-15\n", "2,UTMBB,2022-05-15\n", "\n", "3,CCC\n", "4,OCC,2022-13-01\n", "5,OCC,2022-05-15\r\n"]
    with mock.patch.object(batch, "FAST_LOOP", False):
        exact = _processor(UTMB, "refund", ("bib", "race", "cancelled")).process(Lines(2, lines))
    assert processor.loops is not None
    output, errors, written = processor.process(Lines(2, lines))
    assert (output, errors, written) == exact
    assert [line for line, _, _ in errors] == [3, 5, 6]  # the blank line 4 is no row
    assert output.splitlines()[0].startswith("1,UTMB,2022-05-15,") and output.splitlines()[1].startswith("5,OCC,2022-05-15,")


def test_the_generated_loop_holds_no_text_from_the_input() -> None:
    # Column names, the rule's name and cells never enter the generated source: fields are named by position.
    hostile = ("__import__('os').system('true')", "race", "x\nimport os", "cancelled", "'); exec('1", "Ω" * 3)
    processor = _processor(UTMB, "refund", hostile)
    assert processor.loops is not None
    processor.process(Lines(2, [",".join(hostile) + "\n", "a,UTMB,b,2022-05-15,c,d\n"], False))
    allowed_names = {"def", "for", "in", "if", "not", "try", "except", "raise", "continue", "is", "None", "enumerate", "len",
                     "Exception", "KeyError", "TypeError", "ValueError", "IndexError", "rule", "endings", "ending", "exact", "exact_line",
                     "_rule", "_endings", "_ending", "_exact", "_exact_line", "append", "out", "errors", "lines", "first", "line", "n",
                     "text", "split", "rstrip", "value", "row", "rows", "fields", "_lines", "_quoted_lines", "_rows"}
    tokens = list(tokenize.generate_tokens(io.StringIO(processor.loops.source).readline))
    names = {t.string for t in tokens if t.type == tokenize.NAME}
    assert {n for n in names if not re.fullmatch(r"[fc]\d+|_c\d+", n)} <= allowed_names
    assert {t.string for t in tokens if t.type == tokenize.STRING} <= {"','", "'\\r\\n'", "'\"'"}
    assert all(t.string.isdigit() for t in tokens if t.type == tokenize.NUMBER)
    for word in (*hostile, "refund", "UTMB"):
        assert word not in processor.loops.source
