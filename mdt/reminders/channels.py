"""Ways out: the in-app bell, email over SMTP (or files in instance/outbox/mdt-<id>/ when no SMTP
server is configured) and SMS behind a small interface whose only backend so far writes to a log
in the same folder."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

from mdt.extensions import db
from mdt.mail import connect, new_message
from mdt.notifications.models import Notification
from mdt.reminders.messages import Message, sms_text

log = logging.getLogger("mdt.reminders")


class Undeliverable(Exception):
    """This message cannot go out (the reason is kept on the reminder)."""


def outbox_dir(mdt_id: int) -> Path:
    """The folder of one MDT's mail and SMS log on the embedded default (no SMTP server, no SMS
    provider): one folder per MDT, so that each MDT's coordinators read only their own."""
    path = Path(current_app.instance_path) / "outbox" / f"mdt-{int(mdt_id)}"
    path.mkdir(parents=True, exist_ok=True)
    return path


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


class LogSms:
    """Until a provider is configured: each SMS is a line in the MDT's outbox folder, sms.log."""

    def send(self, mdt_id: int, number: str, text: str) -> None:
        with (outbox_dir(mdt_id) / "sms.log").open("a", encoding="utf-8") as f:
            f.write(f"{number}\t{text}\n")
        log.info("SMS to %s: %s", number, text)


class SmsChannel:
    name = "sms"

    def __init__(self, backend=None):
        self.backend = backend or LogSms()

    def send(self, reminder, to, message: Message) -> None:
        if not to.phone:
            raise Undeliverable("no phone number")
        self.backend.send(reminder.mdt_id, to.phone, sms_text(message))

    def close(self) -> None:
        pass


def open_channels() -> dict:
    return {"app": AppChannel(), "email": EmailChannel(), "sms": SmsChannel()}
