"""Retention and erasure: one de-identification, used by both.

- Retention: a closed case is de-identified ``Mdt.retention_years`` (default 5) after it closed,
  by the Celery beat task ``workers.tasks.apply_retention``, which reports what it did in the
  audit trail.
- Erasure: a person's request, recorded by the lead agency, checked against holds, approved by a
  coordinator, and carried out in one transaction; refused with the reason while a hold stands,
  and looked at again (back to pending, the coordinators told) when the hold ends.
- A case on legal hold is never touched: an open legal matter the person is a claimant in, or a
  hold a coordinator set with a reason.

De-identifying removes the person's names, contacts, exact date of birth (the year stays, for age
bands), address below the province, and every free text about them (notes, assessment, plan
texts, summary, reasons); it keeps what the figures count: sex, nationality and province,
stages, dates of the case, episodes' countries, sectors and amounts, referrals' services and
outcomes. The person is de-identified once none of their cases is held."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, exists, or_, select, update

from mdt import clock, policy
from mdt.audit.services import record
from mdt.cases.models import Assessment, Case, Episode, Note, Person, PlanItem
from mdt.directory.models import Mdt
from mdt.documents.services import remove_for_cases
from mdt.errors import Forbidden, ValidationError, WorkflowError
from mdt.extensions import db
from mdt.legal.models import Claimant, LegalMatter
from mdt.notifications.models import Notification
from mdt.notifications.services import coordinators
from mdt.privacy.models import DataCopy, ErasureRequest
from mdt.referrals.models import Consent, Referral
from mdt.sms.models import SmsInbound, SmsMessage
from mdt.sync.models import SyncConflict
from mdt.triage.models import TriageItem
from mdt.visits.models import Visit

REMOVED = "—"
MAX_YEARS = 100


# ---------------------------------------------------------------- holds


def open_matter_sql():
    """SQL: the case is a claimant's in a legal matter that is not closed."""
    return exists().where(
        Claimant.case_id == Case.id, Claimant.matter_id == LegalMatter.id, LegalMatter.stage != "closed"
    )


def held_sql():
    return or_(Case.hold_reason.is_not(None), open_matter_sql())


def hold_of(case) -> str | None:
    """Why ``case`` may not be de-identified now: "legal_matter", "hold", or None."""
    if db.session.scalar(select(open_matter_sql()).where(Case.id == case.id)):
        return "legal_matter"
    if case.hold_reason:
        return "hold"
    return None


def set_hold(actor, case, reason: str | None) -> None:
    """A coordinator sets (with a reason) or lifts (``reason`` empty) a legal hold."""
    if not policy.can(actor, "case.hold", case):
        raise Forbidden("Only a coordinator sets a legal hold.")
    reason = (reason or "").strip()
    if len(reason) > 2000 or "\x00" in reason:
        raise ValidationError("Bad reason.", {"reason": [str(_l("At most %(n)s characters.", n=2000))]})
    if reason:
        case.hold_reason, case.hold_set_at, case.hold_set_by_id = reason, clock.now(), actor.id
        record(actor, "case.hold", case, case=case)
    elif case.hold_reason:
        case.hold_reason, case.hold_set_at, case.hold_set_by_id = None, None, None
        record(actor, "case.hold_lifted", case, case=case)
    db.session.flush()


# ---------------------------------------------------------------- de-identification


