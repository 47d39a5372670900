"""API: legal matters, hearings, events and deadlines, deadline rules and court closure days
(../shared/API.md, Legal matters)."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from marshmallow import EXCLUDE, fields, validate
from sqlalchemy import select

from mdt import policy
from mdt.api.base import PageArgs, accepts, api_bp, body, items_of, page_of, paginate, problems
from mdt.errors import NotFound, get_or_404
from mdt.extensions import db
from mdt.legal import services as legal
from mdt.legal.models import (
    JURISDICTIONS,
    ClosureDay,
    Deadline,
    DeadlineRule,
    Hearing,
    LegalMatter,
    MatterEvent,
)
from mdt.legal.schemas import (
    AddedClosureSchema,
    ChangedRuleSchema,
    ClaimantChangeSchema,
    ClaimantSchema,
    ClosureDaySchema,
    DeadlineRuleChangeSchema,
    DeadlineRuleSchema,
    DeadlineSchema,
    EventDateSchema,
    EventSchema,
    HearingChangeSchema,
    HearingSchema,
    MatterCreateSchema,
    MatterRowSchema,
    MatterSchema,
    MatterUpdateSchema,
    NewClaimantSchema,
    RecomputedSchema,
)
from mdt.schema import Schema


class With:
    """A record with a few more attributes for its response schema (an event with its
    deadlines, a rule with the deadlines its change moved)."""

    def __init__(self, record, **more):
        self._record = record
        self.__dict__.update(more)

    def __getattr__(self, name):
        return getattr(self._record, name)


class RuleQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    jurisdiction = fields.String(validate=validate.OneOf(JURISDICTIONS))


def _event(event: MatterEvent) -> With:
    deadlines = db.session.scalars(
        select(Deadline).where(Deadline.event_id == event.id).order_by(Deadline.due_on, Deadline.id)
    ).all()
    return With(event, deadlines=deadlines)


# ---------------------------------------------------------------- matters and claimants


@api_bp.get("/legal-matters")
@api_bp.arguments(PageArgs, location="query", as_kwargs=True)
@api_bp.response(200, page_of(MatterRowSchema))
@problems(401, 422)
def list_matters(page: int, per_page: int):
    """The legal matters the caller may see, the latest changed first."""
    stmt = (
        select(LegalMatter)
        .where(policy.matter_filter(current_user))
        .order_by(LegalMatter.updated_at.desc(), LegalMatter.id.desc())
    )
    return paginate(stmt, page, per_page)


@api_bp.post("/legal-matters")
@accepts(MatterCreateSchema)
@api_bp.response(201, MatterSchema)
@problems(400, 401, 403, 409, 422)
def create_matter():
    """Open a legal matter (lawyers and coordinators); each claimant's case needs the person's live
    consent to legal action (409)."""
    matter = legal.create_matter(current_user, body())
    return legal.visible(current_user, legal.get_matter(current_user, matter.id))


@api_bp.route("/legal-matters/<int:matter_id>", endpoint="matter")
class Matter(MethodView):
    # One rule for both methods: a PATCH to an id out of range is a 404 like a GET, not a 405.

    @api_bp.response(200, MatterSchema)
    @problems(401, 404)
    def get(self, matter_id: int):
        """One matter with totals per currency; claimants on cases the caller cannot see are only
        counted (the read is audited)."""
        return legal.visible(current_user, legal.read_matter(current_user, matter_id))

    @accepts(MatterUpdateSchema)
    @api_bp.response(200, MatterSchema)
    @problems(400, 401, 403, 404, 422)
    def patch(self, matter_id: int):
        """Change the matter, its supervising lawyer or its linked tracks (the matter's lawyers)."""
        matter = legal.get_matter(current_user, matter_id, edit=True)
        if not legal.update_matter(current_user, matter, body()):
            legal.audit_read(current_user, matter)  # nothing changed: the answer is a read
        return legal.visible(current_user, matter)


@api_bp.post("/legal-matters/<int:matter_id>/claimants")
@accepts(NewClaimantSchema)
@api_bp.response(201, ClaimantSchema)
@problems(400, 401, 403, 404, 409, 422)
def add_claimant(matter_id: int):
    """Add a claimant: a case the caller is on the team of, with the person's live consent to
    legal action (409 otherwise, and when the case is a claimant already)."""
    matter = legal.get_matter(current_user, matter_id, edit=True)
    return legal.add_claimant(current_user, matter, body())


@api_bp.patch("/legal-matters/<int:matter_id>/claimants/<int:claimant_id>")
@accepts(ClaimantChangeSchema)
@api_bp.response(200, ClaimantSchema)
@problems(400, 401, 403, 404, 422)
def patch_claimant(matter_id: int, claimant_id: int):
    """Change a claimant's status, amounts and debt relief (only the fields given)."""
    matter = legal.get_matter(current_user, matter_id, edit=True)
    claimant = next((cl for cl in matter.claimants if cl.id == claimant_id), None)
    if claimant is None or not policy.can(current_user, "case.view", claimant.case):
        raise NotFound("No such claimant.")
    if not legal.update_claimant(current_user, matter, claimant, body()):
        legal.audit_read(current_user, matter, [claimant])  # nothing changed: the answer is a read
    return claimant


# ---------------------------------------------------------------- hearings


@api_bp.post("/legal-matters/<int:matter_id>/hearings")
@accepts(HearingSchema)
@api_bp.response(201, HearingSchema)
@problems(400, 401, 403, 404, 422)
def schedule_hearing(matter_id: int):
    """Schedule a hearing (not in the past); a time without an offset is the court's local time."""
    matter = legal.get_matter(current_user, matter_id, edit=True)
    return legal.schedule_hearing(current_user, matter, body())


@api_bp.patch("/hearings/<int:hearing_id>")
@accepts(HearingChangeSchema)
@api_bp.response(200, HearingSchema)
@problems(400, 401, 403, 404, 422)
def patch_hearing(hearing_id: int):
    """Reschedule, hold, adjourn (with the follow-up's time) or cancel a hearing."""
    hearing = get_or_404(Hearing, hearing_id)
    legal.get_matter(current_user, hearing.matter_id, edit=True)
    legal.update_hearing(current_user, hearing, body())
    return hearing


# ---------------------------------------------------------------- events and deadlines


@api_bp.post("/legal-matters/<int:matter_id>/events")
@accepts(EventSchema)
@api_bp.response(201, EventSchema)
@problems(400, 401, 403, 404, 422)
def record_event(matter_id: int):
    """Record an event (not after today in the court's calendar): it creates the deadlines that
    the rules of the matter's jurisdiction and kind attach to it."""
    matter = legal.get_matter(current_user, matter_id, edit=True)
    event, deadlines = legal.record_event(current_user, matter, body())
    return With(event, deadlines=deadlines)


@api_bp.patch("/events/<int:event_id>")
@accepts(EventDateSchema)
@api_bp.response(200, EventSchema)
@problems(400, 401, 403, 404, 422)
def patch_event(event_id: int):
    """Correct a trigger date: its open deadlines not set by hand are recomputed."""
    event = get_or_404(MatterEvent, event_id)
    legal.get_matter(current_user, event.matter_id, edit=True)
    legal.change_event_date(current_user, event, body())
    return _event(event)


@api_bp.post("/events/<int:event_id>/confirm")
@api_bp.response(200, EventSchema)
@problems(401, 403, 404, 409)
def confirm_event(event_id: int):
    """Confirm a trigger date: a second member, not the one who recorded it."""
    event = get_or_404(MatterEvent, event_id)
    legal.get_matter(current_user, event.matter_id)
    legal.confirm_event(current_user, event)
    return _event(event)


@api_bp.get("/legal-matters/<int:matter_id>/deadlines")
@api_bp.response(200, items_of(DeadlineSchema))
@problems(401, 404)
def list_deadlines(matter_id: int):
    """A matter's deadlines, the earliest first."""
    matter = legal.get_matter(current_user, matter_id)
    return {"items": legal.matter_deadlines(matter)}


@api_bp.post("/deadlines/<int:deadline_id>/done")
@api_bp.response(200, DeadlineSchema)
@problems(401, 403, 404, 409)
def deadline_done(deadline_id: int):
    """Mark an open deadline done (409 when it is done or missed already)."""
    deadline = get_or_404(Deadline, deadline_id)
    legal.get_matter(current_user, deadline.matter_id)
    return legal.mark_done(current_user, deadline)


# ---------------------------------------------------------------- rules and court calendars


@api_bp.get("/deadline-rules")
@api_bp.arguments(RuleQuery, location="query")
@api_bp.response(200, items_of(DeadlineRuleSchema))
@problems(401, 422)
def list_rules(args: dict):
    """The deadline rules with their citations (every MDT shares them)."""
    stmt = select(DeadlineRule).order_by(DeadlineRule.jurisdiction, DeadlineRule.code)
    if args.get("jurisdiction"):
        stmt = stmt.where(DeadlineRule.jurisdiction == args["jurisdiction"])
    return {"items": db.session.scalars(stmt).all()}


@api_bp.post("/deadline-rules")
@accepts(DeadlineRuleSchema)
@api_bp.response(201, DeadlineRuleSchema)
@problems(400, 401, 403, 422)
def create_rule():
    """Add a rule (admins)."""
    rule, _moved = legal.save_rule(current_user, body())
    return rule


@api_bp.patch("/deadline-rules/<int:rule_id>")
@accepts(DeadlineRuleChangeSchema)
@api_bp.response(200, ChangedRuleSchema)
@problems(400, 401, 403, 404, 422)
def patch_rule(rule_id: int):
    """Correct or disable a rule (admins; only the fields given): its open deadlines are
    recomputed."""
    rule = get_or_404(DeadlineRule, rule_id)
    _rule, moved = legal.save_rule(current_user, body(), rule)
    return With(rule, recomputed=moved)


@api_bp.post("/closure-days")
@accepts(ClosureDaySchema)
@api_bp.response(201, AddedClosureSchema)
@problems(400, 401, 403, 422)
def add_closure():
    """Correct a court calendar (admins): a day closed, or a package holiday the court sat on,
    with the reason. The open deadlines of the jurisdiction are recomputed."""
    closure, moved = legal.save_closure(current_user, body())
    return With(closure, recomputed=moved)


@api_bp.delete("/closure-days/<int:closure_id>")
@api_bp.response(200, RecomputedSchema)
@problems(401, 403, 404)
def delete_closure(closure_id: int):
    """Remove a correction of a court calendar (admins): the open deadlines are recomputed."""
    closure = get_or_404(ClosureDay, closure_id)
    return {"recomputed": legal.remove_closure(current_user, closure)}
