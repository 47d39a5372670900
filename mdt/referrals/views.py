from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mdt import clock, consent, policy, transaction
from mdt.cases import services as cases
from mdt.cases.models import PlanItem
from mdt.cases.views import case_action, form_page
from mdt.directory.services import agencies
from mdt.errors import NotFound, Review, ValidationError, WorkflowError, get_or_404
from mdt.extensions import db
from mdt.notifications import services as notifications
from mdt.referrals import services
from mdt.referrals.models import REFERRAL_STATUSES, Consent, Service
from mdt.web import act, arg_id, arg_page, form_dict, form_view, read_back_confirmed

bp = Blueprint("referrals", __name__)


# ---------------------------------------------------------------- consent (from the case page)


@bp.route("/cases/<int:case_id>/consents", methods=["GET", "POST"])
@login_required
def record_consent(case_id: int):
    def work(case):
        data = form_dict(request.form, lists=("scope",))
        data["risks_acknowledged"] = "risks_acknowledged" in request.form
        if not data.get("scope"):
            data.pop("scope")
        recorded = services.record_consent(current_user, case, data)
        # Read back before saving (issue 13): the member confirms the sentence for these values.
        if not read_back_confirmed(request.form):
            raise Review(services.read_back(recorded))

    return form_page(
        case_id,
        "case.consent",
        "referrals/consent_form.html",
        work,
        _("Consent recorded."),
        "consent",
        # No answer chosen in advance: the member says what the person answered.
        lambda case: {"recorded_on": clock.today(case.mdt).isoformat()},
        read="case.read_consents",
        agencies=lambda: agencies(current_user.mdt_id),
    )


@bp.route("/consents/<int:consent_id>/withdraw", methods=["POST"])
@login_required
def withdraw_consent(consent_id: int):
    recorded = get_or_404(Consent, consent_id)
    return case_action(
        recorded.case_id,
        "case.consent",
        lambda _case: services.withdraw_consent(current_user, recorded, request.form.get("reason")),
        lambda effects: _(
            "Consent withdrawn. %(n)s referral(s) withdrawn; access removed at once.",
            n=len(effects["referrals_withdrawn"]),
        ),
        "consent",
        f"withdraw-{recorded.id}",
        refusal_field="reason",
    )


# ---------------------------------------------------------------- services directory


@bp.route("/services")
@login_required
def directory():
    category = request.args.get("category") or None
    district = request.args.get("district") or None
    language = request.args.get("language") or None
    found = services.find_services(current_user.mdt_id, category, district, language)
    case_id = arg_id("case_id")
    return render_template(
        "referrals/services.html",
        services=found,
        category=category,
        district=district,
        language=language,
        case_id=case_id,
    )


