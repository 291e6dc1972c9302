"""Source text and spans: where in which file a piece of policy stands."""

from __future__ import annotations

import functools

import attrs


@attrs.frozen
class Span:
    """A region of source text; lines and columns count from 1, end column exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int, column: int) -> Span:
        return cls(line, column, line, column + 1)

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


NOWHERE = Span(0, 0, 0, 0)


@attrs.frozen
class Source:
    """A named text: a policy file, a query typed at the prompt, a CSV cell."""

    name: str
    text: str

    def line(self, number: int) -> str:
        # Lines end at "\n" only, as the parser counts them: splitlines() would
        # also split at \x0c, \u2028 and friends and show the wrong line.
        lines = _lines(self.text)
        if 1 <= number <= len(lines):
            return lines[number - 1].removesuffix("\r")
        return ""


@functools.lru_cache(maxsize=16)
def _lines(text: str) -> tuple[str, ...]:
    # A trace quotes lines of a 100 kB policy at every answer: split each text once (a str keeps its hash).
    return tuple(text.split("\n"))
