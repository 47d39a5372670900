"""Ways out: the in-app bell, email over SMTP (or files in instance/outbox/mdt-<id>/ when no SMTP
server is configured) and SMS through the configured provider (``mdt.sms``; by default a log in
the same folder)."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app
from sqlalchemy import insert

from mdt.extensions import db
from mdt.mail import connect, new_message, outbox_dir
from mdt.notifications.models import Notification
from mdt.reminders.messages import Message, Recipient, sms_text
from mdt.sms import services as sms

log = logging.getLogger("mdt.reminders")


class Undeliverable(Exception):
    """This message cannot go out (the reason is kept on the reminder)."""


@dataclass
class Outgoing:
    """One claimed reminder as its batch read it: plain values, so that committing one message
    does not make the next one read its reminder again. ``message`` is None when the reminder is
    no longer wanted, or when composing it failed (``error``)."""

    id: int
    channel: str
    mdt_id: int
    attempts: int
    to: Recipient
    message: Message | None
    error: Exception | None = None
    case_id: int | None = None  # an SMS to the person: the case their reply goes to
    digest: bool = False  # an email to a member who takes the daily digest


class AppChannel:
    """The bell: a row in the same database, written in the unit of work that marks the reminder
    sent, so a batch's bell messages are settled together (nothing leaves the app)."""

    name = "app"
    leaves_the_app = False

    def __init__(self):
        self.rows: list[dict] = []

    def send(self, out: Outgoing, message: Message) -> None:
        if out.to.is_person:
            raise Undeliverable("the in-app bell reaches members only")
        self.rows.append({"member_id": out.to.id, "kind": "reminder", "reminder_id": out.id})

    def write(self) -> None:
        """Write the notifications of the messages sent so far, in one statement."""
        if self.rows:
            db.session.execute(insert(Notification), self.rows)
            self.rows = []

    def close(self) -> None:
        pass


class EmailChannel:
    """One SMTP connection per batch, opened when first needed and opened again after an error.
    What a message says is built and flattened once per batch, however many read it (a meeting's
    invitees, a deadline's lawyers, tasks due the same day): each reader's own headers are then
    put before it."""

    name = "email"
    leaves_the_app = True

    def __init__(self):
        self.url = current_app.config.get("MDT_SMTP_URL")
        self.sender = current_app.config.get("MDT_MAIL_FROM") or "MDT reminders <no-reply@localhost>"
        self.envelope_from = parseaddr(self.sender)[1]
        self.conn = None
        self._said: dict[tuple, bytes] = {}

    def _connect(self) -> smtplib.SMTP:
        return connect(str(self.url))

    def _whole(self, to_email: str, message: Message) -> EmailMessage:
        mail = new_message(to_email, message.subject, message.text, message.html)
        mail.replace_header("From", self.sender)
        if message.ics:
            mail.add_attachment(message.ics, maintype="text", subtype="calendar", filename="invitation.ics")
        return mail

    def _said_once(self, message: Message) -> bytes:
        """The headers every reader shares (From, Subject, MIME) and the parts, flattened once per
        wording (the same morning's overdue tasks read alike, whatever task each is about)."""
        said = (message.subject, message.text, message.html, message.ics)
        if said not in self._said:
            mail = self._whole("", message)
            for name in ("To", "Date", "Message-ID"):
                del mail[name]
            self._said[said] = mail.as_bytes(policy=SMTP)
        return self._said[said]

    def build(self, to, message: Message, reminder_id: int = 0) -> tuple[bytes, tuple[str, ...]]:
        """The message as it goes to ``to``, and the SMTP options it needs."""
        if to.email.isascii() and to.email.isprintable():
            head = (
                f"To: {to.email}\r\nDate: {formatdate(localtime=False)}\r\n"
                f"Message-ID: {make_msgid(domain='mdt.local')}\r\n"
                f"X-MDT-Reminder: {reminder_id}\r\n"  # a number only: lets operators trace it
            )
            return head.encode("ascii") + self._said_once(message), ()
        mail = self._whole(to.email, message)  # an address in another script: SMTPUTF8
        mail["X-MDT-Reminder"] = str(reminder_id)
        return mail.as_bytes(policy=SMTPUTF8), ("SMTPUTF8", "BODY=8BITMIME")

    def send(self, out: Outgoing, message: Message) -> None:
        if not out.to.email:
            raise Undeliverable("no email address")
        raw, options = self.build(out.to, message, out.id)
        if not self.url:
            name = f"{out.id:09d}-{out.channel}.eml"
            (outbox_dir(out.mdt_id) / name).write_bytes(raw)
            return
        try:
            if self.conn is None:
                self.conn = self._connect()
            self.conn.sendmail(self.envelope_from, [out.to.email], raw, options)
        except (smtplib.SMTPException, OSError):
            self.close()  # a broken connection is not reused for the next message
            raise

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.conn = None


class SmsChannel:
    """SMS through the configured provider (``mdt.sms``: the outbox log until one is set), each
    message recorded with the case it is about when it goes to the person, so that their reply
    finds that case's team and no other."""

    name = "sms"
    leaves_the_app = True

    def send(self, out: Outgoing, message: Message) -> None:
        to = out.to
        if not to.phone:
            raise Undeliverable("no phone number")
        try:
            sms.send(
                out.mdt_id,
                to.phone,
                sms_text(message),
                case_id=out.case_id if to.is_person else None,
                person_id=to.id if to.is_person else None,
                member_id=None if to.is_person else to.id,
                reminder_id=out.id,
            )
        except sms.NoNumber as exc:
            raise Undeliverable(str(exc)) from None

    def close(self) -> None:
        pass


def open_channels() -> dict:
    return {"app": AppChannel(), "email": EmailChannel(), "sms": SmsChannel()}
