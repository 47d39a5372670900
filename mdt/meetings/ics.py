"""iCalendar invitations for meetings: a stable UID, and a SEQUENCE that grows when the meeting
moves. Neutral wording: no case, no names."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event

from mdt import clock


def meeting_event(meeting, base_url: str) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@mdt-calendar")
    event.add("sequence", meeting.sequence)
    event.add("summary", "MDT meeting")
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at or meeting.starts_at + timedelta(hours=2))
    event.add("dtstamp", clock.now())
    if meeting.location:
        event.add("location", meeting.location)
    event.add("description", f"Agenda in the app: {base_url}/meetings/{meeting.id}")
    event.add("url", f"{base_url}/meetings/{meeting.id}")
    return event


def single_event_ics(event: Event) -> bytes:
    """An iCalendar file holding one event (an invitation, or a reminder's attachment)."""
    cal = Calendar()
    cal.add("prodid", "-//MDT//meetings//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add_component(event)
    return cal.to_ical()


def meeting_ics(meeting, base_url: str) -> bytes:
    return single_event_ics(meeting_event(meeting, base_url))
