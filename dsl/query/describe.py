"""What an edition knows, as plain data: races, rules, tables, checklists, words, facts, inputs, readings, assertions and query forms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from racepolicy.evaluation.model import Citation, Edition, cite
from racepolicy.evaluation.values import render
from racepolicy.language import ast
from racepolicy.language.errors import FormatError, QueryError
from racepolicy.query.suggest import suggest
from racepolicy.tools.formatter import expression

if TYPE_CHECKING:
    from racepolicy.query.policyset import PolicySet

# The kinds of thing `describe NAME` shows whole, in the order an edition lists them.
KINDS = (
    "race", "group", "infraction", "rule", "schedule", "table", "band", "checklist", "words", "facts", "attribute", "input", "query form",
)
# The key of each kind in the JSON of a whole edition, and its plural in the text.
PLURALS = {
    "race": "races", "group": "groups", "infraction": "infractions", "rule": "rules", "schedule": "schedules", "table": "tables",
    "band": "bands", "checklist": "checklists", "words": "word sets", "facts": "fact shapes", "attribute": "attributes",
    "input": "inputs", "query form": "query forms",
}


def section_key(kind: str) -> str:
    """`query form` -> `query_forms`: the JSON key of a kind's list in a whole edition."""
    return PLURALS[kind].replace(" ", "_")


def _citation(citation: Citation | None) -> dict[str, Any] | None:
    return citation.as_json() if citation is not None else None


def _code(expr: ast.Expr | None) -> str:
    """An expression as the policy writes it (the formatter's canonical text)."""
    if expr is None:
        return ""
    try:
        return expression(expr)
    except FormatError:  # an expression the formatter cannot write is shown by its kind
        return f"<{type(expr).__name__}>"


def _params(params: tuple[ast.Param, ...]) -> list[dict[str, str]]:
    return [{"name": p.name, "kind": p.type} for p in params]


def _race(edition: Edition, name: str) -> dict[str, Any]:
    race = edition.races[name]
    return {
        "kind": "race", "name": name, "title": race.title,
        "attributes": [
            {"name": key, "value": render(value), "citation": _citation(race.citations.get(key))} for key, value in race.attributes.items()
        ],
        "eligibility": [
            {"condition": _code(e.condition), "citation": _citation(cite(edition.source, race.decl, e, e.citation)),
             "fields": {k: v for k, v in _expr_fields(edition, e.condition, _free_names(e.condition, edition)).items() if v}}
            for e in race.decl.eligibility
        ],
        "citation": _citation(cite(edition.source, race.decl)),
    }


def _free_names(expr: ast.Expr, edition: Edition) -> list[str]:
    """Names in a condition that are facts of the case (not races, groups or rules): `runner` in `born_in_time(runner)`."""
    found = [n.name for n in [expr, *expr.find_all(ast.Name)] if isinstance(n, ast.Name)]
    return [n for n in dict.fromkeys(found) if n not in edition.races and n not in edition.groups and n not in edition.rules]


def _group(edition: Edition, name: str) -> dict[str, Any]:
    group = edition.groups[name]
    return {"kind": "group", "name": name, "members": list(group.decl.members), "citation": _citation(cite(edition.source, group.decl))}


def _infraction(edition: Edition, name: str) -> dict[str, Any]:
    decl = edition.infractions.get(name)
    return {
        "kind": "infraction", "name": name, "description": decl.description if decl else "",
        "penalties": [
            {"on": p.target_label, "races": sorted(p.races), "sanction": render(p.sanction), "citation": _citation(p.citation)}
            for p in edition.penalties.get(name, ())
        ],
    }


def _expr_fields(edition: Edition, expr: ast.Expr, names: list[str], seen: frozenset[str] = frozenset()) -> dict[str, list[str]]:
    """The fields an expression reads of each named record, also through the rules it passes the record to: what to give."""
    fields: dict[str, list[str]] = {n: [] for n in names}

    def add(name: str, field: str) -> None:
        if field not in fields[name]:
            fields[name].append(field)

    nodes = [expr, *expr.find_all(ast.Node)]
    for node in nodes:
        if isinstance(node, ast.Field) and isinstance(node.subject, ast.Name) and node.subject.name in fields:
            add(node.subject.name, node.name)
        elif isinstance(node, ast.Call) and node.function in edition.rules and node.function not in seen:
            inner = edition.rules[node.function].decl
            passed = {p.name: a.name for p, a in zip(inner.params, node.args, strict=False) if isinstance(a, ast.Name) and a.name in fields}
            if passed:
                read = _expr_fields(edition, inner.body, list(passed), seen | {node.function})
                for param, name in passed.items():
                    for field in read[param]:
                        add(name, field)
    return fields


