"""Meetings, agendas proposed from the cases, and action items. Services flush; callers commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import format_date, format_datetime, gettext as _, lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from mdt import policy
from mdt.audit.services import changes, record, record_read
from mdt.cases.models import Case
from mdt.directory.models import Agency, Member
from mdt.errors import Forbidden, NotFound, ValidationError, WorkflowError
from mdt.extensions import db
from mdt.labels import label
from mdt.legal.models import Claimant, Deadline, Hearing
from mdt.meetings.models import (MEETING_KINDS, ActionItem, AgendaItem, Meeting, MeetingSeries,
                                 MinutesRevision)
from mdt.notifications import services as notes
from mdt.referrals.models import Referral
from mdt import clock
from mdt.validation import Checker

REASON_ORDER = ("carried_over", "hearing_soon", "deadline_soon", "referral_overdue",
                "action_overdue", "new_intake", "stalled")
STALLED_LIMIT = 20


def _require_coordinator(actor, meeting=None) -> None:
    if not policy.can(actor, "meeting.prepare", meeting):
        raise Forbidden("Coordinators prepare meetings.")


def get_meeting(actor, meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not policy.can(actor, "meeting.view", meeting):
        raise NotFound("No such meeting.")
    return meeting


def _parse_when(raw, zone: str):
    if raw in (None, ""):
        return None
    try:
        value = datetime.fromisoformat(str(raw))
    except ValueError:
        return False
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(zone))
    return value.astimezone(timezone.utc)


def next_host(series: MeetingSeries) -> int | None:
    if not series.rotation:
        return None
    held = db.session.scalar(select(func.count()).select_from(Meeting).where(Meeting.series_id == series.id))
    return series.rotation[held % len(series.rotation)]


def _common_fields(actor, data: dict):
    """Title, kind, place and start: what a meeting and a series both ask for."""
    c = Checker(data)
    c.text("title", required=True, max_length=200)
    c.choice("kind", MEETING_KINDS, required=True)
    c.text("location", max_length=300)
    zone = actor.mdt.timezone
    starts_at = _parse_when(c.data.get("starts_at"), zone)
    if not starts_at:
        c.error("starts_at", _l("Use a date and time like 2026-03-05T09:30."))
    return c, zone, starts_at


def create_meeting(actor, data: dict) -> Meeting:
    _require_coordinator(actor)
    c, zone, starts_at = _common_fields(actor, data)
    ends_at = _parse_when(c.data.get("ends_at"), zone)
    if ends_at is False:
        c.error("ends_at", _l("Use a date and time like 2026-03-05T09:30."))
    elif ends_at and starts_at and ends_at <= starts_at:
        c.error("ends_at", _l("The meeting must end after it starts."))
    series = c.pick("series_id", MeetingSeries, mdt_id=actor.mdt_id, message=_l("Choose from the list."))
    raw_host = data.get("host_agency_id")
    if raw_host in (None, "") and series is not None:
        raw_host = next_host(series)
    host = c.pick("host_agency_id", Agency, mdt_id=actor.mdt_id, required=True, value=raw_host,
                  message=_l("Choose the host agency."))
    invited = sorted(_agency_ids(c, "invited_agency_ids", actor.mdt_id))
    c.raise_if_errors()
    end = ends_at = ends_at or starts_at + timedelta(hours=2)   # two hours unless said otherwise
    if series is not None:
        overlapping = db.session.scalar(select(Meeting.id).where(
            Meeting.series_id == series.id, Meeting.starts_at < end, Meeting.ends_at > starts_at))
        if overlapping:
            raise ValidationError("Overlap.", {"starts_at": [str(_l(
                "Another meeting of this series is at that time."))]})
    meeting = Meeting(mdt_id=actor.mdt_id, series_id=series.id if series else None,
                      title=c.clean["title"], kind=c.clean["kind"], starts_at=starts_at,
                      ends_at=ends_at, host_agency_id=host.id, location=c.clean.get("location"),
                      invited_agency_ids=invited, created_by_id=actor.id)
    db.session.add(meeting)
    db.session.flush()
    record(actor, "meeting.create", meeting, detail={"title": meeting.title, "starts_at": starts_at,
                                                     "host_agency_id": host.id})
    propose_agenda(actor, meeting)
    return meeting


def _previous_meeting(meeting: Meeting) -> Meeting | None:
    stmt = select(Meeting).where(Meeting.mdt_id == meeting.mdt_id, Meeting.id != meeting.id,
                                 Meeting.starts_at < meeting.starts_at)
    if meeting.series_id:
        stmt = stmt.where(Meeting.series_id == meeting.series_id)
    else:
        stmt = stmt.where(Meeting.kind == meeting.kind)
    return db.session.scalars(stmt.order_by(Meeting.starts_at.desc())).first()


def proposals(meeting: Meeting, days: int = 14) -> list[dict]:
    """What the data says the meeting should discuss: one query per reason, whatever the number
    of cases. Each proposal keeps its reason; a case appears once, under its most urgent reason."""
    zone = clock.zone(meeting.mdt)
    today = clock.today(zone)
    horizon = today + timedelta(days=days)
    now = clock.now()
    mdt_id = meeting.mdt_id
    previous = _previous_meeting(meeting)
    since = previous.starts_at if previous else now - timedelta(days=30)
    found: dict[str, list[dict]] = {r: [] for r in REASON_ORDER}
    if previous is not None:
        for item in db.session.scalars(select(AgendaItem).where(
                AgendaItem.meeting_id == previous.id, AgendaItem.finished.is_(False))):
            found["carried_over"].append({"case_id": item.case_id, "title": item.title,
                                          "detail": item.detail, "args": {
                                              "key": "carried_over", "was": _first(item.detail_args)}})
    for case_id, starts_at, purpose in db.session.execute(
            select(Claimant.case_id, Hearing.starts_at, Hearing.purpose)
            .join(Hearing, Hearing.matter_id == Claimant.matter_id)
            .join(Case, Case.id == Claimant.case_id)
            .where(Case.mdt_id == mdt_id, Hearing.status == "scheduled", Hearing.starts_at >= now,
                   Hearing.starts_at < clock.start_of(horizon + timedelta(days=1), zone))
            .order_by(Hearing.starts_at)):
        found["hearing_soon"].append({"case_id": case_id, "args": {
            "key": "hearing", "at": starts_at.isoformat(), "what": purpose}})
    for case_id, due_on, title in db.session.execute(
            select(Claimant.case_id, Deadline.due_on, Deadline.title)
            .join(Deadline, Deadline.matter_id == Claimant.matter_id)
            .join(Case, Case.id == Claimant.case_id)
            .where(Case.mdt_id == mdt_id, Deadline.status == "open", Deadline.due_on <= horizon)
            .order_by(Deadline.due_on)):
        found["deadline_soon"].append({"case_id": case_id, "args": {
            "key": "deadline", "on": due_on.isoformat(), "what": title}})
    for case_id, respond_by, service in db.session.execute(
            select(Referral.case_id, Referral.respond_by, Referral.service)
            .where(Referral.mdt_id == mdt_id, Referral.status == "pending", Referral.respond_by < today)
            .order_by(Referral.respond_by)):
        found["referral_overdue"].append({"case_id": case_id, "args": {
            "key": "referral", "service": service, "on": respond_by.isoformat()}})
    for item in db.session.scalars(select(ActionItem).where(
            ActionItem.mdt_id == mdt_id, ActionItem.done_at.is_(None), ActionItem.due_on < today)
            .order_by(ActionItem.due_on)):
        found["action_overdue"].append({"case_id": item.case_id, "title": item.title, "args": {
            "key": "action", "on": item.due_on.isoformat()}})
    for case_id, created in db.session.execute(
            select(Case.id, Case.created_at).where(Case.mdt_id == mdt_id, Case.stage == "intake",
                                                   Case.created_at >= since)
            .order_by(Case.created_at)):
        found["new_intake"].append({"case_id": case_id, "args": {"key": "intake"}})
    for case_id, updated in db.session.execute(
            select(Case.id, Case.updated_at).where(Case.mdt_id == mdt_id, Case.stage != "closed",
                                                   Case.updated_at < now - timedelta(days=30))
            .order_by(Case.updated_at).limit(STALLED_LIMIT)):
        found["stalled"].append({"case_id": case_id, "args": {
            "key": "stalled", "on": clock.local_date(updated, zone).isoformat()}})
    seen: set[int] = set()
    out = []
    for reason in REASON_ORDER:
        for p in found[reason]:
            if p["case_id"] is not None:
                if p["case_id"] in seen:
                    continue
                seen.add(p["case_id"])
            out.append({"reason": reason, **p})
    references = dict(db.session.execute(select(Case.id, Case.reference).where(
        Case.id.in_([p["case_id"] for p in out if p["case_id"]]))).all()) if out else {}
    for p in out:
        if not p.get("title"):
            p["title"] = references.get(p["case_id"], "")
    return out


def _first(args: dict | None) -> dict | None:
    """What an item said when it was first proposed, however often it was carried over."""
    return args.get("was") if args and args.get("key") == "carried_over" else args


def _worded(args: dict | None) -> str:
    if not args:
        return ""
    key = args.get("key")
    if key == "carried_over":
        earlier = _worded(args.get("was"))
        text = _("Not finished at the last meeting")
        return f"{text}. {earlier}" if earlier else text
    if key == "hearing":
        return _("Hearing on %(date)s: %(what)s", what=args.get("what", ""),
                 date=format_datetime(datetime.fromisoformat(args["at"]), "medium"))
    if key == "deadline":
        return _("Deadline on %(date)s: %(what)s", what=args.get("what", ""),
                 date=format_date(date.fromisoformat(args["on"])))
    if key == "referral":
        return _("Referral (%(service)s) unanswered since %(date)s",
                 service=label("service", args.get("service")),
                 date=format_date(date.fromisoformat(args["on"])))
    if key == "action":
        return _("Action item due %(date)s", date=format_date(date.fromisoformat(args["on"])))
    if key == "intake":
        return _("New intake")
    if key == "stalled":
        return _("No change since %(date)s", date=format_date(date.fromisoformat(args["on"])))
    return ""


def item_detail(item: AgendaItem) -> str:
    """An item's detail in the reader's language: proposals are stored as data and worded here;
    text a person typed is shown as typed."""
    return _worded(item.detail_args) or item.detail or ""


def propose_agenda(actor, meeting: Meeting, days: int = 14) -> int:
    """Replace the proposed items that nobody has worked on; keep manual items and items with
    minutes. Only until the agenda is published."""
    _require_coordinator(actor)
    if meeting.status == "published":
        raise WorkflowError(str(_l("The agenda is published; add items by hand.")))
    kept = [i for i in meeting.items if i.reason == "manual" or i.discussion or i.decisions]
    for item in list(meeting.items):
        if item not in kept:
            meeting.items.remove(item)
    kept_cases = {i.case_id for i in kept if i.case_id}
    position = len(kept)
    for p in proposals(meeting, days):
        if p["case_id"] in kept_cases:
            continue
        meeting.items.append(AgendaItem(position=position, case_id=p["case_id"], reason=p["reason"],
                                        title=p["title"][:300], detail=p.get("detail"),
                                        detail_args=p.get("args")))
        position += 1
    db.session.flush()
    record(actor, "meeting.agenda_proposed", meeting, detail={"items": len(meeting.items)})
    return len(meeting.items)


def add_item(actor, meeting: Meeting, data: dict) -> AgendaItem:
    _require_coordinator(actor)
    c = Checker(data)
    c.text("title", required=True, max_length=300)
    c.text("detail", max_length=2000)
    case = c.pick("case_id", Case, mdt_id=meeting.mdt_id, message=_l("No such case in this MDT."))
    c.raise_if_errors()
    item = AgendaItem(position=len(meeting.items), case_id=case.id if case else None,
                      reason="manual", title=c.clean["title"], detail=c.clean.get("detail"))
    meeting.items.append(item)
    db.session.flush()
    record(actor, "meeting.item_add", item, detail={"meeting_id": meeting.id, "case_id": item.case_id})
    return item


def remove_item(actor, meeting: Meeting, item: AgendaItem) -> None:
    _require_coordinator(actor)
    meeting.items.remove(item)
    for position, other in enumerate(meeting.items):
        other.position = position
    db.session.flush()
    record(actor, "meeting.item_remove", meeting, detail={"item_id": item.id, "title": item.title})


def move_item(actor, meeting: Meeting, item: AgendaItem, step: int) -> None:
    _require_coordinator(actor)
    items = list(meeting.items)
    index = items.index(item)
    target = max(0, min(len(items) - 1, index + step))
    items.insert(target, items.pop(index))
    for position, other in enumerate(items):
        other.position = position
    db.session.flush()


def save_minutes(actor, meeting: Meeting, item: AgendaItem, data: dict) -> dict:
    _require_coordinator(actor)
    if item.case_id is not None and not policy.can(actor, "case.view", item.case):
        raise Forbidden("The minutes of an item are written by a member of the case's team.")
    c = Checker(data)
    c.text("discussion", max_length=10000)
    c.text("decisions", max_length=10000)
    c.boolean("finished")
    c.pick("presenter_id", Member, mdt_id=meeting.mdt_id, message=_l("No such member in this MDT."))
    c.raise_if_errors()
    if meeting.minutes_approved_at is not None and ({"discussion", "decisions"} & set(c.clean)):
        if any(c.clean.get(k) != getattr(item, k) for k in ("discussion", "decisions") if k in c.clean):
            raise WorkflowError(str(_l("The minutes are approved and can no longer be changed.")))
    changed = changes(item, c.clean)
    if changed:
        if {"discussion", "decisions"} & set(changed):
            db.session.add(MinutesRevision(agenda_item_id=item.id, discussion=item.discussion,
                                           decisions=item.decisions, saved_by_id=actor.id))
        db.session.flush()
        record(actor, "meeting.minutes", item, case=item.case,
               detail={"meeting_id": meeting.id, "fields": sorted(changed)})
    return changed


def approve_minutes(actor, meeting: Meeting) -> int:
    """Approve the minutes: they are frozen, and each case discussed gets a short entry in its
    history (a note by the approver). Returns the number of cases written to."""
    from mdt.cases.models import Note

    if not policy.can(actor, "meeting.approve", meeting):
        raise Forbidden("The coordinator approves the minutes.")
    if meeting.minutes_approved_at is not None:
        raise WorkflowError(str(_l("The minutes are already approved.")))
    discussed = [i for i in meeting.items if i.case_id and (i.discussion or i.decisions)]
    if not any(i.discussion or i.decisions for i in meeting.items):
        raise WorkflowError(str(_l("There are no minutes to approve yet.")))
    meeting.minutes_approved_at = clock.now()
    meeting.minutes_approved_by_id = actor.id
    when = clock.local_date(meeting.starts_at, meeting.mdt).isoformat()
    for item in discussed:
        body = str(_l("Discussed at %(meeting)s on %(date)s.", meeting=meeting.title, date=when))
        if item.decisions:
            body += " " + str(_l("Decisions: %(decisions)s", decisions=item.decisions))
        db.session.add(Note(case_id=item.case_id, author_id=actor.id, body=body[:20000]))
        record(actor, "meeting.case_history", item, case=item.case, detail={"meeting_id": meeting.id})
    db.session.flush()
    record(actor, "meeting.minutes_approve", meeting, detail={"cases": len(discussed)})
    return len(discussed)


def reschedule(actor, meeting: Meeting, data: dict) -> dict:
    """Move a meeting or change its place: the invitation's SEQUENCE grows so calendars update."""
    _require_coordinator(actor)
    c = Checker(data)
    zone = actor.mdt.timezone
    starts_at = _parse_when(c.data.get("starts_at"), zone) if "starts_at" in c.data else meeting.starts_at
    ends_at = _parse_when(c.data.get("ends_at"), zone) if c.data.get("ends_at") else None
    if not starts_at:
        c.error("starts_at", _l("Use a date and time like 2026-03-05T09:30."))
    if ends_at is False:
        c.error("ends_at", _l("Use a date and time like 2026-03-05T09:30."))
    if "location" in c.data:
        c.text("location", max_length=300)
    c.raise_if_errors()
    if ends_at is None and starts_at:
        ends_at = starts_at + (meeting.ends_at - meeting.starts_at if meeting.ends_at else timedelta(hours=2))
    if ends_at <= starts_at:
        raise ValidationError("Bad times.", {"ends_at": [str(_l("The meeting must end after it starts."))]})
    values = {"starts_at": starts_at, "ends_at": ends_at}
    if "location" in c.clean:
        values["location"] = c.clean["location"]
    changed = changes(meeting, values)
    if changed:
        meeting.sequence += 1
        db.session.flush()
        record(actor, "meeting.reschedule", meeting, detail={"changes": changed,
                                                             "sequence": meeting.sequence})
    return changed


