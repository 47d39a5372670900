"""Accounts, passwords and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from mdt import clock, formats
from mdt.audit.services import record
from mdt.auth import passwords, sessions
from mdt.auth.models import ApiToken, CalendarFeed, KnownDevice, PasswordReset, WorkerHeartbeat
from mdt.auth.state import state
from mdt.directory.models import Member
from mdt.errors import ValidationError
from mdt.extensions import db
from mdt.mail import new_message, send_one

# scrypt (Werkzeug's default) with its standard work factors.
PASSWORD_METHOD = "scrypt"
MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH
_DUMMY_HASH = generate_password_hash("not-a-real-password", method=PASSWORD_METHOD)


def load_member(member_id: str):
    """Flask-Login's user loader: a deactivated member is logged out at the next request."""
    try:
        member = db.session.get(Member, int(member_id))
    except (TypeError, ValueError):
        return None
    return member if member is not None and member.active else None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


def authenticate(email: str, password: str) -> Member | None:
    member = db.session.scalars(
        select(Member).where(func.lower(Member.email) == (email or "").strip().lower())
    ).first()
    if member is None or not member.password_hash:
        check_password_hash(_DUMMY_HASH, password or "")  # same time whether or not the email exists
        return None
    if not check_password_hash(member.password_hash, password or ""):
        return None
    if not member.active:
        return None
    return member


def audit_sign_in(action: str, email: str, address: str, *, lockout: str | None = None) -> None:
    """A failed or refused sign-in, in the audit trail: the email typed and the address, the
    account it names (if any), and the lockout it reached. A lockout is also a row of its own."""
    typed = (email or "").strip().lower()[:254]
    member = db.session.scalars(select(Member).where(func.lower(Member.email) == typed)).first()
    detail = {"email": typed, "address": address}
    # No actor: whoever typed it is not known to be the member.
    record(None, action, member, detail={**detail, **({"lockout": lockout} if lockout else {})})
    if lockout and action == "auth.login_failed":
        record(None, "auth.lockout", member, detail={**detail, "limit": lockout})


def create_token(member: Member, name: str = "token", actor: Member | None = None) -> tuple[ApiToken, str]:
    raw = "mdt_" + secrets.token_urlsafe(32)
    token = ApiToken(
        member_id=member.id,
        name=name[:100] or "token",
        digest=hashlib.sha256(raw.encode()).hexdigest(),
        prefix=raw[:10],
    )
    db.session.add(token)
    db.session.flush()
    record(actor or member, "token.create", token, detail={"member_id": member.id, "name": token.name})
    return token, raw


def member_for_token(raw: str) -> Member | None:
    if not raw:
        return None
    digest = hashlib.sha256(raw.encode()).hexdigest()
    token = db.session.scalars(select(ApiToken).where(ApiToken.digest == digest)).first()
    if token is None or token.revoked_at is not None:
        return None
    member = db.session.get(Member, token.member_id)
    if member is None or not member.active:
        return None
    return member