def closed_words(expr: ast.Expr) -> dict[str, list[str]]:
    """The texts a rule compares a parameter or a field with (`reason in ["accident", ...]`): the words a query may give it."""
    words: dict[str, list[str]] = {}
    for node in [expr, *expr.find_all(ast.Binary)]:
        if not isinstance(node, ast.Binary) or node.op not in ("in", "notin", "==", "!="):
            continue
        subject = node.left
        if isinstance(subject, ast.Name):
            key = subject.name
        elif isinstance(subject, ast.Field) and isinstance(subject.subject, ast.Name):
            key = f"{subject.subject.name}.{subject.name}"
        else:
            continue
        items = node.right.items if isinstance(node.right, ast.ListExpr) else (node.right,)
        texts = [i.value for i in items if isinstance(i, ast.Literal) and isinstance(i.value, str)]
        for text in texts:
            if text not in words.setdefault(key, []):
                words[key].append(text)
    return {k: v for k, v in words.items() if v}


def _fields_read(edition: Edition, name: str) -> dict[str, list[str]]:
    decl = edition.rules[name].decl
    return _expr_fields(edition, decl.body, [p.name for p in decl.params if p.type == "record"], frozenset({name}))


def _rule(edition: Edition, name: str) -> dict[str, Any]:
    rule = edition.rules[name]
    return {
        "kind": "rule", "name": name, "params": _params(rule.decl.params), "returns": rule.kind,
        "fields": _fields_read(edition, name), "words": closed_words(rule.decl.body), "body": _code(rule.decl.body),
        "citation": _citation(cite(edition.source, rule.decl)),
    }


def _schedule(edition: Edition, name: str) -> dict[str, Any]:
    schedule = edition.schedules[name]
    return {
        "kind": "schedule", "name": name, "returns": schedule.kind,
        "rows": [
            {"through": _code(t.node.through) if isinstance(t.node, ast.Tier) else "otherwise", "value": _code(t.value),
             "citation": _citation(t.citation)}
            for t in schedule.tiers
        ],
    }


def _table(edition: Edition, name: str) -> dict[str, Any]:
    table = edition.tables[name]
    decl = table.decl
    rows = [
        {"keys": [_code(k) for k in row.keys], "value": _code(row.value), "citation": _citation(cite(edition.source, decl, row, row.citation))}
        for row in decl.rows
    ]
    if decl.otherwise is not None:
        rows.append({
            "keys": ["otherwise"] * len(decl.params), "value": _code(decl.otherwise.value),
            "citation": _citation(cite(edition.source, decl, decl.otherwise, decl.otherwise.citation)),
        })
    return {"kind": "table", "name": name, "params": _params(decl.params), "returns": table.kind, "rows": rows}


def _band(edition: Edition, name: str) -> dict[str, Any]:
    band = edition.bands[name]
    return {
        "kind": "band", "name": name, "returns": band.kind,
        "rows": [
            {"range": f"{row.low}+" if row.high is None else f"{row.low}-{row.high}", "value": _code(row.value) if row.value else row.label,
             "citation": _citation(cite(edition.source, band.decl, row, row.citation))}
            for row in band.decl.rows
        ],
    }


# ---- checklists, words, facts, attributes, inputs, readings and assertions (issue #13 item 1)


def _checklist(edition: Edition, name: str) -> dict[str, Any]:
    """A checklist or kit whole: each item with its quantity, description, specs, excepted races and tied infractions."""
    from racepolicy.evaluation.equipment import shown

    checklist = edition.checklists[name]
    decl = checklist.decl
    return {
        "kind": "checklist", "name": name, "races": sorted(checklist.races), "targets": list(decl.targets), "kit": decl.kit,
        "specs": [shown(spec, decl) for spec in decl.specs], "citation": _citation(checklist.citation),
        "rows": [
            {"item": item.name, "required": item.mode == "require", "count": item.count or 1, "description": item.description,
             "specs": [shown(spec, decl) for spec in item.specs], "excepted": list(item.excepted),
             "infractions": [*item.absent, *(f for f in item.fewer if f not in item.absent)],
             "citation": _citation(cite(edition.source, decl, item, item.citation))}
            for item in decl.items
        ],
    }


