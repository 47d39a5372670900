"""National-size demo data (issue 17): every province of Thailand with its MDT (76 provinces and
Bangkok), a million cases skewed towards the provinces most migrant workers leave from, 5,000
members, 20,000 legal matters (group claims of up to 150 claimants), 100,000 hearings, 100,000
court deadlines and 50,000 meetings: ``flask --app mdt demo load --national [--scale 0.01]``.

Everything is inserted in bulk with SQLAlchemy Core (``insert(Model)`` over lists of dicts, ids
back with ``RETURNING`` in parameter order), in the command's one transaction, from one seeded
random stream: the same scale gives the same data. No audit rows are written per record (one
``demo.load`` row says what was loaded), as for ``add_synthetic_cases``.

What holds, as the services would have left it:
- each case has a lead agency of its MDT and was registered by a member of that agency (who
  therefore sees it in full); references follow ``next_reference`` (``CODE-YEAR-0001``, numbered
  per MDT and year in order of opening) and ``CaseCounter`` holds each year's last number;
- each claimant's case has the person's live consent to legal action and, when another agency
  leads the case, a live consent to share it with the lawyers' agency, which is on its team;
- each matter has lawyers (its creator among them) and respondents from the intermediary
  registry; each hearing has the court-support checklist; each deadline was computed from a
  recorded event by the rule pack in the database, with its trace (past ones are done, a tenth
  missed; the rest open);
- reminders are derived, with the same code the app runs, for the sources still ahead: scheduled
  hearings, open deadlines not yet due and published meetings to come. Missed deadlines get their
  daily overdue reminder from the beat's ``schedule_overdue`` (as in production).

Not generated: referrals, notes, assessments and plans, episode-to-intermediary links, action
items, notifications, documents and per-record audit rows.
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, text, update

from mdt import clock
from mdt.audit.services import record
from mdt.auth.services import hash_password
from mdt.cases.models import Case, CaseAgency, CaseCounter, Episode, Intermediary, Person
from mdt.demo.data import (
    DEMO_PASSWORD,
    DISTRICTS,
    FAMILY,
    GIVEN_F,
    GIVEN_M,
    NOTES,
    PLAN,
    SERVICES,
    SOURCES,
    STAGE_MIX,
    STORIES,
    DemoRefused,
)
from mdt.directory.models import ActionPlanEntry, Agency, Mdt, Member
from mdt.extensions import db
from mdt.legal.models import (
    Claimant,
    Deadline,
    DeadlineRule,
    Hearing,
    HearingSupport,
    LegalMatter,
    MatterEvent,
    MatterLawyer,
    MatterRespondent,
)
from mdt.legal.services import court_calendar
from mdt.legal.services.deadlines import _computed as computed_deadline
from mdt.meetings.models import AgendaItem, Meeting
from mdt.referrals.models import Consent, Service
from mdt.reminders.derive import sync as sync_reminders

SEED = 17
EMAIL_DOMAIN = "national.example.org"
# Full-scale counts; ``--scale`` multiplies them. The MDTs, their agencies and the few national
# viewers do not scale, and every MDT keeps at least one member in each working role.
CASES = 1_000_000
MEMBERS = 5_000
MATTERS = 20_000
HEARINGS = 100_000
DEADLINES = 100_000
MEETINGS = 50_000
NATIONAL_VIEWERS = 5
MAX_CLAIMANTS = 150
ZIPF = 1.1  # the share of the province ranked r is proportional to 1 / r**ZIPF
YEARS_BACK = 5  # cases opened over the last five years, more of them recently
BATCH = 5_000

# The 76 provinces and Bangkok with three-letter codes (PCB and PYO as in the small demo), ranked
# first by how many returnees they see (the northeast and the upper north send most workers
# abroad), then alphabetically.
PROVINCES = [
    ("UDN", "Udon Thani"),
    ("NMA", "Nakhon Ratchasima"),
    ("KKN", "Khon Kaen"),
    ("CPM", "Chaiyaphum"),
    ("UBN", "Ubon Ratchathani"),
    ("BRM", "Buriram"),
    ("SSK", "Sisaket"),
    ("CRI", "Chiang Rai"),
    ("PCB", "Phetchabun"),
    ("BKK", "Bangkok"),
    ("SRN", "Surin"),
    ("RET", "Roi Et"),
    ("KSN", "Kalasin"),
    ("SNK", "Sakon Nakhon"),
    ("NKI", "Nong Khai"),
    ("LPG", "Lampang"),
    ("PYO", "Phayao"),
    ("CMI", "Chiang Mai"),
    ("MKM", "Maha Sarakham"),
    ("LEI", "Loei"),
    ("ACR", "Amnat Charoen"),
    ("ATG", "Ang Thong"),
    ("BKN", "Bueng Kan"),
    ("CCO", "Chachoengsao"),
    ("CNT", "Chai Nat"),
    ("CTI", "Chanthaburi"),
    ("CBI", "Chonburi"),
    ("CPN", "Chumphon"),
    ("KPT", "Kamphaeng Phet"),
    ("KRI", "Kanchanaburi"),
    ("KBI", "Krabi"),
    ("LPN", "Lamphun"),
    ("LRI", "Lopburi"),
    ("MSN", "Mae Hong Son"),
    ("MDH", "Mukdahan"),
    ("NYK", "Nakhon Nayok"),
    ("NPT", "Nakhon Pathom"),
    ("NPM", "Nakhon Phanom"),
    ("NSN", "Nakhon Sawan"),
    ("NRT", "Nakhon Si Thammarat"),
    ("NAN", "Nan"),
    ("NWT", "Narathiwat"),
    ("NBP", "Nong Bua Lamphu"),
    ("NBI", "Nonthaburi"),
    ("PTE", "Pathum Thani"),
    ("PTN", "Pattani"),
    ("PNA", "Phang Nga"),
    ("PLG", "Phatthalung"),
    ("PBI", "Phetchaburi"),
    ("PCT", "Phichit"),
    ("PLK", "Phitsanulok"),
    ("AYA", "Phra Nakhon Si Ayutthaya"),
    ("PRE", "Phrae"),
    ("PKT", "Phuket"),
    ("PRI", "Prachinburi"),
    ("PKN", "Prachuap Khiri Khan"),
    ("RNG", "Ranong"),
    ("RBR", "Ratchaburi"),
    ("RYG", "Rayong"),
    ("SKW", "Sa Kaeo"),
    ("SPK", "Samut Prakan"),
    ("SKN", "Samut Sakhon"),
    ("SKM", "Samut Songkhram"),
    ("SRI", "Saraburi"),
    ("STN", "Satun"),
    ("SBR", "Sing Buri"),
    ("SKA", "Songkhla"),
    ("STI", "Sukhothai"),
    ("SPB", "Suphan Buri"),
    ("SNI", "Surat Thani"),
    ("TAK", "Tak"),
    ("TRG", "Trang"),
    ("TRT", "Trat"),
    ("UTI", "Uthai Thani"),
    ("UTD", "Uttaradit"),
    ("YLA", "Yala"),
    ("YST", "Yasothon"),
]

# Districts of the provinces with most cases (the capital district first); elsewhere the capital
# district ("Mueang <province>") only.
PROVINCE_DISTRICTS = {
    "UDN": ["Mueang Udon Thani", "Kumphawapi", "Ban Dung", "Nong Han", "Phen", "Ban Phue"],
    "NMA": ["Mueang Nakhon Ratchasima", "Pak Chong", "Sikhio", "Phimai", "Bua Yai", "Khon Buri"],
    "KKN": ["Mueang Khon Kaen", "Ban Phai", "Chum Phae", "Nam Phong", "Phon", "Kranuan"],
    "CPM": ["Mueang Chaiyaphum", "Phu Khiao", "Kaeng Khro", "Chatturat", "Nong Bua Daeng"],
    "UBN": ["Mueang Ubon Ratchathani", "Warin Chamrap", "Det Udom", "Phibun Mangsahan", "Trakan Phuet Phon"],
    "BRM": ["Mueang Buriram", "Nang Rong", "Lam Plai Mat", "Prakhon Chai", "Satuek"],
    "SSK": ["Mueang Sisaket", "Kantharalak", "Uthumphon Phisai", "Khukhan", "Rasi Salai"],
    "CRI": ["Mueang Chiang Rai", "Mae Sai", "Chiang Khong", "Phan", "Thoeng"],
    "PCB": [name for name, _subs in DISTRICTS],
    "BKK": ["Bang Kapi", "Lat Krabang", "Don Mueang", "Bang Khen", "Nong Chok", "Min Buri"],
    "PYO": ["Mueang Phayao", "Chiang Kham", "Dok Khamtai", "Pong", "Chun"],
}

# Agencies of every MDT: key, name (``{p}``: the province), kind, level. Members are spread over
# them by ``ROLE_MIX``.
AGENCIES = [
    ("sw", "{p} Provincial Office of Social Development and Human Security", "social_welfare", "province"),
    ("police", "{p} Provincial Police", "police", "province"),
    ("labour", "{p} Provincial Labour Protection and Welfare Office", "labour", "province"),
    ("employment", "{p} Provincial Employment Office", "employment", "province"),
    ("nfe", "{p} Non-Formal Education Centre", "education", "province"),
    ("prosecutor", "{p} Provincial Public Prosecutor", "prosecutor", "province"),
    ("legal", "Labour Rights Legal Aid Network, {p}", "legal_aid", "province"),
    ("campaign", "Migrant Workers Rights Campaign, {p}", "ngo", "province"),
    ("hospital", "{p} Hospital", "health", "province"),
    ("district", "{d} District Office", "local_government", "district"),
]
# Bangkok also holds the ministries whose read-only accounts see every MDT's figures.
NATIONAL_AGENCIES = [
    ("msdhs", "Ministry of Social Development and Human Security", "social_welfare", "national"),
    ("doe", "Department of Employment, Ministry of Labour", "employment", "national"),
]
# Share of an MDT's members per (agency, role, email prefix); at least one of each of the first
# four in every MDT (coordinators, social workers, lawyers, police).
ROLE_MIX = [
    ("sw", "coordinator", "coordinator", 0.04),
    ("sw", "member", "social", 0.40),
    ("legal", "lawyer", "lawyer", 0.08),
    ("police", "member", "police", 0.07),
    ("labour", "member", "labour", 0.08),
    ("employment", "member", "employment", 0.05),
    ("campaign", "member", "ngo", 0.07),
    ("hospital", "member", "health", 0.05),
    ("nfe", "member", "education", 0.03),
    ("prosecutor", "member", "prosecutor", 0.03),
    ("district", "volunteer", "volunteer", 0.05),
    ("district", "member", "district", 0.05),
]
REQUIRED_ROLES = 4
# Who leads cases: (agency key, weight).
LEADS = [("sw", 72), ("labour", 10), ("campaign", 8), ("legal", 5), ("employment", 5)]
FAMILY_ENDINGS = ["", "", "", "wong", "sakul", "chai", "siri", "phan", "porn", "rat", "thong"]
# Names as diverse as a country's: Thai family names are registered per family (hardly two
# families share one), so a surname is composed of two or three of these syllables (about 350,000
# names); half the given names too. A search then finds a person among a few namesakes, not among
# the hundreds a short list of names would give each.
SYLLABLES = [
    "sri", "wong", "kaew", "thong", "saeng", "chai", "phrom", "intha", "boon", "suk",
    "rat", "sak", "phan", "porn", "siri", "kul", "wat", "nak", "charoen", "rung",
    "suwan", "thana", "pra", "kit", "mongkol", "sombat", "chan", "dee", "jai", "kham",
    "lert", "mee", "nim", "ong", "pong", "ruang", "sawang", "thip", "udom", "wiset",
    "yod", "anan", "bun", "det", "ek", "fah", "ngam", "pet", "sin", "thai",
]  # fmt: skip
CLOSE_REASONS = [
    "Goals reached: running a small grocery shop at home.",
    "Moved to Bangkok for work; wishes no further contact.",
    "Settled with the agency; loan cancelled and land title returned.",
]
MATTER_KINDS = [("labour", 60), ("criminal", 32), ("administrative", 8)]
# Triggers each kind's deadlines come from (the TH rule pack); repeated triggers are per claimant.
HEARING_PURPOSES = [
    "Mediation",
    "First hearing",
    "Witness hearing",
    "Evidence hearing",
    "Settlement conference",
    "Judgment reading",
]
# The proceedings' events that start time limits, in the order they happen.
PROCEEDINGS = [
    "offence_committed",
    "offence_known",
    "first_evidence_hearing",
    "judgment_read",
    "appeal_received",
    "appeal_judgment_read",
]
SUPPORT = ("transport", "lodging", "interpreter", "witness_preparation")
MEETING_KINDS = [("case_conference", 60), ("regular", 30), ("subcommittee", 10)]
MEETING_TITLES = {
    "case_conference": "Case conference",
    "regular": "Monthly MDT meeting",
    "subcommittee": "Legal subcommittee",
}
PUBLISHED_AHEAD = timedelta(days=14)  # meetings further ahead are still drafts
MEETINGS_AHEAD = 30  # days: the furthest meeting planned
HEARINGS_AHEAD = 60  # days: the furthest hearing fixed
FUTURE_HEARINGS = 2  # a matter has at most the next two hearings fixed


@dataclass
class Province:
    mdt_id: int
    code: str
    name: str
    districts: list[str]
    agencies: dict[str, int] = field(default_factory=dict)
    members: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # agency key
    coordinators: list[int] = field(default_factory=list)
    lawyers: list[int] = field(default_factory=list)
    intermediaries: dict[tuple[str, str], int] = field(default_factory=dict)  # (name, kind)
    # Cases as (id, opened_on, creator, lead agency key, story index), for claims and agendas.
    cases: list[tuple[int, date, int, str, int]] = field(default_factory=list)


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders): the parts add up."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    parts = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def apportion_capped(total: int, weights: Sequence[float], caps: Sequence[int]) -> list[int]:
    """``apportion`` where no part may pass its cap: what a capped part cannot take goes to the
    others (less than ``total`` only when every cap is reached)."""
    parts = [0] * len(weights)
    left = min(total, sum(caps))
    while left > 0:
        open_ = [i for i in range(len(weights)) if parts[i] < caps[i] and weights[i] > 0]
        if not open_:
            break
        extra = apportion(left, [weights[i] for i in open_])
        for i, more in zip(open_, extra, strict=True):
            take = min(more, caps[i] - parts[i])
            parts[i] += take
            left -= take
        if not any(extra):
            break
    return parts


def zipf_weights(n: int, s: float = ZIPF) -> list[float]:
    return [1 / (rank**s) for rank in range(1, n + 1)]


# None written as NULL: otherwise the ORM's bulk insert groups the rows by which keys are None and
# sends each group apart (about a hundred times more statements here).
BULK = {"render_nulls": True}


def _ids(model, rows: list[dict]) -> list[int]:
    """Insert ``rows`` and give their new ids, in the order of the rows.

    On PostgreSQL the ids are taken from the table's sequence first and the rows sent with them
    (a pipelined executemany): three times faster than ``RETURNING`` in parameter order, which
    makes psycopg parse every multi-row statement again (150 against 45 µs a row, measured
    here). Elsewhere (SQLite, for the tests) ``RETURNING`` with ``sort_by_parameter_order``."""
    if not rows:
        return []
    if db.session.get_bind().dialect.name != "postgresql":
        statement = insert(model).returning(model.id, sort_by_parameter_order=True)
        return list(db.session.scalars(statement, rows, execution_options=BULK))
    table = model.__table__.name
    ids = list(
        db.session.scalars(
            text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, :n)"),
            {"n": len(rows)},
        )
    )
    for row, new_id in zip(rows, ids, strict=True):
        row["id"] = new_id
    _insert(model, rows)
    return ids


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH * 4):
        db.session.execute(insert(model), rows[start : start + BATCH * 4], execution_options=BULK)


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class Loader:
    def __init__(self, scale: float, say: Callable[[str], None]):
        self.scale = scale
        self.say = say
        self.rng = random.Random(SEED)
        self.names = random.Random(SEED + 1)  # a stream of its own: names change nothing else
        self.now = clock.now()
        self.zone = clock.zone("Asia/Bangkok")
        self.today = clock.today("Asia/Bangkok")
        self.provinces: list[Province] = []
        self.timings: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def n(self, full: int) -> int:
        return max(0, round(full * self.scale))

    def timed(self, label: str, step: Callable[[], int]) -> None:
        started = time.perf_counter()
        count = step()
        db.session.flush()
        self.timings[label] = time.perf_counter() - started
        self.counts[label] = count
        self.say(f"{label}: {count:,} in {self.timings[label]:.1f} s")

    def local(self, day: date, hour: int, minute: int = 0) -> datetime:
        return clock.at(day, clock_time(hour, minute), self.zone)

    # ------------------------------------------------------------------ the directory

    def directory(self) -> int:
        rng = self.rng
        password_hash = hash_password(DEMO_PASSWORD)  # once: hashing 5,000 times takes minutes
        mdt_rows = [
            {
                "code": code,
                "name": "Bangkok Metropolitan MDT" if code == "BKK" else f"{name} Provincial MDT",
                "timezone": "Asia/Bangkok",
                "country": "TH",
                "currency": "THB",
                "mfa_required": [],
                "created_at": self.now,
            }
            for code, name in PROVINCES
        ]
        for (code, name), mdt_id in zip(PROVINCES, _ids(Mdt, mdt_rows), strict=True):
            districts = PROVINCE_DISTRICTS.get(code, [f"Mueang {name}"])
            self.provinces.append(Province(mdt_id, code, name, districts))
        agency_rows, keys = [], []
        for p in self.provinces:
            templates = AGENCIES + (NATIONAL_AGENCIES if p.code == "BKK" else [])
            for key, name, kind, level in templates:
                area = p.districts[0] if level == "district" else (None if level == "national" else p.name)
                agency_rows.append(
                    {
                        "mdt_id": p.mdt_id,
                        "name": name.format(p=p.name, d=p.districts[0]),
                        "kind": kind,
                        "level": level,
                        "area": area,
                        "contact": f"0{rng.randint(20, 99)}-{rng.randint(100, 999)}-{rng.randint(100, 999)}",
                        "created_at": self.now,
                    }
                )
                keys.append((p, key))
        for (p, key), agency_id in zip(keys, _ids(Agency, agency_rows), strict=True):
            p.agencies[key] = agency_id
        # Members: in proportion to the MDT's cases, with at least one in each working role.
        shares = zipf_weights(len(self.provinces))
        quotas = apportion(self.n(MEMBERS), shares)
        member_rows, owners = [], []
        for p, quota in zip(self.provinces, quotas, strict=True):
            counts = [
                max(1 if i < REQUIRED_ROLES else 0, round(quota * share))
                for i, (_k, _r, _e, share) in enumerate(ROLE_MIX)
            ]
            for (key, role, prefix, _share), count in zip(ROLE_MIX, counts, strict=True):
                for k in range(1, count + 1):
                    female = rng.random() < 0.6
                    member_rows.append(
                        {
                            "mdt_id": p.mdt_id,
                            "agency_id": p.agencies[key],
                            "email": f"{prefix}{k}.{p.code.lower()}@{EMAIL_DOMAIN}",
                            "name": f"{self.given(female)} {self.family()}",
                            "roles": [role],
                            "password_hash": password_hash,
                            "languages": "th, en" if role != "volunteer" else "th",
                            "active": True,
                            "created_at": self.now,
                        }
                    )
                    owners.append((p, key, role))
            member_rows.append(
                {
                    "mdt_id": p.mdt_id,
                    "agency_id": p.agencies["sw"],
                    "email": f"admin.{p.code.lower()}@{EMAIL_DOMAIN}",
                    "name": f"{p.name} MDT Administrator",
                    "roles": ["admin"],
                    "password_hash": password_hash,
                    "languages": "th, en",
                    "active": True,
                    "created_at": self.now,
                }
            )
            owners.append((p, "sw", "admin"))
        bangkok = next(p for p in self.provinces if p.code == "BKK")
        for k in range(1, NATIONAL_VIEWERS + 1):
            member_rows.append(
                {
                    "mdt_id": bangkok.mdt_id,
                    "agency_id": bangkok.agencies["msdhs" if k % 2 else "doe"],
                    "email": f"viewer{k}.national@{EMAIL_DOMAIN}",
                    "name": f"National Monitoring Officer {k}",
                    "roles": ["viewer"],
                    "password_hash": password_hash,
                    "languages": "th, en",
                    "active": True,
                    "created_at": self.now,
                }
            )
            owners.append((bangkok, "msdhs", "viewer"))
        for (p, key, role), member_id in zip(owners, _ids(Member, member_rows), strict=True):
            if role in ("admin", "viewer", "volunteer"):
                continue  # they register no case
            p.members[key].append(member_id)
            if role == "coordinator":
                p.coordinators.append(member_id)
            elif role == "lawyer":
                p.lawyers.append(member_id)
        focal = []
        for p in self.provinces:
            focal.append({"id": p.agencies["sw"], "focal_person_id": p.coordinators[0]})
            focal.append({"id": p.agencies["legal"], "focal_person_id": p.lawyers[0]})
        db.session.execute(update(Agency), focal)
        self._plans_and_services()
        return len(member_rows)

    def _plans_and_services(self) -> None:
        plans, services = [], []
        for p in self.provinces:
            for position, (key, responsibility, timing) in enumerate(PLAN):
                plans.append(
                    {
                        "mdt_id": p.mdt_id,
                        "agency_id": p.agencies[key],
                        "responsibility": responsibility,
                        "timing": timing,
                        "position": position,
                    }
                )
            for key, category, name, days, areas in SERVICES:
                agency = "district" if key in ("lomsak", "nongphai") else key
                services.append(
                    {
                        "mdt_id": p.mdt_id,
                        "agency_id": p.agencies[agency],
                        "category": category,
                        "name": name,
                        "response_days": days,
                        "areas": p.districts[0] if areas else None,
                        "languages": "Thai, Lao",
                        "active": True,
                    }
                )
        _insert(ActionPlanEntry, plans)
        _insert(Service, services)

    def family(self) -> str:
        r = self.names
        if r.random() < 0.1:
            return r.choice(FAMILY) + r.choice(FAMILY_ENDINGS)
        syllables = "".join(r.choice(SYLLABLES) for _ in range(r.choice((2, 2, 3))))
        return syllables.capitalize() + r.choice(FAMILY_ENDINGS)

    def given(self, female: bool) -> str:
        r = self.names
        if r.random() < 0.5:
            return r.choice(GIVEN_F if female else GIVEN_M)
        return (r.choice(SYLLABLES) + r.choice(SYLLABLES)).capitalize()

    # ------------------------------------------------------------------ cases

    def cases(self) -> int:
        rng = self.rng
        quotas = apportion(self.n(CASES), zipf_weights(len(self.provinces)))
        story_weights = [s[0] for s in STORIES]
        lead_keys = [k for k, _w in LEADS]
        lead_weights = [w for _k, w in LEADS]
        span = YEARS_BACK * 365
        counters: list[dict] = []
        intermediaries = []
        for p in self.provinces:
            for _w, country, *_rest, chain in STORIES:
                for name, kind in chain:
                    if (name, kind) not in p.intermediaries:
                        p.intermediaries[(name, kind)] = 0
                        intermediaries.append(
                            {"mdt_id": p.mdt_id, "name": name, "kind": kind, "country": country}
                        )
        owners = [(p, key) for p in self.provinces for key in p.intermediaries]
        for (p, key), intermediary_id in zip(owners, _ids(Intermediary, intermediaries), strict=True):
            p.intermediaries[key] = intermediary_id
        total = 0
        for p, quota in zip(self.provinces, quotas, strict=True):
            # Opening days first, so that references number the cases in the order they opened.
            opened = sorted(
                self.today - timedelta(days=int(span * rng.random() ** 1.6)) for _ in range(quota)
            )
            numbers: dict[int, int] = defaultdict(int)
            for start in range(0, quota, BATCH):
                days = opened[start : start + BATCH]
                people, cases, episodes, meta = [], [], [], []
                for day in days:
                    story = rng.choices(range(len(STORIES)), story_weights)[0]
                    _w, country, sector, job, text, fee, debt, wages, _chain = STORIES[story]
                    female = sector in ("domestic_work", "garment") or rng.random() < 0.45
                    district = rng.choice(p.districts)
                    subdistricts = dict(DISTRICTS).get(district) if p.code == "PCB" else None
                    lead = rng.choices(lead_keys, lead_weights)[0]
                    if not p.members[lead]:
                        lead = "sw"
                    creator = rng.choice(p.members[lead])
                    when = min(self.now, self.local(day, rng.randint(8, 16), rng.randint(0, 59)))
                    stage = rng.choice(STAGE_MIX)
                    numbers[day.year] += 1
                    people.append(
                        {
                            "mdt_id": p.mdt_id,
                            "given_name": self.given(female),
                            "family_name": self.family(),
                            "sex": "female" if female else "male",
                            "date_of_birth": date(
                                rng.randint(1965, 2005), rng.randint(1, 12), rng.randint(1, 28)
                            ),
                            "phone": f"08{rng.randint(10000000, 99999999)}" if rng.random() < 0.7 else None,
                            "languages": "th" if rng.random() < 0.8 else "th, lo",
                            "home_province": p.name,
                            "home_district": district,
                            "home_subdistrict": rng.choice(subdistricts) if subdistricts else None,
                            "home_village": f"Moo {rng.randint(1, 15)}",
                            "created_at": when,
                        }
                    )
                    updated = min(self.now, when + timedelta(days=rng.randint(0, 200)))
                    closed = stage == "closed"
                    cases.append(
                        {
                            "mdt_id": p.mdt_id,
                            "reference": f"{p.code}-{day.year}-{numbers[day.year]:04d}",
                            "stage": stage,
                            "source": rng.choice(SOURCES),
                            "lead_agency_id": p.agencies[lead],
                            "summary": text,
                            "district": district,
                            "opened_on": day,
                            "closed_at": updated if closed else None,
                            "close_reason": rng.choice(CLOSE_REASONS) if closed else None,
                            "created_by_id": creator,
                            "created_at": when,
                            "updated_at": updated,
                        }
                    )
                    returned = day - timedelta(days=rng.randint(3, 40))
                    episodes.append(
                        {
                            "destination_country": country,
                            "sector": sector,
                            "job": job,
                            "departed_on": returned - timedelta(days=rng.randint(60, 400)),
                            "returned_on": returned,
                            "channel": rng.choice(("formal", "informal", "unknown")),
                            "currency": "THB",
                            "recruitment_fee": fee,
                            "debt_amount": debt,
                            "debt_lender": "Village money lender" if debt else None,
                            "wages_owed": wages,
                            "documents_withheld": "Passport" if sector == "domestic_work" else None,
                        }
                    )
                    meta.append((day, creator, lead, story))
                for row, person_id in zip(cases, _ids(Person, people), strict=True):
                    row["person_id"] = person_id
                case_ids = _ids(Case, cases)
                for row, case_id in zip(episodes, case_ids, strict=True):
                    row["case_id"] = case_id
                _insert(Episode, episodes)
                p.cases += [(case_id, *m) for case_id, m in zip(case_ids, meta, strict=True)]
                total += len(cases)
            counters += [{"mdt_id": p.mdt_id, "year": y, "last": last} for y, last in numbers.items()]
        _insert(CaseCounter, counters)
        return total

    # ------------------------------------------------------------------ legal matters

    def matters(self) -> int:
        rng = self.rng
        quotas = apportion(self.n(MATTERS), [len(p.cases) for p in self.provinces])
        kinds = [k for k, _w in MATTER_KINDS]
        kind_weights = [w for _k, w in MATTER_KINDS]
        self.matter_rows: list[dict[str, Any]] = []
        self.matter_meta: list[tuple[Province, list[int], list[tuple[int, date]]]] = []
        self.matter_chains: list[list[int]] = []  # the respondents: the story's intermediaries
        consents: dict[tuple[int, str], dict] = {}
        claimant_rows: list[dict] = []
        lawyer_rows: list[dict] = []
        respondent_rows: list[dict] = []
        by_story: dict[tuple[int, int], list] = defaultdict(list)
        for p in self.provinces:
            for case in p.cases:
                by_story[(p.mdt_id, case[4])].append(case)
        story_weights = [s[0] for s in STORIES]
        for p, quota in zip(self.provinces, quotas, strict=True):
            for _ in range(quota):
                story = rng.choices(range(len(STORIES)), story_weights)[0]
                pool = by_story[(p.mdt_id, story)] or p.cases
                size = self._claim_size(len(pool))
                # Workers who went together come back together: neighbours in order of opening.
                at = rng.randrange(len(pool) - size + 1)
                chosen = pool[at : at + size]
                kind = rng.choices(kinds, kind_weights)[0]
                latest = max(c[1] for c in chosen)
                created_day = min(self.today, latest + timedelta(days=rng.randint(5, 120)))
                created = min(self.now, self.local(created_day, 10))
                lawyers = rng.sample(p.lawyers, min(len(p.lawyers), rng.choice((1, 1, 2))))
                chain = STORIES[story][8]
                agency = chain[0][0]
                age = (self.today - created_day).days
                stage = self._matter_stage(age, rng)
                forum = {
                    "labour": "Central Labour Court",
                    "criminal": f"{p.name} Provincial Court",
                    "administrative": f"{p.name} Provincial Employment Office",
                }[kind]
                year_be = created_day.year + 543
                self.matter_rows.append(
                    {
                        "mdt_id": p.mdt_id,
                        "kind": kind,
                        "jurisdiction": "TH",
                        "title": {
                            "labour": f"{STORIES[story][3]} workers v. {agency}",
                            "criminal": f"Deceptive recruitment complaint against {agency}",
                            "administrative": f"Refund of recruitment fees: {agency}",
                        }[kind],
                        "forum": forum,
                        "docket_no": f"{kind.capitalize()} {rng.randint(1, 3000)}/{year_be}"
                        if stage != "fact_finding"
                        else None,
                        "stage": stage,
                        "supervising_lawyer_id": rng.choice(p.lawyers) if rng.random() < 0.3 else None,
                        "created_by_id": lawyers[0],
                        "created_at": created,
                        "updated_at": min(self.now, created + timedelta(days=rng.randint(0, 300))),
                    }
                )
                self.matter_meta.append((p, lawyers, [(c[0], c[1]) for c in chosen]))
                self.matter_chains.append(sorted({p.intermediaries[key] for key in chain}))
                for case_id, opened_on, creator, lead, _story in chosen:
                    recorded = max(opened_on, created_day - timedelta(days=rng.randint(0, 4)))
                    base = {
                        "case_id": case_id,
                        "given": True,
                        "recorded_on": recorded,
                        "recorded_by_id": creator,
                        "language": "Thai",
                        "risks_acknowledged": False,
                        "created_at": min(self.now, self.local(recorded, 11)),
                    }
                    consents.setdefault((case_id, "legal"), {**base, "purpose": "legal_action"})
                    if lead != "legal":
                        consents.setdefault(
                            (case_id, "share"),
                            {
                                **base,
                                "purpose": "share_with_agency",
                                "agency_id": p.agencies["legal"],
                                "scope": ["person", "episodes", "assessment", "plan", "notes"],
                            },
                        )
        matter_ids = _ids(LegalMatter, self.matter_rows)
        for matter_id, row, (_p, lawyers, chosen), respondents in zip(
            matter_ids, self.matter_rows, self.matter_meta, self.matter_chains, strict=True
        ):
            row["id"] = matter_id
            lawyer_rows += [{"matter_id": matter_id, "member_id": m} for m in lawyers]
            respondent_rows += [{"matter_id": matter_id, "intermediary_id": i} for i in respondents]
            finished = row["stage"] in ("enforcement", "closed")
            for case_id, _opened in chosen:
                claimed = Decimal(rng.randint(20, 400) * 1000)
                status = rng.choice(("won", "settled", "settled", "lost")) if finished else "active"
                awarded = (
                    (claimed * Decimal("0.7")).quantize(Decimal("1"))
                    if status in ("won", "settled")
                    else None
                )
                claimant_rows.append(
                    {
                        "matter_id": matter_id,
                        "case_id": case_id,
                        "currency": "THB",
                        "amount_claimed": claimed,
                        "amount_awarded": awarded,
                        "amount_received": awarded if status == "settled" else None,
                        "status": status,
                        "loan_cancelled": status == "settled" and rng.random() < 0.3,
                        "collateral_returned": False,
                    }
                )
        _insert(MatterLawyer, lawyer_rows)
        _insert(MatterRespondent, respondent_rows)
        self.claimant_ids = _ids(Claimant, claimant_rows)
        shares = [(key, row) for key, row in consents.items() if key[1] == "share"]
        _insert(Consent, [row for key, row in consents.items() if key[1] == "legal"])
        share_ids = _ids(Consent, [row for _key, row in shares])
        _insert(
            CaseAgency,
            [
                {
                    "case_id": row["case_id"],
                    "agency_id": row["agency_id"],
                    "consent_id": consent_id,
                    "added_at": row["created_at"],
                }
                for (_key, row), consent_id in zip(shares, share_ids, strict=True)
            ],
        )
        self.counts["claimants"] = len(claimant_rows)
        self.counts["consents"] = len(consents)
        return len(matter_ids)

    def _claim_size(self, available: int) -> int:
        """Most claims are one or a few people; some are groups, a few up to 150."""
        r = self.rng.random()
        if r < 0.7:
            size = self.rng.randint(1, 3)
        elif r < 0.9:
            size = self.rng.randint(4, 20)
        elif r < 0.99:
            size = self.rng.randint(21, 80)
        else:
            size = self.rng.randint(81, MAX_CLAIMANTS)
        return max(1, min(size, available))

    @staticmethod
    def _matter_stage(age_days: int, rng: random.Random) -> str:
        if age_days < 60:
            return rng.choice(("fact_finding", "complaint_filed"))
        if age_days < 400:
            return rng.choice(("complaint_filed", "hearings", "hearings"))
        if age_days < 900:
            return rng.choice(("hearings", "judgment", "appeal"))
        return rng.choice(("judgment", "appeal", "enforcement", "closed"))

    # ------------------------------------------------------------------ hearings

    def hearings(self) -> int:
        rng = self.rng
        weights = [rng.uniform(0.5, 2.0) * (1 + math.log(len(meta[2]))) for meta in self.matter_meta]
        quotas = apportion(self.n(HEARINGS), weights)
        rows, support_counts = [], []
        last = self.today + timedelta(days=HEARINGS_AHEAD)
        for row, (_p, lawyers, _chosen), quota in zip(
            self.matter_rows, self.matter_meta, quotas, strict=True
        ):
            # The proceedings run from two weeks after the matter opened for seven months to three
            # years; those at enforcement or closed have had their last hearing.
            first = clock.local_date(row["created_at"], self.zone) + timedelta(days=14)
            end = min(last, first + timedelta(days=rng.randint(210, 1100)))
            if row["stage"] in ("enforcement", "closed"):
                end = min(end, self.today - timedelta(days=14))
            first = min(first, end)
            span = (end - first).days
            days = [_weekday(first + timedelta(days=rng.randint(0, span))) for _ in range(quota)]
            ahead = sorted(d for d in days if d >= self.today)
            if len(ahead) > FUTURE_HEARINGS and first < self.today:
                # Only the next hearings are fixed: the others were held already.
                past = (self.today - first).days
                days = [d for d in days if d < self.today] + ahead[:FUTURE_HEARINGS]
                days += [first + timedelta(days=rng.randint(0, past - 1)) for _ in ahead[FUTURE_HEARINGS:]]
                days = [_weekday(d) if _weekday(d) < self.today else d for d in days]
            days.sort()
            for n, day in enumerate(days):
                at = self.local(day, rng.choice((9, 9, 13)), rng.choice((0, 30)))
                if at > self.now:
                    status = "scheduled"
                else:
                    status = rng.choices(("held", "adjourned", "cancelled"), (80, 15, 5))[0]
                rows.append(
                    {
                        "matter_id": row["id"],
                        "starts_at": at,
                        "purpose": HEARING_PURPOSES[min(n, len(HEARING_PURPOSES) - 1)]
                        if n < 2
                        else rng.choice(HEARING_PURPOSES[2:5]),
                        "location": f"{row['forum']}, room {rng.randint(1, 12)}",
                        "status": status,
                        "outcome_notes": "Heard; next date fixed." if status == "held" else None,
                        "created_by_id": lawyers[0],
                    }
                )
                support_counts.append(status in ("held", "adjourned"))
        support = []
        for hearing_id, done in zip(_ids(Hearing, rows), support_counts, strict=True):
            support += [{"hearing_id": hearing_id, "kind": kind, "done": done} for kind in SUPPORT]
        _insert(HearingSupport, support)
        self.counts["hearing support lines"] = len(support)
        return len(rows)

    # ------------------------------------------------------------------ events and deadlines

    def deadlines(self) -> int:
        rng = self.rng
        rules: dict[tuple[str, str], list[DeadlineRule]] = defaultdict(list)
        for rule in db.session.scalars(
            select(DeadlineRule)
            .where(DeadlineRule.jurisdiction == "TH", DeadlineRule.active.is_(True))
            .order_by(DeadlineRule.code)
        ):
            for kind in rule.matter_kinds or []:
                rules[(kind, rule.trigger)].append(rule)
        if not rules:
            raise DemoRefused("No deadline rules for TH: run the migrations first.")
        # The events each matter can have: the day each claimant came home (repeated), then the
        # proceedings' own, once each, in the order they happen.
        per_claimant = {trigger for kind, trigger in rules if trigger == "returned_home"}
        steps = {
            kind: [t for t in PROCEEDINGS if (kind, t) in rules]
            for kind in {kind for kind, _trigger in rules}
        }
        capacity = [
            sum(len(rules[(row["kind"], t)]) for t in steps.get(row["kind"], []))
            + (len(meta[2]) if (row["kind"], "returned_home") in rules else 0)
            for row, meta in zip(self.matter_rows, self.matter_meta, strict=True)
        ]
        weights = [(1 + math.log(len(meta[2]))) * rng.uniform(0.5, 2.0) for meta in self.matter_meta]
        quotas = apportion_capped(self.n(DEADLINES), weights, capacity)
        calendars: dict[str, Any] = {}
        computed: dict[tuple[int, date], tuple[date, list[str]]] = {}
        events, planned = [], []
        for row, (_p, lawyers, chosen), quota in zip(self.matter_rows, self.matter_meta, quotas, strict=True):
            if not quota:
                continue
            created = clock.local_date(row["created_at"], self.zone)
            plan = [("returned_home", opened - timedelta(days=rng.randint(3, 40))) for _c, opened in chosen]
            if "returned_home" not in per_claimant or (row["kind"], "returned_home") not in rules:
                plan = []
            own = steps.get(row["kind"], [])
            room = max(0, (self.today - created).days)
            days = sorted(created + timedelta(days=rng.randint(0, room)) for _ in own)
            for trigger, day in zip(own, days, strict=True):
                if trigger == "offence_committed":  # abroad, before they came home
                    day = min(opened for _c, opened in chosen) - timedelta(days=rng.randint(60, 400))
                elif trigger == "offence_known":
                    day = created - timedelta(days=rng.randint(0, 30))
                plan.append((trigger, day))
            forum = row["forum"] or ""
            if forum not in calendars:
                calendars[forum] = court_calendar("TH", forum)
            made = 0
            for trigger, day in plan:
                if made >= quota:
                    break
                at = self.local(min(self.today, max(day, created)), 15)
                events.append(
                    {
                        "matter_id": row["id"],
                        "kind": trigger,
                        "occurred_on": day,
                        "recorded_by_id": lawyers[0],
                        "created_at": min(self.now, at),
                    }
                )
                for rule in rules[(row["kind"], trigger)][: quota - made]:
                    key = (rule.id, day)
                    if key not in computed:
                        computed[key] = computed_deadline(rule, trigger, day, calendars[forum])
                    planned.append((len(events) - 1, rule, row["id"], lawyers[0]))
                    made += 1
        event_ids = _ids(MatterEvent, events)
        rows = []
        for index, rule, matter_id, lawyer in planned:
            event = events[index]
            due, trace = computed[(rule.id, event["occurred_on"])]
            status, done_at = "open", None
            if due < self.today:
                status = "missed" if rng.random() < 0.1 else "done"
                done_at = self.local(due, 10) if status == "done" else None
            rows.append(
                {
                    "matter_id": matter_id,
                    "event_id": event_ids[index],
                    "rule_id": rule.id,
                    "title": rule.title,
                    "due_on": due,
                    "citation": rule.citation,
                    "verified": rule.verified,
                    "trace": trace,
                    "status": status,
                    "set_by_hand": False,
                    "done_at": min(self.now, done_at) if done_at else None,
                    "done_by_id": lawyer if done_at else None,
                    "created_at": event["created_at"],
                }
            )
        _insert(Deadline, rows)
        self.counts["matter events"] = len(events)
        return len(rows)

    # ------------------------------------------------------------------ meetings

    def meetings(self) -> int:
        rng = self.rng
        case_shares = [len(p.cases) + 1 for p in self.provinces]
        whole = sum(case_shares)
        # Every MDT meets; the busiest hold more case conferences.
        weights = [0.5 / len(self.provinces) + 0.5 * c / whole for c in case_shares]
        quotas = apportion(self.n(MEETINGS), weights)
        kinds = [k for k, _w in MEETING_KINDS]
        kind_weights = [w for _k, w in MEETING_KINDS]
        span = 4 * 365 + MEETINGS_AHEAD
        first = self.today - timedelta(days=4 * 365)
        rows, agendas = [], []
        for p, quota in zip(self.provinces, quotas, strict=True):
            agency_ids = list(p.agencies.values())
            days = sorted(_weekday(first + timedelta(days=rng.randint(0, span))) for _ in range(quota))
            cases = p.cases
            for n, day in enumerate(days):
                kind = rng.choices(kinds, kind_weights)[0]
                starts = self.local(day, rng.choice((9, 13)), 30)
                past = starts < self.now
                published = starts < self.now + PUBLISHED_AHEAD
                coordinator = rng.choice(p.coordinators)
                invited = (
                    []
                    if kind == "regular"
                    else [p.agencies[k] for k in ("sw", "legal", "labour", "police")]
                    if kind == "case_conference"
                    else [p.agencies[k] for k in ("legal", "prosecutor", "police")]
                )
                rows.append(
                    {
                        "mdt_id": p.mdt_id,
                        "title": MEETING_TITLES[kind],
                        "kind": kind,
                        "starts_at": starts,
                        "ends_at": starts + timedelta(hours=2),
                        "host_agency_id": agency_ids[n % len(agency_ids)],
                        "location": f"{p.name} Provincial Hall, meeting room {rng.randint(1, 4)}",
                        "invited_agency_ids": invited,
                        "status": "published" if published else "draft",
                        "published_at": starts - timedelta(days=7) if published else None,
                        "minutes_approved_at": starts + timedelta(days=3)
                        if past and starts + timedelta(days=3) < self.now
                        else None,
                        "minutes_approved_by_id": coordinator
                        if past and starts + timedelta(days=3) < self.now
                        else None,
                        "created_by_id": coordinator,
                        "created_at": min(self.now, starts - timedelta(days=21)),
                    }
                )
                items = []
                if kind == "case_conference" and cases:
                    # Cases opened before the meeting (``cases`` is in order of opening).
                    opened_by = _bisect_opened(cases, day)
                    for position in range(min(3, opened_by)):
                        case = cases[rng.randrange(opened_by)]
                        items.append(
                            {
                                "position": position,
                                "case_id": case[0],
                                "reason": "manual",
                                "title": "Case review",
                                "discussion": rng.choice(NOTES) if past else None,
                                "decisions": "Plan agreed; follow up at the next conference."
                                if past
                                else None,
                                "finished": past,
                            }
                        )
                agendas.append(items)
        for meeting_id, items in zip(_ids(Meeting, rows), agendas, strict=True):
            for item in items:
                item["meeting_id"] = meeting_id
        flat = [item for items in agendas for item in items]
        _insert(AgendaItem, flat)
        self.counts["agenda items"] = len(flat)
        return len(rows)

    # ------------------------------------------------------------------ reminders

    def reminders(self) -> int:
        """The reminders of the sources still ahead, derived by the app's own code."""
        hearings = db.session.scalars(
            select(Hearing.id).where(Hearing.status == "scheduled", Hearing.starts_at > self.now)
        ).all()
        deadlines = db.session.scalars(
            select(Deadline.id).where(Deadline.status == "open", Deadline.due_on >= self.today)
        ).all()
        meetings = db.session.scalars(
            select(Meeting.id).where(Meeting.status == "published", Meeting.starts_at > self.now)
        ).all()
        added = 0
        for kind, ids in (("hearing", hearings), ("deadline", deadlines), ("meeting", meetings)):
            added += sync_reminders(kind, ids, now=self.now)["added"]
        return added


