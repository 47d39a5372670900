"""What a reminder says. Neutral on purpose: a phone or mailbox may be read by an employer or a
relative, so no message names a person, a claim or what happened, and none uses the words
"trafficking", "victim", "exploitation" or "case". Each is worded in the recipient's language and
links into the app, where the reader's rights decide what they see."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import select

from mdt.cases.models import Person as Returnee
from mdt.directory.models import Mdt, Member
from mdt.extensions import db
from mdt.reminders.registry import SOURCES
from mdt.reminders.wants import contactable

FORBIDDEN = ("trafficking", "victim", "exploitation", "case")
# The same words in each language messages to people are written in (tests check every one).
FORBIDDEN_IN = {
    "en": FORBIDDEN,
    "th": ("ค้ามนุษย์", "เหยื่อ", "แสวงประโยชน์", "คดี", "เคส"),
    "fil": ("trafficking", "biktima", "pagsasamantala", "kaso"),
    "my": ("လူကုန်ကူး", "သားကောင်", "ခေါင်းပုံဖြတ်", "အမှု"),
    "km": ("ជួញដូរមនុស្ស", "ជនរងគ្រោះ", "កេងប្រវ័ញ្ច", "សំណុំរឿង", "ករណី"),
    "lo": ("ຄ້າມະນຸດ", "ຜູ້ເຄາະຮ້າຍ", "ຂູດຮີດ", "ຄະດີ"),
}
# How a person's languages are written in their record (free text), per language a message to
# them can be written in; the first one named wins.
PERSON_LANGUAGES = {
    "th": ("thai", "ไทย"),
    "fil": ("filipino", "tagalog"),
    "my": ("burmese", "myanmar", "မြန်မာ"),
    "km": ("khmer", "cambodian", "ខ្មែរ"),
    "lo": ("lao", "laotian", "ລາວ"),
    "en": ("english",),
}
COUNTRY_LANGUAGE = {"TH": "th", "PH": "fil"}


def person_language(languages: str | None, country: str | None) -> str:
    """The language of a message to a person: the first of their languages we write in, else the
    MDT's country's language, else English."""
    speaks = (languages or "").lower()
    named = [
        (speaks.find(word), code)
        for code, words in PERSON_LANGUAGES.items()
        for word in words
        if word in speaks
    ]
    if named:
        return min(named)[1]
    return COUNTRY_LANGUAGE.get(country or "", "en")


@dataclass
class Recipient:
    """Who a reminder goes to: a member of the MDT, or the person themself."""

    id: int
    email: str | None
    phone: str | None
    language: str
    zone: ZoneInfo
    is_person: bool = False


def members_as_recipients(member_ids) -> dict[int, Recipient]:
    """The members a batch of reminders goes to, in one query."""
    rows = db.session.execute(
        select(Member.id, Member.email, Member.phone, Member.ui_language, Mdt.timezone)
        .join(Mdt, Mdt.id == Member.mdt_id)
        .where(Member.id.in_({i for i in member_ids if i is not None}))
    )
    return {
        r.id: Recipient(r.id, r.email, r.phone, r.ui_language or "en", ZoneInfo(r.timezone)) for r in rows
    }


def people_as_recipients(person_ids) -> dict[int, Recipient]:
    """The people themselves a batch of reminders goes to, in one query."""
    rows = db.session.execute(
        select(Returnee.id, Returnee.email, Returnee.phone, Returnee.languages, Mdt.country, Mdt.timezone)
        .join(Mdt, Mdt.id == Returnee.mdt_id)
        .where(Returnee.id.in_({i for i in person_ids if i is not None}))
    )
    return {
        r.id: Recipient(
            r.id, r.email, r.phone, person_language(r.languages, r.country), ZoneInfo(r.timezone), True
        )
        for r in rows
    }


def recipient_of(reminder) -> Recipient:
    if reminder.member_id is not None:
        m = reminder.member
        return Recipient(m.id, m.email, m.phone, m.ui_language or "en", ZoneInfo(m.mdt.timezone))
    p = reminder.person
    mdt = db.session.get_one(Mdt, p.mdt_id)
    language = person_language(p.languages, mdt.country)
    return Recipient(p.id, p.email, p.phone, language, ZoneInfo(mdt.timezone), True)


@dataclass
class Message:
    subject: str
    text: str
    html: str
    link: str
    ics: bytes | None = None


def _source(reminder):
    return db.session.get(SOURCES[reminder.source_type].model, reminder.source_id)


def load_sources(reminders) -> dict[str, dict[int, object]]:
    """The sources of a batch of reminders, one query per kind. Keep what this returns while the
    batch is worked on: ``_source`` then finds each in the session without asking again."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for r in reminders:
        wanted[r.source_type].add(r.source_id)
    out = {}
    for kind, ids in wanted.items():
        model: Any = SOURCES[kind].model
        out[kind] = {s.id: s for s in db.session.scalars(select(model).where(model.id.in_(ids)))}
    return out


