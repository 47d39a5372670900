"""Translatable labels for the coded values stored in the database."""

from flask_babel import lazy_gettext as _l

STAGE = {
    "intake": _l("Intake"),
    "assessment": _l("Assessment"),
    "planning": _l("Planning"),
    "active": _l("Active"),
    "follow_up": _l("Follow-up"),
    "closed": _l("Closed"),
}
SEX = {"female": _l("Female"), "male": _l("Male"), "other": _l("Other"), "unknown": _l("Not known")}
SOURCE = {
    "outreach": _l("Community outreach"),
    "hotline": _l("Hotline"),
    "self": _l("Self-referral"),
    "peer_group": _l("Peer support group"),
    "watchdog": _l("Watchdog volunteer"),
    "police": _l("Police"),
    "embassy": _l("Embassy"),
    "ngo": _l("NGO"),
    "employer": _l("Employer"),
    "other": _l("Other"),
}
AGENCY_KIND = {
    "police": _l("Police"),
    "prosecutor": _l("Prosecutor"),
    "court": _l("Court"),
    "labour": _l("Labour"),
    "employment": _l("Employment"),
    "social_welfare": _l("Social welfare"),
    "health": _l("Health"),
    "education": _l("Education"),
    "agriculture": _l("Agriculture"),
    "legal_aid": _l("Legal aid"),
    "ngo": _l("NGO"),
    "local_government": _l("Local government"),
    "embassy": _l("Embassy"),
    "other": _l("Other"),
}
LEVEL = {
    "national": _l("National"),
    "province": _l("Province"),
    "district": _l("District"),
    "subdistrict": _l("Sub-district"),
    "village": _l("Village"),
}
ROLE = {
    "member": _l("Member"),
    "coordinator": _l("Coordinator"),
    "lawyer": _l("Lawyer"),
    "admin": _l("Administrator"),
    "viewer": _l("Viewer (figures only)"),
    "volunteer": _l("Village volunteer (submits intakes and visit reports)"),
}
SECTOR = {
    "agriculture": _l("Agriculture"),
    "domestic_work": _l("Domestic work"),
    "manufacturing": _l("Manufacturing"),
    "garment": _l("Garment"),
    "construction": _l("Construction"),
    "fishing": _l("Fishing"),
    "hospitality": _l("Hospitality"),
    "entertainment": _l("Entertainment"),
    "care": _l("Care work"),
    "other": _l("Other"),
}
INTERMEDIARY_KIND = {
    "recruitment_agency": _l("Recruitment agency"),
    "sub_agent": _l("Sub-agent"),
    "broker": _l("Broker"),
    "employer": _l("Employer"),
    "other": _l("Other"),
}
CHANNEL = {"formal": _l("Formal"), "informal": _l("Informal"), "unknown": _l("Not known")}
SERVICE = {
    "medical": _l("Medical"),
    "psychosocial": _l("Psychosocial counselling"),
    "legal_aid": _l("Legal aid"),
    "shelter": _l("Shelter"),
    "skills_training": _l("Skills training"),
    "livelihood_grant": _l("Livelihood grant"),
    "job_placement": _l("Job placement"),
    "family_counselling": _l("Family counselling"),
    "documents": _l("Documents"),
    "education": _l("Education"),
    "transport": _l("Transport"),
    "interpretation": _l("Interpretation"),
    "other": _l("Other"),
}
ATTENTION = {
    "intake_waiting": _l("Intake waiting for more than a week"),
    "stalled": _l("No change for 30 days"),
}
AUDIT_ACTION = {
    "visit.add": _l("recorded a follow-up visit"),
    "visit.schedule": _l("set the visit schedule"),
    "triage.complaint": _l("received a complaint from the public form"),
    "triage.intake": _l("sent an intake for triage"),
    "triage.visit": _l("sent a visit report for triage"),
    "triage.review": _l("opened a triage item"),
    "triage.accepted": _l("accepted a triage item"),
    "triage.merged": _l("merged a triage item into the case"),
    "triage.declined": _l("declined a triage item"),
    "sync.conflict": _l("sent an offline change that clashed with another"),
    "sync.resolve": _l("settled a clash between offline changes"),
    "case.read": _l("opened the case"),
    "case.read_summary": _l("opened the case summary"),
    "field.pack": _l("took it to a device for offline work"),
    "field.device": _l("set up a device for offline work"),
    "case.create": _l("registered the case"),
    "case.update": _l("changed the case"),
    "case.stage": _l("moved the stage"),
    "case.close": _l("closed the case"),
    "case.reopen": _l("reopened the case"),
    "case.team": _l("changed the team"),
    "note.create": _l("added a note"),
    "episode.create": _l("added a migration episode"),
    "assessment.update": _l("updated the assessment"),
    "plan.add": _l("added to the plan"),
    "case.read_notes": _l("read the notes"),
    "case.read_audit": _l("read the audit trail"),
    "consent.record": _l("recorded consent"),
    "consent.withdraw": _l("recorded a withdrawal of consent"),
    "referral.create": _l("made a referral"),
    "referral.accept": _l("accepted a referral"),
    "referral.decline": _l("declined a referral"),
    "referral.complete": _l("recorded a referral's outcome"),
    "referral.withdraw": _l("withdrew a referral"),
    "referral.expire": _l("a referral expired"),
    "grant.instalment": _l("recorded a grant instalment"),
    "case.list": _l("saw it in a list or search"),
    "referral.list": _l("saw it in the referrals list"),
    "meeting.agenda_proposed": _l("saw it on a meeting agenda"),
    "meeting.case_history": _l("saw it in a meeting's case history"),
    "case.read_readers": _l("read who has seen the file"),
    "case.read_team": _l("opened the team"),
    "case.read_consents": _l("read the consents"),
    "action.create": _l("created an action item"),
    "action.done": _l("closed an action item"),
    "actionplan.add": _l("added to the MDT's action plan"),
    "actionplan.remove": _l("removed from the MDT's action plan"),
    "agency.create": _l("added an agency"),
    "agency.update": _l("changed an agency"),
    "audit.export": _l("exported the audit trail"),
    "backup.made": _l("made a backup of the database and the files"),
    "auth.lockout": _l("was paused after wrong passwords"),
    "auth.login": _l("signed in"),
    "auth.logout": _l("signed out"),
    "auth.session_end": _l("ended a session"),
    "calendar.add": _l("added a court closure day"),
    "calendar.remove": _l("removed a court closure day"),
    "calendar_feed.create": _l("made a calendar address"),
    "calendar_feed.revoke": _l("turned a calendar address off"),
    "case.hold": _l("put the case on legal hold"),
    "case.hold_lifted": _l("lifted the legal hold"),
    "deadline.done": _l("marked a deadline done"),
    "deadline.missed": _l("a deadline was missed"),
    "deadline.moved": _l("a deadline moved"),
    "demo.load": _l("loaded the demo data"),
    "hearing.schedule": _l("scheduled a hearing"),
    "hearing.support": _l("changed the court support"),
    "hearing.update": _l("changed a hearing"),
    "matter.claimant_add": _l("added the person to a legal matter"),
    "matter.claimant_update": _l("changed a claimant's status or amounts"),
    "matter.create": _l("created a legal matter"),
    "matter.event": _l("recorded a legal event"),
    "matter.event_confirm": _l("confirmed a legal event's date"),
    "matter.event_date": _l("changed a legal event's date"),
    "matter.read": _l("opened a legal matter"),
    "matter.update": _l("changed a legal matter"),
    "mdt.mfa_required": _l("changed who must use two-step sign-in"),
    "mdt.retention": _l("changed the retention period"),
    "meeting.attendance": _l("recorded attendance"),
    "meeting.create": _l("created a meeting"),
    "meeting.item_add": _l("added it to a meeting agenda"),
    "meeting.item_remove": _l("removed it from a meeting agenda"),
    "meeting.minutes": _l("wrote minutes about it"),
    "meeting.minutes_approve": _l("approved a meeting's minutes"),
    "meeting.pdf": _l("downloaded a meeting PDF"),
    "meeting.publish": _l("published a meeting agenda"),
    "meeting.read": _l("saw it on a meeting page"),
    "meeting.reschedule": _l("moved a meeting"),
    "meeting.series_create": _l("created a meeting series"),
    "member.access_ended": _l("ended a member's access"),
    "member.create": _l("added a member"),
    "member.password": _l("changed a password"),
    "member.password_reset": _l("reset a password"),
    "member.password_reset_sent": _l("asked for a password reset link"),
    "member.update": _l("changed a member"),
    "mfa.enrol": _l("set up two-step sign-in"),
    "mfa.recovery_code_used": _l("used a recovery code"),
    "mfa.recovery_codes": _l("made new recovery codes"),
    "mfa.reset": _l("removed a member's two-step sign-in"),
    "person.update": _l("changed the person's details"),
    "intermediary.updated": _l("changed the record of a recruitment agency, broker or employer"),
    "intermediary.relation_added": _l("linked someone behind a recruitment agency, broker or employer"),
    "intermediary.relation_removed": _l("removed someone behind a recruitment agency, broker or employer"),
    "intermediary.evidence_added": _l("recorded monitoring evidence about an intermediary"),
    "intermediary.merged": _l("merged two registry entries of the same agency"),
    "intermediary.merge_undone": _l("undid the merge of two registry entries"),
    "case.risk_profile": _l("scored the vulnerability risk profile"),
    "report.requested": _l("asked for the quarterly report as a PDF"),
    "report.ready": _l("the quarterly report was made"),
    "report.downloaded": _l("downloaded the quarterly report"),
    "report.expired": _l("the quarterly report was deleted after 24 hours"),
    "document.uploaded": _l("added a document"),
    "document.versioned": _l("added a new version of a document"),
    "document.viewed": _l("opened a document's page"),
    "document.downloaded": _l("downloaded a document"),
    "document.exported": _l("exported a document's chain of custody"),
    "document.bundled": _l("put a document in a court bundle"),
    "document.hash_mismatch": _l("a stored file failed its integrity check"),
    "document.deleted": _l("a document's file was removed under the retention rules"),
    "document.rewrapped": _l("a document's key was re-wrapped under a new master key"),
    "export.requested": _l("asked for a de-identified export"),
    "export.ready": _l("a de-identified export was made"),
    "export.downloaded": _l("downloaded a de-identified export"),
    "export.expired": _l("a de-identified export was deleted after 24 hours"),
    "privacy.copy_downloaded": _l("downloaded the person's copy of their data"),
    "privacy.copy_expired": _l("the person's copy of their data expired"),
    "privacy.copy_ready": _l("the person's copy of their data was made"),
    "privacy.copy_requested": _l("asked for the person's copy of their data"),
    "privacy.erasure_done": _l("erased the person's data as asked"),
    "privacy.erasure_refused": _l("refused an erasure request"),
    "privacy.erasure_requested": _l("recorded an erasure request"),
    "privacy.erasure_review": _l("an erasure refusal came up for review"),
    "privacy.read_alert": _l("raised an alert about unusual reading"),
    "privacy.read_alert_read": _l("read an alert about unusual reading"),
    "privacy.retention": _l("de-identified the case after its retention period"),
    "referral.read": _l("opened a referral"),
    "reminder.read_mail": _l("read a reminder sent"),
    "reminders.preferences": _l("changed reminder settings"),
    "rule.create": _l("added a time-limit rule"),
    "rule.update": _l("changed a time-limit rule"),
    "service.create": _l("added a service"),
    "service.update": _l("changed a service"),
    "token.revoke": _l("revoked an API token"),
}

