"""Quotes looked up once (issue #17): the editor re-checks a policy on every keystroke, and the answers stay those of a fresh search."""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from pathlib import Path

import pytest
from racepolicy.language import ast, citations
from racepolicy.language.parser import parse_policy
from racepolicy.language.source import Source

SEEDS = Path("/work/shared/seeds")
POLICIES = Path(__file__).resolve().parent.parent / "policies"


def policy_quoting(text_name: str, quote: str) -> str:
    return f'edition utmb 2099 "t" currency EUR\nsource "{text_name}"\nrule a = 1 § "{quote}"\n'


def verified(folder: Path, text: str) -> list[str]:
    """The hints of the quotes `verify` does not find (empty when all are found)."""
    name = str(folder / "p.policy")
    return [e.hint for e in citations.verify(parse_policy(text, name), Source(name, text))[1]]


def test_a_regulation_text_changed_on_disk_is_searched_again(tmp_path: Path) -> None:
    regulation = tmp_path / "regulation.txt"
    regulation.write_text("Fees:\nCCC®: 189€\n", encoding="utf-8")
    text = policy_quoting("regulation.txt", "CCC®: 189€")
    assert verified(tmp_path, text) == []
    assert verified(tmp_path, text) == []  # the second time from memory, same answer
    regulation.write_text("Fees:\nCCC®: 199€\n", encoding="utf-8")
    os.utime(regulation, (1_000_000_000, 1_000_000_000))  # a new modification time even on a coarse clock
    assert verified(tmp_path, text) == ['closest in regulation.txt:2: "CCC®: 199€"']


def test_what_is_remembered_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "regulation.txt").write_text("Fees:\nCCC®: 189€\n", encoding="utf-8")
    monkeypatch.setattr(citations, "MAX_LOOKED_UP", 5)
    monkeypatch.setattr(citations, "_LOOKED_UP", {})
    for fee in range(20):
        verified(tmp_path, policy_quoting("regulation.txt", f"CCC®: {fee}€"))
    assert len(citations._LOOKED_UP) == 5


def scan_in_order(quote: str, texts: Sequence[citations.RegulationText]) -> tuple[citations.RegulationText, int, str] | None:
    """The closest sentence as a plain scan finds it: every sentence's ratio, the first of the best."""
    wanted = " ".join(citations._pieces(quote)) or citations.normalise(quote)
    best: tuple[float, citations.RegulationText, int, str] | None = None
    for text in texts:
        for line, sentence in text.sentences:
            score = difflib.SequenceMatcher(None, wanted, citations.normalise(sentence), autojunk=False).ratio()
            if best is None or score > best[0]:
                best = (score, text, line, sentence)
    return best[1:] if best else None


def test_the_closest_sentence_is_the_one_a_scan_in_order_finds() -> None:
    # The world-series policy quotes two texts (seed 000 and seed 001): the hint's search spans both.
    path = POLICIES / "world-series-2023.policy"
    policy = parse_policy(path.read_text(encoding="utf-8"), str(path))
    texts = citations.verify(policy, Source(str(path), ""))[0].texts
    assert [t.name for t in texts] == ["000_8b05fff844999e77.txt", "001_0fa3849d17beeadb.txt"]
    quotes = sorted({c.text for c in policy.find_all(ast.Citation) if isinstance(c, ast.Citation)})[::9]
    assert len(quotes) >= 8
    for quote in quotes:
        # A letter typed in the middle of the quote, one taken out, and the quote cut short: what an author's typing leaves.
        middle = len(quote) // 2
        for altered in (quote[:middle] + "x" + quote[middle:], quote[:middle] + quote[middle + 1:], quote[:middle], "", "..."):
            assert citations.closest_sentence(altered, texts) == scan_in_order(altered, texts), altered
