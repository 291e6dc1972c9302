"""Batch runs: evaluate one rule for every row of a CSV or JSON Lines file, streaming, in constant memory.

Rows flow in chunks: read (with the line each row starts on), convert each
column to the kind of the parameter it feeds, call the compiled rule, format
the output. A chunk is processed by the same function in this process or in a
worker process, so `--jobs N` cannot change an answer, and chunks are written
back in input order. Bad rows are set aside with their line number and the
run goes on. Output and error files are written under a temporary name in
their own folder and renamed only when the run completes.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import json
import operator
import os
import re
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

import attrs
from racepolicy.evaluation.model import Edition
from racepolicy.evaluation.values import Duration, Length, Money, Percent, RaceValue, Record, render, to_json
from racepolicy.language.errors import InputError, PolicyError, did_you_mean

CHUNK_ROWS = 2000
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
CACHE_LIMIT = 10_000  # distinct cell texts remembered per column
STDERR_ERRORS = 20  # bad rows shown on stderr; the errors file has them all

# csv refuses fields over 128 KiB by default; a results file has no reason to hold such cells,
# but a bad one should be a rejected row, not a crash.
csv.field_size_limit(1_000_000)



def _rejection(exc: PolicyError) -> str:
    """Why a row was rejected, for the errors file: the message and its hint."""
    return exc.message + (f" ({exc.hint})" if exc.hint else "")

class RowError(Exception):
    """A value in one row that cannot become what the rule needs; the row is rejected."""


# A chunk: rows (line, fields or object, the line's text or None) and the lines met on the way that were no rows (line, column, message).
Chunk = tuple[list[tuple[int, Any, Any]], list[tuple[int, str, str]]]


@attrs.frozen
class Unreadable:
    """A line that is not a row at all (bad CSV quoting, not JSON): rejected with its line number."""

    message: str


# ---- converting cell text to the language's values ---------------------------------------

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONEY = re.compile(r"(-?\d+(?:\.\d+)?) ?([A-Z]{3})?")
_LENGTH = re.compile(r"(\d+(?:\.\d+)?) ?(km|m)")
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)min)?|(?:(\d+)h)(\d+)")
_CLOCK = re.compile(r"(\d+):(\d{2})(?::(00))?")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


def _number(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise RowError(f"'{text}' is not a number") from None
    if not value.is_finite():
        raise RowError(f"'{text}' is not a number")
    return value


def _date(text: str) -> datetime.date:
    text = text.strip()
    if not _DATE.fullmatch(text):
        raise RowError(f"'{text}' is not a date (write YYYY-MM-DD)")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise RowError(f"'{text}' is not a calendar date") from None


def _bool(text: str) -> bool:
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise RowError(f"'{text}' is not yes or no (write true/false, yes/no or 1/0)")


def _duration(text: str) -> Duration:
    text = text.strip()
    clock = _CLOCK.fullmatch(text)
    if clock:  # 12:30 or 12:30:00; seconds other than :00 are not exact minutes
        return Duration(Decimal(int(clock.group(1)) * 60 + int(clock.group(2))))
    m = _DURATION.fullmatch(text)
    if not text or not m:
        raise RowError(f"'{text}' is not a duration (write 1h30, 15min, 10d or H:MM)")
    days, hours, minutes, h2, m2 = (int(g) if g else 0 for g in m.groups())
    return Duration(Decimal(days * 1440 + (hours + h2) * 60 + minutes + m2))


def _percent(text: str) -> Percent:
    return Percent(_number(text.strip().removesuffix("%")))


def _guess(text: str) -> Any:
    """A value of unknown kind (a record field, an untyped parameter): date, number, yes/no, else text."""
    stripped = text.strip()
    if _DATE.fullmatch(stripped):
        return _date(stripped)
    try:
        value = Decimal(stripped)
        if value.is_finite():
            return value
    except InvalidOperation:
        pass
    if stripped.lower() in ("true", "false"):
        return stripped.lower() == "true"
    return text


def _from_json(value: Any) -> Any:
    """A JSON value (numbers already Decimal) as a language value."""
    if isinstance(value, str):
        return _guess(value)
    if isinstance(value, list):
        return tuple(_from_json(v) for v in value)
    if isinstance(value, dict):
        return Record.of({str(k): _from_json(v) for k, v in value.items()})
    if value is None:
        raise RowError("null is not a value")
    return value


def _json_cell(text: str, want: type) -> Any:
    try:
        value = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except json.JSONDecodeError:
        raise RowError(f"'{text}' is not JSON") from None
    if not isinstance(value, want):
        raise RowError(f"'{text}' is not a JSON {'object' if want is dict else 'list'}")
    return _from_json(value)


def converter(kind: str, edition: Edition) -> Callable[[str], Any]:
    """How cell text becomes a value of one parameter kind; raises RowError."""
    currency = edition.currency
    races = {name: RaceValue(name, race.title, race.attributes) for name, race in edition.races.items()}

    def money(text: str) -> Money:
        m = _MONEY.fullmatch(text.strip())
        if not m:
            raise RowError(f"'{text}' is not an amount (write 305 or 305 {currency})")
        return Money.of(Decimal(m.group(1)), m.group(2) or currency)

    def length(text: str) -> Length:
        m = _LENGTH.fullmatch(text.strip())
        if not m:
            raise RowError(f"'{text}' is not a length (write 171 km or 10000 m)")
        number, unit = m.groups()
        return Length(Decimal(number) * (1000 if unit == "km" else 1), unit)

    def race(text: str) -> RaceValue:
        found = races.get(text.strip())
        if found is None:
            hint = did_you_mean(text.strip(), races)
            raise RowError(f"unknown race '{text}' in {edition.label}" + (f" ({hint})" if hint else ""))
        return found

    simple: dict[str, Callable[[str], Any]] = {
        "number": _number, "money": money, "duration": _duration, "length": length, "percent": _percent, "date": _date,
        "text": str, "bool": _bool, "race": race, "record": lambda t: _json_cell(t, dict), "list": lambda t: _json_cell(t, list),
    }
    return simple.get(kind, _guess)


def _cached(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """Remember the values of repeated cells (race names, categories, dates): results files repeat them a lot."""
    cache: dict[str, Any] = {}

    def convert_cached(text: str) -> Any:
        try:
            return cache[text]
        except KeyError:
            value = convert(text)
            if len(cache) < CACHE_LIMIT:
                cache[text] = value
            return value

    return convert_cached


# ---- the plan: which column feeds which parameter -----------------------------------------


@attrs.frozen
class Job:
    """Everything a worker needs to rebuild the run: picklable, no open files."""

    policy: tuple[str, ...]  # policy files or folders
    edition: str  # edition key
    rule: str
    fmt: str  # csv or jsonl (input and output)
    header: tuple[str, ...]  # CSV header (empty for JSON Lines)
    mapping: tuple[tuple[str, str], ...]  # (column, parameter) from --map
    column: str  # the result column


@attrs.define
class Summary:
    read: int = 0
    written: int = 0
    rejected: int = 0


def load_edition(policy: Sequence[str], edition: str | None, rule: str) -> Edition:
    """The edition that answers `rule`: the one named, or the newest loaded that has it."""
    from racepolicy.query.policyset import PolicySet

    policies = PolicySet.load(list(policy))
    if edition:
        chosen = policies.find(edition)
    else:
        having = [e for e in policies.editions.values() if rule in e.rules]
        chosen = max(having, key=lambda e: e.year) if having else policies.choose({rule})
    if rule not in chosen.rules:
        raise InputError(
            f"the {chosen.label} policy has no rule '{rule}'",
            hint=did_you_mean(rule, chosen.rules) or f"rules: {', '.join(sorted(chosen.rules)) or 'none'}",
        )
    return chosen


class RowProcessor:
    """Converts, evaluates and formats rows of one job; the same code in every process."""

    def __init__(self, job: Job, edition: Edition) -> None:
        from racepolicy.evaluation.compiled import compile_edition

        self.job = job
        self.function = compile_edition(edition).rule(job.rule)
        params = edition.rules[job.rule].decl.params
        by_param: dict[str, str] = {}
        for column, param in job.mapping:
            by_param[param] = column
        self.getters: list[tuple[str, Any, Callable[[Any], Any]]] = []  # (column shown in errors, where, convert)
        header = {name: i for i, name in enumerate(job.header)}
        for param in params:
            convert = converter(param.type, edition)
            column = by_param.get(param.name, param.name)
            if job.fmt == "csv":
                if column in header:
                    self.getters.append((column, header[column], convert))
                elif param.type in ("record", "any") and self._fields(param.name, by_param, header):
                    fields = self._fields(param.name, by_param, header)
                    self.getters.append((column, fields, _record_of(fields)))
                else:
                    raise InputError(
                        f"the input has no column '{column}' for parameter '{param.name}' of {job.rule}",
                        hint=(did_you_mean(column, header) or f"columns: {', '.join(job.header)}") + f"; map one with --map COLUMN={param.name}",
                    )
            else:
                self.getters.append((column, column, _json_value(param.type, _cached(convert), edition.currency)))
        self.width = len(job.header)
        self._render: dict[Any, str] = {}
        self._endings: dict[Any, str] = {}
        # The fast path: every parameter read from one CSV column, through a per-column cache.
        self.simple = job.fmt == "csv" and all(type(where) is int for _, where, _ in self.getters)
        if self.simple:
            indexes = [where for _, where, _ in self.getters]
            self.pick: Callable[[Sequence[str]], tuple[str, ...]] = (
                operator.itemgetter(*indexes) if len(indexes) > 1 else (lambda row: tuple(row[i] for i in indexes))  # type: ignore[assignment]
            )
            self.caches: list[dict[str, Any]] = [{} for _ in self.getters]

    def _process_csv(self, rows: Sequence[tuple[int, Any, Any]]) -> tuple[str, list[tuple[int, str, str]], int]:
        """The hot path for CSV rows whose every parameter is one column: cached cells are looked up in C,
        and a row read from a plain line is written back as that line plus the answer."""
        out: list[str] = []
        quoted = io.StringIO()
        writerow = csv.writer(quoted, lineterminator="\n").writerow
        errors: list[tuple[int, str, str]] = []
        function, width, pick, caches = self.function, self.width, self.pick, self.caches
        endings, getitem = self._endings, dict.__getitem__
        for line, row, raw in rows:
            if len(row) != width:
                errors.append(self._width_error(line, row))
                continue
            cells = pick(row)
            try:
                args = tuple(map(getitem, caches, cells))
            except KeyError:  # a cell not seen before
                try:
                    args = self._convert(cells)
                except RowError as exc:
                    errors.append((line, exc.args[1], exc.args[0]))
                    continue
            try:
                value = function(*args)
            except PolicyError as exc:
                errors.append((line, "", _rejection(exc)))
                continue
            if raw is not None:
                try:
                    out.append(raw + endings[value])
                    continue
                except (KeyError, TypeError):
                    pass
                out.append(raw + self._ending(value))
            else:
                writerow([*row, self.text_of(value)])
                out.append(quoted.getvalue())
                quoted.seek(0)
                quoted.truncate()
        return "".join(out), errors, len(rows) - len(errors)  # every row is written or rejected

    def _ending(self, value: Any) -> str:
        """`,ANSWER` and the line end, the answer quoted as the csv module would."""
        text = self.text_of(value)
        if any(c in text for c in ',"\r\n'):
            text = '"' + text.replace('"', '""') + '"'
        ending = "," + text + "\n"
        try:
            if len(self._endings) < CACHE_LIMIT:
                self._endings[value] = ending
        except TypeError:  # unhashable
            pass
        return ending

    def _convert(self, cells: Sequence[str]) -> tuple[Any, ...]:
        args = []
        for (column, _, convert), cache, cell in zip(self.getters, self.caches, cells, strict=True):
            value = cache.get(cell)
            if value is None:
                try:
                    value = convert(cell)
                except RowError as exc:
                    raise RowError(str(exc), column) from None
                if len(cache) < CACHE_LIMIT:
                    cache[cell] = value
            args.append(value)
        return tuple(args)

    def _width_error(self, line: int, row: Sequence[str]) -> tuple[int, str, str]:
        width = self.width
        if len(row) < width:
            missing = self.job.header[len(row)]
            return line, missing, f"missing column '{missing}' (the row has {len(row)} of {width} fields)"
        return line, "", f"the row has {len(row)} fields, the header has {width}"

    @staticmethod
    def _fields(param: str, by_param: Mapping[str, str], header: Mapping[str, int]) -> tuple[tuple[str, str, int], ...]:
        """Columns `param.field` (or mapped to it) that make up a record parameter."""
        found = []
        for name, index in header.items():
            target = next((p for p, c in by_param.items() if c == name), name)
            if target.startswith(param + ".") and len(target) > len(param) + 1:
                found.append((target[len(param) + 1:], name, index))
        return tuple(found)

    def text_of(self, value: Any) -> str:
        try:
            return self._render[value]
        except KeyError:
            text = render(value)
            if len(self._render) < CACHE_LIMIT:
                self._render[value] = text
            return text
        except TypeError:  # unhashable
            return render(value)

    def process(self, rows: Sequence[tuple[int, Any]]) -> tuple[str, list[tuple[int, str, str]], int]:
        """Rows (line, fields) -> (formatted output, rejected rows (line, column, message), rows written)."""
        out = io.StringIO()
        errors: list[tuple[int, str, str]] = []
        written = 0
        function, getters, width = self.function, self.getters, self.width
        csv_input = self.job.fmt == "csv"
        writer = csv.writer(out, lineterminator="\n") if csv_input else None
        column = self.job.column
        if csv_input and self.simple:
            return self._process_csv(rows)
        for line, row, text in rows:  # text: the object's own text, so numbers are written back as they were
            if csv_input:
                if len(row) != width:
                    errors.append(self._width_error(line, row))
                    continue
            else:
                if column in row:
                    errors.append((line, column, f"the row already has a field '{column}'"))
                    continue
            args = []
            current = ""
            try:
                for current, where, convert in getters:  # noqa: B007 - `current` names the column in the error
                    args.append(convert(row if type(where) is tuple else row[where]))
            except KeyError:
                errors.append((line, current, f"missing column '{current}'"))
                continue
            except RowError as exc:
                errors.append((line, current, str(exc)))
                continue
            try:
                value = function(*args)
            except PolicyError as exc:
                errors.append((line, "", _rejection(exc)))
                continue
            if writer is not None:
                writer.writerow([*row, self.text_of(value)])
            else:
                result = json.dumps({column: to_json(value)}, ensure_ascii=False)
                body = text.rstrip()[:-1].rstrip()  # the object without its closing brace
                out.write(body + (", " if row else "") + result[1:] + "\n")
            written += 1
        return out.getvalue(), errors, written


def _record_of(fields: tuple[tuple[str, str, int], ...]) -> Callable[[Sequence[str]], Record]:
    def record(row: Sequence[str]) -> Record:
        return Record.of({field: _guess(row[index]) for field, _, index in fields})

    return record


def _json_value(kind: str, convert: Callable[[str], Any], currency: str) -> Callable[[Any], Any]:
    """A JSON Lines field: strings go through the column converter; numbers, booleans, objects as they are."""
    def value(raw: Any) -> Any:
        if isinstance(raw, str):
            return convert(raw)
        if isinstance(raw, bool):
            if kind in ("bool", "any"):
                return raw
        elif isinstance(raw, Decimal):
            if kind in ("number", "any"):
                return raw
            if kind == "money":
                return Money.of(raw, currency)
            if kind == "percent":
                return Percent(raw)
        elif isinstance(raw, dict) and kind in ("record", "any"):
            return _from_json(raw)
        elif isinstance(raw, list) and kind in ("list", "any"):
            return _from_json(raw)
        raise RowError(f"{json.dumps(to_json(raw) if not isinstance(raw, (dict, list)) else raw, default=str)} is not {kind}")

    return value


# ---- worker processes ---------------------------------------------------------------------

_WORKER: RowProcessor | None = None


def _worker_init(job: Job) -> None:
    global _WORKER
    _WORKER = RowProcessor(job, load_edition(job.policy, job.edition, job.rule))


def _worker_process(rows: Sequence[tuple[int, Any]]) -> tuple[str, list[tuple[int, str, str]], int]:
    assert _WORKER is not None
    return _WORKER.process(rows)


# ---- reading ------------------------------------------------------------------------------


def input_format(path: str) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(f"cannot tell the format of '{path}'", hint="name it .csv or .jsonl")
    return fmt


def open_input(path: str) -> IO[str]:
    try:
        return open(path, encoding="utf-8-sig", newline="")  # closed by the caller
    except OSError as exc:
        raise InputError(f"cannot read '{path}': {exc.strerror or exc}", hint="check the path") from None


def csv_rows(handle: IO[str]) -> tuple[tuple[str, ...], Callable[[Summary], Iterator[Chunk]]]:
    """The header, and a reader of chunks of rows (line where the row starts, fields, the line's own text or None).

    A line without a quote is split on commas, and its text is kept to be written back as it was; a line
    with a quote goes through the csv module (which reads on for a quoted field spanning lines).
    Blank lines are skipped.
    """
    reader = csv.reader(handle)
    try:
        header = tuple(next(reader))
    except StopIteration:
        raise InputError("the input is empty", hint="the first line must name the columns") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the header: {exc}") from None
    first = reader.line_num

    def chunks(summary: Summary) -> Iterator[Chunk]:
        number = first
        while True:
            lines = list(itertools.islice(handle, CHUNK_ROWS))
            if not lines:
                return
            bad: list[tuple[int, str, str]] = []
            if '"' not in "".join(lines):
                # No quote anywhere: every line is one row, split in comprehensions (the common case).
                texts = [line.rstrip("\r\n") for line in lines]
                chunk = [(n, text.split(","), text) for n, text in enumerate(texts, number + 1) if text]
                number += len(lines)
            else:
                chunk, number = _quoted_chunk(lines, handle, number, bad)
            summary.read += len(chunk) + len(bad)
            yield chunk, bad

    return header, chunks


def _quoted_chunk(lines: list[str], handle: IO[str], number: int, bad: list[tuple[int, str, str]]) -> tuple[list[tuple[int, Any, Any]], int]:
    """Rows of lines some of which hold quotes: those go through the csv module, which may read on (from the
    rest of these lines, then from the file) for a quoted field that spans lines."""
    chunk: list[tuple[int, Any, Any]] = []
    rest = iter(lines)
    for line in rest:
        number += 1
        if '"' in line:
            start = number
            quoted = csv.reader(itertools.chain((line,), rest, handle))
            try:
                row = next(quoted, None)
            except csv.Error as exc:  # a malformed row: rejected, and reading goes on after it
                bad.append((start, "", f"unreadable CSV: {exc}"))
                row = None
            number = start + max(quoted.line_num, 1) - 1
            if row:
                chunk.append((start, row, None))
        else:
            text = line.rstrip("\r\n")
            if text:
                chunk.append((number, text.split(","), text))
    return chunk, number


def jsonl_rows(handle: IO[str]) -> Iterator[tuple[int, Any, str]]:
    for number, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            value = json.loads(text, parse_float=Decimal, parse_int=Decimal)
        except json.JSONDecodeError as exc:
            yield number, Unreadable(f"not JSON: {exc.msg}"), text
            continue
        yield number, (value if isinstance(value, dict) else Unreadable("not a JSON object")), text


# ---- writing ------------------------------------------------------------------------------


class AtomicFile:
    """A file written under a temporary name in the target's folder and renamed over it on commit."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        folder = self.path.parent if str(self.path.parent) else Path(".")
        try:
            fd, temp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part", dir=folder)
        except OSError as exc:
            raise InputError(f"cannot write '{path}': {exc.strerror or exc}", hint="check the folder exists and is writable") from None
        self.temp = Path(temp)
        self.handle: IO[str] = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def commit(self) -> None:
        self.handle.close()
        os.replace(self.temp, self.path)

    def discard(self) -> None:
        self.handle.close()
        self.temp.unlink(missing_ok=True)


class Progress:
    """A one-line progress bar on stderr: rows, rows/s, share of the input read, ETA."""

    def __init__(self, stream: IO[str], total_bytes: int, position: Callable[[], int]) -> None:
        self.stream = stream
        self.total = total_bytes
        self.position = position
        self.start = time.perf_counter()
        self.shown = 0.0

    def update(self, rows: int, final: bool = False) -> None:
        now = time.perf_counter()
        if not final and now - self.shown < 0.2:
            return
        self.shown = now
        elapsed = max(now - self.start, 1e-9)
        rate = rows / elapsed
        done = min(self.position() / self.total, 1.0) if self.total else 1.0
        if final:
            done = 1.0
        eta = elapsed * (1 - done) / done if done > 0 else 0.0
        width = 24
        bar = "#" * int(done * width) + "-" * (width - int(done * width))
        self.stream.write(f"\r[{bar}] {done:4.0%} {rows:>12,} rows {rate:>10,.0f} rows/s  ETA {int(eta) // 60}:{int(eta) % 60:02d} ")
        if final:
            self.stream.write("\n")
        self.stream.flush()


def run_batch(
    policy: Sequence[str], rule: str, input_path: str, output_path: str | None = None, *, edition: str | None = None,
    mapping: Sequence[tuple[str, str]] = (), jobs: int = 1, errors_path: str | None = None, column: str | None = None,
    progress: bool = False, stdout: IO[str] | None = None, stderr: IO[str] | None = None,
) -> Summary:
    """Evaluate `rule` for every row of `input_path`; write rows with the result and report rejected rows.

    Raises PolicyError (exit 2) when the run cannot start: unknown rule, missing column, unreadable input,
    unwritable output. Rejected rows do not stop the run; the summary counts them.
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    chosen = load_edition(policy, edition, rule)
    fmt = input_format(input_path)
    if output_path is not None and input_format(output_path) != fmt:
        raise InputError(f"the output '{output_path}' must have the input's format ({fmt})", hint=f"name it .{fmt}")
    params = {p.name for p in chosen.rules[rule].decl.params}
    for col, param in mapping:
        if param.split(".")[0] not in params:
            raise InputError(f"--map {col}={param}: {rule} has no parameter '{param}'", hint=did_you_mean(param, params) or f"parameters: {', '.join(params)}")
    handle = open_input(input_path)
    try:
        header: tuple[str, ...] = ()
        chunks: Callable[[Summary], Iterator[Chunk]]
        if fmt == "csv":
            header, chunks = csv_rows(handle)
        else:
            lines = jsonl_rows(handle)

            def chunks(summary: Summary) -> Iterator[Chunk]:
                return _chunks(lines, summary)
        result_column = column or rule
        if result_column in header:
            raise InputError(f"the input already has a column '{result_column}'", hint="name the result column with --column")
        job = Job(tuple(policy), chosen.key, rule, fmt, header, tuple(mapping), result_column)
        processor = RowProcessor(job, chosen)  # raises for a missing column before anything is written
        if errors_path is None and output_path is not None:
            errors_path = output_path + ".errors.csv"
        return _stream(job, processor, chunks, handle, input_path, output_path, errors_path, jobs, progress, stdout, stderr)
    finally:
        handle.close()


def _chunks(rows: Iterator[tuple[int, Any, str]], summary: Summary) -> Iterator[Chunk]:
    """Chunks of readable rows, each with the unreadable lines met while reading it."""
    chunk: list[tuple[int, Any, Any]] = []
    bad: list[tuple[int, str, str]] = []
    for line, row, text in rows:
        if type(row) is Unreadable:  # rejected here, never sent to a worker
            bad.append((line, "", row.message))
            continue
        chunk.append((line, row, text))
        if len(chunk) >= CHUNK_ROWS:
            summary.read += len(chunk) + len(bad)
            yield chunk, bad
            chunk, bad = [], []
    if chunk or bad:
        summary.read += len(chunk) + len(bad)
        yield chunk, bad


def _stream(
    job: Job, processor: RowProcessor, read_chunks: Callable[[Summary], Iterator[Chunk]], handle: IO[str], input_path: str, output_path: str | None,
    errors_path: str | None, jobs: int, show_progress: bool, stdout: IO[str], stderr: IO[str],
) -> Summary:
    summary = Summary()
    output = AtomicFile(output_path) if output_path else None
    errors_file = AtomicFile(errors_path) if errors_path else None
    files = [f for f in (output, errors_file) if f is not None]
    out = output.handle if output else stdout
    errors_writer = csv.writer(errors_file.handle, lineterminator="\n") if errors_file else None
    if errors_writer:
        errors_writer.writerow(["line", "column", "message"])
    progress = None
    if show_progress:
        total = os.path.getsize(input_path)
        buffer = getattr(handle, "buffer", None)
        progress = Progress(stderr, total, (lambda: buffer.tell()) if buffer is not None else (lambda: 0))
    shown = 0

    def report(bad: list[tuple[int, str, str]]) -> None:
        nonlocal shown
        bad.sort()
        for line, col, message in bad:
            summary.rejected += 1
            if errors_writer:
                errors_writer.writerow([line, col, message])
            if shown < STDERR_ERRORS:
                where = f"{input_path}:{line}: " + (f"column '{col}': " if col and not message.startswith("missing column") else "")
                stderr.write(("\n" if progress and shown == 0 else "") + where + message + "\n")
            shown += 1
        bad.clear()

    def emit(result: tuple[str, list[tuple[int, str, str]], int], unreadable: list[tuple[int, str, str]]) -> None:
        text, bad, written = result
        out.write(text)
        summary.written += written
        report(unreadable + bad)
        if progress:
            progress.update(summary.written + summary.rejected)

    pool = None
    try:
        if fmt_header := (job.header if job.fmt == "csv" else None):
            csv.writer(out, lineterminator="\n").writerow([*fmt_header, job.column])
        chunks = read_chunks(summary)
        if jobs <= 1:
            for chunk, unreadable in chunks:
                emit(processor.process(chunk), unreadable)
        else:
            import multiprocessing

            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            pool = multiprocessing.get_context(method).Pool(jobs, initializer=_worker_init, initargs=(job,))
            in_flight: deque[Any] = deque()
            for chunk, unreadable in chunks:
                in_flight.append((pool.apply_async(_worker_process, (chunk,)), unreadable))
                while len(in_flight) >= 2 * jobs:  # a bounded queue keeps memory flat
                    pending, bad = in_flight.popleft()
                    emit(pending.get(), bad)
            while in_flight:
                pending, bad = in_flight.popleft()
                emit(pending.get(), bad)
            pool.close()
        if progress:
            progress.update(summary.written + summary.rejected, final=True)
        out.flush()
        for f in files:
            f.commit()
        files = []
    finally:
        if pool is not None:
            pool.terminate()
        for f in files:
            f.discard()
    if shown > STDERR_ERRORS:
        stderr.write(f"... and {shown - STDERR_ERRORS} more rejected row(s)" + (f", all in {errors_path}" if errors_path else "") + "\n")
    return summary
