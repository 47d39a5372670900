"""Reminders: everyone their own; the MDT's whole outbox for its coordinators and admins."""

from __future__ import annotations

from mdt.policy.registry import rule


@rule("reminders.outbox")
def _outbox(user, mdt_id=None) -> bool:
    """Every reminder of the MDT (who is reminded of what, never about whom) and the mail the
    embedded default wrote for it. ``mdt_id``: the MDT whose outbox is asked for (default: the
    user's own)."""
    return (mdt_id is None or mdt_id == user.mdt_id) and (
        user.has_role("coordinator") or user.has_role("admin")
    )
