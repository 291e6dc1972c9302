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

import contextlib
import csv
import datetime
import functools
import io
import itertools
import json
import operator
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import attrs
from racepolicy.evaluation.model import Edition
from racepolicy.evaluation.values import Duration, Length, Money, Percent, RaceValue, Record, render, to_json
from racepolicy.language.errors import InputError, PolicyError, did_you_mean
from racepolicy.language.source import Source, Span
from racepolicy.tools.batch_fast import Loops, Row, build_loops
from racepolicy.tools.batch_pool import WorkerPool
from racepolicy.tools.tempfiles import commit, create_beside, real_target

CHUNK_ROWS = 2000
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
CACHE_LIMIT = 10_000  # distinct cell texts remembered per column
STDERR_ERRORS = 20  # bad rows shown on stderr; the errors file has them all
MAX_CONTINUED_LINES = 1000  # lines a quoted CSV cell may span before its quote is taken for a runaway
FAST_LOOP = True  # CSV rows go through the fused loops of batch_fast; False: every row through the exact path (tests compare the two)

# csv refuses fields over 128 KiB by default; a results file has no reason to hold such cells,
# but a bad one should be a rejected row, not a crash.
csv.field_size_limit(1_000_000)



def _rejection(exc: PolicyError) -> str:
    """Why a row was rejected, for the errors file: the message and its hint."""
    return exc.message + (f" ({exc.hint})" if exc.hint else "")

class RowError(Exception):
    """A value in one row that cannot become what the rule needs; the row is rejected."""


@attrs.frozen
class Lines:
    """Lines as read, not yet split into rows (CSV lines each of which is one row, JSON Lines): the process that evaluates
    them splits or decodes them, so with --jobs the workers share that work and a chunk crosses the pipe as plain strings."""

    first: int  # the line number of lines[0]
    lines: list[str]
    quoted: bool = False  # some CSV lines hold quotes, each closed on its own line: the csv module reads those lines


# A chunk: rows (line, fields or object, the line's text or None) or Lines, and the lines met on the way that were no rows (line, column, message).
Chunk = tuple["list[tuple[int, Any, Any]] | Lines", list[tuple[int, str, str]]]


# ---- converting cell text to the language's values ---------------------------------------

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONEY = re.compile(r"(-?\d+(?:\.\d+)?) ?([A-Z]{3})?")
_LENGTH = re.compile(r"(\d+(?:\.\d+)?) ?(km|m)")
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)min)?|(?:(\d+)h)(\d+)")
_CLOCK = re.compile(r"(\d+):(\d{2})(?::(00))?")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


# Plain decimals only: Decimal() also reads `1_0` (as 10), `1E+999999999`, `NaN` and `Infinity`, none of which a results file means.
_PLAIN_NUMBER = re.compile(r"[+-]?\d{1,40}(?:\.\d{1,40})?")
MAX_CELL_NUMBER = Decimal(10) ** 18  # the bound of every number the language holds (operators.MAX_MAGNITUDE)


def _in_range(value: Decimal, text: Any) -> Decimal:
    """The number itself, or a rejected row when it is beyond what the language holds exactly."""
    if not value.is_finite() or value.copy_abs() >= MAX_CELL_NUMBER:  # copy_abs: exact, where abs() rounds and may overflow
        shown = str(text) if len(str(text)) <= 40 else str(text)[:40] + "…"
        raise RowError(f"'{shown}' is out of range (numbers are below 10^18)")
    return value


def _number(text: str) -> Decimal:
    stripped = text.strip()
    if not _PLAIN_NUMBER.fullmatch(stripped):
        raise RowError(f"'{text if len(text) <= 40 else text[:40] + '…'}' is not a number")
    return _in_range(Decimal(stripped), text)


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
    if clock and len(text) <= 40:  # 12:30 or 12:30:00; seconds other than :00 are not exact minutes
        return Duration(_in_range(Decimal(int(clock.group(1)) * 60 + int(clock.group(2))), text))
    m = _DURATION.fullmatch(text)
    if not text or not m:
        raise RowError(f"'{text}' is not a duration (write 1h30, 15min, 10d or H:MM)")
    if len(text) > 40:  # int() refuses over 4,300 digits; no duration needs 40 characters
        raise RowError(f"'{text[:40]}…' is out of range (numbers are below 10^18)")
    days, hours, minutes, h2, m2 = (int(g) if g else 0 for g in m.groups())
    return Duration(_in_range(Decimal(days * 1440 + (hours + h2) * 60 + minutes + m2), text))


