"""Court calendars and the computation of a last day, with a trace a lawyer can check.

Counting rules (see ../shared/LEGAL_RULES.md):
- Thailand (CCC s.193/3, 193/5, 193/8): the first day is not counted; months and years end on the
  same-numbered day, or the month's last day when that day does not exist; a last day that falls
  on an official or customary holiday (courts are closed on weekends) rolls to the next working day.
- Philippines (Rules of Court, Rule 22 s.1): exclude the day of the event, include the last day;
  a Saturday, Sunday or legal holiday rolls to the next working day.
Both reduce to: start from the event date, add the period, then roll forward until a working
day, looping (a Friday holiday followed by a weekend lands on Monday or later).

Working days come from the ``holidays`` package plus the admins' closure days, which can add a
day (a decreed substitution day, a local holiday, a court closure) or remove one (a day the
package lists but the court worked).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta

UNITS = ("days", "working_days", "months", "years")
ROLLS = ("forward", "backward", "none")
CATEGORIES = {"TH": ("public",), "PH": ("public",)}


@lru_cache(maxsize=256)
def _package_holidays(country: str, year: int) -> dict[date, str]:
    return dict(holidays.country_holidays(country, years=year, categories=CATEGORIES[country]))


@dataclass(frozen=True)
class CourtCalendar:
    """Working days for one jurisdiction (and, optionally, one court's own closures)."""

    country: str
    added: dict[date, str] = field(default_factory=dict)  # closure days added by admins
    removed: frozenset[date] = frozenset()  # package holidays the court worked

    def closed_reason(self, day: date) -> str | None:
        if day in self.added:
            return self.added[day]
        if day in self.removed:
            return None
        if day.weekday() >= 5:
            return "Saturday" if day.weekday() == 5 else "Sunday"
        return _package_holidays(self.country, day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        return self.closed_reason(day) is None


@dataclass(frozen=True)
class Period:
    amount: int
    unit: str  # days, working_days, months, years
    offset_days: int = 0  # e.g. -1: "must be filed before" the trigger date
    roll: str = "forward"  # forward, backward, none


@dataclass
class Computation:
    due_on: date
    unrolled: date
    trace: list[str]


def add_period(start: date, period: Period, calendar: CourtCalendar) -> tuple[date, list[str]]:
    trace = []
    if period.unit == "days":
        end = start + timedelta(days=period.amount)
        trace.append(
            f"{start.isoformat()} + {period.amount} days (first day not counted) = {end.isoformat()}"
        )
    elif period.unit == "working_days":
        end = start
        counted = 0
        skipped = []
        while counted < period.amount:
            end += timedelta(days=1)
            reason = calendar.closed_reason(end)
            if reason is None:
                counted += 1
            else:
                skipped.append(f"{end.isoformat()} ({reason})")
        trace.append(f"{start.isoformat()} + {period.amount} working days = {end.isoformat()}")
        if skipped:
            trace.append("not counted: " + ", ".join(skipped))
    elif period.unit in ("months", "years"):
        delta = (
            relativedelta(months=period.amount)
            if period.unit == "months"
            else relativedelta(years=period.amount)
        )
        end = start + delta
        trace.append(
            f"{start.isoformat()} + {period.amount} {period.unit} = {end.isoformat()}"
            + (" (that day does not exist: the month's last day)" if end.day != start.day else "")
        )
    else:
        raise ValueError(f"unknown unit {period.unit!r}")
    if period.offset_days:
        end += timedelta(days=period.offset_days)
        trace.append(f"offset {period.offset_days:+d} day(s) = {end.isoformat()}")
    return end, trace


def compute(event_date: date, period: Period, calendar: CourtCalendar) -> Computation:
    """The last day of ``period`` after ``event_date`` in ``calendar``, with its trace."""
    unrolled, trace = add_period(event_date, period, calendar)
    due = unrolled
    if period.roll != "none":
        step = timedelta(days=1 if period.roll == "forward" else -1)
        while (reason := calendar.closed_reason(due)) is not None:
            trace.append(
                f"{due.isoformat()} is closed ({reason}): {'next' if step.days > 0 else 'previous'} day"
            )
            due += step
    trace.append(f"last day: {due.isoformat()} ({due.strftime('%A')})")
    return Computation(due_on=due, unrolled=unrolled, trace=trace)
