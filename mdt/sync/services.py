"""Offline changes applied once, and never silently over someone else's.

Each change carries an idempotency key (unique per member) and, to change a case, the version it
started from. The key is stored with the answer in the same transaction as the change, so a
second delivery (a batch resent after a lost answer, or sent twice at once from two tabs) finds
it and changes nothing: the database's unique key decides between two at once.

A change to a case made from an older version is compared field by field with what changed since
(``CaseRevision``): fields nobody else touched are applied; a field changed meanwhile to another
value is held as a ``SyncConflict`` (both values kept) for the member or a coordinator to settle
side by side. Nothing is overwritten by whoever syncs last.

A change the member may no longer make (a case they can no longer see, bad fields, a version the
server never had) is refused with a message and not recorded, so the device keeps it and can send
it again once it is mended."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mdt import clock, policy
from mdt.audit.services import _plain, record
from mdt.cases import services as cases
from mdt.cases.models import Case, CaseRevision
from mdt.cases.schemas import CaseUpdateSchema
from mdt.directory.models import Agency, Member
from mdt.errors import Forbidden, NotFound, ServiceError, ValidationError
from mdt.extensions import db
from mdt.notifications.services import notify
from mdt.policy.registry import volunteer
from mdt.schema import load, record_id
from mdt.sync.models import SyncChange, SyncConflict
from mdt.sync.schemas import ResolveSchema, SyncSchema
from mdt.triage import services as triage
from mdt.visits import services as visits

GONE = _l("You can no longer see this case: the change stays on this device. Ask the coordinator.")
NOT_YOURS = _l("You cannot make this change on this case: it stays on this device.")
FUTURE = _l("This device says it saw a version of the case the server never had: open the case again.")
NO_BASE = _l("Say which version of the case the change started from.")
INVALID = _l("Some fields are not valid: mend them on this device and send again.")


class Refused(Exception):
    def __init__(self, message, errors: dict | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.errors = errors or {}


def apply_batch(actor: Member, data: dict) -> list[dict]:
    if not policy.can(actor, "sync.use"):
        raise Forbidden("This account does not send changes.")
    changes = load(SyncSchema, data)["changes"]
    return [_one(actor, change) for change in changes]


def _prior(actor: Member, key: str) -> SyncChange | None:
    return db.session.scalar(
        select(SyncChange).where(SyncChange.member_id == actor.id, SyncChange.idempotency_key == key)
    )


def _duplicate(key: str, prior: SyncChange) -> dict:
    return {**prior.result, "idempotency_key": key, "status": "duplicate"}


def _one(actor: Member, change: dict) -> dict:
    key = change["idempotency_key"]
    prior = _prior(actor, key)
    if prior is not None:
        return _duplicate(key, prior)
    savepoint = db.session.begin_nested()
    try:
        row = SyncChange(
            member_id=actor.id, idempotency_key=key, entity=change["entity"], received_at=clock.now()
        )
        db.session.add(row)
        db.session.flush()  # the same key sent twice at once: the second waits here, then fails
    except IntegrityError:
        savepoint.rollback()
        prior = _prior(actor, key)
        if prior is None:
            raise
        return _duplicate(key, prior)
    try:
        result = _apply(actor, change, row)
    except Refused as exc:
        savepoint.rollback()
        answer = {"idempotency_key": key, "status": "refused", "id": change.get("id"), "message": exc.message}
        return answer | ({"errors": exc.errors} if exc.errors else {})
    row.record_id = result.get("id")
    row.result = _plain(result)
    db.session.flush()
    savepoint.commit()
    return {"idempotency_key": key, **result}


def _apply(actor: Member, change: dict, row: SyncChange) -> dict:
    entity, values = change["entity"], dict(change["values"])
    try:
        if entity == "intake" or (entity == "case" and volunteer(actor) and not change.get("id")):
            item = triage.submit(actor, "intake", values)
            return {"status": "applied", "id": item.id, "version": 1}
        if entity == "visit" and volunteer(actor):
            item = triage.submit(actor, "visit", values)
            return {"status": "applied", "id": item.id, "version": 1}
        if entity == "case" and not change.get("id"):
            case = cases.create_case(actor, values)
            return {"status": "applied", "id": case.id, "version": case.version}
        if entity == "case":
            return _update(actor, change, values, row)
        case = _case(actor, values.get("case_id"), "visit.add" if entity == "visit" else "case.note")
        if entity == "visit":
            visit = visits.add_visit(actor, case, values)
            return {"status": "applied", "id": visit.id, "version": 1}
        note = cases.add_note(actor, case, values.get("body") or "")
        return {"status": "applied", "id": note.id, "version": 1}
    except ValidationError as exc:
        raise Refused(INVALID, exc.errors) from None
    except (Forbidden, NotFound) as exc:
        raise Refused(NOT_YOURS if isinstance(exc, Forbidden) else GONE) from None
    except ServiceError as exc:
        raise Refused(exc.detail or INVALID, exc.errors) from None


def _case(actor: Member, case_id, action: str) -> Case:
    ident = record_id(case_id)
    case = db.session.get(Case, ident) if ident is not None else None
    if case is None or not policy.can(actor, "case.view", case):
        raise Refused(GONE)
    if not policy.can(actor, action, case):
        raise Refused(NOT_YOURS)
    return case


def _flat(clean: dict) -> dict:
    """``{"person": {"phone": x}, "summary": y}`` -> ``{"person.phone": x, "summary": y}``."""
    flat = {}
    for key, value in clean.items():
        if key == "person":
            flat.update({f"person.{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    return flat


def _plain_value(value):
    return value.id if isinstance(value, Agency) else _plain(value)


def server_value(case: Case, field: str):
    if field.startswith("person."):
        return _plain(getattr(case.person, field.split(".", 1)[1]))
    return _plain(getattr(case, field))


def _raw_key(key: str) -> str:
    return "home_village" if key == "home_area" else key


def _only(values: dict, fields: set[str]) -> dict:
    """The raw change cut down to ``fields`` (flat names)."""
    kept = {}
    for key, value in values.items():
        if key == "person" and isinstance(value, dict):
            person = {k: v for k, v in value.items() if f"person.{_raw_key(k)}" in fields}
            if person:
                kept["person"] = person
        elif key in fields:
            kept[key] = value
    return kept


def _raw_of(values: dict, field: str):
    if field.startswith("person."):
        person = values.get("person") or {}
        name = field.split(".", 1)[1]
        return person.get(name, person.get("home_area")) if name == "home_village" else person.get(name)
    return values.get(field)


def _update(actor: Member, change: dict, values: dict, row: SyncChange) -> dict:
    case = _case(actor, change.get("id"), "case.edit")
    base = change.get("base_version")
    if base is None:
        raise Refused(NO_BASE, {"base_version": [str(NO_BASE)]})
    cases.lock(case)
    if base > case.version:
        raise Refused(FUTURE, {"base_version": [str(FUTURE)]})
    clean = load(
        CaseUpdateSchema,
        values,
        partial=True,
        today=clock.today(case.mdt),
        mdt_id=case.mdt_id,
        currency=case.mdt.currency,
    )
    mine = {k: _plain_value(v) for k, v in _flat(clean).items()}
    since: set[str] = set()
    for fields in db.session.scalars(
        select(CaseRevision.fields).where(CaseRevision.case_id == case.id, CaseRevision.version > base)
    ):
        since.update(fields)
    clashing = {f for f, v in mine.items() if f in since and server_value(case, f) != v}
    cases.update_case(actor, case, _only(values, set(mine) - clashing))
    conflicts = []
    for field in sorted(clashing):
        conflict = SyncConflict(
            case_id=case.id,
            member_id=actor.id,
            change_id=row.id,
            field=field,
            server={"value": server_value(case, field)},
            yours={"value": _raw_of(values, field)},
            base_version=base,
        )
        db.session.add(conflict)
        conflicts.append(conflict)
    if not conflicts:
        return {"status": "applied", "id": case.id, "version": case.version}
    db.session.flush()
    record(actor, "sync.conflict", case, case=case, detail={"fields": sorted(clashing), "base_version": base})
    notify([actor.id], "sync_conflict", case_id=case.id)
    return {
        "status": "conflict",
        "id": case.id,
        "version": case.version,
        "conflicts": [
            {"id": c.id, "field": c.field, "server": c.server["value"], "yours": c.yours["value"]}
            for c in conflicts
        ],
    }


# ---------------------------------------------------------------- settling a clash


def open_conflicts(user, case: Case) -> list[SyncConflict]:
    if not policy.can(user, "case.edit", case):
        return []
    rows = db.session.scalars(
        select(SyncConflict)
        .where(SyncConflict.case_id == case.id, SyncConflict.resolved_at.is_(None))
        .order_by(SyncConflict.id)
    )
    return [c for c in rows if policy.can(user, "sync.resolve", c)]


def get_conflict(user, conflict_id: int) -> SyncConflict:
    conflict = db.session.get(SyncConflict, conflict_id)
    if conflict is None or not policy.can(user, "case.view", conflict.case):
        raise NotFound("No such conflict.")
    return conflict


def resolve(actor: Member, conflict: SyncConflict, data: dict) -> None:
    """Keep the case's value, or put the device's in its place (checked as any change is)."""
    if not policy.can(actor, "sync.resolve", conflict):
        raise Forbidden("Only the member who sent the change or a coordinator settles it.")
    keep = load(ResolveSchema, data)["keep"]
    case = conflict.case
    if keep == "yours":
        value = conflict.yours["value"]
        if conflict.field.startswith("person."):
            body = {"person": {conflict.field.split(".", 1)[1]: value}}
        else:
            body = {conflict.field: value}
        cases.update_case(actor, case, body)
    conflict.resolution = keep
    conflict.resolved_at = clock.now()
    conflict.resolved_by_id = actor.id
    db.session.flush()
    record(actor, "sync.resolve", case, case=case, detail={"field": conflict.field, "keep": keep})
