"""What reminders each source should have: recipients, lead times and channels, computed in
batches so that recomputing 10,000 deadlines does not mean 10,000 round trips.

``sync(kind, ids)`` makes the outbox match: missing reminders are inserted (a unique key, with
ON CONFLICT DO NOTHING, so two transactions cannot insert one twice), pending ones whose time
moved are moved, pending ones no longer wanted are cancelled. Sent, failed and cancelled rows are
history and stay as they are. It runs in the caller's transaction (see ``hooks``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from mdt import clock, consent
from mdt.cases.models import Case
from mdt.cases.models import Person as Returnee
from mdt.directory.models import Agency, Member, Mdt
from mdt.extensions import db
from mdt.reminders.models import Reminder, ReminderPreference

DEFAULT_LEADS = {"meeting": [7, 1], "hearing": [14, 3, 1], "court_support": [3, 1]}
LONG_LEADS = [180, 90, 30, 14, 7]          # days before a long period ends
MORNING = time(8, 0)                        # "the morning of the day", MDT time
DEFAULT_CHANNELS = ["app", "email"]
BATCH = 500


@dataclass(frozen=True)
class Want:
    member_id: int | None
    purpose: str
    lead: str
    at: datetime           # UTC
    person_id: int | None = None    # the person themself (their court dates, with consent)
    channel: str | None = None      # fixed by that consent: "sms" or "email"


@dataclass
class Person:
    """A recipient's settings as the deriver needs them."""
    id: int
    mdt_id: int
    phone: str | None
    channels: list[str]
    leads: dict
    quiet: tuple[time, time] | None
    digest: bool = False


def _zone(mdt_id: int, cache: dict) -> ZoneInfo:
    if mdt_id not in cache:
        cache[mdt_id] = ZoneInfo(db.session.get(Mdt, mdt_id).timezone)
    return cache[mdt_id]


def _morning(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, MORNING, tzinfo=zone).astimezone(timezone.utc)


def _people(member_ids) -> dict[int, Person]:
    ids = list({m for m in member_ids if m})
    if not ids:
        return {}
    prefs = {p.member_id: p for p in db.session.scalars(
        select(ReminderPreference).where(ReminderPreference.member_id.in_(ids)))}
    out = {}
    for m in db.session.execute(select(Member.id, Member.mdt_id, Member.phone).where(
            Member.id.in_(ids), Member.active.is_(True))):
        p = prefs.get(m.id)
        quiet = None
        if p and p.quiet_start and p.quiet_end:
            quiet = (time.fromisoformat(p.quiet_start), time.fromisoformat(p.quiet_end))
        out[m.id] = Person(m.id, m.mdt_id, m.phone, list(p.channels) if p and p.channels
                           else DEFAULT_CHANNELS, dict(p.lead_days or {}) if p else {}, quiet,
                           bool(p and p.digest))
    return out


def _leads(person: Person, kind: str) -> list[int]:
    chosen = person.leads.get(kind)
    return [int(d) for d in chosen] if isinstance(chosen, list) else DEFAULT_LEADS[kind]


def _digest_time(at: datetime, zone: ZoneInfo, now: datetime) -> datetime:
    """A member who takes a daily digest gets the day's email reminders together, in the morning
    mail of that day (never later than planned: a reminder due before 08:00 joins the day before's)."""
    local = at.astimezone(zone)
    day = local.date() if local.time() >= MORNING else local.date() - timedelta(days=1)
    return max(_morning(day, zone), min(at, now))


def _quiet_shift(at: datetime, person: Person, zone: ZoneInfo) -> datetime:
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
    return datetime.combine(day, end, tzinfo=zone).astimezone(timezone.utc)


def _rows(kind: str, source_id: int, stamp: str, mdt_id: int, wants: list[Want],
          people: dict[int, Person], zone: ZoneInfo, now: datetime) -> list[dict]:
    rows = []
    for w in wants:
        if w.at < now - timedelta(minutes=5) and not (w.lead == "creation" and w.at > now - timedelta(hours=1)):
            continue     # a lead time already past when the source appeared or moved
        if w.person_id is not None:
            rows.append({"key": f"{kind}:{source_id}:{stamp}:{w.purpose}:{w.lead}:p{w.person_id}:{w.channel}",
                         "mdt_id": mdt_id, "member_id": None, "person_id": w.person_id,
                         "source_type": kind, "source_id": source_id, "purpose": w.purpose,
                         "lead": w.lead, "channel": w.channel, "scheduled_at": w.at})
            continue
        person = people.get(w.member_id)
        if person is None:
            continue     # no longer active
        for channel in person.channels:
            if channel == "sms" and not person.phone:
                continue
            at = w.at if channel == "app" else _quiet_shift(w.at, person, zone)
            if channel == "email" and person.digest:
                at = _digest_time(at, zone, now)
            rows.append({"key": f"{kind}:{source_id}:{stamp}:{w.purpose}:{w.lead}:{w.member_id}:{channel}",
                         "mdt_id": mdt_id, "member_id": w.member_id, "person_id": None,
                         "source_type": kind, "source_id": source_id, "purpose": w.purpose,
                         "lead": w.lead, "channel": channel, "scheduled_at": at})
    return rows


