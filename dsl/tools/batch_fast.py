"""The fused loops of `racepolicy run` on CSV: generated once per run, specialised to the file's columns and the rule's parameter kinds.

Per row they do only what an expected row needs: split the line at commas into
as many fields as the header has, take each parameter's cell (a text parameter
takes the cell itself; any other kind looks its value up in the per-column
cache of cells already converted and validated), call the rule's generated
function, and append the line and the answer's cached text. Any row they do
not expect (a width other than the header's, a cell not in its column's cache,
an error of any kind from the rule, a row the csv module read because it holds
a quote) goes to the exact path (`RowProcessor._process_csv`) alone, in its
place, so the exact path converts, validates, writes and reports it as it
always did; an answer whose text is not cached yet gets it from the exact
path's own `_ending`.

One loop takes a chunk of lines with no quote and no byte that is not UTF-8
(most chunks of most files); the other the rows of a chunk that holds some,
split by `batch.csv_rows`, where the rows read from plain lines are as fast.

No user text is part of the generated source: fields are `f0, f1, ...` by
position and caches `c0, c1, ...`; the rule, caches and helpers are passed in
the function's namespace.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

# Rows with at most this many fields are unpacked into locals (a wrong count raises, and the row goes to the exact path);
# wider files index the fields of a split line after testing its length.
MAX_UNPACKED = 64

Row = tuple[int, Any, Any]  # (line, fields, the line's text or None for a row the csv module read), as batch.csv_rows gives
Errors = list[tuple[int, str, str]]
Exact = Callable[[Row, list[str], Errors], None]
ExactLine = Callable[[int, str, list[str], Errors], None]
LinesLoop = Callable[[Sequence[str], int, list[str], Errors], None]  # (a chunk's lines with their line ends, the first's number, out, errors)


@attrs.frozen
class Loops:
    """The loops of one run; each appends one output piece per row written, and rejected rows, in line order."""

    lines: LinesLoop  # lines without a quote
    quoted_lines: LinesLoop  # lines some of which hold quotes, each quote closed on its own line: those go to the exact path
    rows: Callable[[Sequence[Row], list[str], Errors], None]  # (the rows of a chunk split by the csv module, out, errors)
    source: str  # the generated source: field positions and generated names only (tests/test_batch_fast.py checks it)


def build_loops(
    width: int, columns: Sequence[int], kinds: Sequence[str], caches: Sequence[dict[str, Any]], rule: Callable[..., Any],
    endings: dict[Any, str], ending: Callable[[Any], str], exact: Exact, exact_line: ExactLine,
) -> Loops:
    """The loops of one run: `columns[i]` is the field that feeds parameter i, `kinds[i]` its kind, `caches[i]` its cache
    of converted cells; `endings` caches `,ANSWER\\n` per answer and `ending(value)` computes one; `exact(row, out, errors)`
    is the exact path for one row and `exact_line(line number, line, out, errors)` for one line."""
    namespace: dict[str, Any] = {"_rule": rule, "_endings": endings, "_ending": ending, "_exact": exact, "_exact_line": exact_line}
    arguments, cached = [], []
    for i, (column, kind) in enumerate(zip(columns, kinds, strict=True)):
        if kind == "text":
            arguments.append(f"f{column}")  # a text parameter's value is the cell itself (its converter is `str`)
        else:
            namespace[f"_c{i}"] = caches[i]
            cached.append(f"    c{i} = _c{i}\n")
            arguments.append(f"c{i}[f{column}]")  # KeyError for a cell not converted yet
    prologue = "    rule, endings, ending, exact, exact_line = _rule, _endings, _ending, _exact, _exact_line\n" + "".join(cached) + "    append = out.append\n"

    def split(fields: str) -> str:
        if width <= MAX_UNPACKED:
            # Fields nobody reads are named too, so that a row of another width fails the unpacking.
            return f"            {', '.join(f'f{j}' for j in range(width))}{',' if width == 1 else ''} = {fields}\n"
        return (
            ("" if fields == "fields" else f"            fields = {fields}\n")
            + f"            if len(fields) != {width}:\n                raise IndexError\n"
            + "".join(f"            f{j} = fields[{j}]\n" for j in sorted(set(columns)))
        )

    evaluate_and_write = (
        f"            value = rule({', '.join(arguments)})\n"
        "        except Exception:  # a row the loop does not expect, or an error: the exact path reads it, reports it or raises\n"
        "{fallback}"
        "            continue\n"
        "        try:\n"
        "            append(text + endings[value])\n"
        "        except (KeyError, TypeError):  # an answer not seen yet, or unhashable\n"
        "            append(text + ending(value))\n"
    )
    split_line = split("text.split(',')")
    # A blank line is no row (the exact path skips it); with one column it would split into one empty field and reach the rule.
    blank = "        if not text:\n            continue\n" if width == 1 else ""

    def lines_loop(name: str, quote_test: str) -> str:
        return (
            f"def {name}(lines, first, out, errors):\n"
            f"{prologue}"
            "    for n, line in enumerate(lines, first):\n"
            "        text = line.rstrip('\\r\\n')\n"
            f"{blank}"
            "        try:\n"
            f"{quote_test}"
            f"{split_line}"
            + evaluate_and_write.replace("{fallback}", "            exact_line(n, line, out, errors)\n")
            + "\n"
        )

    source = (
        lines_loop("_lines", "")
        # A quote makes the csv module read the line, in the exact path.
        + lines_loop("_quoted_lines", "            if '\"' in text:\n                raise ValueError\n")
        + "def _rows(rows, out, errors):\n"
        f"{prologue}"
        "    for row in rows:\n"
        "        n, fields, text = row\n"
        "        try:\n"
        "            if text is None:  # a row the csv module read: the exact path writes it as the csv module would\n"
        "                raise ValueError\n"
        f"{split('fields')}"
        + evaluate_and_write.replace("{fallback}", "            exact(row, out, errors)\n")
    )
    exec(compile(source, "<racepolicy run loop>", "exec"), namespace)
    return Loops(namespace["_lines"], namespace["_quoted_lines"], namespace["_rows"], source)