def publish(actor, meeting: Meeting) -> Meeting:
    _require_coordinator(actor)
    if meeting.status == "published":
        raise WorkflowError(str(_l("The agenda is already published.")))
    if not meeting.items:
        raise WorkflowError(str(_l("The agenda is empty: add at least one item before publishing.")))
    meeting.status = "published"
    meeting.published_at = clock.now()
    db.session.flush()
    invited = meeting.invited_agency_ids or [a for a in db.session.scalars(
        select(Agency.id).where(Agency.mdt_id == meeting.mdt_id))]
    members = db.session.scalars(select(Member.id).where(
        Member.mdt_id == meeting.mdt_id, Member.active.is_(True), Member.agency_id.in_(invited))).all()
    for member_id in members:
        if member_id != actor.id:
            db.session.add(notes.Notification(member_id=member_id, kind="meeting_published",
                                              meeting_id=meeting.id))
    record(actor, "meeting.publish", meeting, detail={"items": len(meeting.items)})
    return meeting


@dataclass(frozen=True)
class AgendaRow:
    """An agenda item as one reader may see it. On a case the reader may not see, only the
    case's reference stands in for the title, and nothing of the detail or the minutes."""

    id: int
    position: int
    reason: str
    case_id: int | None
    visible: bool
    title: str
    person: str | None
    detail: str
    discussion: str | None
    decisions: str | None
    presenter_id: int | None
    finished: bool


