"""A quote is normalised exactly as the regulation text is (citations.normalise against the character-by-character form)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from racepolicy.language.citations import _normal_chars, normalise

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
# Characters the comparison treats specially: quotes and marks dropped, dashes unified, spaces of every kind, compatibility
# forms NFKC rewrites (ligatures, circled digits, superscripts), a combining accent, controls.
SPECIAL = " \t\n\r\u00a0\u2009\u3000\u2028'\"“”„«»‘’`´®™©•—–‐‑−-….e\u0301ﬁ①²aZ9\x1c\x0b\u200b\u00ad"


def by_character(text: str) -> str:
    return "".join(ch for ch, _, _ in _normal_chars(text)).strip()


@given(st.text(alphabet=st.sampled_from(SPECIAL), max_size=30) | st.text(max_size=30))
def test_normalise_is_the_character_by_character_form(text: str) -> None:
    assert normalise(text) == by_character(text)


def test_every_line_of_the_seeds_normalises_the_same() -> None:
    lines = [line for seed in sorted(SEEDS.glob("*.txt")) for line in seed.read_text(encoding="utf-8").split("\n")]
    assert len(lines) > 1000
    assert [normalise(line) for line in lines] == [by_character(line) for line in lines]
