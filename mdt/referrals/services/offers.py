"""The services directory: what each agency offers, where and in which languages ("who can help
with X in district Y"). Services flush; the caller commits."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from mdt import policy
from mdt.audit.services import changes, record
from mdt.cases.models import PLAN_SERVICES
from mdt.directory.models import Agency
from mdt.errors import Forbidden
from mdt.extensions import db
from mdt.referrals.models import (
    Service,
)
from mdt.referrals.services.common import agency_in_mdt
from mdt.validation import Checker


def check_service(actor, data: dict) -> tuple[dict, Agency | None]:
    c = Checker(data)
    agency = agency_in_mdt(c, "agency_id", actor.mdt_id, required=True)
    c.choice("category", PLAN_SERVICES, required=True)
    c.text("name", required=True, max_length=200)
    c.text("areas", max_length=500)
    c.text("languages", max_length=200)
    c.text("eligibility", max_length=2000)
    c.text("contact", max_length=300)
    raw_days = c.data.get("response_days")
    if raw_days in (None, ""):
        c.clean["response_days"] = 7
    else:
        try:
            days = int(raw_days)
            if not 1 <= days <= 365:
                raise ValueError
            c.clean["response_days"] = days
        except (TypeError, ValueError):
            c.error("response_days", _l("A number of days from 1 to 365."))
    c.boolean("active", True)
    c.raise_if_errors()
    if not policy.can(actor, "service.manage", agency):
        raise Forbidden("You can list services only for your own agency.")
    return c.clean, agency


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