def _references(case_ids) -> dict[int, str]:
    ids = sorted({i for i in case_ids if i})
    return dict(db.session.execute(select(Case.id, Case.reference).where(Case.id.in_(ids))).all()) \
        if ids else {}


def agenda_for(user, meeting: Meeting) -> list[AgendaRow]:
    """The agenda as ``user`` may read it (two queries)."""
    case_ids = [i.case_id for i in meeting.items if i.case_id]
    shown = {c.id: c for c in db.session.scalars(
        select(Case).where(Case.id.in_(case_ids), policy.team_filter(user))
        .options(joinedload(Case.person)))} if case_ids else {}
    references = _references(set(case_ids) - set(shown))
    out = []
    for item in meeting.items:
        visible = item.case_id is None or item.case_id in shown
        out.append(AgendaRow(
            id=item.id, position=item.position, reason=item.reason, case_id=item.case_id,
            visible=visible, title=item.title if visible else references.get(item.case_id, ""),
            person=shown[item.case_id].person.full_name if item.case_id in shown else None,
            detail=item_detail(item) if visible else "",
            discussion=item.discussion if visible else None,
            decisions=item.decisions if visible else None,
            presenter_id=item.presenter_id if visible else None, finished=item.finished))
    return out


def read_agenda(user, meeting: Meeting) -> list[AgendaRow]:
    """The agenda of a page or a printout, its read audited with the cases shown in full."""
    rows = agenda_for(user, meeting)
    record_read(user, "meeting.read", [r.case_id for r in rows if r.visible and r.case_id],
                meeting_id=meeting.id)
    return rows