def _percent(text: str) -> Percent:
    return Percent(_number(text.strip().removesuffix("%")))


def _guess(text: str) -> Any:
    """A value of unknown kind (a record field, an untyped parameter): date, number, yes/no, else text."""
    stripped = text.strip()
    if _DATE.fullmatch(stripped):
        return _date(stripped)
    if _PLAIN_NUMBER.fullmatch(stripped):
        return _in_range(Decimal(stripped), text)
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
    if isinstance(value, Decimal):
        return _in_range(value, value)
    return value


MAX_JSON_DEPTH = 100  # objects and arrays within each other; a results row needs a few


def _too_deep(text: str, value: Any) -> bool:
    """Whether a JSON value nests deeper than MAX_JSON_DEPTH (walked without recursion, and only when the text could)."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return False
    level: list[tuple[Any, int]] = [(value, 1)]
    while level:
        item, depth = level.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        if isinstance(item, dict):
            level.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            level.extend((v, depth + 1) for v in item)
    return False


def _lone_surrogate(text: str, value: Any) -> bool:
    """Whether a JSON value holds a lone surrogate (`"\\ud800"`): text no UTF-8 file can hold (looked for only when escaped)."""
    if "\\ud" not in text and "\\uD" not in text:
        return False
    level = [value]
    while level:
        item = level.pop()
        if isinstance(item, str):
            if any("\ud800" <= c <= "\udfff" for c in item):
                return True
        elif isinstance(item, dict):
            level.extend(item.keys())
            level.extend(item.values())
        elif isinstance(item, list):
            level.extend(item)
    return False


LONE_SURROGATE = "a \\u escape for half a character (a lone surrogate), which no UTF-8 text holds"


def _load_json(text: str) -> Any:
    """JSON with exact numbers; raises JSONDecodeError, or RowError for nesting deeper than MAX_JSON_DEPTH or a lone surrogate."""
    try:
        value = _DECODER.decode(text)
    except RecursionError:  # the decoder recurses once per level
        raise RowError(f"nested deeper than {MAX_JSON_DEPTH} levels") from None
    if _too_deep(text, value):
        raise RowError(f"nested deeper than {MAX_JSON_DEPTH} levels")
    if _lone_surrogate(text, value):
        raise RowError(LONE_SURROGATE)
    return value


def _json_cell(text: str, want: type) -> Any:
    try:
        value = _load_json(text)
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
        return Money.of(_in_range(Decimal(m.group(1)), text), m.group(2) or currency)

    def length(text: str) -> Length:
        m = _LENGTH.fullmatch(text.strip())
        if not m:
            raise RowError(f"'{text}' is not a length (write 171 km or 10000 m)")
        number, unit = m.groups()
        return Length(_in_range(Decimal(number) * (1000 if unit == "km" else 1), text), unit)

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


# ---- writing CSV -------------------------------------------------------------------------------


def _csv_field(value: Any) -> str:
    text = str(value)
    # As the csv module quotes, and also a field with a lone \r: with "\n" as line end the csv module leaves it bare,
    # and every reader then splits the row in two.
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


class CsvWriter:
    """csv.writer's `writerow` for our files: fields quoted when they must be (a lone \r included), rows ended by \n."""

    def __init__(self, handle: IO[str]) -> None:
        self.write = handle.write

    def writerow(self, fields: Sequence[Any]) -> None:
        self.write(",".join(map(_csv_field, fields)) + "\n")


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
    use_cache: bool = False  # load through the cache of checked editions (docs/cache.md): start-up of the run and of each worker


