from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from mdt import transaction
from mdt.audit.services import record
from mdt.auth import services, sessions
from mdt.auth.forms import LoginForm, TokenForm
from mdt.auth.models import ApiToken
from mdt.errors import ValidationError
from mdt.extensions import db, limiter
from mdt.web import local_path

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["MDT_LOGIN_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("cases.home"))
    form = LoginForm()
    if form.validate_on_submit():
        member = services.authenticate(form.email.data, form.password.data)
        if member is None:
            form.password.errors.append(_("Wrong email or password."))
        else:
            sessions.start(member.id)
            login_user(member)
            record(member, "auth.login", member)
            return redirect(local_path(request.args.get("next")) or url_for("cases.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    record(current_user, "auth.logout", current_user._get_current_object())
    logout_user()
    sessions.finish()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["MDT_LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.ui_language = lang
    return redirect(local_path(request.form.get("next")) or url_for("cases.home"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        _token, new_token = services.create_token(current_user, form.name.data)
        flash(_("Copy this token now: it will not be shown again."), "warning")
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.member_id == current_user.id).order_by(ApiToken.created_at.desc())
    ).all()
    return render_template("auth/profile.html", form=form, tokens=tokens, new_token=new_token, pw_errors={})


@bp.route("/profile/password", methods=["POST"])
@login_required
def change_password():
    try:
        services.change_password(
            current_user,
            request.form.get("current_password", ""),
            request.form.get("new_password", ""),
            request.form.get("repeat_password", ""),
        )
    except ValidationError as exc:
        transaction.rollback()
        tokens = db.session.scalars(
            select(ApiToken).where(ApiToken.member_id == current_user.id).order_by(ApiToken.created_at.desc())
        ).all()
        return render_template(
            "auth/profile.html", form=TokenForm(), tokens=tokens, new_token=None, pw_errors=exc.errors
        ), 422
    flash(_("Your password was changed."), "success")
    return redirect(url_for("auth.profile"))


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.member_id != current_user.id:
        abort(404)
    services.revoke_token(current_user, token)
    flash(_("Token revoked."), "success")
    return redirect(url_for("auth.profile"))


@bp.route("/profile/sessions")
@login_required
def list_sessions():
    config = current_app.config
    return render_template(
        "auth/sessions.html",
        rows=sessions.of_member(current_user.id),
        idle_minutes=int(config["MDT_SESSION_IDLE_MINUTES"]),
        hours=int(config["MDT_SESSION_HOURS"]),
    )


@bp.route("/profile/sessions/<handle>/end", methods=["POST"])
@login_required
def end_session(handle: str):
    if not sessions.end(current_user.id, handle, keep_current=True):
        abort(404)
    record(current_user, "auth.session_end", current_user._get_current_object(), detail={"sessions": 1})
    flash(_("That session is signed out."), "success")
    return redirect(url_for("auth.list_sessions"))


@bp.route("/profile/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    ended = sessions.end(current_user.id, keep_current=True)
    record(current_user, "auth.session_end", current_user._get_current_object(), detail={"sessions": ended})
    flash(_("You are signed out everywhere else."), "success")
    return redirect(url_for("auth.list_sessions"))


@bp.route("/about")
@login_required
def about():
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("mdt-case-tracker")
    except PackageNotFoundError:
        release = "dev"
    return render_template("auth/about.html", release=release)
