"""Benchmark: bytes transferred and requests made by a cold and a warm load of the home page and
a case page, in Chromium (Debian's, through Playwright), on the demo data (SQLite), in English
and Thai. "Cold": a new browser profile; "warm": the same page opened again by following a link
(the browser's cache as a member has it). Also the page's HTML and htmx with and without
compression, from the server.

    python benchmarks/bench_page_weight.py      (make bench-weight)

Numbers are printed, not asserted.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("MDT_INSTANCE_PATH", tempfile.mkdtemp(prefix="mdt-weight-"))

from sqlalchemy import select  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from mdt import create_app  # noqa: E402
from mdt.extensions import db  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


def measure(page, url: str) -> tuple[int, int]:
    """(requests that reached the network, bytes transferred) for one navigation."""
    client = page.context.new_cdp_session(page)
    client.send("Network.enable")
    seen: dict[str, int] = {}
    cached: set[str] = set()
    client.on("Network.loadingFinished", lambda e: seen.__setitem__(e["requestId"], e["encodedDataLength"]))
    client.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))
    page.goto(url, wait_until="networkidle")
    client.detach()
    network = {k: v for k, v in seen.items() if k not in cached and v > 0}
    return len(network), sum(network.values())


def main() -> None:
    from playwright.sync_api import sync_playwright

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{os.environ['MDT_INSTANCE_PATH']}/weight.sqlite3",
            "MDT_ENV": "testing",
            "SESSION_COOKIE_SECURE": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        from mdt.cases.models import Case
        from mdt.demo.data import DEMO_PASSWORD, load_demo

        upgrade()
        load_demo()
        db.session.commit()
        case_id = db.session.scalars(select(Case.id).order_by(Case.id)).first()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"

    client = app.test_client()
    client.post("/login", data={"email": "social@example.org", "password": DEMO_PASSWORD})
    print("server, the social worker's home page and htmx, bytes sent:")
    for lang in ("en", "th"):
        client.post("/language", data={"lang": lang, "next": "/"})
        plain = len(client.get("/", headers={"Accept-Encoding": "identity"}).data)
        br = len(client.get("/", headers={"Accept-Encoding": "br"}).data)
        print(f"  home ({lang}): {plain:,} B plain, {br:,} B brotli")
    htmx = next(p for p in app.extensions["mdt_assets"] if p.endswith("htmx.min.js"))
    url = "/static/" + app.extensions["mdt_assets"][htmx]
    print(
        f"  htmx: {len(client.get(url, headers={'Accept-Encoding': 'identity'}).data):,} B plain, "
        f"{len(client.get(url, headers={'Accept-Encoding': 'br'}).data):,} B brotli"
    )

    print("\nChromium, requests and bytes transferred (headers and bodies):")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for lang in ("en", "th"):
            context = browser.new_context(locale=lang)
            page = context.new_page()
            page.goto(f"{base}/login")
            page.locator("#email").fill("social@example.org")
            page.locator("#password").fill(DEMO_PASSWORD)
            page.locator("main form button[type=submit]").first.click()
            page.wait_for_load_state("networkidle")
            if page.url != f"{base}/":
                raise SystemExit(f"sign-in failed: {page.url} {page.locator('main').inner_text()[:300]}")
            page.locator("#lang-select").select_option(lang)
            page.wait_for_load_state("networkidle")
            for name, path in (("home", "/"), ("case page", f"/cases/{case_id}")):
                fresh = browser.new_context(storage_state=context.storage_state())
                cold_page = fresh.new_page()
                cold = measure(cold_page, f"{base}{path}")
                warm = measure(cold_page, f"{base}{path}")
                line = f"cold {cold[0]} requests, {cold[1]:,} B; warm {warm[0]} requests, {warm[1]:,} B"
                print(f"  {name} ({lang}): {line}")
                fresh.close()
            context.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