@attrs.define
class Summary:
    read: int = 0
    written: int = 0
    rejected: int = 0


def load_edition(policy: Sequence[str], edition: str | None, rule: str, use_cache: bool = False) -> Edition:
    """The edition that answers `rule`: the one named, or the newest loaded that has it."""
    from racepolicy.query.policyset import PolicySet

    policies = PolicySet.load(list(policy), use_cache=use_cache)
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
        self._json_endings: dict[Any, str] = {}
        # The fast path: every parameter read from one CSV column, through a per-column cache.
        self.simple = job.fmt == "csv" and all(type(where) is int for _, where, _ in self.getters)
        if self.simple:
            indexes = [where for _, where, _ in self.getters]
            self.pick: Callable[[Sequence[str]], tuple[str, ...]] = (
                operator.itemgetter(*indexes) if len(indexes) > 1 else (lambda row: tuple(row[i] for i in indexes))  # type: ignore[assignment]
            )
            self.caches: list[dict[str, Any]] = [{} for _ in self.getters]
        # The fused loops (batch_fast), on the same caches: rows they do not expect go to _process_csv one by one.
        self.loops: Loops | None = None
        if self.simple and FAST_LOOP:
            kinds = ["text" if convert is str else "cached" for _, _, convert in self.getters]
            self.loops = build_loops(self.width, indexes, kinds, self.caches, self.function, self._endings, self._ending, self._exact_row,
                                     self._exact_line)

    def _process_csv(self, rows: Sequence[tuple[int, Any, Any]]) -> tuple[str, list[tuple[int, str, str]], int]:
        """The exact path for CSV rows whose every parameter is one column (the fused loops of batch_fast send it the rows
        they do not expect): cached cells are looked up in C, and a row read from a plain line is written back as that
        line plus the answer."""
        out: list[str] = []
        quoted = io.StringIO()
        writerow = CsvWriter(quoted).writerow
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

    def _exact_line(self, number: int, line: str, out: list[str], errors: list[tuple[int, str, str]]) -> None:
        """One line of Lines through the exact path: read as in a chunk that holds quotes (a blank line is no row, a quoted
        one is read by the csv module, an unreadable one rejected), then its row through `_exact_row`."""
        rows, _ = _quoted_chunk([line], io.StringIO(), number - 1, self.width, errors, 1)  # Lines: no quote continues, none is read ahead
        for row in rows:
            self._exact_row(row, out, errors)

    def _exact_row(self, row: Row, out: list[str], errors: list[tuple[int, str, str]]) -> None:
        """One row through the exact path, its output or its rejection added in its place."""
        written, bad, _ = self._process_csv([row])
        if written:
            out.append(written)
        errors.extend(bad)

    def _ending(self, value: Any) -> str:
        """`,ANSWER` and the line end, the answer quoted as the csv module would."""
        return _remember(self._endings, value, "," + _csv_field(self.text_of(value)) + "\n")

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

    def process(self, rows: Sequence[tuple[int, Any, Any]] | Lines) -> tuple[str, list[tuple[int, str, str]], int]:
        """Rows (line, fields, text) or Lines -> (formatted output, rejected rows (line, column, message), rows written)."""
        if type(rows) is Lines:
            if self.job.fmt == "jsonl":
                return self._process_jsonl(rows)
            if self.loops is not None:
                pieces: list[str] = []
                rejected: list[tuple[int, str, str]] = []
                (self.loops.quoted_lines if rows.quoted else self.loops.lines)(rows.lines, rows.first, pieces, rejected)
                return "".join(pieces), rejected, len(pieces)  # one piece per row written
            if rows.quoted:  # split as the reader splits a chunk with quotes (none continues on the next line: nothing to read ahead)
                unreadable: list[tuple[int, str, str]] = []
                split, _ = _quoted_chunk(list(rows.lines), io.StringIO(), rows.first - 1, self.width, unreadable, len(rows.lines))
                output, bad, written = self.process(split)
                return output, bad + unreadable, written
            texts = [line.rstrip("\r\n") for line in rows.lines]
            rows = [(n, text.split(","), text) for n, text in enumerate(texts, rows.first) if text]
        assert not isinstance(rows, Lines)
        out = io.StringIO()
        errors: list[tuple[int, str, str]] = []
        written = 0
        width = self.width
        csv_input = self.job.fmt == "csv"
        writer = CsvWriter(out) if csv_input else None
        column = self.job.column
        if csv_input and self.simple:
            if self.loops is not None:  # a chunk that holds quotes: its rows read from plain lines still go through the loop
                pieces, rejected = [], []
                self.loops.rows(rows, pieces, rejected)
                return "".join(pieces), rejected, len(pieces)
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
            answered, value = self._answer(line, row, errors)
            if not answered:
                continue
            if writer is not None:
                writer.writerow([*row, self.text_of(value)])
            else:
                result = json.dumps({column: to_json(value)}, ensure_ascii=False)
                body = text.rstrip()[:-1].rstrip()  # the object without its closing brace
                out.write(body + (", " if row else "") + result[1:] + "\n")
            written += 1
        return out.getvalue(), errors, written


    def _answer(self, line: int, row: Any, errors: list[tuple[int, str, str]]) -> tuple[bool, Any]:
        """The rule's answer for one row (a CSV row's cells or a JSON object); a rejected row goes to `errors`."""
        args = []
        current = ""
        try:
            for current, where, convert in self.getters:  # noqa: B007 - `current` names the column in the error
                # A tuple `where` reads the whole row (a record of every column); otherwise one cell.
                args.append(convert(row if type(where) is tuple else row[where]))
        except KeyError:
            errors.append((line, current, f"missing column '{current}'"))
            return False, None
        except RowError as exc:
            errors.append((line, current, str(exc)))
            return False, None
        try:
            return True, self.function(*args)
        except PolicyError as exc:
            errors.append((line, "", _rejection(exc)))
            return False, None

    def _process_jsonl(self, block: Lines) -> tuple[str, list[tuple[int, str, str]], int]:
        """JSON Lines: each line decoded once, its fields converted through per-field caches of string cells,
        and the answer appended to the object's own text (cached per answer), so numbers are written back as they were."""
        out: list[str] = []
        errors: list[tuple[int, str, str]] = []
        column = self.job.column
        decode, endings = _DECODER.decode, self._json_endings
        for line, text in enumerate(block.lines, block.first):
            if not text.strip():
                continue
            if not text.isascii() and _not_utf8(text):
                errors.append((line, "", NOT_UTF8))
                continue
            try:
                row = decode(text)
                if type(row) is not dict:
                    raise RowError("not a JSON object")
                if _too_deep(text, row):
                    raise RowError(f"nested deeper than {MAX_JSON_DEPTH} levels")
                if _lone_surrogate(text, row):
                    raise RowError(LONE_SURROGATE)
            except json.JSONDecodeError as exc:
                errors.append((line, "", f"not JSON: {exc.msg}"))
                continue
            except RecursionError:
                errors.append((line, "", f"not a row: nested deeper than {MAX_JSON_DEPTH} levels"))
                continue
            except RowError as exc:
                errors.append((line, "", str(exc) if str(exc).startswith("not a JSON") else f"not a row: {exc}"))
                continue
            if column in row:
                errors.append((line, column, f"the row already has a field '{column}'"))
                continue
            answered, value = self._answer(line, row, errors)
            if not answered:
                continue
            try:
                ending = endings[value]
            except (KeyError, TypeError):
                ending = self._json_ending(value)
            body = text.rstrip()[:-1].rstrip()  # the object without its closing brace
            out.append(body + (", " if row else "") + ending)
        return "".join(out), errors, len(out)

    def _json_ending(self, value: Any) -> str:
        """`"COLUMN": ANSWER}` and the line end, remembered per answer (answers repeat: a few qualification levels, refunds)."""
        return _remember(self._json_endings, value, json.dumps({self.job.column: to_json(value)}, ensure_ascii=False)[1:] + "\n")


