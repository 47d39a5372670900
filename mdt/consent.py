"""The person's consent: one decision, asked by everything that shares or contacts.

The question is always the same: *is consent live for this case, this purpose (and, for sharing,
this agency), on this date, and which parts of the case does it open?* The answer is the
**latest decision wins**:

- Every consent record is a decision for one key: ``(purpose, agency)`` for sharing with an
  agency, ``(purpose,)`` for the other purposes (legal action, contact by SMS or email).
- The latest record of that key recorded on or before the date decides (by ``recorded_on``, then
  by the order of recording). A refusal is a decision; so is a withdrawal or an expiry of the
  latest record. An older consent never comes back to life because a later one ended.
- It is live when that record was given, is not withdrawn and has not expired on the date.
- Scope is explicit: the parts it names, never "all" by default. The person's identity always
  travels with a sharing consent (``record_consent`` adds it); the rest is chosen.

Two forms of the same rule, side by side below and checked against each other and against a
ten-line reference model by a property test (tests/test_consent.py):

- Python, over the consents of one case: ``decide``, ``for_case``, ``effective``.
- SQL, for lists, reminders and exports: ``live_sql`` (a condition to put in a WHERE clause).

Consumers: the policy's sharing rules (``mdt.policy``), the referral gate, reminder
contactability, the legal-action gate, agenda and minutes redaction (through the policy's SQL
filter), the iCalendar feeds (through the matter filter) and the API's ``effective`` list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, column, exists, or_, select, table
from sqlalchemy.sql.expression import ColumnElement

from mdt import clock
from mdt.errors import WorkflowError
from mdt.referrals.models import CONSENT_PURPOSES, SHARE_PARTS, Consent

SHARING = "share_with_agency"
CONTACT = ("contact_sms", "contact_email")
__all__ = [
    "CONSENT_PURPOSES",
    "SHARE_PARTS",
    "SHARING",
    "CONTACT",
    "Decision",
    "decide",
    "for_case",
    "effective",
    "live_sql",
]


def key_of(purpose: str, agency_id: int | None) -> tuple[str, int | None]:
    """The key a decision is about: the agency counts only for sharing."""
    return purpose, (agency_id if purpose == SHARING else None)


@dataclass(frozen=True)
class Decision:
    purpose: str
    agency_id: int | None
    consent: Consent | None  # the record that decided; None: never asked
    live: bool
    parts: frozenset[str]  # empty unless live

    @property
    def consent_id(self) -> int | None:
        return self.consent.id if self.consent is not None else None

    @property
    def state(self) -> str:
        """Why the decision is what it is: ``live``, ``refused``, ``withdrawn``, ``expired`` or
        ``none`` (never asked)."""
        if self.consent is None:
            return "none"
        if self.live:
            return "live"
        if not self.consent.given:
            return "refused"
        return "withdrawn" if self.consent.withdrawn_at is not None else "expired"


# ---------------------------------------------------------------- the rule, in Python


def _order(c: Consent) -> tuple[date, int]:
    return c.recorded_on, c.id or 0


def _live(c: Consent, on: date) -> bool:
    return bool(c.given) and c.withdrawn_at is None and (c.expires_on is None or c.expires_on >= on)


def decide(consents: Iterable[Consent], purpose: str, agency_id: int | None = None, *, on: date) -> Decision:
    """The decision for one key among ``consents`` (the records of one case) on ``on``."""
    key = key_of(purpose, agency_id)
    latest = max(
        (c for c in consents if key_of(c.purpose, c.agency_id) == key and c.recorded_on <= on),
        key=_order,
        default=None,
    )
    live = latest is not None and _live(latest, on)
    return Decision(
        purpose, key[1], latest, live, frozenset(latest.parts) if live and latest is not None else frozenset()
    )


def effective(consents: Iterable[Consent], *, on: date) -> list[Decision]:
    """One decision per key recorded on the case, sharing first, then by purpose and agency."""
    records = list(consents)
    keys = sorted(
        {key_of(c.purpose, c.agency_id) for c in records},
        key=lambda k: (CONSENT_PURPOSES.index(k[0]), k[1] or 0),
    )
    return [decide(records, purpose, agency_id, on=on) for purpose, agency_id in keys]


def for_case(case, purpose: str, agency_id: int | None = None, *, on: date | None = None) -> Decision:
    """The decision for ``case`` (its ``consents`` are loaded once per session), on ``on`` or
    today in the case's MDT."""
    return decide(case.consents, purpose, agency_id, on=on if on is not None else clock.today(case.mdt))


