"""Meetings (case conferences), their agendas and minutes, and action items."""

from __future__ import annotations

from mdt.policy.registry import rule


def _coordinates(user) -> bool:
    return user.has_role("coordinator") or user.has_role("admin")


@rule("meeting.view")
def _view(user, meeting) -> bool:
    """Every member of the MDT sees its meetings; items on cases they may not see are
    redacted (``meetings.services.agenda_for``)."""
    return meeting is None or meeting.mdt_id == user.mdt_id


@rule("meeting.prepare")
def _prepare(user, meeting=None) -> bool:
    """Create meetings, propose and edit agendas, write minutes, record attendance, publish."""
    return (meeting is None or meeting.mdt_id == user.mdt_id) and _coordinates(user)


@rule("meeting.approve")
def _approve(user, meeting=None) -> bool:
    """Approving the minutes writes each discussed case's history: coordinators only."""
    return (meeting is None or meeting.mdt_id == user.mdt_id) and user.has_role("coordinator")


@rule("action.close")
def _close(user, item) -> bool:
    """The owner, their agency, or a coordinator closes an action item."""
    return (
        item is not None
        and item.mdt_id == user.mdt_id
        and (
            item.owner_id == user.id or user.agency_id == item.owner_agency_id or user.has_role("coordinator")
        )
    )
