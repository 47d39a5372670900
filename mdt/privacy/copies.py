"""A person's copy of their data (their right of access): everything the MDT holds about them, in
Thai or English, as a PDF made in the background by ``workers.tasks.make_data_copy`` with its
progress shown, downloadable once by the member who asked for it (then deleted from the server).
Restricted notes and sensitive assessment fields are in it (it is the person's own data), marked
as such, so whoever hands it over knows what they carry."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import cast

from flask import current_app, g, render_template
from flask_babel import force_locale, refresh
from flask_babel import lazy_gettext as _l
from sqlalchemy import Table, and_, select, update

from mdt import clock, policy
from mdt.audit.services import record
from mdt.cases.models import Assessment, Case, Episode, Note, PlanItem
from mdt.errors import Forbidden, NotFound, ValidationError, WorkflowError
from mdt.extensions import db
from mdt.legal.models import Claimant, Hearing
from mdt.pdf import render_pdf
from mdt.privacy.models import DataCopy
from mdt.referrals.models import Consent, Referral

LANGUAGES = ("th", "en")


def folder() -> Path:
    path = Path(current_app.instance_path) / "copies"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def request_copy(actor, case, language: str) -> DataCopy:
    if not policy.can(actor, "case.person_rights", case):
        raise Forbidden("Only the lead agency asks for a person's copy of their data.")
    if language not in LANGUAGES:
        raise ValidationError("Bad language.", {"language": [str(_l("Choose Thai or English."))]})
    if case.deidentified_at is not None:
        raise WorkflowError(str(_l("This case was de-identified: nothing about the person is left in it.")))
    copy = DataCopy(mdt_id=case.mdt_id, case_id=case.id, requested_by_id=actor.id, language=language)
    db.session.add(copy)
    db.session.flush()
    record(actor, "privacy.copy_requested", copy, case=case, detail={"language": language})
    return copy


def queue(copy_id: int) -> None:
    """Hand the copy to the worker (made at once, in the request, when tasks run inline)."""
    if current_app.config.get("MDT_ACCOUNT_MAIL_INLINE"):
        return  # the tests run ``make`` themselves, to see the progress in between
    current_app.extensions["celery"].send_task("workers.tasks.make_data_copy", args=[copy_id])


def _progress(copy_id: int, **values) -> None:
    """Shown while the task runs: written at once on its own connection (the task's own changes
    are committed when it ends)."""
    table = cast(Table, DataCopy.__table__)
    with db.engine.begin() as conn:
        conn.execute(update(table).where(table.c.id == copy_id).values(**values))


def _theirs(case, agency_id: int):
    """The person's cases that the asking agency leads (need to know: another agency's files,
    restricted notes and all, are not read by this agency's member; the person asks that agency
    for its own copy)."""
    return and_(
        Case.person_id == case.person_id, Case.mdt_id == case.mdt_id, Case.lead_agency_id == agency_id
    )


def _gather(case, agency_id: int):
    cases = db.session.scalars(select(Case).where(_theirs(case, agency_id)).order_by(Case.opened_on)).all()
    for each in cases:
        yield (
            each,
            {
                "episodes": db.session.scalars(
                    select(Episode).where(Episode.case_id == each.id).order_by(Episode.id)
                ).all(),
                "assessment": db.session.get(Assessment, each.id),
                "plan": db.session.scalars(
                    select(PlanItem).where(PlanItem.case_id == each.id).order_by(PlanItem.id)
                ).all(),
                "notes": db.session.scalars(
                    select(Note).where(Note.case_id == each.id).order_by(Note.created_at)
                ).all(),
                "consents": db.session.scalars(
                    select(Consent).where(Consent.case_id == each.id).order_by(Consent.id)
                ).all(),
                "referrals": db.session.scalars(
                    select(Referral).where(Referral.case_id == each.id).order_by(Referral.id)
                ).all(),
                "claims": db.session.scalars(select(Claimant).where(Claimant.case_id == each.id)).all(),
            },
        )


def make(copy_id: int) -> DataCopy | None:
    """Build the PDF of ``copy_id`` (the task). Progress goes from 0 to 100."""
    copy = db.session.get(DataCopy, copy_id)
    if copy is None or copy.status not in ("queued", "running", "failed"):
        return copy
    _progress(copy.id, status="running", progress=1)
    case = copy.case
    agency_id = copy.requested_by.agency_id
    total = db.session.scalar(select(db.func.count()).where(_theirs(case, agency_id))) or 1
    elsewhere = db.session.scalar(
        select(db.func.count()).where(
            Case.person_id == case.person_id, Case.mdt_id == case.mdt_id, Case.lead_agency_id != agency_id
        )
    )
    sections = []
    for done, (each, parts) in enumerate(_gather(case, agency_id), start=1):
        sections.append((each, parts))
        _progress(copy.id, progress=max(1, int(80 * done / total)))
    hearings = {
        claim.matter_id: db.session.scalars(
            select(Hearing).where(Hearing.matter_id == claim.matter_id).order_by(Hearing.starts_at)
        ).all()
        for _each, parts in sections
        for claim in parts["claims"]
    }
    g.mdt_timezone = case.mdt.timezone
    with force_locale(copy.language):
        refresh()
        html = render_template(
            "privacy/copy_pdf.html",
            person=case.person,
            sections=sections,
            hearings=hearings,
            made=clock.now(),
            agency=copy.requested_by.agency,
            elsewhere=elsewhere,
        )
    body = render_pdf(html)
    _progress(copy.id, progress=95)
    name = f"{secrets.token_hex(16)}.pdf"
    path = folder() / name
    path.touch(mode=0o600)  # the person's whole file: readable by the app's own user only
    path.write_bytes(body)
    copy.status, copy.progress, copy.filename, copy.ready_at = "ready", 100, name, clock.now()
    db.session.flush()
    record(None, "privacy.copy_ready", copy, detail={"bytes": len(body)})
    return copy


def take(actor, copy_id: int) -> tuple[DataCopy, bytes]:
    """The PDF, once, for the member who asked for it; the file is deleted."""
    copy = db.session.get(DataCopy, copy_id)
    if copy is None or copy.mdt_id != actor.mdt_id or copy.requested_by_id != actor.id:
        raise NotFound("No such copy.")
    if copy.status != "ready" or not copy.filename:
        raise WorkflowError(str(_l("This copy was already downloaded, or is not ready.")))
    path = folder() / copy.filename
    body = path.read_bytes()
    path.unlink(missing_ok=True)
    copy.status, copy.filename, copy.downloaded_at = "downloaded", None, clock.now()
    db.session.flush()
    record(actor, "privacy.copy_downloaded", copy, case=copy.case)
    return copy, body


KEEP_DAYS = 7


def expire_old() -> int:
    """A copy nobody downloaded within ``KEEP_DAYS`` days is deleted from the server."""
    cutoff = clock.now() - timedelta(days=KEEP_DAYS)
    gone = 0
    for copy in db.session.scalars(
        select(DataCopy).where(DataCopy.status == "ready", DataCopy.ready_at < cutoff)
    ):
        if copy.filename:
            (folder() / copy.filename).unlink(missing_ok=True)
        copy.status, copy.filename = "expired", None
        record(None, "privacy.copy_expired", copy)
        gone += 1
    db.session.flush()
    return gone
