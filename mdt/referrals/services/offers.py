"""The services directory: what each agency offers, where and in which languages ("who can help
with X in district Y"). Services flush; the caller commits."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from mdt import policy
from mdt.audit.services import changes, record
from mdt.directory.models import Agency
from mdt.errors import Forbidden
from mdt.extensions import db
from mdt.referrals.models import Service
from mdt.referrals.schemas import ServiceSchema
from mdt.schema import load


def check_service(actor, data: dict) -> tuple[dict, Agency]:
    """The service's fields (``ServiceSchema``) and its agency, which must be the actor's to
    manage."""
    clean = load(ServiceSchema, data, mdt_id=actor.mdt_id)
    agency = clean["agency_id"]
    clean["agency_id"] = agency.id
    if not policy.can(actor, "service.manage", agency):
        raise Forbidden("You can list services only for your own agency.")
    return clean, agency


def save_service(actor, data: dict, service: Service | None = None) -> Service:
    clean, agency = check_service(actor, data)
    if service is None:
        service = Service(mdt_id=actor.mdt_id, **clean)
        db.session.add(service)
        db.session.flush()
        record(actor, "service.create", service, detail=clean)
    else:
        if not policy.can(actor, "service.manage", service.agency):
            raise Forbidden("You can change services only for your own agency.")

        changed = changes(service, clean)
        db.session.flush()
        if changed:
            record(actor, "service.update", service, detail={"changes": changed})
    return service


def find_services(
    mdt_id: int, category: str | None = None, district: str | None = None, language: str | None = None
):
    stmt = (
        select(Service)
        .where(Service.mdt_id == mdt_id, Service.active.is_(True))
        .options(joinedload(Service.agency))
        .order_by(Service.category, Service.name)
    )
    if category:
        stmt = stmt.where(Service.category == category)
    if language:
        stmt = stmt.where(func.lower(Service.languages).like(f"%{language.lower()}%"))
    services = db.session.scalars(stmt).all()
    return [s for s in services if s.covers(district)]
