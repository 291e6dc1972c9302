"""Edits an author makes to a policy, for the tests of incremental analysis: typing, deleting across statements, moving lines, undoing."""

from __future__ import annotations

from hypothesis import strategies as st

# Edits an author makes, as (kind, where, how much, what): `where` and `how much` are scaled to the text when applied.
KINDS = ("type", "type", "type", "delete", "newline", "newline", "join", "move", "keyword", "undo", "undo")
TYPED = st.sampled_from(["s", "e", "x", "1", "0", " ", " ", "\n", "# ", '"', ",", ":", "(", ")", "§", "=", "-", "\t", "km", "EUR", "\r\n"])
EDIT = st.tuples(st.sampled_from(KINDS), st.integers(0, 10**6), st.integers(1, 80), TYPED)


def edited(text: str, edit: tuple[str, int, int, str], history: list[str]) -> str:
    """The text after one edit; `undo` goes back to an earlier text (a broken file repaired)."""
    kind, where, size, typed = edit
    at = where % (len(text) + 1)
    line_start = text.rfind("\n", 0, at) + 1
    if kind == "type":
        return text[:at] + typed + text[at:]
    if kind == "delete":  # may take the end of one statement and the start of the next
        return text[:at] + text[at + size:]
    if kind == "newline":
        return text[:at] + "\n" + text[at:]
    if kind == "join":  # the line break after `at` goes: two statements may become one line
        end = text.find("\n", at)
        return text if end < 0 else text[:end] + " " + text[end + 1:]
    if kind == "move":  # a line cut and put back `size` lines further up
        end = text.find("\n", at)
        end = len(text) if end < 0 else end + 1
        line, rest = text[line_start:end], text[:line_start] + text[end:]
        target = line_start
        for _ in range(size % 12):
            target = rest.rfind("\n", 0, max(target - 1, 0)) + 1
        return rest[:target] + line + rest[target:]
    if kind == "keyword":  # a statement keyword typed at the start of a line: a new statement, or a broken one
        word = ("rule ", "section ", 'section "Typed"\n', "race ", "informative ")[size % 5]
        return text[:line_start] + word + text[line_start:]
    return history[where % len(history)]
