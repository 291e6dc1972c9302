"""What routing needs to know of an edition without loading it: its key, year and the names it declares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from racepolicy.evaluation.model import Edition

# The parts of an edition that routing reads; each is kept as the sorted names of the edition's mapping.
_NAMED = ("races", "groups", "infractions", "penalties", "query_forms", "attribute_kinds")


class NotIndexed(Exception):
    """Routing read a part of an edition the index does not hold (to word an error): the editions must be loaded."""


@attrs.frozen(eq=False)
class IndexEntry:
    """An edition as routing sees it (routing.declares, routing._verb_known): the same attribute names as Edition,
    so `route` picks among entries exactly as among editions; the chosen one is then loaded in full."""

    series: str
    year: int
    file: str
    races: frozenset[str]
    groups: frozenset[str]
    infractions: frozenset[str]
    penalties: frozenset[str]
    query_forms: frozenset[str]
    attribute_kinds: frozenset[str]
    callable_names: frozenset[str]
    checklists: bool  # only whether it has any: the gear query forms apply to such an edition

    @property
    def key(self) -> str:
        return f"{self.series}-{self.year}"

    @property
    def label(self) -> str:
        return f"{self.series} {self.year}"

    def callables(self) -> set[str]:
        return set(self.callable_names)

    def __getattr__(self, name: str) -> Any:
        # Only looked up for what the entry does not hold (an edition's vocabulary, its rules...).
        if name.startswith("__"):
            raise AttributeError(name)
        raise NotIndexed(name)

    @classmethod
    def of(cls, edition: Edition) -> IndexEntry:
        """The entry of a checked edition."""
        named = {part: frozenset(getattr(edition, part)) for part in _NAMED}
        return cls(edition.series, edition.year, edition.source.name, callable_names=frozenset(edition.callables()),
                   checklists=bool(edition.checklists), **named)

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"series": self.series, "year": self.year, "file": self.file, "checklists": self.checklists,
                                 "callables": sorted(self.callable_names)}
        found.update({part: sorted(getattr(self, part)) for part in _NAMED})
        return found

    @classmethod
    def from_json(cls, found: Mapping[str, Any]) -> IndexEntry:
        """The entry `as_json` wrote; KeyError or TypeError for anything else (a damaged cache entry)."""
        if not isinstance(found["series"], str) or not isinstance(found["year"], int) or not isinstance(found["file"], str):
            raise TypeError("not an index entry")
        named = {part: frozenset(_names(found[part])) for part in _NAMED}
        return cls(found["series"], found["year"], found["file"], callable_names=frozenset(_names(found["callables"])),
                   checklists=bool(found["checklists"]), **named)


def _names(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("a list of names was expected")
    return value
