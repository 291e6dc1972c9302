"""Context-aware completion: the keywords the grammar accepts at the cursor, and the names that fit there."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from prompt_toolkit.completion import CompleteEvent, Completer, Completion, PathCompleter
from prompt_toolkit.document import Document
from racepolicy.evaluation import equipment
from racepolicy.repl.session import DEFINITION_KEYWORDS, Session

if TYPE_CHECKING:
    from racepolicy.evaluation.model import Edition

_PARTIAL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@functools.cache
def keyword_terminals() -> dict[str, str]:
    """Terminal name -> keyword text, for every keyword of the grammar (`penalty`, `on`, `given`, ...)."""
    from racepolicy.language.parser import parser

    return {t.name: t.pattern.value for t in parser().terminals if t.pattern.type == "str" and _IDENTIFIER.fullmatch(t.pattern.value)}


def grammar_state(text: str, start: str) -> tuple[list[str], set[str]] | None:
    """Feed `text` to Lark's interactive parser: the token types read and the terminals accepted next (None if it cannot go on)."""
    from lark.exceptions import LarkError
    from racepolicy.language.parser import parser

    try:
        interactive = parser().parse_interactive(text, start=start)
        tokens = [token.type for token in interactive.iter_parse()]
        return tokens, set(interactive.accepts())
    except (LarkError, RecursionError):
        return None


def accepted_keywords(text: str) -> tuple[list[str], bool, list[str]]:
    """Keywords the grammar accepts after `text` (as a query, or as a definition), whether a name may come, and the tokens read."""
    found, name_ok, tokens = _accepted(text)
    return sorted(found), name_ok, tokens


def _accepted(text: str) -> tuple[dict[str, str], bool, list[str]]:
    keywords = keyword_terminals()
    found: dict[str, str] = {}
    name_ok = False
    tokens: list[str] = []
    first = _IDENTIFIER.match(text.lstrip())
    word = first.group(0) if first and first.end() < len(text.lstrip()) else ""
    if not text.strip() or word == "penalty":
        starts = ["policy", "query"]  # `penalty a on UTMB` asks, `penalty a on UTMB = 1h` defines
    elif word in DEFINITION_KEYWORDS:
        starts = ["policy"]
    else:
        starts = ["query"]
    for start in starts:
        state = grammar_state(text, start)
        if state is None:
            continue
        read, accepts = state
        tokens = tokens or read
        name_ok = name_ok or "NAME" in accepts
        for terminal in accepts:
            word = keywords.get(terminal)
            # A prompt takes what-if statements, not a new edition or section.
            if word and not (start == "policy" and word in ("edition", "section")):
                # At the very start, statement keywords begin a what-if; queries come first in the menu.
                kind = "what-if statement" if start == "policy" and len(starts) == 2 and not read else "keyword"
                if found.get(word) != "keyword":
                    found[word] = kind
    return found, name_ok, tokens