# ---------------------------------------------------------------- action items

def create_action_item(actor, meeting: Meeting | None, data: dict) -> ActionItem:
    c = Checker(data)
    c.text("title", required=True, max_length=300)
    due = c.day("due_on", required=True)
    agency = c.pick("owner_agency_id", Agency, mdt_id=actor.mdt_id, required=True,
                    message=_l("Every action item needs an owner agency."))
    owner = c.pick("owner_id", Member, mdt_id=actor.mdt_id,
                   message=_l("The owner must be a member of the owner agency."))
    if owner is not None and agency is not None and owner.agency_id != agency.id:
        c.error("owner_id", _l("The owner must be a member of the owner agency."))
    case = c.pick("case_id", Case, mdt_id=actor.mdt_id, message=_l("No such case in this MDT."))
    if meeting is not None and due is not None and due < clock.local_date(meeting.starts_at,
                                                                          meeting.mdt):
        c.error("due_on", _l("The due date cannot be before the meeting."))
    c.raise_if_errors()
    if meeting is not None:
        _require_coordinator(actor)
    item = ActionItem(mdt_id=actor.mdt_id, meeting_id=meeting.id if meeting else None,
                      agenda_item_id=data.get("agenda_item_id") if isinstance(data.get("agenda_item_id"), int) else None,
                      case_id=case.id if case else None, title=c.clean["title"],
                      owner_agency_id=agency.id, owner_id=owner.id if owner else None, due_on=due,
                      created_by_id=actor.id)
    db.session.add(item)
    db.session.flush()
    record(actor, "action.create", item, case=case, detail={
        "meeting_id": item.meeting_id, "owner_agency_id": agency.id, "due_on": due})
    recipients = [owner.id] if owner else notes.agency_members(agency.id)
    notes.notify(recipients, "action_assigned", case_id=item.case_id, skip=actor.id)
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
    return item


