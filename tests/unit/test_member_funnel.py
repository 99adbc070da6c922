"""A campaign member only moves forward through the funnel, and a final status stays."""

from __future__ import annotations

import pytest

from app.domain.marketing.funnel import FUNNEL, advanced


@pytest.mark.parametrize("current", FUNNEL)
@pytest.mark.parametrize("step", FUNNEL)
def test_the_funnel_only_moves_forward(current: str, step: str) -> None:
    expected = step if FUNNEL.index(step) > FUNNEL.index(current) else current
    assert advanced(current, step) == expected


@pytest.mark.parametrize("final", ["bounced", "unsubscribed"])
def test_a_final_status_stays(final: str) -> None:
    assert advanced("clicked", final) == final
    for step in (*FUNNEL, "bounced", "unsubscribed"):
        assert advanced(final, step) == final
