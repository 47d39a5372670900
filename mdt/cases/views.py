from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from mdt import clock, consent, policy, transaction
from mdt.audit.services import case_trail, record
from mdt.cases import risk, services
from mdt.cases.models import Assessment, IntakeDraft, PlanItem
from mdt.directory.services import agencies, members
from mdt.documents import services as document_services
from mdt.errors import ValidationError
from mdt.extensions import db
from mdt.home import services as home_services
from mdt.legal import services as legal_services
from mdt.privacy import readers
from mdt.referrals import services as referral_services
from mdt.sync import services as sync_services
from mdt.visits import services as visit_services
from mdt.web import act, arg_day, arg_id, arg_ids, arg_page, form_dict, form_view, require

bp = Blueprint("cases", __name__)

PERSON_FIELDS = (
    "given_name",
    "family_name",
    "sex",
    "date_of_birth",
    "phone",
    "languages",
    "home_province",
    "home_district",
    "home_subdistrict",
    "home_village",
    "safe_contact_note",
    "email",
)
EPISODE_FIELDS = (
    "destination_country",
    "sector",
    "job",
    "departed_on",
    "returned_on",
    "channel",
    "currency",
    "recruitment_fee",
    "debt_amount",
    "debt_lender",
    "debt_collateral",
    "wages_owed",
    "documents_withheld",
)


def _flat_errors(errors: dict) -> dict:
    """Service errors are keyed like ``person.given_name``; the form's fields are flat."""
    flat: dict[str, list[str]] = {}
    for key, messages in errors.items():
        short = key.split(".", 1)[1] if key.startswith(("person.", "episodes[0].")) else key
        flat.setdefault(short, []).extend(messages)
    return flat


def _day_arg(args, name: str):
    """A day in the address (the dashboard's links); a bad one is ignored."""
    try:
        return date.fromisoformat(args.get(name) or "")
    except ValueError:
        return None


def _filters_from_args() -> services.CaseFilters:
    args = request.args
    minor = args.get("minor")
    page = arg_page(args)
    agency_id = arg_id("agency", args)
    return services.CaseFilters(
        q=args.get("q") or None,
        stage=args.get("stage") or None,
        agency_id=agency_id,
        district=args.get("district") or None,
        destination=args.get("destination") or None,
        sector=args.get("sector") or None,
        minor=True if minor == "yes" else (False if minor == "no" else None),
        mine=args.get("mine") == "1",
        attention=args.get("attention") == "1",
        opened_from=_day_arg(args, "opened_from"),
        opened_to=_day_arg(args, "opened_to"),
        source=args.get("source") or None,
        sex=args.get("sex") or None,
        page=page,
        per_page=current_app.config["MDT_PAGE_SIZE"],
        after=services.read_cursor(args.get("after")) if page > 1 else None,
    )


@bp.route("/")
@login_required
def home():
    """Each role's question for today (mdt.home)."""
    return render_template("home/index.html", home=home_services.home(current_user))