def restricted_title(item: ActionItem) -> str:
    """What stands for the title of an action item on a case the reader may not see."""
    return item.case.reference if item.case is not None else ""


def with_visibility(user, items) -> list[tuple[ActionItem, bool]]:
    """Each action item with whether ``user`` may read its title and note (one query)."""
    items = list(items)
    ids = [i.case_id for i in items if i.case_id]
    visible = set(db.session.scalars(select(Case.id).where(
        Case.id.in_(ids), policy.team_filter(user)))) if ids else set()
    return [(i, i.case_id is None or i.case_id in visible) for i in items]


def action_items_for(user, *, mine_only: bool = False, include_done: bool = False,
                     due_between: tuple[date, date] | None = None):
    """The action items of the member (and, unless ``mine_only``, of their agency), each with
    whether the member may read it."""
    stmt = select(ActionItem).where(ActionItem.mdt_id == user.mdt_id)
    if mine_only:
        stmt = stmt.where(ActionItem.owner_id == user.id)
    else:
        stmt = stmt.where(or_(ActionItem.owner_id == user.id,
                              and_(ActionItem.owner_agency_id == user.agency_id)))
    if not include_done:
        stmt = stmt.where(ActionItem.done_at.is_(None))
    if due_between is not None:
        stmt = stmt.where(ActionItem.due_on >= due_between[0], ActionItem.due_on <= due_between[1])
    items = db.session.scalars(stmt.options(joinedload(ActionItem.case))
                               .order_by(ActionItem.due_on)).all()
    return with_visibility(user, items)


