"""Action items: decided at a meeting (or on their own), owned by an agency or a member, closed
by the owner, and read per reader. Services flush; the caller commits."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from mdt import clock, policy
from mdt.audit.services import record
from mdt.cases.models import Case
from mdt.directory.models import Agency, Member
from mdt.errors import Forbidden, WorkflowError
from mdt.extensions import db
from mdt.meetings.models import ActionItem, Meeting
from mdt.meetings.services.common import require_coordinator
from mdt.meetings.signals import action_item_changed
from mdt.notifications import services as notes
from mdt.signals import send
from mdt.validation import Checker


def create_action_item(actor, meeting: Meeting | None, data: dict) -> ActionItem:
    if meeting is not None:
        require_coordinator(actor)
    c = Checker(data)
    c.text("title", required=True, max_length=300)
    due = c.day("due_on", required=True)
    agency = c.pick(
        "owner_agency_id",
        Agency,
        mdt_id=actor.mdt_id,
        required=True,
        message=_l("Every action item needs an owner agency."),
    )
    owner = c.pick(
        "owner_id", Member, mdt_id=actor.mdt_id, message=_l("The owner must be a member of the owner agency.")
    )
    if owner is not None and agency is not None and owner.agency_id != agency.id:
        c.error("owner_id", _l("The owner must be a member of the owner agency."))
    case = c.pick("case_id", Case, mdt_id=actor.mdt_id, message=_l("No such case in this MDT."))
    if meeting is not None and due is not None and due < clock.local_date(meeting.starts_at, meeting.mdt):
        c.error("due_on", _l("The due date cannot be before the meeting."))
    c.raise_if_errors()
    item = ActionItem(
        mdt_id=actor.mdt_id,
        meeting_id=meeting.id if meeting else None,
        agenda_item_id=data.get("agenda_item_id") if isinstance(data.get("agenda_item_id"), int) else None,
        case_id=case.id if case else None,
        title=c.clean["title"],
        owner_agency_id=agency.id,
        owner_id=owner.id if owner else None,
        due_on=due,
        created_by_id=actor.id,
    )
    db.session.add(item)
    db.session.flush()
    record(
        actor,
        "action.create",
        item,
        case=case,
        detail={"meeting_id": item.meeting_id, "owner_agency_id": agency.id, "due_on": due},
    )
    recipients = [owner.id] if owner else notes.agency_members(agency.id)
    notes.notify(recipients, "action_assigned", case_id=item.case_id, skip=actor.id)
    send(action_item_changed, [item.id])
    return item


def close_action(actor, item: ActionItem, note: str | None = None) -> ActionItem:
    if not policy.can(actor, "action.close", item):
        raise Forbidden("Only the owner agency or a coordinator closes an action item.")
    if item.done_at is not None:
        raise WorkflowError(str(_l("This action item is already done.")))
    item.done_at = clock.now()
    item.done_note = (note or "").strip()[:5000] or None
    db.session.flush()
    record(actor, "action.done", item, case=item.case, detail={"note": item.done_note})
    send(action_item_changed, [item.id])
    return item


def restricted_title(item: ActionItem) -> str:
    """What stands for the title of an action item on a case the reader may not see."""
    return item.case.reference if item.case is not None else ""


def with_visibility(user, items) -> list[tuple[ActionItem, bool]]:
    """Each action item with whether ``user`` may read its title and note (one query)."""
    items = list(items)
    ids = [i.case_id for i in items if i.case_id]
    visible = (
        set(db.session.scalars(select(Case.id).where(Case.id.in_(ids), policy.team_filter(user))))
        if ids
        else set()
    )
    return [(i, i.case_id is None or i.case_id in visible) for i in items]


def action_items_for(
    user, *, mine_only: bool = False, include_done: bool = False, due_between: tuple[date, date] | None = None
):
    """The action items of the member (and, unless ``mine_only``, of their agency), each with
    whether the member may read it."""
    stmt = select(ActionItem).where(ActionItem.mdt_id == user.mdt_id)
    if mine_only:
        stmt = stmt.where(ActionItem.owner_id == user.id)
    else:
        stmt = stmt.where(
            or_(ActionItem.owner_id == user.id, and_(ActionItem.owner_agency_id == user.agency_id))
        )
    if not include_done:
        stmt = stmt.where(ActionItem.done_at.is_(None))
    if due_between is not None:
        stmt = stmt.where(ActionItem.due_on >= due_between[0], ActionItem.due_on <= due_between[1])
    items = db.session.scalars(stmt.options(joinedload(ActionItem.case)).order_by(ActionItem.due_on)).all()
    return with_visibility(user, items)


def meeting_actions(user, meeting: Meeting) -> list[tuple[ActionItem, bool]]:
    """The action items decided at ``meeting``, each with whether ``user`` may read it."""
    return with_visibility(
        user,
        db.session.scalars(
            select(ActionItem)
            .where(ActionItem.meeting_id == meeting.id)
            .options(joinedload(ActionItem.case), joinedload(ActionItem.owner_agency))
            .order_by(ActionItem.due_on)
        ),
    )
