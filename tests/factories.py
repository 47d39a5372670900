"""Test data built through the services, so tests exercise the same rules as the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import update

from mdt.auth.services import create_token, hash_password
from mdt.cases import services as cases
from mdt.clock import now as _now
from mdt.directory.models import Agency, Mdt, Member
from mdt.extensions import db
from mdt.reminders.models import Reminder

PASSWORD = "correct-horse-battery"
_HASH = None


def password_hash() -> str:
    global _HASH
    if _HASH is None:
        _HASH = hash_password(PASSWORD)
    return _HASH


def mdt(code="TST", name="Test Province MDT", tz="Asia/Bangkok", mfa_required=()) -> Mdt:
    """An MDT; like the demo, nobody must use two-step sign-in unless the test says so."""
    m = Mdt(code=code, name=name, timezone=tz, country="TH", currency="THB", mfa_required=list(mfa_required))
    db.session.add(m)
    db.session.flush()
    return m


def agency(m: Mdt, name: str, kind: str, level="province") -> Agency:
    a = Agency(mdt_id=m.id, name=name, kind=kind, level=level)
    db.session.add(a)
    db.session.flush()
    return a


def member(m: Mdt, a: Agency, email: str, roles=("member",), name=None) -> Member:
    x = Member(
        mdt_id=m.id,
        agency_id=a.id,
        email=email,
        name=name or email.split("@")[0].title(),
        roles=list(roles),
        password_hash=password_hash(),
    )
    db.session.add(x)
    db.session.flush()
    return x


def case(actor: Member, given="Malee", family="Srisuk", sex="female", source="outreach", **extra):
    data = {
        "source": source,
        "person": {"given_name": given, "family_name": family, "sex": sex, **extra.pop("person", {})},
    }
    data.update(extra)
    c = cases.create_case(actor, data)
    db.session.flush()
    return c


def token(m: Member) -> str:
    _t, raw = create_token(m, "test")
    db.session.commit()
    return raw


@dataclass
class World:
    mdt: Mdt
    other_mdt: Mdt
    agencies: dict = field(default_factory=dict)
    members: dict = field(default_factory=dict)

    @classmethod
    def build(cls) -> World:
        m = mdt()
        other = mdt("OTH", "Other Province MDT")
        w = cls(mdt=m, other_mdt=other)
        w.agencies = {
            "sw": agency(m, "Social Welfare Office", "social_welfare"),
            "legal": agency(m, "Legal Aid NGO", "legal_aid"),
            "police": agency(m, "Provincial Police", "police"),
            "labour": agency(m, "Labour Office", "labour"),
            "other_sw": agency(other, "Other Social Welfare", "social_welfare"),
        }
        a = w.agencies
        w.members = {
            "social": member(m, a["sw"], "social@test.org"),
            "social2": member(m, a["sw"], "social2@test.org"),
            "coordinator": member(m, a["sw"], "coord@test.org", ("coordinator",)),
            "coord_labour": member(m, a["labour"], "coordlab@test.org", ("coordinator",)),
            "lawyer": member(m, a["legal"], "lawyer@test.org", ("lawyer",)),
            "police": member(m, a["police"], "police@test.org"),
            "labour": member(m, a["labour"], "labour@test.org"),
            "admin": member(m, a["labour"], "admin@test.org", ("admin",)),
            "viewer": member(m, a["labour"], "viewer@test.org", ("viewer",)),
            "outsider": member(other, a["other_sw"], "outsider@test.org", ("coordinator",)),
        }
        db.session.commit()
        return w

    def __getitem__(self, key: str) -> Member:
        return self.members[key]


ALL_PARTS = ["person", "episodes", "assessment", "plan", "notes"]


def client_case(world, given="Malee", legal_consent=True):
    """A case led by social welfare, shared (every part) with the legal aid NGO, with consent to
    go to court."""
    from mdt.referrals import services as referrals

    case_ = case(world["social"], given=given)
    referrals.record_consent(
        world["social"],
        case_,
        {
            "purpose": "share_with_agency",
            "given": True,
            "agency_id": world.agencies["legal"].id,
            "scope": ALL_PARTS,
        },
    )
    cases.set_team(world["social"], case_, [world.agencies["legal"].id], [])
    if legal_consent:
        referrals.record_consent(world["social"], case_, {"purpose": "legal_action", "given": True})
    db.session.commit()
    return case_


def matter(world, cases_, kind="labour", jurisdiction="TH", **extra):
    from mdt.legal import services as legal

    m = legal.create_matter(
        world["lawyer"],
        {
            "kind": kind,
            "jurisdiction": jurisdiction,
            "title": "Berry pickers v. Siam Overseas",
            "forum": "Central Labour Court",
            "respondents": [{"name": "Siam Overseas Manpower", "kind": "recruitment_agency"}],
            "claimants": [{"case_id": c.id, "amount_claimed": "191374.00"} for c in cases_],
            **extra,
        },
    )
    db.session.commit()
    return m


def meeting(world, days: float = 1, **extra):
    """A case conference hosted by social welfare, ``days`` from now (its agenda proposed)."""
    from mdt.meetings import services as meetings

    return meetings.create_meeting(
        world["coordinator"],
        {
            "title": "Conference",
            "kind": "case_conference",
            "starts_at": at(days),
            "host_agency_id": world.agencies["sw"].id,
            **extra,
        },
    )


def at(days: float, hour: int = 9) -> str:
    return (_now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0).isoformat()


def due_now() -> None:
    """Make every pending reminder due (as if time had passed)."""
    db.session.execute(
        update(Reminder)
        .where(Reminder.status == "pending")
        .values(scheduled_at=_now() - timedelta(seconds=1))
    )
    db.session.commit()


# ---------------------------------------------------------------- files


def png(size=(40, 30), colour=(200, 120, 40)) -> bytes:
    """A small real PNG."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_location(latitude=(13, 45, 0), longitude=(100, 30, 0)) -> bytes:
    """A JPEG whose EXIF says where and when it was taken (as a phone's photo does)."""
    import io

    from PIL import Image

    image = Image.new("RGB", (64, 48), (30, 90, 160))
    exif = image.getexif()
    exif[0x0132] = "2026:03:04 10:11:12"  # DateTime
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: latitude, 3: "E", 4: longitude}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def pdf(pages: int = 1, text: str = "") -> bytes:
    """A real PDF of ``pages`` blank pages; ``text`` goes in its metadata (a marker to look for)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if text:
        writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
