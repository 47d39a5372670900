"""Legal matters and their claimants: opening a matter, lawyers, linked tracks, amounts and debt
relief, and what a member may see. Services flush; the caller commits once; every change writes
an audit row in the same transaction."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from mdt import clock, consent, policy
from mdt.audit.services import changes, record
from mdt.cases.models import INTERMEDIARY_KINDS, Case
from mdt.cases.services import intermediary_for
from mdt.directory.models import Member
from mdt.errors import Forbidden, NotFound, WorkflowError
from mdt.extensions import db
from mdt.legal.models import (
    CLAIMANT_STATUSES,
    JURISDICTIONS,
    MATTER_KINDS,
    MATTER_STAGES,
    Claimant,
    Deadline,
    Hearing,
    LegalMatter,
    MatterLawyer,
    MatterLink,
    MatterRespondent,
)
from mdt.legal.signals import matter_changed
from mdt.signals import send
from mdt.validation import Checker

COURT_ZONES = clock.COURT_ZONES


def get_matter(user, matter_id: int, *, edit: bool = False) -> LegalMatter:
    matter = db.session.get(
        LegalMatter,
        matter_id,
        options=[
            selectinload(LegalMatter.lawyers).joinedload(MatterLawyer.member),
            selectinload(LegalMatter.claimants).joinedload(Claimant.case),
            selectinload(LegalMatter.respondents).joinedload(MatterRespondent.intermediary),
        ],
    )
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


def _intermediary(mdt_id: int, raw: dict, c: Checker, i: int):

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
        consent.require_legal_action(case)
    matter = LegalMatter(
        mdt_id=actor.mdt_id,
        kind=c.clean["kind"],
        jurisdiction=c.clean["jurisdiction"],
        title=c.clean["title"],
        forum=c.clean.get("forum"),
        docket_no=c.clean.get("docket_no"),
        stage=c.clean.get("stage") or "fact_finding",
        created_by_id=actor.id,
    )
    db.session.add(matter)
    if actor.has_role("lawyer") and actor not in lawyers:
        lawyers.insert(0, actor)
    for member in lawyers:
        matter.lawyers.append(MatterLawyer(member_id=member.id))
    for intermediary in respondents:
        if intermediary is not None and intermediary.id not in {
            r.intermediary_id for r in matter.respondents
        }:
            matter.respondents.append(MatterRespondent(intermediary_id=intermediary.id))
    for case, clean in claimants:
        matter.claimants.append(
            Claimant(case_id=case.id, currency=clean["currency"], amount_claimed=clean.get("amount_claimed"))
        )
    db.session.flush()
    record(
        actor,
        "matter.create",
        matter,
        detail={
            "kind": matter.kind,
            "jurisdiction": matter.jurisdiction,
            "title": matter.title,
            "claimants": [cl.case_id for cl in matter.claimants],
        },
    )
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
        supervisor = c.pick(
            "supervising_lawyer_id", Member, mdt_id=matter.mdt_id, message=_l("Choose a lawyer of this MDT.")
        )
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
    if changed:
        matter.updated_at = clock.now()
        db.session.flush()
        record(actor, "matter.update", matter, detail={"changes": changed})
    if "supervising_lawyer_id" in changed:
        # Escalations of the matter's open time limits go to the new supervisor.
        send(matter_changed, [matter.id])
    return changed


def linked_ids(matter: LegalMatter) -> list[int]:
    rows = db.session.execute(
        select(MatterLink.low_id, MatterLink.high_id).where(
            or_(MatterLink.low_id == matter.id, MatterLink.high_id == matter.id)
        )
    ).all()
    return sorted(high if low == matter.id else low for low, high in rows)


def add_claimant(actor, matter: LegalMatter, data: dict) -> Claimant:
    if not policy.can(actor, "matter.edit", matter):
        raise Forbidden("Only the matter's lawyers can change it.")
    default = {"TH": "THB", "PH": "PHP"}[matter.jurisdiction]
    c, case = _check_claimant(actor, data, "", default)
    c.raise_if_errors()
    if any(cl.case_id == case.id for cl in matter.claimants):
        raise WorkflowError(str(_l("This case is already a claimant.")))
    consent.require_legal_action(case)
    claimant = Claimant(
        case_id=case.id, currency=c.clean["currency"], amount_claimed=c.clean.get("amount_claimed")
    )
    matter.claimants.append(claimant)
    db.session.flush()
    record(actor, "matter.claimant_add", claimant, case=case, detail={"matter_id": matter.id})
    send(matter_changed, [matter.id])  # the person's own court-date reminders
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
        record(
            actor,
            "matter.claimant_update",
            claimant,
            case=claimant.case,
            detail={"matter_id": matter.id, "changes": changed},
        )
        if "status" in changed:
            send(matter_changed, [matter.id])  # only active claimants are reminded
    return changed


def totals(matter: LegalMatter) -> dict:
    out: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {"claimed": Decimal("0.00"), "awarded": Decimal("0.00"), "received": Decimal("0.00")}
    )
    for cl in matter.claimants:
        t = out[cl.currency]
        t["claimed"] += cl.amount_claimed or 0
        t["awarded"] += cl.amount_awarded or 0
        t["received"] += cl.amount_received or 0
    return {cur: {k: f"{v:.2f}" for k, v in t.items()} for cur, t in sorted(out.items())}


def visible_matters(user, limit: int = 200):
    return db.session.scalars(
        select(LegalMatter)
        .where(policy.matter_filter(user))
        .order_by(LegalMatter.updated_at.desc())
        .limit(limit)
    ).all()


def my_agenda(user, days: int = 90):
    """The user's upcoming hearings and open deadlines, on the matters they may see."""
    visible = select(LegalMatter.id).where(policy.matter_filter(user))
    deadlines = db.session.scalars(
        select(Deadline)
        .where(Deadline.matter_id.in_(visible), Deadline.status == "open")
        .options(joinedload(Deadline.matter), joinedload(Deadline.event))
        .order_by(Deadline.due_on)
        .limit(200)
    ).all()
    start = clock.start_of(clock.today(user.mdt), user.mdt)
    hearings = db.session.scalars(
        select(Hearing)
        .where(Hearing.matter_id.in_(visible), Hearing.starts_at >= start, Hearing.status == "scheduled")
        .options(joinedload(Hearing.matter))
        .order_by(Hearing.starts_at)
        .limit(200)
    ).all()
    return deadlines, hearings


def matters_of_case(user, case: Case):
    """The legal matters in which this case is a claimant, as far as the user may see them."""
    return db.session.scalars(
        select(LegalMatter)
        .join(Claimant, Claimant.matter_id == LegalMatter.id)
        .where(Claimant.case_id == case.id, policy.matter_filter(user))
        .order_by(LegalMatter.updated_at.desc())
    ).all()


def matters_naming(user, intermediary_id: int):
    """Matters with this respondent: the ones the user may see, and how many in all."""
    base = (
        select(LegalMatter)
        .join(MatterRespondent, MatterRespondent.matter_id == LegalMatter.id)
        .where(MatterRespondent.intermediary_id == intermediary_id, LegalMatter.mdt_id == user.mdt_id)
    )
    visible = db.session.scalars(base.where(policy.matter_filter(user)).order_by(LegalMatter.title)).all()
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    return visible, total
