"""Dates, times and numbers as the reader reads them: one place, asked by templates, services
(agenda details, read-backs), reminders, mail and PDFs.

- The reader's locale (Flask-Babel's ``get_locale``; a task sets it with ``force_locale``) and the
  MDT's zone (``select_timezone``; a task names it in ``g.mdt_timezone`` or passes ``zone``).
- English dates day first (the patterns of ``en_GB``), not the US order of CLDR's plain
  ``en``, as asked for the English of both countries; Filipino keeps CLDR's month-first order
  (and ``mdt.schema.parse_day`` reads a typed Filipino date month first).
- Thai dates in the Buddhist era with Thai month names: CLDR's Thai patterns print the Gregorian
  year with the era "ค.ศ."; here every year field becomes the year + 543 and the era "พ.ศ.".
"""

from __future__ import annotations

import re
from datetime import date as Date
from datetime import datetime as DateTime
from datetime import tzinfo

from babel import Locale, dates
from flask_babel import get_locale, get_timezone

# The locale whose date and time patterns a language uses, when not its own.
PATTERNS = {"en": "en_GB"}
BUDDHIST_ERA = 543
_FIELDS = re.compile(r"('[^']*')|(G+)|(y+)")


def locale() -> Locale:
    current = get_locale() or Locale("en")
    return Locale.parse(PATTERNS.get(str(current), str(current)))


def _buddhist(pattern: str, year: int) -> str:
    """The pattern with its year and era fields as literal Buddhist-era text."""

    def swap(match: re.Match) -> str:
        quoted, era, years = match.groups()
        if quoted:
            return quoted
        if era:
            return "'พ.ศ.'"
        be = year + BUDDHIST_ERA
        return f"'{be % 100:02d}'" if len(years) == 2 else f"'{be}'"

    return _FIELDS.sub(swap, pattern)


def _date_pattern(loc: Locale, fmt: str, year: int) -> str:
    pattern = loc.date_formats[fmt].pattern if fmt in ("short", "medium", "long", "full") else fmt
    return _buddhist(pattern, year) if loc.language == "th" else pattern


def date(value: Date | None, fmt: str = "medium") -> str:
    """A calendar day (a date, or the day of an aware datetime in the MDT's zone)."""

    if value is None:
        return ""
    if isinstance(value, DateTime):
        value = value.astimezone(get_timezone()).date() if value.tzinfo else value.date()
    loc = locale()
    return dates.format_date(value, _date_pattern(loc, fmt, value.year), locale=loc)


def time(value: DateTime | None, fmt: str = "short", zone: tzinfo | None = None) -> str:
    if value is None:
        return ""
    loc = locale()
    return dates.format_time(value, fmt, tzinfo=zone or get_timezone(), locale=loc)


def datetime(value: DateTime | None, fmt: str = "medium", zone: tzinfo | None = None) -> str:
    """A moment, in ``zone`` (by default the reader's MDT's zone): its day and its time."""

    if value is None:
        return ""
    zone = zone or get_timezone()
    local = value.astimezone(zone) if value.tzinfo else value
    loc = locale()
    known = fmt in ("short", "medium", "long", "full")
    both = loc.datetime_formats[fmt] if known else "{1} {0}"
    day = dates.format_date(
        local.date(), _date_pattern(loc, fmt if known else "medium", local.year), locale=loc
    )
    # Hours and minutes (seconds mean nothing here); the long forms name the zone.
    pattern = loc.time_formats["short"].pattern + (" zzzz" if fmt in ("long", "full") else "")
    hour = dates.format_time(local, pattern, tzinfo=zone, locale=loc)
    return both.replace("'", "").replace("{1}", day).replace("{0}", hour)


def amount(value) -> str:
    """An amount as an input shows it back: the reader's grouping and decimal marks ("15,000",
    "15,000.50"), which the forms accept again. A string (what was typed) is kept as typed."""

    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    from decimal import Decimal

    from babel.numbers import format_decimal

    number = Decimal(value)
    pattern = "#,##0" if number == number.to_integral_value() else "#,##0.00"
    return format_decimal(number, pattern, locale=locale())


def items(values: list[str]) -> str:
    """A list in a sentence: "A, B and C" in the reader's language."""

    from babel.lists import format_list

    return format_list(list(values), locale=locale())


def year(value: int) -> int:
    """The year as the reader counts it (the Buddhist era in Thai)."""

    return value + BUDDHIST_ERA if locale().language == "th" else value


def month(value: str | Date) -> str:
    """A month ("Apr 2026", "เม.ย. 2569") from a day or ``YYYY-MM``."""

    if isinstance(value, str):
        value = Date.fromisoformat(f"{value}-01")
    loc = locale()
    skeleton = loc.datetime_skeletons["yMMM"].pattern
    pattern = _buddhist(skeleton, value.year) if loc.language == "th" else skeleton
    return dates.format_date(value, pattern, locale=loc)


def count(value) -> str:
    """A count in the reader's digits and grouping, or a hidden count as it is ("<5", "*")."""

    if isinstance(value, str) or value is None:
        return value or ""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=locale())


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value):
    """A value for a CSV or XLSX cell that a spreadsheet will not run: text typed by someone
    (a name, a province) starting with ``= + - @`` (or a tab or carriage return) would be read
    as a formula (OWASP "CSV injection"), so it gets a leading apostrophe. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def spreadsheet_row(values) -> list:
    return [spreadsheet_cell(value) for value in values]


def filesize(value: int | None) -> str:
    """A file's size in the reader's digits and words: 840 bytes, 12 kB, 3.4 MB."""
    if value is None:
        return ""
    from babel.units import format_unit

    for unit, size in (("digital-megabyte", 1000**2), ("digital-kilobyte", 1000), ("digital-byte", 1)):
        if value >= size or size == 1:
            return format_unit(value / size, unit, length="short", format="#,##0.#", locale=locale())
    return str(value)