def meeting_actions(user, meeting: Meeting) -> list[tuple[ActionItem, bool]]:
    """The action items decided at ``meeting``, each with whether ``user`` may read it."""
    return with_visibility(user, db.session.scalars(
        select(ActionItem).where(ActionItem.meeting_id == meeting.id)
        .options(joinedload(ActionItem.case), joinedload(ActionItem.owner_agency))
        .order_by(ActionItem.due_on)))


# ---------------------------------------------------------------- series and attendance

REPEATS = ("monthly_weekday", "monthly_date", "weekly", "fortnightly", "custom")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _agency_ids(c: Checker, field: str, mdt_id: int) -> list[int]:
    """A list of agency ids of this MDT, in the order given (duplicates dropped)."""
    raw = c.data.get(field) or []
    if not isinstance(raw, list):
        raw = [raw]
    try:
        wanted = list(dict.fromkeys(int(a) for a in raw if a not in (None, "")))
    except (TypeError, ValueError):
        c.error(field, _l("Choose agencies from the list."))
        return []
    known = set(db.session.scalars(select(Agency.id).where(Agency.mdt_id == mdt_id,
                                                           Agency.id.in_(wanted)))) if wanted else set()
    if len(known) != len(wanted):
        c.error(field, _l("Choose agencies from the list."))
    return [a for a in wanted if a in known]


