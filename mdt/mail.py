"""Sending one email: over SMTP when ``MDT_SMTP_URL`` is set (``smtp://user:pass@host:587?starttls=1``
or ``smtps://...``), else written as a file under the instance folder (the embedded default).
Reminders (``mdt.reminders.channels``) and account mail (``mdt.auth.mail``) both go out here."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app


def connect(url: str) -> smtplib.SMTP:
    parts = urlsplit(str(url))
    host = parts.hostname or "localhost"
    timeout = float(current_app.config.get("MDT_SMTP_TIMEOUT", 10))
    if parts.scheme == "smtps":
        conn: smtplib.SMTP = smtplib.SMTP_SSL(
            host, parts.port or 465, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = smtplib.SMTP(host, parts.port or 25, timeout=timeout)
        if parse_qs(parts.query).get("starttls", ["0"])[0] in ("1", "true", "yes"):
            conn.starttls(context=ssl.create_default_context())
    if parts.username:
        conn.login(unquote(parts.username), unquote(parts.password or ""))
    return conn


def new_message(to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = current_app.config.get("MDT_MAIL_FROM") or "MDT reminders <no-reply@localhost>"
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain="mdt.local")
    mail.set_content(text)
    if html:
        mail.add_alternative(html, subtype="html")
    return mail


def send_one(mail: EmailMessage, folder: Path, name: str) -> None:
    """Send ``mail`` on its own connection, or, with no SMTP server configured, write it to
    ``folder/name``."""
    url = current_app.config.get("MDT_SMTP_URL")
    if not url:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / name
        path.touch(mode=0o600)  # a reset link is a key to an account: the operator's eyes only
        path.write_bytes(bytes(mail))
        return
    conn = connect(url)
    try:
        conn.send_message(mail)
    finally:
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            pass


def outbox_dir(mdt_id: int) -> Path:
    """The folder of one MDT's mail and SMS log on the embedded default (no SMTP server, no SMS
    provider): one folder per MDT, so that each MDT's coordinators read only their own."""
    path = Path(current_app.instance_path) / "outbox" / f"mdt-{int(mdt_id)}"
    path.mkdir(parents=True, exist_ok=True)
    return path
