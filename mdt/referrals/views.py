from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mdt import policy
from mdt.cases import services as cases
from mdt.cases.models import PlanItem
from mdt.directory.services import agencies
from mdt.errors import NotFound, ValidationError, WorkflowError, get_or_404
from mdt.extensions import db
from mdt.notifications import services as notifications
from mdt.referrals import services
from mdt.referrals.models import REFERRAL_STATUSES, Consent, Service
from mdt.web import form_dict

bp = Blueprint("referrals", __name__)


# ---------------------------------------------------------------- consent (from the case page)

@bp.route("/cases/<int:case_id>/consents", methods=["GET", "POST"])
@login_required
def record_consent(case_id: int):
    from mdt.cases.views import _form_page

    def work(case):
        data = form_dict(request.form, lists=("scope",))
        data["risks_acknowledged"] = "risks_acknowledged" in request.form
        if not data.get("scope"):
            data.pop("scope")
        services.record_consent(current_user, case, data)

    return _form_page(
        case_id, "case.consent", "referrals/consent_form.html", work, _("Consent recorded."),
        "consent", lambda case: {"recorded_on": date.today().isoformat(), "given": "true"},
        agencies=lambda: [a for a in agencies(current_user.mdt_id)])


@bp.route("/consents/<int:consent_id>/withdraw", methods=["POST"])
@login_required
def withdraw_consent(consent_id: int):
    consent = get_or_404(Consent, consent_id)
    cases.get_case(current_user, consent.case_id, "case.consent")
    try:
        effects = services.withdraw_consent(current_user, consent, request.form.get("reason"))
    except WorkflowError as exc:
        db.session.rollback()
        flash(exc.detail, "error")
        return redirect(url_for("cases.show", case_id=consent.case_id, _anchor="consent"))
    db.session.commit()
    flash(_("Consent withdrawn. %(n)s referral(s) withdrawn; access removed at once.",
            n=len(effects["referrals_withdrawn"])), "success")
    return redirect(url_for("cases.show", case_id=consent.case_id, _anchor="consent"))


# ---------------------------------------------------------------- services directory

@bp.route("/services")
@login_required
def directory():
    category = request.args.get("category") or None
    district = request.args.get("district") or None
    language = request.args.get("language") or None
    found = services.find_services(current_user.mdt_id, category, district, language)
    case_id = request.args.get("case_id", type=int)
    return render_template("referrals/services.html", services=found, category=category,
                           district=district, language=language, case_id=case_id)


def _service_form(service: Service | None = None):
    values = request.form if request.method == "POST" else (
        {k: getattr(service, k) for k in ("agency_id", "category", "name", "areas", "languages",
                                           "eligibility", "contact", "response_days", "active")}
        if service else {"agency_id": current_user.agency_id, "response_days": 7, "active": True})
    errors = {}
    if request.method == "POST":
        data = form_dict(request.form)
        data["active"] = "active" in request.form
        try:
            services.save_service(current_user, data, service)
            db.session.commit()
            flash(_("Service saved."), "success")
            return redirect(url_for("referrals.directory"))
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
    own = [a for a in agencies(current_user.mdt_id) if policy.can(current_user, "service.manage", a)]
    return render_template("referrals/service_form.html", service=service, values=values,
                           errors=errors, agencies=own), (422 if errors else 200)


@bp.route("/services/new", methods=["GET", "POST"])
@login_required
def new_service():
    return _service_form()


@bp.route("/services/<int:service_id>/edit", methods=["GET", "POST"])
@login_required
def edit_service(service_id: int):
    service = get_or_404(Service, service_id, mdt_id=current_user.mdt_id)
    if not policy.can(current_user, "service.manage", service.agency):
        abort(403)
    return _service_form(service)


# ---------------------------------------------------------------- referrals

