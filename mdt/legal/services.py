"""Legal matters, claimants, hearings, events and the deadlines they start. Services flush; the
caller commits once. Every change writes an audit row in the same transaction."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from mdt import consent, policy
from mdt.audit.services import changes, record
from mdt.cases.models import INTERMEDIARY_KINDS, Case
from mdt.directory.models import Member
from mdt.errors import Forbidden, NotFound, ValidationError, WorkflowError
from mdt.extensions import db
from mdt.reminders.hooks import touch
from mdt.legal.calendar import ROLLS, UNITS, CourtCalendar, Period, compute
from mdt.legal.models import (CLAIMANT_STATUSES, EVENT_KINDS, HEARING_STATUSES, JURISDICTIONS,
                              MATTER_KINDS, MATTER_STAGES, Claimant, ClosureDay,
                              Deadline, DeadlineChange, DeadlineRule, Hearing, HearingSupport,
                              LegalMatter, MatterEvent, MatterLawyer, MatterLink, MatterRespondent)
from mdt.notifications import services as notes
from mdt import clock
from mdt.validation import Checker

COURT_ZONES = clock.COURT_ZONES


# ---------------------------------------------------------------- access

def get_matter(user, matter_id: int, *, edit: bool = False) -> LegalMatter:
    matter = db.session.get(LegalMatter, matter_id, options=[
        selectinload(LegalMatter.lawyers).joinedload(MatterLawyer.member),
        selectinload(LegalMatter.claimants).joinedload(Claimant.case),
        selectinload(LegalMatter.respondents).joinedload(MatterRespondent.intermediary)])
    if matter is None or matter.mdt_id != user.mdt_id:
        raise NotFound("No such legal matter.")
    if not policy.can(user, "matter.view", matter):
        raise NotFound("No such legal matter.")
    if edit and not policy.can(user, "matter.edit", matter):
        raise Forbidden("Only the matter's lawyers can change it.")
    return matter


def read_matter(user, matter_id: int) -> LegalMatter:
    """Open a matter's page or API record: audits the read of its claimants (the cases the user
    may see, whose names are shown)."""
    matter = get_matter(user, matter_id)
    shown = [cl.case_id for cl in matter.claimants if policy.can(user, "case.view", cl.case)]
    record(user, "matter.read", matter, detail={"case_ids": shown})
    return matter


def _require_creator(user) -> None:
    if not policy.can(user, "matter.create"):
        raise Forbidden("Lawyers and coordinators open legal matters.")


# ---------------------------------------------------------------- matters and claimants

def _intermediary(mdt_id: int, raw: dict, c: Checker, i: int):
    from mdt.cases.services import intermediary_for

    rc = Checker(raw, f"respondents[{i}].")
    rc.text("name", required=True, max_length=200)
    rc.choice("kind", INTERMEDIARY_KINDS, required=True)
    c.merge(rc)
    if rc.errors:
        return None
    return intermediary_for(mdt_id, rc.clean["name"], rc.clean["kind"], None)


def _check_claimant(actor, raw: dict, prefix: str, default_currency: str):
    c = Checker(raw, prefix)
    case = None
    try:
        case = db.session.get(Case, int(raw.get("case_id")))
    except (TypeError, ValueError, AttributeError):
        case = None
    if case is None or not policy.can(actor, "case.view", case):
        c.error("case_id", _l("No such case, or you are not on its team."))
    c.money("amount_claimed")
    c.currency("currency", default_currency)
    return c, case


def _require_legal_consent(case: Case) -> None:
    if consent.for_case(case, "legal_action").live:
        return
    raise WorkflowError(str(_l(
        "Case %(ref)s has no live consent to legal action: the person decides whether to go to "
        "court. Record their consent first.", ref=case.reference)))


def create_matter(actor, data: dict) -> LegalMatter:
    _require_creator(actor)
    c = Checker(data)
    c.choice("kind", MATTER_KINDS, required=True)
    c.choice("jurisdiction", JURISDICTIONS, required=True)
    c.text("title", required=True, max_length=300)
    c.text("forum", max_length=200)
    c.text("docket_no", max_length=100)
    c.choice("stage", MATTER_STAGES, default="fact_finding")
    currency = {"TH": "THB", "PH": "PHP"}.get(c.clean.get("jurisdiction"), actor.mdt.currency)
    respondents = []
    for i, raw in enumerate(data.get("respondents") or []):
        respondents.append(_intermediary(actor.mdt_id, raw if isinstance(raw, dict) else {}, c, i))
    claimants = []
    for i, raw in enumerate(data.get("claimants") or []):
        cc, case = _check_claimant(actor, raw if isinstance(raw, dict) else {}, f"claimants[{i}].", currency)
        c.merge(cc)
        claimants.append((case, cc.clean))
    lawyer_ids = data.get("lawyer_ids") or []
    lawyers = []
    for member_id in lawyer_ids:
        member = db.session.get(Member, member_id) if isinstance(member_id, int) else None
        if member is None or member.mdt_id != actor.mdt_id:
            c.error("lawyer_ids", _l("No such member in this MDT."))
        else:
            lawyers.append(member)
    c.raise_if_errors()
    for case, _clean in claimants:
        _require_legal_consent(case)
    matter = LegalMatter(mdt_id=actor.mdt_id, kind=c.clean["kind"],
                         jurisdiction=c.clean["jurisdiction"], title=c.clean["title"],
                         forum=c.clean.get("forum"), docket_no=c.clean.get("docket_no"),
                         stage=c.clean.get("stage") or "fact_finding", created_by_id=actor.id)
    db.session.add(matter)
    if actor.has_role("lawyer") and actor not in lawyers:
        lawyers.insert(0, actor)
    for member in lawyers:
        matter.lawyers.append(MatterLawyer(member_id=member.id))
    for intermediary in respondents:
        if intermediary is not None and intermediary.id not in {r.intermediary_id for r in matter.respondents}:
            matter.respondents.append(MatterRespondent(intermediary_id=intermediary.id))
    for case, clean in claimants:
        matter.claimants.append(Claimant(case_id=case.id, currency=clean["currency"],
                                         amount_claimed=clean.get("amount_claimed")))
    db.session.flush()
    record(actor, "matter.create", matter, detail={
        "kind": matter.kind, "jurisdiction": matter.jurisdiction, "title": matter.title,
        "claimants": [cl.case_id for cl in matter.claimants]})
    for cl in matter.claimants:
        record(actor, "matter.claimant_add", cl, case=cl.case, detail={"matter_id": matter.id})
    return matter


def update_matter(actor, matter: LegalMatter, data: dict) -> dict:
    if not policy.can(actor, "matter.edit", matter):
        raise Forbidden("Only the matter's lawyers can change it.")
    c = Checker(data)
    for field, size in (("title", 300), ("forum", 200), ("docket_no", 100)):
        if field in c.data:
            c.text(field, required=(field == "title"), max_length=size)
    if "stage" in c.data:
        c.choice("stage", MATTER_STAGES, required=True)
    if "supervising_lawyer_id" in c.data:
        supervisor = c.pick("supervising_lawyer_id", Member, mdt_id=matter.mdt_id,
                            message=_l("Choose a lawyer of this MDT."))
        if supervisor is not None and not supervisor.has_role("lawyer"):
            c.error("supervising_lawyer_id", _l("Choose a lawyer of this MDT."))
        elif supervisor is None and "supervising_lawyer_id" not in c.errors:
            c.clean["supervising_lawyer_id"] = None
    links = data.get("linked_matter_ids")
    linked = []
    if links is not None:
        for other_id in links if isinstance(links, list) else [None]:
            other = db.session.get(LegalMatter, other_id) if isinstance(other_id, int) else None
            if other is None or other.mdt_id != matter.mdt_id or other.id == matter.id:
                c.error("linked_matter_ids", _l("No such legal matter in this MDT."))
            else:
                linked.append(other.id)
    c.raise_if_errors()
    changed = changes(matter, c.clean)
    if links is not None:
        old = set(linked_ids(matter))
        new = set(linked)
        for other_id in new - old:
            db.session.add(MatterLink(low_id=min(matter.id, other_id), high_id=max(matter.id, other_id)))
        for other_id in old - new:
            link = db.session.get(MatterLink, (min(matter.id, other_id), max(matter.id, other_id)))
            db.session.delete(link)
        if old != new:
            changed["linked_matter_ids"] = [sorted(old), sorted(new)]
    if "supervising_lawyer_id" in changed:
        # Escalations of the matter's open time limits go to the new supervisor.
        touch(db.session, "deadline", db.session.scalars(select(Deadline.id).where(
            Deadline.matter_id == matter.id, Deadline.status != "done")).all())
    if changed:
        matter.updated_at = clock.now()
        db.session.flush()
        record(actor, "matter.update", matter, detail={"changes": changed})
    return changed


def linked_ids(matter: LegalMatter) -> list[int]:
    rows = db.session.execute(select(MatterLink.low_id, MatterLink.high_id).where(
        or_(MatterLink.low_id == matter.id, MatterLink.high_id == matter.id))).all()
    return sorted(high if low == matter.id else low for low, high in rows)


def add_claimant(actor, matter: LegalMatter, data: dict) -> Claimant:
    if not policy.can(actor, "matter.edit", matter):
        raise Forbidden("Only the matter's lawyers can change it.")
    default = {"TH": "THB", "PH": "PHP"}[matter.jurisdiction]
    c, case = _check_claimant(actor, data, "", default)
    c.raise_if_errors()
    if any(cl.case_id == case.id for cl in matter.claimants):
        raise WorkflowError(str(_l("This case is already a claimant.")))
    _require_legal_consent(case)
    claimant = Claimant(case_id=case.id, currency=c.clean["currency"],
                        amount_claimed=c.clean.get("amount_claimed"))
    matter.claimants.append(claimant)
    db.session.flush()
    record(actor, "matter.claimant_add", claimant, case=case, detail={"matter_id": matter.id})
    return claimant


def update_claimant(actor, matter: LegalMatter, claimant: Claimant, data: dict) -> dict:
    if not policy.can(actor, "matter.edit", matter):
        raise Forbidden("Only the matter's lawyers can change it.")
    c = Checker(data)
    if "status" in c.data:
        c.choice("status", CLAIMANT_STATUSES, required=True)
    for field in ("amount_claimed", "amount_awarded", "amount_received"):
        if field in c.data:
            c.money(field)
    if "currency" in c.data:
        c.currency("currency", claimant.currency)
    relief = data.get("debt_relief")
    if relief is not None:
        if not isinstance(relief, dict):
            c.error("debt_relief", _l("Expected an object."))
        else:
            rc = Checker(relief, "debt_relief.")
            if "loan_cancelled" in relief:
                c.clean["loan_cancelled"] = rc.boolean("loan_cancelled")
            if "collateral_returned" in relief:
                c.clean["collateral_returned"] = rc.boolean("collateral_returned")
            if "note" in relief:
                c.clean["debt_relief_note"] = rc.text("note", max_length=2000)
            c.merge(rc)
    c.raise_if_errors()
    changed = changes(claimant, c.clean)
    if changed:
        matter.updated_at = clock.now()
        db.session.flush()
        record(actor, "matter.claimant_update", claimant, case=claimant.case,
               detail={"matter_id": matter.id, "changes": changed})
    return changed


def totals(matter: LegalMatter) -> dict:
    out: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {"claimed": Decimal("0.00"), "awarded": Decimal("0.00"), "received": Decimal("0.00")})
    for cl in matter.claimants:
        t = out[cl.currency]
        t["claimed"] += cl.amount_claimed or 0
        t["awarded"] += cl.amount_awarded or 0
        t["received"] += cl.amount_received or 0
    return {cur: {k: f"{v:.2f}" for k, v in t.items()} for cur, t in sorted(out.items())}


def visible_matters(user, limit: int = 200):
    return db.session.scalars(select(LegalMatter).where(policy.matter_filter(user))
                              .order_by(LegalMatter.updated_at.desc()).limit(limit)).all()


# ---------------------------------------------------------------- hearings

def _parse_starts_at(raw, zone: str) -> datetime | None:
    if isinstance(raw, datetime):
        value = raw
    else:
        try:
            value = datetime.fromisoformat(str(raw))
        except ValueError:
            return None
    if value.tzinfo is None:   # a local time in the court's zone (the web form's datetime-local)
        value = value.replace(tzinfo=ZoneInfo(zone))
    return value.astimezone(timezone.utc)


def schedule_hearing(actor, matter: LegalMatter, data: dict) -> Hearing:
    if not policy.can(actor, "matter.edit", matter):
        raise Forbidden("Only the matter's lawyers can change it.")
    c = Checker(data)
    starts_at = _parse_starts_at(c.data.get("starts_at"), COURT_ZONES[matter.jurisdiction])
    if starts_at is None:
        c.error("starts_at", _l("Use a date and time like 2026-03-05T09:30."))
    elif starts_at < clock.now():
        c.error("starts_at", _l("A new hearing cannot be in the past."))
    c.text("purpose", required=True, max_length=300)
    c.text("location", max_length=300)
    c.raise_if_errors()
    hearing = Hearing(matter_id=matter.id, starts_at=starts_at, purpose=c.clean["purpose"],
                      location=c.clean.get("location"), created_by_id=actor.id)
    db.session.add(hearing)
    for kind in ("transport", "lodging", "interpreter", "witness_preparation"):
        hearing.support.append(HearingSupport(kind=kind))
    matter.updated_at = clock.now()
    db.session.flush()
    record(actor, "hearing.schedule", hearing, detail={"matter_id": matter.id,
                                                       "starts_at": starts_at, "purpose": hearing.purpose})
    return hearing


def update_hearing(actor, hearing: Hearing, data: dict) -> dict:
    matter = hearing.matter
    if not policy.can(actor, "matter.edit", matter):
        raise Forbidden("Only the matter's lawyers can change it.")
    c = Checker(data)
    zone = COURT_ZONES[matter.jurisdiction]
    if "starts_at" in c.data:
        starts_at = _parse_starts_at(c.data.get("starts_at"), zone)
        if starts_at is None:
            c.error("starts_at", _l("Use a date and time like 2026-03-05T09:30."))
        else:
            c.clean["starts_at"] = starts_at
    if "status" in c.data:
        c.choice("status", HEARING_STATUSES, required=True)
    for field, size in (("purpose", 300), ("location", 300), ("outcome_notes", 5000)):
        if field in c.data:
            c.text(field, required=(field == "purpose"), max_length=size)
    next_at = None
    if c.clean.get("status") == "adjourned":
        next_at = _parse_starts_at(c.data.get("next_starts_at"), zone) if c.data.get("next_starts_at") else None
        if next_at is None:
            c.error("next_starts_at", _l("Adjourning needs the new date and time."))
        elif next_at < clock.now():
            c.error("next_starts_at", _l("A new hearing cannot be in the past."))
    c.raise_if_errors()
    changed = changes(hearing, c.clean)
    if next_at is not None:
        follow = Hearing(matter_id=matter.id, starts_at=next_at, purpose=hearing.purpose,
                         location=hearing.location, created_by_id=actor.id)
        db.session.add(follow)
        db.session.flush()
        hearing.next_hearing_id = follow.id
        for kind in ("transport", "lodging", "interpreter", "witness_preparation"):
            follow.support.append(HearingSupport(kind=kind))
        changed["next_hearing"] = [None, next_at]
    if changed:
        matter.updated_at = clock.now()
        db.session.flush()
        record(actor, "hearing.update", hearing, detail={"matter_id": matter.id, "changes": changed})
    return changed


# ---------------------------------------------------------------- calendars, events, deadlines

def court_calendar(jurisdiction: str, court: str | None = None) -> CourtCalendar:
    rows = db.session.scalars(select(ClosureDay).where(
        ClosureDay.jurisdiction == jurisdiction,
        ClosureDay.court.in_(["", court or ""]))).all()
    added = {r.day: r.reason for r in rows if r.action == "closed"}
    removed = frozenset(r.day for r in rows if r.action == "open")
    return CourtCalendar(jurisdiction, added=added, removed=removed)


def rules_for(matter: LegalMatter, trigger: str) -> list[DeadlineRule]:
    rules = db.session.scalars(select(DeadlineRule).where(
        DeadlineRule.jurisdiction == matter.jurisdiction, DeadlineRule.trigger == trigger,
        DeadlineRule.active.is_(True)).order_by(DeadlineRule.code)).all()
    return [r for r in rules if matter.kind in (r.matter_kinds or [])]


def _period(rule: DeadlineRule) -> Period:
    return Period(rule.amount, rule.unit, rule.offset_days, rule.roll)


def _computed(rule: DeadlineRule, kind: str, occurred_on: date, calendar: CourtCalendar):
    result = compute(occurred_on, _period(rule), calendar)
    trace = [f"rule {rule.code}: {rule.amount} {rule.unit} from {kind} ({rule.citation})",
             *result.trace]
    return result.due_on, trace


def record_event(actor, matter: LegalMatter, data: dict) -> tuple[MatterEvent, list[Deadline]]:
    if not policy.can(actor, "matter.edit", matter):
        raise Forbidden("Only the matter's lawyers can change it.")
    c = Checker(data)
    c.choice("kind", EVENT_KINDS, required=True)
    c.day("occurred_on", required=True, not_after=clock.court_today(matter.jurisdiction))
    c.text("note", max_length=2000)
    c.raise_if_errors()
    event = MatterEvent(matter_id=matter.id, kind=c.clean["kind"], occurred_on=c.clean["occurred_on"],
                        note=c.clean.get("note"), recorded_by_id=actor.id)
    db.session.add(event)
    db.session.flush()
    calendar = court_calendar(matter.jurisdiction, matter.forum)
    created = []
    for rule in rules_for(matter, event.kind):
        due, trace = _computed(rule, event.kind, event.occurred_on, calendar)
        deadline = Deadline(matter_id=matter.id, event_id=event.id, rule_id=rule.id,
                            title=rule.title, due_on=due, citation=rule.citation,
                            verified=rule.verified, trace=trace)
        db.session.add(deadline)
        created.append(deadline)
    matter.updated_at = clock.now()
    db.session.flush()
    record(actor, "matter.event", event, detail={
        "matter_id": matter.id, "kind": event.kind, "occurred_on": event.occurred_on,
        "deadlines": [{"rule": d.rule_id, "due_on": d.due_on} for d in created]})
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
    event.confirmed_by_id = None     # a changed date needs a fresh second pair of eyes
    event.confirmed_at = None
    db.session.flush()
    record(actor, "matter.event_date", event, detail={"matter_id": matter.id,
                                                      "changes": {"occurred_on": [old, event.occurred_on]}})
    return recompute(f"trigger date changed from {old.isoformat()}", actor,
                     Deadline.event_id == event.id)


def confirm_event(actor, event: MatterEvent) -> MatterEvent:
    matter = event.matter
    if not policy.can(actor, "matter.confirm_event", matter):
        raise Forbidden("You cannot confirm events on this matter.")
    if event.recorded_by_id == actor.id:
        raise WorkflowError(str(_l("A second member must confirm the trigger date, not the one who "
                                   "recorded it.")))
    if event.confirmed_by_id is not None:
        raise WorkflowError(str(_l("This date is already confirmed.")))
    event.confirmed_by_id = actor.id
    event.confirmed_at = clock.now()
    db.session.flush()
    record(actor, "matter.event_confirm", event, detail={"matter_id": matter.id,
                                                         "occurred_on": event.occurred_on})
    return event


def recompute(reason: str, actor=None, *where) -> list[int]:
    """Recompute the open deadlines matching ``where`` that were not set by hand. The ones whose
    date changes are updated in bulk, keep their previous date in ``deadline_change``, and the
    matters' lawyers are notified; one audit row per matter says what moved and why. Returns the
    ids of the deadlines that moved. Safe to run twice: the second run moves nothing."""
    rows = db.session.execute(
        select(Deadline.id, Deadline.due_on, Deadline.rule_id, Deadline.matter_id,
               MatterEvent.kind, MatterEvent.occurred_on, LegalMatter.jurisdiction, LegalMatter.forum)
        .join(MatterEvent, MatterEvent.id == Deadline.event_id)
        .join(LegalMatter, LegalMatter.id == Deadline.matter_id)
        .where(Deadline.status == "open", Deadline.set_by_hand.is_(False),
               Deadline.rule_id.is_not(None), *where)).all()
    if not rows:
        return []
    rules = {r.id: r for r in db.session.scalars(
        select(DeadlineRule).where(DeadlineRule.id.in_({row.rule_id for row in rows})))}
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
            history.append({"deadline_id": row.id, "old_due_on": row.due_on, "new_due_on": due,
                            "reason": reason[:300], "actor_id": actor_id, "at": now})
            moved[row.matter_id].append({"id": row.id, "from": row.due_on.isoformat(),
                                         "to": due.isoformat()})
    if updates:
        db.session.execute(update(Deadline), updates)
        touch(db.session, "deadline", [u["id"] for u in updates])   # their reminders move too
        db.session.execute(insert(DeadlineChange), history)
        lawyers = db.session.execute(select(MatterLawyer.matter_id, MatterLawyer.member_id).where(
            MatterLawyer.matter_id.in_(list(moved)))).all()
        notices = [{"member_id": member_id, "kind": "deadline_moved", "matter_id": matter_id,
                    "deadline_id": item["id"], "created_at": now}
                   for matter_id, member_id in lawyers for item in moved[matter_id]]
        if notices:
            db.session.execute(insert(notes.Notification), notices)
        matters = {m.id: m for m in db.session.scalars(
            select(LegalMatter).where(LegalMatter.id.in_(list(moved))))}
        for matter_id, items in moved.items():
            record(actor, "deadline.moved", matters[matter_id],
                   detail={"reason": reason, "deadlines": items})
        for obj in list(db.session.identity_map.values()):
            if isinstance(obj, Deadline):
                db.session.expire(obj)
    db.session.flush()
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
    existing = db.session.scalars(select(ClosureDay).where(
        ClosureDay.jurisdiction == c.clean["jurisdiction"], ClosureDay.court == (c.clean["court"] or ""),
        ClosureDay.day == c.clean["day"])).first()
    if existing is not None:
        raise ValidationError("Exists.", {"day": [str(_l("This day is already corrected; remove it first."))]})
    closure = ClosureDay(jurisdiction=c.clean["jurisdiction"], court=c.clean["court"] or "",
                         day=c.clean["day"], action=c.clean["action"] or "closed",
                         reason=c.clean["reason"], created_by_id=actor.id)
    db.session.add(closure)
    db.session.flush()
    record(actor, "calendar.add", closure, detail={k: v for k, v in c.clean.items()})
    moved = recompute(f"court calendar: {closure.day.isoformat()} {closure.action} ({closure.reason})",
                      actor, LegalMatter.jurisdiction == closure.jurisdiction)
    return closure, moved


def remove_closure(actor, closure: ClosureDay) -> list[Deadline]:
    require_admin(actor)
    jurisdiction, day, reason = closure.jurisdiction, closure.day, closure.reason
    record(actor, "calendar.remove", closure, detail={"jurisdiction": jurisdiction, "day": day,
                                                      "reason": reason})
    db.session.delete(closure)
    db.session.flush()
    return recompute(f"court calendar: correction of {day.isoformat()} removed", actor,
                     LegalMatter.jurisdiction == jurisdiction)


def check_rule(data: dict, partial: bool = False) -> dict:
    c = Checker(data)
    fields = data if partial else {**{k: None for k in ("title", "citation", "amount", "unit", "roll",
                                                        "confidence", "trigger", "jurisdiction")}, **data}
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
        rule = DeadlineRule(code=code or f"{clean['jurisdiction']}-X{count + 1}",
                            pack=f"{clean['jurisdiction']}-local", version=1, **clean)
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
    db.session.execute(update(Deadline).where(Deadline.rule_id == rule.id, Deadline.status == "open")
                       .values(title=rule.title, citation=rule.citation, verified=rule.verified)
                       .execution_options(synchronize_session=False))
    moved = recompute(f"rule {rule.code} changed (version {rule.version})", actor,
                      Deadline.rule_id == rule.id)
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
    record(actor, "deadline.done", deadline, detail={"matter_id": deadline.matter_id,
                                                     "due_on": deadline.due_on})
    return deadline


def mark_missed() -> int:
    """Open deadlines whose last day has passed in their court's calendar become missed.
    Idempotent."""
    overdue = []
    for jurisdiction in JURISDICTIONS:
        overdue += db.session.scalars(select(Deadline).join(
            LegalMatter, LegalMatter.id == Deadline.matter_id).where(
            LegalMatter.jurisdiction == jurisdiction, Deadline.status == "open",
            Deadline.due_on < clock.court_today(jurisdiction))).all()
    for deadline in overdue:
        deadline.status = "missed"
        record(None, "deadline.missed", deadline, detail={"matter_id": deadline.matter_id,
                                                          "due_on": deadline.due_on})
    db.session.flush()
    return len(overdue)


def matter_deadlines(matter: LegalMatter):
    return db.session.scalars(select(Deadline).where(Deadline.matter_id == matter.id)
                              .options(joinedload(Deadline.event), joinedload(Deadline.rule))
                              .order_by(Deadline.due_on)).all()


def my_agenda(user, days: int = 90):
    """The user's upcoming hearings and open deadlines, on the matters they may see."""
    visible = select(LegalMatter.id).where(policy.matter_filter(user))
    deadlines = db.session.scalars(
        select(Deadline).where(Deadline.matter_id.in_(visible), Deadline.status == "open")
        .options(joinedload(Deadline.matter), joinedload(Deadline.event))
        .order_by(Deadline.due_on).limit(200)).all()
    start = clock.start_of(clock.today(user.mdt), user.mdt)
    hearings = db.session.scalars(
        select(Hearing).where(Hearing.matter_id.in_(visible), Hearing.starts_at >= start,
                              Hearing.status == "scheduled")
        .options(joinedload(Hearing.matter)).order_by(Hearing.starts_at).limit(200)).all()
    return deadlines, hearings


