"""The agenda: proposed from the cases (one query per reason), edited by hand, and read per reader
(items on cases the reader may not see are redacted). Services flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from mdt import clock, formats, policy
from mdt.audit.services import record, record_read
from mdt.cases.models import Case
from mdt.errors import WorkflowError
from mdt.extensions import db
from mdt.labels import label
from mdt.legal.models import Claimant, Deadline, Hearing
from mdt.meetings.models import ActionItem, AgendaItem, Meeting
from mdt.meetings.schemas import AgendaItemSchema
from mdt.meetings.services.common import require_coordinator
from mdt.referrals.models import Referral
from mdt.schema import load

REASON_ORDER = (
    "carried_over",
    "hearing_soon",
    "deadline_soon",
    "referral_overdue",
    "action_overdue",
    "new_intake",
    "stalled",
)


STALLED_LIMIT = 20


def _previous_meeting(meeting: Meeting) -> Meeting | None:
    stmt = select(Meeting).where(
        Meeting.mdt_id == meeting.mdt_id, Meeting.id != meeting.id, Meeting.starts_at < meeting.starts_at
    )
    if meeting.series_id:
        stmt = stmt.where(Meeting.series_id == meeting.series_id)
    else:
        stmt = stmt.where(Meeting.kind == meeting.kind)
    return db.session.scalars(stmt.order_by(Meeting.starts_at.desc())).first()


def proposals(meeting: Meeting, days: int = 14, stalled: int = STALLED_LIMIT) -> list[dict]:
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
        for item in db.session.scalars(
            select(AgendaItem).where(AgendaItem.meeting_id == previous.id, AgendaItem.finished.is_(False))
        ):
            found["carried_over"].append(
                {
                    "case_id": item.case_id,
                    "title": item.title,
                    "detail": item.detail,
                    "args": {"key": "carried_over", "was": _first(item.detail_args)},
                }
            )
    for case_id, starts_at, purpose in db.session.execute(
        select(Claimant.case_id, Hearing.starts_at, Hearing.purpose)
        .join(Hearing, Hearing.matter_id == Claimant.matter_id)
        .join(Case, Case.id == Claimant.case_id)
        .where(
            Case.mdt_id == mdt_id,
            Hearing.status == "scheduled",
            Hearing.starts_at >= now,
            Hearing.starts_at < clock.start_of(horizon + timedelta(days=1), zone),
        )
        .order_by(Hearing.starts_at)
    ):
        found["hearing_soon"].append(
            {"case_id": case_id, "args": {"key": "hearing", "at": starts_at.isoformat(), "what": purpose}}
        )
    for case_id, due_on, title in db.session.execute(
        select(Claimant.case_id, Deadline.due_on, Deadline.title)
        .join(Deadline, Deadline.matter_id == Claimant.matter_id)
        .join(Case, Case.id == Claimant.case_id)
        .where(Case.mdt_id == mdt_id, Deadline.status == "open", Deadline.due_on <= horizon)
        .order_by(Deadline.due_on)
    ):
        found["deadline_soon"].append(
            {"case_id": case_id, "args": {"key": "deadline", "on": due_on.isoformat(), "what": title}}
        )
    for case_id, respond_by, service in db.session.execute(
        select(Referral.case_id, Referral.respond_by, Referral.service)
        .where(Referral.mdt_id == mdt_id, Referral.status == "pending", Referral.respond_by < today)
        .order_by(Referral.respond_by)
    ):
        found["referral_overdue"].append(
            {
                "case_id": case_id,
                "args": {"key": "referral", "service": service, "on": respond_by.isoformat()},
            }
        )
    for action in db.session.scalars(
        select(ActionItem)
        .where(ActionItem.mdt_id == mdt_id, ActionItem.done_at.is_(None), ActionItem.due_on < today)
        .order_by(ActionItem.due_on)
    ):
        found["action_overdue"].append(
            {
                "case_id": action.case_id,
                "title": action.title,
                "args": {"key": "action", "on": action.due_on.isoformat()},
            }
        )
    for (case_id,) in db.session.execute(
        select(Case.id)
        .where(Case.mdt_id == mdt_id, Case.stage == "intake", Case.created_at >= since)
        .order_by(Case.created_at)
    ):
        found["new_intake"].append({"case_id": case_id, "args": {"key": "intake"}})
    for case_id, updated in db.session.execute(
        select(Case.id, Case.updated_at)
        .where(Case.mdt_id == mdt_id, Case.stage != "closed", Case.updated_at < now - timedelta(days=30))
        .order_by(Case.updated_at)
        .limit(max(stalled, 0))
    ):
        found["stalled"].append(
            {
                "case_id": case_id,
                "args": {"key": "stalled", "on": clock.local_date(updated, zone).isoformat()},
            }
        )
    seen: set[int] = set()
    out = []
    for reason in REASON_ORDER:
        for p in found[reason]:
            if p["case_id"] is not None:
                if p["case_id"] in seen:
                    continue
                seen.add(p["case_id"])
            out.append({"reason": reason, **p})
    references = (
        dict(
            db.session.execute(
                select(Case.id, Case.reference).where(
                    Case.id.in_([p["case_id"] for p in out if p["case_id"]])
                )
            ).all()
        )
        if out
        else {}
    )
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
        return _(
            "Hearing on %(date)s: %(what)s",
            what=args.get("what", ""),
            date=formats.datetime(datetime.fromisoformat(args["at"])),
        )
    if key == "deadline":
        return _(
            "Deadline on %(date)s: %(what)s",
            what=args.get("what", ""),
            date=formats.date(date.fromisoformat(args["on"])),
        )
    if key == "referral":
        return _(
            "Referral (%(service)s) unanswered since %(date)s",
            service=label("service", args.get("service")),
            date=formats.date(date.fromisoformat(args["on"])),
        )
    if key == "action":
        return _("Action item due %(date)s", date=formats.date(date.fromisoformat(args["on"])))
    if key == "intake":
        return _("New intake")
    if key == "stalled":
        return _("No change since %(date)s", date=formats.date(date.fromisoformat(args["on"])))
    return ""


def item_detail(item: AgendaItem) -> str:
    """An item's detail in the reader's language: proposals are stored as data and worded here;
    text a person typed is shown as typed."""
    return _worded(item.detail_args) or item.detail or ""


def propose_agenda(actor, meeting: Meeting, days: int = 14, stalled: int = STALLED_LIMIT) -> int:
    """Replace the proposed items that nobody has worked on; keep manual items and items with
    minutes. Only until the agenda is published. ``stalled``: at most that many cases with no
    change for 30 days (the coordinator's cap; 0 leaves them out)."""
    require_coordinator(actor, meeting)
    if meeting.status == "published":
        raise WorkflowError(str(_l("The agenda is published; add items by hand.")))
    kept = [i for i in meeting.items if i.reason == "manual" or i.discussion or i.decisions]
    for item in list(meeting.items):
        if item not in kept:
            meeting.items.remove(item)
    kept_cases = {i.case_id for i in kept if i.case_id}
    position = len(kept)
    for p in proposals(meeting, days, stalled):
        if p["case_id"] in kept_cases:
            continue
        meeting.items.append(
            AgendaItem(
                position=position,
                case_id=p["case_id"],
                reason=p["reason"],
                title=p["title"][:300],
                detail=p.get("detail"),
                detail_args=p.get("args"),
            )
        )
        position += 1
    db.session.flush()
    record(actor, "meeting.agenda_proposed", meeting, detail={"items": len(meeting.items)})
    return len(meeting.items)


def add_item(actor, meeting: Meeting, data: dict) -> AgendaItem:
    require_coordinator(actor, meeting)
    clean = load(AgendaItemSchema, data, mdt_id=meeting.mdt_id)
    case = clean.get("case_id")
    item = AgendaItem(
        position=len(meeting.items),
        case_id=case.id if case else None,
        reason="manual",
        title=clean["title"],
        detail=clean.get("detail"),
    )
    meeting.items.append(item)
    db.session.flush()
    record(actor, "meeting.item_add", item, detail={"meeting_id": meeting.id, "case_id": item.case_id})
    return item


def remove_item(actor, meeting: Meeting, item: AgendaItem) -> None:
    require_coordinator(actor, meeting)
    meeting.items.remove(item)
    for position, other in enumerate(meeting.items):
        other.position = position
    db.session.flush()
    record(actor, "meeting.item_remove", meeting, detail={"item_id": item.id, "title": item.title})


def move_item(actor, meeting: Meeting, item: AgendaItem, step: int) -> None:
    require_coordinator(actor, meeting)
    items = list(meeting.items)
    index = items.index(item)
    target = max(0, min(len(items) - 1, index + step))
    items.insert(target, items.pop(index))
    for position, other in enumerate(items):
        other.position = position
    db.session.flush()


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

    @property
    def restricted(self) -> bool:
        return not self.visible


def _references(case_ids) -> dict[int, str]:
    ids = sorted({i for i in case_ids if i})
    return (
        dict(db.session.execute(select(Case.id, Case.reference).where(Case.id.in_(ids))).all()) if ids else {}
    )


def agenda_for(user, meeting: Meeting) -> list[AgendaRow]:
    """The agenda as ``user`` may read it (two queries)."""
    case_ids = [i.case_id for i in meeting.items if i.case_id]
    shown = (
        {
            c.id: c
            for c in db.session.scalars(
                select(Case)
                .where(Case.id.in_(case_ids), policy.team_filter(user))
                .options(joinedload(Case.person))
            )
        }
        if case_ids
        else {}
    )
    references = _references(set(case_ids) - set(shown))
    out = []
    for item in meeting.items:
        visible = item.case_id is None or item.case_id in shown
        out.append(
            AgendaRow(
                id=item.id,
                position=item.position,
                reason=item.reason,
                case_id=item.case_id,
                visible=visible,
                title=item.title if visible else references.get(item.case_id or 0, ""),
                person=shown[item.case_id].person.full_name if item.case_id in shown else None,
                detail=item_detail(item) if visible else "",
                discussion=item.discussion if visible else None,
                decisions=item.decisions if visible else None,
                presenter_id=item.presenter_id if visible else None,
                finished=item.finished,
            )
        )
    return out


@dataclass
class AgendaGroup:
    """Agenda rows shown together: one hearing or one time limit with its claimants, or every
    case with no change for 30 days."""

    reason: str
    detail: str
    rows: list[AgendaRow]


# The items gathered by what they are about (a claimant's hearing, a matter's time limit).
GATHERED = ("hearing_soon", "deadline_soon")


def group_agenda(rows: list[AgendaRow]) -> list[AgendaGroup]:
    """The rows in agenda order, gathered (issue 13: seven identical "hearing soon" lines for one
    hearing): the visible items of one hearing or time limit (same reason, same detail) form one
    group that lists the claimants, and the "no change for 30 days" items one group. A restricted
    row stays alone: grouping it by what it hides would tell that."""
    groups: list[AgendaGroup] = []
    index: dict[tuple, AgendaGroup] = {}
    for row in rows:
        key: tuple | None = None
        if row.reason in GATHERED and row.visible and row.case_id and row.detail:
            key = (row.reason, row.detail)
        elif row.reason == "stalled":
            key = ("stalled",)
        if key is not None and key in index:
            index[key].rows.append(row)
            continue
        group = AgendaGroup(row.reason, row.detail if row.reason in GATHERED else "", [row])
        groups.append(group)
        if key is not None:
            index[key] = group
    return groups


def agenda_row(user, meeting: Meeting, item: AgendaItem) -> AgendaRow:
    """One item of the agenda as ``user`` may read it."""
    return next(row for row in agenda_for(user, meeting) if row.id == item.id)


def read_agenda(user, meeting: Meeting) -> list[AgendaRow]:
    """The agenda of a page or a printout, its read audited with the cases shown in full."""
    rows = agenda_for(user, meeting)
    record_read(
        user, "meeting.read", [r.case_id for r in rows if r.visible and r.case_id], meeting_id=meeting.id
    )
    return rows
