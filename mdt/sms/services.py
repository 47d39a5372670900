"""Sending an SMS and recording it; what the provider's webhooks tell: delivery receipts, and
replies from the person.

A reply is matched to the case of the latest SMS sent to its number, and only when that message
went to the person of a case whose number on file is still that one: never to every person with
that phone, so that a reply reaches no team but the one that wrote. It becomes a note of that
case (read by the team under the note policy); STOP, in any language messages are written in,
also records the person's refusal of contact by SMS through the one consent decision, which stops
every SMS to them at once. A reply matched to no case is dropped with a log line that does not
show the number in full. Services flush; the caller commits."""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from mdt import clock, consent
from mdt.cases import services as cases
from mdt.cases.models import Case, Person
from mdt.directory.models import Mdt
from mdt.extensions import db
from mdt.referrals import services as referrals
from mdt.sms.models import SmsInbound, SmsMessage
from mdt.sms.numbers import masked, normalise
from mdt.sms.providers import Inbound, Receipt, configured

log = logging.getLogger("mdt.sms")

# The whole message, trimmed and in any case: STOP in each language messages to people are
# written in, and the language of the confirmation sent back.
STOP_WORDS = {
    "stop": "en",
    "stopall": "en",
    "unsubscribe": "en",
    "หยุด": "th",
    "tigil": "fil",
    "hinto": "fil",
    "ရပ်": "my",
    "ឈប់": "km",
    "ຢຸດ": "lo",
}
# Receipts may come out of order: a status never goes back (a final one stays).
RANK = {"queued": 0, "sent": 1, "delivered": 2, "failed": 2}
NOTE_MAX = 2000


class NoNumber(ValueError):
    """The number on file cannot be read as a phone number."""


@dataclass(frozen=True)
class Received:
    """What became of a reply: the case it was matched to (None: dropped), whether it was a STOP,
    and the confirmation to send back (the provider may send it in its answer)."""

    case_id: int | None
    stop: bool = False
    confirmation: str | None = None


def stop_language(text: str) -> str | None:
    """The language of a STOP (the whole message), or None when the message is not one."""
    word = unicodedata.normalize("NFC", text).strip().strip(".!").strip().casefold()
    return STOP_WORDS.get(word)


def confirmation(language: str) -> str:
    """Sent back after a STOP: neutral (a phone may be read by others), in the STOP's language."""
    with force_locale(language):
        return _("You will not get any more text messages from us.")


def clean(text: str) -> str:
    """A person's message as a note: no control characters but line breaks, at most NOTE_MAX
    characters. (It is shown escaped, like every note.)"""
    kept = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")
    return kept.strip()[:NOTE_MAX]


def send(
    mdt_id: int,
    number: str,
    text: str,
    *,
    case_id: int | None = None,
    person_id: int | None = None,
    member_id: int | None = None,
    reminder_id: int | None = None,
) -> SmsMessage:
    """Send ``text`` to ``number`` through the configured provider and record the message (no
    text kept). A provider's refusal raises ``SmsError`` and records nothing."""
    mdt = db.session.get_one(Mdt, mdt_id)
    to = normalise(number, mdt.country)
    if not to:
        raise NoNumber("the phone number on file cannot be used")
    provider = configured()
    provider_id = provider.send(mdt_id, to, text)
    message = SmsMessage(
        mdt_id=mdt_id,
        case_id=case_id,
        person_id=person_id,
        member_id=member_id,
        reminder_id=reminder_id,
        number=to,
        provider=provider.name,
        provider_id=provider_id,
        # The log provider sends no receipts: what it wrote is as far as the message goes.
        status="sent" if provider.name == "log" else "queued",
        sent_at=clock.now(),
    )
    db.session.add(message)
    db.session.flush()
    return message


def apply_receipt(provider: str, receipt: Receipt) -> SmsMessage | None:
    """A delivery receipt: the message's new status (None: no message of ours has that id)."""
    message = db.session.scalars(
        select(SmsMessage).where(
            SmsMessage.provider == provider, SmsMessage.provider_id == receipt.provider_id
        )
    ).first()
    if message is None:
        log.info("SMS receipt for an unknown message (%s)", provider)
        return None
    if RANK[receipt.status] > RANK[message.status]:
        message.status = receipt.status
        message.status_at = clock.now()
        if receipt.status == "failed":
            message.error = receipt.error
        db.session.flush()
    return message


def match(number: str) -> Case | None:
    """The case a reply from ``number`` belongs to: that of the latest SMS sent to the number, if
    that SMS went to the person of a case and their number on file is still that one."""
    last = db.session.scalars(
        select(SmsMessage)
        .where(SmsMessage.number == number)
        .order_by(SmsMessage.created_at.desc(), SmsMessage.id.desc())
    ).first()
    if last is None or last.case_id is None:
        return None
    case = db.session.get(Case, last.case_id)
    if case is None or case.deidentified_at is not None or case.person_id != last.person_id:
        return None
    if normalise(case.person.phone, case.mdt.country) != number:
        return None  # the person's number changed since: whoever has the old one now is not them
    # A phone shared by two people on file (a family's phone): the reply cannot be told to be this
    # person's, so it reaches no team rather than the wrong one.
    others = db.session.scalars(
        select(Person.phone).where(
            Person.mdt_id == case.mdt_id,
            Person.id != case.person_id,
            Person.phone.like(f"%{number[-4:]}%"),
        )
    )
    if any(normalise(phone, case.mdt.country) == number for phone in others):
        return None
    return case


def _refuse_elsewhere(case: Case) -> None:
    """STOP is the person's, not one case's: their other cases on which they may still be
    contacted by SMS get the same refusal (each team sees it among its consents; the reply itself
    stays a note of the matched case only)."""
    others = db.session.scalars(
        select(Case).where(
            Case.person_id == case.person_id, Case.id != case.id, Case.deidentified_at.is_(None)
        )
    ).all()
    for other in others:
        if consent.for_case(other, "contact_sms").live:
            referrals.record_sms_refusal(other)


def receive(provider: str, inbound: Inbound) -> Received:
    """A reply from the person (see the module's description). Posted again by the provider, it
    changes nothing."""
    seen = db.session.scalars(
        select(SmsInbound).where(
            SmsInbound.provider == provider, SmsInbound.provider_id == inbound.provider_id
        )
    ).first()
    if seen is not None:
        return Received(seen.case_id, seen.kind == "stop")
    number = normalise(inbound.number)
    case = match(number) if number else None
    if case is None:
        log.info("SMS reply from %s matched no case: dropped", masked(number or "?"))
        return Received(None)
    text = clean(inbound.text)
    language = stop_language(text)
    note = cases.add_sms_reply(case, text) if text else None
    refusal = None
    if language:
        refusal = referrals.record_sms_refusal(case)
        _refuse_elsewhere(case)
    last = db.session.scalars(
        select(SmsMessage.id)
        .where(SmsMessage.number == number, SmsMessage.case_id == case.id)
        .order_by(SmsMessage.created_at.desc(), SmsMessage.id.desc())
    ).first()
    db.session.add(
        SmsInbound(
            provider=provider,
            provider_id=inbound.provider_id,
            case_id=case.id,
            message_id=last,
            note_id=note.id if note else None,
            consent_id=refusal.id if refusal else None,
            kind="stop" if language else "reply",
        )
    )
    db.session.flush()
    return Received(case.id, bool(language), confirmation(language) if language else None)
