"""Events, the court deadlines they start, and their recomputation: rule packs, court calendars
with admin corrections, done and missed. Services flush; the caller commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from mdt import bulk, clock, policy
from mdt.audit.services import changes, record
from mdt.errors import Forbidden, WorkflowError
from mdt.extensions import db
from mdt.legal.calendar import CourtCalendar, Period, compute
from mdt.legal.models import (
    JURISDICTIONS,
    ClosureDay,
    Deadline,
    DeadlineChange,
    DeadlineRule,
    LegalMatter,
    MatterEvent,
    MatterLawyer,
)
from mdt.legal.schemas import (
    ClosureDaySchema,
    DeadlineRuleChangeSchema,
    DeadlineRuleSchema,
    EventDateSchema,
    EventSchema,
)
from mdt.legal.signals import deadline_changed
from mdt.notifications import services as notes
from mdt.schema import check, load
from mdt.signals import send


def court_calendar(jurisdiction: str, court: str | None = None) -> CourtCalendar:
    rows = db.session.scalars(
        select(ClosureDay).where(
            ClosureDay.jurisdiction == jurisdiction, ClosureDay.court.in_(["", court or ""])
        )
    ).all()
    added = {r.day: r.reason for r in rows if r.action == "closed"}
    removed = frozenset(r.day for r in rows if r.action == "open")
    return CourtCalendar(jurisdiction, added=added, removed=removed)


def rules_for(matter: LegalMatter, trigger: str) -> list[DeadlineRule]:
    rules = db.session.scalars(
        select(DeadlineRule)
        .where(
            DeadlineRule.jurisdiction == matter.jurisdiction,
            DeadlineRule.trigger == trigger,
            DeadlineRule.active.is_(True),
        )
        .order_by(DeadlineRule.code)
    ).all()
    return [r for r in rules if matter.kind in (r.matter_kinds or [])]


def _period(rule: DeadlineRule) -> Period:
    return Period(rule.amount, rule.unit, rule.offset_days, rule.roll)


def _computed(rule: DeadlineRule, kind: str, occurred_on: date, calendar: CourtCalendar):
    result = compute(occurred_on, _period(rule), calendar)
    trace = [f"rule {rule.code}: {rule.amount} {rule.unit} from {kind} ({rule.citation})", *result.trace]
    return result.due_on, trace


def record_event(actor, matter: LegalMatter, data: dict) -> tuple[MatterEvent, list[Deadline]]:
    if not policy.can(actor, "matter.edit", matter):
        raise Forbidden("Only the matter's lawyers can change it.")
    clean = load(EventSchema, data, today=clock.court_today(matter.jurisdiction))
    event = MatterEvent(
        matter_id=matter.id,
        kind=clean["kind"],
        occurred_on=clean["occurred_on"],
        note=clean.get("note"),
        recorded_by_id=actor.id,
    )
    db.session.add(event)
    db.session.flush()
    calendar = court_calendar(matter.jurisdiction, matter.forum)
    created = []
    for rule in rules_for(matter, event.kind):
        due, trace = _computed(rule, event.kind, event.occurred_on, calendar)
        deadline = Deadline(
            matter_id=matter.id,
            event_id=event.id,
            rule_id=rule.id,
            title=rule.title,
            due_on=due,
            citation=rule.citation,
            verified=rule.verified,
            trace=trace,
        )
        db.session.add(deadline)
        created.append(deadline)
    matter.updated_at = clock.now()
    db.session.flush()
    record(
        actor,
        "matter.event",
        event,
        detail={
            "matter_id": matter.id,
            "kind": event.kind,
            "occurred_on": event.occurred_on,
            "deadlines": [{"rule": d.rule_id, "due_on": d.due_on} for d in created],
        },
    )
    send(deadline_changed, [d.id for d in created])
    return event, created


def change_event_date(actor, event: MatterEvent, occurred_on) -> list[int]:
    """Correct the date of ``event`` (``occurred_on``: the date, or a request's body with it)."""
    matter = event.matter
    if not policy.can(actor, "matter.edit", matter):
        raise Forbidden("Only the matter's lawyers can change it.")
    data = occurred_on if isinstance(occurred_on, Mapping) else {"occurred_on": occurred_on}
    clean = load(EventDateSchema, data, today=clock.court_today(matter.jurisdiction))
    old = event.occurred_on
    if clean["occurred_on"] == old:
        return []
    event.occurred_on = clean["occurred_on"]
    event.confirmed_by_id = None  # a changed date needs a fresh second pair of eyes
    event.confirmed_at = None
    db.session.flush()
    record(
        actor,
        "matter.event_date",
        event,
        detail={"matter_id": matter.id, "changes": {"occurred_on": [old, event.occurred_on]}},
    )
    return recompute(f"trigger date changed from {old.isoformat()}", actor, Deadline.event_id == event.id)


def confirm_event(actor, event: MatterEvent) -> MatterEvent:
    matter = event.matter
    if not policy.can(actor, "matter.confirm_event", matter):
        raise Forbidden("You cannot confirm events on this matter.")
    if event.recorded_by_id == actor.id:
        raise WorkflowError(
            str(_l("A second member must confirm the trigger date, not the one who recorded it."))
        )
    if event.confirmed_by_id is not None:
        raise WorkflowError(str(_l("This date is already confirmed.")))
    event.confirmed_by_id = actor.id
    event.confirmed_at = clock.now()
    db.session.flush()
    record(
        actor,
        "matter.event_confirm",
        event,
        detail={"matter_id": matter.id, "occurred_on": event.occurred_on},
    )
    return event


def recompute(reason: str, actor=None, *where) -> list[int]:
    """Recompute the open deadlines matching ``where`` that were not set by hand. The ones whose
    date changes are updated in bulk, keep their previous date in ``deadline_change``, and the
    matters' lawyers are notified; one audit row per matter says what moved and why. Returns the
    ids of the deadlines that moved. Safe to run twice: the second run moves nothing."""
    rows = db.session.execute(
        select(
            Deadline.id,
            Deadline.due_on,
            Deadline.rule_id,
            Deadline.matter_id,
            MatterEvent.kind,
            MatterEvent.occurred_on,
            LegalMatter.jurisdiction,
            LegalMatter.forum,
        )
        .join(MatterEvent, MatterEvent.id == Deadline.event_id)
        .join(LegalMatter, LegalMatter.id == Deadline.matter_id)
        .where(
            Deadline.status == "open", Deadline.set_by_hand.is_(False), Deadline.rule_id.is_not(None), *where
        )
    ).all()
    if not rows:
        return []
    rules = {
        r.id: r
        for r in db.session.scalars(
            select(DeadlineRule).where(DeadlineRule.id.in_({row.rule_id for row in rows}))
        )
    }
    calendars: dict[tuple[str, str], CourtCalendar] = {}
    updates, history, moved = [], [], defaultdict(list)
    actor_id = getattr(actor, "id", None)
    now = clock.now()
    for row in rows:
        key = (row.jurisdiction, row.forum or "")
        if key not in calendars:
            calendars[key] = court_calendar(*key)
        due, trace = _computed(rules[row.rule_id], row.kind, row.occurred_on, calendars[key])
        if due != row.due_on:
            updates.append({"id": row.id, "due_on": due, "trace": trace})
            history.append(
                {
                    "deadline_id": row.id,
                    "old_due_on": row.due_on,
                    "new_due_on": due,
                    "reason": reason[:300],
                    "actor_id": actor_id,
                    "at": now,
                }
            )
            moved[row.matter_id].append({"id": row.id, "from": row.due_on.isoformat(), "to": due.isoformat()})
    if updates:
        bulk.update_rows(Deadline, updates)
        bulk.insert_rows(DeadlineChange, history)
        lawyers = db.session.execute(
            select(MatterLawyer.matter_id, MatterLawyer.member_id).where(
                MatterLawyer.matter_id.in_(list(moved))
            )
        ).all()
        notices = [
            {
                "member_id": member_id,
                "kind": "deadline_moved",
                "matter_id": matter_id,
                "deadline_id": item["id"],
                "created_at": now,
            }
            for matter_id, member_id in lawyers
            for item in moved[matter_id]
        ]
        if notices:
            bulk.insert_rows(notes.Notification, notices)
        matters = {
            m.id: m for m in db.session.scalars(select(LegalMatter).where(LegalMatter.id.in_(list(moved))))
        }
        for matter_id, items in moved.items():
            record(actor, "deadline.moved", matters[matter_id], detail={"reason": reason, "deadlines": items})
        for obj in list(db.session.identity_map.values()):
            if isinstance(obj, Deadline):
                db.session.expire(obj)
    db.session.flush()
    send(deadline_changed, [u["id"] for u in updates])  # their reminders move too, in bulk
    return [item["id"] for items in moved.values() for item in items]


def require_admin(actor) -> None:
    if not policy.can(actor, "legal.rules"):
        raise Forbidden("Only administrators manage rules and court calendars.")


def save_closure(actor, data: dict) -> tuple[ClosureDay, list[int]]:
    require_admin(actor)
    clean = load(ClosureDaySchema, data)
    existing = db.session.scalars(
        select(ClosureDay).where(
            ClosureDay.jurisdiction == clean["jurisdiction"],
            ClosureDay.court == clean["court"],
            ClosureDay.day == clean["day"],
        )
    ).first()
    if existing is not None:
        check({"day": [_l("This day is already corrected; remove it first.")]})
    closure = ClosureDay(**clean, created_by_id=actor.id)
    db.session.add(closure)
    db.session.flush()
    record(actor, "calendar.add", closure, detail=dict(clean))
    moved = recompute(
        f"court calendar: {closure.day.isoformat()} {closure.action} ({closure.reason})",
        actor,
        LegalMatter.jurisdiction == closure.jurisdiction,
    )
    return closure, moved


def remove_closure(actor, closure: ClosureDay) -> list[int]:
    require_admin(actor)
    jurisdiction, day, reason = closure.jurisdiction, closure.day, closure.reason
    record(
        actor, "calendar.remove", closure, detail={"jurisdiction": jurisdiction, "day": day, "reason": reason}
    )
    db.session.delete(closure)
    db.session.flush()
    return recompute(
        f"court calendar: correction of {day.isoformat()} removed",
        actor,
        LegalMatter.jurisdiction == jurisdiction,
    )


# The longest period each unit can express (the amount of a rule is at most 36500).
LONGEST = {"days": 36500, "working_days": 3650, "months": 1200, "years": 100}


def check_rule(data: dict, partial: bool = False, rule: DeadlineRule | None = None) -> dict:
    """What ``data`` sets on a rule (``partial``: only the fields given, checked with the
    ``rule``'s other values): a period its unit can express."""
    clean = load(DeadlineRuleChangeSchema if partial else DeadlineRuleSchema, data, partial=partial)
    unit = clean.get("unit", getattr(rule, "unit", None))
    amount = clean.get("amount", getattr(rule, "amount", None))
    offset = clean.get("offset_days", getattr(rule, "offset_days", 0))
    touched = {"unit", "amount", "offset_days"} & set(clean)
    if touched and unit in LONGEST and amount is not None:
        if amount > LONGEST[unit] or (amount == 0 and not offset and unit == "working_days"):
            check({"amount": [_l("That period is impossible for this unit.")]})
    return clean


def _free_code(jurisdiction: str) -> str:
    count = db.session.scalar(select(func.count()).select_from(DeadlineRule)) or 0
    taken = set(db.session.scalars(select(DeadlineRule.code)))
    number = count + 1
    while f"{jurisdiction}-X{number}" in taken:
        number += 1
    return f"{jurisdiction}-X{number}"


def save_rule(actor, data: dict, rule: DeadlineRule | None = None) -> tuple[DeadlineRule, list[int]]:
    require_admin(actor)
    if rule is None:
        clean = check_rule(data)
        code = clean.pop("code", None)
        if code and db.session.scalar(select(DeadlineRule.id).where(DeadlineRule.code == code)):
            check({"code": [_l("This code is already used.")]})
        rule = DeadlineRule(
            code=code or _free_code(clean["jurisdiction"]),
            pack=f"{clean['jurisdiction']}-local",
            version=1,
            **clean,
        )
        db.session.add(rule)
        db.session.flush()
        record(actor, "rule.create", rule, detail=clean)
        return rule, []
    clean = check_rule(data, partial=True, rule=rule)
    clean.pop("code", None)  # a rule keeps its code
    changed = changes(rule, clean)
    if not changed:
        return rule, []
    rule.version += 1
    rule.updated_at = clock.now()
    db.session.flush()
    record(actor, "rule.update", rule, detail={"changes": changed, "version": rule.version})
    # Open deadlines carry the rule's current title and citation, then move if the period changed.
    db.session.execute(
        update(Deadline)
        .where(Deadline.rule_id == rule.id, Deadline.status == "open")
        .values(title=rule.title, citation=rule.citation, verified=rule.verified)
        .execution_options(synchronize_session=False)
    )
    moved = recompute(
        f"rule {rule.code} changed (version {rule.version})", actor, Deadline.rule_id == rule.id
    )
    return rule, moved


def mark_done(actor, deadline: Deadline) -> Deadline:
    if not policy.can(actor, "matter.edit", deadline.matter):
        raise Forbidden("Only the matter's lawyers can change it.")
    if deadline.status != "open":
        raise WorkflowError(str(_l("This deadline is already %(status)s.", status=deadline.status)))
    deadline.status = "done"
    deadline.done_at = clock.now()
    deadline.done_by_id = actor.id
    db.session.flush()
    record(
        actor, "deadline.done", deadline, detail={"matter_id": deadline.matter_id, "due_on": deadline.due_on}
    )
    send(deadline_changed, [deadline.id])
    return deadline


def mark_missed() -> int:
    """Open deadlines whose last day has passed in their court's calendar become missed.
    Idempotent."""
    overdue: list[Deadline] = []
    for jurisdiction in JURISDICTIONS:
        overdue += db.session.scalars(
            select(Deadline)
            .join(LegalMatter, LegalMatter.id == Deadline.matter_id)
            .where(
                LegalMatter.jurisdiction == jurisdiction,
                Deadline.status == "open",
                Deadline.due_on < clock.court_today(jurisdiction),
            )
        ).all()
    for deadline in overdue:
        deadline.status = "missed"
        record(
            None,
            "deadline.missed",
            deadline,
            detail={"matter_id": deadline.matter_id, "due_on": deadline.due_on},
        )
    db.session.flush()
    send(deadline_changed, [d.id for d in overdue])
    return len(overdue)


def matter_deadlines(matter: LegalMatter):
    return db.session.scalars(
        select(Deadline)
        .where(Deadline.matter_id == matter.id)
        .options(joinedload(Deadline.event), joinedload(Deadline.rule))
        .order_by(Deadline.due_on)
    ).all()