def still_wanted(reminder) -> bool:
    """A last look before sending: is the source still open, and may the person still be
    contacted? (The outbox follows its sources in the same transaction; this guards against
    anything that slipped past.)"""
    src = _source(reminder)
    if src is None:
        return False
    if reminder.person_id is not None and not _person_may_be_contacted(reminder, src):
        return False
    return SOURCES[reminder.source_type].still_open(src)


def _person_may_be_contacted(reminder, src) -> bool:
    """Consent withdrawn, details changed or no longer confirmed safe on the case the reminder is
    about: the message stays unsent."""
    source = SOURCES[reminder.source_type]
    cases = source.person_cases(src, reminder.person_id) if source.person_cases else []
    return any(reminder.channel in channels for _, channels in contactable(cases).values())


def person_case(reminder) -> int | None:
    """The case a reminder to the person is about (the first, by id, of their cases the source
    names on which they may be contacted on the reminder's channel): a reply to it goes to that
    case's team."""
    src = _source(reminder)
    source = SOURCES[reminder.source_type]
    if src is None or reminder.person_id is None or not source.person_cases:
        return None
    reachable = contactable(source.person_cases(src, reminder.person_id))
    return min((c for c, (_p, channels) in reachable.items() if reminder.channel in channels), default=None)


def base_url() -> str:
    return (current_app.config.get("MDT_BASE_URL") or "http://localhost:5000").rstrip("/")


def compose(reminder, to: Recipient) -> Message:
    source = SOURCES[reminder.source_type]
    src = _source(reminder)
    root = base_url()
    with force_locale(to.language):
        when = source.when(src, to.zone)
        if reminder.purpose == "claimant":
            # To the person themself, on a phone others may read: an appointment, nothing more.
            subject = _("Reminder: appointment on %(when)s", when=when)
            body = _(
                "You have an appointment on %(when)s. The person helping you will tell you "
                "where, and can help with travel.",
                when=when,
            )
            html = f"<!doctype html><html><body><p>{escape(body)}</p></body></html>"
            return Message(subject=subject, text=body + "\n", html=html, link="")
        worded = source.word(src, reminder.purpose, when, root)
        more = _("Details (after you log in): %(link)s", link=worded.link)
        text = f"{worded.body}\n\n{more}\n"
        html = (
            f"<!doctype html><html><body><p>{escape(worded.body)}</p>"
            f'<p><a href="{escape(worded.link)}">{escape(_("Open the details"))}</a></p></body></html>'
        )
    return Message(subject=worded.subject, text=text, html=html, link=worded.link, ics=worded.ics)


def sms_text(message: Message) -> str:
    return f"{message.subject}. {message.link}" if message.link else message.text.strip()


def digest(messages: list[Message], to: Recipient) -> Message:
    """The morning digest: several reminders in one email, each with its link."""
    with force_locale(to.language):
        subject = ngettext("Your reminders: %(num)s item", "Your reminders: %(num)s items", len(messages))
    text = "\n\n".join(f"- {m.subject}\n  {m.link}" for m in messages) + "\n"
    items = "".join(
        f'<li>{escape(m.subject)} <a href="{escape(m.link)}">{escape(m.link)}</a></li>' for m in messages
    )
    return Message(
        subject=subject,
        text=text,
        html=f"<!doctype html><html><body><ul>{items}</ul></body></html>",
        link=messages[0].link,
    )
