"""Ways out: the in-app bell, email over SMTP (or files in instance/outbox/mdt-<id>/ when no SMTP
server is configured) and SMS through the configured provider (``mdt.sms``; by default a log in
the same folder)."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

from mdt.extensions import db
from mdt.mail import connect, new_message, outbox_dir
from mdt.notifications.models import Notification
from mdt.reminders.messages import Message, person_case, sms_text
from mdt.sms import services as sms

log = logging.getLogger("mdt.reminders")


class Undeliverable(Exception):
    """This message cannot go out (the reason is kept on the reminder)."""


class AppChannel:
    name = "app"

    def send(self, reminder, to, message: Message) -> None:

        if to.is_person:
            raise Undeliverable("the in-app bell reaches members only")
        db.session.add(Notification(member_id=to.id, kind="reminder", reminder_id=reminder.id))

    def close(self) -> None:
        pass


class EmailChannel:
    """One SMTP connection per batch, opened when first needed and opened again after an error."""

    name = "email"

    def __init__(self):
        self.url = current_app.config.get("MDT_SMTP_URL")
        self.sender = current_app.config.get("MDT_MAIL_FROM") or "MDT reminders <no-reply@localhost>"
        self.conn = None

    def _connect(self) -> smtplib.SMTP:
        return connect(str(self.url))

    def build(self, to, message: Message, reminder_id: int = 0) -> EmailMessage:
        mail = new_message(to.email, message.subject, message.text, message.html)
        mail.replace_header("From", self.sender)
        mail["X-MDT-Reminder"] = str(reminder_id)  # a number only: lets operators trace it
        if message.ics:
            mail.add_attachment(message.ics, maintype="text", subtype="calendar", filename="invitation.ics")
        return mail

    def send(self, reminder, to, message: Message) -> None:
        if not to.email:
            raise Undeliverable("no email address")
        mail = self.build(to, message, reminder.id)
        if not self.url:
            name = f"{reminder.id:09d}-{reminder.channel}.eml"
            (outbox_dir(reminder.mdt_id) / name).write_bytes(bytes(mail))
            return
        try:
            if self.conn is None:
                self.conn = self._connect()
            self.conn.send_message(mail)
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

    def send(self, reminder, to, message: Message) -> None:
        if not to.phone:
            raise Undeliverable("no phone number")
        case_id = person_case(reminder) if to.is_person else None
        try:
            sms.send(
                reminder.mdt_id,
                to.phone,
                sms_text(message),
                case_id=case_id,
                person_id=to.id if to.is_person else None,
                member_id=None if to.is_person else to.id,
                reminder_id=reminder.id,
            )
        except sms.NoNumber as exc:
            raise Undeliverable(str(exc)) from None

    def close(self) -> None:
        pass


def open_channels() -> dict:
    return {"app": AppChannel(), "email": EmailChannel(), "sms": SmsChannel()}
