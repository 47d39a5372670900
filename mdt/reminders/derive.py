"""What reminders each source should have: recipients, lead times and channels, computed in
batches so that recomputing 10,000 deadlines does not mean 10,000 round trips.

``sync(kind, ids)`` makes the outbox match: missing reminders are inserted (a unique key, with
ON CONFLICT DO NOTHING, so two transactions cannot insert one twice), pending ones whose time
moved are moved, pending ones no longer wanted are cancelled. Sent, failed and cancelled rows are
history and stay as they are. It runs in the caller's transaction: each reminder source
(``mdt.reminders.sources``) subscribes to its domain's signals and syncs the records that
changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from mdt import bulk, clock
from mdt.directory.models import Member
from mdt.extensions import db
from mdt.reminders.models import Reminder, ReminderPreference
from mdt.reminders.registry import SOURCES, Derived
from mdt.reminders.wants import MORNING, Want, morning, zone_of

DEFAULT_LEADS = {"meeting": [7, 1], "hearing": [14, 3, 1], "court_support": [3, 1]}
DEFAULT_CHANNELS = ["app", "email"]
BATCH = 500


@dataclass
class Settings:
    """A recipient's settings as the deriver needs them."""

    id: int
    mdt_id: int
    phone: str | None
    channels: list[str]
    leads: dict
    quiet: tuple[time, time] | None
    digest: bool = False


def _people(member_ids) -> dict[int, Settings]:
    ids = list({m for m in member_ids if m})
    if not ids:
        return {}
    prefs = {
        p.member_id: p
        for p in db.session.scalars(select(ReminderPreference).where(ReminderPreference.member_id.in_(ids)))
    }
    out = {}
    for m in db.session.execute(
        select(Member.id, Member.mdt_id, Member.phone).where(Member.id.in_(ids), Member.active.is_(True))
    ):
        p = prefs.get(m.id)
        quiet = None
        if p and p.quiet_start and p.quiet_end:
            quiet = (time.fromisoformat(p.quiet_start), time.fromisoformat(p.quiet_end))
        out[m.id] = Settings(
            m.id,
            m.mdt_id,
            m.phone,
            list(p.channels) if p and p.channels else DEFAULT_CHANNELS,
            dict(p.lead_days or {}) if p else {},
            quiet,
            bool(p and p.digest),
        )
    return out


def _leads(person: Settings, kind: str) -> list[int]:
    chosen = person.leads.get(kind)
    return [int(d) for d in chosen] if isinstance(chosen, list) else DEFAULT_LEADS[kind]


def _digest_time(at: datetime, zone: ZoneInfo, now: datetime) -> datetime:
    """A member who takes a daily digest gets the day's email reminders together, in the morning
    mail of that day (never later than planned: a reminder due before 08:00 joins the day before's)."""
    local = at.astimezone(zone)
    day = local.date() if local.time() >= MORNING else local.date() - timedelta(days=1)
    return max(morning(day, zone), min(at, now))


def _quiet_shift(at: datetime, person: Settings, zone: ZoneInfo) -> datetime:
    """Email and SMS wait for the end of the member's quiet hours; the bell does not ring aloud."""
    if not person.quiet:
        return at
    start, end = person.quiet
    local = at.astimezone(zone)
    t = local.time()
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return at
    day = local.date() if t < end else local.date() + timedelta(days=1)
    return clock.at(day, end, zone)


def _rows(
    kind: str,
    source_id: int,
    stamp: str,
    mdt_id: int,
    wants: list[Want],
    people: dict[int, Settings],
    zone: ZoneInfo,
    now: datetime,
) -> list[dict]:
    rows = []
    for w in wants:
        if w.at < now - timedelta(minutes=5) and not (
            w.lead == "creation" and w.at > now - timedelta(hours=1)
        ):
            continue  # a lead time already past when the source appeared or moved
        if w.person_id is not None:
            rows.append(
                {
                    "key": f"{kind}:{source_id}:{stamp}:{w.purpose}:{w.lead}:p{w.person_id}:{w.channel}",
                    "mdt_id": mdt_id,
                    "member_id": None,
                    "person_id": w.person_id,
                    "source_type": kind,
                    "source_id": source_id,
                    "purpose": w.purpose,
                    "lead": w.lead,
                    "channel": w.channel,
                    "scheduled_at": w.at,
                }
            )
            continue
        person = people.get(w.member_id) if w.member_id is not None else None
        if person is None:
            continue  # no longer active
        for channel in person.channels:
            if channel == "sms" and not person.phone:
                continue
            at = w.at if channel == "app" else _quiet_shift(w.at, person, zone)
            if channel == "email" and person.digest:
                at = _digest_time(at, zone, now)
            rows.append(
                {
                    "key": f"{kind}:{source_id}:{stamp}:{w.purpose}:{w.lead}:{w.member_id}:{channel}",
                    "mdt_id": mdt_id,
                    "member_id": w.member_id,
                    "person_id": None,
                    "source_type": kind,
                    "source_id": source_id,
                    "purpose": w.purpose,
                    "lead": w.lead,
                    "channel": channel,
                    "scheduled_at": at,
                }
            )
    return rows


# --------------------------------------------------------------- one deriver per kind of source
# Each returns {source_id: (mdt_id, stamp, [Want])}; the stamp (the source's date) is part of the
# key, so that moving a source makes new reminders while the ones already sent stay history.


