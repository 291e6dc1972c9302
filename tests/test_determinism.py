"""Determinism: the same inputs give byte-identical output across runs and across PYTHONHASHSEED values."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

# Answers, traces and errors of every kind, printed as the CLI prints them with --json.
SCRIPT = textwrap.dedent(
    '''
    import json
    from racepolicy.language.errors import PolicyError
    from racepolicy.query.policyset import PolicySet, compile_source
    from racepolicy.pluginapi.manager import make_plugin_manager
    from racepolicy.language.source import Source

    policies = PolicySet.bundled()
    queries = [
        "penalty missing_jacket on UTMB",
        "penalty smartphone_off, missing_whistle, littering, short_cutting, no_chip, refusing_doping_control on OCC",
        "refund UTMB cancelled 2022-05-15",
        "eligible ETC given runner = {birth_year: 1990, sex: \\"women\\", profile: \\"volunteer\\", region: \\"Valais\\"}",
        "elite_entry(CCC, \\"women\\", 740)",
        "receives_award(MCC, 2, 4)",
        "age_category(37)",
        "cutoff TDS",
        "penalty missing_jackett on UTMBB",
        "eligible MCC given runner = {birth_year: 1990}",
        "refnud UTMB cancelled 2022-05-15",
    ]
    for query in queries:
        try:
            print(policies.ask(query).to_json_text())
        except PolicyError as exc:
            print(json.dumps(exc.as_json(), indent=2, sort_keys=True))
    broken = 'edition utmb 2022 "t" race UTMB: fee 1 EUR, nope 2 group g = UTMB, XX, YY penalty a, b, c on g, ZZ = 1h rule r = q + w'
    try:
        compile_source(Source("broken.policy", broken), make_plugin_manager())
    except PolicyError as exc:
        print(json.dumps(exc.as_json(), indent=2, sort_keys=True))
    '''
)


def _run(seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, timeout=120, check=True)
    return done.stdout


@pytest.fixture(scope="module")
def reference() -> bytes:
    return _run("0")


@pytest.mark.parametrize("seed", ["1", "12345", "random"])
def test_json_output_is_byte_identical_across_hash_seeds(reference: bytes, seed: str) -> None:
    assert _run(seed) == reference


def test_reference_output_covers_answers_traces_and_errors(reference: bytes) -> None:
    text = reference.decode("utf-8")
    assert '"trace": [' in text and '"citation": {' in text
    assert '"code": "RP0203"' in text or '"code": "RP0204"' in text
    assert text.count('"errors": [') == 1