class RacePolicyCompleter(Completer):
    """Completes queries, definitions and `:commands` against what the session has loaded."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._paths = PathCompleter(expanduser=True)

    # ---- names the session knows
    def _editions(self, mentioned: Iterable[str] = ()) -> list[Edition]:
        """The editions a query may go to: the pinned one, or those that know every name already typed."""
        from racepolicy.query.forms import edition_knows

        editions = self.session.policies.editions
        if self.session.edition and self.session.edition in editions:
            return [editions[self.session.edition]]
        candidates = list(editions.values())
        # Words no edition knows (keywords, a typo) do not narrow the choice.
        known = [w for w in mentioned if any(edition_knows(e, w) for e in candidates)]
        fitting = [e for e in candidates if all(edition_knows(e, w) for w in known)]
        return fitting or candidates

    def _names(self, kind: str, verb: str = "", mentioned: Iterable[str] = ()) -> dict[str, str]:
        """Candidate names of one kind -> the label shown beside them (`verb`: the query form being typed;
        `mentioned`: names already typed, so that only editions knowing them offer names)."""
        found: dict[str, str] = {}
        mentioned = tuple(mentioned)
        for edition in self._editions(mentioned):
            if kind == "race":
                found.update((n, f"race: {r.title}") for n, r in edition.races.items())
            elif kind == "group":
                found.update((n, "group: " + ", ".join(sorted(g.members))) for n, g in edition.groups.items())
            elif kind == "infraction":
                vocabulary = edition.vocabulary.infractions if edition.vocabulary else ()
                for name in [*edition.infractions, *edition.penalties, *vocabulary]:
                    decl = edition.infractions.get(name)
                    found.setdefault(name, f"infraction: {decl.description}" if decl else "infraction")
            elif kind == "rule":
                found.update((n, "rule (redefine it for this session)") for n in edition.rules)
            elif kind == "callable":
                found.update((n, "rule") for n in edition.rules)
                found.update((n, "schedule") for n in edition.schedules)
                found.update((n, "table") for n in edition.tables)
                found.update((n, "band") for n in edition.bands)
                found.update((n, f"function: {f.doc}" if f.doc else "function") for n, f in edition.functions.items())
            elif kind == "verb":
                found.update((n, f"query: {f.usage}") for n, f in edition.query_forms.items())
                found.update((n, "race attribute") for n in edition.attribute_kinds)
            elif kind == "attribute":
                found.update((n, "race attribute") for n in edition.attribute_kinds)
                found.update({"name": "race name", "title": "race title"})
                for shape in edition.facts.values():  # `runner.` offers the declared fields too (issue #11)
                    found.update((f.name, f"field of {shape.name}: {f.type}{' (optional)' if f.optional else ''}") for f in shape.fields.values())
            elif kind == "form_words":
                form = edition.query_forms.get(verb)
                if form is not None:
                    found.update((w, form.usage) for w in form.usage.split() if w != verb and w.islower() and _IDENTIFIER.fullmatch(w))
            elif kind == "kit":
                found.update((k, "kit the organiser may announce") for k in equipment.kits(edition))
            elif kind == "gear" and edition.checklists:
                # Equipment queries (carry, required, quantity, how many): items, kits and their joining words.
                from racepolicy.query.gear import GEAR_FORMS

                if verb in GEAR_FORMS and mentioned and mentioned[-1] == "with":
                    found.update((k, "kit the organiser may announce") for k in equipment.kits(edition))
                elif verb in GEAR_FORMS:
                    for checklist in edition.checklists.values():
                        for item in checklist.decl.items:
                            found.setdefault(item.name, f"item: {item.description}" if item.description else "item")
                    found.update((k, "kit the organiser may announce") for k in equipment.kits(edition))
                    found.update({"with": "with KIT: a kit announced", "on": "on RACE"})
                    if verb == "how":
                        found["many"] = GEAR_FORMS["how"]
                elif verb == "":
                    found.update((v, f"query: {usage}") for v, usage in GEAR_FORMS.items())
            elif kind == "fact":
                found.update((n, "facts: " + ", ".join(shape.fields)) for n, shape in edition.facts.items())
                for rule in edition.rules.values():
                    found.update((p.name, f"fact ({p.type})") for p in rule.decl.params if p.type == "record")
        if kind == "fact" or kind == "expression":
            found.update((n, "fact of the case") for n in self.session.facts)
        if kind == "expression":
            from racepolicy.evaluation.builtins import BUILTINS

            for sub in ("race", "group", "callable"):
                found.update(self._names(sub, verb, mentioned))
            found.update((n, "built-in") for n in BUILTINS)
            found.setdefault("year", "the edition's year")
        return found

    def _name_kinds(self, tokens: list[str]) -> list[str]:
        """Which kinds of name fit after these tokens (read by the parser)."""
        last = tokens[-1] if tokens else ""
        if not tokens:
            return ["verb", "gear", "expression"]
        if last == "DOT":
            return ["attribute"]
        if tokens[0] == "PENALTY" and "ON" not in tokens and last in ("PENALTY", "COMMA"):
            return ["infraction"]
        if last == "WITH":
            return ["kit"]  # `penalty missing_gloves on OCC with cold`
        if last == "ON":
            return ["race"]  # a query names one race; `all` and groups come after a comma in a definition's target list
        if tokens[0] == "PENALTY" and "ON" in tokens and "EQUAL" not in tokens and last == "COMMA":
            return ["race", "group"]
        if last == "ELIGIBLE":
            return ["race"]
        if last == "GIVEN" or (last == "COMMA" and _after_binding(tokens)):
            return ["fact"]
        if tokens[0] == "NAME" and "GIVEN" not in tokens and all(t in ("NAME", "NUMBER", "DATE", "DURATION", "STRING") for t in tokens):
            return ["race", "form_words", "gear"]
        if tokens[0] in ("RULE", "GROUP", "INFRACTION", "RACE", "SCHEDULE", "TABLE", "BAND") and len(tokens) == 1:
            return ["rule"] if tokens[0] == "RULE" else []  # naming a file's rule replaces it for the session
        if tokens[0] == "GROUP":
            return ["race"]
        return ["expression"]

    # ---- completions
    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterator[Completion]:
        text = document.text_before_cursor
        if text.lstrip().startswith(":"):
            yield from self._command_completions(text.lstrip(), complete_event)
            return
        yield from self.statement_completions(text)

    def statement_completions(self, text: str) -> Iterator[Completion]:
        partial_match = _PARTIAL.search(text)
        partial = partial_match.group(0) if partial_match else ""
        before = text[: len(text) - len(partial)]
        if before and before[-1].isdigit():
            return  # inside a number or a literal such as 15min: nothing to offer
        keywords, name_ok, tokens = _accepted(before)
        candidates: dict[str, str] = dict(keywords)
        if name_ok:
            verb = first.group(0) if (first := _IDENTIFIER.match(before.lstrip())) else ""
            mentioned = _IDENTIFIER.findall(before)
            for kind in self._name_kinds(tokens):
                for name, meta in self._names(kind, verb, mentioned).items():
                    candidates.setdefault(name, meta)
        yield from _matching(candidates, partial)

    def _command_completions(self, text: str, complete_event: CompleteEvent) -> Iterator[Completion]:
        from racepolicy.repl.commands import COMMANDS

        match = re.match(r":(\S*)$", text)
        if match:
            yield from _matching({name: c.help for name, c in COMMANDS.items()}, match.group(1))
            return
        match = re.match(r":(\S+)\s+(.*)$", text, re.S)
        if not match:
            return
        command, arg = match.group(1), match.group(2)
        if command == "load":
            yield from self._paths.get_completions(Document(arg, len(arg)), complete_event)
        elif command in ("explain", "e"):
            yield from self.statement_completions(arg)
        elif command == "help":
            yield from _matching({name: c.help for name, c in COMMANDS.items()}, arg.strip())
        elif command == "edition":
            words = arg.split(" ")
            editions = self.session.policies.editions.values()
            if len(words) == 1:
                series = {e.series: "series" for e in editions}
                yield from _matching({**series, "auto": "let each query choose"}, words[0])
            elif len(words) == 2:
                yield from _matching({str(e.year): e.title for e in editions if e.series == words[0]}, words[1])
        elif command == "diff":
            words = arg.split(" ")
            if len(words) <= 2:
                yield from _matching({k: e.title for k, e in self.session.policies.editions.items()}, words[-1])
        elif command == "facts":
            if "=" in arg:
                yield from self.statement_completions(arg.split("=", 1)[1])
            elif " " not in arg.strip():
                options = {**self._names("fact"), "clear": "forget every fact"}
                yield from _matching(options, arg.strip())
        elif command == "session":
            yield from _matching({"clear": "drop the definitions typed in this session"}, arg.strip())


def _after_binding(tokens: list[str]) -> bool:
    """After `given a = 1,` a new fact name comes (a comma inside a list or record does not count)."""
    depth = 0
    for token in reversed(tokens[:-1]):
        if token in ("RSQB", "RBRACE", "RPAR"):
            depth += 1
        elif token in ("LSQB", "LBRACE", "LPAR"):
            if depth == 0:
                return False
            depth -= 1
        elif token == "GIVEN" and depth == 0:
            return True
    return False


def _matching(candidates: dict[str, str], partial: str) -> Iterable[Completion]:
    """Candidates starting with what was typed (case-insensitive); FuzzyCompleter widens this to fuzzy matches."""
    lowered = partial.lower()
    rank = {"keyword": 0, "what-if statement": 2}
    for name in sorted(candidates, key=lambda n: (rank.get(candidates[n], 1), n.lower())):
        if name.lower().startswith(lowered) and name != partial:
            yield Completion(name, start_position=-len(partial), display_meta=candidates[name])
