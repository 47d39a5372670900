"""The home page answers each role's question for today (issue 13).

- Lawyer: hearings and deadlines of the next 14 days, missed and unconfirmed ones first.
- Case work (every member): their cases needing action, referrals waiting for an answer (to the
  agency, and from it), action items due for the agency.
- Coordinator: the next case conference and its agenda, overdue action items by agency, intakes
  not moved on yet.
- Admin: accounts and system health (worker heartbeat, queued messages, failed reminders).
- Figures (coordinators and viewers): this quarter's people reached and served, and the way to
  the dashboard (``mdt.reports``).

Each panel is read through the domain services (and so the policy); counts link to the lists
filtered the same way. A member with several roles sees several panels, their main one first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from mdt import clock, policy
from mdt.auth.models import MfaEnrolment, WorkerHeartbeat
from mdt.cases import services as cases
from mdt.directory.models import Member
from mdt.extensions import db
from mdt.legal import services as legal
from mdt.meetings import services as meetings
from mdt.policy.cases import works_on_cases
from mdt.referrals import services as referrals
from mdt.reminders.models import Reminder
from mdt.reports import services as reports
from mdt.triage import services as triage
from mdt.visits import services as visits

DAYS_AHEAD = 14
SHOWN = 8  # rows per list on the home page; the counts link to the whole list


@dataclass
class Home:
    panels: list[str] = field(default_factory=list)  # in the order shown
    data: dict = field(default_factory=dict)


def panels_for(user) -> list[str]:
    """The member's panels, their main role's first, then case work (every account but an
    admin-only one), then their other roles'."""
    roles = (("lawyer", "legal"), ("coordinator", "coordination"), ("admin", "system"))
    main = [panel for role, panel in roles if user.has_role(role)]
    if policy.volunteer(user):
        return ["volunteer"]
    casework = ["casework"] if works_on_cases(user) else []
    figures = ["figures"] if policy.can(user, "report.view") else []
    return main[:1] + casework + main[1:] + figures


def legal_panel(user) -> dict:
    deadlines, hearings = legal.due_soon(user, DAYS_AHEAD)
    return {
        "deadlines": deadlines[:SHOWN],
        "n_deadlines": len(deadlines),
        "n_missed": sum(d.status == "missed" for d in deadlines),
        "n_unconfirmed": sum(not d.verified for d in deadlines if d.status == "open"),
        "hearings": hearings[:SHOWN],
        "n_hearings": len(hearings),
        "days": DAYS_AHEAD,
    }


def casework_panel(user) -> dict:
    attention = cases.needs_attention(user, limit=SHOWN)
    mine, mine_total = cases.list_cases(
        user, cases.CaseFilters(mine=True, per_page=SHOWN), count_cap=cases.COUNT_CAP
    )
    incoming, n_incoming = referrals.referral_list(
        user, referrals.ReferralFilters(direction="incoming", status="pending", per_page=SHOWN)
    )
    # Only counted: the rows are on the list the count links to (and only rows shown are audited).
    n_outgoing = referrals.referral_count(user, "outgoing", "pending")
    today = clock.today(user.mdt)
    overdue_visits, n_overdue_visits = visits.overdue(user, SHOWN)
    actions = meetings.action_items_for(
        user, due_between=(today - timedelta(days=3650), today + timedelta(days=7))
    )
    return {
        "attention": attention,
        "n_attention": cases.count_attention(user),
        "mine": mine,
        "mine_total": mine_total,
        "incoming": incoming,
        "n_incoming": n_incoming,
        "n_outgoing": n_outgoing,
        "actions": actions[:SHOWN],
        "overdue_visits": overdue_visits,
        "n_overdue_visits": n_overdue_visits,
        "n_actions": len(actions),
        "today": today,
    }


def coordination_panel(user) -> dict:
    today = clock.today(user.mdt)
    meeting = meetings.next_meeting(user)
    return {
        "meeting": meeting,
        "agenda": meetings.agenda_status(user, meeting) if meeting else None,
        "overdue": meetings.overdue_by_agency(user.mdt_id, today),
        "n_intake": cases.count_in_stage(user, "intake"),
        "n_triage": triage.count_open(user),
    }


def system_panel(user) -> dict:
    from flask import current_app

    members = dict(
        db.session.execute(
            select(Member.active, func.count()).where(Member.mdt_id == user.mdt_id).group_by(Member.active)
        ).all()
    )
    enrolled = db.session.scalar(
        select(func.count())
        .select_from(MfaEnrolment)
        .join(Member, Member.id == MfaEnrolment.member_id)
        .where(Member.mdt_id == user.mdt_id, Member.active.is_(True))
    )
    failed = db.session.scalar(
        select(func.count())
        .select_from(Reminder)
        .where(Reminder.mdt_id == user.mdt_id, Reminder.status == "failed")
    )
    beat = db.session.scalars(select(WorkerHeartbeat).order_by(WorkerHeartbeat.seen_at.desc())).first()
    return {
        "active": members.get(True, 0),
        "inactive": members.get(False, 0),
        "enrolled": enrolled,
        "failed": failed,
        "beat": beat,
        "beat_late": beat is None or clock.now() - beat.seen_at > timedelta(minutes=10),
        "queued": queue_length(current_app.config.get("CELERY", {})),
    }


def queue_length(celery: dict) -> int | None:
    """Messages waiting for the worker: the Redis list of the default queue, or the files of the
    embedded broker's queue folder; None when it cannot be read."""
    url = celery.get("broker_url") or ""
    try:
        if url.startswith("redis"):
            import redis

            return int(redis.Redis.from_url(url, socket_timeout=1).llen("celery"))
        folder = celery.get("broker_transport_options", {}).get("data_folder_in")
        if folder:
            from pathlib import Path

            return sum(1 for p in Path(folder).glob("*.msg"))
    except Exception:  # noqa: BLE001  (a broker down is what this figure is there to show)
        return None
    return None


def figures_panel(user) -> dict:
    return reports.headline(user)


def volunteer_panel(user) -> dict:
    return {"items": triage.mine(user, limit=SHOWN)}


PANELS = {
    "volunteer": volunteer_panel,
    "figures": figures_panel,
    "legal": legal_panel,
    "casework": casework_panel,
    "coordination": coordination_panel,
    "system": system_panel,
}


def home(user) -> Home:
    order = panels_for(user)
    return Home(panels=order, data={name: PANELS[name](user) for name in order})