def live_share(case, agency_id: int) -> Consent | None:
    """The consent that decides, today, that ``case`` may be shared with the agency; None when
    the decision is not live (never given, refused, withdrawn or expired)."""
    found = for_case(case, SHARING, agency_id)
    return found.consent if found.live else None


def require_share(case, agency) -> Consent:
    """The live consent that allows sharing ``case`` with ``agency``, or a workflow refusal (409).
    Police and prosecutors also need a record that the risks were discussed with the person."""
    consent = live_share(case, agency.id)
    if consent is None:
        raise WorkflowError(
            str(
                _l(
                    "The person has not given consent to share this case with %(agency)s. Record their "
                    "consent first.",
                    agency=agency.name,
                )
            )
        )
    if agency.is_enforcement and not consent.risks_acknowledged:
        raise WorkflowError(
            str(
                _l(
                    "Sharing with %(agency)s needs the person's consent naming it and a record that the "
                    "risks were discussed.",
                    agency=agency.name,
                )
            )
        )
    return consent


def require_legal_action(case) -> Consent:
    """The live consent to legal action on ``case``, or a workflow refusal (409): the person
    decides whether to go to court."""
    found = for_case(case, "legal_action")
    if not found.live or found.consent is None:
        raise WorkflowError(
            str(
                _l(
                    "Case %(ref)s has no live consent to legal action: the person decides whether to go to "
                    "court. Record their consent first.",
                    ref=case.reference,
                )
            )
        )
    return found.consent


# ---------------------------------------------------------------- the same rule, in SQL


# The columns the decision reads, as a light table: live_sql is built on every list request, and
# an alias of the whole mapped table (or an ORM alias) costs about a millisecond to build.
_CONSENT = table(
    Consent.__tablename__,
    *(
        column(name, Consent.__table__.c[name].type)
        for name in (
            "id",
            "case_id",
            "purpose",
            "agency_id",
            "recorded_on",
            "given",
            "withdrawn_at",
            "expires_on",
        )
    ),
)


def live_sql(case_id, purpose: str, agency_id=None, *, on: date) -> ColumnElement[bool]:
    """SQL condition: the decision for ``case_id`` (a column or a value), ``purpose`` and, for
    sharing, ``agency_id`` (a column or a value) is live on ``on``."""
    c, later = _CONSENT.alias(), _CONSENT.alias()
    key = [c.c.case_id == case_id, c.c.purpose == purpose, c.c.recorded_on <= on]
    same_key = [later.c.case_id == c.c.case_id, later.c.purpose == c.c.purpose, later.c.recorded_on <= on]
    if purpose == SHARING:
        key.append(c.c.agency_id == agency_id)
        same_key.append(later.c.agency_id == c.c.agency_id)
    superseded = exists().where(
        *same_key,
        or_(
            later.c.recorded_on > c.c.recorded_on,
            and_(later.c.recorded_on == c.c.recorded_on, later.c.id > c.c.id),
        ),
    )
    return exists(
        select(c.c.id).where(
            *key,
            c.c.given.is_(True),
            c.c.withdrawn_at.is_(None),
            or_(c.c.expires_on.is_(None), c.c.expires_on >= on),
            ~superseded,
        )
    )
