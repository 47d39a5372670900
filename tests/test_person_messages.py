"""Issue 13, section 4: messages to returnees in their language (Thai, Filipino, Burmese, Khmer,
Lao, English), chosen from the languages in their record, and neutral in every one of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mdt.extensions import db
from mdt.legal import services as legal
from mdt.referrals import services as referrals
from mdt.reminders.messages import FORBIDDEN_IN, compose, person_language, recipient_of, sms_text
from mdt.reminders.models import Reminder
from tests import factories as f


@pytest.mark.parametrize(
    "languages, country, language",
    [
        ("Burmese, some Thai", "TH", "my"),
        ("Thai; Burmese", "TH", "th"),
        ("Khmer", "TH", "km"),
        ("ລາວ", "TH", "lo"),
        ("Tagalog", "TH", "fil"),
        ("", "TH", "th"),
        (None, "PH", "fil"),
        ("Shan", "XX", "en"),
    ],
)
def test_the_language_of_a_message_to_a_person(languages, country, language):
    assert person_language(languages, country) == language


@pytest.mark.parametrize(
    "languages, language, words",
    [
        ("English", "en", "You have an appointment"),
        ("Thai", "th", "นัด"),
        ("Filipino", "fil", "appointment"),
        ("Burmese", "my", "ချိန်းဆို"),
        ("Khmer", "km", "ណាត់ជួប"),
        ("Lao", "lo", "ນັດໝາຍ"),
    ],
)
def test_a_hearing_reminder_to_the_person_is_in_their_language_and_neutral(world, languages, language, words):
    case = f.client_case(world)
    person = case.person
    person.phone, person.contact_safe, person.languages = "+66 81 000 0000", True, languages
    m = f.matter(world, [case])
    starts = (datetime.now(UTC) + timedelta(days=10)).replace(hour=3, minute=0)
    legal.schedule_hearing(
        world["lawyer"], m, {"starts_at": starts.isoformat(), "purpose": "Trafficking case"}
    )
    referrals.record_consent(world["social"], case, {"purpose": "contact_sms", "given": True})
    db.session.commit()
    reminder = db.session.scalars(select(Reminder).where(Reminder.purpose == "claimant")).first()
    to = recipient_of(reminder)
    assert to.language == language
    message = compose(reminder, to)
    text = " ".join((message.subject, message.text, message.html, sms_text(message))).lower()
    assert words.lower() in text
    for forbidden in set(FORBIDDEN_IN[language]) | set(FORBIDDEN_IN["en"]):
        assert forbidden.lower() not in text, (language, forbidden)
    if language == "th":
        assert str(starts.year + 543) in text  # the Buddhist era in a Thai message