def _deidentify_cases(ids: list[int]) -> None:
    """Remove what identifies the person from the cases ``ids`` (set-based: a few statements
    whatever their number)."""
    if not ids:
        return
    now = clock.now()
    # The record of SMS to and from the person: the number goes with the notes.
    db.session.execute(delete(SmsInbound).where(SmsInbound.case_id.in_(ids)))
    db.session.execute(delete(SmsMessage).where(SmsMessage.case_id.in_(ids)))
    db.session.execute(delete(Note).where(Note.case_id.in_(ids)))
    # Issue 16: what a visit, a held clash or a triage item said about the person.
    db.session.execute(update(Visit).where(Visit.case_id.in_(ids)).values(place=None, notes=None))
    db.session.execute(delete(SyncConflict).where(SyncConflict.case_id.in_(ids)))
    db.session.execute(
        update(TriageItem).where(TriageItem.case_id.in_(ids)).values(data={}, decline_reason=None)
    )
    db.session.execute(
        update(Assessment)
        .where(Assessment.case_id.in_(ids))
        .values(
            needs=None, goals=None, strengths=None, risks=None, health=None, immigration_status=None,
            counter_charges=None, whereabouts=None,
        )
    )  # fmt: skip
    db.session.execute(update(PlanItem).where(PlanItem.case_id.in_(ids)).values(text=REMOVED))
    db.session.execute(
        update(Episode)
        .where(Episode.case_id.in_(ids))
        .values(job=None, debt_lender=None, debt_collateral=None, documents_withheld=None)
    )
    db.session.execute(
        update(Referral)
        .where(Referral.case_id.in_(ids))
        .values(reason=None, decline_reason=None, outcome_note=None, withdraw_reason=None)
    )
    db.session.execute(
        update(Consent).where(Consent.case_id.in_(ids)).values(interpreter=None, withdraw_reason=None)
    )
    db.session.execute(update(Claimant).where(Claimant.case_id.in_(ids)).values(debt_relief_note=None))
    # The files of the cases' documents go (their records and chain of custody stay).
    remove_for_cases(ids, "de-identified (retention period or erasure)")
    # A copy of the person's data not downloaded yet goes too.
    for copy in db.session.scalars(
        select(DataCopy).where(DataCopy.case_id.in_(ids), DataCopy.status.in_(("queued", "running", "ready")))
    ):
        if copy.filename:
            (Path(current_app.instance_path) / "copies" / copy.filename).unlink(missing_ok=True)
        copy.status, copy.filename = "expired", None
    db.session.execute(
        update(Case)
        .where(Case.id.in_(ids))
        .values(
            summary=None,
            district=None,
            close_reason=REMOVED,
            deidentified_at=now,
        )
    )


def _deidentify_people(person_ids: list[int]) -> int:
    """De-identify the people among ``person_ids`` none of whose cases is left identified."""
    if not person_ids:
        return 0
    still = select(Case.person_id).where(Case.person_id.in_(person_ids), Case.deidentified_at.is_(None))
    ready = list(db.session.scalars(select(Person).where(Person.id.in_(person_ids), Person.id.not_in(still))))
    if ready:
        db.session.execute(delete(SmsMessage).where(SmsMessage.person_id.in_([p.id for p in ready])))
    for person in ready:
        person.given_name, person.family_name = REMOVED, ""
        if person.date_of_birth is not None:
            person.date_of_birth = person.date_of_birth.replace(month=1, day=1)
        person.phone = person.email = person.safe_contact_note = None
        person.home_district = person.home_subdistrict = person.home_village = None
        person.languages = None
        person.contact_safe = False
    db.session.flush()
    return len(ready)


# ---------------------------------------------------------------- retention


def retention_cutoff(mdt) -> datetime:
    """Cases closed before this instant are past the MDT's retention period."""
    today = clock.today(mdt)
    first_kept = today - relativedelta(years=int(mdt.retention_years or 5))
    return datetime.combine(first_kept, time.min, tzinfo=ZoneInfo(mdt.timezone))


def set_retention(actor, mdt, years) -> None:
    if not policy.can(actor, "privacy.settings"):
        raise Forbidden("Administrators set the retention period.")
    try:
        value = int(str(years).strip())
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= MAX_YEARS:
        raise ValidationError(
            "Bad retention.", {"years": [str(_l("A whole number of years from 1 to %(n)s.", n=MAX_YEARS))]}
        )
    before = mdt.retention_years
    mdt.retention_years = value
    db.session.flush()
    record(actor, "mdt.retention", mdt, detail={"changes": {"retention_years": [before, value]}})


def apply_retention(batch: int = 1000) -> dict:
    """De-identify every closed case past its MDT's retention period and not on hold. Returns,
    per MDT code, how many cases and people were de-identified and how many were held back."""
    report = {}
    for mdt in db.session.scalars(select(Mdt).order_by(Mdt.id)):
        due = and_(
            Case.mdt_id == mdt.id,
            Case.stage == "closed",
            Case.closed_at < retention_cutoff(mdt),
            Case.deidentified_at.is_(None),
        )
        held = db.session.scalar(select(db.func.count()).where(due, held_sql())) or 0
        cases = people = 0
        while True:
            rows = db.session.execute(
                select(Case.id, Case.person_id).where(due, ~held_sql()).limit(batch)
            ).all()
            if not rows:
                break
            _deidentify_cases([r.id for r in rows])
            people += _deidentify_people(sorted({r.person_id for r in rows}))
            cases += len(rows)
        if cases or held:
            record(
                None,
                "privacy.retention",
                mdt,
                detail={"cases": cases, "people": people, "held": held, "years": mdt.retention_years},
            )
        report[mdt.code] = {"cases": cases, "people": people, "held": held}
    db.session.flush()
    return report


# ---------------------------------------------------------------- erasure requests


def _person_cases(case) -> list[Case]:
    return list(
        db.session.scalars(select(Case).where(Case.person_id == case.person_id, Case.mdt_id == case.mdt_id))
    )


