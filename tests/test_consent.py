"""Consent: one decision (latest decision wins), asked by every consumer."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from mdt.extensions import db
from mdt.legal import services as legal
from mdt.referrals import services as referrals
from mdt.reminders.models import Reminder
from tests import factories as f


def _claimant_reminders():
    return db.session.scalars(select(Reminder).where(
        Reminder.purpose == "claimant", Reminder.status == "pending")).all()


def test_a_later_refusal_stops_sms_reminders(world):
    """Defect 1: contact_sms given, then refused by a new record: no SMS may be derived."""
    case = f.client_case(world)
    case.person.phone = "+66 81 000 0000"
    case.person.contact_safe = True
    m = f.matter(world, [case])
    starts = (datetime.now(timezone.utc) + timedelta(days=10)).replace(hour=3, minute=0)
    legal.schedule_hearing(world["lawyer"], m, {"starts_at": starts.isoformat(),
                                                "purpose": "Witnesses"})
    referrals.record_consent(world["social"], case, {"purpose": "contact_sms", "given": True})
    db.session.commit()
    assert {r.channel for r in _claimant_reminders()} == {"sms"}
    referrals.record_consent(world["social"], case, {"purpose": "contact_sms", "given": False})
    db.session.commit()
    assert _claimant_reminders() == []
