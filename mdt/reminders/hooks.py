"""Keep the outbox in step with its sources in the same transaction: every flush notes which
meetings, hearings, deadlines, action items, referrals, consents and people were added, changed
or deleted, and
just before the commit their reminders are derived again (``derive.sync``). Bulk UPDATEs, which
the ORM does not see, call ``touch()``."""

from __future__ import annotations

from functools import cache

from sqlalchemy import event
from sqlalchemy.orm import Session

_KEY = "mdt_reminder_sources"


@cache
def _sources() -> tuple:
    """(model, kind, attribute holding the source id): what a flush may touch that has reminders."""
    from mdt.cases.models import Person
    from mdt.legal.models import Deadline, Hearing, HearingSupport
    from mdt.meetings.models import ActionItem, Meeting
    from mdt.referrals.models import Consent, Referral

    return ((Meeting, "meeting", "id"), (Hearing, "hearing", "id"),
            (Consent, "case_contact", "case_id"), (Person, "person_contact", "id"),
            (HearingSupport, "hearing", "hearing_id"), (Deadline, "deadline", "id"),
            (ActionItem, "action", "id"), (Referral, "referral", "id"))


def _kind_of(obj):
    for model, kind, attr in _sources():
        if isinstance(obj, model):
            return kind, getattr(obj, attr)
    return None


def touch(session: Session, kind: str, ids) -> None:
    pending = session.info.setdefault(_KEY, {})
    pending.setdefault(kind, set()).update(i for i in ids if i is not None)


def _after_flush(session: Session, _context) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        found = _kind_of(obj)
        if found and found[1] is not None:
            touch(session, found[0], [found[1]])


def _before_commit(session: Session) -> None:
    from mdt.reminders.derive import sync

    for _ in range(5):       # syncing flushes, which may note more sources; settle quickly
        session.flush()
        pending = session.info.pop(_KEY, None)
        if not pending:
            return
        hearings = _court_dates(pending.pop("case_contact", set()), pending.pop("person_contact", set()))
        if hearings:
            pending.setdefault("hearing", set()).update(hearings)
        for kind, ids in pending.items():
            if ids:
                sync(kind, ids)


def _court_dates(case_ids: set, person_ids: set) -> set[int]:
    """A consent to be contacted, or a person's contact details, changed: the court dates still to
    come of their matters are derived again (the person's own reminders follow)."""
    if not case_ids and not person_ids:
        return set()
    from sqlalchemy import or_, select

    from mdt.cases.models import Case
    from mdt.extensions import db
    from mdt.legal.models import Claimant, Hearing

    cases = select(Case.id).where(or_(Case.id.in_(case_ids or [-1]), Case.person_id.in_(person_ids or [-1])))
    return set(db.session.scalars(select(Hearing.id).join(
        Claimant, Claimant.matter_id == Hearing.matter_id).where(
        Claimant.case_id.in_(cases), Hearing.status == "scheduled")))


def _after_rollback(session: Session) -> None:
    session.info.pop(_KEY, None)


def install(session_class) -> None:
    if event.contains(session_class, "before_commit", _before_commit):
        return
    event.listen(session_class, "after_flush", _after_flush)
    event.listen(session_class, "before_commit", _before_commit)
    event.listen(session_class, "after_soft_rollback", lambda s, _t: _after_rollback(s))