def _hold_on_person(case) -> str | None:
    for other in _person_cases(case):
        why = hold_of(other)
        if why:
            return why
    return None


def request_erasure(actor, case) -> ErasureRequest:
    """The person asked to be erased: recorded by their lead agency. Checked against holds at
    once (refused with the reason if one stands)."""
    if not policy.can(actor, "case.erasure_request", case):
        raise Forbidden("Only the lead agency records an erasure request.")
    if case.deidentified_at is not None:
        raise WorkflowError(str(_l("This case was already de-identified.")))
    open_request = db.session.scalars(
        select(ErasureRequest).where(
            ErasureRequest.case_id == case.id, ErasureRequest.status.in_(("pending", "refused"))
        )
    ).first()
    if open_request is not None:
        raise WorkflowError(str(_l("An erasure request is already open for this person.")))
    request = ErasureRequest(
        mdt_id=case.mdt_id, case_id=case.id, requested_by_id=actor.id, requested_at=clock.now()
    )
    db.session.add(request)
    db.session.flush()
    why = _hold_on_person(case)
    if why:
        _refuse(request, why, None)
    record(actor, "privacy.erasure_requested", request, case=case, detail={"refused_because": why})
    ids = [m for m in coordinators(case.mdt_id) if m != actor.id]
    for member_id in ids:
        db.session.add(Notification(member_id=member_id, kind="erasure_request", case_id=case.id))
    db.session.flush()
    return request


def _refuse(request, because: str, actor) -> None:
    request.status = "refused"
    request.refused_because = because
    request.decided_at = clock.now()
    request.decided_by_id = getattr(actor, "id", None)


REFUSALS = {
    "legal_matter": _l("An open legal matter (for example a labour claim) needs the file until it ends."),
    "hold": _l("A coordinator set a legal hold on the file."),
}


def decide_erasure(actor, request: ErasureRequest, approve: bool, note: str | None = None) -> ErasureRequest:
    """A coordinator approves (the erasure is carried out now, in this transaction) or refuses
    (with a note). A hold that stands refuses it whatever the coordinator chose."""
    if not policy.can(actor, "privacy.erasure_decide", request):
        raise Forbidden("Only a coordinator decides an erasure request.")
    if request.status not in ("pending", "refused"):
        raise WorkflowError(str(_l("This request was already decided.")))
    note = (note or "").strip() or None
    if note and (len(note) > 2000 or "\x00" in note):
        raise ValidationError("Bad note.", {"note": [str(_l("At most %(n)s characters.", n=2000))]})
    case = request.case
    why = _hold_on_person(case)
    if approve and why:
        _refuse(request, why, actor)
        record(actor, "privacy.erasure_refused", request, case=case, detail={"refused_because": why})
        db.session.flush()
        raise WorkflowError(str(REFUSALS[why]))
    if not approve:
        if not note:
            raise ValidationError("Reason needed.", {"note": [str(_l("Say why, for the person."))]})
        _refuse(request, "coordinator", actor)
        request.refusal_note = note
        record(
            actor, "privacy.erasure_refused", request, case=case, detail={"refused_because": "coordinator"}
        )
        db.session.flush()
        return request
    cases = _person_cases(case)
    ids = [c.id for c in cases if c.deidentified_at is None]
    _deidentify_cases(ids)
    db.session.flush()
    db.session.expire_all()  # the statements above changed rows this session may hold
    people = _deidentify_people([case.person_id])
    request.status = "done"
    request.decided_at = request.done_at = clock.now()
    request.decided_by_id = actor.id
    # Names no one: the request, the number of cases and whether the person record went too.
    record(actor, "privacy.erasure_done", request, detail={"cases": len(ids), "people": people})
    db.session.flush()
    return request


def review_refused() -> int:
    """Requests refused because of a hold that has ended: back to pending, the coordinators told."""
    reopened = 0
    for request in db.session.scalars(
        select(ErasureRequest).where(
            ErasureRequest.status == "refused", ErasureRequest.refused_because.in_(("legal_matter", "hold"))
        )
    ):
        if _hold_on_person(request.case) is None:
            request.status = "pending"
            request.refused_because = None
            request.decided_at = request.decided_by_id = None
            record(None, "privacy.erasure_review", request, case=request.case)
            for member_id in coordinators(request.mdt_id):
                db.session.add(
                    Notification(member_id=member_id, kind="erasure_request", case_id=request.case_id)
                )
            reopened += 1
    db.session.flush()
    return reopened


def due_at(mdt, closed_at: datetime | None) -> datetime | None:
    if closed_at is None:
        return None
    return closed_at + relativedelta(years=int(mdt.retention_years or 5)) + timedelta(days=1)