CLAIMANT_LEADS = [3, 1]       # days before a court date, in the morning


def contactable(case_ids) -> dict[int, tuple[int, list[str]]]:
    """For each case: its person and the channels they may be reminded on: a live consent to be
    contacted that way, the details on file, and the details confirmed safe to use."""
    ids = list(set(case_ids))
    if not ids:
        return {}
    out = {}
    for mdt_id in db.session.scalars(select(Case.mdt_id).where(Case.id.in_(ids)).distinct()):
        today = clock.today(db.session.get(Mdt, mdt_id))
        sms = consent.live_sql(Case.id, "contact_sms", on=today).label("sms")
        email = consent.live_sql(Case.id, "contact_email", on=today).label("email")
        for row in db.session.execute(
                select(Case.id, Returnee.id.label("person_id"), Returnee.phone,
                       Returnee.email.label("address"), sms, email)
                .join(Returnee, Returnee.id == Case.person_id)
                .where(Case.id.in_(ids), Case.mdt_id == mdt_id, Case.stage != "closed",
                       Returnee.contact_safe.is_(True))):
            channels = []
            if row.sms and row.phone:
                channels.append("sms")
            if row.email and row.address:
                channels.append("email")
            if channels:
                out[row.id] = (row.person_id, channels)
    return out


# --------------------------------------------------------------- one deriver per kind of source
# Each returns {source_id: (mdt_id, stamp, [Want])}; the stamp (the source's date) is part of the
# key, so that moving a source makes new reminders while the ones already sent stay history.

def _agency_members(agency_ids) -> dict[int, list[int]]:
    out = defaultdict(list)
    if agency_ids:
        for member_id, agency_id in db.session.execute(select(Member.id, Member.agency_id).where(
                Member.agency_id.in_(list(agency_ids)), Member.active.is_(True))):
            out[agency_id].append(member_id)
    return out


def _meetings(ids, now, zones):
    from mdt.meetings.models import Meeting

    meetings = db.session.scalars(select(Meeting).where(Meeting.id.in_(ids))).all()
    everyone = defaultdict(list)
    for mdt_id in {m.mdt_id for m in meetings}:
        everyone[mdt_id] = list(db.session.scalars(select(Agency.id).where(Agency.mdt_id == mdt_id)))
    wanted_agencies = {a for m in meetings for a in (m.invited_agency_ids or everyone[m.mdt_id])}
    members = _agency_members(wanted_agencies)
    out = {}
    for m in meetings:
        if m.status != "published" or m.starts_at <= now:
            out[m.id] = (m.mdt_id, "", [])
            continue
        recipients = {x for a in (m.invited_agency_ids or everyone[m.mdt_id]) for x in members[a]}
        out[m.id] = (m.mdt_id, m.starts_at.strftime("%Y%m%dT%H%M"),
                     [Want(r, "reminder", "lead:meeting", m.starts_at) for r in recipients])
    return out


def _hearings(ids, now, zones):
    from mdt.legal.models import Claimant, Hearing, HearingSupport, LegalMatter, MatterLawyer

    rows = db.session.execute(select(Hearing, LegalMatter.mdt_id).join(
        LegalMatter, LegalMatter.id == Hearing.matter_id).where(Hearing.id.in_(ids))).all()
    lawyers = defaultdict(list)
    for matter_id, member_id in db.session.execute(select(MatterLawyer.matter_id, MatterLawyer.member_id)
                                                   .where(MatterLawyer.matter_id.in_({h.matter_id for h, _ in rows}))):
        lawyers[matter_id].append(member_id)
    support = defaultdict(set)
    for hearing_id, owner_id in db.session.execute(select(HearingSupport.hearing_id, HearingSupport.owner_id)
                                                   .where(HearingSupport.hearing_id.in_(ids),
                                                          HearingSupport.kind == "transport",
                                                          HearingSupport.owner_id.is_not(None))):
        support[hearing_id].add(owner_id)
    claimants = defaultdict(list)
    for matter_id, case_id in db.session.execute(select(Claimant.matter_id, Claimant.case_id).where(
            Claimant.matter_id.in_({h.matter_id for h, _ in rows}), Claimant.status == "active")):
        claimants[matter_id].append(case_id)
    reachable = contactable(c for cases in claimants.values() for c in cases)
    out = {}
    for h, mdt_id in rows:
        if h.status != "scheduled" or h.starts_at <= now:
            out[h.id] = (mdt_id, "", [])
            continue
        wants = [Want(r, "reminder", "lead:hearing", h.starts_at) for r in lawyers[h.matter_id]]
        wants += [Want(r, "court_support", "lead:court_support", h.starts_at) for r in support[h.id]]
        zone = _zone(mdt_id, zones)
        local_day = h.starts_at.astimezone(zone).date()
        for case_id in claimants[h.matter_id]:
            if case_id in reachable:
                person_id, channels = reachable[case_id]
                wants += [Want(None, "claimant", f"{d}d", _morning(local_day - timedelta(days=d), zone),
                               person_id=person_id, channel=ch)
                          for d in CLAIMANT_LEADS for ch in channels]
        out[h.id] = (mdt_id, h.starts_at.strftime("%Y%m%dT%H%M"), wants)
    return out


