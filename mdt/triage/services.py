"""The triage queue. Complaints come from the public form (no account: a tracking code and a
phrase let the person check the status, nothing more); intakes and visit reports come from
village volunteers. A coordinator accepts an item as a new case, merges it into an existing one,
or declines it with a reason. The caller commits."""

from __future__ import annotations

import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from mdt import clock, policy
from mdt.audit.services import _plain, record
from mdt.auth.state import state
from mdt.cases import services as cases
from mdt.cases.models import Case, Intermediary
from mdt.cases.schemas import CaseCreateSchema
from mdt.directory.models import Mdt, Member
from mdt.errors import Forbidden, NotFound, ServiceError, ValidationError, WorkflowError
from mdt.extensions import db
from mdt.notifications.services import coordinators, notify
from mdt.schema import load, record_id, refuse
from mdt.triage.models import TriageItem
from mdt.triage.schemas import AcceptSchema, ComplaintSchema, DeclineSchema, MergeSchema
from mdt.visits import services as visits
from mdt.visits.schemas import VisitSchema

# Tracking codes: no 0/O, 1/I/L, easy to read out on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PHRASE_METHOD = "pbkdf2:sha256:100000"
DUMMY_HASH = (
    "pbkdf2:sha256:100000$RKQNo8b7bWjxScC9$8e9617199d56187cfcb9fa47433c213279d50d957755cfe3e2de94b154cfdb89"
)
WINDOW = 3600


class TooMany(ServiceError):
    status = 429
    title = "Too many requests"


def _limit(kind: str, address: str, limit_key: str) -> None:
    if state().incr(f"{kind}:address:{address}", WINDOW) > int(current_app.config[limit_key]):
        raise TooMany("Too many from this address: try again in an hour.")


def _code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def _phrase() -> str:
    """Two groups of four digits: read and typed alike in every script."""
    return f"{secrets.randbelow(10_000):04d} {secrets.randbelow(10_000):04d}"


