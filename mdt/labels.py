"""Translatable labels for the coded values stored in the database."""

from flask_babel import lazy_gettext as _l

STAGE = {
    "intake": _l("Intake"), "assessment": _l("Assessment"), "planning": _l("Planning"),
    "active": _l("Active"), "follow_up": _l("Follow-up"), "closed": _l("Closed"),
}
SEX = {"female": _l("Female"), "male": _l("Male"), "other": _l("Other"), "unknown": _l("Not known")}
SOURCE = {
    "outreach": _l("Community outreach"), "hotline": _l("Hotline"), "self": _l("Self-referral"),
    "peer_group": _l("Peer support group"), "watchdog": _l("Watchdog volunteer"),
    "police": _l("Police"), "embassy": _l("Embassy"), "ngo": _l("NGO"), "employer": _l("Employer"),
    "other": _l("Other"),
}
AGENCY_KIND = {
    "police": _l("Police"), "prosecutor": _l("Prosecutor"), "court": _l("Court"),
    "labour": _l("Labour"), "employment": _l("Employment"), "social_welfare": _l("Social welfare"),
    "health": _l("Health"), "education": _l("Education"), "agriculture": _l("Agriculture"),
    "legal_aid": _l("Legal aid"), "ngo": _l("NGO"), "local_government": _l("Local government"),
    "embassy": _l("Embassy"), "other": _l("Other"),
}
LEVEL = {
    "national": _l("National"), "province": _l("Province"), "district": _l("District"),
    "subdistrict": _l("Sub-district"), "village": _l("Village"),
}
ROLE = {"member": _l("Member"), "coordinator": _l("Coordinator"), "lawyer": _l("Lawyer"),
        "admin": _l("Administrator")}
SECTOR = {
    "agriculture": _l("Agriculture"), "domestic_work": _l("Domestic work"),
    "manufacturing": _l("Manufacturing"), "garment": _l("Garment"),
    "construction": _l("Construction"), "fishing": _l("Fishing"), "hospitality": _l("Hospitality"),
    "entertainment": _l("Entertainment"), "care": _l("Care work"), "other": _l("Other"),
}
INTERMEDIARY_KIND = {
    "recruitment_agency": _l("Recruitment agency"), "sub_agent": _l("Sub-agent"),
    "broker": _l("Broker"), "employer": _l("Employer"), "other": _l("Other"),
}
CHANNEL = {"formal": _l("Formal"), "informal": _l("Informal"), "unknown": _l("Not known")}
SERVICE = {
    "medical": _l("Medical"), "psychosocial": _l("Psychosocial counselling"),
    "legal_aid": _l("Legal aid"), "shelter": _l("Shelter"), "skills_training": _l("Skills training"),
    "livelihood_grant": _l("Livelihood grant"), "job_placement": _l("Job placement"),
    "family_counselling": _l("Family counselling"), "documents": _l("Documents"),
    "education": _l("Education"), "transport": _l("Transport"),
    "interpretation": _l("Interpretation"), "other": _l("Other"),
}
ATTENTION = {"intake_waiting": _l("Intake waiting for more than a week"),
             "stalled": _l("No change for 30 days")}
AUDIT_ACTION = {
    "case.read": _l("opened the case"), "case.read_summary": _l("opened the case summary"),
    "case.create": _l("registered the case"), "case.update": _l("changed the case"),
    "case.stage": _l("moved the stage"), "case.close": _l("closed the case"),
    "case.reopen": _l("reopened the case"), "case.team": _l("changed the team"),
    "note.create": _l("added a note"), "episode.create": _l("added a migration episode"),
    "assessment.update": _l("updated the assessment"), "plan.add": _l("added to the plan"),
    "case.read_notes": _l("read the notes"), "case.read_audit": _l("read the audit trail"),
}

ALL = {"stage": STAGE, "sex": SEX, "source": SOURCE, "agency_kind": AGENCY_KIND, "level": LEVEL,
       "role": ROLE, "sector": SECTOR, "intermediary_kind": INTERMEDIARY_KIND,
       "channel": CHANNEL, "service": SERVICE, "attention": ATTENTION, "audit": AUDIT_ACTION}


def label(kind: str, value) -> str:
    if value is None:
        return ""
    return str(ALL[kind].get(value, value))
