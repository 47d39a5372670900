"""The clock: the only module that reads the time.

"Today" is not one date. At 06:30 in Bangkok it is already 3 December there and still 2 December
in UTC (the server's zone), so every rule that asks "is it overdue?", "has it expired?", "which day
is this hearing on?" asks it here, for the zone that matters:

- ``now()``: the current instant, UTC-aware. Store it; show it in the reader's zone.
- ``today(mdt)``: the date in an MDT's zone (an ``Mdt``, anything with a ``timezone`` attribute,
  a zone name or a ``ZoneInfo``): overdue flags, expiries, agenda windows, reminders.
- ``court_today(jurisdiction)``: the date in the court's calendar, for legal periods.
- ``local_date(instant, mdt)``: the day on which an instant falls in that zone.

Tests freeze the clock with time-machine; a test fails when ``date.today()``, ``datetime.now()``
or ``datetime.utcnow()`` appears anywhere else in ``mdt/`` or ``workers/``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

# The zone of each jurisdiction's courts: legal dates are plain dates in this calendar.
COURT_ZONES = {"TH": "Asia/Bangkok", "PH": "Asia/Manila"}


class HasZone(Protocol):
    timezone: str


Where = HasZone | str | ZoneInfo


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone(where: Where) -> ZoneInfo:
    """The ``ZoneInfo`` of an MDT, a zone name or a zone."""
    if isinstance(where, ZoneInfo):
        return where
    if isinstance(where, str):
        return _zone(where)
    return _zone(where.timezone)


def now() -> datetime:
    """The current instant, in UTC."""
    return datetime.now(UTC)


def today(where: Where) -> date:
    """Today's date in the MDT's (or the named) zone."""
    return now().astimezone(zone(where)).date()


def court_today(jurisdiction: str) -> date:
    """Today's date in the calendar of the jurisdiction's courts."""
    return today(COURT_ZONES[jurisdiction])


def local_date(instant: datetime, where: Where) -> date:
    """The day on which ``instant`` falls in the zone."""
    return instant.astimezone(zone(where)).date()


def start_of(day: date, where: Where) -> datetime:
    """Midnight at the start of ``day`` in the zone, as a UTC instant."""
    return datetime.combine(day, time.min, tzinfo=zone(where)).astimezone(UTC)


def at(day: date, moment: time, where: Where) -> datetime:
    """``moment`` on ``day`` in the zone (08:00 local, say), as a UTC instant."""
    return datetime.combine(day, moment, tzinfo=zone(where)).astimezone(UTC)
