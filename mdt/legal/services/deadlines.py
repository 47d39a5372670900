"""Events, the court deadlines they start, and their recomputation: rule packs, court calendars
with admin corrections, done and missed. Services flush; the caller commits."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import joinedload

from mdt import clock, policy
from mdt.audit.services import changes, record
from mdt.errors import Forbidden, ValidationError, WorkflowError
from mdt.extensions import db
from mdt.legal.calendar import ROLLS, UNITS, CourtCalendar, Period, compute
from mdt.legal.models import (
    EVENT_KINDS,
    JURISDICTIONS,
    MATTER_KINDS,
    ClosureDay,
    Deadline,
    DeadlineChange,
    DeadlineRule,
    LegalMatter,
    MatterEvent,
    MatterLawyer,
)
from mdt.legal.signals import deadline_changed
from mdt.notifications import services as notes
from mdt.signals import send
from mdt.validation import Checker


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
    c = Checker(data)
    c.choice("kind", EVENT_KINDS, required=True)
    c.day("occurred_on", required=True, not_after=clock.court_today(matter.jurisdiction))
    c.text("note", max_length=2000)
    c.raise_if_errors()
    event = MatterEvent(
        matter_id=matter.id,
        kind=c.clean["kind"],
        occurred_on=c.clean["occurred_on"],
        note=c.clean.get("note"),
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


def change_event_date(actor, event: MatterEvent, occurred_on) -> list[Deadline]:
    matter = event.matter
    if not policy.can(actor, "matter.edit", matter):
        raise Forbidden("Only the matter's lawyers can change it.")
    c = Checker({"occurred_on": occurred_on})
    c.day("occurred_on", required=True, not_after=clock.court_today(matter.jurisdiction))
    c.raise_if_errors()
    old = event.occurred_on
    if c.clean["occurred_on"] == old:
        return []
    event.occurred_on = c.clean["occurred_on"]
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
        db.session.execute(update(Deadline), updates)
        db.session.execute(insert(DeadlineChange), history)
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
            db.session.execute(insert(notes.Notification), notices)
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


def save_closure(actor, data: dict) -> tuple[ClosureDay, list[Deadline]]:
    require_admin(actor)
    c = Checker(data)
    c.choice("jurisdiction", JURISDICTIONS, required=True)
    c.day("day", required=True)
    c.choice("action", ("closed", "open"), default="closed")
    c.text("reason", required=True, max_length=300)
    c.text("court", max_length=200, default="")
    c.raise_if_errors()
    existing = db.session.scalars(
        select(ClosureDay).where(
            ClosureDay.jurisdiction == c.clean["jurisdiction"],
            ClosureDay.court == (c.clean["court"] or ""),
            ClosureDay.day == c.clean["day"],
        )
    ).first()
    if existing is not None:
        raise ValidationError(
            "Exists.", {"day": [str(_l("This day is already corrected; remove it first."))]}
        )
    closure = ClosureDay(
        jurisdiction=c.clean["jurisdiction"],
        court=c.clean["court"] or "",
        day=c.clean["day"],
        action=c.clean["action"] or "closed",
        reason=c.clean["reason"],
        created_by_id=actor.id,
    )
    db.session.add(closure)
    db.session.flush()
    record(actor, "calendar.add", closure, detail={k: v for k, v in c.clean.items()})
    moved = recompute(
        f"court calendar: {closure.day.isoformat()} {closure.action} ({closure.reason})",
        actor,
        LegalMatter.jurisdiction == closure.jurisdiction,
    )
    return closure, moved


def remove_closure(actor, closure: ClosureDay) -> list[Deadline]:
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


def check_rule(data: dict, partial: bool = False) -> dict:
    c = Checker(data)
    fields = (
        data
        if partial
        else {
            **{
                k: None
                for k in (
                    "title",
                    "citation",
                    "amount",
                    "unit",
                    "roll",
                    "confidence",
                    "trigger",
                    "jurisdiction",
                )
            },
            **data,
        }
    )
    if not partial or "jurisdiction" in fields:
        c.choice("jurisdiction", JURISDICTIONS, required=True)
    if not partial or "trigger" in fields:
        c.choice("trigger", EVENT_KINDS, required=True)
    if not partial or "title" in fields:
        c.text("title", required=True, max_length=300)
    if not partial or "citation" in fields:
        c.text("citation", required=True, max_length=300)
    if not partial or "unit" in fields:
        c.choice("unit", UNITS, required=True)
    if not partial or "roll" in fields:
        c.choice("roll", ROLLS, default="forward")
    if not partial or "confidence" in fields:
        c.choice("confidence", ("H", "M", "U"), required=True)
    if "notes" in fields:
        c.text("notes", max_length=2000)
    for field, low, high in (("amount", 0, 36500), ("offset_days", -365, 365)):
        if field in fields or (field == "amount" and not partial):
            raw = c.data.get(field)
            try:
                value = int(raw)
                if str(raw).strip() != str(value) and not isinstance(raw, int):
                    raise ValueError
                if not low <= value <= high:
                    raise ValueError
                c.clean[field] = value
            except (TypeError, ValueError):
                c.error(field, _l("A whole number from %(low)s to %(high)s.", low=low, high=high))
    if "matter_kinds" in fields:
        kinds = c.data.get("matter_kinds")
        if isinstance(kinds, str):
            kinds = [kinds]
        if not kinds or not isinstance(kinds, list) or any(k not in MATTER_KINDS for k in kinds):
            c.error("matter_kinds", _l("Choose the kinds of matter the rule applies to."))
        else:
            c.clean["matter_kinds"] = sorted(set(kinds))
    elif not partial:
        c.error("matter_kinds", _l("Choose the kinds of matter the rule applies to."))
    if "active" in fields:
        c.boolean("active", True)
    unit, amount = c.clean.get("unit"), c.clean.get("amount")
    limits = {"days": 36500, "working_days": 3650, "months": 1200, "years": 100}
    if unit and amount is not None and amount > limits[unit]:
        c.error("amount", _l("That period is impossible for this unit."))
    if amount == 0 and c.clean.get("offset_days", 0) == 0 and unit == "working_days":
        c.error("amount", _l("That period is impossible for this unit."))
    c.raise_if_errors()
    return c.clean


def save_rule(actor, data: dict, rule: DeadlineRule | None = None) -> tuple[DeadlineRule, list[Deadline]]:
    require_admin(actor)
    if rule is None:
        clean = check_rule(data)
        code = (data.get("code") or "").strip()[:20] or None
        count = db.session.scalar(select(func.count()).select_from(DeadlineRule))
        rule = DeadlineRule(
            code=code or f"{clean['jurisdiction']}-X{count + 1}",
            pack=f"{clean['jurisdiction']}-local",
            version=1,
            **clean,
        )
        db.session.add(rule)
        db.session.flush()
        record(actor, "rule.create", rule, detail=clean)
        return rule, []
    clean = check_rule(data, partial=True)
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
    overdue = []
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
