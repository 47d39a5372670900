"""Referral figures for coordinators: by service, agency and outcome, with the median time to an
answer."""

from __future__ import annotations

import statistics
from datetime import date, timedelta

from sqlalchemy import select

from mdt import clock
from mdt.directory.models import Agency, Mdt
from mdt.extensions import db
from mdt.referrals.models import (
    Referral,
)


def figures(mdt_id: int, start: date, end: date) -> dict:
    """Counts by service, receiving agency and outcome, and the median response time in days,
    for referrals made between ``start`` and ``end`` (inclusive)."""
    mdt = db.session.get_one(Mdt, mdt_id)
    lo, hi = clock.start_of(start, mdt), clock.start_of(end + timedelta(days=1), mdt)
    rows = db.session.execute(
        select(
            Referral.service,
            Agency.name,
            Referral.status,
            Referral.outcome,
            Referral.created_at,
            Referral.answered_at,
        )
        .join(Agency, Agency.id == Referral.to_agency_id)
        .where(Referral.mdt_id == mdt_id, Referral.created_at >= lo, Referral.created_at < hi)
    ).all()
    by_service: dict[str, int] = {}
    by_agency: dict[str, int] = {}
    by_outcome: dict[str, int] = {}
    waits = []
    for service, agency, status, outcome, created, answered in rows:
        by_service[service] = by_service.get(service, 0) + 1
        by_agency[agency] = by_agency.get(agency, 0) + 1
        key = outcome or status
        by_outcome[key] = by_outcome.get(key, 0) + 1
        if answered is not None:
            waits.append((answered - created).total_seconds() / 86400)
    return {
        "total": len(rows),
        "by_service": dict(sorted(by_service.items(), key=lambda kv: -kv[1])),
        "by_agency": dict(sorted(by_agency.items(), key=lambda kv: -kv[1])),
        "by_outcome": dict(sorted(by_outcome.items(), key=lambda kv: -kv[1])),
        "median_response_days": round(statistics.median(waits), 1) if waits else None,
        "answered": len(waits),
    }
