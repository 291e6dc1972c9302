"""Validation while typing: syntax errors with the cursor on them; an unfinished statement is not an error but a cue to go on."""

from __future__ import annotations

import re

import attrs
from prompt_toolkit.document import Document
from prompt_toolkit.validation import ValidationError, Validator
from racepolicy.repl.session import Session, classify


@attrs.frozen
class Status:
    """What the input is so far: complete, unfinished (Enter adds a line), or wrong at `offset`."""

    complete: bool
    incomplete: bool = False
    message: str = ""
    offset: int = 0


def _offset(text: str, line: int, column: int) -> int:
    """The character offset of a 1-based line and column, clamped into the text."""
    lines = text.split("\n")
    line = min(max(line, 1), len(lines))
    return min(sum(len(row) + 1 for row in lines[: line - 1]) + max(column - 1, 0), len(text))


def _ends_early(text: str, start: str) -> bool:
    """True when the text is a correct beginning that stops before its end (`penalty missing_jacket on`)."""
    from lark.exceptions import LarkError, UnexpectedEOF, UnexpectedToken
    from racepolicy.language.parser import parser

    try:
        parser().parse(text, start=start)
    except UnexpectedEOF:
        return True
    except UnexpectedToken as exc:
        return exc.token.type == "$END"
    except (LarkError, RecursionError):
        return False
    return False


def status(text: str) -> Status:
    """Check one input without answering it."""
    from racepolicy.language.errors import PolicyError
    from racepolicy.language.parser import parse_policy, parse_query

    kind = classify(text)
    if kind in ("empty", "command"):
        return _command_status(text) if kind == "command" else Status(True)
    start = "policy" if kind == "definition" else "query"
    if text.count('"') % 2 == 1 or _ends_early(text, start):
        return Status(False, incomplete=True)
    try:
        if kind == "definition":
            parse_policy(text, "<session>")
        else:
            parse_query(text)
    except PolicyError as exc:
        first = getattr(exc, "errors", (exc,))[0]
        offset = _offset(text, first.span.line, first.span.column)
        if _typing_a_keyword(text, offset):
            return Status(False, incomplete=True)
        message = first.message + (f": {first.hint}" if first.hint else "")
        return Status(False, message=message, offset=offset)
    return Status(True)


def _typing_a_keyword(text: str, offset: int) -> bool:
    """True when the error is a last word that is the start of a keyword accepted there (`eligible ETC giv`): not yet a mistake."""
    from racepolicy.repl.completer import accepted_keywords

    word = text[offset:]
    if not re.fullmatch(r"[A-Za-z_]+", word):
        return False
    return any(k.startswith(word) for k in accepted_keywords(text[:offset])[0])


def _command_status(text: str) -> Status:
    from racepolicy.language.errors import did_you_mean
    from racepolicy.repl.commands import ALIASES, COMMANDS

    stripped = text.strip()
    name = stripped[1:].split(maxsplit=1)[0] if len(stripped) > 1 else ""
    if ALIASES.get(name, name) in COMMANDS:
        return Status(True)
    hint = did_you_mean(name, COMMANDS).replace("'", "':", 1) or "type :help for the commands"
    return Status(False, message=f"unknown command ':{name}': {hint}", offset=text.index(":"))


class RacePolicyValidator(Validator):
    """Rejects text that can never be a query, command or definition; leaves unfinished text alone."""

    def __init__(self, session: Session | None = None) -> None:
        self.session = session

    def validate(self, document: Document) -> None:
        result = status(document.text)
        if result.message:
            raise ValidationError(cursor_position=result.offset, message=result.message)
