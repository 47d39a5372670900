"""The vulnerability risk profile (issue 14, seed 004): each indicator of ``risk_indicators.json``
scored from 1 (low risk) to 3 (high risk); the index is the weighted share of the risk scored,
from 0 (every indicator 1) to 100 (every indicator 3), over the indicators scored; the level
follows the file's thresholds. The MDT edits the file (indicators, weights, thresholds); an
indicator no longer listed is ignored."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

from mdt import clock, policy
from mdt.audit.services import record
from mdt.cases.models import Case, RiskProfile
from mdt.errors import Forbidden
from mdt.extensions import db
from mdt.schema import check, parse_day


@cache
def indicators() -> dict:
    return json.loads(Path(__file__).with_name("risk_indicators.json").read_text(encoding="utf-8"))


def index_of(scores: dict[str, int]) -> tuple[int, str]:
    """(the index from 0 to 100, its level) of the scores given."""
    weights = {i["code"]: i["weight"] for i in indicators()["indicators"]}
    counted = {code: score for code, score in scores.items() if code in weights}
    if not counted:
        return 0, "low"
    scored = sum(weights[code] * (score - 1) for code, score in counted.items())
    possible = sum(weights[code] * 2 for code in counted)
    value = round(100 * scored / possible)
    level = next(level["code"] for level in indicators()["levels"] if value < level["below"])
    return value, level


def save(actor, case: Case, data) -> RiskProfile:
    """Record the scores typed (an indicator left empty is not scored)."""
    if not (policy.can(actor, "case.edit", case) and policy.can(actor, "case.part.assessment", case)):
        raise Forbidden("You cannot change this case's assessment.")
    errors: dict[str, list[str]] = {}
    scores: dict[str, int] = {}
    for indicator in indicators()["indicators"]:
        typed = str(data.get(indicator["code"]) or "").strip()
        if not typed:
            continue
        if typed not in ("1", "2", "3"):
            errors[indicator["code"]] = [str(_l("Choose 1, 2 or 3."))]
            continue
        scores[indicator["code"]] = int(typed)
    today = clock.today(case.mdt)
    try:
        assessed_on = parse_day(data.get("assessed_on")) if data.get("assessed_on") else today
        if assessed_on > today:
            errors["assessed_on"] = [str(_l("This date cannot be in the future."))]
    except ValueError:
        errors["assessed_on"] = [str(_l("Use a date like 2026-01-31."))]
        assessed_on = today
    if not scores and not errors:
        errors["_"] = [str(_l("Score at least one indicator."))]
    check(errors)
    value, level = index_of(scores)
    profile = db.session.get(RiskProfile, case.id)
    if profile is None:
        profile = RiskProfile(case_id=case.id)
        db.session.add(profile)
    profile.scores, profile.score_index, profile.level = scores, value, level
    profile.assessed_on, profile.assessed_by_id, profile.updated_at = assessed_on, actor.id, clock.now()
    db.session.flush()
    record(actor, "case.risk_profile", profile, case=case, detail={"index": value, "level": level})
    return profile


def profile_of(case: Case) -> RiskProfile | None:
    return db.session.get(RiskProfile, case.id)
