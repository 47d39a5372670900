"""What the meeting services share: the coordinator's right to prepare, and what the meeting
schemas need to know (the MDT, its time zone)."""

from __future__ import annotations

from mdt import policy
from mdt.errors import Forbidden


def require_coordinator(actor, meeting=None) -> None:
    if not policy.can(actor, "meeting.prepare", meeting):
        raise Forbidden("Coordinators prepare meetings.")


def given(actor) -> dict:
    """For ``mdt.schema.load``: the actor's MDT, and its zone for times typed without an offset."""
    return {"mdt_id": actor.mdt_id, "zone": actor.mdt.timezone}
