"""Accounts, passwords and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from mdt import clock
from mdt.audit.services import record
from mdt.auth import sessions
from mdt.auth.models import ApiToken, CalendarFeed, WorkerHeartbeat
from mdt.auth.state import state
from mdt.directory.models import Member
from mdt.errors import ValidationError
from mdt.extensions import db

# scrypt (Werkzeug's default) with its standard work factors.
PASSWORD_METHOD = "scrypt"
MIN_PASSWORD_LENGTH = 10
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
    from flask_babel import lazy_gettext as _l

    errors = {}
    if not member.password_hash or not check_password_hash(member.password_hash, current or ""):
        errors["current_password"] = [str(_l("This is not your current password."))]
    if len(new or "") < MIN_PASSWORD_LENGTH:
        errors["new_password"] = [str(_l("At least %(n)s characters.", n=MIN_PASSWORD_LENGTH))]
    elif new != repeat:
        errors["repeat_password"] = [str(_l("The two new passwords differ."))]
    if errors:
        raise ValidationError("Password not changed.", errors)
    member.password_hash = hash_password(new)
    db.session.flush()
    ended = sessions.end(member.id, keep_current=True)
    record(member, "member.password", member, detail={"sessions_ended": ended})


def end_access(actor, member: Member, why: str) -> dict:
    """End every way ``member`` is signed in, at once: web sessions, API tokens and calendar feeds
    (a deactivation; a password set by an administrator ends the sessions only). Reactivating the
    member later brings none of them back."""
    now = clock.now()
    ended = {"sessions": sessions.end(member.id), "tokens": 0, "feeds": 0}
    if why == "deactivated":
        for token in db.session.scalars(
            select(ApiToken).where(ApiToken.member_id == member.id, ApiToken.revoked_at.is_(None))
        ):
            token.revoked_at = now
            ended["tokens"] += 1
        for feed in db.session.scalars(
            select(CalendarFeed).where(CalendarFeed.member_id == member.id, CalendarFeed.revoked_at.is_(None))
        ):
            feed.revoked_at = now
            ended["feeds"] += 1
    db.session.flush()
    record(actor, "member.access_ended", member, detail={"why": why, **ended})
    return ended