def _word_set(edition: Edition, name: str) -> dict[str, Any]:
    decl = edition.words[name].decl
    return {
        "kind": "words", "name": name, "case_sensitive": decl.case_sensitive, "citation": _citation(cite(edition.source, decl)),
        "rows": [
            {"word": w.text, "aliases": list(w.aliases), "citation": _citation(cite(edition.source, decl, w, w.citation) if w.citation else None)}
            for w in decl.words
        ],
    }


def _facts(edition: Edition, name: str) -> dict[str, Any]:
    decl = edition.facts[name].decl
    return {
        "kind": "facts", "name": name, "citation": _citation(cite(edition.source, decl) if decl.citation else None),
        "rows": [
            {"field": f.name, "type": f.type, "optional": f.optional,
             "citation": _citation(cite(edition.source, decl, f, f.citation) if f.citation else None)}
            for f in decl.fields
        ],
    }


def _declared_attributes(edition: Edition) -> dict[str, ast.AttributeDecl]:
    """The race attributes the policy declares itself (`attribute start_time: time`), not those of the series plugin."""
    return {s.name: s for s in edition.policy.statements if isinstance(s, ast.AttributeDecl)}


def _attribute(edition: Edition, name: str) -> dict[str, Any]:
    decl = _declared_attributes(edition)[name]
    return {"kind": "attribute", "name": name, "type": decl.type, "citation": _citation(cite(edition.source, decl) if decl.citation else None)}


def _input(edition: Edition, name: str) -> dict[str, Any]:
    decl = edition.inputs[name]
    return {
        "kind": "input", "name": name, "type": decl.type, "reason": decl.reason,
        "citation": _citation(cite(edition.source, decl) if decl.citation else None),
    }


def _statement_label(statement: ast.Statement) -> str:
    """`band start_wave`, `penalty littering on long`: what a reader looks for in the policy."""
    kind = type(statement).__name__.removesuffix("Decl").lower()
    name = getattr(statement, "name", "")
    if isinstance(statement, ast.PenaltyDecl):
        name = f"{', '.join(statement.infractions)} on {', '.join(statement.targets)}"
    elif isinstance(statement, ast.AssertDecl):
        name = _code(statement.condition)
    return f"{kind} {name}".strip()


def readings(edition: Edition) -> list[dict[str, Any]]:
    """Every reading the policy takes of an ambiguous clause, with the others the text allows, statement by statement."""
    found: list[dict[str, Any]] = []
    for statement in edition.policy.statements:
        for node in statement.find_all(ast.Citation):
            if isinstance(node, ast.Citation) and node.reading:
                citation = cite(edition.source, statement, node, node)
                found.append({"statement": _statement_label(statement), "reading": node.reading, "alternatives": list(node.alternatives),
                              "citation": _citation(citation)})
    return found


def assertions(edition: Edition) -> list[dict[str, Any]]:
    """The facts the regulation states that the policy checks when it loads (`assert UTMB.cutoff == 46h30 § ...`)."""
    return [
        {"condition": _code(s.condition), "citation": _citation(cite(edition.source, s))}
        for s in edition.policy.statements if isinstance(s, ast.AssertDecl)
    ]


def _form(edition: Edition, name: str) -> dict[str, Any]:
    form = edition.query_forms[name]
    return {"kind": "query form", "name": name, "usage": form.usage, "doc": form.doc}


_DESCRIBERS = {
    "race": (lambda e: e.races, _race), "group": (lambda e: e.groups, _group),
    "infraction": (lambda e: {**e.infractions, **e.penalties}, _infraction), "rule": (lambda e: e.rules, _rule),
    "schedule": (lambda e: e.schedules, _schedule), "table": (lambda e: e.tables, _table), "band": (lambda e: e.bands, _band),
    "checklist": (lambda e: e.checklists, _checklist), "words": (lambda e: e.words, _word_set), "facts": (lambda e: e.facts, _facts),
    "attribute": (_declared_attributes, _attribute), "input": (lambda e: e.inputs, _input),
    "query form": (lambda e: e.query_forms, _form),
}


