"""The agenda: proposed from the cases (one query per reason), edited by hand, and read per reader
(items on cases the reader may not see are redacted). Services flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from mdt import clock, formats, policy
from mdt.audit.services import record, record_read
from mdt.cases.models import Case
from mdt.errors import WorkflowError
from mdt.extensions import db
from mdt.labels import label
from mdt.legal.models import Claimant, Deadline, Hearing, LegalMatter
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
# At most this many proposals, most urgent first (issue 17: 12,390 items for the largest MDT).
# No meeting discusses more; the coordinator is told how many were left out.
PROPOSAL_CAP = 60


def _previous_meeting(meeting: Meeting) -> Meeting | None:
    stmt = select(Meeting).where(
        Meeting.mdt_id == meeting.mdt_id, Meeting.id != meeting.id, Meeting.starts_at < meeting.starts_at
    )
    if meeting.series_id:
        stmt = stmt.where(Meeting.series_id == meeting.series_id)
    else:
        stmt = stmt.where(Meeting.kind == meeting.kind)
    return db.session.scalars(stmt.order_by(Meeting.starts_at.desc()).limit(1)).first()


@dataclass(frozen=True)
class Proposed:
    """What the data proposes, most urgent first, cut at the cap; ``left_out``: how many more the
    cap cut (the coordinator is told, and may add items by hand)."""

    items: list[dict]
    left_out: int


def _matter_items(first, table, same, what, key: str, worded) -> list[dict]:
    """One proposal per legal matter, grouped by the database: ``first`` is a subquery of the
    MDT's matters (``matter_id``) with their earliest date (``at``); ``table`` joined on ``same``
    gives that hearing or time limit, ``what`` its text (the least one when two share the date).
    The claimants are counted later, for the proposals kept (``_matters``)."""
    stmt = (
        select(first.c.matter_id, first.c.at, func.min(what))
        .select_from(first)
        .join(table, same)
        .group_by(first.c.matter_id, first.c.at)
        .order_by(first.c.at, first.c.matter_id)
    )
    return [
        {
            "matter_id": matter_id,
            "case_id": None,
            "args": {"key": key, worded: when.isoformat(), "what": text},
        }
        for matter_id, when, text in db.session.execute(stmt)
    ]


def _matters(matter_ids, mdt_id: int) -> dict[int, tuple[str, int]]:
    """Each matter's title and how many of its claimants have their case in the MDT (one query,
    grouped by the database)."""
    ids = sorted({i for i in matter_ids if i})
    if not ids:
        return {}
    rows = db.session.execute(
        select(LegalMatter.id, LegalMatter.title, func.count(Case.id))
        .outerjoin(Claimant, Claimant.matter_id == LegalMatter.id)
        .outerjoin(Case, (Case.id == Claimant.case_id) & (Case.mdt_id == mdt_id))
        .where(LegalMatter.id.in_(ids))
        .group_by(LegalMatter.id, LegalMatter.title)
    )
    return {matter_id: (title, n) for matter_id, title, n in rows}


def proposals(
    meeting: Meeting,
    days: int = 14,
    stalled: int = STALLED_LIMIT,
    cap: int = PROPOSAL_CAP,
    kept: tuple[AgendaItem, ...] = (),
) -> Proposed:
    """What the data says the meeting should discuss: one query per reason, whatever the number
    of cases. Each proposal keeps its reason; a case appears once, under its most urgent reason,
    and so does a legal matter (its hearing or time limit is one item, whatever its number of
    claimants). At most ``cap`` proposals, most urgent first (reason, then date); the cases and
    matters of the ``kept`` items are not proposed again."""
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
            select(AgendaItem)
            .where(AgendaItem.meeting_id == previous.id, AgendaItem.finished.is_(False))
            .order_by(AgendaItem.position)
        ):
            found["carried_over"].append(
                {
                    "case_id": item.case_id,
                    "matter_id": item.matter_id,
                    "title": item.title,
                    "detail": item.detail,
                    "args": {"key": "carried_over", "was": _first(item.detail_args)},
                }
            )
    hearings = (
        select(Hearing.matter_id, func.min(Hearing.starts_at).label("at"))
        .join(LegalMatter, LegalMatter.id == Hearing.matter_id)
        .where(
            LegalMatter.mdt_id == mdt_id,
            Hearing.status == "scheduled",
            Hearing.starts_at >= now,
            Hearing.starts_at < clock.start_of(horizon + timedelta(days=1), zone),
        )
        .group_by(Hearing.matter_id)
        .subquery()
    )
    found["hearing_soon"] = _matter_items(
        hearings,
        Hearing,
        (Hearing.matter_id == hearings.c.matter_id)
        & (Hearing.starts_at == hearings.c.at)
        & (Hearing.status == "scheduled"),
        Hearing.purpose,
        "hearing",
        "at",
    )
    deadlines = (
        select(Deadline.matter_id, func.min(Deadline.due_on).label("at"))
        .join(LegalMatter, LegalMatter.id == Deadline.matter_id)
        .where(LegalMatter.mdt_id == mdt_id, Deadline.status == "open", Deadline.due_on <= horizon)
        .group_by(Deadline.matter_id)
        .subquery()
    )
    found["deadline_soon"] = _matter_items(
        deadlines,
        Deadline,
        (Deadline.matter_id == deadlines.c.matter_id)
        & (Deadline.due_on == deadlines.c.at)
        & (Deadline.status == "open"),
        Deadline.title,
        "deadline",
        "on",
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
    seen_cases = {i.case_id for i in kept if i.case_id}
    seen_matters = {i.matter_id for i in kept if i.matter_id}
    ordered = []
    for reason in REASON_ORDER:
        for p in found[reason]:
            p.setdefault("matter_id", None)
            if p["case_id"] is not None:
                if p["case_id"] in seen_cases:
                    continue
                seen_cases.add(p["case_id"])
            if p["matter_id"] is not None:
                if p["matter_id"] in seen_matters:
                    continue
                seen_matters.add(p["matter_id"])
            ordered.append({"reason": reason, **p})
    cap = max(cap, 0)
    out = ordered[:cap]
    untitled = [p for p in out if not p.get("title")]
    cases = {p["case_id"] for p in untitled if p["case_id"]}
    matters = {p["matter_id"] for p in untitled if p["matter_id"]}
    references = _references(cases)
    about = _matters(matters, mdt_id)
    for p in untitled:
        if p["matter_id"]:
            p["title"], p["args"]["claimants"] = about.get(p["matter_id"], ("", 0))
        else:
            p["title"] = references.get(p["case_id"], "")
    return Proposed(out, len(ordered) - len(out))


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
        return _with_claimants(
            _(
                "Hearing on %(date)s: %(what)s",
                what=args.get("what", ""),
                date=formats.datetime(datetime.fromisoformat(args["at"])),
            ),
            args,
        )
    if key == "deadline":
        return _with_claimants(
            _(
                "Deadline on %(date)s: %(what)s",
                what=args.get("what", ""),
                date=formats.date(date.fromisoformat(args["on"])),
            ),
            args,
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


def _with_claimants(text: str, args: dict) -> str:
    """A matter's hearing or time limit says how many of the MDT's claimants it concerns (items
    proposed per claimant before issue 17 have no count)."""
    if args.get("claimants") is None:
        return text
    return f"{text} · " + ngettext(
        "%(num)s claimant in this MDT", "%(num)s claimants in this MDT", int(args["claimants"])
    )


def item_detail(item: AgendaItem) -> str:
    """An item's detail in the reader's language: proposals are stored as data and worded here;
    text a person typed is shown as typed."""
    return _worded(item.detail_args) or item.detail or ""


def propose_agenda(
    actor, meeting: Meeting, days: int = 14, stalled: int = STALLED_LIMIT, cap: int = PROPOSAL_CAP
) -> int:
    """Replace the proposed items that nobody has worked on; keep manual items and items with
    minutes. Only until the agenda is published. ``stalled``: at most that many cases with no
    change for 30 days (the coordinator's cap; 0 leaves them out). At most ``cap`` proposals,
    most urgent first; the meeting remembers how many more there were."""
    require_coordinator(actor, meeting)
    if meeting.status == "published":
        raise WorkflowError(str(_l("The agenda is published; add items by hand.")))
    kept = [i for i in meeting.items if i.reason == "manual" or i.discussion or i.decisions]
    for item in list(meeting.items):
        if item not in kept:
            meeting.items.remove(item)
    position = len(kept)
    proposed = proposals(meeting, days, stalled, cap, kept=tuple(kept))
    meeting.proposals_left_out = proposed.left_out
    for p in proposed.items:
        meeting.items.append(
            AgendaItem(
                position=position,
                case_id=p["case_id"],
                matter_id=p["matter_id"],
                reason=p["reason"],
                title=p["title"][:300],
                detail=p.get("detail"),
                detail_args=p.get("args"),
            )
        )
        position += 1
    db.session.flush()
    record(
        actor,
        "meeting.agenda_proposed",
        meeting,
        detail={"items": len(meeting.items), "left_out": proposed.left_out},
    )
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
    case's reference stands in for the title, and nothing of the detail or the minutes; on a legal
    matter the reader may not see (``policy.matter_filter``), a neutral "legal matter"."""

    id: int
    position: int
    reason: str
    case_id: int | None
    matter_id: int | None
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
    """The agenda as ``user`` may read it (at most three queries)."""
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
    matter_ids = [i.matter_id for i in meeting.items if i.matter_id]
    matters = (
        set(
            db.session.scalars(
                select(LegalMatter.id).where(LegalMatter.id.in_(matter_ids), policy.matter_filter(user))
            )
        )
        if matter_ids
        else set()
    )
    out = []
    for item in meeting.items:
        visible = (item.case_id is None or item.case_id in shown) and (
            item.matter_id is None or item.matter_id in matters
        )
        if visible:
            title = item.title
        elif item.case_id:
            title = references.get(item.case_id, "")
        else:
            title = _("Legal matter")
        out.append(
            AgendaRow(
                id=item.id,
                position=item.position,
                reason=item.reason,
                case_id=item.case_id,
                matter_id=item.matter_id,
                visible=visible,
                title=title,
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


# The items gathered by what they are about (a claimant's hearing, a matter's time limit): items
# proposed once per claimant before issue 17; a matter's item is now one row already.
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
