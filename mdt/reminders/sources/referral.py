"""Reminders of referrals awaiting an answer: the morning of the respond-by date, to the members
of the receiving agency."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from mdt import formats
from mdt.extensions import db
from mdt.referrals.models import Referral
from mdt.referrals.signals import referral_changed
from mdt.reminders.derive import sync
from mdt.reminders.registry import Derived, Source, Wording, register
from mdt.reminders.wants import Want, agency_members, morning, zone_of

KIND = "referral"


def derive(ids, now, zones) -> Derived:
    rows = db.session.execute(
        select(
            Referral.id, Referral.mdt_id, Referral.status, Referral.respond_by, Referral.to_agency_id
        ).where(Referral.id.in_(ids))
    ).all()
    members = agency_members({r.to_agency_id for r in rows})
    out: Derived = {}
    for r in rows:
        zone = zone_of(r.mdt_id, zones)
        if r.status != "pending":
            out[r.id] = (r.mdt_id, "", [])
            continue
        out[r.id] = (
            r.mdt_id,
            r.respond_by.isoformat(),
            [Want(m, "reminder", "due", morning(r.respond_by, zone)) for m in members[r.to_agency_id]],
        )
    return out


def word(referral, purpose: str, when: str, root: str) -> Wording:
    return Wording(
        _("Reminder: a request awaits your answer by %(when)s", when=when),
        _("A request for services awaits your agency's answer by %(when)s.", when=when),
        f"{root}/referrals/{referral.id}",
    )


register(
    Source(
        kind=KIND,
        model=Referral,
        derive=derive,
        still_open=lambda r: r.status == "pending",
        when=lambda r, zone: formats.date(r.respond_by),
        word=word,
    )
)


@referral_changed.connect
def _referral_changed(_sender, ids) -> None:
    sync(KIND, ids)
