"""Every construct of the language, parsed and evaluated on small inline policies; the Python API and the CLI."""

from __future__ import annotations

from racepolicy.values import render


def test_numbers_longer_than_the_decimal_precision_still_render(ask) -> None:
    # Regression: rendering an integer beyond 28 digits raised decimal.InvalidOperation (a traceback).
    answer = ask("ceil(999999999999999 * 999999999999999 * 999999999999999)")
    assert answer.text.isdigit()
    assert len(answer.text) == 45
    assert render(answer.value) == answer.text
