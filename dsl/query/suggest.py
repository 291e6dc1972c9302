"""Suggestions for an unknown name from the words of the regulation: clause, description and name words, then spelling."""

from __future__ import annotations

import re
from collections.abc import Iterable

from racepolicy.evaluation.model import Edition

# Words that say nothing about which rule is meant.
_STOP = frozenset("a an and at by for from in is it its of on or the their to with what which when who".split())
# Spelling alone must be this close (difflib ratio) to suggest a name: looser matches join unrelated words
# that share a suffix (`drop_bag_deadline` is not `complaint_deadline`).
SPELLING_CUTOFF = 0.75
# The most suggestions one hint names.
MAX_SHOWN = 3


def words(text: str) -> list[str]:
    """The words of a name or a sentence, lower case, without the ones that say nothing."""
    return [w for w in re.findall(r"[a-z0-9]+", text.casefold()) if w not in _STOP]


def _stem(word: str) -> str:
    for ending in ("ing", "ed", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def _bags(edition: Edition, kinds: Iterable[str] | None) -> dict[str, tuple[str, set[str]]]:
    """Each candidate name with a short description and the stems of every word the regulation uses for it."""
    wanted = set(kinds) if kinds is not None else {"infraction", "race", "rule", "schedule", "table", "band", "group", "query form"}
    texts: dict[str, list[str]] = {}

    def add(name: str, *parts: str) -> None:
        texts.setdefault(name, [name.replace("_", " ")]).extend(p for p in parts if p)

    if "infraction" in wanted:
        for name in {**edition.infractions, **edition.penalties}:
            decl = edition.infractions.get(name)
            add(name, decl.description if decl else "", *(p.citation.clause for p in edition.penalties.get(name, ())))
        if edition.vocabulary is not None:
            for name, also in getattr(edition.vocabulary, "aliases", ()):
                if name in texts:
                    add(name, also)
    if "race" in wanted:
        for name, race in edition.races.items():
            add(name, race.title)
    for kind, table in (("rule", edition.rules), ("schedule", edition.schedules), ("table", edition.tables), ("band", edition.bands)):
        if kind in wanted:
            for name, item in table.items():
                citation = item.decl.citation
                add(name, citation.text if citation else "")
    if "group" in wanted:
        for name in edition.groups:
            add(name)
    if "query form" in wanted:
        for name, form in edition.query_forms.items():
            add(name, form.doc)
    return {name: (parts[1] if len(parts) > 1 else "", {_stem(w) for p in parts for w in words(p)}) for name, parts in texts.items()}


def _matches(word: str, bag: set[str]) -> bool:
    stem = _stem(word)
    return stem in bag or (len(stem) >= 5 and any(len(b) >= 5 and (b.startswith(stem) or stem.startswith(b)) for b in bag))


def ranked(name: str, edition: Edition, kinds: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """Names whose regulation words hold most of the words asked for, best first, with their description."""
    asked = words(name)
    if not asked:
        return []
    bags = _bags(edition, kinds)
    scored = []
    for candidate, (description, bag) in bags.items():
        hits = sum(_matches(w, bag) for w in asked)
        # More than half the words asked must be the regulation's words for it: one shared word ("deadline") is no match.
        if hits * 2 > len(asked):
            scored.append((-hits, len(bag), candidate, description))
    scored.sort()
    best = scored[0][0] if scored else 0
    return [(c, d) for hits, _, c, d in scored if hits == best][:MAX_SHOWN]


def suggest(name: str, edition: Edition, kinds: Iterable[str] | None = None, candidates: Iterable[str] | None = None) -> str:
    """A hint for an unknown name: names the regulation's words point to, else the closest spelling, else ""."""
    found = ranked(name, edition, kinds)
    if found:
        shown = [f"'{c}'" + (f' ("{d}")' if d and d.casefold() != c.replace("_", " ").casefold() else "") for c, d in found]
        return f"did you mean {' or '.join(shown)}?"
    pool = sorted(set(candidates) if candidates is not None else set(_bags(edition, kinds)))
    same = [c for c in pool if c.casefold() == name.casefold()]
    import difflib  # cold start: only a suggestion needs it

    close = same or difflib.get_close_matches(name, pool, n=1, cutoff=SPELLING_CUTOFF)
    return f"did you mean '{close[0]}'?" if close else ""
