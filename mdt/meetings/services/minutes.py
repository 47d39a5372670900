"""Minutes: per agenda item, with revisions; approval freezes them and writes each discussed case's
history. Services flush; the caller commits."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from mdt import clock, formats, policy
from mdt.audit.services import changes, record
from mdt.cases.models import Note
from mdt.errors import Forbidden, WorkflowError
from mdt.extensions import db
from mdt.meetings.models import AgendaItem, Meeting, MinutesRevision
from mdt.meetings.schemas import MinutesSchema
from mdt.meetings.services.common import require_coordinator
from mdt.schema import load


def save_minutes(actor, meeting: Meeting, item: AgendaItem, data: dict) -> dict:
    require_coordinator(actor, meeting)
    if item.case_id is not None and not policy.can(actor, "case.view", item.case):
        raise Forbidden("The minutes of an item are written by a member of the case's team.")
    clean = load(MinutesSchema, data, partial=True, mdt_id=meeting.mdt_id)
    if "presenter_id" in clean:
        clean["presenter_id"] = getattr(clean["presenter_id"], "id", None)
    if meeting.minutes_approved_at is not None:
        if any(clean[k] != getattr(item, k) for k in ("discussion", "decisions") if k in clean):
            raise WorkflowError(str(_l("The minutes are approved and can no longer be changed.")))
    changed = changes(item, clean)
    if changed:
        if {"discussion", "decisions"} & set(changed):
            db.session.add(
                MinutesRevision(
                    agenda_item_id=item.id,
                    discussion=item.discussion,
                    decisions=item.decisions,
                    saved_by_id=actor.id,
                )
            )
        db.session.flush()
        record(
            actor,
            "meeting.minutes",
            item,
            case=item.case,
            detail={"meeting_id": meeting.id, "fields": sorted(changed)},
        )
    return changed


def approve_minutes(actor, meeting: Meeting) -> int:
    """Approve the minutes: they are frozen, and each case discussed gets a short entry in its
    history (a note by the approver). Returns the number of cases written to."""

    if not policy.can(actor, "meeting.approve", meeting):
        raise Forbidden("The coordinator approves the minutes.")
    if meeting.minutes_approved_at is not None:
        raise WorkflowError(str(_l("The minutes are already approved.")))
    discussed = [i for i in meeting.items if i.case_id and (i.discussion or i.decisions)]
    if not any(i.discussion or i.decisions for i in meeting.items):
        raise WorkflowError(str(_l("There are no minutes to approve yet.")))
    meeting.minutes_approved_at = clock.now()
    meeting.minutes_approved_by_id = actor.id
    # Written in the approver's language, the date as they read it (Buddhist era in Thai).
    when = formats.date(clock.local_date(meeting.starts_at, meeting.mdt), "long")
    for item in discussed:
        body = str(_l("Discussed at %(meeting)s on %(date)s.", meeting=meeting.title, date=when))
        if item.decisions:
            body += " " + str(_l("Decisions: %(decisions)s", decisions=item.decisions))
        db.session.add(Note(case_id=item.case_id, author_id=actor.id, body=body[:20000]))
        record(actor, "meeting.case_history", item, case=item.case, detail={"meeting_id": meeting.id})
    db.session.flush()
    record(actor, "meeting.minutes_approve", meeting, detail={"cases": len(discussed)})
    return len(discussed)
