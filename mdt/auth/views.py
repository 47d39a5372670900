from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from mdt import clock, transaction
from mdt.audit.services import record
from mdt.auth import mfa, services, sessions, throttle
from mdt.auth.forms import LoginForm, TokenForm
from mdt.auth.models import ApiToken
from mdt.errors import ValidationError
from mdt.extensions import db
from mdt.web import local_path

bp = Blueprint("auth", __name__)


def _lock_message(why: str) -> str:
    minutes = throttle.limits().window // 60
    if why == "account":
        return _(
            "Too many failed sign-ins to this account. For its safety, signing in is paused for "
            "%(minutes)s minutes. If you forgot your password, choose a new one (Forgot your password?).",
            minutes=minutes,
        )
    return _(
        "Too many failed sign-ins from this network. Please wait %(minutes)s minutes and try again.",
        minutes=minutes,
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("cases.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email, address = form.email.data, throttle.client_address()
        why = throttle.refused(email, address)
        member = None
        if why is None:
            member = services.authenticate(email, form.password.data)
            if member is None:
                why = throttle.count_failure(email, address)
                services.audit_sign_in("auth.login_failed", email, address, lockout=why)
                if why is None:
                    form.password.errors.append(_("Wrong email or password."))
        else:
            services.audit_sign_in("auth.login_refused", email, address, lockout=why)
        if why is not None:
            form.password.errors.append(_lock_message(why))
            status = 429
        elif member is not None:
            next_url = local_path(request.args.get("next")) or url_for("cases.home")
            if mfa.enrolment(member) is not None or mfa.must_use(member):
                # The password was right; the second step decides. Nothing is open until then.
                session.rotate = True  # type: ignore[attr-defined]  # a planted id learns nothing
                session["mfa"] = {
                    "member": member.id,
                    "at": clock.now().timestamp(),
                    "next": next_url,
                    "password": _password_mark(member),
                }
                return redirect(url_for("auth.second_step"))
            return _sign_in(member, address, redirect(next_url), "password")
    return render_template("auth/login.html", form=form), status


def _sign_in(member, address: str, response, how: str):
    throttle.forget_account(member.email)
    sessions.start(member.id)
    login_user(member)
    record(member, "auth.login", member, detail={"address": address, "with": how})
    _remember_device(member, address, response)
    return response


PENDING_SECONDS = 300  # the second step must follow the password within five minutes


def _password_mark(member) -> str:
    """Which password the first step was passed with: a new password (reset, or set by an
    administrator) ends every sign-in left half-way."""
    import hashlib

    return hashlib.sha256((member.password_hash or "").encode()).hexdigest()[:32]


def _pending():
    pending = session.get("mfa")
    if not isinstance(pending, dict) or clock.now().timestamp() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    member = services.load_member(str(pending.get("member")))
    if member is None or pending.get("password") != _password_mark(member):
        return None
    return member, pending


@bp.route("/login/code", methods=["GET", "POST"])
def second_step():
    """After the password: a code from the authenticator app (or a recovery code); or, for a
    member whose MDT requires the second step and who has none yet, setting it up."""
    found = _pending()
    if found is None:
        session.pop("mfa", None)
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    member, pending = found
    enrolling = mfa.enrolment(member) is None
    if enrolling and "secret" not in pending:
        pending["secret"] = mfa.new_secret()  # kept in the server-side session until confirmed
        session["mfa"] = pending
    address = throttle.client_address()
    errors: dict = {}
    status = 200
    if request.method == "POST":
        why = throttle.refused(member.email, address)
        if why is not None:
            services.audit_sign_in("auth.login_refused", member.email, address, lockout=why)
            errors = {"code": [_lock_message(why)]}
            status = 429
        else:
            try:
                if enrolling:
                    codes = mfa.enrol(member, pending["secret"], request.form.get("code", ""))
                    how = "app"
                else:
                    how = mfa.verify(member, request.form.get("code", ""))
            except ValidationError as exc:
                transaction.rollback()
                lockout = throttle.count_failure(member.email, address)
                services.audit_sign_in("auth.mfa_failed", member.email, address, lockout=lockout)
                errors, status = exc.errors, 422
                if lockout:
                    errors = {"code": [_lock_message(lockout)]}
                    status = 429
            else:
                session.pop("mfa", None)
                if enrolling:
                    page = render_template("auth/recovery_codes.html", codes=codes, next_url=pending["next"])
                    return _sign_in(member, address, make_response(page), how)
                response = _sign_in(member, address, redirect(pending["next"]), how)
                if how == "recovery":  # after signing in, which starts a new session
                    left = mfa.recovery_codes_left(member)
                    flash(
                        _("You used a recovery code: %(n)s left. Make new ones on your profile.", n=left),
                        "warning",
                    )
                return response
    return render_template(
        "auth/second_step.html",
        enrolling=enrolling,
        required=True,
        secret=pending.get("secret"),
        qr=mfa.qr_data_uri(mfa.provisioning_uri(member, pending["secret"])) if enrolling else None,
        errors=errors,
    ), status


def _device_cookie() -> str:
    return (
        "__Host-mdt_device"
        if current_app.config["SESSION_COOKIE_NAME"].startswith("__Host-")
        else "mdt_device"
    )


def _remember_device(member, address: str, response) -> None:
    """A browser this member never signed in from: the member is told by email."""
    device = session.meta.get("device", "")  # type: ignore[attr-defined]
    quiet, raw = services.known_device(member, request.cookies.get(_device_cookie()), device)
    if not quiet:
        services.queue_account_mail("new_device", member_id=member.id, device=device, address=address)
    response.set_cookie(
        _device_cookie(),
        raw,
        max_age=services.DEVICE_DAYS * 86400,
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        samesite="Lax",
        path="/",
    )


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link. The same answer whether or not the address is known (the lookup and
    the sending happen in the worker)."""
    if current_user.is_authenticated:
        return redirect(url_for("auth.profile"))
    email = (request.form.get("email") or "").strip()[:254]
    if request.method == "POST":
        if not email or "@" not in email:
            return render_template("auth/forgot.html", email=email, error=_("Enter your email address.")), 422
        if throttle.may_ask_reset(email, throttle.client_address()):
            services.queue_account_mail("reset", email=email)
        return render_template("auth/forgot.html", email=email, sent=True)
    return render_template("auth/forgot.html", email="")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if services.reset_for(token) is None:
        return render_template("auth/reset.html", dead=True, errors={}), 404
    if request.method == "POST":
        try:
            member = services.reset_password(
                token, request.form.get("new_password", ""), request.form.get("repeat_password", "")
            )
        except ValidationError as exc:
            transaction.rollback()
            return render_template("auth/reset.html", dead=False, errors=exc.errors), 422
        if current_user.is_authenticated:
            logout_user()
        sessions.finish()
        throttle.forget_account(member.email)
        flash(
            _(
                "Your new password is set: you were signed out everywhere and your API tokens were "
                "revoked. Sign in with it."
            ),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", dead=False, errors={})


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
    return render_template(
        "auth/profile.html",
        form=form,
        tokens=tokens,
        new_token=new_token,
        pw_errors={},
        feed_url=session.pop("new_feed_url", None),
    )


@bp.route("/profile/password", methods=["POST"])
@login_required
def change_password():
    address = throttle.client_address()
    if throttle.refused(current_user.email, address):
        flash(_lock_message("account"), "error")
        return redirect(url_for("auth.profile"))
    try:
        services.change_password(
            current_user,
            request.form.get("current_password", ""),
            request.form.get("new_password", ""),
            request.form.get("repeat_password", ""),
        )
    except ValidationError as exc:
        transaction.rollback()
        if "current_password" in exc.errors:
            lockout = throttle.count_failure(current_user.email, address)
            services.audit_sign_in("auth.password_check_failed", current_user.email, address, lockout=lockout)
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


@bp.route("/profile/two-step", methods=["GET", "POST"])
@login_required
def two_step():
    """Set up, replace or turn off the second step, or make new recovery codes."""
    member = current_user._get_current_object()
    enrolled = mfa.enrolment(member)
    required = mfa.must_use(member)
    replacing = request.values.get("replace") == "1"
    errors: dict = {}
    status = 200
    if (enrolled is None or replacing) and "mfa_setup" not in session:
        session["mfa_setup"] = mfa.new_secret()
    if request.method == "POST":
        action = request.form.get("action")
        code = request.form.get("code", "")
        if action not in ("enrol", "codes", "off") or (action == "enrol" and "mfa_setup" not in session):
            abort(400)
        address = throttle.client_address()
        why = throttle.refused(member.email, address)
        if why is not None:
            errors = {"code": [_lock_message(why)]}
            return _two_step_page(member, enrolled, required, replacing, errors), 429
        try:
            if action == "enrol":
                if enrolled is not None:  # another phone: only with a code from the current one
                    try:
                        mfa.verify(member, request.form.get("current_code", ""))
                    except ValidationError:
                        raise ValidationError(
                            "Wrong code.",
                            {
                                "current_code": [
                                    _("Type a code from the app you use now (or a recovery code).")
                                ]
                            },
                        ) from None
                codes = mfa.enrol(member, session["mfa_setup"], code)
                session.pop("mfa_setup", None)
                return render_template(
                    "auth/recovery_codes.html", codes=codes, next_url=url_for("auth.two_step")
                )
            mfa.verify(member, code)  # refuses when it is not on
            if action == "codes":
                codes = mfa.new_recovery_codes(member)
                record(member, "mfa.recovery_codes", member)
                return render_template(
                    "auth/recovery_codes.html", codes=codes, next_url=url_for("auth.two_step")
                )
            if action == "off":
                if required:
                    raise ValidationError(
                        "Required.",
                        {"code": [_("Your team requires two-step sign-in: it cannot be turned off.")]},
                    )
                mfa.reset(member, member)
                flash(_("Two-step sign-in is off."), "success")
                return redirect(url_for("auth.two_step"))
            abort(400)
        except ValidationError as exc:
            transaction.rollback()
            lockout = throttle.count_failure(member.email, address)
            services.audit_sign_in("auth.mfa_failed", member.email, address, lockout=lockout)
            errors, status = exc.errors, 422
    return _two_step_page(member, enrolled, required, replacing, errors), status


def _two_step_page(member, enrolled, required, replacing, errors):
    setup = session.get("mfa_setup") if (enrolled is None or replacing) else None
    return render_template(
        "auth/two_step.html",
        enrolled=enrolled,
        required=required,
        setup=setup,
        replacing=replacing,
        secret=setup,
        qr=mfa.qr_data_uri(mfa.provisioning_uri(member, setup)) if setup else None,
        left=mfa.recovery_codes_left(member) if enrolled else 0,
        errors=errors,
    )


@bp.route("/about")
@login_required
def about():
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("mdt-case-tracker")
    except PackageNotFoundError:
        release = "dev"
    return render_template("auth/about.html", release=release)
