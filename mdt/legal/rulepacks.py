"""The first rule packs, from ../shared/LEGAL_RULES.md. Loaded into ``deadline_rule`` by a data
migration; from then on the database is the source and admins correct it there. Confidence: H
statute or ruling text seen; M secondary source only; U not verified (shown as "unverified:
confirm with counsel")."""

PACK_VERSION = {"TH": "TH-2026.1", "PH": "PH-2026.1"}

# code, jurisdiction, matter kinds, trigger, title, amount, unit, offset, roll, citation, conf, notes
RULES = [
    ("TH-1", "TH", ["labour"], "judgment_read", "Appeal from a Labour Court judgment (questions of law)",
     15, "days", 0, "forward", "Labour Court Procedure Act B.E. 2522 s.54", "H", None),
    ("TH-2", "TH", ["labour"], "appeal_judgment_read", "Further appeal to the Supreme Court in a labour case",
     1, "months", 0, "forward", "practitioner summary", "M", None),
    ("TH-3", "TH", ["criminal"], "judgment_read", "Criminal appeal from a first-instance judgment",
     1, "months", 0, "forward", "Criminal Procedure Code s.198", "M", None),
    ("TH-4", "TH", ["criminal"], "appeal_judgment_read", "Criminal appeal to the Supreme Court (Dika)",
     1, "months", 0, "forward", "Criminal Procedure Code s.216; Supreme Court 806/2525", "H",
     "A calendar month, not 30 days."),
    ("TH-5", "TH", ["criminal"], "appeal_received", "Answer to a criminal appeal",
     15, "days", 0, "forward", "Criminal Procedure Code s.200", "M", None),
    ("TH-6", "TH", ["criminal"], "first_evidence_hearing",
     "Injured person's civil claim inside the criminal case: file before the first evidence hearing",
     0, "days", -1, "backward", "Criminal Procedure Code s.44/1", "H", None),
    ("TH-7", "TH", ["criminal"], "indictment",
     "Prosecutor's compensation claim for a trafficked person: with the indictment, or before the first-instance judgment",
     0, "days", 0, "none", "Anti-Trafficking in Persons Act B.E. 2551 s.35", "H",
     "The latest date is the first-instance judgment; ask the prosecutor to file with the indictment."),
    ("TH-8", "TH", ["criminal"], "offence_known",
     "Complaint for a compoundable offence (e.g. fraud): from knowing the offence and the offender",
     3, "months", 0, "forward", "Penal Code s.96", "H", None),
    ("TH-9", "TH", ["criminal"], "offence_committed",
     "Prosecution prescription for trafficking (max. 10 years' imprisonment)",
     15, "years", 0, "forward", "Penal Code s.95 (derived)", "M", None),
    ("TH-10a", "TH", ["civil", "labour"], "knowledge_of_act",
     "Civil damages for a wrongful act: from knowing the act and the liable person",
     1, "years", 0, "forward", "Civil and Commercial Code s.448", "H", None),
    ("TH-10b", "TH", ["civil", "labour"], "wrongful_act",
     "Civil damages for a wrongful act: from the act itself",
     10, "years", 0, "forward", "Civil and Commercial Code s.448", "H", None),
    ("TH-11", "TH", ["administrative", "labour"], "returned_home",
     "Request for refund of recruitment service fees", 30, "days", 0, "forward",
     "Employment and Job-Seeker Protection Act s.46 (press release)", "M", None),
    ("PH-12", "PH", ["labour"], "decision_received", "Appeal from a Labour Arbiter to the NLRC",
     10, "days", 0, "forward", "Labor Code Art. 229; 2011 NLRC Rules VI s.1", "H",
     "Ten calendar days."),
    ("PH-13", "PH", ["labour", "administrative"], "rd_decision_received",
     "Appeal from a DOLE Regional Director (Art. 129)", 5, "days", 0, "forward",
     "2011 NLRC Rules VI s.1", "H", "Five calendar days."),
    ("PH-14", "PH", ["labour"], "nlrc_decision_received",
     "Motion for reconsideration of an NLRC decision", 10, "days", 0, "forward",
     "Labor Code Art. 229", "H", "Ten calendar days."),
    ("PH-15", "PH", ["labour", "civil", "criminal", "administrative"], "reconsideration_denied",
     "Petition for certiorari (Rule 65) to the Court of Appeals", 60, "days", 0, "forward",
     "Rules of Court Rule 65", "H", None),
    ("PH-16", "PH", ["labour"], "cause_of_action", "Money claims prescription",
     3, "years", 0, "forward", "Labor Code Art. 306", "H", None),
    ("PH-17", "PH", ["labour"], "dismissal", "Illegal dismissal", 4, "years", 0, "forward",
     "Civil Code Art. 1146", "M", None),
    ("PH-18a", "PH", ["criminal"], "promulgation", "Criminal appeal", 15, "days", 0, "forward",
     "Rules of Court Rule 122 s.6", "H", None),
    ("PH-18b", "PH", ["criminal"], "new_trial_denied",
     "Criminal appeal: a fresh 15 days from notice of denial of a new-trial or reconsideration motion",
     15, "days", 0, "forward", "Rules of Court Rule 122 s.6; Neypes v. CA", "H", None),
    ("PH-19a", "PH", ["criminal"], "illegal_recruitment_committed",
     "Illegal recruitment prescription", 5, "years", 0, "forward",
     "RA 8042 s.12 as amended by RA 10022", "U", None),
    ("PH-19b", "PH", ["criminal"], "illegal_recruitment_committed",
     "Illegal recruitment prescription when economic sabotage", 20, "years", 0, "forward",
     "RA 8042 s.12 as amended by RA 10022", "U", None),
    ("PH-20a", "PH", ["criminal"], "trafficking_release",
     "Trafficking prescription (from release from the situation)", 10, "years", 0, "forward",
     "RA 9208 s.12 as amended", "U", None),
    ("PH-20b", "PH", ["criminal"], "trafficking_release",
     "Qualified trafficking prescription (from release from the situation)", 20, "years", 0,
     "forward", "RA 9208 s.12 as amended", "U", None),
]


def rule_rows() -> list[dict]:
    rows = []
    for (code, jur, kinds, trigger, title, amount, unit, offset, roll, citation, conf,
         notes) in RULES:
        rows.append({"code": code, "pack": PACK_VERSION[jur], "version": 1, "jurisdiction": jur,
                     "matter_kinds": kinds, "trigger": trigger, "title": title, "amount": amount,
                     "unit": unit, "offset_days": offset, "roll": roll, "citation": citation,
                     "confidence": conf, "notes": notes, "active": True})
    return rows
