"""Demo data: a Petchabun-like provincial MDT with about forty returnees, plus a second MDT to
show that nobody sees another MDT's data. Stories follow the source reports (berry pickers back
from Sweden in debt, domestic workers back from Lebanon, garment workers back from Romania)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select

from mdt import clock, consent, policy
from mdt.audit.services import record
from mdt.auth.services import hash_password
from mdt.cases import services as case_services
from mdt.cases.models import Case, CaseAgency, CaseCounter, Note, Person
from mdt.directory.models import ActionPlanEntry, Agency, Mdt, Member
from mdt.extensions import db
from mdt.legal import services as legal
from mdt.referrals import services as referral_services
from mdt.triage import services as triage
from mdt.visits import services as visits

DEMO_PASSWORD = "demo-password"


class DemoRefused(RuntimeError):
    pass


AGENCIES = [
    # key, name, kind, level, area
    (
        "sw",
        "Petchabun Provincial Office of Social Development and Human Security",
        "social_welfare",
        "province",
        "Petchabun",
    ),
    ("police", "Petchabun Provincial Police", "police", "province", "Petchabun"),
    (
        "labour",
        "Petchabun Provincial Labour Protection and Welfare Office",
        "labour",
        "province",
        "Petchabun",
    ),
    ("employment", "Petchabun Provincial Employment Office", "employment", "province", "Petchabun"),
    ("nfe", "Petchabun Non-Formal Education Centre", "education", "province", "Petchabun"),
    ("agri", "Petchabun Provincial Agriculture Office", "agriculture", "province", "Petchabun"),
    ("prosecutor", "Petchabun Provincial Public Prosecutor", "prosecutor", "province", "Petchabun"),
    ("legal", "Labour Rights Legal Aid Network", "legal_aid", "province", "Petchabun"),
    ("campaign", "Migrant Workers Rights Campaign", "ngo", "province", "Petchabun"),
    ("hospital", "Petchabun Hospital", "health", "province", "Petchabun"),
    ("lomsak", "Lom Sak District Office", "local_government", "district", "Lom Sak"),
    ("nongphai", "Nong Phai District Office", "local_government", "district", "Nong Phai"),
]

ACCOUNTS = [
    ("admin@example.org", "Anong Admin", "sw", ["admin"]),
    ("coordinator@example.org", "Chanida Srisuk", "sw", ["coordinator"]),
    ("social@example.org", "Kanya Boonmee", "sw", ["member"]),
    ("lawyer@example.org", "Somsak Rattanakul", "legal", ["lawyer"]),
    ("police@example.org", "Pol. Lt. Wichai Thongdee", "police", ["member"]),
    ("labour@example.org", "Preecha Kaewmanee", "labour", ["member"]),
    ("volunteer@example.org", "Boonsong Village Watchdog", "sw", ["volunteer"]),
]

PLAN = [
    ("sw", "Intake assessment and individual assistance plans", "Within 7 days of identification"),
    ("campaign", "Community outreach to self-returnees; peer support groups", "Monthly"),
    ("labour", "Complaints on unpaid wages and recruitment fees", "Within 30 days of return"),
    ("legal", "Legal assessment; labour court and criminal case support", "Ongoing"),
    ("employment", "Job placement and refund of recruitment service fees", "Within 30 days of return"),
    ("nfe", "Skills training and education", "Each term"),
    ("police", "Investigation, only with the person's recorded consent", "On referral"),
    ("hospital", "Medical care and psychosocial counselling", "On referral"),
]

SERVICES = [
    ("legal", "legal_aid", "Labour court and criminal case support", 5, None),
    ("campaign", "psychosocial", "Peer support groups for returnees", 7, "Lom Sak, Nong Phai"),
    ("employment", "job_placement", "Job placement and recruitment-fee refund claims", 7, None),
    ("nfe", "skills_training", "Sewing, cooking and computer courses", 14, None),
    ("labour", "livelihood_grant", "Livelihood grant, paid in instalments", 14, None),
    ("hospital", "medical", "Health check and treatment", 3, None),
    ("hospital", "psychosocial", "Counselling", 5, None),
    ("sw", "shelter", "Temporary shelter", 1, None),
    ("lomsak", "documents", "Civil registration and ID documents", 7, "Lom Sak"),
]

GIVEN_F = [
    "Malee",
    "Suda",
    "Ratana",
    "Pranee",
    "Nok",
    "Wanida",
    "Jintana",
    "Kannika",
    "Siriporn",
    "Lamai",
    "Buppha",
    "Duangjai",
    "Orathai",
    "Pensri",
    "Thip",
]
GIVEN_M = [
    "Somchai",
    "Boonchu",
    "Prasit",
    "Anan",
    "Chaiwat",
    "Kittisak",
    "Manop",
    "Narong",
    "Sombat",
    "Thawat",
    "Wirat",
    "Yuthana",
    "Sakda",
    "Pichit",
]
FAMILY = [
    "Srisawat",
    "Kongkaew",
    "Phromma",
    "Saengthong",
    "Inthachai",
    "Chaiyaphum",
    "Boonsong",
    "Wongsa",
    "Khamphan",
    "Thongsuk",
    "Nakprasert",
    "Sukjai",
    "Panyadee",
    "Rakdee",
]
DISTRICTS = [
    ("Lom Sak", ["Ban Rai", "Nam Ko", "Tan Diao"]),
    ("Nong Phai", ["Bua Watthana", "Tha Duang"]),
    ("Lom Kao", ["Na Ko", "Hin Hao"]),
    ("Mueang Phetchabun", ["Sadiang", "Na Ngua"]),
    ("Khao Kho", ["Khaem Son", "Thung Samo"]),
]

STORIES = [
    # weight, destination, sector, job, sex bias, story, fee, debt, wages owed, intermediaries
    (
        10,
        "SE",
        "agriculture",
        "Wild berry picking",
        "Went to pick berries in Sweden for the season; earnings far below what was promised; came "
        "back owing the recruitment agency and a local lender.",
        Decimal("75000"),
        Decimal("60000"),
        Decimal("38000"),
        [
            ("Siam Overseas Manpower Co.", "recruitment_agency"),
            ("Khun Prasert", "broker"),
            ("Nordic Berry Harvest AB", "employer"),
        ],
    ),
    (
        5,
        "PL",
        "agriculture",
        "Fruit picking",
        "Recruited for fruit picking in Poland; housing and food deducted; passport held by the team "
        "leader until departure.",
        Decimal("52000"),
        Decimal("40000"),
        Decimal("21000"),
        [("Golden Bridge Recruitment Ltd.", "recruitment_agency"), ("Mr. Daeng", "sub_agent")],
    ),
    (
        8,
        "LB",
        "domestic_work",
        "Live-in domestic worker",
        "Domestic worker in Lebanon; long hours, no day off, wages withheld for months; left the "
        "employer's house and returned with help from the embassy.",
        Decimal("30000"),
        Decimal("25000"),
        Decimal("90000"),
        [("Cedar Home Services Agency", "recruitment_agency"), ("Mrs. Boonmee", "broker")],
    ),
    (
        3,
        "JO",
        "domestic_work",
        "Domestic worker",
        "Domestic worker in Jordan; documents taken by the employer; self-returned.",
        Decimal("28000"),
        Decimal("20000"),
        Decimal("45000"),
        [("Cedar Home Services Agency", "recruitment_agency")],
    ),
    (
        6,
        "RO",
        "garment",
        "Sewing machine operator",
        "Garment factory in Romania; contract substituted on arrival; wages below the minimum and "
        "unpaid overtime.",
        Decimal("95000"),
        Decimal("80000"),
        Decimal("55000"),
        [("Euro Work Placement Co.", "recruitment_agency"), ("Danube Textiles SRL", "employer")],
    ),
    (
        3,
        "MY",
        "fishing",
        "Deckhand",
        "Deceived into work on a fishing boat; escaped at port with help from a broker who knew the family.",
        None,
        Decimal("15000"),
        Decimal("30000"),
        [("Mr. Lek", "broker")],
    ),
    (
        2,
        "TW",
        "manufacturing",
        "Factory worker",
        "Factory work in Taiwan; paid a high placement fee with the family's land title as collateral.",
        Decimal("120000"),
        Decimal("110000"),
        None,
        [("Formosa Jobs Agency", "recruitment_agency")],
    ),
]

SOURCES = (
    ["outreach"] * 5
    + ["self"] * 4
    + ["watchdog"] * 2
    + ["peer_group"] * 2
    + ["hotline", "embassy", "ngo", "police"]
)
STAGE_MIX = (
    ["intake"] * 5
    + ["assessment"] * 5
    + ["planning"] * 4
    + ["active"] * 9
    + ["follow_up"] * 4
    + ["closed"] * 3
)

NOTES = [
    "Home visit done; lives with her mother and two children. Prefers phone calls after 6 pm.",
    "Attended the peer support group meeting in the sub-district; wants to start a small shop.",
    "Interested in the non-formal education sewing course.",
    "Discussed the labour complaint; wants to think about it with the family first.",
    "Lender visited the house again; family worried about the land title.",
]


def _utc(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, 3, 0, tzinfo=UTC)


def _mdt(code: str, name: str, tz: str, country: str, currency: str) -> Mdt:
    mdt = Mdt(code=code, name=name, timezone=tz, country=country, currency=currency, mfa_required=[])
    db.session.add(mdt)
    db.session.flush()
    return mdt


def load_demo(extra_cases: int = 0, if_empty: bool = False) -> str:
    existing = db.session.scalar(select(func.count()).select_from(Mdt))
    if existing:
        if if_empty:
            return "The database has data already; demo data not loaded."
        if extra_cases:
            mdt = db.session.scalars(select(Mdt).where(Mdt.code == "PCB")).first()
            if mdt is None:
                raise DemoRefused("No demo MDT to add synthetic cases to.")
            n = add_synthetic_cases(mdt, extra_cases)
            return f"Added {n} synthetic cases."
        raise DemoRefused("The database is not empty: demo data loads only into an empty database.")
    rng = random.Random(2012)
    password_hash = hash_password(DEMO_PASSWORD)
    mdt = _mdt("PCB", "Petchabun Provincial MDT", "Asia/Bangkok", "TH", "THB")
    agencies: dict[str, Agency] = {}
    for key, name, kind, level, area in AGENCIES:
        agencies[key] = Agency(
            mdt_id=mdt.id,
            name=name,
            kind=kind,
            level=level,
            area=area,
            contact="056-000-" + str(100 + len(agencies)),
        )
        db.session.add(agencies[key])
    db.session.flush()
    for key in ("lomsak", "nongphai"):
        agencies[key].parent_id = agencies["sw"].id
    members = {}
    for email, name, agency_key, roles in ACCOUNTS:
        members[email] = Member(
            mdt_id=mdt.id,
            agency_id=agencies[agency_key].id,
            email=email,
            name=name,
            roles=roles,
            password_hash=password_hash,
            languages="th, en",
        )
        db.session.add(members[email])
    db.session.flush()
    agencies["sw"].focal_person_id = members["coordinator@example.org"].id
    agencies["legal"].focal_person_id = members["lawyer@example.org"].id
    for position, (key, responsibility, timing) in enumerate(PLAN):
        db.session.add(
            ActionPlanEntry(
                mdt_id=mdt.id,
                agency_id=agencies[key].id,
                responsibility=responsibility,
                timing=timing,
                position=position,
            )
        )

    for key, category, name, days, areas in SERVICES:
        referral_services.save_service(
            members["admin@example.org"],
            {
                "agency_id": agencies[key].id,
                "category": category,
                "name": name,
                "response_days": days,
                "areas": areas,
                "languages": "Thai, Lao",
                "contact": agencies[key].contact,
            },
        )
    referral_plan = []
    social = members["social@example.org"]
    lawyer = members["lawyer@example.org"]
    labour = members["labour@example.org"]
    today = clock.today(mdt)
    weighted = [s for s in STORIES for _ in range(s[0])]
    for i in range(40):
        story = weighted[i % len(weighted)] if i < len(weighted) else rng.choice(weighted)
        _w, country, sector, job, text, fee, debt, wages, chain = story
        female = sector in ("domestic_work", "garment") or rng.random() < 0.45
        given = rng.choice(GIVEN_F if female else GIVEN_M)
        family = rng.choice(FAMILY)
        minor = i in (3, 17, 29)
        born = today - timedelta(
            days=rng.randint(16 * 365, 17 * 365) if minor else rng.randint(20 * 365, 52 * 365)
        )
        district, subdistricts = rng.choice(DISTRICTS)
        source = rng.choice(SOURCES)
        creator = {0: social, 1: labour, 2: lawyer}[i % 3]
        returned = today - timedelta(days=rng.randint(20, 700))
        departed = returned - timedelta(days=rng.randint(60, 400))
        data: dict[str, Any] = {
            "source": source,
            "summary": text,
            "person": {
                "given_name": given,
                "family_name": family,
                "sex": "female" if female else "male",
                "date_of_birth": None if i % 9 == 5 else born.isoformat(),
                "phone": f"08{rng.randint(10000000, 99999999)}" if i % 4 else None,
                "languages": "th" if i % 5 else "th, lo",
                "home_province": "Phetchabun",
                "home_district": district,
                "home_subdistrict": rng.choice(subdistricts),
                "home_village": f"Moo {rng.randint(1, 15)}",
                "safe_contact_note": "Call only in the evening; husband does not know about the debt."
                if i % 7 == 0
                else None,
            },
            "episodes": [
                {
                    "destination_country": country,
                    "sector": sector,
                    "job": job,
                    "departed_on": departed.isoformat(),
                    "returned_on": returned.isoformat(),
                    "channel": "informal" if source in ("self", "outreach") and i % 2 else "formal",
                    "currency": "THB",
                    "recruitment_fee": str(fee) if fee else None,
                    "debt_amount": str(debt) if debt else None,
                    "debt_lender": "Village money lender" if debt else None,
                    "debt_collateral": "Land title (chanote)" if debt and i % 3 == 0 else None,
                    "wages_owed": str(wages) if wages else None,
                    "documents_withheld": "Passport" if sector == "domestic_work" else None,
                    "intermediaries": [{"name": n, "kind": k} for n, k in chain],
                }
            ],
        }
        if creator is lawyer:
            data["lead_agency_id"] = agencies["sw"].id
        case = case_services.create_case(creator, data)
        opened = returned + timedelta(days=rng.randint(3, 40))
        case.opened_on = min(opened, today)
        case.created_at = _utc(case.opened_on)
        stage = STAGE_MIX[i % len(STAGE_MIX)]
        case.stage = stage
        if stage == "closed":
            case.closed_at = _utc(today - timedelta(days=rng.randint(1, 60)))
            case.close_reason = rng.choice(
                [
                    "Goals reached: running a small grocery shop at home.",
                    "Moved to Bangkok for work; wishes no further contact.",
                    "Settled with the agency; loan cancelled and land title returned.",
                ]
            )
        lead_member = creator if creator.agency_id == case.lead_agency_id else social
        team = []
        if i % 3 == 0 and creator is not lawyer:
            team.append(("legal", ["person", "episodes", "assessment", "plan", "notes"]))
        if i % 4 == 1 and creator is not labour:
            team.append(("labour", ["person", "episodes", "plan"]))
        if i % 10 == 4:
            team.append(("police", ["person", "episodes"]))
        for key, scope in team:
            recorded = referral_services.record_consent(
                lead_member,
                case,
                {
                    "purpose": "share_with_agency",
                    "agency_id": agencies[key].id,
                    "given": True,
                    "recorded_on": case.opened_on.isoformat(),
                    "language": "Thai",
                    "scope": scope,
                    "risks_acknowledged": key == "police",
                },
            )
            case.team_agencies.append(CaseAgency(agency_id=agencies[key].id, consent_id=recorded.id))
        referral_plan.append((case, lead_member, stage))
        if stage != "intake":
            case_services.save_assessment(
                creator,
                case,
                {
                    "needs": "Income; repaying the debt; " + ("school for children" if female else "job"),
                    "goals": rng.choice(
                        [
                            "Start a small grocery shop at home",
                            "Learn sewing and work locally",
                            "Get the unpaid wages back",
                            "Raise chickens and frogs",
                            "Find work in the province",
                        ]
                    ),
                },
            )
        if i % 2 == 0 and policy_can_note(creator, case):
            db.session.add(
                Note(
                    case_id=case.id,
                    author_id=creator.id,
                    body=NOTES[i % len(NOTES)],
                    restricted=False,
                    created_at=case.created_at + timedelta(days=2),
                )
            )
        last = min(today, case.opened_on + timedelta(days=rng.randint(1, 200)))
        case.updated_at = _utc(last) if stage != "intake" or i % 2 else _utc(today)
    db.session.flush()
    _demo_referrals(referral_plan, agencies, members, rng)
    _demo_legal(referral_plan, members)
    _demo_field(mdt, members)

    # A second MDT, so that isolation between provinces can be seen and tested.
    other = _mdt("PYO", "Phayao Provincial Operation Centre", "Asia/Bangkok", "TH", "THB")
    other_agency = Agency(
        mdt_id=other.id,
        name="Phayao Provincial Office of Social Development",
        kind="social_welfare",
        level="province",
        area="Phayao",
    )
    db.session.add(other_agency)
    db.session.flush()
    other_member = Member(
        mdt_id=other.id,
        agency_id=other_agency.id,
        email="phayao@example.org",
        name="Ploy Phayao",
        roles=["coordinator"],
        password_hash=password_hash,
    )
    db.session.add(other_member)
    db.session.flush()
    for given in ("Ampai", "Noi", "Sunee"):
        case_services.create_case(
            other_member,
            {
                "source": "watchdog",
                "summary": "Identified by a village watchdog volunteer.",
                "person": {"given_name": given, "family_name": "Phayao", "sex": "female"},
            },
        )
    if extra_cases:
        add_synthetic_cases(mdt, extra_cases)
    record(None, "demo.load", None, detail={"cases": 43 + extra_cases})
    db.session.flush()
    return (
        "Demo data loaded: Petchabun MDT with 40 returnees and a second MDT. "
        f"Log in as coordinator@example.org with password {DEMO_PASSWORD}."
    )


def _demo_referrals(plan, agencies, members, rng) -> None:
    """Referrals in every state, made through the services so consent rules hold."""
    lawyer = members["lawyer@example.org"]
    labour = members["labour@example.org"]
    targets = [
        ("legal", "legal_aid", lawyer),
        ("employment", "job_placement", None),
        ("nfe", "skills_training", None),
        ("labour", "livelihood_grant", labour),
        ("hospital", "psychosocial", None),
    ]
    outcomes = ["accepted", "completed", "declined", "pending", "completed"]
    answered = 0
    for n, (case, actor, stage) in enumerate(plan):
        if stage in ("intake", "closed") or n % 2:
            continue
        key, service, receiver = targets[n % len(targets)]
        if agencies[key].id == case.lead_agency_id:
            continue
        if consent.live_share(case, agencies[key].id) is None:
            referral_services.record_consent(
                actor,
                case,
                {
                    "purpose": "share_with_agency",
                    "agency_id": agencies[key].id,
                    "given": True,
                    "recorded_on": case.opened_on.isoformat(),
                    "language": "Thai",
                },
            )
        referral = referral_services.create_referral(
            actor,
            {
                "case_id": case.id,
                "to_agency_id": agencies[key].id,
                "service": service,
                "reason": "Discussed with the person, who wants this service.",
            },
        )
        if receiver is None:
            continue  # other agencies have no demo account: their referrals stay pending
        state = outcomes[answered % len(outcomes)]
        answered += 1
        if state in ("accepted", "completed"):
            referral_services.accept(receiver, referral)
        if state == "completed":
            referral_services.complete(
                receiver,
                referral,
                {
                    "outcome": "received" if n % 3 else "not_received",
                    "reason": "could_not_reach",
                    "accompanied": "true",
                },
            )
        if state == "declined":
            referral_services.decline(receiver, referral, "Outside our district this month.")


def _demo_legal(plan, members) -> None:
    """A group labour claim of berry pickers back from Sweden, with a judgment read ten days ago
    and a hearing ahead, and the criminal track of the same dispute."""

    lawyer = members["lawyer@example.org"]
    claimants = []
    for case, actor, stage in plan:
        if stage == "closed" or not case.episodes or case.episodes[0].destination_country != "SE":
            continue
        if not policy.can(lawyer, "case.view", case):
            continue
        referral_services.record_consent(
            actor,
            case,
            {
                "purpose": "legal_action",
                "given": True,
                "recorded_on": case.opened_on.isoformat(),
                "language": "Thai",
            },
        )
        claimants.append(case)
    if not claimants:
        return
    labour = legal.create_matter(
        lawyer,
        {
            "kind": "labour",
            "jurisdiction": "TH",
            "title": "Berry pickers v. Siam Overseas Manpower",
            "forum": "Central Labour Court",
            "docket_no": "Labour 1187/2568",
            "stage": "judgment",
            "respondents": [
                {"name": "Siam Overseas Manpower Co.", "kind": "recruitment_agency"},
                {"name": "Nordic Berry Harvest AB", "kind": "employer"},
            ],
            "claimants": [{"case_id": c.id, "amount_claimed": "191374.00"} for c in claimants],
        },
    )
    criminal = legal.create_matter(
        lawyer,
        {
            "kind": "criminal",
            "jurisdiction": "TH",
            "title": "Deceptive recruitment complaint",
            "forum": "Phetchabun Provincial Court",
            "stage": "complaint_filed",
            "respondents": [
                {"name": "Siam Overseas Manpower Co.", "kind": "recruitment_agency"},
                {"name": "Khun Prasert", "kind": "broker"},
            ],
            "claimants": [{"case_id": c.id} for c in claimants[:3]],
        },
    )
    db.session.flush()
    legal.update_matter(lawyer, labour, {"linked_matter_ids": [criminal.id]})
    legal.update_claimant(
        lawyer,
        labour,
        labour.claimants[0],
        {
            "status": "settled",
            "amount_awarded": "120000.00",
            "amount_received": "120000.00",
            "debt_relief": {
                "loan_cancelled": True,
                "collateral_returned": True,
                "note": "Land title returned with the settlement.",
            },
        },
    )
    today = clock.court_today(labour.jurisdiction)
    legal.record_event(
        lawyer, labour, {"kind": "judgment_read", "occurred_on": (today - timedelta(days=10)).isoformat()}
    )
    legal.record_event(
        lawyer, criminal, {"kind": "offence_known", "occurred_on": (today - timedelta(days=40)).isoformat()}
    )
    hearing_day = today + timedelta(days=14)
    while hearing_day.weekday() >= 5:  # courts sit on weekdays
        hearing_day += timedelta(days=1)
    legal.schedule_hearing(
        lawyer,
        criminal,
        {
            "starts_at": datetime.combine(hearing_day, datetime.min.time()).replace(hour=9).isoformat(),
            "purpose": "Witness hearing",
            "location": "Phetchabun Provincial Court, room 3",
        },
    )


def _demo_field(mdt: Mdt, members: dict) -> None:
    """Issue 16: a volunteer's intake, a public complaint, and visit schedules on a few cases."""
    social = members["social@example.org"]
    for case in db.session.scalars(
        select(Case)
        .where(Case.mdt_id == mdt.id, Case.stage.in_(("active", "follow_up")))
        .order_by(Case.id)
        .limit(4)
    ):
        if policy.can(social, "visit.schedule", case):
            visits.set_schedule(social, case, visits.default_schedule())
    triage.submit(
        members["volunteer@example.org"],
        "intake",
        {
            "person": {
                "given_name": "Dao",
                "family_name": "Sukjai",
                "sex": "female",
                "home_village": "Ban Na Sai",
            },
            "source": "watchdog",
            "summary": "Came back from a farm in Israel last month; the broker still asks for 40,000 baht.",
        },
    )
    triage.receive(
        {
            "what_happened": "My brother works on a fishing boat. They keep his passport and do not pay him.",
            "where": "Songkhla",
            "contact_way": "none",
            "language": "th",
            "mdt_id": mdt.id,
        }
    )


