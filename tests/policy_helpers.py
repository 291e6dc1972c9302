"""Helpers the test modules import: a policy set from one text, and checklists read against their regulation text."""

from __future__ import annotations

from pathlib import Path

from racepolicy.evaluation.model import Edition
from racepolicy.language.source import Source
from racepolicy.query.policyset import PolicySet


def policies_of(name: str, text: str) -> PolicySet:
    """A policy set holding one policy text (a module's demo policy, or an inline one a test loads)."""
    policies = PolicySet()
    policies.add(Source(name, text))
    return policies


def checklist_words(edition: Edition, seed: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Every description and specification of the edition's checklists, and those not found in the seed text."""
    from racepolicy.language.citations import find_quote, read_text

    text = read_text(Path(__file__).resolve().parents[2] / "shared" / "seeds" / seed)
    assert text is not None, f"the regulation text {seed} is missing"
    checklists = edition.checklists.values()
    words = [(i.name, w) for c in checklists for i in c.decl.items for w in (i.description, *(q.text for q in i.specs)) if w]
    words += [(c.name, q.text) for c in checklists for q in c.decl.specs]
    return words, [(name, w) for name, w in words if find_quote(w, text) is None]
