"""How a deadline was counted, in the reader's language.

``mdt.legal.calendar`` writes each step of a computation as one English line kept with the
deadline (``Deadline.trace``: what the court calendar and the rule said that day; it stays as
written). This module reads those lines back for a reader: every date through ``mdt.formats``
(Thai in the Buddhist era), the words through the catalog, and a public holiday by its name in
the reader's language (the ``holidays`` package knows Thai and Filipino names). A line it does
not recognise is shown as written.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from mdt import formats

DAY = r"(\d{4}-\d{2}-\d{2})"
LINES = [
    ("days", re.compile(rf"^{DAY} \+ (\d+) days \(first day not counted\) = {DAY}$")),
    ("working", re.compile(rf"^{DAY} \+ (\d+) working days = {DAY}$")),
    (
        "months",
        re.compile(
            rf"^{DAY} \+ (\d+) (months|years) = {DAY}( \(that day does not exist: the month's last day\))?$"
        ),
    ),
    ("offset", re.compile(rf"^offset ([+-]\d+) day\(s\) = {DAY}$")),
    ("closed", re.compile(rf"^{DAY} is closed \((.+)\): (next|previous) day$")),
    ("last", re.compile(rf"^last day: {DAY} \((\w+)\)$")),
    ("skipped", re.compile(r"^not counted: (.+)$")),
]
SKIPPED = re.compile(rf"{DAY} \(([^)]*)\)")
LANGUAGES = {"th": "th", "fil": "fil"}


@lru_cache(maxsize=64)
def _holiday_names(country: str, year: int, language: str) -> dict:
    import holidays

    try:
        return dict(holidays.country_holidays(country, years=year, language=language))
    except (NotImplementedError, KeyError, ValueError):
        return {}


def _reason(reason: str, day: date, country: str) -> str:
    """Why a court was closed that day, in the reader's language."""
    if reason == "Saturday" or reason == "Sunday":
        return formats.date(day, "EEEE")
    language = LANGUAGES.get(str(get_locale() or "en"))
    if language and country:
        english = _holiday_names(country, day.year, "en_US")
        if english.get(day) == reason:
            return _holiday_names(country, day.year, language).get(day, reason)
    return reason


def _d(text: str) -> str:
    return formats.date(date.fromisoformat(text))


def readable(line: str, country: str = "") -> str:
    for kind, pattern in LINES:
        m = pattern.match(line)
        if m is None:
            continue
        g = m.groups()
        if kind == "days":
            return ngettext(
                "%(start)s + %(num)s day (the first day not counted) = %(end)s",
                "%(start)s + %(num)s days (the first day not counted) = %(end)s",
                int(g[1]),
                start=_d(g[0]),
                end=_d(g[2]),
            )
        if kind == "working":
            return ngettext(
                "%(start)s + %(num)s working day = %(end)s",
                "%(start)s + %(num)s working days = %(end)s",
                int(g[1]),
                start=_d(g[0]),
                end=_d(g[2]),
            )
        if kind == "months":
            text = (
                ngettext(
                    "%(start)s + %(num)s month = %(end)s",
                    "%(start)s + %(num)s months = %(end)s",
                    int(g[1]),
                    start=_d(g[0]),
                    end=_d(g[3]),
                )
                if g[2] == "months"
                else ngettext(
                    "%(start)s + %(num)s year = %(end)s",
                    "%(start)s + %(num)s years = %(end)s",
                    int(g[1]),
                    start=_d(g[0]),
                    end=_d(g[3]),
                )
            )
            return text + (" " + _("(that day does not exist: the last day of the month)") if g[4] else "")
        if kind == "offset":
            return _("moved %(days)s day(s) = %(end)s", days=g[0], end=_d(g[1]))
        if kind == "closed":
            day = date.fromisoformat(g[0])
            reason = _reason(g[1], day, country)
            if g[2] == "next":
                return _(
                    "%(day)s the court is closed (%(reason)s): the next day", day=_d(g[0]), reason=reason
                )
            return _("%(day)s the court is closed (%(reason)s): the day before", day=_d(g[0]), reason=reason)
        if kind == "last":
            return _("last day: %(day)s", day=formats.date(date.fromisoformat(g[0]), "full"))
        if kind == "skipped":
            days = [
                f"{_d(d)} ({_reason(reason, date.fromisoformat(d), country)})"
                for d, reason in SKIPPED.findall(g[0])
            ]
            return _("not counted: %(days)s", days=", ".join(days))
    return line
