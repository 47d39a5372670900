"""Age bands and world regions: the generalisations the figures and the de-identified export share.

Age bands follow the Counter Trafficking Data Collaborative's published data (CTDC, which the
Human Trafficking Case Data Standard feeds): 0-8, 9-17, 18-20, 21-23, 24-26, 27-29, 30-38, 39-47,
48+. Each band belongs to a wider one (``WIDER``): 0-17, 18-29, 30-47, 48+, then "under 18" and
"18+", then nothing ("*"). The dashboard shows the wide bands; the export starts from the fine
ones and widens only where k-anonymity needs it.

Regions are the United Nations geoscheme's (M49) sub-regions, from ``regions.json``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from sqlalchemy import Float, Integer, String, case, cast, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

MINOR_AGE = 18
# (lowest age, highest age or None, label)
FINE = ((0, 8), (9, 17), (18, 20), (21, 23), (24, 26), (27, 29), (30, 38), (39, 47), (48, None))
WIDE = ((0, 17), (18, 29), (30, 47), (48, None))
ADULT = ((0, 17), (18, None))
LEVELS = (FINE, WIDE, ADULT)
SUPPRESSED = "*"
UNKNOWN = "unknown"


def label(low: int, high: int | None) -> str:
    return f"{low}+" if high is None else f"{low}-{high}"


def band_of(age: int | None, level=FINE) -> str:
    if age is None:
        return UNKNOWN
    for low, high in level:
        if age >= low and (high is None or age <= high):
            return label(low, high)
    return UNKNOWN


def widen_age(value: str, level: int) -> str:
    """The band ``value`` (a fine band, or ``unknown``) at ``level`` (0 fine, 1 wide, 2 adult or
    minor, 3 suppressed)."""
    if value in (UNKNOWN, SUPPRESSED) or level == 0:
        return SUPPRESSED if level >= len(LEVELS) else value
    if level >= len(LEVELS):
        return SUPPRESSED
    low = int(value.rstrip("+").split("-")[0])
    return band_of(low, LEVELS[level])


def wide_labels() -> list[str]:
    return [label(low, high) for low, high in WIDE] + [UNKNOWN]


class years_between(FunctionElement):
    """Whole years from ``born`` to ``on`` (a person's age on a day), in SQL."""

    type = Integer()
    inherit_cache = True
    name = "years_between"


@compiles(years_between)
def _years_sqlite(element, compiler, **kw):
    born, on = (compiler.process(arg, **kw) for arg in element.clauses)
    return (
        f"(CAST(strftime('%Y', {on}) AS INTEGER) - CAST(strftime('%Y', {born}) AS INTEGER)"
        f" - (strftime('%m-%d', {on}) < strftime('%m-%d', {born})))"
    )


@compiles(years_between, "postgresql")
def _years_pg(element, compiler, **kw):
    born, on = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(date_part('year', age({on}, {born})) AS INTEGER)"


class days_between(FunctionElement):
    """Days (with their fraction) from the instant ``earlier`` to the instant ``later``, in SQL."""

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_sqlite(element, compiler, **kw):
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


@compiles(days_between, "postgresql")
def _days_pg(element, compiler, **kw):
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)"


def age_band_sql(born, on, level=WIDE):
    """SQL: the band of the age on ``on`` of someone born on ``born`` (``unknown`` without a date
    of birth)."""
    age = years_between(born, on)
    whens = [((age <= high) if high is not None else (age >= low), label(low, high)) for low, high in level]
    return case((born.is_(None), UNKNOWN), *whens, else_=UNKNOWN)


def minor_sql(born, on):
    age = years_between(born, on)
    return case((born.is_(None), UNKNOWN), (age < MINOR_AGE, "yes"), else_="no")


def month_sql(day):
    """SQL: ``YYYY-MM`` of a date column."""
    return func.substr(cast(day, String()), 1, 7)


@cache
def _regions() -> dict[str, str]:
    data = json.loads((Path(__file__).with_name("regions.json")).read_text(encoding="utf-8"))
    return {code: region for region, codes in data["regions"].items() for code in codes}


def region_of(country: str | None) -> str:
    """The UN M49 sub-region of an ISO 3166 country code (``other`` when not listed)."""
    if not country:
        return UNKNOWN
    return _regions().get(country.upper(), "other")