def revoke_token(actor: Member, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        db.session.flush()
        record(actor, "token.revoke", token, detail={"member_id": token.member_id})


# ---------------------------------------------------------------- mail about the member's own account
# Neutral words on a screen others may see: no "case", no names of people helped. Sent by the Celery
# task ``workers.tasks.account_mail`` (the web answer takes the same time whether or not anything
# is sent); with no SMTP server, written to instance/outbox/account/, which no page lists.

RESET_MINUTES = 30


def queue_account_mail(kind: str, **kwargs) -> None:
    if current_app.config.get("MDT_ACCOUNT_MAIL_INLINE"):
        account_mail(kind, **kwargs)
    else:
        current_app.extensions["celery"].send_task(
            "workers.tasks.account_mail", kwargs={"kind": kind, **kwargs}
        )


def account_mail(kind: str, **kwargs) -> bool:
    """Compose and send one account mail; False when there is no one to send it to."""
    if kind == "reset":
        return _send_reset(kwargs["email"])
    if kind == "new_device":
        return _send_new_device(int(kwargs["member_id"]), kwargs.get("device", ""), kwargs.get("address", ""))
    raise ValueError(f"unknown account mail {kind!r}")


def _deliver(member: Member, subject: str, text: str) -> None:
    mail = new_message(member.email, subject, text)
    send_one(
        mail, Path(current_app.instance_path) / "outbox" / "account", f"{clock.now():%Y%m%dT%H%M%S%f}.eml"
    )


def _link(path: str) -> str:
    return current_app.config["MDT_BASE_URL"].rstrip("/") + path


def _send_reset(email: str) -> bool:
    typed = (email or "").strip().lower()
    member = db.session.scalars(select(Member).where(func.lower(Member.email) == typed)).first()
    if member is None or not member.active:
        return False
    now = clock.now()
    for older in db.session.scalars(
        select(PasswordReset).where(PasswordReset.member_id == member.id, PasswordReset.used_at.is_(None))
    ):
        older.used_at = now  # one live link at a time
    raw = secrets.token_urlsafe(32)
    db.session.add(
        PasswordReset(
            member_id=member.id,
            digest=hashlib.sha256(raw.encode()).hexdigest(),
            created_at=now,
            expires_at=now + timedelta(minutes=RESET_MINUTES),
        )
    )
    db.session.flush()
    record(None, "member.password_reset_sent", member)
    with force_locale(member.ui_language or "en"):
        subject = _("Your MDT account: choosing a new password")
        text = _(
            "Someone asked to choose a new password for your MDT account. To do it, open this link "
            "within %(minutes)s minutes (it works once):\n\n%(link)s\n\nIf it was not you, ignore this "
            "message: your password stays as it is.",
            minutes=RESET_MINUTES,
            link=_link(f"/password/reset/{raw}"),
        )
    _deliver(member, subject, text + "\n")
    return True


def reset_for(raw: str) -> PasswordReset | None:
    """The live reset link ``raw`` names (not used, not expired, its member active), or None."""
    if not raw or len(raw) > 100:
        return None
    reset = db.session.scalars(
        select(PasswordReset).where(PasswordReset.digest == hashlib.sha256(raw.encode()).hexdigest())
    ).first()
    if reset is None or reset.used_at is not None or reset.expires_at <= clock.now():
        return None
    return reset if reset.member.active else None


def reset_password(raw: str, new: str, repeat: str) -> Member:
    """Set a new password with a reset link: the link is used up and every session of the member
    ends. Raises ValidationError (nothing changed) for a dead link or a weak password."""
    reset = reset_for(raw)
    if reset is None:
        raise ValidationError("Dead link.", {"link": [str(_l("This link has expired or was already used."))]})
    member = reset.member
    weak = passwords.problems(new, email=member.email, name=member.name)
    if weak:
        raise ValidationError("Password not changed.", {"new_password": weak})
    if new != repeat:
        raise ValidationError(
            "Password not changed.", {"repeat_password": [str(_l("The two new passwords differ."))]}
        )
    member.password_hash = hash_password(new)
    reset.used_at = clock.now()
    db.session.flush()
    ended = end_access(member, member, "password_reset")
    record(member, "member.password_reset", member, detail={"sessions_ended": ended["sessions"]})
    return member


def _send_new_device(member_id: int, device: str, address: str) -> bool:
    member = db.session.get(Member, member_id)
    if member is None or not member.active:
        return False
    zone = ZoneInfo(member.mdt.timezone)
    with force_locale(member.ui_language or "en"):
        when = f"{formats.datetime(clock.now(), zone=zone)} ({zone.key})"
        subject = _("Your MDT account: a sign-in from a new browser")
        text = _(
            "Your MDT account was signed in from a browser it had not been used on before:\n\n"
            "%(device)s, %(when)s (network address %(address)s)\n\nIf this was you, there is nothing "
            "to do. If not, choose a new password now and sign out the other sessions: %(link)s",
            device=device or _("Unknown device"),
            when=when,
            address=address or "?",
            link=_link("/profile/sessions"),
        )
    _deliver(member, subject, text + "\n")
    return True


DEVICE_DAYS = 400


def known_device(member: Member, raw: str | None, label: str) -> tuple[bool, str]:
    """Signing in from the browser holding ``raw`` (its device cookie, or None): whether the
    member need not be told (the browser is known, or it is their first browser ever), and the
    cookie value to keep. A browser not known is remembered from now on."""
    now = clock.now()
    digest = hashlib.sha256(raw.encode()).hexdigest() if raw and len(raw) <= 100 else None
    if digest:
        device = db.session.scalars(
            select(KnownDevice).where(KnownDevice.member_id == member.id, KnownDevice.digest == digest)
        ).first()
        if device is not None:
            device.last_seen_at = now
            return True, str(raw)
    first_ever = db.session.scalar(select(func.count()).where(KnownDevice.member_id == member.id)) == 0
    cookie = raw if digest and raw else secrets.token_urlsafe(32)
    db.session.add(
        KnownDevice(
            member_id=member.id,
            digest=hashlib.sha256(cookie.encode()).hexdigest(),
            label=label[:120],
            first_seen_at=now,
            last_seen_at=now,
        )
    )
    db.session.flush()
    return first_ever, cookie


def purge_state() -> int:
    return state().purge()


def record_heartbeat(name: str) -> int:
    beat = db.session.scalars(select(WorkerHeartbeat).where(WorkerHeartbeat.name == name)).first()
    if beat is None:
        beat = WorkerHeartbeat(name=name, beats=0)
        db.session.add(beat)
    beat.beats += 1
    beat.seen_at = clock.now()
    db.session.flush()
    return beat.beats


def change_password(member: Member, current: str, new: str, repeat: str) -> None:
    errors = {}
    if not member.password_hash or not check_password_hash(member.password_hash, current or ""):
        errors["current_password"] = [str(_l("This is not your current password."))]
    weak = passwords.problems(new, email=member.email, name=member.name)
    if weak:
        errors["new_password"] = weak
    elif new != repeat:
        errors["repeat_password"] = [str(_l("The two new passwords differ."))]
    if errors:
        raise ValidationError("Password not changed.", errors)
    member.password_hash = hash_password(new)
    db.session.flush()
    ended = sessions.end(member.id, keep_current=True)
    record(member, "member.password", member, detail={"sessions_ended": ended})


def end_access(actor, member: Member, why: str) -> dict:
    """End every way ``member`` is signed in, at once. A deactivation ends web sessions, API
    tokens, calendar feeds and password-reset links; a new password (reset, or set by an
    administrator) ends sessions, API tokens and reset links (whoever knew the old password may
    have made a token). Reactivating the member later brings none of them back."""
    now = clock.now()
    ended = {"sessions": sessions.end(member.id), "tokens": 0, "feeds": 0}
    for token in db.session.scalars(
        select(ApiToken).where(ApiToken.member_id == member.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
        ended["tokens"] += 1
    if why == "deactivated":
        for feed in db.session.scalars(
            select(CalendarFeed).where(CalendarFeed.member_id == member.id, CalendarFeed.revoked_at.is_(None))
        ):
            feed.revoked_at = now
            ended["feeds"] += 1
    for link in db.session.scalars(
        select(PasswordReset).where(PasswordReset.member_id == member.id, PasswordReset.used_at.is_(None))
    ):
        link.used_at = now
    db.session.flush()
    record(actor, "member.access_ended", member, detail={"why": why, **ended})
    return ended
