"""`:describe` in the REPL: what an edition knows, in the pinned edition when one is pinned."""

from __future__ import annotations

from racepolicy.repl.session import Session


def test_repl_describe_uses_the_pinned_edition(session: Session) -> None:
    session.handle(":edition utmb 2016")
    [reply] = session.handle(":describe cancellation_refund")
    assert reply.ok and reply.text.startswith("[utmb 2016]\nschedule cancellation_refund")
    # seed 004: "Before March 15 60%"
    assert "03-15      60%" in reply.text