REFERRAL_STATUS = {
    "pending": _l("Waiting for an answer"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "completed": _l("Completed"),
    "withdrawn": _l("Withdrawn"),
    "expired": _l("Expired"),
}
PURPOSE = {
    "share_with_agency": _l("Share the case with an agency"),
    "legal_action": _l("Legal action"),
    "contact_sms": _l("Contact by SMS"),
    "contact_email": _l("Contact by email"),
}
PART = {
    "person": _l("Identity and contact"),
    "episodes": _l("Migration episodes"),
    "assessment": _l("Assessment (not the restricted part)"),
    "plan": _l("Assistance plan"),
    "notes": _l("Notes (not restricted ones)"),
}
URGENCY = {"normal": _l("Normal"), "urgent": _l("Urgent")}
OUTCOME = {"received": _l("Service received"), "not_received": _l("Service not received")}
NOT_RECEIVED = {
    "refused_at_service": _l("Refused at the service point"),
    "discrimination": _l("Discrimination at the service point"),
    "not_eligible": _l("Not eligible"),
    "no_capacity": _l("The service had no capacity"),
    "person_declined": _l("The person decided not to go"),
    "could_not_reach": _l("Could not reach the service (cost, distance)"),
    "other": _l("Other"),
}
NOTIFICATION = {
    "referral_new": _l("New referral %(ref)s for your agency"),
    "referral_accepted": _l("Referral %(ref)s was accepted"),
    "referral_declined": _l("Referral %(ref)s was declined"),
    "referral_completed": _l("Referral %(ref)s was completed"),
    "referral_withdrawn": _l("Referral %(ref)s was withdrawn"),
    "referral_expired": _l("Referral %(ref)s expired without an answer"),
    "consent_withdrawn": _l("Consent was withdrawn on a case"),
    "deadline_moved": _l("A deadline moved on %(ref)s"),
    "deadline_created": _l("New deadline on %(ref)s"),
    "meeting_published": _l("The agenda of %(ref)s is published"),
    "action_assigned": _l("A new action item for you"),
    "reminder": _l("Reminder"),
    "reminder_failed": _l("A reminder could not be sent"),
    "read_alert": _l("Unusual reading by %(ref)s"),
    "erasure_request": _l("A request to erase a person's data is waiting"),
    "document_tampered": _l("A stored file failed its integrity check"),
    "triage_new": _l("A new complaint or field submission is waiting in triage"),
    "sync_conflict": _l("A change sent from a device clashed with another on %(ref)s"),
    "sms_reply": _l("The person replied by SMS on %(ref)s"),
}

REMINDER_STATUS = {
    "pending": _l("Pending"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
    "cancelled": _l("Cancelled"),
}
REMINDER_SOURCE = {
    "meeting": _l("Meeting"),
    "hearing": _l("Court date"),
    "deadline": _l("Time limit"),
    "action": _l("Action item"),
    "referral": _l("Referral"),
    "visit": _l("Follow-up visit"),
}
REMINDER_PURPOSE = {
    "reminder": _l("Reminder"),
    "court_support": _l("Transport and support"),
    "escalation": _l("Escalation"),
    "overdue": _l("Overdue"),
}
CHANNEL_OUT = {"app": _l("In the app"), "email": _l("Email"), "sms": _l("SMS")}

MATTER_KIND = {
    "labour": _l("Labour"),
    "criminal": _l("Criminal"),
    "civil": _l("Civil"),
    "administrative": _l("Administrative complaint"),
}
JURISDICTION = {"TH": _l("Thailand"), "PH": _l("Philippines")}
MATTER_STAGE = {
    "fact_finding": _l("Fact finding"),
    "complaint_filed": _l("Complaint filed"),
    "hearings": _l("Hearings"),
    "judgment": _l("Judgment"),
    "appeal": _l("Appeal"),
    "enforcement": _l("Enforcement"),
    "closed": _l("Closed"),
}
CLAIMANT_STATUS = {
    "active": _l("Active"),
    "settled": _l("Settled"),
    "withdrawn": _l("Withdrawn"),
    "won": _l("Won"),
    "lost": _l("Lost"),
}
HEARING_STATUS = {
    "scheduled": _l("Scheduled"),
    "held": _l("Held"),
    "adjourned": _l("Adjourned"),
    "cancelled": _l("Cancelled"),
}
SUPPORT = {
    "transport": _l("Transport"),
    "lodging": _l("Lodging"),
    "interpreter": _l("Interpreter"),
    "witness_preparation": _l("Witness preparation"),
    "other": _l("Other"),
}
DEADLINE_STATUS = {"open": _l("Open"), "done": _l("Done"), "missed": _l("Missed")}
EVENT = {
    "judgment_read": _l("Judgment read (first instance)"),
    "appeal_judgment_read": _l("Appeal judgment read"),
    "appeal_received": _l("Copy of an appeal received"),
    "first_evidence_hearing": _l("Date of the first evidence hearing"),
    "indictment": _l("Indictment filed"),
    "offence_known": _l("Offence and offender became known"),
    "offence_committed": _l("Offence committed"),
    "knowledge_of_act": _l("Wrongful act and liable person became known"),
    "wrongful_act": _l("Wrongful act"),
    "returned_home": _l("Returned home"),
    "decision_received": _l("Decision of a labour arbiter or court received"),
    "rd_decision_received": _l("DOLE Regional Director's decision received"),
    "nlrc_decision_received": _l("NLRC decision received"),
    "reconsideration_denied": _l("Notice of denial of reconsideration received"),
    "cause_of_action": _l("Cause of action accrued"),
    "dismissal": _l("Dismissal"),
    "promulgation": _l("Promulgation of judgment"),
    "new_trial_denied": _l("Denial of a new-trial or reconsideration motion"),
    "illegal_recruitment_committed": _l("Illegal recruitment committed"),
    "trafficking_release": _l("Release from the situation of trafficking"),
}
UNIT = {"days": _l("days"), "working_days": _l("working days"), "months": _l("months"), "years": _l("years")}
ROLL = {"forward": _l("next working day"), "backward": _l("previous working day"), "none": _l("no roll")}

MEETING_KIND = {
    "case_conference": _l("Case conference"),
    "regular": _l("Regular MDT meeting"),
    "subcommittee": _l("Subcommittee"),
}
AGENDA_REASON = {
    "new_intake": _l("New intake"),
    "hearing_soon": _l("Hearing soon"),
    "deadline_soon": _l("Court deadline soon"),
    "referral_overdue": _l("Referral overdue"),
    "action_overdue": _l("Action item overdue"),
    "stalled": _l("No change for 30 days"),
    "carried_over": _l("Carried over"),
    "manual": _l("Added by the coordinator"),
}

LICENCE_STATUS = {
    "licensed": _l("Licensed"),
    "suspended": _l("Suspended"),
    "revoked": _l("Licence revoked"),
    "blacklisted": _l("Blacklisted"),
}
RELATION_ROLE = {
    "owner": _l("Owner"),
    "director": _l("Director"),
    "agent": _l("Agent"),
    "parent_company": _l("Parent company"),
    "other": _l("Other"),
}
EVIDENCE_KIND = {
    "licence_review": _l("Licence documents reviewed"),
    "complaint": _l("Registered complaint"),
    "job_ad": _l("Job advertisement screened"),
    "ngo_report": _l("NGO report"),
    "visit": _l("Unannounced visit"),
    "consular_check": _l("Employer verified through consular officials"),
}
RISK_LEVEL = {"low": _l("Low risk"), "medium": _l("Medium risk"), "high": _l("High risk")}
EXPORT_STATUS = {
    "queued": _l("Waiting"),
    "running": _l("Being made"),
    "ready": _l("Ready"),
    "failed": _l("Failed"),
    "expired": _l("Deleted after 24 hours"),
}
# The dashboard's own keys (``mdt.reports``).
MINOR = {"yes": _l("Minor (under 18)"), "no": _l("Adult"), "unknown": _l("Age not known")}
DOCUMENT_KIND = {
    "contract": _l("Employment contract"),
    "pay_slip": _l("Pay slip"),
    "receipt": _l("Receipt"),
    "loan_agreement": _l("Loan agreement"),
    "title_deed": _l("Title deed"),
    "identity_document": _l("Identity document"),
    "photo": _l("Photo"),
    "message_capture": _l("Messages (screenshots, voice)"),
    "medical": _l("Medical"),
    "court_paper": _l("Court paper"),
    "translation": _l("Translation"),
    "other": _l("Other"),
}
CUSTODY_ACTION = {
    "uploaded": _l("Uploaded"),
    "versioned": _l("New version"),
    "viewed": _l("Page opened"),
    "downloaded": _l("Downloaded"),
    "exported": _l("Custody record exported"),
    "bundled": _l("Put in a court bundle"),
    "hash_mismatch": _l("Integrity check failed"),
    "deleted": _l("File removed (retention)"),
    "rewrapped": _l("Key re-wrapped"),
}
FIGURE_STATUS = {
    "pending": _l("Waiting for an answer"),
    "accepted": _l("Accepted, not completed yet"),
    "received": _l("Service received"),
    "not_received": _l("Service not received"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
    "expired": _l("Expired without an answer"),
}
DEADLINE_OUTCOME = {"met": _l("Met"), "missed": _l("Missed"), "open": _l("Open")}
ACTION_OUTCOME = {"on_time": _l("Done on time"), "late": _l("Done late"), "open": _l("Not done")}

WELLBEING = {
    "well": _l("Well"),
    "coping": _l("Coping"),
    "struggling": _l("Struggling"),
    "at_risk": _l("At risk"),
}
VISIT_SEEN = {
    "person": _l("The person"),
    "family": _l("Family"),
    "employer": _l("Employer"),
    "community_leader": _l("Village head or community leader"),
    "nobody": _l("Nobody was home"),
}
VISIT_NEED = {
    "health": _l("Health"),
    "income": _l("Income or work"),
    "debt": _l("Debt"),
    "safety": _l("Safety"),
    "documents": _l("Documents"),
    "legal": _l("Legal help"),
    "housing": _l("Housing"),
    "psychosocial": _l("Emotional support"),
}
TRIAGE_KIND = {
    "complaint": _l("Complaint (public form)"),
    "intake": _l("Intake from a volunteer"),
    "visit": _l("Visit report from a volunteer"),
}
TRIAGE_STATUS = {
    "received": _l("Received"),
    "reviewing": _l("Being looked at"),
    "accepted": _l("Accepted"),
    "merged": _l("Merged into a case"),
    "declined": _l("Declined"),
}
CONTACT_WAY = {
    "phone": _l("Phone call"),
    "line": _l("LINE"),
    "email": _l("Email"),
    "none": _l("Do not contact me"),
}
PERSON_FIELD = {
    "given_name": _l("Given name"),
    "family_name": _l("Family name"),
    "sex": _l("Sex"),
    "date_of_birth": _l("Date of birth"),
    "phone": _l("Phone"),
    "email": _l("Email"),
    "languages": _l("Languages"),
    "home_village": _l("Village"),
    "home_subdistrict": _l("Sub-district"),
    "home_district": _l("District"),
    "home_province": _l("Province"),
    "safe_contact_note": _l("Safe contact"),
    "contact_safe": _l("Safe to contact"),
}
SYNC_FIELD = {
    "summary": _l("Summary"),
    "source": _l("How we met the person"),
    "lead_agency_id": _l("Lead agency"),
}

ALL = {
    "person_field": PERSON_FIELD,
    "sync_field": SYNC_FIELD,
    "wellbeing": WELLBEING,
    "visit_seen": VISIT_SEEN,
    "visit_need": VISIT_NEED,
    "triage_kind": TRIAGE_KIND,
    "triage_status": TRIAGE_STATUS,
    "contact_way": CONTACT_WAY,
    "document_kind": DOCUMENT_KIND,
    "custody_action": CUSTODY_ACTION,
    "risk_level": RISK_LEVEL,
    "licence_status": LICENCE_STATUS,
    "relation_role": RELATION_ROLE,
    "evidence_kind": EVIDENCE_KIND,
    "export_status": EXPORT_STATUS,
    "minor": MINOR,
    "figure_status": FIGURE_STATUS,
    "deadline_outcome": DEADLINE_OUTCOME,
    "action_outcome": ACTION_OUTCOME,
    "stage": STAGE,
    "sex": SEX,
    "source": SOURCE,
    "agency_kind": AGENCY_KIND,
    "level": LEVEL,
    "role": ROLE,
    "sector": SECTOR,
    "intermediary_kind": INTERMEDIARY_KIND,
    "channel": CHANNEL,
    "service": SERVICE,
    "reminder_status": REMINDER_STATUS,
    "reminder_source": REMINDER_SOURCE,
    "reminder_purpose": REMINDER_PURPOSE,
    "channel_out": CHANNEL_OUT,
    "attention": ATTENTION,
    "audit": AUDIT_ACTION,
    "referral_status": REFERRAL_STATUS,
    "purpose": PURPOSE,
    "part": PART,
    "urgency": URGENCY,
    "outcome": OUTCOME,
    "not_received": NOT_RECEIVED,
    "matter_kind": MATTER_KIND,
    "jurisdiction": JURISDICTION,
    "matter_stage": MATTER_STAGE,
    "claimant_status": CLAIMANT_STATUS,
    "hearing_status": HEARING_STATUS,
    "support": SUPPORT,
    "deadline_status": DEADLINE_STATUS,
    "event": EVENT,
    "unit": UNIT,
    "roll": ROLL,
    "meeting_kind": MEETING_KIND,
    "agenda_reason": AGENDA_REASON,
}


def label(kind: str, value) -> str:
    if value is None:
        return ""
    return str(ALL[kind].get(value, value))


def notification_text(kind: str, reference: str | None) -> str:
    template = NOTIFICATION.get(kind)
    if template is None:
        return kind
    return str(template) % {"ref": reference or ""}