def _tidy_code(code: str) -> str:
    raw = "".join(c for c in (code or "").upper() if c.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


def _tidy_phrase(phrase: str) -> str:
    digits = "".join(c for c in (phrase or "") if c.isdigit())
    return f"{digits[:4]} {digits[4:]}" if len(digits) == 8 else (phrase or "").strip()


# ---------------------------------------------------------------- the public form


def public_agencies() -> list[Intermediary]:
    """The registered recruitment agencies a complaint may name (a licence number on record)."""
    return list(
        db.session.scalars(
            select(Intermediary)
            .where(
                Intermediary.kind == "recruitment_agency",
                Intermediary.licence_no.is_not(None),
                Intermediary.merged_into_id.is_(None),
            )
            .order_by(Intermediary.name)
        )
    )


def teams() -> list[Mdt]:
    return list(db.session.scalars(select(Mdt).order_by(Mdt.name)))


def complain(data: dict, address: str) -> tuple[TriageItem | None, str, str]:
    """Receive a complaint: its item (None when the form's hidden trap field was filled: a robot
    gets the same answer and nothing is kept), the tracking code and the phrase."""
    _limit("complaint", address, "MDT_COMPLAINT_LIMIT")
    return receive(data)


def receive(data: dict) -> tuple[TriageItem | None, str, str]:
    """A complaint past the rate limit (``complain``), or one typed in from a call or a letter."""
    data = dict(data or {})
    trap = data.pop("website", None)
    clean = load(ComplaintSchema, data)
    code, phrase = _code(), _phrase()
    if trap:
        return None, code, phrase
    all_teams = teams()
    chosen = clean.pop("mdt_id", None)
    mdt = next((t for t in all_teams if t.id == chosen), None)
    if mdt is None:
        if len(all_teams) != 1:
            refuse("mdt_id", _l("Choose the province where it happened, or the nearest."))
        mdt = all_teams[0]
    agency_id = clean.pop("agency_id", None)
    agency = next((a for a in public_agencies() if a.id == agency_id), None) if agency_id else None
    if agency_id and agency is None:
        refuse("agency_id", _l("Choose from the list, or type the name."))
    item = TriageItem(
        mdt_id=mdt.id,
        kind="complaint",
        data=_plain(clean),
        tracking_code=_code_unused(code),
        phrase_hash=generate_password_hash(phrase, method=PHRASE_METHOD),
        language=clean.get("language"),
        intermediary_id=agency.id if agency else None,
    )
    db.session.add(item)
    db.session.flush()
    record(None, "triage.complaint", item, detail={"intermediary_id": item.intermediary_id})
    notify(coordinators(mdt.id), "triage_new")
    return item, item.tracking_code or code, phrase


def _code_unused(code: str) -> str:
    while db.session.scalar(select(TriageItem.id).where(TriageItem.tracking_code == code)):
        code = _code()
    return code


def complaint_status(code: str, phrase: str, address: str) -> str | None:
    """The complaint's public status, or None when the code and phrase do not match (the same
    answer whether the code exists or not)."""
    _limit("complaint-status", address, "MDT_STATUS_CHECK_LIMIT")
    item = db.session.scalar(
        select(TriageItem).where(TriageItem.tracking_code == _tidy_code(code), TriageItem.kind == "complaint")
    )
    stored = item.phrase_hash if item is not None and item.phrase_hash else _dummy_hash()
    if not check_password_hash(stored, _tidy_phrase(phrase)) or item is None:
        return None
    return item.public_status


def _dummy_hash() -> str:
    """Checked when the code is unknown, so that the answer takes as long as for a known code: a
    hash of a random phrase nobody kept (made once with ``PHRASE_METHOD``)."""
    return DUMMY_HASH


# ---------------------------------------------------------------- volunteers' submissions


def submit(actor: Member, kind: str, data: dict) -> TriageItem:
    """An intake (the fields of a new case) or a visit report (about an intake the same member
    sent: ``intake_id``) for the queue."""
    if not policy.can(actor, "triage.submit"):
        raise Forbidden("You cannot send submissions.")
    data = dict(data or {})
    parent = None
    if kind == "visit":
        parent_id = data.pop("intake_id", None) or data.pop("parent_id", None)
        ident = record_id(parent_id)
        parent = db.session.get(TriageItem, ident) if ident is not None else None
        if parent is None or parent.kind != "intake" or not policy.can(actor, "triage.own", parent):
            refuse("intake_id", _l("Choose one of the people you sent."))
        data.pop("case_id", None)
        clean = load(VisitSchema, data, today=clock.today(actor.mdt))
    elif kind == "intake":
        # Only the person confirms to a member that a phone reaches them alone.
        if isinstance(data.get("person"), dict):
            data["person"] = {k: v for k, v in data["person"].items() if k != "contact_safe"}
        clean = load(
            CaseCreateSchema,
            data,
            today=clock.today(actor.mdt),
            mdt_id=actor.mdt_id,
            currency=actor.mdt.currency,
        )
        if clean.get("person_id") or clean.get("lead_agency_id"):
            refuse("person_id", _l("A submission names no existing person or agency."))
        data.pop("person_id", None)
    else:
        raise ValidationError("Unknown kind.", {"kind": ["Unknown kind."]})
    item = TriageItem(
        mdt_id=actor.mdt_id,
        kind=kind,
        data=_stored(kind, clean),
        submitted_by_id=actor.id,
        parent_id=parent.id if parent else None,
    )
    db.session.add(item)
    db.session.flush()
    record(actor, f"triage.{kind}", item, detail={"fields": sorted(clean)})
    notify(coordinators(actor.mdt_id), "triage_new")
    return item


def _stored(kind: str, clean: dict) -> dict:
    """What the schema loaded, as JSON, in the shape the case or visit services take again."""
    data = _plain(clean)
    for episode in data.get("episodes") or []:
        episode["intermediaries"] = [
            {k: v for k, v in link.items() if k in ("name", "kind", "country")}
            for link in episode.get("intermediaries") or []
        ]
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def mine(actor: Member, limit: int = 100) -> list[TriageItem]:
    return list(
        db.session.scalars(
            select(TriageItem)
            .where(TriageItem.submitted_by_id == actor.id, TriageItem.mdt_id == actor.mdt_id)
            .order_by(TriageItem.created_at.desc(), TriageItem.id.desc())
            .limit(limit)
        )
    )


# ---------------------------------------------------------------- the coordinators' queue


def queue(user, status: str = "open", limit: int = 200) -> list[TriageItem]:
    if not policy.can(user, "triage.view"):
        raise Forbidden("The triage queue is for coordinators.")
    stmt = select(TriageItem).where(TriageItem.mdt_id == user.mdt_id)
    if status == "open":
        stmt = stmt.where(TriageItem.status.in_(("received", "reviewing")))
    else:
        stmt = stmt.where(TriageItem.status == status)
    stmt = stmt.options(joinedload(TriageItem.submitted_by), joinedload(TriageItem.intermediary))
    return list(db.session.scalars(stmt.order_by(TriageItem.created_at, TriageItem.id).limit(limit)))


def as_seen(user, item: TriageItem) -> dict:
    """The item for the API: its content only where ``triage.content`` opens it."""
    fields = ("id", "kind", "status", "created_at", "submitted_by", "parent_id", "intermediary_id", "case_id")
    seen = {name: getattr(item, name) for name in fields}
    if policy.can(user, "triage.content", item):
        seen.update(data=item.data, decline_reason=item.decline_reason, language=item.language)
    return seen


def count_open(user) -> int:
    if not policy.can(user, "triage.view"):
        return 0
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(TriageItem)
            .where(TriageItem.mdt_id == user.mdt_id, TriageItem.status.in_(("received", "reviewing")))
        )
        or 0
    )


