"""Issue 16, the server's part of offline work that is not sync: the installable app (manifest,
service worker), the offline app's shell, the pack a device takes (the member's own cases only),
devices, and the wipe signal to a deactivated member's device."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from mdt.audit.models import AuditEvent
from mdt.cases.models import Assessment, CaseAssignment
from mdt.extensions import db
from mdt.field.models import FieldDevice
from tests import factories as f


def _login(client, who="social@test.org"):
    assert client.post("/login", data={"email": who, "password": f.PASSWORD}).status_code == 302


# ---------------------------------------------------------------- the installable app


def test_every_page_links_the_manifest(world, client):
    for path in ("/login", "/"):
        html = client.get(path).get_data(as_text=True)
        assert re.search(r'<link rel="manifest" href="/manifest\.webmanifest">', html), path
        _login(client)


def test_the_manifest_makes_an_installable_app(client):
    r = client.get("/manifest.webmanifest")
    assert r.status_code == 200 and r.mimetype == "application/manifest+json"
    manifest = json.loads(r.data)
    assert manifest["start_url"] == "/field" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone" and manifest["name"] == "MDT Case Tracker"
    sizes = set()
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.mimetype == "image/png"
        width, height = Image.open(io.BytesIO(image.data)).size
        assert icon["sizes"] == f"{width}x{height}"
        sizes.add((width, icon.get("purpose", "any")))
        image.close()
    assert sizes == {(192, "any"), (512, "any"), (192, "maskable"), (512, "maskable")}


def test_the_service_worker_is_served_from_the_root_for_the_whole_site(client):
    r = client.get("/sw.js")
    assert r.status_code == 200 and r.mimetype == "text/javascript"
    assert r.headers["Service-Worker-Allowed"] == "/"
    assert r.headers["Cache-Control"] == "no-cache"  # a new release's worker is found at once
    body = r.get_data(as_text=True)
    # Workbox from this site, never a CDN; every file it loads or keeps answers.
    assert "storage.googleapis.com" not in body
    urls = re.findall(r'"(/static/[^"]+)"', body)
    assert any("workbox-sw" in u for u in urls) and any("workbox-routing" in u for u in urls)
    assert any("js/field/app" in u for u in urls) and any("dexie" in u for u in urls)
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 200, url
        answer.close()


def test_the_vendored_libraries_carry_their_licences(app):
    vendor = Path(app.static_folder) / "vendor"
    assert "Permission is hereby granted" in (vendor / "workbox" / "LICENSE").read_text()  # MIT
    assert "Apache License" in (vendor / "dexie" / "LICENSE").read_text()
    assert not list(vendor.rglob("*.map"))


# ---------------------------------------------------------------- the shell


def test_the_shell_holds_no_data_and_runs_no_inline_script(world, client):
    case = f.case(world["social"], given="Pranee", family="Kongkaew")
    db.session.commit()
    _login(client)
    r = client.get("/field")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Pranee" not in html and case.reference not in html
    assert "social@test.org" not in html and world["social"].name not in html
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", r.headers["Content-Security-Policy"])[1]
    for tag in re.findall(r"<script[^>]*>", html):
        assert f'nonce="{nonce}"' in tag or 'type="application/json"' in tag, tag
    data = re.search(r'<script type="application/json" id="field-config">(.*?)</script>', html, re.S)[1]
    config = json.loads(data)
    assert config["iterations"] >= 310_000
    assert config["strings"]["waiting_sending"] == "{n} waiting, sending…"
    # Every field is labelled.
    for field_id in re.findall(r'<(?:input|select|textarea)[^>]* id="([^"]+)"', html):
        assert f'for="{field_id}"' in html, field_id


def test_the_shell_opens_without_a_session(client):
    """A member whose session ended still opens the copy on their device (sending needs a new
    sign-in)."""
    r = client.get("/field")
    assert r.status_code == 200 and 'id="v-unlock"' in r.get_data(as_text=True)


def test_the_shell_is_in_the_readers_language(world, client):
    client.post("/language", data={"lang": "th"})
    html = client.get("/field").get_data(as_text=True)
    assert 'lang="th"' in html and "Set up offline work on this device" not in html


# ---------------------------------------------------------------- the pack


def test_the_pack_holds_only_the_members_own_cases(world, client, web_app):
    social, social2 = world["social"], world["social2"]
    mine = f.case(social, given="Mine")  # registered by social (and so assigned)
    theirs = f.case(social2, given="Colleague")  # same agency: social may read it, but it is not theirs
    assigned = f.case(social2, given="Assigned")
    db.session.add(CaseAssignment(case_id=assigned.id, member_id=social.id))
    closed = f.case(social, given="Closed")
    closed.stage, closed.close_reason = "closed", "Stayed home with a local livelihood"
    db.session.add(Assessment(case_id=mine.id, whereabouts="At her aunt's, behind the temple"))
    f.case(world["outsider"], given="Elsewhere")
    db.session.commit()
    web_app.config["MDT_OFFLINE_DAYS"] = 5
    _login(client)
    r = client.get("/field/pack")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    pack = r.get_json()
    assert pack["member"] == {"id": social.id, "name": social.name, "volunteer": False}
    assert pack["offline_days"] == 5 and pack["csrf_token"]
    ids = {c["id"] for c in pack["cases"]}
    assert ids == {mine.id, assigned.id}, "only open cases registered by or assigned to the member"
    assert theirs.id not in ids and closed.id not in ids
    one = next(c for c in pack["cases"] if c["id"] == mine.id)
    assert one["person"]["given_name"] == "Mine" and one["reference"] == mine.reference
    assert isinstance(one["version"], int)
    assert "sensitive" not in one and "behind the temple" not in r.get_data(as_text=True)
    # The read is audited, with every case that went to the device.
    db.session.expire_all()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "field.pack")).one()
    assert event.actor_id == social.id and sorted(event.detail["ids"]) == sorted(ids)


def test_a_case_the_member_may_no_longer_see_leaves_the_pack(world, client):
    """Assigned by name to another agency's case without a consent that opens it: not on the
    device (the policy decides, not the assignment alone)."""
    lawyer = world["lawyer"]
    case = f.case(world["social"], given="Hidden")
    db.session.add(CaseAssignment(case_id=case.id, member_id=lawyer.id))
    db.session.commit()
    _login(client, "lawyer@test.org")
    assert client.get("/field/pack").get_json()["cases"] == []


# ---------------------------------------------------------------- devices and the wipe signal


def test_a_device_is_kept_as_a_digest_only(world, client):
    _login(client)
    r = client.post("/field/device")
    assert r.status_code == 201
    device_id = r.get_json()["device_id"]
    assert len(device_id) >= 40
    db.session.expire_all()
    row = db.session.scalars(select(FieldDevice)).one()
    assert row.member_id == world["social"].id
    assert row.digest == hashlib.sha256(device_id.encode()).hexdigest() and device_id not in row.digest
    assert client.post("/field/device").get_json()["device_id"] != device_id


def test_a_deactivated_members_device_is_told_to_wipe_at_the_next_contact(world, client, web_app):
    _login(client)
    device_id = client.post("/field/device").get_json()["device_id"]
    headers = {"X-MDT-Device": device_id}
    assert client.get("/field/pack", headers=headers).status_code == 200  # active: nothing to wipe
    member = world["social"]
    member.active = False
    db.session.commit()
    fresh = web_app.test_client()  # no session at all
    for method, path in (("GET", "/field/pack"), ("POST", "/field/sync"), ("GET", "/field")):
        r = fresh.open(path, method=method, headers=headers)
        assert r.status_code == 410 and r.get_json() == {"wipe": True}, path
        assert r.headers["Cache-Control"] == "no-store"
    # Another member's device, or none named, is answered as usual.
    assert fresh.get("/field/pack", headers={"X-MDT-Device": "not-a-device"}).status_code == 302
    assert fresh.get("/field").status_code == 200


def test_admins_and_viewers_take_no_pack(world, client):
    for who in ("admin@test.org", "viewer@test.org"):
        _login(client, who)
        assert client.get("/field/pack").status_code == 403
        assert client.post("/field/device").status_code == 403
        client.post("/logout")


def test_a_volunteers_device_takes_no_case_and_sends_intakes_to_triage(world, client):
    volunteer = f.member(world.mdt, world.agencies["sw"], "volunteer@test.org", ("volunteer",))
    f.case(world["social"], given="Malee")
    db.session.commit()
    _login(client, volunteer.email)
    assert client.get("/field").status_code == 200
    pack = client.get("/field/pack").get_json()
    assert pack["member"] == {"id": volunteer.id, "name": volunteer.name, "volunteer": True}
    assert pack["cases"] == []
    assert client.post("/field/device").status_code == 201


def test_the_packs_token_lets_the_device_post_with_csrf_protection_on(world, client, web_app):
    web_app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    data = {"email": "social@test.org", "password": f.PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302
    assert client.post("/field/device").status_code == 400
    pack = client.get("/field/pack").get_json()
    r = client.post("/field/device", headers={"X-CSRFToken": pack["csrf_token"]})
    assert r.status_code == 201
    r = client.post("/field/sync", json={"changes": []}, headers={"X-CSRFToken": pack["csrf_token"]})
    assert r.status_code == 200 and r.get_json() == {"results": []}
