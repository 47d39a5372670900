"""Celery tasks. They take ids and call services; each task is one unit of work, committed once by
the task class (``workers.celery_app``). Sending commits each message on its own (see
``mdt.reminders.sending``)."""

from __future__ import annotations

from celery import shared_task

from mdt.auth.services import account_mail as compose_account_mail
from mdt.auth.services import purge_state, record_heartbeat
from mdt.documents import bundle
from mdt.legal.services import mark_missed
from mdt.privacy import copies, retention
from mdt.privacy.alerts import watch
from mdt.referrals.services import expire_overdue
from mdt.reminders.sending import deliver, sweep
from mdt.reminders.services import schedule_overdue
from mdt.reports import export, quarterly


@shared_task(ignore_result=True)
def heartbeat(name: str = "beat") -> int:
    """Record that worker and beat are alive (shown on the admin status page)."""

    beats = record_heartbeat(name)
    return beats


@shared_task(ignore_result=True)
def account_mail(kind: str, **kwargs) -> bool:
    """Mail about a member's own account (a reset link, a new browser), composed here so that the
    web request answers the same whatever happens."""

    return compose_account_mail(kind, **kwargs)


@shared_task(ignore_result=True)
def watch_reading() -> int:
    """Tell the coordinators about members reading unusually many case files."""

    return len(watch())


@shared_task(ignore_result=True)
def apply_retention() -> dict:
    """De-identify closed cases past their MDT's retention period (never a case on hold), look
    again at erasure requests refused while a hold stood, and delete copies of people's data left
    undownloaded for a week and exports older than a day."""

    report = retention.apply_retention()
    report["_reopened_requests"] = retention.review_refused()
    report["_expired_copies"] = copies.expire_old()
    report["_expired_exports"] = export.expire_old()
    return report


@shared_task(ignore_result=True)
def make_data_copy(copy_id: int) -> int:
    """Make the PDF of a person's copy of their data."""

    made = copies.make(copy_id)
    return made.progress if made is not None else 0


@shared_task(ignore_result=True)
def make_export(export_id: int) -> int:
    """Make the file of an export: a de-identified export or the quarterly report's PDF. A failure
    is shown on its page (and logged)."""

    try:
        made = (quarterly.make if export.kind_of(export_id) == "quarterly" else export.make)(export_id)
    except Exception as exc:
        export.fail(export_id, type(exc).__name__)
        raise
    return made.progress if made is not None else 0


@shared_task(ignore_result=True)
def make_bundle(bundle_id: int) -> int:
    """Make a court bundle's PDF. A failure is shown on its page (and logged)."""

    try:
        made = bundle.make(bundle_id)
    except Exception as exc:
        bundle.fail(bundle_id, type(exc).__name__)
        raise
    return made.progress if made is not None else 0


@shared_task(ignore_result=True)
def purge_expired_state() -> int:
    """Delete the ended sessions and sign-in counters kept in the database (Redis expires its
    own)."""

    return purge_state()


@shared_task(ignore_result=True)
def expire_referrals() -> int:
    """Expire referrals not answered by their respond-by date and tell the people concerned.
    Idempotent: only pending referrals are touched, and rows locked by a concurrent run are
    skipped."""

    expired = expire_overdue()
    return expired


@shared_task(ignore_result=True)
def mark_missed_deadlines() -> int:
    """Open deadlines whose last day has passed become missed. Idempotent."""

    missed = mark_missed()
    return missed


@shared_task(ignore_result=True)
def sweep_reminders() -> int:
    """Every minute: claim the due reminders and hand them, in batches, to send tasks."""

    return sweep(dispatch=lambda ids, token: send_reminders.delay(ids, token))


@shared_task(ignore_result=True)
def send_reminders(ids: list[int], token: str) -> dict:
    """Send one claimed batch. A batch whose task is lost is claimed again after the lease."""

    return deliver(ids, token)


@shared_task(ignore_result=True)
def remind_overdue() -> int:
    """Overdue deadlines and action items get a reminder every morning until closed: schedule
    the next one. Idempotent (the reminder's key holds the day)."""

    count = schedule_overdue()
    return count
