"""Validation while typing: an unfinished statement is no error, a wrong one puts the cursor on the mistake."""

from __future__ import annotations

import pytest
from prompt_toolkit.document import Document
from prompt_toolkit.validation import ValidationError
from racepolicy.repl.validator import RacePolicyValidator, status


@pytest.mark.parametrize("text", [
    "penalty missing_jacket on UTMB", "refund UTMB cancelled 2022-05-15", "eligible ETC given runner = {birth_year: 2000}",
    "penalty missing_jacket on UTMB = 1h", "rule x = 1", ":help", ":q", "", "# a note",
])
def test_complete_input_is_accepted(text: str) -> None:
    assert status(text).complete or status(text).message == ""
    RacePolicyValidator().validate(Document(text))


@pytest.mark.parametrize("text", [
    "penalty missing_jacket on", "penalty missing_jacket", "eligible", "stones_back(9,", "rule x =",
    "eligible ETC given runner = {birth_year:", 'rule motto = "unfinished', "penalty a on UTMB =",
    "penalty missing_jacket o", "eligible ETC giv", "penalty a on UTMB = disq",
])
def test_unfinished_input_continues_on_a_new_line(text: str) -> None:
    result = status(text)
    assert result.incomplete and not result.message
    RacePolicyValidator().validate(Document(text))  # no error while typing it


def test_a_syntax_error_puts_the_cursor_on_the_error() -> None:
    text = "penalty missing_jacket on UTMB OCC"
    with pytest.raises(ValidationError) as caught:
        RacePolicyValidator().validate(Document(text))
    assert caught.value.cursor_position == text.index("OCC")
    assert "unexpected" in caught.value.message


def test_the_error_position_counts_earlier_lines() -> None:
    text = "penalty missing_jacket\non UTMB ) "
    result = status(text)
    assert result.offset == text.index(")")


def test_an_unknown_command_is_an_error_with_a_suggestion() -> None:
    with pytest.raises(ValidationError) as caught:
        RacePolicyValidator().validate(Document(":halp"))
    assert caught.value.cursor_position == 0
    assert "did you mean ':help'?" in caught.value.message


def test_a_definition_with_a_bad_sanction_is_an_error() -> None:
    result = status("penalty littering on UTMB = fine")
    assert result.message and result.offset == len("penalty littering on UTMB = ")
