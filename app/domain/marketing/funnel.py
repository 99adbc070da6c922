"""A campaign member's funnel: targeted -> sent -> opened -> clicked -> registered -> attended ->
responded -> converted, or it ends in bounced or unsubscribed.

A member only moves forward: a late open never takes a registered member back to "opened", and a
bounced or unsubscribed member stays so. Each step keeps the time it was first reached
(`<step>_at`), also when the member was already further along (a member who registers on the
public page and clicks the e-mail later has both times). A bounced or unsubscribed member keeps
the times it had but gets no new ones: the funnel ended there (no `converted_at` on a member who
unsubscribed, no `unsubscribed_at` on one who bounced). The SQL form of this rule is in
app/repositories/member_funnel.py; everything that moves members (sends, tracking,
registration, check-in, conversion, the members API) goes through it.
"""

from __future__ import annotations

from typing import Final, Literal

MemberStatus = Literal[
    "targeted",
    "sent",
    "opened",
    "clicked",
    "registered",
    "attended",
    "responded",
    "converted",
    "bounced",
    "unsubscribed",
]

FUNNEL: Final = ("targeted", "sent", "opened", "clicked", "registered", "attended", "responded", "converted")
# Reaching one of these ends the funnel: nothing moves the member afterwards.
FINAL: Final = ("bounced", "unsubscribed")
STATUSES: Final = (*FUNNEL, *FINAL)
RANK: Final = {status: i for i, status in enumerate(FUNNEL)}


def advanced(current: str, step: str) -> str:
    """The status after reaching `step` from `current`."""
    if current in FINAL:
        return current
    if step in FINAL:
        return step
    return step if RANK[step] > RANK[current] else current