def _service_form(service: Service | None = None):
    def initial():
        if service is None:
            return {"agency_id": current_user.agency_id, "response_days": 7, "active": True}
        return {
            k: getattr(service, k)
            for k in (
                "agency_id",
                "category",
                "name",
                "areas",
                "languages",
                "eligibility",
                "contact",
                "response_days",
                "active",
            )
        }

    def work():
        data = form_dict(request.form)
        data["active"] = "active" in request.form
        return services.save_service(current_user, data, service)

    def render(values, errors, status):
        own = [a for a in agencies(current_user.mdt_id) if policy.can(current_user, "service.manage", a)]
        return render_template(
            "referrals/service_form.html", service=service, values=values, errors=errors, agencies=own
        ), status

    return form_view(
        initial=initial,
        render=render,
        work=work,
        success=_("Service saved."),
        done_url=url_for("referrals.directory"),
    )


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
    page = arg_page()
    f = services.ReferralFilters(direction=direction, status=status, page=page)
    rows, total = services.referral_list(current_user, f)
    pages = max((total + f.per_page - 1) // f.per_page, 1)
    return render_template(
        "referrals/index.html",
        rows=rows,
        total=total,
        f=f,
        pages=pages,
        has_next=page < pages,
        today=clock.today(current_user.mdt),
    )


def _agency_choices(service: str | None, district: str | None):
    """Agencies offering ``service`` (covering ``district`` first), then all others."""
    offering = services.find_services(current_user.mdt_id, service, district) if service else []
    first = []
    seen = set()
    for s in offering:
        if s.agency_id not in seen and s.agency_id != current_user.agency_id:
            seen.add(s.agency_id)
            first.append((s.agency_id, f"{s.agency.name} · {s.name}"))
    rest = [
        (a.id, a.name)
        for a in agencies(current_user.mdt_id)
        if a.id not in seen and a.id != current_user.agency_id
    ]
    return first, rest


@bp.route("/referrals/new", methods=["GET", "POST"])
@login_required
def new():
    case_id = arg_id("case_id", request.values)
    if case_id is None:
        raise NotFound("No case given.")
    case = cases.get_case(current_user, case_id, "case.refer")
    plan = db.session.scalars(
        db.select(PlanItem).where(PlanItem.case_id == case.id, PlanItem.kind == "service")
    ).all()
    errors = {}
    status = 200
    values: Mapping
    if request.method == "POST":
        values = request.form
        data = form_dict(request.form)
        data["case_id"] = case.id
        try:
            referral = services.create_referral(current_user, data)
        except ValidationError as exc:
            transaction.rollback()
            errors, status = exc.errors, 422
        except WorkflowError as exc:
            transaction.rollback()
            errors, status = {"to_agency_id": [exc.detail]}, 409
        else:
            flash(_("Referral sent to %(agency)s.", agency=referral.to_agency.name), "success")
            return redirect(url_for("referrals.show", referral_id=referral.id))
    else:
        values = {
            "service": request.args.get("service"),
            "plan_item_id": request.args.get("plan_item_id"),
            "urgency": "normal",
            "reason": (request.args.get("reason") or "")[:5000],
        }
        plan_item_id = arg_id("plan_item_id")
        if plan_item_id is not None and not values["service"]:
            item = db.session.get(PlanItem, plan_item_id)
            if item is not None and item.case_id == case.id:
                values["service"] = item.service
    first, rest = _agency_choices(values.get("service"), case.district)
    consented = {
        d.agency_id
        for d in consent.effective(case.consents, on=clock.today(case.mdt))
        if d.purpose == consent.SHARING and d.live
    }
    return render_template(
        "referrals/new.html",
        case=case,
        values=values,
        errors=errors,
        first=first,
        rest=rest,
        plan=plan,
        consented=consented,
    ), status


@bp.route("/referrals/agency-options")
@login_required
def agency_options():
    """htmx: the agency list for the chosen service."""
    first, rest = _agency_choices(request.args.get("service"), request.args.get("district"))
    return render_template(
        "referrals/_agency_options.html",
        first=first,
        rest=rest,
        selected=arg_id("to_agency_id"),
    )


@bp.route("/referrals/<int:referral_id>")
@login_required
def show(referral_id: int, status: int = 200, errors=None, form_name=None):
    referral = services.read_referral(current_user, referral_id)
    can_see_case = policy.can(current_user, "case.view", referral.case)
    return render_template(
        "referrals/show.html",
        referral=referral,
        can_see_case=can_see_case,
        errors=errors or {},
        form_name=form_name,
        values=request.form,
        today=clock.today(current_user.mdt),
    ), status


def _referral_action(referral_id: int, work, success: str, form_name: str):
    referral = services.get_referral(current_user, referral_id)

    def done_url(_result):
        if policy.can(current_user, "referral.view", referral):
            return url_for("referrals.show", referral_id=referral_id)
        return url_for("referrals.index")

    return act(
        lambda: work(referral),
        success=success,
        done_url=done_url,
        page=lambda status, errors: show(referral_id, status=status, errors=errors, form_name=form_name),
    )


@bp.route("/referrals/<int:referral_id>/accept", methods=["POST"])
@login_required
def accept(referral_id: int):
    return _referral_action(
        referral_id,
        lambda r: services.accept(current_user, r),
        _("Referral accepted. The case is now open to your agency."),
        "answer",
    )


@bp.route("/referrals/<int:referral_id>/decline", methods=["POST"])
@login_required
def decline(referral_id: int):
    return _referral_action(
        referral_id,
        lambda r: services.decline(current_user, r, request.form.get("reason")),
        _("Referral declined."),
        "decline",
    )


@bp.route("/referrals/<int:referral_id>/complete", methods=["POST"])
@login_required
def complete(referral_id: int):
    return _referral_action(
        referral_id,
        lambda r: services.complete(current_user, r, form_dict(request.form)),
        _("Outcome recorded."),
        "complete",
    )


@bp.route("/referrals/<int:referral_id>/withdraw", methods=["POST"])
@login_required
def withdraw(referral_id: int):
    return _referral_action(
        referral_id,
        lambda r: services.withdraw(current_user, r, request.form.get("reason")),
        _("Referral withdrawn."),
        "withdraw",
    )


@bp.route("/referrals/<int:referral_id>/instalments", methods=["POST"])
@login_required
def add_instalment(referral_id: int):
    return _referral_action(
        referral_id,
        lambda r: services.add_instalment(current_user, r, form_dict(request.form)),
        _("Instalment recorded."),
        "instalment",
    )


@bp.route("/referrals/figures")
@login_required
def figures():
    """The referral figures are part of the dashboard now (``mdt.reports``): the old address
    leads there, with its period."""
    if not policy.can(current_user, "report.view"):
        abort(403)
    period = {"from": request.args.get("start", ""), "to": request.args.get("end", "")}
    query = urlencode({key: value for key, value in period.items() if value})
    return redirect(url_for("reports.dashboard") + (f"?{query}" if query else "") + "#referrals-h")


# ---------------------------------------------------------------- notifications


@bp.route("/notifications")
@login_required
def notifications_page():
    items = notifications.recent(current_user)
    html = render_template("notifications/index.html", items=items)
    notifications.mark_all_read(current_user)
    return html
