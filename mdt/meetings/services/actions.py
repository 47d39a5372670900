"""Action items: decided at a meeting (or on their own), owned by an agency or a member, closed
by the owner, and read per reader. Services flush; the caller commits."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from mdt import clock, policy
from mdt.audit.services import record
from mdt.cases.models import Case
from mdt.directory.models import Agency
from mdt.errors import Forbidden, WorkflowError
from mdt.extensions import db
from mdt.meetings.models import ActionItem, Meeting
from mdt.meetings.schemas import ActionDoneSchema, ActionItemSchema
from mdt.meetings.services.common import require_coordinator
from mdt.meetings.signals import action_item_changed
from mdt.notifications import services as notes
from mdt.schema import check, load
from mdt.signals import send


def create_action_item(actor, meeting: Meeting | None, data: dict) -> ActionItem:
    if meeting is not None:
        require_coordinator(actor, meeting)
    meeting_day = clock.local_date(meeting.starts_at, meeting.mdt) if meeting is not None else None
    clean = load(ActionItemSchema, data, mdt_id=actor.mdt_id, meeting_day=meeting_day)
    agency, owner, case = clean["owner_agency_id"], clean.get("owner_id"), clean.get("case_id")
    agenda_item = None
    if clean.get("agenda_item_id") is not None:
        agenda_item = next(
            (i for i in (meeting.items if meeting else []) if i.id == clean["agenda_item_id"]), None
        )
        if agenda_item is None:
            check({"agenda_item_id": [_l("Choose from the list.")]})
    item = ActionItem(
        mdt_id=actor.mdt_id,
        meeting_id=meeting.id if meeting else None,
        agenda_item_id=agenda_item.id if agenda_item else None,
        case_id=case.id if case else None,
        title=clean["title"],
        owner_agency_id=agency.id,
        owner_id=owner.id if owner else None,
        due_on=clean["due_on"],
        created_by_id=actor.id,
    )
    db.session.add(item)
    db.session.flush()
    record(
        actor,
        "action.create",
        item,
        case=case,
        detail={"meeting_id": item.meeting_id, "owner_agency_id": agency.id, "due_on": item.due_on},
    )
    recipients = [owner.id] if owner else notes.agency_members(agency.id)
    notes.notify(recipients, "action_assigned", case_id=item.case_id, skip=actor.id)
    send(action_item_changed, [item.id])
    return item


def close_action(actor, item: ActionItem, note: str | None = None, *, data: dict | None = None) -> ActionItem:
    """Close an action item, with ``note`` (or ``data``, the whole request: ``{"note": ...}``)."""
    if not policy.can(actor, "action.close", item):
        raise Forbidden("Only the owner agency or a coordinator closes an action item.")
    if item.done_at is not None:
        raise WorkflowError(str(_l("This action item is already done.")))
    clean = load(ActionDoneSchema, {"note": note} if data is None else data)
    item.done_at = clock.now()
    item.done_note = clean.get("note")
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


def action_view(user, item: ActionItem) -> dict:
    """An action item as ``user`` may read it (``ActionItemSchema``): on a case they may not see,
    the case's reference stands for the title and the note is withheld."""
    ((item, shown),) = with_visibility(user, [item])
    return {
        "id": item.id,
        "title": item.title if shown else restricted_title(item),
        "restricted": not shown,
        "case_id": item.case_id,
        "meeting_id": item.meeting_id,
        "agenda_item_id": item.agenda_item_id,
        "owner_agency_id": item.owner_agency_id,
        "owner_id": item.owner_id,
        "due_on": item.due_on,
        "done": item.done_at is not None,
        "done_note": item.done_note if shown else None,
    }


def may_list_agency(user, agency_id: int) -> bool:
    """Whether ``user`` may list the action items of one agency: their own, or any as coordinator."""
    return agency_id == user.agency_id or policy.can(user, "meeting.prepare")


def action_items_for(
    user,
    *,
    mine_only: bool = False,
    include_done: bool = False,
    due_between: tuple[date, date] | None = None,
    agency_id: int | None = None,
    overdue_on: date | None = None,
):
    """The action items of the member (and, unless ``mine_only``, of their agency), each with
    whether the member may read it. ``agency_id``: a coordinator's look at one agency's items
    (others see their own agency's only); ``overdue_on``: open and due before that day."""
    stmt = select(ActionItem).where(ActionItem.mdt_id == user.mdt_id)
    if agency_id is not None and may_list_agency(user, agency_id):
        stmt = stmt.where(ActionItem.owner_agency_id == agency_id)
    elif mine_only:
        stmt = stmt.where(ActionItem.owner_id == user.id)
    else:
        stmt = stmt.where(
            or_(ActionItem.owner_id == user.id, and_(ActionItem.owner_agency_id == user.agency_id))
        )
    if not include_done:
        stmt = stmt.where(ActionItem.done_at.is_(None))
    if due_between is not None:
        stmt = stmt.where(ActionItem.due_on >= due_between[0], ActionItem.due_on <= due_between[1])
    if overdue_on is not None:
        stmt = stmt.where(ActionItem.done_at.is_(None), ActionItem.due_on < overdue_on)
    items = db.session.scalars(
        stmt.options(joinedload(ActionItem.case), joinedload(ActionItem.owner_agency)).order_by(
            ActionItem.due_on
        )
    ).all()
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


def overdue_by_agency(mdt_id: int, today: date) -> list[tuple[Agency, int]]:
    """Open action items past their day, counted per owner agency (most first)."""
    rows = db.session.execute(
        select(Agency, func.count(ActionItem.id))
        .join(ActionItem, ActionItem.owner_agency_id == Agency.id)
        .where(ActionItem.mdt_id == mdt_id, ActionItem.done_at.is_(None), ActionItem.due_on < today)
        .group_by(Agency.id)
        .order_by(func.count(ActionItem.id).desc(), Agency.name)
    ).all()
    return [(agency, n) for agency, n in rows]
