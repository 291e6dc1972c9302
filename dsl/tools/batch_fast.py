"""The fused loop of `racepolicy run` on CSV: one generated function per run, specialised to the file's columns and the rule's parameter kinds.

Per row it does only what a plain line of an expected row needs: split the line
at commas into as many fields as the header has, take each parameter's cell (a
text parameter takes the cell itself; any other kind looks its value up in the
per-column cache of cells already converted), call the rule's generated
function, and append the line and the answer's cached text. Any row it does not
expect (a width other than the header's, a cell not in its column's cache, an
error of any kind from the rule) goes to the exact path (`RowProcessor._process_csv`)
for that row alone, in its place, so the exact path converts, validates and
reports it as it always did; an answer whose text is not cached yet gets it
from the exact path's own `_ending`. Lines holding a quote or a byte that is
not UTF-8 never reach this loop: their chunk is read by the csv module
(`batch.csv_rows`).

No user text is part of the generated source: fields are `f0, f1, ...` by
position, caches `_c0, _c1, ...`, and the rule, caches and helpers are passed
in the function's namespace.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

# Rows with at most this many fields are unpacked into locals (a wrong count raises, and the row goes to the exact path);
# wider files index the fields of a split line after testing its length.
MAX_UNPACKED = 64

# The loop takes a chunk's lines (each with its line end), the line number of the first, and appends to the output pieces and the rejected rows.
Loop = Callable[[Sequence[str], int, list[str], list[tuple[int, str, str]]], None]
Exact = Callable[[int, str, list[str], list[tuple[int, str, str]]], None]


def build_loop(
    width: int, columns: Sequence[int], kinds: Sequence[str], caches: Sequence[dict[str, Any]], rule: Callable[..., Any],
    endings: dict[Any, str], ending: Callable[[Any], str], exact: Exact,
) -> Loop:
    """The loop over a chunk of quote-free CSV lines for one run: `columns[i]` is the field that feeds parameter i,
    `kinds[i]` its kind, `caches[i]` its cache of converted cells; `endings` caches `,ANSWER\\n` per answer and
    `ending(value)` computes one; `exact(line, text, out, errors)` is the exact path for one row."""
    namespace: dict[str, Any] = {"_rule": rule, "_endings": endings, "_ending": ending, "_exact": exact}
    arguments, cached = [], []
    for i, (column, kind) in enumerate(zip(columns, kinds, strict=True)):
        if kind == "text":
            arguments.append(f"f{column}")  # a text parameter's value is the cell itself (its converter is `str`)
        else:
            namespace[f"_c{i}"] = caches[i]
            cached.append(f"    c{i} = _c{i}\n")
            arguments.append(f"c{i}[f{column}]")  # KeyError for a cell not converted yet
    if width <= MAX_UNPACKED:
        # Fields nobody reads are named too, so that a row of another width fails the unpacking.
        split = f"            {', '.join(f'f{j}' for j in range(width))}{',' if width == 1 else ''} = text.split(',')\n"
    else:
        split = (
            "            fields = text.split(',')\n"
            f"            if len(fields) != {width}:\n                raise IndexError\n"
            + "".join(f"            f{j} = fields[{j}]\n" for j in sorted(set(columns)))
        )
    # A blank line is no row (the exact path skips it); with one column it would split into one empty field.
    blank = "        if not text:\n            continue\n" if width == 1 else ""
    source = (
        "def _loop(lines, first, out, errors):\n"
        "    rule, endings, ending, exact = _rule, _endings, _ending, _exact\n"
        f"{''.join(cached)}"
        "    append = out.append\n"
        "    for n, line in enumerate(lines, first):\n"
        "        text = line.rstrip('\\r\\n')\n"
        f"{blank}"
        "        try:\n"
        f"{split}"
        f"            value = rule({', '.join(arguments)})\n"
        "        except Exception:  # a row the loop does not expect, or an error: the exact path reads it, reports it or raises\n"
        "            exact(n, text, out, errors)\n"
        "            continue\n"
        "        try:\n"
        "            append(text + endings[value])\n"
        "        except (KeyError, TypeError):  # an answer not seen yet, or unhashable\n"
        "            append(text + ending(value))\n"
    )
    exec(compile(source, "<racepolicy run loop>", "exec"), namespace)
    loop: Loop = namespace["_loop"]
    return loop