def _bisect_opened(cases: list[tuple[int, date, int, str, int]], day: date) -> int:
    """How many of ``cases`` (in order of opening) opened before ``day``."""
    lo, hi = 0, len(cases)
    while lo < hi:
        mid = (lo + hi) // 2
        if cases[mid][1] < day:
            lo = mid + 1
        else:
            hi = mid
    return lo


def load_national(
    scale: float = 1.0, if_empty: bool = False, say: Callable[[str], None] | None = None
) -> str:
    """Load national-size demo data into an empty database; ``say`` hears each step's time."""
    if not 0 < scale <= 10:
        raise DemoRefused("--scale must be above 0 and at most 10.")
    if db.session.scalar(select(func.count()).select_from(Mdt)):
        if if_empty:
            return "The database has data already; demo data not loaded."
        raise DemoRefused("The database is not empty: national demo data loads only into an empty database.")
    loader = Loader(scale, say or (lambda _line: None))
    started = time.perf_counter()
    loader.timed("MDTs, agencies and members", loader.directory)
    loader.timed("cases (with people and episodes)", loader.cases)
    loader.timed("legal matters (with claimants and consents)", loader.matters)
    loader.timed("hearings", loader.hearings)
    loader.timed("deadlines", loader.deadlines)
    loader.timed("meetings", loader.meetings)
    loader.timed("reminders", loader.reminders)
    record(None, "demo.load", None, detail={"national": True, "scale": scale, **loader.counts})
    db.session.flush()
    biggest = loader.provinces[0]
    return (
        f"National demo data loaded in {time.perf_counter() - started:.0f} s (before commit): "
        f"{len(loader.provinces)} MDTs, {loader.counts['cases (with people and episodes)']:,} cases. "
        f"Sign in as coordinator1.{biggest.code.lower()}@{EMAIL_DOMAIN} (or social1, lawyer1, "
        f"police1; viewer1.national) with password {DEMO_PASSWORD}."
    )
