"""What a reminder says. Neutral on purpose: a phone or mailbox may be read by an employer or a
relative, so no message names a person, a claim or what happened, and none uses the words
"trafficking", "victim", "exploitation" or "case". Each is worded in the recipient's language and
links into the app, where the reader's rights decide what they see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, format_date, format_datetime, gettext as _, ngettext
from markupsafe import escape

from sqlalchemy import select

from mdt.extensions import db

FORBIDDEN = ("trafficking", "victim", "exploitation", "case")


@dataclass
class Recipient:
    """Who a reminder goes to: a member of the MDT, or the person themself."""
    id: int
    email: str | None
    phone: str | None
    language: str
    zone: ZoneInfo
    is_person: bool = False


def recipient_of(reminder) -> Recipient:
    from mdt.directory.models import Mdt

    if reminder.member_id is not None:
        m = reminder.member
        return Recipient(m.id, m.email, m.phone, m.ui_language or "en", ZoneInfo(m.mdt.timezone))
    p = reminder.person
    mdt = db.session.get(Mdt, p.mdt_id)
    speaks = (p.languages or "").lower()
    thai = "thai" in speaks or "ไทย" in speaks or (mdt.country == "TH" and not speaks)
    return Recipient(p.id, p.email, p.phone, "th" if thai else "en", ZoneInfo(mdt.timezone), True)


@dataclass
class Message:
    subject: str
    text: str
    html: str
    link: str
    ics: bytes | None = None


def _source(reminder):
    from mdt.legal.models import Deadline, Hearing
    from mdt.meetings.models import ActionItem, Meeting
    from mdt.referrals.models import Referral

    model = {"meeting": Meeting, "hearing": Hearing, "deadline": Deadline, "action": ActionItem,
             "referral": Referral}[reminder.source_type]
    return db.session.get(model, reminder.source_id)


def still_wanted(reminder) -> bool:
    """A last look before sending: is the source still open? (The outbox follows its sources in
    the same transaction; this guards against anything that slipped past.)"""
    src = _source(reminder)
    if src is None:
        return False
    if reminder.person_id is not None and not _person_may_be_contacted(reminder):
        return False
    kind = reminder.source_type
    if kind == "meeting":
        return src.status == "published"
    if kind == "hearing":
        return src.status == "scheduled"
    if kind == "deadline":
        return src.status != "done"
    if kind == "action":
        return src.done_at is None
    return src.status == "pending"


def _person_may_be_contacted(reminder) -> bool:
    """Consent withdrawn, details changed or no longer confirmed safe: the message stays unsent."""
    from mdt.cases.models import Case
    from mdt.reminders.derive import contactable

    cases = db.session.scalars(select(Case.id).where(Case.person_id == reminder.person_id)).all()
    return any(reminder.channel in channels for _, channels in contactable(cases).values())


def base_url() -> str:
    return (current_app.config.get("MDT_BASE_URL") or "http://localhost:5000").rstrip("/")


def compose(reminder, to: Recipient) -> Message:
    src = _source(reminder)
    zone = to.zone
    root = base_url()
    with force_locale(to.language):
        when = _when(src, reminder.source_type, zone)
        kind, purpose = reminder.source_type, reminder.purpose
        ics = None
        if purpose == "claimant":
            # To the person themself, on a phone others may read: an appointment, nothing more.
            subject = _("Reminder: appointment on %(when)s", when=when)
            body = _("You have an appointment on %(when)s. The person helping you will tell you "
                     "where, and can help with travel.", when=when)
            html = f"<!doctype html><html><body><p>{escape(body)}</p></body></html>"
            return Message(subject=subject, text=body + "\n", html=html, link="")
        if kind == "meeting":
            from mdt.meetings.ics import meeting_ics

            link = f"{root}/meetings/{src.id}"
            subject = _("Reminder: meeting on %(when)s", when=when)
            body = _("You are invited to a meeting on %(when)s.", when=when)
            if src.location:
                body += " " + _("Place: %(place)s.", place=src.location)
            ics = meeting_ics(src, root)
        elif kind == "hearing":
            link = f"{root}/matters/{src.matter_id}#hearings"
            if purpose == "court_support":
                subject = _("Reminder: transport to be arranged for %(when)s", when=when)
                body = _("Transport and support are to be arranged for a court date on %(when)s.",
                         when=when)
            else:
                subject = _("Reminder: court date on %(when)s", when=when)
                body = _("A court date is set for %(when)s.", when=when)
            ics = _hearing_ics(src, root)
        elif kind == "deadline":
            link = f"{root}/matters/{src.matter_id}#deadlines"
            if purpose == "overdue":
                subject = _("Overdue: a time limit ended on %(when)s", when=when)
                body = _("A time limit ended on %(when)s and is not marked done.", when=when)
            elif purpose == "escalation":
                subject = _("Not yet done: a time limit ends on %(when)s", when=when)
                body = _("A time limit ends on %(when)s and is not marked done yet. Please check "
                         "with the lawyer responsible.", when=when)
            else:
                subject = _("Reminder: a time limit ends on %(when)s", when=when)
                body = _("A time limit ends on %(when)s.", when=when)
        elif kind == "action":
            link = f"{root}/actions"
            if purpose == "overdue":
                subject = _("Overdue: a task was due on %(when)s", when=when)
            else:
                subject = _("Reminder: a task is due on %(when)s", when=when)
            body = subject + "."
        else:
            link = f"{root}/referrals/{src.id}"
            subject = _("Reminder: a request awaits your answer by %(when)s", when=when)
            body = _("A request for services awaits your agency's answer by %(when)s.", when=when)
        more = _("Details (after you log in): %(link)s", link=link)
        text = f"{body}\n\n{more}\n"
        html = (f"<!doctype html><html><body><p>{escape(body)}</p>"
                f"<p><a href=\"{escape(link)}\">{escape(_('Open the details'))}</a></p></body></html>")
    return Message(subject=subject, text=text, html=html, link=link, ics=ics)


def _when(src, kind: str, zone: ZoneInfo) -> str:
    if kind in ("meeting", "hearing"):
        return format_datetime(src.starts_at.astimezone(zone), "medium", rebase=False)
    day: date = {"deadline": lambda: src.due_on, "action": lambda: src.due_on,
                 "referral": lambda: src.respond_by}[kind]()
    return format_date(day, "medium")


def _hearing_ics(hearing, root: str) -> bytes:
    from mdt.calendar.services import hearing_event
    from mdt.meetings.ics import single_event_ics

    return single_event_ics(hearing_event(hearing, root))


def sms_text(message: Message) -> str:
    return f"{message.subject}. {message.link}" if message.link else message.text.strip()



def digest(messages: list[Message], to: Recipient) -> Message:
    """The morning digest: several reminders in one email, each with its link."""
    with force_locale(to.language):
        subject = ngettext("Your reminders: %(num)s item", "Your reminders: %(num)s items",
                           len(messages))
    text = "\n\n".join(f"- {m.subject}\n  {m.link}" for m in messages) + "\n"
    items = "".join(f"<li>{escape(m.subject)} <a href=\"{escape(m.link)}\">{escape(m.link)}</a></li>"
                    for m in messages)
    return Message(subject=subject, text=text, html=f"<!doctype html><html><body><ul>{items}</ul></body></html>",
                   link=messages[0].link)
