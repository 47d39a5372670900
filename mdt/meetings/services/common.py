"""What the meeting services share: the coordinator's right to prepare, times typed in the MDT's
zone, and lists of agencies chosen on a form."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from mdt import policy
from mdt.directory.models import Agency
from mdt.errors import Forbidden
from mdt.extensions import db
from mdt.validation import Checker


def require_coordinator(actor, meeting=None) -> None:
    if not policy.can(actor, "meeting.prepare", meeting):
        raise Forbidden("Coordinators prepare meetings.")


def parse_when(raw, zone: str):
    if raw in (None, ""):
        return None
    try:
        value = datetime.fromisoformat(str(raw))
    except ValueError:
        return False
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(zone))
    return value.astimezone(UTC)


def agency_ids(c: Checker, field: str, mdt_id: int) -> list[int]:
    """A list of agency ids of this MDT, in the order given (duplicates dropped)."""
    raw = c.data.get(field) or []
    if not isinstance(raw, list):
        raw = [raw]
    try:
        wanted = list(dict.fromkeys(int(a) for a in raw if a not in (None, "")))
    except (TypeError, ValueError):
        c.error(field, _l("Choose agencies from the list."))
        return []
    known = (
        set(db.session.scalars(select(Agency.id).where(Agency.mdt_id == mdt_id, Agency.id.in_(wanted))))
        if wanted
        else set()
    )
    if len(known) != len(wanted):
        c.error(field, _l("Choose agencies from the list."))
    return [a for a in wanted if a in known]
