"""Values of the fidelity constructs: `n/a`, the answer of a table cell the regulation marks not applicable."""

from __future__ import annotations

import attrs


@attrs.frozen
class NotApplicable:
    """The value of an `n/a` table cell: the regulation says the row does not apply; the answer cites the row."""

    def __str__(self) -> str:
        return "not applicable"


NOT_APPLICABLE = NotApplicable()
