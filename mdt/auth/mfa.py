"""Two-step sign-in: a code from an authenticator app (TOTP, RFC 6238, with pyotp) after the
password, or one of ten single-use recovery codes. Each MDT chooses who must use it (roles, and
every member of some kinds of agency); a member who must and has not set it up is sent to set it
up at their next sign-in. Anyone may set it up on their profile.

A code is accepted once: the time step of the last accepted code is kept, and a code of that step
or an earlier one is refused (a code seen over a shoulder cannot be used again)."""

from __future__ import annotations

import hashlib
import secrets

import pyotp
import segno
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from mdt import clock
from mdt.audit.services import record
from mdt.auth.models import MfaEnrolment, RecoveryCode
from mdt.directory.models import Member
from mdt.errors import ValidationError
from mdt.extensions import db

DEFAULT_REQUIRED = ["admin", "coordinator", "lawyer", "agency:police", "agency:prosecutor"]
CHOICES = ["member", "coordinator", "lawyer", "admin", "viewer"] + [
    "agency:" + kind
    for kind in ("police", "prosecutor", "court", "labour", "social_welfare", "legal_aid", "ngo")
]
ISSUER = "MDT"
RECOVERY_CODES = 10
STEP = 30  # seconds


def required_for(mdt) -> list[str]:
    return list(DEFAULT_REQUIRED if mdt.mfa_required is None else mdt.mfa_required)


def set_required(actor, mdt, roles: list[str]) -> list[str]:
    """Who must use the second step in ``mdt`` (from ``CHOICES``)."""
    unknown = [r for r in roles if r not in CHOICES]
    if unknown:
        raise ValidationError("Unknown roles.", {"roles": [str(_l("Choose from the list."))]})
    before = required_for(mdt)
    mdt.mfa_required = sorted(set(roles), key=CHOICES.index)
    db.session.flush()
    record(actor, "mdt.mfa_required", mdt, detail={"changes": {"mfa_required": [before, mdt.mfa_required]}})
    return mdt.mfa_required


def must_use(member: Member) -> bool:
    """Whether ``member``'s MDT requires the second step of them."""
    needed = set(required_for(member.mdt))
    return bool(needed & set(member.roles or [])) or f"agency:{member.agency.kind}" in needed


def enrolment(member: Member) -> MfaEnrolment | None:
    return db.session.scalars(select(MfaEnrolment).where(MfaEnrolment.member_id == member.id)).first()


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(member: Member, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=member.email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code an authenticator app scans, as an SVG data: address (no script, no style)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _step_of(secret: str, code: str) -> int | None:
    """The time step (now, or one step either side for a slow phone clock) whose code is
    ``code``, or None."""
    code = "".join((code or "").split())
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = clock.now().timestamp()
    for drift in (0, -1, 1):
        at = now + drift * STEP
        if secrets.compare_digest(totp.at(at), code):
            return int(at // STEP)
    return None


def _bad_code() -> ValidationError:
    return ValidationError(
        "Wrong code.",
        {
            "code": [
                str(_l("That code is not right or was already used. Type the newest code your app shows."))
            ]
        },
    )


def enrol(member: Member, secret: str, code: str) -> list[str]:
    """Turn the second step on with ``secret`` once the member typed a code from it; the recovery
    codes (shown once)."""
    step = _step_of(secret, code)
    if step is None:
        raise _bad_code()
    existing = enrolment(member)
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    db.session.add(MfaEnrolment(member_id=member.id, secret=secret, enabled_at=clock.now(), last_step=step))
    codes = new_recovery_codes(member)
    record(member, "mfa.enrol", member)
    return codes


def verify(member: Member, code: str) -> str:
    """Check the second step: an app code (never one used before) or a recovery code (used up).
    Returns "app" or "recovery"; raises ValidationError otherwise."""
    found = enrolment(member)
    if found is None:
        raise _bad_code()
    step = _step_of(found.secret, code)
    if step is not None and step > found.last_step:
        found.last_step = step
        db.session.flush()
        return "app"
    if step is None and _use_recovery_code(member, code):
        remaining = recovery_codes_left(member)
        record(member, "mfa.recovery_code_used", member, detail={"remaining": remaining})
        return "recovery"
    raise _bad_code()


def _digest(code: str) -> str:
    return hashlib.sha256("".join(code.split()).replace("-", "").lower().encode()).hexdigest()


def new_recovery_codes(member: Member) -> list[str]:
    """Ten new recovery codes (the old ones stop working); only their hashes are kept."""
    for old in db.session.scalars(select(RecoveryCode).where(RecoveryCode.member_id == member.id)):
        db.session.delete(old)
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)  # 40 bits, typed as xxxxx-xxxxx
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(member_id=member.id, digest=_digest(raw)))
    db.session.flush()
    return codes


def _use_recovery_code(member: Member, code: str) -> bool:
    if not code or len(code) > 40:
        return False
    found = db.session.scalars(
        select(RecoveryCode).where(
            RecoveryCode.member_id == member.id,
            RecoveryCode.digest == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
    ).first()
    if found is None:
        return False
    found.used_at = clock.now()
    db.session.flush()
    return True


def recovery_codes_left(member: Member) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.member_id == member.id, RecoveryCode.used_at.is_(None))
        ).all()
    )


def reset(actor, member: Member) -> bool:
    """Remove the member's authenticator and recovery codes (a lost phone): they set it up again
    at their next sign-in if their MDT requires it."""
    found = enrolment(member)
    for old in db.session.scalars(select(RecoveryCode).where(RecoveryCode.member_id == member.id)):
        db.session.delete(old)
    if found is not None:
        db.session.delete(found)
    db.session.flush()
    record(actor, "mfa.reset", member)
    return found is not None