def get(user, item_id: int) -> TriageItem:
    item = db.session.get(TriageItem, item_id)
    if item is None or not policy.can(user, "triage.view", item):
        raise NotFound("No such item.")
    return item


def look_at(actor: Member, item: TriageItem) -> None:
    """A coordinator opened it: the person who complained sees "being looked at"."""
    if item.status == "received" and policy.can(actor, "triage.decide", item):
        item.status = "reviewing"
        record(actor, "triage.review", item)


def _decided(actor: Member, item: TriageItem, status: str, case: Case | None = None) -> None:
    item.status = status
    item.decided_by_id = actor.id
    item.decided_at = clock.now()
    if case is not None:
        item.case_id = case.id
    db.session.flush()
    record(actor, f"triage.{status}", item, case=case)


def _decidable(actor: Member, item: TriageItem) -> None:
    if not policy.can(actor, "triage.decide", item):
        raise WorkflowError("This item is already decided.")


def accept(actor: Member, item: TriageItem, data: dict | None = None) -> Case | object:
    """Accept as a new case (an intake or a complaint), or a visit report into its intake's case."""
    _decidable(actor, item)
    if item.kind == "visit":
        parent = item.parent
        if parent is None or parent.case_id is None:
            raise WorkflowError("Accept the person's intake first: the visit goes to that case.")
        case = cases.get_case(actor, parent.case_id, "visit.add")
        visit = visits.add_visit(actor, case, {k: v for k, v in item.data.items() if k != "case_id"})
        _decided(actor, item, "accepted", case)
        return visit
    if item.kind == "intake":
        body = dict(item.data)
        body.setdefault("source", "watchdog")
    else:
        extra = load(AcceptSchema, data or {})
        body = {
            "person": {
                "given_name": extra.get("given_name") or "",
                "family_name": extra.get("family_name") or "",
                "sex": extra.get("sex") or "",
            },
            "source": "self",
            "summary": item.data.get("what_happened"),
        }
    case = cases.create_case(actor, body)
    _decided(actor, item, "accepted", case)
    return case


def _as_note(item: TriageItem) -> str:
    lines = [f"{k}: {v}" for k, v in sorted(item.data.items()) if v not in (None, "", [], {})]
    return "\n".join(lines)


def merge(actor: Member, item: TriageItem, data: dict) -> Case:
    """What the item says goes on an existing case (the same person) as a note."""
    _decidable(actor, item)
    reference = load(MergeSchema, data)["reference"].strip().upper()
    case_id = db.session.scalar(
        select(Case.id).where(Case.mdt_id == actor.mdt_id, Case.reference == reference)
    )
    if case_id is None:
        refuse("reference", _l("No case with this reference that you may add notes to."))
    try:
        case = cases.get_case(actor, case_id, "case.note")
    except (NotFound, Forbidden):
        refuse("reference", _l("No case with this reference that you may add notes to."))
    cases.add_note(actor, case, _as_note(item))
    _decided(actor, item, "merged", case)
    return case


def decline(actor: Member, item: TriageItem, data: dict) -> None:
    _decidable(actor, item)
    item.decline_reason = load(DeclineSchema, data)["reason"]
    _decided(actor, item, "declined")
