"""The catalogue of errors: every error class has a code, an entry, an example that triggers it, and docs."""

from __future__ import annotations

from pathlib import Path

import pytest
from racepolicy.cli.main import main
from racepolicy.language import errors
from racepolicy.language.error_catalogue import ABSTRACT, BY_CODE, ENTRIES, error_classes, lookup, markdown

DOCS = Path(__file__).resolve().parent.parent / "docs" / "errors.md"


def test_every_error_class_has_its_own_code_and_one_catalogue_entry() -> None:
    classes = error_classes()
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes)), "two error classes share a code"
    assert all(c.startswith("RP") and len(c) == 6 and c[2:].isdigit() for c in codes)
    assert {e.code for e in ENTRIES} == set(codes), "catalogue and error classes differ"
    assert all(BY_CODE[cls.code].error is cls for cls in classes)


def test_the_abstract_bases_are_not_subclasses_anyone_raises_by_themselves() -> None:
    # PolicyError and LimitError only group others; PolicyErrors holds several errors.
    assert set(ABSTRACT) == {errors.PolicyError, errors.PolicyErrors, errors.LimitError}


TRIGGERED = [e for e in ENTRIES if e.kind != "internal"]


@pytest.mark.parametrize("entry", TRIGGERED, ids=[e.code for e in TRIGGERED])
def test_each_catalogue_example_raises_its_code(entry, snapshot) -> None:
    error = entry.trigger()
    assert error is not None, f"{entry.code}: the example raises no error"
    assert type(error) is entry.error and error.code == entry.code
    # A person reviews these messages: the snapshot shows them as users see them.
    assert error.render() == snapshot


def test_internal_errors_are_only_the_formatter_guard_which_fires_when_the_layout_changes_meaning(monkeypatch) -> None:
    # No input causes RP0901; it guards against formatter bugs, so a broken layout provokes it.
    from racepolicy.tools import formatter

    assert [e.code for e in ENTRIES if e.kind == "internal"] == ["RP0901"]
    monkeypatch.setattr(formatter, "layout", lambda policy, text: text.replace("1h", "2h"))
    with pytest.raises(errors.FormatError) as info:
        formatter.format_policy('edition utmb 2022 "t" rule r = 1h', "x.policy")
    assert info.value.code == "RP0901"


def test_docs_errors_md_is_generated_from_the_catalogue() -> None:
    assert DOCS.read_text(encoding="utf-8") == markdown(), "run: python -m racepolicy.language.error_catalogue > docs/errors.md"


@pytest.mark.parametrize("code", ["RP0203", "rp0203", "0203"])
def test_lookup_accepts_the_code_as_people_type_it(code: str) -> None:
    entry = lookup(code)
    assert entry is not None and entry.code == "RP0203"


def test_explain_error_prints_meaning_example_message_and_fix(capsys) -> None:
    assert main(["explain-error", "RP0203"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("RP0203: unknown race (UnknownRaceError)")
    assert "penalty missing_jacket on UTMBB = disqualify" in out
    assert "error[RP0203]: unknown race 'UTMBB'" in out
    assert "How to fix it:" in out


def test_explain_error_of_an_unknown_code_is_bad_input_with_a_suggestion(capsys) -> None:
    assert main(["explain-error", "RP0230"]) == 2
    err = capsys.readouterr().err
    assert "no error has the code 'RP0230'" in err
    assert "did you mean 'RP0" in err


def test_explain_error_without_a_code_lists_every_code(capsys) -> None:
    assert main(["explain-error"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [e.code for e in ENTRIES]
