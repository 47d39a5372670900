"""Document pages: adding files to a case or a legal matter (several at once, from a phone's
camera too), a document's page with its versions and chain of custody, and its file."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from mdt import formats, labels, policy, transaction
from mdt.cases import services as case_services
from mdt.documents import bundle, signing
from mdt.documents import services as documents
from mdt.documents.http import file_response
from mdt.documents.models import DEFAULT_PART, DOCUMENT_KINDS, FALLBACK_PART
from mdt.documents.schemas import NO_FILE
from mdt.documents.spool import MAX_FILES
from mdt.errors import NotFound, ValidationError, WorkflowError, get_or_404
from mdt.legal.models import Hearing, LegalMatter
from mdt.pdf import render_pdf
from mdt.schema import record_id
from mdt.web import act, form_view

bp = Blueprint("documents", __name__)


def uploaded_files() -> list:
    """The files chosen (an input left empty, such as the camera's, sends an empty part)."""
    return [f for f in request.files.getlist("file") if f and (f.filename or f.content_length)]


def add_all(target, form) -> list:
    """Every file of the form added with the same description; all or none."""
    files = uploaded_files()
    if not files:
        raise ValidationError(str(NO_FILE), {"file": [str(NO_FILE)]})
    if len(files) > MAX_FILES:
        message = _("At most %(n)s files at a time.", n=MAX_FILES)
        raise ValidationError(message, {"file": [message]})
    data = {k: v for k, v in form.items() if k not in ("csrf_token", "parts")}
    data["parts"] = form.getlist("parts")
    added = []
    for upload in files:
        try:
            added.append(documents.add(current_user, target, data, upload.stream, upload.filename))
        except ValidationError as exc:
            if "file" in exc.errors and len(files) > 1:
                exc.errors["file"] = [f"{upload.filename}: {m}" for m in exc.errors["file"]]
            raise
    return added


def _form_page(target, back: str, values, errors, status):
    kinds = [(k, labels.label("document_kind", k)) for k in DOCUMENT_KINDS]
    return (
        render_template(
            "documents/new.html",
            target=target,
            back=back,
            kinds=kinds,
            values=values,
            errors=errors,
            default_part={k: DEFAULT_PART.get(k, FALLBACK_PART) for k in DOCUMENT_KINDS},
            parts=sorted(policy.shared_parts(current_user, target))
            if hasattr(target, "lead_agency_id")
            else [],
            sensitive=policy.can(current_user, "case.sensitive", target)
            if hasattr(target, "lead_agency_id")
            else True,
            about=_about_options(documents.contexts(current_user, target)),
        ),
        status,
    )


def _about_options(found: dict[str, list]) -> dict[str, list[tuple[int, str]]]:
    """The add form's choices of what else a document is about, as (id, text)."""
    return {
        "hearing_id": [
            (h.id, f"{formats.datetime(h.starts_at, 'long')} · {h.purpose}") for h in found["hearings"]
        ],
        "referral_id": [
            (
                r.id,
                " · ".join(
                    (labels.label("service", r.service), r.to_agency.name, formats.datetime(r.created_at))
                ),
            )
            for r in found["referrals"]
        ],
        "agenda_item_id": [(a.id, a.title) for a in found["agenda_items"]],
        "translation_of_id": [(d.id, d.title) for d in found["originals"]],
    }


def _added(items) -> str:
    return ngettext("%(num)s document added.", "%(num)s documents added.", len(items))


def _add_page(target, back: str, default_kind: str):
    if not policy.can(current_user, "document.add", target):
        abort(403)
    return form_view(
        initial=lambda: {"kind": request.args.get("kind", default_kind)},
        render=lambda values, errors, status: _form_page(target, back, values, errors, status),
        work=lambda: add_all(target, request.form),
        success=_added,
        done_url=back,
    )


@bp.route("/cases/<int:case_id>/documents/new", methods=["GET", "POST"])
@login_required
def add_to_case(case_id: int):
    case = case_services.get_case(current_user, case_id)
    return _add_page(case, url_for("cases.show", case_id=case.id, _anchor="documents"), "")


@bp.route("/matters/<int:matter_id>/documents/new", methods=["GET", "POST"])
@login_required
def add_to_matter(matter_id: int):
    matter = get_or_404(LegalMatter, matter_id)
    if not policy.can(current_user, "matter.view", matter):
        abort(404)
    return _add_page(matter, url_for("legal.show", matter_id=matter.id, _anchor="documents"), "court_paper")


def _document_or_404(document_id: int):
    try:
        return documents.get(current_user, document_id)
    except NotFound:
        abort(404)


def _page(document, status=200, values=None, errors=None):
    return (
        render_template(
            "documents/show.html",
            document=document,
            custody=documents.custody_of(document),
            values=values or {},
            errors=errors or {},
        ),
        status,
    )


@bp.route("/documents/<int:document_id>")
@login_required
def show(document_id: int):
    document = _document_or_404(document_id)
    documents.custody(current_user, document, "viewed")
    return _page(document)


@bp.route("/documents/<int:document_id>/versions", methods=["POST"])
@login_required
def add_version(document_id: int):
    document = _document_or_404(document_id)
    if not policy.can(current_user, "document.version", document):
        abort(403)
    files = uploaded_files()
    return act(
        lambda: documents.add_version(
            current_user,
            document,
            files[0].stream if files else None,
            files[0].filename if files else None,
            remove_location=request.form.get("remove_location") == "on",
        ),
        success=lambda v: _("Version %(n)s added.", n=v.number),
        done_url=url_for("documents.show", document_id=document.id),
        page=lambda status, errors: _page(document, status, request.form, errors),
    )


@bp.route("/documents/<int:document_id>/file")
@login_required
def download(document_id: int):
    """The file. Its custody row is committed with the request, before the first byte goes out
    (a streamed response's body is read after the request has ended); a failed check commits its
    own custody row and the administrators' alert, and shows the document's page."""
    document = _document_or_404(document_id)
    try:
        return file_response(document)
    except WorkflowError as exc:
        return _page(document, 409, errors={"_": [exc.detail]})


@bp.route("/documents/<int:document_id>/thumbnail")
@login_required
def thumbnail(document_id: int):
    document = _document_or_404(document_id)
    picture = documents.thumbnail(current_user, document)
    if picture is None:
        abort(404)
    documents.custody(current_user, document, "viewed", thumbnail=True)
    response = Response(picture, mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"  # not left on a shared phone's disk
    return response


# ---------------------------------------------------------------- the chain of custody as a signed PDF


@bp.route("/documents/<int:document_id>/custody.pdf")
@login_required
def custody_pdf(document_id: int):
    """The chain of custody for a prosecutor or a court: a PDF signed by the installation, listing
    every event with the file's SHA-256, and the digest of the rows (recorded in the chain)."""
    document = _document_or_404(document_id)
    events = documents.custody_of(document)
    rows = [
        [e.at.isoformat(), e.actor.name if e.actor else "", e.action, e.address or "", e.sha256 or ""]
        for e in events
    ]
    digest = signing.digest(rows)
    documents.custody(current_user, document, "exported", digest=digest)
    html = render_template(
        "pdf/custody.html", document=document, events=events, digest=digest, fingerprint=signing.fingerprint()
    )
    body = signing.sign(render_pdf(html), reason=_("Chain of custody of document %(id)s", id=document.id))
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="custody-{document.id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- court bundles


@bp.route("/hearings/<int:hearing_id>/bundle", methods=["GET", "POST"])
@login_required
def new_bundle(hearing_id: int):
    hearing = get_or_404(Hearing, hearing_id)
    if not policy.can(current_user, "matter.view", hearing.matter):
        abort(404)
    if not policy.can(current_user, "matter.edit", hearing.matter):
        abort(403)
    offered = bundle.choices(current_user, hearing)

    def render(values, errors, status):
        chosen = values.getlist("documents") if hasattr(values, "getlist") else []
        return (
            render_template(
                "documents/bundle_new.html", hearing=hearing, offered=offered, chosen=chosen, errors=errors
            ),
            status,
        )

    def work():
        made = bundle.request_bundle(
            current_user,
            hearing,
            [i for i in (record_id(v) for v in request.form.getlist("documents")) if i is not None],
            request.form.get("language", "en"),
        )
        transaction.after_commit(lambda: bundle.queue(made.id))
        return made

    return form_view(
        initial=lambda: {},
        render=render,
        work=work,
        success=_("The bundle is being made."),
        done_url=lambda made: url_for("documents.bundle_status", bundle_id=made.id),
    )


@bp.route("/bundles/<int:bundle_id>")
@login_required
def bundle_status(bundle_id: int):
    try:
        made = bundle.get_bundle(current_user, bundle_id)
    except NotFound:
        abort(404)
    return render_template("documents/bundle_status.html", bundle=made)
