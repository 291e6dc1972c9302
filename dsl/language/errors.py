"""The one error family users see: every message has a source, a span, a code and a hint."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from racepolicy.language.source import NOWHERE, Source, Span

# Longest source line shown under a message; longer ones are cut around the caret.
MAX_SHOWN_LINE = 120
# Most candidates a "did you mean" hint compares a misspelt name with.
MAX_HINT_CANDIDATES = 200


class PolicyError(Exception):
    """Base of every error a user can cause; rendered as file:line:col: error: message."""

    code = "RP0000"
    title = "error"
    severity = "error"  # "warning" for what `check` reports without refusing the policy

    def __init__(
        self,
        message: str,
        span: Span = NOWHERE,
        source: Source | None = None,
        hint: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.source = source
        self.hint = hint

    @property
    def source_name(self) -> str:
        return self.source.name if self.source else "<input>"

    def with_source(self, source: Source) -> PolicyError:
        if self.source is None:
            self.source = source
        return self

    def render(self) -> str:
        """The message with its location, the source line and a caret under the span."""
        span = self.span
        if span == NOWHERE or self.source is None:
            head = f"{self.source_name}: {self.severity}[{self.code}]: {self.message}"
            return head + (f"\n  hint: {self.hint}" if self.hint else "")
        head = f"{self.source_name}:{span.line}:{span.column}: {self.severity}[{self.code}]: {self.message}"
        text = self.source.line(span.line)
        if not text:
            return head + (f"\n  hint: {self.hint}" if self.hint else "")
        gutter = f"{span.line:>4}"
        end = span.end_column if span.end_line == span.line else len(text) + 1
        column = span.column
        if len(text) > MAX_SHOWN_LINE:
            # A minified or generated line may be megabytes long: show a window around the caret.
            start = max(0, min(column - 1 - MAX_SHOWN_LINE // 2, len(text) - MAX_SHOWN_LINE))
            shown = text[start : start + MAX_SHOWN_LINE]
            prefix = "…" if start else ""
            text = prefix + shown + ("…" if start + MAX_SHOWN_LINE < len(text) else "")
            column, end = column - start + len(prefix), min(end, start + MAX_SHOWN_LINE + 1) - start + len(prefix)
        width = max(1, min(end, len(text) + 1) - column)
        pad = "".join("\t" if ch == "\t" else " " for ch in text[: column - 1])
        caret = f"{' ' * len(gutter)} | {pad}{'^' * width}"
        if self.hint:
            caret += f" {self.hint}"
        return f"{head}\n{gutter} | {text}\n{caret}"

    def as_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "file": self.source_name,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "hint": self.hint,
        }

    def __str__(self) -> str:
        return self.render()


class PolicySyntaxError(PolicyError):
    """The text does not follow the grammar: a word stands where it cannot."""

    code = "RP0101"


class UnexpectedCharacterError(PolicySyntaxError):
    """A character that no word of the language starts with (a stray symbol, an invisible Unicode mark)."""

    code = "RP0102"


class UnexpectedEndError(PolicySyntaxError):
    """The text stops in the middle of a statement or query."""

    code = "RP0103"


class InvalidDateError(PolicySyntaxError):
    """A date shaped like one that does not exist in the calendar, such as 2022-02-30."""

    code = "RP0104"


class MissingHeaderError(PolicyError):
    """A policy file without its `edition SERIES YEAR "title"` header."""

    code = "RP0105"


class UnknownNameError(PolicyError):
    """A race, group, infraction, rule, function or field that nobody declared."""

    code = "RP0201"


class DuplicateError(PolicyError):
    """The same name declared twice in one edition."""

    code = "RP0202"


class UnknownRaceError(UnknownNameError):
    """A race or group name that the edition does not declare."""

    code = "RP0203"


class UnknownInfractionError(UnknownNameError):
    """An infraction that is neither declared in the policy nor known to its series."""

    code = "RP0204"


class CycleError(PolicyError):
    """A rule that calls itself, directly or through other rules, or a group that contains itself."""

    code = "RP0205"


# ---- closed sets of words and the shapes of facts (issue #11 item 1)


class UnknownWordError(UnknownNameError):
    """A text that is not one of the words its set declares (`"man"` where the set `sex` holds "men" and "women")."""

    code = "RP0206"


class UnreadFactWarning(PolicyError):
    """A warning: a field of a declared fact that no rule, condition or table reads, so giving it changes no answer."""

    code = "RP0207"
    severity = "warning"


# ---- end words and facts


class PolicyTypeError(PolicyError):
    """Values of kinds that do not combine: a percentage added to a date, km compared to EUR."""

    code = "RP0301"


class ArityError(PolicyError):
    """A rule or function called with the wrong number of arguments."""

    code = "RP0302"


class ScheduleError(PolicyError):
    """Schedule tiers or bands that overlap, run backwards or leave a gap."""

    code = "RP0401"


class TableError(PolicyError):
    """A threshold table with a duplicate row or a row of the wrong width."""

    code = "RP0402"


class ChecklistError(PolicyError):
    """An equipment checklist item that cannot hold: a quantity that is not a whole number of items, a shortfall
    infraction on an item asked for once, a penalty tied to a recommended item, an item listed twice for a race."""

    code = "RP0420"


class ConflictError(PolicyError):
    """Two equally specific penalties for the same infraction and race that disagree."""

    code = "RP0501"


class ValidationError(PolicyError):
    """A series plugin's validator found the policy breaks a rule of its series."""

    code = "RP0502"


