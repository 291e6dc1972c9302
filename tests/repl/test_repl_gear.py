"""The REPL and equipment checklists: highlighting, completion of items and kits, a checklist typed as a what-if."""

from __future__ import annotations

import io

from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from pygments.token import Keyword, Name, Number, Punctuation, String
from racepolicy.repl.app import run_lines
from racepolicy.repl.completer import RacePolicyCompleter
from racepolicy.repl.lexer import RacePolicyLexer
from racepolicy.repl.session import Session


def tokens(text: str) -> list[tuple[object, str]]:
    return [(kind, value) for kind, value in RacePolicyLexer().get_tokens(text) if value.strip()]


def complete(session: Session, text: str) -> list[str]:
    return [c.text for c in RacePolicyCompleter(session).get_completions(Document(text), CompleteEvent(completion_requested=True))]


def test_a_checklist_item_is_highlighted_keyword_by_keyword() -> None:
    assert tokens('checklist occ_cold on OCC kit cold:\n  require 2 torch "torches" spec "200 lumens" except MCC absent missing_torch') == [
        (Keyword.Declaration, "checklist"), (Name, "occ_cold"), (Keyword, "on"), (Name.Constant, "OCC"), (Keyword, "kit"), (Name, "cold"),
        (Punctuation, ":"), (Keyword, "require"), (Number, "2"), (Name, "torch"), (String.Double, '"torches"'),
        (Keyword, "spec"), (String.Double, '"200 lumens"'), (Keyword, "except"), (Name.Constant, "MCC"), (Keyword, "absent"),
        (Name, "missing_torch"),
    ]


def test_the_gear_queries_are_offered_at_the_start(session: Session) -> None:
    assert "carry" in complete(session, "car")
    assert complete(session, "how m")[:1] == ["many"]


def test_items_of_the_checklists_complete_after_a_gear_verb(session: Session) -> None:
    assert complete(session, "required tor") == ["torch"]
    assert "survival_blanket" in complete(session, "how many surv")


def test_after_with_come_the_kits(session: Session) -> None:
    assert complete(session, "penalty missing_gloves on OCC with c") == ["cold"]
    assert set(complete(session, "carry OCC with ")) >= {"hot", "cold"}


def test_a_checklist_typed_at_the_prompt_answers_for_the_session() -> None:
    out = io.StringIO()
    lines = [":edition utmb 2022", 'checklist night on MCC kit night: require 1 torch "night torch" absent missing_torch',
             "penalty missing_torch on MCC", "penalty missing_torch on MCC with night"]
    assert run_lines(Session(), lines, out, out) == 0
    text = out.getvalue()
    assert "no penalty (missing_torch: torch not required on MCC unless the night kit is announced — no penalty)" in text
    assert "disqualification    [utmb 2022]" in text
