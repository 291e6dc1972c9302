"""The bundled policies against their regulation texts, as CI holds them: strict check clean, every clause accounted for."""

from __future__ import annotations

from pathlib import Path

import pytest
from racepolicy.cli.main import main

POLICIES = Path(__file__).resolve().parent.parent / "policies"
BUNDLED = sorted(str(p) for p in POLICIES.glob("*.policy"))


def test_there_are_four_bundled_editions() -> None:
    assert [Path(p).name for p in BUNDLED] == ["utmb-2016.policy", "utmb-2022.policy", "world-series-2023.policy", "xterra-2023.policy"]


def test_the_bundled_policies_pass_the_strict_check(capsys: pytest.CaptureFixture[str]) -> None:
    # --strict: every citation verified against its text (the texts are in ../shared/seeds), every statement cited.
    assert main(["check", "--strict", *BUNDLED]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("policy", BUNDLED, ids=[Path(p).stem for p in BUNDLED])
def test_every_clause_of_the_regulation_text_is_accounted_for(policy: str, capsys: pytest.CaptureFixture[str]) -> None:
    # `racepolicy coverage --fail-under 100`: each clause is encoded or marked informative with a reason.
    code = main(["coverage", "--fail-under", "100", "--uncovered", policy])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "100.0% accounted for" in out
