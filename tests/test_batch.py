"""`racepolicy run`: a rule over every row of a results file, bad rows reported by line, output all or nothing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from racepolicy.cli.main import main
from racepolicy.query.policyset import PolicySet
from racepolicy.tools import batch
from racepolicy.tools.batch import Progress, run_batch

POLICY = str(Path(__file__).resolve().parents[1] / "policies" / "utmb-2022.policy")

GOOD = "bib,race,cancelled\n1,UTMB,2022-05-15\n2,CCC,2022-04-30\n3,OCC,2022-07-01\n4,ETC,2022-08-01\n"
# line 3: unknown race; line 4: impossible date; line 5: a short row; line 6: a date that is no date;
# lines 7-8: one row whose quoted bib spans two lines; line 9: good.
MIXED = (
    "bib,race,cancelled\n"
    "1,UTMB,2022-05-15\n"
    "2,UTMBB,2022-05-15\n"
    "3,TDS,2022-13-01\n"
    "4,OCC\n"
    "5,MCC,15/05/2022\n"
    '"6\nsix",CCC,2022-06-30\n'
    "7,ETC,2022-08-01\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_refund_for_every_row_matches_the_interpreter(tmp_path: Path, bundled: PolicySet) -> None:
    source = write(tmp_path, "cancellations.csv", GOOD)
    out = tmp_path / "refunds.csv"
    summary = run_batch([POLICY], "refund", str(source), str(out), stderr=io.StringIO())
    assert (summary.read, summary.written, summary.rejected) == (4, 4, 0)
    rows = read_csv(out)
    # seed 003 "CANCELLATION OF A REGISTRATION": until end of April 60%, then 50%, 30%, August nothing
    assert [r["refund"] for r in rows] == ["152.50 EUR", "113.40 EUR", "34.50 EUR", "0.00 EUR"]
    for row in rows:
        expected = bundled.ask(f"refund({row['race']}, {row['cancelled']})", runner="interpreter").text
        assert row["refund"] == expected
    assert read_csv(Path(str(out) + ".errors.csv")) == []


def test_bad_rows_are_reported_with_their_line_and_the_run_goes_on(tmp_path: Path) -> None:
    source = write(tmp_path, "results.csv", MIXED)
    out = tmp_path / "out.csv"
    stderr = io.StringIO()
    summary = run_batch([POLICY], "refund", str(source), str(out), stderr=stderr)
    assert [r["bib"] for r in read_csv(out)] == ["1", "6\nsix", "7"]
    errors = read_csv(Path(str(out) + ".errors.csv"))
    assert [(e["line"], e["column"]) for e in errors] == [("3", "race"), ("4", "cancelled"), ("5", "cancelled"), ("6", "cancelled")]
    assert "unknown race 'UTMBB'" in errors[0]["message"] and "did you mean 'UTMB'" in errors[0]["message"]
    assert "not a calendar date" in errors[1]["message"]
    assert errors[2]["message"].startswith("missing column 'cancelled'")
    assert "not a date" in errors[3]["message"]
    assert f"{source}:3: column 'race': unknown race 'UTMBB'" in stderr.getvalue()
    assert summary.read == summary.written + summary.rejected == 7
    assert summary.rejected == 4


def test_cli_exit_code_is_1_when_rows_are_rejected_and_the_summary_adds_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path, "results.csv", MIXED)
    assert main(["run", POLICY, "refund", "--input", str(source), "--output", str(tmp_path / "o.csv")]) == 1
    err = capsys.readouterr().err
    assert "read 7 row(s): 3 written, 4 rejected" in err
    assert "\r" not in err  # no progress bar when stderr is not a terminal


def test_cli_exit_code_is_0_when_every_row_is_good(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path, "results.csv", GOOD)
    assert main(["run", POLICY, "refund", "-i", str(source)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "bib,race,cancelled,refund"
    assert out.splitlines()[1] == "1,UTMB,2022-05-15,152.50 EUR"


def test_two_jobs_give_the_same_output_and_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "CHUNK_ROWS", 2)  # several chunks in flight at once
    source = write(tmp_path, "results.csv", MIXED + GOOD.split("\n", 1)[1] * 5)
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    first = run_batch([POLICY], "refund", str(source), str(one), stderr=io.StringIO())
    second = run_batch([POLICY], "refund", str(source), str(two), jobs=2, stderr=io.StringIO())
    assert one.read_text() == two.read_text()
    assert [r["bib"] for r in read_csv(one)][:3] == ["1", "6\nsix", "7"]  # a quoted row across a chunk boundary
    assert [e["line"] for e in read_csv(Path(str(one) + ".errors.csv"))] == ["3", "4", "5", "6"]
    assert Path(str(one) + ".errors.csv").read_text() == Path(str(two) + ".errors.csv").read_text()
    assert (first.read, first.written, first.rejected) == (second.read, second.written, second.rejected) == (27, 23, 4)


def test_an_interrupted_run_leaves_no_output_and_keeps_the_old_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "CHUNK_ROWS", 1)
    source = write(tmp_path, "results.csv", GOOD)
    out = tmp_path / "refunds.csv"
    out.write_text("yesterday's results\n")
    calls = []
    real = batch.RowProcessor.process

    def interrupted(self: batch.RowProcessor, rows: list[tuple[int, object]]) -> tuple[str, list[tuple[int, str, str]], int]:
        calls.append(rows)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(self, rows)

    monkeypatch.setattr(batch.RowProcessor, "process", interrupted)
    assert main(["run", POLICY, "refund", "-i", str(source), "-o", str(out)]) == 130
    assert out.read_text() == "yesterday's results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refunds.csv", "results.csv"]


def test_an_unwritable_output_is_bad_input_and_nothing_is_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path, "results.csv", GOOD)
    assert main(["run", POLICY, "refund", "-i", str(source), "-o", str(tmp_path / "no-such-folder" / "out.csv")]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.csv"]


def test_map_feeds_parameters_from_other_headers(tmp_path: Path) -> None:
    source = write(tmp_path, "results.csv", "bib,course,when\n1,UTMB,2022-05-15\n")
    out = tmp_path / "out.csv"
    run_batch([POLICY], "refund", str(source), str(out), mapping=[("course", "race"), ("when", "cancelled")], stderr=io.StringIO())
    assert read_csv(out)[0]["refund"] == "152.50 EUR"


def test_a_missing_column_stops_the_run_before_it_starts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path, "results.csv", "bib,course,cancelled\n1,UTMB,2022-05-15\n")
    assert main(["run", POLICY, "refund", "-i", str(source), "-o", str(tmp_path / "out.csv")]) == 2
    err = capsys.readouterr().err
    assert "no column 'race'" in err and "--map COLUMN=race" in err
    assert not (tmp_path / "out.csv").exists()


def test_unknown_rule_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path, "results.csv", GOOD)
    assert main(["run", POLICY, "refnud", "-i", str(source)]) == 2
    assert "did you mean 'refund'" in capsys.readouterr().err


def test_json_lines_in_and_out_with_typed_values(tmp_path: Path) -> None:
    lines = [
        json.dumps({"bib": 1, "amount": 1000}),
        json.dumps({"bib": 2, "amount": "250 EUR"}),
        "{not json",
        json.dumps({"bib": 4}),
    ]
    source = write(tmp_path, "amounts.jsonl", "\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    summary = run_batch([POLICY], "trip_insurance_price", str(source), str(out), stderr=io.StringIO())
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["amount"] for r in rows] == [1000, "250 EUR"]  # input fields come back as they were
    # seed 003 "REGISTRATION CANCELLATION INSURANCE": 4% of the amount insured
    assert [r["trip_insurance_price"] for r in rows] == [
        {"type": "money", "amount": "40.00", "currency": "EUR"},
        {"type": "money", "amount": "10.00", "currency": "EUR"},
    ]
    errors = read_csv(Path(str(out) + ".errors.csv"))
    assert [(e["line"], e["message"]) for e in errors] == [("3", errors[0]["message"]), ("4", "missing column 'amount'")]
    assert errors[0]["message"].startswith("not JSON")
    assert (summary.read, summary.written, summary.rejected) == (4, 2, 2)


def test_record_parameter_from_dotted_columns(tmp_path: Path) -> None:
    source = write(tmp_path, "runners.csv", "name,runner.birth_year\nAda,2002\nBob,2003\n")
    out = tmp_path / "out.csv"
    run_batch([POLICY], "born_in_time", str(source), str(out), stderr=io.StringIO())
    # seed 003 "ENTRY PROCESS": open to any person born in or before 2002
    assert [r["born_in_time"] for r in read_csv(out)] == ["yes", "no"]


def test_evaluation_errors_reject_the_row(tmp_path: Path) -> None:
    # seed 003:464-465: bibs 37 to 40 are in no UTMB wave, so the time allowed to bib 37 is an evaluation error.
    source = write(tmp_path, "bibs.csv", "bib\n1\n37\n")
    out = tmp_path / "out.csv"
    summary = run_batch([POLICY], "time_allowed", str(source), str(out), stderr=io.StringIO())
    assert [r["time_allowed"] for r in read_csv(out)] == ["46h30"]
    errors = read_csv(Path(str(out) + ".errors.csv"))
    assert errors[0]["line"] == "3" and "37 falls in no band of race_of_bib" in errors[0]["message"]
    assert summary.rejected == 1


def test_progress_line_shows_rate_share_and_eta() -> None:
    stream = io.StringIO()
    progress = Progress(stream, total_bytes=1000, position=lambda: 250)
    progress.update(5000, final=False)
    text = stream.getvalue()
    assert text.startswith("\r[") and "25%" in text and "5,000 rows" in text and "rows/s" in text and "ETA" in text


def test_an_unreadable_csv_row_is_rejected_and_reading_goes_on(tmp_path: Path) -> None:
    huge = "x" * 1_100_000  # over the csv field limit
    source = write(tmp_path, "results.csv", f'bib,race,cancelled\n1,UTMB,2022-05-15\n2,"{huge}",2022-05-15\n3,CCC,2022-05-15\n')
    out = tmp_path / "out.csv"
    summary = run_batch([POLICY], "refund", str(source), str(out), stderr=io.StringIO())
    assert [r["bib"] for r in read_csv(out)] == ["1", "3"]
    errors = read_csv(Path(str(out) + ".errors.csv"))
    assert errors[0]["line"] == "3" and errors[0]["message"].startswith("unreadable CSV")
    assert (summary.read, summary.written, summary.rejected) == (3, 2, 1)