@bp.route("/cases")
@login_required
def index():
    f = _filters_from_args()
    rows, total = services.list_cases(current_user, f, count_cap=services.COUNT_CAP)
    capped = total > services.COUNT_CAP
    pages = None if capped else max((total + f.per_page - 1) // f.per_page, 1)
    has_next = len(rows) == f.per_page and (capped or f.page < (pages or 0))
    return render_template(
        "cases/index.html",
        rows=rows,
        after=services.cursor(rows[-1][0]) if has_next and services.keyset(f) else None,
        total=total,
        f=f,
        pages=pages,
        has_next=has_next,
        capped=capped,
        cap=services.COUNT_CAP,
        agencies=agencies(current_user.mdt_id),
    )


def _intake_data(form) -> dict:
    data = {
        "source": form.get("source"),
        "summary": form.get("summary"),
        "lead_agency_id": form.get("lead_agency_id") or None,
        "person": {**{k: form.get(k) for k in PERSON_FIELDS}, "contact_safe": "contact_safe" in form},
    }
    if form.get("person_id"):
        data["person_id"] = form.get("person_id")
    episode = _episode_data(form)
    if any(v for k, v in episode.items() if k not in ("currency", "channel")):
        data["episodes"] = [episode]
    return data


@bp.route("/cases/new", methods=["GET", "POST"])
@require("case.create")
def new():
    errors = {}
    duplicates = []
    if request.method == "POST":
        values: Mapping = request.form
        data = _intake_data(request.form)
        person = data["person"]
        try:
            dob = date.fromisoformat(person.get("date_of_birth") or "")
        except ValueError:
            dob = None
        if not (request.form.get("person_id") or request.form.get("confirm_new")):
            duplicates = services.duplicate_matches(
                current_user, person.get("given_name"), person.get("family_name"), dob, person.get("phone")
            )
        if not duplicates:
            try:
                case = services.create_case(current_user, data)
            except ValidationError as exc:
                transaction.rollback()
                errors = _flat_errors(exc.errors)
            else:
                services.discard_draft(current_user, arg_id("draft_id", request.form))
                flash(_("Case %(ref)s registered.", ref=case.reference), "success")
                return redirect(url_for("cases.show", case_id=case.id))
        # Keep what was typed even if the connection drops before the next try.
        draft: IntakeDraft | None = services.save_draft(
            current_user, request.form.to_dict(), arg_id("draft_id", request.form)
        )
    else:
        # A new intake starts empty; an unfinished one is opened only when asked for by its id.
        draft = services.get_draft(current_user, arg_id("draft"))
        values = dict(draft.data) if draft else {}
    return render_template(
        "cases/new.html",
        values=values,
        errors=errors,
        duplicates=duplicates,
        draft=draft,
        unfinished=[d for d in services.drafts(current_user) if draft is None or d.id != draft.id],
        agencies=agencies(current_user.mdt_id),
    ), (422 if errors else 200)


@bp.route("/cases/new/draft", methods=["POST"])
@require("case.create")
def save_draft():
    draft = services.save_draft(current_user, request.form.to_dict(), arg_id("draft_id", request.form))
    if draft is None:
        return "", 204  # that intake is registered or discarded: a late autosave keeps nothing
    return render_template("cases/_draft_saved.html", draft=draft)


@bp.route("/cases/new/drafts/<int:draft_id>/discard", methods=["POST"])
@require("case.create")
def discard_draft(draft_id: int):
    if not services.discard_draft(current_user, draft_id):
        abort(404)
    flash(_("The unfinished intake was discarded."), "success")
    return redirect(url_for("cases.new"))


def _case_page(case_id: int, *, status: int = 200, **extra):
    case, full = services.read_case(current_user, case_id)
    if not full:
        return render_template("cases/summary.html", case=case), status
    full_team = policy.can(current_user, "case.edit", case)
    context = {
        "case": case,
        "notes": services.case_notes(current_user, case),
        "consents": referral_services.case_consents(case) if full_team else [],
        # The one consent decision per purpose and agency: which record decides, and is it live.
        "deciding": {d.consent_id: d for d in consent.effective(case.consents, on=clock.today(case.mdt))}
        if full_team
        else {},
        "matters": legal_services.matters_of_case(current_user, case),
        "documents": document_services.of_case(current_user, case),
        "visits": visit_services.of_case(current_user, case),
        "today": clock.today(case.mdt),
        "conflicts": sync_services.open_conflicts(current_user, case),
        "referrals": referral_services.case_referrals(case) if full_team else [],
        "assessment": db.session.get(Assessment, case.id),
        "risk_profile": risk.profile_of(case),
        "risk_indicators": risk.indicators(),
        "plan": db.session.scalars(case_plan_stmt(case.id)).all(),
        "sensitive": policy.can(current_user, "case.sensitive", case),
        "values": {},
        "errors": {},
    }
    context.update(extra)
    # The audited read is committed at the end of the request, after rendering, so that nothing
    # is loaded twice.
    return render_template("cases/show.html", **context), status


def case_plan_stmt(case_id: int):
    return select(PlanItem).where(PlanItem.case_id == case_id).order_by(PlanItem.kind, PlanItem.id)


@bp.route("/cases/<int:case_id>")
@login_required
def show(case_id: int):
    return _case_page(case_id)


def case_action(
    case_id: int, action: str, work, success, anchor: str, form_name: str, refusal_field: str = "to"
):
    """A form on the case page. A refusal (an illegal stage change, say) shows at the form, with
    what was typed kept."""
    case = services.get_case(current_user, case_id, action)
    return act(
        lambda: work(case),
        success=success,
        refusal_field=refusal_field,
        done_url=url_for("cases.show", case_id=case.id, _anchor=anchor),
        page=lambda status, errors: _case_page(
            case_id, status=status, form_name=form_name, values=request.form, errors=_flat_errors(errors)
        ),
    )


@bp.route("/cases/<int:case_id>/notes", methods=["POST"])
@login_required
def add_note(case_id: int):
    return case_action(
        case_id,
        "case.note",
        lambda case: services.add_note(
            current_user, case, request.form.get("body", ""), request.form.get("restricted") == "on"
        ),
        _("Note added."),
        "notes",
        "note",
    )


@bp.route("/cases/<int:case_id>/stage", methods=["POST"])
@login_required
def change_stage(case_id: int):
    return case_action(
        case_id,
        "case.stage",
        lambda case: services.change_stage(
            current_user, case, request.form.get("to", ""), request.form.get("reason")
        ),
        _("Stage changed."),
        "stage",
        "stage",
    )


def form_page(
    case_id: int,
    action: str,
    template: str,
    work,
    success: str,
    anchor: str,
    initial,
    read: str | None = None,
    **context,
):
    """A dedicated form page for a case (edit, team, consent, new episode): GET shows it, POST
    saves and goes back to the case; on an error the page comes back with every value kept.
    ``read``: the audit action of a GET that shows the case's personal data."""
    case = services.get_case(current_user, case_id, action)
    if read and request.method == "GET":
        record(current_user, read, case, case=case)

    def render(values, errors, status):
        shown = case if status == 200 else services.get_case(current_user, case_id, action)
        return render_template(
            template,
            case=shown,
            values=values,
            errors=_flat_errors(errors),
            **{k: v() for k, v in context.items()},
        ), status

    return form_view(
        initial=lambda: initial(case),
        render=render,
        work=lambda: work(case),
        success=success,
        done_url=url_for("cases.show", case_id=case.id, _anchor=anchor),
    )


def _person_values(case) -> dict:
    p = case.person
    values = {k: getattr(p, k) for k in PERSON_FIELDS}
    values["contact_safe"] = p.contact_safe
    values["date_of_birth"] = p.date_of_birth.isoformat() if p.date_of_birth else ""
    values.update(summary=case.summary, source=case.source, lead_agency_id=case.lead_agency_id)
    return values


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
@login_required
def edit(case_id: int):
    def work(case):
        data = {
            "summary": request.form.get("summary"),
            "source": request.form.get("source"),
            "person": {
                **{k: request.form.get(k) for k in PERSON_FIELDS if k in request.form},
                "contact_safe": "contact_safe" in request.form,
            },
        }
        if "lead_agency_id" in request.form and policy.can(current_user, "case.team", case):
            data["lead_agency_id"] = request.form.get("lead_agency_id") or None
        services.update_case(current_user, case, data)

    return form_page(
        case_id,
        "case.edit",
        "cases/edit.html",
        work,
        _("Changes saved."),
        "person",
        _person_values,
        read="case.read_edit",
        agencies=lambda: agencies(current_user.mdt_id),
    )


def _episode_data(form) -> dict:
    data = {k: form.get(k) for k in EPISODE_FIELDS}
    names = form.getlist("intermediary_name")
    kinds = form.getlist("intermediary_kind")
    data["intermediaries"] = [
        {"name": n, "kind": k} for n, k in zip(names, kinds, strict=False) if (n or "").strip()
    ]
    return data


@bp.route("/cases/<int:case_id>/episodes/new", methods=["GET", "POST"])
@login_required
def add_episode(case_id: int):
    return form_page(
        case_id,
        "case.edit",
        "cases/episode_form.html",
        lambda case: services.add_episode(current_user, case, _episode_data(request.form)),
        _("Migration episode added."),
        "episodes",
        lambda case: {"currency": current_user.mdt.currency, "channel": "unknown"},
    )


@bp.route("/cases/<int:case_id>/assessment", methods=["POST"])
@login_required
def save_assessment(case_id: int):
    def work(case):
        data: dict[str, object] = {
            k: request.form.get(k) for k in ("needs", "goals", "strengths", "eligible")
        }
        if policy.can(current_user, "case.sensitive", case):
            data.update(
                {
                    k: request.form.get(k)
                    for k in ("risks", "health", "immigration_status", "counter_charges", "whereabouts")
                }
            )
            data["counter_charge_risk"] = "counter_charge_risk" in request.form
            data["deportation_risk"] = "deportation_risk" in request.form
        services.save_assessment(current_user, case, data)

    return case_action(case_id, "case.edit", work, _("Assessment saved."), "assessment", "assessment")


@bp.route("/cases/<int:case_id>/risk", methods=["POST"])
@login_required
def save_risk_profile(case_id: int):
    return case_action(
        case_id,
        "case.edit",
        lambda case: risk.save(current_user, case, form_dict(request.form)),
        _("Risk profile saved."),
        "risk",
        "risk",
    )


@bp.route("/cases/<int:case_id>/plan", methods=["POST"])
@login_required
def add_plan_item(case_id: int):
    return case_action(
        case_id,
        "case.edit",
        lambda case: services.add_plan_item(current_user, case, form_dict(request.form)),
        _("Added to the plan."),
        "plan",
        "plan",
    )


@bp.route("/cases/<int:case_id>/team", methods=["GET", "POST"])
@login_required
def set_team(case_id: int):
    return form_page(
        case_id,
        "case.team",
        "cases/team.html",
        lambda case: services.set_team(
            current_user, case, arg_ids("agency_ids", request.form), arg_ids("member_ids", request.form)
        ),
        _("Team saved."),
        "team",
        lambda case: {},
        read="case.read_team",
        agencies=lambda: agencies(current_user.mdt_id),
        members=lambda: members(current_user.mdt_id),
    )


def _reader_filters(case) -> readers.Filters:
    today = clock.today(case.mdt)
    start, _ok = arg_day("from", today - timedelta(days=365))
    end, _ok = arg_day("to", today)
    kind = request.args.get("kind", "all")
    return readers.Filters(
        member_id=arg_id("member"),
        agency_id=arg_id("agency"),
        kind=kind if kind in ("read", "write", "all") else "all",
        start=start,
        end=end,
    )


@bp.route("/cases/<int:case_id>/readers")
@login_required
def case_readers(case_id: int):
    """Who has seen this file: every read and write of the case, by member and agency."""
    case = services.get_case(current_user, case_id, "case.readers")
    filters = _reader_filters(case)
    page = arg_page()
    size = current_app.config["MDT_PAGE_SIZE"]
    rows = db.session.execute(readers.events(case, filters).limit(size + 1).offset((page - 1) * size)).all()
    record(current_user, "case.read_readers", case, case=case)
    return render_template(
        "cases/readers.html",
        case=case,
        filters=filters,
        summary=readers.by_member(case, filters),
        rows=rows[:size],
        page=page,
        more=len(rows) > size,
        is_read=readers.is_read,
        members=members(current_user.mdt_id),
        agencies=agencies(current_user.mdt_id),
    )


@bp.route("/cases/<int:case_id>/readers.csv")
@login_required
def case_readers_csv(case_id: int):
    case = services.get_case(current_user, case_id, "case.readers")
    body = readers.as_csv(case, _reader_filters(case))
    record(current_user, "case.read_readers", case, case=case, detail={"format": "csv"})
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{case.reference}-readers.csv"'},
    )


@bp.route("/cases/<int:case_id>/audit")
@login_required
def audit(case_id: int):
    case = services.get_case(current_user, case_id, "case.audit")
    events = case_trail(case.id)
    record(current_user, "case.read_audit", case, case=case)
    return render_template("cases/audit.html", case=case, events=events)