def _deadline_times(created: date, due: date, calendar, zone: ZoneInfo) -> list[tuple[str, datetime]]:
    """LEGAL_RULES.md: short periods (5-15 days, so up to three weeks once holidays push the last
    day on) at creation, midpoint, 3 and 1 working days before and the morning of the last day;
    longer ones 180, 90, 30, 14 and 7 days before (those after the creation) and the last day."""
    out = []
    if (due - created).days <= 21:
        out.append(("creation", None))
        out.append(("midpoint", _morning(created + timedelta(days=(due - created).days // 2), zone)))
        for n, label in ((3, "3wd"), (1, "1wd")):
            day, left = due, n
            while left:
                day -= timedelta(days=1)
                if calendar is None or calendar.is_working_day(day):
                    left -= 1
            out.append((label, _morning(day, zone)))
    else:
        out += [(f"{d}d", _morning(due - timedelta(days=d), zone)) for d in LONG_LEADS
                if due - timedelta(days=d) >= created]
    out.append(("lastday", _morning(due, zone)))
    return out


def _next_overdue(now: datetime, zone: ZoneInfo) -> tuple[str, datetime]:
    """Overdue reminders go every morning until closed; this is the next one."""
    local = now.astimezone(zone)
    day = local.date() if local.time() < MORNING else local.date() + timedelta(days=1)
    return f"overdue:{day.isoformat()}", _morning(day, zone)


def _deadlines(ids, now, zones):
    from mdt.legal.models import Deadline, LegalMatter, MatterLawyer
    from mdt.legal.services import court_calendar
    from mdt.notifications.services import coordinators

    rows = db.session.execute(select(Deadline.id, Deadline.matter_id, Deadline.due_on, Deadline.status,
                                     Deadline.created_at, LegalMatter.mdt_id, LegalMatter.jurisdiction,
                                     LegalMatter.forum, LegalMatter.supervising_lawyer_id)
                              .join(LegalMatter, LegalMatter.id == Deadline.matter_id)
                              .where(Deadline.id.in_(ids))).all()
    lawyers = defaultdict(list)
    for matter_id, member_id in db.session.execute(select(MatterLawyer.matter_id, MatterLawyer.member_id)
                                                   .where(MatterLawyer.matter_id.in_({r.matter_id for r in rows}))):
        lawyers[matter_id].append(member_id)
    coords = {mdt_id: coordinators(mdt_id) for mdt_id in {r.mdt_id for r in rows}}
    calendars = {}
    out = {}
    for r in rows:
        zone = _zone(r.mdt_id, zones)
        if r.status == "done":
            out[r.id] = (r.mdt_id, "", [])
            continue
        key = (r.jurisdiction, r.forum or "")
        if key not in calendars:
            calendars[key] = court_calendar(*key)
        created = r.created_at.astimezone(zone).date()
        wants = []
        if r.due_on >= now.astimezone(zone).date():
            for label, at in _deadline_times(created, r.due_on, calendars[key], zone):
                at = at or r.created_at
                wants += [Want(m, "reminder", label, at) for m in lawyers[r.matter_id]]
                if label == "1wd":    # escalation if still not done then
                    wants += [Want(m, "escalation", label, at + timedelta(hours=4))
                              for m in {*coords[r.mdt_id], r.supervising_lawyer_id} - {None}]
        else:
            label, at = _next_overdue(now, zone)
            wants += [Want(m, "overdue", label, at) for m in
                      {*lawyers[r.matter_id], *coords[r.mdt_id], r.supervising_lawyer_id} - {None}]
        out[r.id] = (r.mdt_id, r.due_on.isoformat(), wants)
    return out


def _actions(ids, now, zones):
    from mdt.meetings.models import ActionItem

    items = db.session.scalars(select(ActionItem).where(ActionItem.id.in_(ids))).all()
    members = _agency_members({i.owner_agency_id for i in items if not i.owner_id})
    out = {}
    for i in items:
        zone = _zone(i.mdt_id, zones)
        if i.done_at is not None:
            out[i.id] = (i.mdt_id, "", [])
            continue
        recipients = [i.owner_id] if i.owner_id else members[i.owner_agency_id]
        if i.due_on >= now.astimezone(zone).date():
            wants = [Want(r, "reminder", "due", _morning(i.due_on, zone)) for r in recipients]
        else:
            label, at = _next_overdue(now, zone)
            wants = [Want(r, "overdue", label, at) for r in recipients]
        out[i.id] = (i.mdt_id, i.due_on.isoformat(), wants)
    return out


def _referrals(ids, now, zones):
    from mdt.referrals.models import Referral

    rows = db.session.execute(select(Referral.id, Referral.mdt_id, Referral.status, Referral.respond_by,
                                     Referral.to_agency_id).where(Referral.id.in_(ids))).all()
    members = _agency_members({r.to_agency_id for r in rows})
    out = {}
    for r in rows:
        zone = _zone(r.mdt_id, zones)
        if r.status != "pending":
            out[r.id] = (r.mdt_id, "", [])
            continue
        out[r.id] = (r.mdt_id, r.respond_by.isoformat(),
                     [Want(m, "reminder", "due", _morning(r.respond_by, zone))
                      for m in members[r.to_agency_id]])
    return out


DERIVERS = {"meeting": _meetings, "hearing": _hearings, "deadline": _deadlines,
            "action": _actions, "referral": _referrals}


def _expand(wants: list[Want], people: dict[int, Person], now: datetime) -> list[Want]:
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


def sync(kind: str, ids, now: datetime | None = None) -> dict:
    """Make the outbox match the sources ``ids`` of ``kind``. Returns counts."""
    now = now or clock.now()
    ids = sorted({int(i) for i in ids})
    counts = {"added": 0, "moved": 0, "cancelled": 0}
    zones: dict = {}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        derived = DERIVERS[kind](chunk, now, zones)
        people = _people({w.member_id for _, _, wants in derived.values() for w in wants if w.member_id})
        wanted: dict[str, dict] = {}
        for source_id, (mdt_id, stamp, wants) in derived.items():
            zone = _zone(mdt_id, zones)
            for row in _rows(kind, source_id, stamp, mdt_id, _expand(wants, people, now), people, zone, now):
                wanted[row["key"]] = row
        existing = db.session.execute(select(Reminder.id, Reminder.key, Reminder.status,
                                             Reminder.scheduled_at).where(
            Reminder.source_type == kind, Reminder.source_id.in_(chunk))).all()
        known = {e.key: e for e in existing}
        live = {source_id: stamp for source_id, (_, stamp, wants) in derived.items() if wants}

        def keep_overdue(e) -> bool:
            """A due reminder the sweep has not reached yet still goes, unless its source closed
            or moved."""
            _, source_id, stamp = e.key.split(":", 3)[:3]
            return e.scheduled_at <= now and live.get(int(source_id)) == stamp

        cancel = [e.id for e in existing
                  if e.status == "pending" and e.key not in wanted and not keep_overdue(e)]
        moves = []
        for key, row in wanted.items():
            e = known.get(key)
            if e is None:
                continue
            if e.status == "cancelled" or (e.status == "pending" and e.scheduled_at != row["scheduled_at"]):
                moves.append({"id": e.id, "scheduled_at": row["scheduled_at"], "status": "pending",
                              "attempts": 0, "last_error": None})
        new = [row for key, row in wanted.items() if key not in known]
        if cancel:
            db.session.execute(update(Reminder).where(Reminder.id.in_(cancel), Reminder.status == "pending")
                               .values(status="cancelled"), execution_options={"synchronize_session": False})
        if moves:
            db.session.execute(update(Reminder), moves)
        if new:
            _insert_ignoring_duplicates(new, now)
        counts["added"] += len(new)
        counts["moved"] += len(moves)
        counts["cancelled"] += len(cancel)
    return counts


def _insert_ignoring_duplicates(rows: list[dict], now: datetime) -> None:
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    for row in rows:
        row.update(status="pending", attempts=0, created_at=now)
    # The rows themselves are the cost (about 70 µs each on PostgreSQL here, the same through raw
    # psycopg); multi-row VALUES and RETURNING batching were measured and are not faster.
    db.session.execute(insert(Reminder).on_conflict_do_nothing(index_elements=["key"]), rows)
