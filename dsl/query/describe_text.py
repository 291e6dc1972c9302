"""The text form of `describe` data, shared by the command line and the REPL: tables printed whole, citations under them."""

from __future__ import annotations

import re
from typing import Any

from racepolicy.evaluation.model import Citation
from racepolicy.query.describe import PLURALS

# Longest cell shown in a table column; a longer clause is cut (the JSON form keeps it whole).
MAX_CELL = 70


def _cite(citation: dict[str, Any] | None) -> str:
    # The same words as an answer's citation: section, clause, policy line, regulation line and reading.
    return Citation.from_json(citation).render() if citation else ""


def _cut(text: str) -> str:
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 3] + "..."


def grid(headers: list[str], rows: list[list[str]], indent: str = "  ") -> list[str]:
    """Rows under headers, each column as wide as its widest cell."""
    cells = [headers, *[[_cut(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [indent + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, indent + "  ".join("-" * w for w in widths))
    return lines


def _params(item: dict[str, Any]) -> str:
    return ", ".join(f"{p['name']}: {p['kind']}" for p in item.get("params", ()))


def _ranges(numbers: list[int]) -> str:
    """`1,2,3,5` as `1-3,5`."""
    parts: list[str] = []
    for n in numbers:
        if parts and "-" not in parts[-1].split(",")[-1] and int(parts[-1]) == n - 1:
            parts[-1] = f"{parts[-1]}-{n}"
        elif parts and "-" in parts[-1] and int(parts[-1].split("-")[1]) == n - 1:
            parts[-1] = f"{parts[-1].split('-')[0]}-{n}"
        else:
            parts.append(str(n))
    return ",".join(parts)


def _cited_rows(item: dict[str, Any], headers: list[str], cells: list[list[str]]) -> list[str]:
    """A table, then its citations by row (rows citing the same clause together), so the table stays readable."""
    lines = grid(["#", *headers], [[str(i), *row] for i, row in enumerate(cells, 1)])
    seen: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}
    for i, r in enumerate(item["rows"], 1):
        if r["citation"]:
            seen.setdefault((r["citation"]["section"], r["citation"]["clause"]), []).append((i, r["citation"]))
    for rows in seen.values():
        first, last = rows[0][1], rows[-1][1]
        cited = _cite(first)
        if last["line"] != first["line"]:
            cited = cited[: cited.rindex(")")] + f"-{last['line']})"
        lines.append(f"  {_ranges([i for i, _ in rows])}: {cited}")
    return lines


def render_item(item: dict[str, Any]) -> list[str]:
    """One thing of an edition, whole."""
    kind, name = item["kind"], item["name"]
    if kind == "race":
        lines = [f"race {name} \"{item['title']}\""]
        lines += [f"  {a['name']:<12} {a['value']}" + (f"\n      {_cite(a['citation'])}" if a["citation"] else "") for a in item["attributes"]]
        for e in item["eligibility"]:
            give = "".join(f"\n      give {p} = {{{', '.join(f'{f}: ...' for f in fs)}}}" for p, fs in e.get("fields", {}).items())
            lines.append(f"  eligible if {e['condition']}{give}\n      {_cite(e['citation'])}")
        return lines
    if kind == "group":
        return [f"group {name} = {', '.join(item['members'])}"]
    if kind == "infraction":
        lines = [f"infraction {name}" + (f" \"{item['description']}\"" if item["description"] else "")]
        lines += [f"  on {p['on']:<10} {p['sanction']}\n      {_cite(p['citation'])}" for p in item["penalties"]]
        return lines
    if kind == "rule":
        reads = [f"  give {param} = {{{', '.join(f'{f}: ...' for f in fields)}}}" for param, fields in item.get("fields", {}).items() if fields]
        words = [f"  {key}: {', '.join(values)}" for key, values in item.get("words", {}).items()]
        return [f"rule {name}({_params(item)}) -> {item['returns']}", f"  = {item['body']}", *reads, *words, f"  {_cite(item['citation'])}"]
    if kind == "schedule":
        head = [f"schedule {name}(date) -> {item['returns']}"]
        return head + _cited_rows(item, ["through", "value"], [[r["through"], r["value"]] for r in item["rows"]])
    if kind == "table":
        head = [f"table {name}({_params(item)}) -> {item['returns']}"]
        return head + _cited_rows(item, [p["name"] for p in item["params"]] + ["value"], [[*r["keys"], r["value"]] for r in item["rows"]])
    if kind == "band":
        head = [f"band {name}(number) -> {item['returns']}"]
        return head + _cited_rows(item, ["range", "value"], [[r["range"], r["value"]] for r in item["rows"]])
    if kind == "checklist":
        return _checklist(item)
    if kind == "words":
        case = " (case-sensitive)" if item["case_sensitive"] else ""
        head = [f"words {name}{case}"] + ([f"  {_cite(item['citation'])}"] if item["citation"] else [])
        return head + _cited_rows(item, ["word", "other spellings"], [[r["word"], ", ".join(r["aliases"])] for r in item["rows"]])
    if kind == "facts":
        head = [f"facts {name}: give {name} = {{field: value, ...}}"] + ([f"  {_cite(item['citation'])}"] if item["citation"] else [])
        return head + _cited_rows(item, ["field", "kind", "optional"], [[r["field"], r["type"], "optional" if r["optional"] else ""] for r in item["rows"]])
    if kind == "attribute":
        return [f"attribute {name}: {item['type']}"] + ([f"  {_cite(item['citation'])}"] if item["citation"] else [])
    if kind == "input":
        lines = [f"input {name}: {item['type']}", f"  not in the text: {item['reason']}", f"  give it with the query: given {name} = ..."]
        return lines + ([f"  {_cite(item['citation'])}"] if item["citation"] else [])
    if kind == "query form":
        return [f"query form {name}: {item['doc']}", f"  ask as: {item['usage']}"]
    return [f"{kind} {name}"]  # pragma: no cover - every kind is written above


def _checklist(item: dict[str, Any]) -> list[str]:
    """A checklist or kit as a table: item, quantity, description, specs, excepted races, tied infractions; citations under it."""
    kit = f" kit {item['kit']}" if item["kit"] else ""
    lines = [f"checklist {item['name']} on {', '.join(item['targets'])}{kit} (races: {', '.join(item['races'])})"]
    lines += [f"  for the whole list: {spec}" for spec in item["specs"]]
    if item["citation"] and item["citation"]["clause"]:
        lines.append(f"  {_cite(item['citation'])}")
    rows = [
        [("" if r["required"] else "recommended: ") + r["item"], str(r["count"]), r["description"], "; ".join(r["specs"]),
         ", ".join(r["excepted"]), ", ".join(r["infractions"])]
        for r in item["rows"]
    ]
    table = _cited_rows(item, ["item", "qty", "description", "specs", "except", "infractions"], rows)
    # A spec too long for its cell is printed whole under the table: the runner's exact obligation must not be cut.
    cut = [f"  {i} {r['item']}: {'; '.join(r['specs'])}" for i, r in enumerate(item["rows"], 1) if len("; ".join(r["specs"])) > MAX_CELL]
    rows_end = len(table) - sum(1 for line in table if re.match(r"  [\d,-]+: ", line))
    return lines + table[:rows_end] + (["  specs in full:", *cut] if cut else []) + table[rows_end:]


_SECTIONS = (
    ("races", "Races"), ("groups", "Groups"), ("infractions", "Infractions and their penalties"), ("rules", "Rules"),
    ("schedules", "Schedules"), ("tables", "Tables"), ("bands", "Bands"), ("checklists", "Equipment checklists and kits"),
    ("word_sets", "Word sets (words)"), ("fact_shapes", "Facts a query gives (facts)"), ("attributes", "Race attributes the policy declares"),
    ("inputs", "Declared inputs: figures the text does not give"), ("readings", "Readings of ambiguous clauses"),
    ("assertions", "Assertions checked at load"), ("query_forms", "Query forms"),
)
_SINGULAR = {**{plural: kind for kind, plural in PLURALS.items() if kind != "words"}, "word sets": "word set", "fact shapes": "fact shape",
             "readings": "reading", "assertions": "assertion"}


def render_edition(data: dict[str, Any], command: str = "racepolicy describe") -> str:
    """A whole edition, section by section."""
    lines = [f"{data['edition']}: {data['title']} ({data['file']})"]
    for key, title in _SECTIONS:
        items = data[key]
        if not items:
            continue
        lines += ["", f"{title} ({len(items)}):"]
        if key == "races":
            lines += grid(["race", "title", "attributes"], [[r["name"], r["title"], ", ".join(a["name"] for a in r["attributes"])] for r in items])
        elif key == "infractions":
            lines += grid(
                ["infraction", "description", "penalties"],
                [[i["name"], i["description"], "; ".join(f"{p['on']}: {p['sanction']}" for p in i["penalties"])] for i in items],
            )
        elif key == "rules":
            rows = [[r["name"], _params(r), r["returns"], (r["citation"] or {}).get("clause", "")] for r in items]
            lines += grid(["rule", "parameters", "kind", "clause"], rows)
        elif key == "groups":
            lines += [f"  {g['name']} = {', '.join(g['members'])}" for g in items]
        elif key == "query_forms":
            lines += [f"  {f['usage']}\n      {f['doc']}" for f in items]
        elif key == "readings":
            lines += [f"  {r['statement']}: {_cite(r['citation'])}" for r in items]
        elif key == "assertions":
            lines += [f"  assert {a['condition']}\n      {_cite(a['citation'])}" for a in items]
        else:
            for item in items:
                lines += ["", *["  " + line for line in render_item(item)]]
    lines += ["", "Words a query may use:"]
    lines += [f"  {kind}: {', '.join(values)}" for kind, values in data["words"].items()]
    lines += ["", f"'{command} {data['key']} NAME' shows one of these whole, with its citations."]
    return "\n".join(lines)


def render_summary(data: dict[str, Any], command: str = "racepolicy describe") -> str:
    """The loaded editions, one paragraph each."""
    lines = []
    for e in data["editions"]:
        counts = ", ".join(f"{n} {k if n != 1 else _SINGULAR.get(k, k)}" for k, n in e["counts"].items() if n)
        lines += [f"{e['key']:<18} {e['title']} ({e['file']})", f"{'':<18} {counts}"]
    lines += ["", f"'{command} EDITION' lists what one edition knows; '{command} EDITION NAME' shows one thing whole."]
    return "\n".join(lines)


def render(data: dict[str, Any], command: str = "racepolicy describe") -> str:
    """Any `describe` data as text; `command` is how the reader asks for more (`:describe` in the REPL)."""
    if "editions" in data:
        return render_summary(data, command)
    if "kind" in data:
        others = data.get("also_in", ())
        also = f"\n(also in {', '.join(others)}: {command} {others[0]} {data['name']})" if others else ""
        return f"[{data['edition']}]\n" + "\n".join(render_item(data)) + also
    return render_edition(data, command)