def rule_for(repeats: str, first: datetime, custom: str | None = None) -> str:
    """The RRULE for a choice in the form, anchored on the first meeting's local date: "monthly
    on the same weekday" from a first Thursday gives FREQ=MONTHLY;BYDAY=1TH (the last one of
    the month when the first meeting is in the fifth week)."""
    weekday = _WEEKDAYS[first.weekday()]
    if repeats == "monthly_weekday":
        nth = (first.day - 1) // 7 + 1
        return f"FREQ=MONTHLY;BYDAY={-1 if nth == 5 else nth}{weekday}"
    if repeats == "monthly_date":
        return f"FREQ=MONTHLY;BYMONTHDAY={first.day}"
    if repeats == "weekly":
        return f"FREQ=WEEKLY;BYDAY={weekday}"
    if repeats == "fortnightly":
        return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={weekday}"
    return (custom or "").strip().upper().removeprefix("RRULE:")


def occurrences(series: MeetingSeries, zone: str, after: datetime, count: int) -> list[datetime]:
    """The next ``count`` start times (UTC) of the series after ``after``, computed in the MDT's
    zone so that "9:30 on the first Thursday" stays 9:30 local."""
    from dateutil.rrule import rrulestr

    tz = ZoneInfo(zone)
    local_start = series.dtstart.astimezone(tz).replace(tzinfo=None)
    rule = rrulestr(series.rrule, dtstart=local_start)
    out, cursor = [], max(after.astimezone(tz).replace(tzinfo=None), local_start - timedelta(seconds=1))
    while len(out) < count:
        cursor = rule.after(cursor)
        if cursor is None:
            break
        out.append(cursor.replace(tzinfo=tz).astimezone(timezone.utc))
    return out


def create_series(actor, data: dict) -> MeetingSeries:
    _require_coordinator(actor)
    c, zone, first = _common_fields(actor, data)
    c.choice("repeats", REPEATS, required=True)
    c.text("rrule", max_length=200)
    try:
        minutes = int(c.data.get("duration_minutes") or 120)
        if not 15 <= minutes <= 12 * 60:
            raise ValueError
    except (TypeError, ValueError):
        c.error("duration_minutes", _l("Between 15 and 720 minutes."))
        minutes = 120
    rotation = _agency_ids(c, "rotation", actor.mdt_id)
    if not rotation and "rotation" not in c.errors:
        c.error("rotation", _l("Choose at least one host agency."))
    invited = _agency_ids(c, "invited_agency_ids", actor.mdt_id)
    rule = None
    if first and c.clean.get("repeats"):
        rule = rule_for(c.clean["repeats"], first.astimezone(ZoneInfo(zone)), c.clean.get("rrule"))
        try:
            from dateutil.rrule import rrulestr

            if not rule or "FREQ=" not in rule:
                raise ValueError
            rrulestr(rule, dtstart=first.replace(tzinfo=None))
        except (ValueError, TypeError):
            c.error("rrule", _l("Write a rule like FREQ=MONTHLY;BYDAY=1TH (RFC 5545)."))
    c.raise_if_errors()
    series = MeetingSeries(mdt_id=actor.mdt_id, title=c.clean["title"], kind=c.clean["kind"],
                           rrule=rule, rotation=rotation, dtstart=first, duration_minutes=minutes,
                           location=c.clean.get("location"), invited_agency_ids=invited)
    db.session.add(series)
    db.session.flush()
    record(actor, "meeting.series_create", series, detail={"title": series.title, "rrule": rule,
                                                           "rotation": rotation})
    return series


