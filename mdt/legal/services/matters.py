"""Legal matters and their claimants: opening a matter, lawyers, linked tracks, amounts and debt
relief, and what a member may see. Services flush; the caller commits once; every change writes
an audit row in the same transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from mdt import clock, consent, policy
from mdt.audit.services import changes, record
from mdt.cases.models import Case
from mdt.cases.services import intermediary_for
from mdt.errors import Forbidden, NotFound, ValidationError, WorkflowError
from mdt.extensions import db
from mdt.legal.models import (
    Claimant,
    Deadline,
    Hearing,
    LegalMatter,
    MatterLawyer,
    MatterLink,
    MatterRespondent,
)
from mdt.legal.schemas import (
    COURT_CURRENCY,
    ClaimantChangeSchema,
    MatterCreateSchema,
    MatterUpdateSchema,
    NewClaimantSchema,
)
from mdt.legal.signals import matter_changed
from mdt.schema import check, load
from mdt.signals import send

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
    audit_read(user, matter)
    return matter


def audit_read(user, matter: LegalMatter, claimants: list[Claimant] | None = None) -> None:
    """Audit a read of the matter (or of some of its claimants): the cases whose claimant the
    user sees."""
    shown = [
        cl.case_id
        for cl in (matter.claimants if claimants is None else claimants)
        if policy.can(user, "case.view", cl.case)
    ]
    record(user, "matter.read", matter, detail={"case_ids": shown})


def _require_creator(user) -> None:
    if not policy.can(user, "matter.create"):
        raise Forbidden("Lawyers and coordinators open legal matters.")


def _claimants_errors(actor, claimants: list[dict], prefix: str, taken: set[int]) -> dict:
    """Each case a claimant only once (the schema already refused cases the actor may not read)."""
    errors: dict[str, list] = {}
    for i, claimant in enumerate(claimants):
        case = claimant["case_id"]
        field = f"{prefix}[{i}].case_id" if prefix else "case_id"
        if case.id in taken:
            errors[field] = [_l("This case is already a claimant.")]
        taken.add(case.id)
    return errors


def visible(user, matter: LegalMatter) -> dict:
    """What ``user`` may see of ``matter``, as the API answers it (``MatterSchema``): the
    claimants on cases they may read and a count of the others; totals over all of them."""
    shown = [cl for cl in matter.claimants if policy.can(user, "case.view", cl.case)]
    return {
        "id": matter.id,
        "kind": matter.kind,
        "jurisdiction": matter.jurisdiction,
        "title": matter.title,
        "forum": matter.forum,
        "docket_no": matter.docket_no,
        "stage": matter.stage,
        "lawyer_ids": [link.member_id for link in matter.lawyers],
        "supervising_lawyer_id": matter.supervising_lawyer_id,
        "respondents": [r.intermediary for r in matter.respondents],
        "claimants": shown,
        "claimants_total": len(matter.claimants),
        "claimants_hidden": len(matter.claimants) - len(shown),
        "claimants_active": sum(1 for cl in matter.claimants if cl.status == "active"),
        "totals": totals(matter),
        "linked_matter_ids": linked_ids(matter),
        "created_at": matter.created_at,
        "updated_at": matter.updated_at,
    }


def create_matter(actor, data: dict) -> LegalMatter:
    _require_creator(actor)
    raw = data.get("jurisdiction") if isinstance(data, Mapping) else None
    currency = COURT_CURRENCY.get(raw.strip() if isinstance(raw, str) else "", actor.mdt.currency)
    clean = load(
        MatterCreateSchema,
        data,
        mdt_id=actor.mdt_id,
        currency=currency,
        case_visible=lambda case: policy.can(actor, "case.view", case),
    )
    check(_claimants_errors(actor, clean["claimants"], "claimants", set()))
    for claimant in clean["claimants"]:
        consent.require_legal_action(claimant["case_id"])
    matter = LegalMatter(
        mdt_id=actor.mdt_id,
        kind=clean["kind"],
        jurisdiction=clean["jurisdiction"],
        title=clean["title"],
        forum=clean.get("forum"),
        docket_no=clean.get("docket_no"),
        stage=clean["stage"],
        created_by_id=actor.id,
    )
    db.session.add(matter)
    lawyers = list(dict.fromkeys(clean["lawyer_ids"]))  # in order, each once
    if actor.has_role("lawyer") and actor not in lawyers:
        lawyers.insert(0, actor)
    for member in lawyers:
        matter.lawyers.append(MatterLawyer(member_id=member.id))
    named: set[int] = set()
    for respondent in clean["respondents"]:
        intermediary = intermediary_for(actor.mdt_id, respondent["name"], respondent["kind"], None)
        if intermediary.id not in named:
            named.add(intermediary.id)
            matter.respondents.append(MatterRespondent(intermediary_id=intermediary.id))
    for claimant in clean["claimants"]:
        matter.claimants.append(
            Claimant(
                case_id=claimant["case_id"].id,
                currency=claimant["currency"],
                amount_claimed=claimant.get("amount_claimed"),
            )
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
    clean = load(MatterUpdateSchema, data, partial=True, mdt_id=matter.mdt_id)
    errors: dict[str, list] = {}
    if "supervising_lawyer_id" in clean:
        supervisor = clean["supervising_lawyer_id"]
        if supervisor is not None and not supervisor.has_role("lawyer"):
            errors["supervising_lawyer_id"] = [_l("Choose a lawyer of this MDT.")]
        clean["supervising_lawyer_id"] = getattr(supervisor, "id", None)
    links = clean.pop("linked_matter_ids", None)
    if links is not None and any(other.id == matter.id for other in links):
        errors["linked_matter_ids"] = [_l("No such legal matter in this MDT.")]
    check(errors)
    changed = changes(matter, clean)
    if links is not None:
        old = set(linked_ids(matter))
        new = {other.id for other in links}
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
    clean = load(
        NewClaimantSchema,
        data,
        mdt_id=matter.mdt_id,
        currency=COURT_CURRENCY[matter.jurisdiction],
        case_visible=lambda case: policy.can(actor, "case.view", case),
    )
    case = clean["case_id"]
    check(_claimants_errors(actor, [clean], "", set()))
    if any(cl.case_id == case.id for cl in matter.claimants):
        raise WorkflowError(str(_l("This case is already a claimant.")))
    consent.require_legal_action(case)
    claimant = Claimant(
        case_id=case.id, currency=clean["currency"], amount_claimed=clean.get("amount_claimed")
    )
    matter.claimants.append(claimant)
    db.session.flush()
    record(actor, "matter.claimant_add", claimant, case=case, detail={"matter_id": matter.id})
    send(matter_changed, [matter.id])  # the person's own court-date reminders
    return claimant


def update_claimant(actor, matter: LegalMatter, claimant: Claimant, data: dict) -> dict:
    if not policy.can(actor, "matter.edit", matter):
        raise Forbidden("Only the matter's lawyers can change it.")
    clean = load(ClaimantChangeSchema, data, partial=True, currency=claimant.currency)
    changed = changes(claimant, clean)
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


def update_claimants(actor, matter: LegalMatter, rows: dict[int, dict]) -> int:
    """Several claimants in one save (the claimants table): every row is checked, the messages
    keyed ``<claimant id>.<field>``; nothing is saved unless every row is right (the request
    rolls back). Returns how many claimants changed."""
    if not policy.can(actor, "matter.edit", matter):
        raise Forbidden("Only the matter's lawyers can change it.")
    shown = {c.id: c for c in matter.claimants if policy.can(actor, "case.view", c.case)}
    errors: dict[str, list[str]] = {}
    changed = 0
    for claimant_id, data in rows.items():
        claimant = shown.get(claimant_id)
        if claimant is None:
            errors[f"{claimant_id}._"] = [str(_l("No such claimant."))]
            continue
        try:
            changed += bool(update_claimant(actor, matter, claimant, data))
        except ValidationError as exc:
            errors.update({f"{claimant_id}.{field}": messages for field, messages in exc.errors.items()})
    if errors:
        raise ValidationError("Some rows are not right.", errors)
    return changed


def totals(matter: LegalMatter, claimants: list[Claimant] | None = None) -> dict:
    """Claimed, awarded and received per currency, over ``claimants`` (default: all of them)."""
    out: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {"claimed": Decimal("0.00"), "awarded": Decimal("0.00"), "received": Decimal("0.00")}
    )
    for cl in matter.claimants if claimants is None else claimants:
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
    """The user's upcoming hearings, open deadlines and those missed in the last 30 days (first),
    on the matters they may see."""
    visible = select(LegalMatter.id).where(policy.matter_filter(user))
    today = clock.today(user.mdt)
    deadlines = db.session.scalars(
        select(Deadline)
        .where(
            Deadline.matter_id.in_(visible),
            or_(
                Deadline.status == "open",
                and_(Deadline.status == "missed", Deadline.due_on >= today - timedelta(days=30)),
            ),
        )
        .options(joinedload(Deadline.matter), joinedload(Deadline.event))
        .order_by(Deadline.status != "missed", Deadline.due_on)
        .limit(200)
    ).all()
    start = clock.start_of(today, user.mdt)
    hearings = db.session.scalars(
        select(Hearing)
        .where(Hearing.matter_id.in_(visible), Hearing.starts_at >= start, Hearing.status == "scheduled")
        .options(joinedload(Hearing.matter))
        .order_by(Hearing.starts_at)
        .limit(200)
    ).all()
    return deadlines, hearings


def due_soon(user, days: int = 14, missed_days: int = 30):
    """A lawyer's next ``days`` days on the matters they may see: hearings, and deadlines that
    need a look first (missed in the last ``missed_days`` days, then those counted from a date
    not yet confirmed, then the others by date)."""
    visible = select(LegalMatter.id).where(policy.matter_filter(user))
    today = clock.today(user.mdt)
    horizon = today + timedelta(days=days)
    deadlines = db.session.scalars(
        select(Deadline)
        .where(
            Deadline.matter_id.in_(visible),
            or_(
                and_(Deadline.status == "open", Deadline.due_on <= horizon),
                and_(Deadline.status == "missed", Deadline.due_on >= today - timedelta(days=missed_days)),
            ),
        )
        .options(joinedload(Deadline.matter), joinedload(Deadline.event))
        .order_by(Deadline.due_on)
        .limit(100)
    ).all()
    deadlines = sorted(deadlines, key=lambda d: (d.status != "missed", bool(d.verified), d.due_on))
    hearings = db.session.scalars(
        select(Hearing)
        .where(
            Hearing.matter_id.in_(visible),
            Hearing.status == "scheduled",
            Hearing.starts_at >= clock.start_of(today, user.mdt),
            Hearing.starts_at < clock.start_of(horizon + timedelta(days=1), user.mdt),
        )
        .options(joinedload(Hearing.matter))
        .order_by(Hearing.starts_at)
        .limit(100)
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
    """Matters with this respondent that the user may see (how many in all is a figure:
    ``monitoring.figures``, under the small-count rule)."""
    return db.session.scalars(
        select(LegalMatter)
        .join(MatterRespondent, MatterRespondent.matter_id == LegalMatter.id)
        .where(MatterRespondent.intermediary_id == intermediary_id, policy.matter_filter(user))
        .order_by(LegalMatter.title)
    ).all()
