"""Property: whatever damage a results file has, every row read is written or rejected, and no line is lost or crashes."""

from __future__ import annotations

import csv
import functools
import io
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from racepolicy.language.errors import PolicyError
from racepolicy.tools import batch
from racepolicy.tools.batch import run_batch
from test_fuzz import fuzz_settings

POLICY = str(Path(__file__).resolve().parents[1] / "policies" / "utmb-2022.policy")
CSV_HEADER = b"bib,race,cancelled\n"
CSV_ROWS = [b"1,UTMB,2022-05-15", b"2,CCC,2022-04-30", b'3,"OCC",2022-07-01', b"4,ETC,2022-08-01", b'"5\nfive",TDS,2022-06-10', b"6,MCC,2022-13-01"]
JSONL_ROWS = [b'{"race": "UTMB", "cancelled": "2022-05-15"}', b'{"race": "CCC", "cancelled": "2022-04-30", "bib": 2}', b'{"race": "OCC"}',
              b'{"race": "TDS", "cancelled": "2022-06-10", "n": [1, {"a": 2.5}]}', b"[1, 2]"]
# What a broken export, a bad copy or a hostile hand puts into a file.
PIECES = st.sampled_from([
    b'"', b'""', b",", b"\n", b"\r", b"\r\n", b"\xe9", b"\xff\xfe", b"\x00", b"\xef\xbb\xbf", b"{", b"}", b"[", b"]", b"\\", b" ",
    b"1E+999999999", b"1_0", b"NaN", b"9" * 30, b'"a\nb"', b"[" * 200, b"\xe2\x80\xa8", b"\x85", b"null", b"UTMB", b"\\ud800", b'"\\udce9"',
])


@st.composite
def damaged(draw: st.DrawFn, rows: list[bytes], header: bytes) -> bytes:
    """A file of good rows, then inserts, deletions, duplications and a cut, anywhere (the header too)."""
    body = b"\n".join(draw(st.lists(st.sampled_from(rows), min_size=1, max_size=12))) + b"\n"
    data = bytearray(header + body)
    for _ in range(draw(st.integers(0, 6))):
        where = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "duplicate", "cut"]))
        if kind == "insert":
            data[where:where] = draw(PIECES)
        elif kind == "delete":
            del data[where : where + draw(st.integers(1, 8))]
        elif kind == "duplicate":
            data[where:where] = data[where : where + draw(st.integers(1, 40))]
        elif draw(st.booleans()):  # a cut, rarely: half of them keep the file whole
            del data[max(where, len(header)) :]
    return bytes(data)


def lines_of(data: bytes) -> list[str]:
    """The file's lines as any reader splits them: at \\n, \\r and \\r\\n, bytes that are not UTF-8 kept."""
    text = data.decode("utf-8", "surrogateescape").removeprefix("\ufeff")
    return list(io.StringIO(text, newline=""))


LOAD_EDITION = batch.load_edition


@functools.cache
def edition() -> object:
    return LOAD_EDITION([POLICY], None, "refund")


def run(data: bytes, suffix: str) -> tuple[batch.Summary, int, int] | None:
    """The summary, the rows in the output and the rows in the errors file; None when the run refused to start."""
    chunk_rows, loader = batch.CHUNK_ROWS, batch.load_edition
    batch.CHUNK_ROWS = 3  # several chunks, so rows span chunk boundaries
    batch.load_edition = lambda *args: edition()  # type: ignore[assignment] # the policy once, not once per example
    try:
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / f"in{suffix}"
            source.write_bytes(data)
            out = Path(folder) / f"out{suffix}"
            try:
                summary = run_batch([POLICY], "refund", str(source), str(out), stderr=io.StringIO())
            except PolicyError:
                return None
            text = out.read_text(encoding="utf-8")
            # JSON strings may hold U+2028, at which splitlines() would split: JSON Lines rows end at "\n" only.
            written = len(list(csv.reader(io.StringIO(text, newline="")))) - 1 if suffix == ".csv" else text.count("\n")
            with open(str(out) + ".errors.csv", newline="", encoding="utf-8") as handle:
                rejected = len(list(csv.reader(handle))) - 1
            return summary, written, rejected
    finally:
        batch.CHUNK_ROWS, batch.load_edition = chunk_rows, loader


@fuzz_settings(normal=60)
@given(damaged(CSV_ROWS, CSV_HEADER))
def test_every_row_of_a_damaged_csv_is_written_or_rejected(data: bytes) -> None:
    result = run(data, ".csv")
    if result is None:  # only a header that is no header may stop the run
        assert lines_of(data)[:1] != [CSV_HEADER.decode()]
        return
    summary, written, rejected = result
    assert summary.read == summary.written + summary.rejected
    assert (written, rejected) == (summary.written, summary.rejected)
    if b'"' not in data:  # without quotes every line that is not blank is one row, so none may vanish
        assert summary.read == sum(1 for line in lines_of(data)[1:] if line.rstrip("\r\n"))


@fuzz_settings(normal=60)
@given(damaged(JSONL_ROWS, b""))
def test_every_line_of_a_damaged_json_lines_file_is_written_or_rejected(data: bytes) -> None:
    result = run(data, ".jsonl")
    assert result is not None
    summary, written, rejected = result
    assert summary.read == summary.written + summary.rejected
    assert (written, rejected) == (summary.written, summary.rejected)
    # A JSON Lines row is one line, always: every line that is not blank is read.
    assert summary.read == sum(1 for line in lines_of(data) if line.strip())