def matters_of_case(user, case: Case):
    """The legal matters in which this case is a claimant, as far as the user may see them."""
    return db.session.scalars(
        select(LegalMatter).join(Claimant, Claimant.matter_id == LegalMatter.id)
        .where(Claimant.case_id == case.id, policy.matter_filter(user))
        .order_by(LegalMatter.updated_at.desc())).all()


def matters_naming(user, intermediary_id: int):
    """Matters with this respondent: the ones the user may see, and how many in all."""
    base = select(LegalMatter).join(MatterRespondent, MatterRespondent.matter_id == LegalMatter.id)\
        .where(MatterRespondent.intermediary_id == intermediary_id, LegalMatter.mdt_id == user.mdt_id)
    visible = db.session.scalars(base.where(policy.matter_filter(user)).order_by(LegalMatter.title)).all()
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    return visible, total


def update_support(actor, hearing: Hearing, data: dict) -> dict:
    """Court support for a hearing: who handles transport, lodging, interpreter and witness
    preparation, what is done, and which claimants attend."""
    from mdt.legal.models import HearingAttendance

    matter = hearing.matter
    if not policy.can(actor, "matter.edit", matter):
        raise Forbidden("Only the matter's lawyers can change it.")
    members = {m.id for m in db.session.scalars(select(Member).where(Member.mdt_id == matter.mdt_id))}
    claimant_ids = {cl.id for cl in matter.claimants}
    errors = {}
    lines = {s.id: s for s in hearing.support}
    changed = {}
    for item in data.get("support") or []:
        line = lines.get(item.get("id"))
        if line is None:
            errors.setdefault("support", [str(_l("Choose from the list."))])
            continue
        owner = item.get("owner_id")
        owner = int(owner) if owner not in (None, "") and str(owner).isdigit() else None
        if owner is not None and owner not in members:
            errors.setdefault("support", [str(_l("No such member in this MDT."))])
            continue
        done = bool(item.get("done"))
        if (line.owner_id, line.done) != (owner, done):
            changed[f"{line.kind}"] = [[line.owner_id, line.done], [owner, done]]
            line.owner_id, line.done = owner, done
    attending = data.get("attending")
    if attending is not None:
        wanted = {int(x) for x in attending if str(x).isdigit()} & claimant_ids
        current = set(db.session.scalars(select(HearingAttendance.claimant_id).where(
            HearingAttendance.hearing_id == hearing.id)))
        for claimant_id in wanted - current:
            db.session.add(HearingAttendance(hearing_id=hearing.id, claimant_id=claimant_id))
        for claimant_id in current - wanted:
            db.session.delete(db.session.get(HearingAttendance, (hearing.id, claimant_id)))
        if wanted != current:
            changed["attending"] = [sorted(current), sorted(wanted)]
    if errors:
        raise ValidationError("Some fields are not valid.", errors)
    if changed:
        db.session.flush()
        record(actor, "hearing.support", hearing, detail={"matter_id": matter.id, "changes": changed})
    return changed


def attendance(hearing_ids) -> dict[int, set[int]]:
    from mdt.legal.models import HearingAttendance

    out: dict[int, set[int]] = defaultdict(set)
    if hearing_ids:
        for hid, cid in db.session.execute(select(HearingAttendance.hearing_id, HearingAttendance.claimant_id)
                                           .where(HearingAttendance.hearing_id.in_(list(hearing_ids)))):
            out[hid].add(cid)
    return out