def _expand(wants: list[Want], people: dict[int, Settings], now: datetime) -> list[Want]:
    """Turn "lead:<kind>" placeholders (``at`` is the event's time) into one Want per lead time
    the member chose. Lead times already past when the meeting or court date is set (a hearing
    fixed for the day after tomorrow) are caught up by one reminder now, the nearest of them."""
    out = []
    for w in wants:
        if not w.lead.startswith("lead:") or w.member_id is None:
            out.append(w)
            continue
        person = people.get(w.member_id)
        if person is None:
            continue
        past = []
        for days in _leads(person, w.lead[5:]):
            when = w.at - timedelta(days=days)
            if when >= now - timedelta(minutes=5):
                out.append(Want(w.member_id, w.purpose, f"{days}d", when))
            else:
                past.append(days)
        if past and w.at > now:
            out.append(Want(w.member_id, w.purpose, f"{min(past)}d", now))
    return out


def _wanted(kind: str, ids: list[int], now: datetime, zones: dict) -> tuple[Derived, dict[str, dict]]:
    """Every reminder the sources ``ids`` should give from ``now`` on, by key."""
    derived = SOURCES[kind].derive(ids, now, zones)
    people = _people({w.member_id for _, _, wants in derived.values() for w in wants if w.member_id})
    wanted: dict[str, dict] = {}
    for source_id, (mdt_id, stamp, wants) in derived.items():
        zone = zone_of(mdt_id, zones)
        for row in _rows(kind, source_id, stamp, mdt_id, _expand(wants, people, now), people, zone, now):
            wanted[row["key"]] = row
    return derived, wanted


def plan(kind: str, ids, now: datetime | None = None) -> list[dict]:
    """The whole plan of the sources ``ids`` from ``now`` on, in time order: what the outbox
    will hold, one after the other (it holds only the next of each, see ``_next_only``)."""
    now = now or clock.now()
    _, wanted = _wanted(kind, sorted({int(i) for i in ids}), now, {})
    return sorted(wanted.values(), key=lambda row: (row["scheduled_at"], row["key"]))


DONE = ("sending", "sent", "failed")


def _next_only(wanted: dict[str, dict], known: dict) -> dict[str, dict]:
    """Of the reminders one recipient should get from one source, for one purpose and on one
    channel, the outbox holds only the next one not yet sent (or being sent); the one after it is
    derived when this one is claimed (``sending.claim``). Moving a deadline then moves one row
    per recipient and channel instead of five, and the outbox stays about a fifth of the size."""
    chosen: dict[tuple, tuple[str, dict]] = {}
    for key, row in sorted(wanted.items(), key=lambda item: (item[1]["scheduled_at"], item[0])):
        e = known.get(key)
        if e is not None and e.status in DONE:
            continue
        group = (row["source_id"], row["purpose"], row["member_id"], row["person_id"], row["channel"])
        chosen.setdefault(group, (key, row))
    return dict(chosen.values())


def sync(kind: str, ids, now: datetime | None = None) -> dict:
    """Make the outbox match the sources ``ids`` of ``kind``. Returns counts."""
    now = now or clock.now()
    ids = sorted({int(i) for i in ids})
    counts = {"added": 0, "moved": 0, "cancelled": 0}
    zones: dict = {}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        derived, wanted = _wanted(kind, chunk, now, zones)
        existing = db.session.execute(
            select(
                Reminder.id, Reminder.key, Reminder.status, Reminder.scheduled_at, Reminder.attempts
            ).where(Reminder.source_type == kind, Reminder.source_id.in_(chunk))
        ).all()
        known = {e.key: e for e in existing}
        wanted = _next_only(wanted, known)
        live = {source_id: stamp for source_id, (_, stamp, wants) in derived.items() if wants}

        def settled(e, live=live) -> bool:
            """Left as it is: a due reminder the sweep has not reached yet, or one waiting to be
            tried again, still goes at its own time, unless its source closed or moved."""
            if e.status != "pending" or (e.scheduled_at > now and not e.attempts):
                return False
            _, source_id, stamp = e.key.split(":", 3)[:3]
            return live.get(int(source_id)) == stamp

        cancel = [e.id for e in existing if e.status == "pending" and e.key not in wanted and not settled(e)]
        moves = []
        for key, row in wanted.items():
            e = known.get(key)
            if e is None or settled(e):
                continue
            if e.status == "cancelled" or (e.status == "pending" and e.scheduled_at != row["scheduled_at"]):
                moves.append(
                    {
                        "id": e.id,
                        "scheduled_at": row["scheduled_at"],
                        "status": "pending",
                        "attempts": 0,
                        "last_error": None,
                    }
                )
        new = [row for key, row in wanted.items() if key not in known]
        if cancel:
            db.session.execute(
                update(Reminder)
                .where(Reminder.id.in_(cancel), Reminder.status == "pending")
                .values(status="cancelled"),
                execution_options={"synchronize_session": False},
            )
        if moves:
            bulk.update_rows(Reminder, moves)
        if new:
            _insert_ignoring_duplicates(new, now)
        counts["added"] += len(new)
        counts["moved"] += len(moves)
        counts["cancelled"] += len(cancel)
    return counts


def _insert_ignoring_duplicates(rows: list[dict], now: datetime) -> None:
    for row in rows:
        row.update(status="pending", attempts=0, created_at=now)
    bulk.insert_rows(Reminder, rows, skip_conflicts_on=["key"])