def _remember(cache: dict[Any, str], value: Any, ending: str) -> str:
    """Keep an answer's line ending for the next row with the same answer (bounded; an unhashable answer is not kept)."""
    try:
        if len(cache) < CACHE_LIMIT:
            cache[value] = ending
    except TypeError:
        pass
    return ending


_DECODER = json.JSONDecoder(parse_float=Decimal, parse_int=Decimal)  # one decoder: json.loads with options builds a new one per call


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
            _in_range(raw, raw)
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

def _worker_start(job: Job) -> Callable[[Any], Any]:
    """In a worker process: load the policy once, and answer chunks with the same code as a one-process run."""
    return RowProcessor(job, load_edition(job.policy, job.edition, job.rule, job.use_cache)).process


# ---- reading ------------------------------------------------------------------------------


def input_format(path: str) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(f"cannot tell the format of '{path}'", hint="name it .csv or .jsonl")
    return fmt


def open_input(path: str) -> IO[str]:
    # surrogateescape: a byte that is not UTF-8 must reject its row (with its line), not end the run mid-file.
    try:
        return open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")  # closed by the caller
    except OSError as exc:
        raise InputError(f"cannot read '{path}': {exc.strerror or exc}", hint="check the path") from None


def _not_utf8(text: str) -> bool:
    """Whether a line read with surrogateescape held a byte that is not UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


NOT_UTF8 = "not UTF-8 text (save the file as UTF-8)"
RUNAWAY_QUOTE = "unreadable CSV: a quote opened on this line is not closed on a later line of the same row; only this line is rejected"


def _header(handle: IO[str], path: str) -> tuple[str, ...]:
    """The CSV header: the first line, its columns named once each."""
    line = handle.readline()
    if not line:
        raise InputError("the input is empty", hint="the first line must name the columns")
    where = Source(path, line)
    if _not_utf8(line):
        raise InputError(NOT_UTF8, Span(1, 1, 1, 2), where, "save the file as UTF-8")
    try:
        header = tuple(next(csv.reader([line], strict=True)))
    except csv.Error as exc:
        raise InputError(f"cannot read the header: {exc}", Span(1, 1, 1, 2), where, "the first line names the columns, one line") from None
    seen: set[str] = set()
    for name in header:
        if name in seen:
            column = line.find(name, line.find(name) + 1) + 1
            raise InputError(
                f"the header names the column '{name}' twice", Span(1, column, 1, column + len(name)), where,
                "rename one: a row cannot say which of the two a parameter reads",
            )
        seen.add(name)
    return header


def csv_rows(handle: IO[str], path: str = "<input>") -> tuple[tuple[str, ...], Callable[[Summary], Iterator[Chunk]]]:
    """The header, and a reader of chunks of rows (line where the row starts, fields, the line's own text or None).

    A line without a quote is split on commas, and its text is kept to be written back as it was; a line
    with a quote goes through the csv module. A row is one line, unless a quoted cell really continues on
    the next lines (see `_continued`). Blank lines are skipped.
    """
    header = _header(handle, path)
    width = len(header)

    def chunks(summary: Summary) -> Iterator[Chunk]:
        number = 1
        while True:
            lines = list(itertools.islice(handle, CHUNK_ROWS))
            if not lines:
                return
            bad: list[tuple[int, str, str]] = []
            joined = "".join(lines)
            utf8 = not _not_utf8(joined)
            quoted = '"' in joined
            if utf8 and (not quoted or not any(line.count('"') % 2 for line in lines if '"' in line)):
                # Every line is one row (the common case: no quote, or quoted cells closed on their line), split where it is evaluated.
                yield Lines(number + 1, lines, quoted), bad
                number += len(lines)
            else:
                chunk, number = _quoted_chunk(lines, handle, number, width, bad, len(lines) if utf8 else 0)
                yield chunk, bad

    return header, chunks


def _quoted_chunk(
    lines: list[str], handle: IO[str], number: int, width: int, bad: list[tuple[int, str, str]], utf8: int = 0,
) -> tuple[list[tuple[int, Any, Any]], int]:
    """Rows of lines some of which hold quotes (or bytes that are not UTF-8); `number` is the line before the first.

    Lines read ahead for a quoted cell that turned out not to continue are appended to `lines` and read as rows.
    The first `utf8` lines are known to be UTF-8 (their chunk was checked whole), so they are not checked again.
    """
    chunk: list[tuple[int, Any, Any]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        start = number + 1 + index
        index += 1
        if index > utf8 and _not_utf8(line):
            bad.append((start, "", NOT_UTF8))
            continue
        if '"' not in line:
            text = line.rstrip("\r\n")
            if text:
                chunk.append((start, text.split(","), text))
            continue
        taken: list[str] | None = [line]
        if line.count('"') % 2:  # a quoted cell is still open at the end of the line
            taken = _continued(lines, index, handle)
        try:
            row = next(csv.reader(taken, strict=True), None) if taken else None
        except csv.Error as exc:
            if taken and len(taken) == 1:
                bad.append((start, "", f"unreadable CSV: {exc}"))
                continue
            row = None
        if taken is None or (len(taken) > 1 and (row is None or len(row) > width)):
            # The quote does not close into one row of the header's width: this line alone is rejected, the next ones are read.
            bad.append((start, "", RUNAWAY_QUOTE))
            continue
        index += len(taken) - 1
        if row:
            chunk.append((start, row, None))
    return chunk, number + len(lines)


def _continued(lines: list[str], index: int, handle: IO[str]) -> list[str] | None:
    """The lines of a row whose quoted cell opens on `lines[index - 1]`, or None when that quote is a runaway.

    The cell really continues when a later line closes the quote within MAX_CONTINUED_LINES lines and the
    lines between hold no byte that is not UTF-8; otherwise one stray quote would swallow every row after it.
    Lines are read from the file as needed and appended to `lines`, so none is lost either way.
    """
    taken = [lines[index - 1]]
    while len(taken) <= MAX_CONTINUED_LINES:
        if index >= len(lines):
            more = handle.readline()
            if not more:
                return None
            lines.append(more)
        following = lines[index]
        index += 1
        if _not_utf8(following):
            return None
        taken.append(following)
        if following.count('"') % 2:
            return taken
    return None


def jsonl_chunks(handle: IO[str]) -> Iterator[Chunk]:
    """JSON Lines in chunks of lines as read: decoding them is the work of the process that evaluates them."""
    number = 1
    while True:
        lines = list(itertools.islice(handle, CHUNK_ROWS))
        if not lines:
            return
        yield Lines(number, lines), []
        number += len(lines)


# ---- writing ------------------------------------------------------------------------------


class AtomicFile:
    """A file written under a temporary name beside the target (through symlinks) and renamed over it on commit.

    The target keeps its mode, or a new one gets the user's umask; temporaries of killed runs are removed here.
    """

    def __init__(self, path: str) -> None:
        self.shown = path
        self.path = real_target(path)
        try:
            fd, self.temp, self.mode = create_beside(self.path, ".part")
        except OSError as exc:
            raise InputError(f"cannot write '{path}': {exc.strerror or exc}", hint="check the folder exists and is writable") from None
        self.handle: IO[str] = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def commit(self) -> None:
        self.handle.close()
        commit(self.temp, self.path, self.mode)

    def discard(self) -> None:
        with contextlib.suppress(OSError):  # closing flushes, and the disk may be full: the file goes anyway
            self.handle.close()
        self.temp.unlink(missing_ok=True)


def _file_identity(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def check_paths(input_path: str, output_path: str | None, errors_path: str | None) -> None:
    """Refuse a run that would write over its own input, or write output and errors to one file (symlinks included),
    and an output or errors path that is a folder."""
    named = [("--input", input_path), ("--output", output_path), ("--errors", errors_path)]
    seen: dict[Any, str] = {}
    for option, path in named:
        if path is None:
            continue
        if option != "--input" and os.path.isdir(path):
            raise InputError(f"{option} '{path}' is a folder", source=Source(path, ""), hint="name a file in it")
        # The same file by identity when it exists (hard links, symlinks), else by the path it would have.
        key = _file_identity(path) or os.path.realpath(path)
        if key in seen:
            raise InputError(f"{option} '{path}' is the same file as {seen[key]}", source=Source(path, ""), hint="the run would destroy it: name another file")
        seen[key] = f"{option} '{path}'"


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
    progress: bool = False, stdout: IO[str] | None = None, stderr: IO[str] | None = None, use_cache: bool = False,
) -> Summary:
    """Evaluate `rule` for every row of `input_path`; write rows with the result and report rejected rows.

    Raises PolicyError (exit 2) when the run cannot start: unknown rule, missing column, unreadable input,
    unwritable output. Rejected rows do not stop the run; the summary counts them. `use_cache`: load the policy through
    the cache of checked editions (the command line does; docs/cache.md).
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    chosen = load_edition(policy, edition, rule, use_cache)
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
            header, chunks = csv_rows(handle, input_path)
        else:
            def chunks(summary: Summary) -> Iterator[Chunk]:
                return jsonl_chunks(handle)
        result_column = column or rule
        if result_column in header:
            raise InputError(f"the input already has a column '{result_column}'", hint="name the result column with --column")
        job = Job(tuple(policy), chosen.key, rule, fmt, header, tuple(mapping), result_column, use_cache)
        processor = RowProcessor(job, chosen)  # raises for a missing column before anything is written
        if errors_path is None and output_path is not None:
            errors_path = output_path + ".errors.csv"
        check_paths(input_path, output_path, errors_path)
        return _stream(job, processor, chunks, handle, input_path, output_path, errors_path, jobs, progress, stdout, stderr)
    finally:
        handle.close()


def _stream(
    job: Job, processor: RowProcessor, read_chunks: Callable[[Summary], Iterator[Chunk]], handle: IO[str], input_path: str, output_path: str | None,
    errors_path: str | None, jobs: int, show_progress: bool, stdout: IO[str], stderr: IO[str],
) -> Summary:
    summary = Summary()
    output = AtomicFile(output_path) if output_path else None
    try:
        errors_file = AtomicFile(errors_path) if errors_path else None
    except InputError:
        if output:
            output.discard()
        raise
    files = [f for f in (output, errors_file) if f is not None]
    out = output.handle if output else stdout
    errors_writer = CsvWriter(errors_file.handle) if errors_file else None
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
        summary.read += written + len(bad) + len(unreadable)  # every row read is written or rejected
        report(unreadable + bad)
        if progress:
            progress.update(summary.written + summary.rejected)

    pool = None
    try:
        if fmt_header := (job.header if job.fmt == "csv" else None):
            CsvWriter(out).writerow([*fmt_header, job.column])
        chunks = read_chunks(summary)
        if jobs <= 1:
            for chunk, unreadable in chunks:
                emit(processor.process(chunk), unreadable)
        else:
            pool = WorkerPool(jobs, functools.partial(_worker_start, job))
            for answer, unreadable in pool.map(chunks):
                emit(answer, unreadable)
            pool.close()
            pool = None
        if progress:
            progress.update(summary.written + summary.rejected, final=True)
        out.flush()
        for f in files:
            f.commit()
        files = []
    except BrokenPipeError:  # stdout closed by a reader that has enough (`| head`): not an error
        raise
    except OSError as exc:  # a full disk, a file-size limit, a vanished folder: the run cannot complete
        where = (f"'{output_path}'" if output_path else "stdout") + (f" or '{errors_path}'" if errors_path else "")
        raise InputError(
            f"cannot write {where}: {exc.strerror or exc}", source=Source(output_path or "<stdout>", ""),
            hint="free some space or raise the file-size limit; no output file was changed",
        ) from None
    finally:
        if pool is not None:
            pool.kill()
        for f in files:
            f.discard()
    if shown > STDERR_ERRORS:
        stderr.write(f"... and {shown - STDERR_ERRORS} more rejected row(s)" + (f", all in {errors_path}" if errors_path else "") + "\n")
    return summary