@bp.route("/referrals")
@login_required
def index():
    direction = request.args.get("direction", "incoming")
    if direction not in ("incoming", "outgoing"):
        direction = "incoming"
    status = request.args.get("status") if request.args.get("status") in REFERRAL_STATUSES else None
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    f = services.ReferralFilters(direction=direction, status=status, page=page)
    rows, total = services.referral_list(current_user, f)
    pages = max((total + f.per_page - 1) // f.per_page, 1)
    return render_template("referrals/index.html", rows=rows, total=total, f=f, pages=pages,
                           has_next=page < pages, today=date.today())


def _agency_choices(service: str | None, district: str | None):
    """Agencies offering ``service`` (covering ``district`` first), then all others."""
    offering = services.find_services(current_user.mdt_id, service, district) if service else []
    first = []
    seen = set()
    for s in offering:
        if s.agency_id not in seen and s.agency_id != current_user.agency_id:
            seen.add(s.agency_id)
            first.append((s.agency_id, f"{s.agency.name} · {s.name}"))
    rest = [(a.id, a.name) for a in agencies(current_user.mdt_id)
            if a.id not in seen and a.id != current_user.agency_id]
    return first, rest


@bp.route("/referrals/new", methods=["GET", "POST"])
@login_required
def new():
    case_id = request.values.get("case_id", type=int)
    if case_id is None:
        raise NotFound("No case given.")
    case = cases.get_case(current_user, case_id, "case.refer")
    plan = db.session.scalars(db.select(PlanItem).where(PlanItem.case_id == case.id,
                                                        PlanItem.kind == "service")).all()
    errors = {}
    status = 200
    if request.method == "POST":
        values = request.form
        data = form_dict(request.form)
        data["case_id"] = case.id
        try:
            referral = services.create_referral(current_user, data)
            db.session.commit()
            flash(_("Referral sent to %(agency)s.", agency=referral.to_agency.name), "success")
            return redirect(url_for("referrals.show", referral_id=referral.id))
        except ValidationError as exc:
            db.session.rollback()
            errors, status = exc.errors, 422
        except WorkflowError as exc:
            db.session.rollback()
            errors, status = {"to_agency_id": [exc.detail]}, 409
    else:
        values = {"service": request.args.get("service"),
                  "plan_item_id": request.args.get("plan_item_id"), "urgency": "normal",
                  "reason": (request.args.get("reason") or "")[:5000]}
        if values["plan_item_id"] and not values["service"]:
            item = db.session.get(PlanItem, int(values["plan_item_id"]))
            if item is not None and item.case_id == case.id:
                values["service"] = item.service
    first, rest = _agency_choices(values.get("service"), case.district)
    consented = {c.agency_id for c in services.case_consents(case)
                 if c.purpose == "share_with_agency" and c.is_live(date.today())}
    return render_template("referrals/new.html", case=case, values=values, errors=errors,
                           first=first, rest=rest, plan=plan, consented=consented), status


@bp.route("/referrals/agency-options")
@login_required
def agency_options():
    """htmx: the agency list for the chosen service."""
    first, rest = _agency_choices(request.args.get("service"), request.args.get("district"))
    return render_template("referrals/_agency_options.html", first=first, rest=rest,
                           selected=request.args.get("to_agency_id", type=int))


@bp.route("/referrals/<int:referral_id>")
@login_required
def show(referral_id: int, status: int = 200, errors=None, form_name=None):
    referral = services.get_referral(current_user, referral_id)
    can_see_case = policy.can(current_user, "case.view", referral.case)
    return render_template("referrals/show.html", referral=referral, can_see_case=can_see_case,
                           errors=errors or {}, form_name=form_name, values=request.form,
                           today=date.today()), status


def _referral_action(referral_id: int, work, success: str, form_name: str):
    referral = services.get_referral(current_user, referral_id)
    try:
        work(referral)
        db.session.commit()
        flash(success, "success")
    except ValidationError as exc:
        db.session.rollback()
        return show(referral_id, status=422, errors=exc.errors, form_name=form_name)
    except WorkflowError as exc:
        db.session.rollback()
        return show(referral_id, status=409, errors={"_": [exc.detail]}, form_name=form_name)
    if policy.can(current_user, "referral.view", referral):
        return redirect(url_for("referrals.show", referral_id=referral_id))
    return redirect(url_for("referrals.index"))


@bp.route("/referrals/<int:referral_id>/accept", methods=["POST"])
@login_required
def accept(referral_id: int):
    return _referral_action(referral_id, lambda r: services.accept(current_user, r),
                            _("Referral accepted. The case is now open to your agency."), "answer")


@bp.route("/referrals/<int:referral_id>/decline", methods=["POST"])
@login_required
def decline(referral_id: int):
    return _referral_action(
        referral_id, lambda r: services.decline(current_user, r, request.form.get("reason")),
        _("Referral declined."), "decline")


@bp.route("/referrals/<int:referral_id>/complete", methods=["POST"])
@login_required
def complete(referral_id: int):
    return _referral_action(
        referral_id, lambda r: services.complete(current_user, r, form_dict(request.form)),
        _("Outcome recorded."), "complete")


@bp.route("/referrals/<int:referral_id>/withdraw", methods=["POST"])
@login_required
def withdraw(referral_id: int):
    return _referral_action(
        referral_id, lambda r: services.withdraw(current_user, r, request.form.get("reason")),
        _("Referral withdrawn."), "withdraw")


@bp.route("/referrals/<int:referral_id>/instalments", methods=["POST"])
@login_required
def add_instalment(referral_id: int):
    return _referral_action(
        referral_id, lambda r: services.add_instalment(current_user, r, form_dict(request.form)),
        _("Instalment recorded."), "instalment")


@bp.route("/referrals/figures")
@login_required
def figures():
    if not policy.can(current_user, "referral.stats"):
        abort(403)
    today = date.today()
    errors = {}
    try:
        start = date.fromisoformat(request.args.get("start") or (today - timedelta(days=365)).isoformat())
        end = date.fromisoformat(request.args.get("end") or today.isoformat())
        if end < start:
            errors["end"] = [_("The end is before the start.")]
    except ValueError:
        start, end = today - timedelta(days=365), today
        errors["start"] = [_("Use a date like 2026-01-31.")]
    data = services.figures(current_user.mdt_id, start, end)
    return render_template("referrals/figures.html", data=data, start=start, end=end,
                           errors=errors)


# ---------------------------------------------------------------- notifications

@bp.route("/notifications")
@login_required
def notifications_page():
    items = notifications.recent(current_user)
    html = render_template("notifications/index.html", items=items)
    notifications.mark_all_read(current_user)
    db.session.commit()
    return html
