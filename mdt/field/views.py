"""The offline app: its shell, manifest and service worker, the pack a device takes, devices.

``/field`` is the app's shell: labels and forms, no data (the data is on the device, encrypted;
the script fills the shell from it). It opens without a session, so that a member whose session
ended still reaches their offline copy; sending needs them signed in again.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from mdt import labels, policy
from mdt.field import services
from mdt.web import require

bp = Blueprint("field", __name__)

DEVICE_HEADER = "X-MDT-Device"
# Who answers for the offline app (the service worker may control every page of the site).
SCOPE = "/"
# What the service worker keeps for use offline besides the shell (hashed names: a new release
# names new files, and the worker of that release fetches them).
SHELL_ASSETS = (
    "css/app.css",
    "css/field.css",
    "vendor/dexie/dexie.min.js",
    "js/field/crypto.js",
    "js/field/store.js",
    "js/field/app.js",
    "icon-192.png",
    "favicon.ico",
)
# The labels the script shows with the device's data.
DATA_LABELS = {"stage": labels.STAGE, "sex": labels.SEX, "source": labels.SOURCE}
# PBKDF2-SHA256 rounds from the PIN to the key that encrypts the device's copy (OWASP's 2023
# advice is 600,000; about half a second on a mid-range phone, once per opening).
PIN_ITERATIONS = 600_000
WORKBOX_MODULES = ("core", "routing", "strategies", "precaching", "cacheable-response")


@bp.before_app_request
def wipe_gate():
    """A request from a device of a deactivated member, signed in or not: 410, wipe the copy."""
    device_id = request.headers.get(DEVICE_HEADER)
    if device_id and services.must_wipe(device_id):
        response = jsonify(wipe=True)
        response.status_code = 410
        return response
    return None


@bp.route("/field")
def index():
    return render_template(
        "field/index.html",
        sexes=labels.SEX,
        sources=labels.SOURCE,
        seen=labels.VISIT_SEEN,
        wellbeing=labels.WELLBEING,
        needs=labels.VISIT_NEED,
        field_config={
            "strings": _strings(),
            "labels": {name: {k: str(v) for k, v in table.items()} for name, table in DATA_LABELS.items()},
            "urls": {
                "pack": url_for("field.pack"),
                "device": url_for("field.device"),
                "sync": url_for("sync.web_sync"),
                # Settling a clash: POST <conflicts><id> (keep=server|yours); a case's pages.
                "conflicts": url_for("sync.resolve", conflict_id=1).removesuffix("1"),
                "case": url_for("cases.show", case_id=1).removesuffix("1"),
                "worker": url_for("field.service_worker"),
            },
            "iterations": PIN_ITERATIONS,
        },
    )


@bp.route("/field/pack")
@require("sync.use")
def pack():
    user = current_user
    return jsonify(
        member={"id": user.id, "name": user.name, "volunteer": policy.volunteer(user)},
        offline_days=current_app.config["MDT_OFFLINE_DAYS"],
        csrf_token=generate_csrf(),
        cases=services.pack(user),
    )


@bp.route("/field/device", methods=["POST"])
@require("sync.use")
def device():
    return jsonify(device_id=services.register_device(current_user)), 201


@bp.route("/manifest.webmanifest")
def manifest():
    icon = "static"
    response = jsonify(
        id="/field",
        name=_("MDT Case Tracker"),
        short_name=_("MDT cases"),
        description=_("Cases, intakes and follow-up visits, also with no connection."),
        start_url=url_for("field.index"),
        scope=SCOPE,
        display="standalone",
        background_color="#ffffff",
        theme_color="#123a63",
        lang=str(request.accept_languages.best_match(list(current_app.config["MDT_LANGUAGES"])) or "en"),
        icons=[
            *(
                {"src": url_for(icon, filename=f"icon-{n}.png"), "sizes": f"{n}x{n}", "type": "image/png"}
                for n in (192, 512)
            ),
            *(
                {
                    "src": url_for(icon, filename=f"icon-maskable-{n}.png"),
                    "sizes": f"{n}x{n}",
                    "type": "image/png",
                    "purpose": "maskable",
                }
                for n in (192, 512)
            ),
        ],
    )
    response.mimetype = "application/manifest+json"
    response.cache_control.no_cache = True
    return response


@bp.route("/sw.js")
def service_worker():
    body = render_template(
        "field/sw.js",
        workbox=url_for("static", filename="vendor/workbox/workbox-sw.js"),
        modules={
            f"workbox-{m}": url_for("static", filename=f"vendor/workbox/workbox-{m}.prod.js")
            for m in WORKBOX_MODULES
        },
        precache_entries=[url_for("static", filename=name) for name in SHELL_ASSETS],
        shell=url_for("field.index"),
    )
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = SCOPE
    response.cache_control.no_cache = True  # browsers check for a new worker at every visit
    return response


def _strings() -> dict[str, object]:
    """The sentences the script shows, in the reader's language ({n}: a number to put in)."""
    return {
        "waiting_sending": _("%(num)s waiting, sending…", num="{n}"),
        "waiting_offline": _("%(num)s waiting: no connection, they are sent when it returns.", num="{n}"),
        "waiting_signin": _("%(num)s waiting: sign in to send them.", num="{n}"),
        "waiting_retry": _("%(num)s waiting: could not reach the server, trying again.", num="{n}"),
        "all_sent": _("All sent."),
        "nothing_waiting": _("Nothing waiting to be sent."),
        "refused_count": _("%(num)s not accepted by the server: see Sending.", num="{n}"),
        "conflict_count": _("%(num)s changes clash with others' changes: see Sending.", num="{n}"),
        "wrong_pin": _("Wrong PIN. Try again."),
        "wrong_pin_left": _(
            "Wrong PIN. %(num)s tries left before the copy on this device is wiped.", num="{n}"
        ),
        "pin_short": _("The PIN needs at least 6 digits, and digits only."),
        "pin_mismatch": _("The two PINs are not the same."),
        "unlocking": _("Opening…"),
        "setting_up": _("Setting up this device…"),
        "need_signin": _("Sign in first to set up offline work on this device."),
        "need_online": _("Connect to the internet once to set up offline work on this device."),
        "setup_failed": _("Setting up failed. Try again."),
        "wiped_deactivated": _("The copy on this device was wiped: your account is no longer active."),
        "wiped_expired": _("The copy on this device was removed: no sign-in for %(num)s days.", num="{n}"),
        "wiped_pin": _("The copy on this device was wiped after too many wrong PINs."),
        "no_cases": _("No cases of yours on this device."),
        "saved": _("Saved on this device."),
        "queued": _("Kept on this device; it is sent when there is a connection."),
        "required": _("This field is required."),
        "not_sent": _("Waiting to be sent"),
        "refused": _("Not accepted"),
        "no_name": _("(no name yet)"),
        "visit_for": _("Visit report for %(ref)s", ref="{ref}"),
        "edit_of": _("Changes to %(ref)s", ref="{ref}"),
        "intake_of": _("Intake: %(name)s", name="{name}"),
        "server_value": _("On the server"),
        "your_value": _("Yours"),
        "keep_server": _("Keep the server's"),
        "keep_yours": _("Keep yours"),
        "resolved": _("Settled."),
        "resolve_failed": _("Could not settle it now; try again when connected and signed in."),
        "open_conflicts": _("Open the side-by-side page"),
        "send_again": _("Send again"),
        "mend": _("Change it"),
        "delete": _("Delete"),
        "delete_confirm": _("Delete this change from the device? It has not been accepted by the server."),
        "empty": _("(empty)"),
        "last_contact": _("Last signed-in contact: %(when)s", when="{when}"),
        "other_member": _(
            "Another member is signed in on this browser: the copy here is not theirs, and nothing is sent."
        ),
        "fields": {
            "given_name": _("Given name"),
            "family_name": _("Family name"),
            "sex": _("Sex"),
            "date_of_birth": _("Date of birth"),
            "phone": _("Phone"),
            "home": _("Home"),
            "home_village": _("Village"),
            "home_district": _("District"),
            "home_province": _("Province"),
            "source": _("How we met the person"),
            "summary": _("What happened, in brief"),
            "stage": _("Stage"),
            "lead_agency": _("Lead agency"),
            "opened_on": _("Opened"),
            "destination": _("Destination country"),
            "visited_on": _("Date of the visit"),
            "wellbeing": _("How is the person doing?"),
            "place": _("Where"),
        },
    }