def edition_names(edition: Edition) -> dict[str, str]:
    """Every name `describe NAME` knows in an edition, with its kind."""
    found: dict[str, str] = {}
    for kind in KINDS:
        names, _ = _DESCRIBERS[kind]
        for name in names(edition):
            found.setdefault(name, kind)
    return found


def _words(edition: Edition) -> dict[str, list[str]]:
    """The closed word sets a query may use: the series' categories, the race attributes, and the texts rules compare with."""
    words: dict[str, list[str]] = {"race attributes": sorted(edition.attribute_kinds)}
    if edition.vocabulary is not None and edition.vocabulary.categories:
        words["categories"] = list(edition.vocabulary.categories)
    for name, rule in edition.rules.items():
        for key, values in closed_words(rule.decl.body).items():
            words[f"{name}: {key}"] = values
    return words


def describe_edition(edition: Edition) -> dict[str, Any]:
    """Everything an edition knows, each thing whole, as plain data (JSON-ready)."""
    data: dict[str, Any] = {"edition": edition.label, "key": edition.key, "title": edition.title, "file": edition.source.name}
    for kind in KINDS:
        names, describe_one = _DESCRIBERS[kind]
        data[section_key(kind)] = [describe_one(edition, n) for n in names(edition)]
    data["readings"] = readings(edition)
    data["assertions"] = assertions(edition)
    data["words"] = _words(edition)
    return data


def describe_name(edition: Edition, name: str) -> dict[str, Any]:
    """One thing of an edition, whole, with its citations; QueryError with suggestions when it has no such name."""
    kind = edition_names(edition).get(name)
    if kind is None:
        raise QueryError(
            f"the {edition.label} edition has nothing called '{name}'",
            hint=suggest(name, edition) or f"run 'racepolicy describe {edition.key}' to list what it knows",
        )
    data = _DESCRIBERS[kind][1](edition, name)
    data["edition"] = edition.label
    return data


def summary(editions: list[Edition]) -> dict[str, Any]:
    """One line per loaded edition: what `describe` alone shows."""
    return {"editions": [
        {"key": e.key, "edition": e.label, "title": e.title, "file": e.source.name, "races": list(e.races),
         "counts": {**{PLURALS[k]: len(_DESCRIBERS[k][0](e)) for k in KINDS}, "readings": len(readings(e)), "assertions": len(assertions(e))}}
        for e in editions
    ]}


def _edition_of(policies: PolicySet, words: list[str]) -> tuple[Edition | None, list[str]]:
    """The edition the leading words name (`utmb-2022`, `utmb 2022`, `utmb`), and the words left."""
    for taken in (2, 1):
        if len(words) >= taken:
            try:
                return policies.find(" ".join(words[:taken])), words[taken:]
            except QueryError:
                continue
    return None, words


def describe(policies: PolicySet, words: list[str]) -> dict[str, Any]:
    """`describe [EDITION] [NAME]` as plain data: the editions, one edition whole, or one thing of it whole."""
    edition, rest = _edition_of(policies, words)
    if len(rest) > 1:
        raise QueryError(f"describe takes an edition and one name; {len(rest)} names given ({', '.join(rest)})",
                         hint="e.g. describe utmb-2022 littering")
    if not rest:
        return describe_edition(edition) if edition is not None else summary(sorted(policies.editions.values(), key=lambda e: e.key))
    name = rest[0]
    if edition is not None:
        return describe_name(edition, name)
    # A name alone: the newest edition of each series that knows it, newest series first.
    knowing = sorted((e for e in policies.editions.values() if name in edition_names(e)), key=lambda e: (-e.year, e.series))
    if knowing:
        latest = [e for e in knowing if e.series == knowing[0].series]
        data = describe_name(latest[0], name)
        others = [e.key for e in knowing if e is not latest[0]]
        if others:
            data["also_in"] = others
        return data
    searched = sorted(policies.editions)
    newest = sorted(policies.editions.values(), key=lambda e: (-e.year, e.series))
    hints = [h for h in (suggest(name, e) for e in newest) if h]
    raise QueryError(
        f"no loaded edition knows '{name}' (searched: {', '.join(searched) or 'none'})",
        hint=hints[0] if hints else "'racepolicy describe EDITION' lists what an edition knows",
    )
