"""Probes from the security review of issue 14 (figures, exports, the registry's monitoring
record) that held: bad input gives no server error, every new form needs its CSRF token, and a
viewer's token opens only the figures and the directory. The findings that failed are fixed, and
their tests are beside the code they test (test_reports, test_exports, test_monitoring)."""

from __future__ import annotations

import re

from tests import factories as f
from tests.test_monitoring import _agency_case, _entry


def test_bad_input_to_the_new_routes_gives_no_server_error(world, client, auth):
    _agency_case(world, "Malee")
    agency = _entry(world, "Siam Overseas Manpower")
    auth.login("coord@test.org")
    base = f"/directory/intermediaries/{agency.id}"
    posts = [
        (f"{base}/merge", {"merged_id": "abc"}),
        (f"{base}/merge", {"merged_id": str(agency.id)}),
        (f"{base}/merge", {"merged_id": "99999999999999999999"}),
        (f"{base}/evidence", {"kind": "visit", "observed_on": "2026-13-45", "score": "x", "summary": "s"}),
        (
            f"{base}/evidence",
            {"kind": "visit", "observed_on": "2026-01-01", "criterion": "x" * 40, "summary": "s"},
        ),
        (f"{base}/relations", {"related_id": "-1", "role": "king"}),
        (f"{base}/relations/2147483647/remove", {}),
        (f"{base}/record", {"aliases": "x" * 300, "licence_status_on": "yesterday", "country": "ZZZ"}),
        ("/intermediary-merges/2147483647/undo", {}),
        ("/reports/exports", {"format": "pdf", "from": "x", "to": "2026-01-01", "k": "1e9", "mdt_id": "abc"}),
        (
            "/reports/exports",
            {"format": "csv", "from": "2026-01-01", "to": "2026-01-02", "mdt_id": "2147483647"},
        ),
        (
            "/reports/exports",
            {"format": "csv", "from": "2026-01-01", "to": "2026-01-02", "mdt_id": str(world.other_mdt.id)},
        ),
        ("/reports/quarterly", {"from": "2026-01-01", "to": "2026-01-02", "language": "xx", "mdt_id": "abc"}),
        (
            "/reports/quarterly",
            {"from": "2026-01-01", "to": "2026-01-02", "language": "en", "mdt_id": "2147483647"},
        ),
    ]
    bad = []
    for url, data in posts:
        r = client.post(url, data=data)
        if r.status_code >= 500:
            bad.append((url, data, r.status_code))
    for url in (
        "/reports?from=0001-01-01&to=9999-12-31",
        "/reports?from=2026-01-01&to=2026-01-02&open_days=0&mdt_id=-3",
        "/reports?from=2026-01-01&to=2026-01-02&open_days=99999999999999999999",
        "/directory/intermediaries?sort=__class__&kind=%00",
        "/cases?opened_from=2026-99-99&sex=zzz&source=qq",
        "/reports/exports/2147483647/file",
        "/referrals/figures?start=%00&end=x",
    ):
        r = client.get(url)
        if r.status_code >= 500:
            bad.append((url, r.status_code))
    headers = {"Authorization": f"Bearer {f.token(world['coordinator'])}"}
    for payload in (
        [1],
        "x",
        {"kind": "deidentified", "format": "csv", "from": "2026-01-01", "to": "2026-01-01", "k": True},
    ):
        r = client.post("/api/v1/exports", json=payload, headers=headers)
        if r.status_code >= 500:
            bad.append(("/api/v1/exports", payload, r.status_code))
    r = client.get("/api/v1/reports/summary?from=0001-01-01&to=0001-01-02", headers=headers)
    if r.status_code >= 500:
        bad.append(("summary year 1", r.status_code))
    assert bad == []


def test_the_new_forms_need_their_csrf_token(database_template, tmp_path, world):
    from tests.conftest import make_app

    served = make_app(database_template, tmp_path, WTF_CSRF_ENABLED=True)
    client = served.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": "coord@test.org", "password": f.PASSWORD, "csrf_token": token})
    _agency_case(world, "Malee")
    agency = _entry(world, "Siam Overseas Manpower")
    for url in (
        "/reports/quarterly",
        "/reports/exports",
        f"/directory/intermediaries/{agency.id}/record",
        f"/directory/intermediaries/{agency.id}/merge",
    ):
        assert (
            client.post(url, data={"from": "2026-01-01", "to": "2026-01-02", "language": "en"}).status_code
            == 400
        ), url


def test_a_viewer_token_opens_only_the_figures_and_the_directory(world, client, web_app):
    headers = {"Authorization": f"Bearer {f.token(world['viewer'])}"}
    allowed = {
        "api.health",
        "api.me",
        "api.list_agencies",
        "api.list_members",
        "api.get_summary",
        "api.create_export",
        "api.get_export",
        "api.export_file",
    }
    opened = []
    for rule in web_app.url_map.iter_rules():
        if (
            not rule.rule.startswith("/api/v1")
            or rule.endpoint in allowed
            or rule.endpoint.startswith("api-docs")
        ):
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "1")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            r = client.open(url, method=method, headers=headers, json={})
            if r.status_code not in (401, 403):
                opened.append((method, url, r.status_code))
    assert opened == []