class EvaluationError(PolicyError):
    """A query could not be answered: a missing fact, no matching table row, a bad argument."""

    code = "RP0601"


class QueryError(PolicyError):
    """A query that names no edition that can answer it, or a query form nobody provides."""

    code = "RP0602"


class UnknownFieldError(QueryError):
    """A fact given in a query holds a field that no rule of the edition reads (a misspelt or foreign field)."""

    code = "RP0603"


class FactShapeError(QueryError):
    """Facts given with a query that do not fit the shape the policy declares: a missing, misspelt or mistyped field."""

    code = "RP0604"


class InputError(PolicyError):
    """A missing file, an unreadable folder, a bad command-line value."""

    code = "RP0701"


class LimitError(PolicyError):
    """Base of the limits that keep a mistaken or hostile input from exhausting the machine."""

    code = "RP0800"


class NestingError(LimitError):
    """An expression nested deeper than any regulation needs."""

    code = "RP0801"


class InputTooLargeError(LimitError):
    """A policy file or a query longer than the limit."""

    code = "RP0802"


class NumberRangeError(LimitError):
    """A number, amount or duration too large (or too precise) to be held exactly."""

    code = "RP0803"


class FormatError(PolicyError):
    """The formatter could not prove its output says the same as its input (a formatter bug); the file is left as it was."""

    code = "RP0901"


class StepLimitError(LimitError):
    """An answer that needs more evaluation steps than any regulation does: rules that fan out exponentially."""

    code = "RP0804"


class PolicyErrors(PolicyError):
    """Several errors of one or more files, reported together in source order."""

    code = "RP0000"

    def __init__(self, errors: Sequence[PolicyError]) -> None:
        ordered = sorted(errors, key=lambda e: (e.source_name, e.span.line, e.span.column))
        super().__init__(f"{len(ordered)} error(s)", NOWHERE, None, "")
        self.errors: tuple[PolicyError, ...] = tuple(ordered)

    def render(self) -> str:
        return "\n".join(e.render() for e in self.errors)

    def as_json(self) -> dict[str, object]:
        return {"errors": [e.as_json() for e in self.errors]}


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """A hint naming the closest candidate, or an empty string."""
    pool = set(candidates)
    key = name.lower()
    same = sorted(c for c in pool if c.lower() == key)
    if same:
        return f"did you mean '{same[0]}'?"
    if len(pool) > MAX_HINT_CANDIDATES:
        # difflib compares the name with every candidate: in a huge policy, only names that could be close.
        pool = {c for c in pool if abs(len(c) - len(name)) <= 2 and c[:1].lower() == key[:1]}
    import difflib  # cold start: only a hint needs it

    close = difflib.get_close_matches(name, sorted(pool)[:MAX_HINT_CANDIDATES], n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


# ---- fidelity to the regulation text (engineer fidelity: codes RP1001-RP1099) ----------------


class CitationNotFoundError(PolicyError):
    """A `§` quote that is not in the regulation text the policy names with `source`: a citation must quote the text verbatim."""

    code = "RP1001"


class MissingInputError(PolicyError):
    """A query whose answer needs a declared input (a figure the regulation does not give) that the query did not supply."""

    code = "RP1003"


class AssertionFailedError(PolicyError):
    """An `assert` statement whose condition does not hold: the policy contradicts a fact its regulation states."""

    code = "RP1004"


class MissingCitationError(PolicyError):
    """A rule, table, schedule, band, race attribute or penalty without a `§` citation of its own (a warning; an error with `check --strict`)."""

    code = "RP1005"


class SourceTextNotFoundError(PolicyError):
    """With `check --strict`: the regulation text a policy names cannot be found (or it names none), so its citations are unverified."""

    code = "RP1002"