def schedule_series(actor, series: MeetingSeries, count: int = 3) -> list[Meeting]:
    """Create the next ``count`` meetings of the series that do not exist yet, each with the
    next host in the rotation and an agenda proposed from the cases."""
    _require_coordinator(actor)
    if series.mdt_id != actor.mdt_id:
        raise NotFound("No such series.")
    count = max(1, min(int(count), 12))
    held = set(db.session.scalars(select(Meeting.starts_at).where(Meeting.series_id == series.id)))
    latest = max(held, default=None)
    after = max(clock.now(), latest) if latest else clock.now()
    zone = actor.mdt.timezone
    made = []
    for starts_at in occurrences(series, zone, after, count):
        local = starts_at.astimezone(ZoneInfo(zone))
        made.append(create_meeting(actor, {
            "title": series.title, "kind": series.kind, "series_id": series.id,
            "starts_at": local.isoformat(),
            "ends_at": (local + timedelta(minutes=series.duration_minutes)).isoformat(),
            "location": series.location, "invited_agency_ids": series.invited_agency_ids or []}))
    return made


def describe_rule(series: MeetingSeries, zone: str) -> str:
    """The rule in words for the common cases, else the RRULE itself."""
    from babel.dates import get_day_names

    from flask_babel import get_locale

    rule = series.rrule or ""
    if not series.dtstart:
        return rule
    first = series.dtstart.astimezone(ZoneInfo(zone))
    day = get_day_names("wide", locale=get_locale())[first.weekday()]
    if rule == rule_for("monthly_weekday", first):
        nth = (first.day - 1) // 7 + 1
        ordinal = {1: _("first"), 2: _("second"), 3: _("third"), 4: _("fourth")}.get(nth, _("last"))
        return _("The %(nth)s %(day)s of every month", nth=ordinal, day=day)
    if rule == rule_for("weekly", first):
        return _("Every %(day)s", day=day)
    if rule == rule_for("fortnightly", first):
        return _("Every other %(day)s", day=day)
    if rule == rule_for("monthly_date", first):
        return _("Day %(n)s of every month", n=first.day)
    return rule


def record_attendance(actor, meeting: Meeting, present_ids, listed_ids) -> int:
    """Mark who was present among the members listed on the form; the others listed are absent.
    Returns the number present."""
    from mdt.meetings.models import MeetingAttendance

    _require_coordinator(actor)
    try:
        listed = {int(m) for m in listed_ids}
        present = {int(m) for m in present_ids} & listed
    except (TypeError, ValueError):
        raise ValidationError("Bad members.", {"present": [str(_l("Choose members from the list."))]})
    valid = set(db.session.scalars(select(Member.id).where(Member.mdt_id == meeting.mdt_id,
                                                           Member.id.in_(listed)))) if listed else set()
    if valid != listed:
        raise ValidationError("Bad members.", {"present": [str(_l("Choose members from the list."))]})
    rows = {a.member_id: a for a in db.session.scalars(select(MeetingAttendance).where(
        MeetingAttendance.meeting_id == meeting.id))}
    for member_id in listed:
        row = rows.get(member_id)
        if row is None:
            db.session.add(MeetingAttendance(meeting_id=meeting.id, member_id=member_id,
                                             present=member_id in present, recorded_by_id=actor.id))
        elif row.present != (member_id in present):
            row.present = member_id in present
            row.recorded_by_id = actor.id
            row.recorded_at = clock.now()
    db.session.flush()
    record(actor, "meeting.attendance", meeting, detail={"present": sorted(present)})
    return len(present)


def attendance_sheet(meeting: Meeting) -> list[dict]:
    """Members of the invited agencies (every agency when none were named), and anyone already
    recorded, with whether they were present (None: not recorded yet)."""
    from mdt.meetings.models import MeetingAttendance

    recorded = {a.member_id: a.present for a in db.session.scalars(select(MeetingAttendance).where(
        MeetingAttendance.meeting_id == meeting.id))}
    stmt = select(Member).where(Member.mdt_id == meeting.mdt_id, Member.active.is_(True))
    if meeting.invited_agency_ids:
        stmt = stmt.where(or_(Member.agency_id.in_(meeting.invited_agency_ids),
                              Member.id.in_(list(recorded) or [-1])))
    people = db.session.scalars(stmt.order_by(Member.agency_id, Member.name)).all()
    return [{"member": m, "present": recorded.get(m.id)} for m in people]
