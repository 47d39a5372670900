"""The kinds of things reminders are about. Each kind is one module in ``mdt.reminders.sources``
that registers a ``Source``: which model it is, who should be reminded when (``derive``), whether
it is still open, and how a reminder about it is worded. Adding a kind of reminder source is one
new file there plus one registration line in ``sources/__init__.py``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from mdt.reminders.wants import Want

# {source_id: (mdt_id, stamp, [Want])}; the stamp (the source's date) is part of each reminder's
# key, so that moving a source makes new reminders while the ones already sent stay history.
Derived = dict[int, tuple[int, str, list[Want]]]


@dataclass
class Wording:
    subject: str
    body: str
    link: str
    ics: bytes | None = None


@dataclass(frozen=True)
class Source:
    kind: str
    model: type
    derive: Callable[[list[int], datetime, dict], Derived]
    still_open: Callable[[Any], bool]
    when: Callable[[Any, ZoneInfo], str]  # the source's date or time, worded for the reader
    word: Callable[[Any, str, str, str], Wording]  # (source, purpose, when, base URL)
    # For sources that remind the person themself: their cases the reminder is about (the
    # consent to be contacted is asked of those cases, not of any other case of theirs).
    person_cases: Callable[[Any, int], list[int]] | None = None


SOURCES: dict[str, Source] = {}


def register(source: Source) -> Source:
    if source.kind in SOURCES:
        raise ValueError(f"two reminder sources of kind {source.kind!r}")
    SOURCES[source.kind] = source
    return source