def policy_can_note(member, case) -> bool:

    return policy.can(member, "case.note", case)


def add_synthetic_cases(mdt: Mdt, n: int, batch: int = 5000) -> int:
    """Bulk-insert ``n`` synthetic cases (for benchmarks): no audit rows, no episodes."""
    rng = random.Random(n)
    agency_ids = list(db.session.scalars(select(Agency.id).where(Agency.mdt_id == mdt.id)))
    if not agency_ids:
        raise DemoRefused("The MDT has no agencies.")
    year = clock.today(mdt).year
    counter = db.session.get(CaseCounter, (mdt.id, year))
    if counter is None:
        counter = CaseCounter(mdt_id=mdt.id, year=year, last=0)
        db.session.add(counter)
        db.session.flush()
    start = counter.last
    now = clock.now()
    stages = ["intake", "assessment", "planning", "active", "follow_up"]
    done = 0
    while done < n:
        size = min(batch, n - done)
        people = []
        for _ in range(size):
            female = rng.random() < 0.55
            district, subs = rng.choice(DISTRICTS)
            people.append(
                {
                    "mdt_id": mdt.id,
                    "given_name": rng.choice(GIVEN_F if female else GIVEN_M),
                    "family_name": rng.choice(FAMILY) + str(rng.randint(1, 999)),
                    "sex": "female" if female else "male",
                    "date_of_birth": date(rng.randint(1965, 2009), rng.randint(1, 12), rng.randint(1, 28)),
                    "phone": None,
                    "home_province": "Phetchabun",
                    "home_district": district,
                    "home_subdistrict": rng.choice(subs),
                    "created_at": now,
                }
            )
        ids = db.session.scalars(
            insert(Person).returning(Person.id, sort_by_parameter_order=True), people
        ).all()
        cases = []
        for offset, (person_id, person) in enumerate(zip(ids, people, strict=False)):
            number = start + done + offset + 1
            when = now - timedelta(minutes=rng.randint(0, 1_000_000))
            cases.append(
                {
                    "mdt_id": mdt.id,
                    "reference": f"{mdt.code}-{year}-{number:06d}",
                    "person_id": person_id,
                    "stage": rng.choice(stages),
                    "source": rng.choice(SOURCES),
                    "lead_agency_id": rng.choice(agency_ids),
                    "summary": "Synthetic case for benchmarks.",
                    "district": person["home_district"],
                    "opened_on": clock.local_date(when, mdt),
                    "created_at": when,
                    "updated_at": when,
                }
            )
        db.session.execute(insert(Case), cases)
        done += size
    counter.last = start + n
    db.session.flush()
    return n
