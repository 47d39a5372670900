"""Reminders of court dates: 14, 3 and 1 days before (each lawyer's own lead times) to the
matter's lawyers; 3 and 1 days before to whoever arranges transport; and, 3 and 1 days before in
the morning, to the person themself by SMS or email, only with their live consent to be contacted
that way and the details confirmed safe (worded as an "appointment")."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from mdt import clock, formats
from mdt.calendar.services import hearing_event
from mdt.cases.models import Case
from mdt.cases.signals import person_contact_changed
from mdt.extensions import db
from mdt.legal.models import Claimant, Hearing, HearingSupport, LegalMatter, MatterLawyer
from mdt.legal.signals import hearing_changed, matter_changed
from mdt.meetings.ics import single_event_ics
from mdt.referrals.signals import consent_changed
from mdt.reminders.derive import sync
from mdt.reminders.registry import Derived, Source, Wording, register
from mdt.reminders.wants import Want, contactable, morning, zone_of

KIND = "hearing"
CLAIMANT_LEADS = [3, 1]  # days before a court date, in the morning


def derive(ids, now, zones) -> Derived:
    rows = db.session.execute(
        select(Hearing, LegalMatter.mdt_id)
        .join(LegalMatter, LegalMatter.id == Hearing.matter_id)
        .where(Hearing.id.in_(ids))
    ).all()
    matters = {h.matter_id for h, _ in rows}
    lawyers = defaultdict(list)
    for matter_id, member_id in db.session.execute(
        select(MatterLawyer.matter_id, MatterLawyer.member_id).where(MatterLawyer.matter_id.in_(matters))
    ):
        lawyers[matter_id].append(member_id)
    support = defaultdict(set)
    for hearing_id, owner_id in db.session.execute(
        select(HearingSupport.hearing_id, HearingSupport.owner_id).where(
            HearingSupport.hearing_id.in_(ids),
            HearingSupport.kind == "transport",
            HearingSupport.owner_id.is_not(None),
        )
    ):
        support[hearing_id].add(owner_id)
    claimants = defaultdict(list)
    for matter_id, case_id in db.session.execute(
        select(Claimant.matter_id, Claimant.case_id).where(
            Claimant.matter_id.in_(matters), Claimant.status == "active"
        )
    ):
        claimants[matter_id].append(case_id)
    reachable = contactable(c for cases in claimants.values() for c in cases)
    out: Derived = {}
    for h, mdt_id in rows:
        if h.status != "scheduled" or h.starts_at <= now:
            out[h.id] = (mdt_id, "", [])
            continue
        wants = [Want(r, "reminder", "lead:hearing", h.starts_at) for r in lawyers[h.matter_id]]
        wants += [Want(r, "court_support", "lead:court_support", h.starts_at) for r in support[h.id]]
        zone = zone_of(mdt_id, zones)
        local_day = clock.local_date(h.starts_at, zone)
        for case_id in claimants[h.matter_id]:
            if case_id in reachable:
                person_id, channels = reachable[case_id]
                wants += [
                    Want(
                        None,
                        "claimant",
                        f"{d}d",
                        morning(local_day - timedelta(days=d), zone),
                        person_id=person_id,
                        channel=ch,
                    )
                    for d in CLAIMANT_LEADS
                    for ch in channels
                ]
        out[h.id] = (mdt_id, h.starts_at.strftime("%Y%m%dT%H%M"), wants)
    return out


def word(hearing, purpose: str, when: str, root: str) -> Wording:
    if purpose == "court_support":
        subject = _("Reminder: transport to be arranged for %(when)s", when=when)
        body = _("Transport and support are to be arranged for a court date on %(when)s.", when=when)
    else:
        subject = _("Reminder: court date on %(when)s", when=when)
        body = _("A court date is set for %(when)s.", when=when)
    return Wording(
        subject,
        body,
        f"{root}/matters/{hearing.matter_id}#hearings",
        single_event_ics(hearing_event(hearing, root)),
    )


def _claimant_cases(hearing, person_id: int) -> list[int]:
    """The person's cases that are active claimants in the hearing's matter."""
    return list(
        db.session.scalars(
            select(Claimant.case_id)
            .join(Case, Case.id == Claimant.case_id)
            .where(
                Claimant.matter_id == hearing.matter_id,
                Claimant.status == "active",
                Case.person_id == person_id,
            )
        )
    )


register(
    Source(
        kind=KIND,
        model=Hearing,
        derive=derive,
        still_open=lambda h: h.status == "scheduled",
        when=lambda h, zone: formats.datetime(h.starts_at, zone=zone),
        word=word,
        person_cases=_claimant_cases,
    )
)


def _scheduled(*where) -> list[int]:
    return list(db.session.scalars(select(Hearing.id).where(Hearing.status == "scheduled", *where)))


@hearing_changed.connect
def _hearing_changed(_sender, ids) -> None:
    sync(KIND, ids)


@matter_changed.connect
def _matter_changed(_sender, ids) -> None:
    """Lawyers or claimants changed: the matter's court dates still to come."""
    sync(KIND, _scheduled(Hearing.matter_id.in_(ids)))


def _court_dates_of(cases) -> list[int]:
    return _scheduled(Hearing.matter_id.in_(select(Claimant.matter_id).where(Claimant.case_id.in_(cases))))


@consent_changed.connect
def _consent_changed(_sender, ids) -> None:
    """A consent to be contacted changed (ids: cases): the person's own reminders follow."""
    sync(KIND, _court_dates_of(ids))


@person_contact_changed.connect
def _person_contact_changed(_sender, ids) -> None:
    """The person's phone, email or their confirmation changed (ids: people)."""
    sync(KIND, _court_dates_of(select(Case.id).where(Case.person_id.in_(ids))))
