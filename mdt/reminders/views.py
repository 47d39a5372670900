from __future__ import annotations

from collections.abc import Mapping
from email import policy as email_policy
from email.parser import BytesParser

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mdt import policy
from mdt.reminders import services
from mdt.reminders.channels import outbox_dir
from mdt.reminders.messages import base_url, compose, recipient_of
from mdt.reminders.models import STATUSES
from mdt.web import act, form_dict

bp = Blueprint("reminders", __name__)


def _page(status: int = 200, errors=None):
    prefs = services.preferences(current_user)
    values: Mapping
    if request.method == "POST":
        values = request.form
        chosen = request.form.getlist("channels")
    else:
        shown = {f"lead_{k}": ", ".join(str(d) for d in v) for k, v in prefs["lead_days"].items()}
        shown.update(quiet_start=prefs["quiet_start"] or "", quiet_end=prefs["quiet_end"] or "")
        values = {**shown, "digest": prefs["digest"]}
        chosen = prefs["channels"]
    wanted = request.args.get("status")
    return render_template(
        "reminders/index.html",
        values=values,
        errors=errors or {},
        chosen=chosen,
        statuses=STATUSES,
        wanted=wanted,
        items=services.list_for(current_user, wanted),
    ), status


@bp.route("/reminders", methods=["GET", "POST"])
@login_required
def index():
    if request.method == "GET":
        return _page()
    data = form_dict(request.form, ("channels",))
    data["digest"] = "digest" in request.form
    return act(
        lambda: services.save_preferences(current_user, data),
        success=_("Your reminder settings are saved; reminders still to come follow them."),
        done_url=url_for("reminders.index"),
        page=lambda status, errors: _page(status, errors),
    )


def _reminder_id(mail) -> int | None:
    value = str(mail["X-MDT-Reminder"] or "")
    return int(value) if value.isdigit() and len(value) < 12 else None


@bp.route("/admin/outbox")
@login_required
def outbox():
    """The MDT's reminders by status, and the mail written to instance/outbox/ when no SMTP
    server is configured."""
    if not policy.can(current_user, "reminders.outbox", current_user.mdt_id):
        abort(403)
    wanted = request.args.get("status")
    mails = []
    if not current_app.config.get("MDT_SMTP_URL"):
        heads = {}
        for path in sorted(outbox_dir(current_user.mdt_id).glob("*.eml"), reverse=True)[:100]:
            with path.open("rb") as f:
                heads[path.name] = BytesParser(policy=email_policy.default).parse(f, headersonly=True)
        people = services.people_reminded([_reminder_id(head) for head in heads.values()])
        for name, head in heads.items():
            # A returnee's own address stays out of the list (the mail itself is an audited read).
            to = _("the person reminded") if _reminder_id(head) in people else head["To"]
            mails.append({"name": name, "to": to, "subject": head["Subject"], "date": head["Date"]})
    return render_template(
        "reminders/outbox.html",
        statuses=STATUSES,
        wanted=wanted,
        items=services.list_for(current_user, wanted, everyone=True),
        mails=mails,
        smtp=bool(current_app.config.get("MDT_SMTP_URL")),
    )


@bp.route("/admin/outbox/<name>")
@login_required
def outbox_mail(name: str):
    if not policy.can(current_user, "reminders.outbox", current_user.mdt_id):
        abort(403)
    path = outbox_dir(current_user.mdt_id) / name
    if "/" in name or not name.endswith(".eml") or not path.is_file():
        abort(404)
    mail = BytesParser(policy=email_policy.default).parsebytes(path.read_bytes())
    services.audit_mail_read(current_user, _reminder_id(mail))
    body = mail.get_body(preferencelist=("plain",))
    return render_template("reminders/mail.html", mail=mail, text=body.get_content() if body else "")


@bp.app_template_global("reminder_note")
def reminder_note(notification) -> tuple[str, str]:
    """What the bell says for a reminder, and where it leads (inside the app)."""

    reminder = notification.reminder
    if reminder is None:
        return _("A reminder"), url_for("reminders.index")
    if notification.kind == "reminder_failed":
        return (
            _(
                "A reminder could not be sent (%(channel)s): %(error)s",
                channel=reminder.channel,
                error=reminder.last_error or "",
            ),
            url_for("reminders.outbox", status="failed"),
        )
    try:
        message = compose(reminder, recipient_of(reminder))
    except Exception:  # noqa: BLE001 - the source is gone; the bell still shows something
        return _("A reminder"), url_for("reminders.index")
    return message.subject, message.link.removeprefix(base_url())
