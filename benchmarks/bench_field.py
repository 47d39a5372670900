"""Benchmark: the offline app (issue 16) in Chromium (Debian's, through Playwright) on the demo
data (SQLite): the shell's first load and its load with no connection, setting the PIN and opening
with it (PBKDF2), the pack, encrypting a copy of many cases, and sending intakes made offline.

    python benchmarks/bench_field.py      (make bench-field)

Numbers are printed, not asserted.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("MDT_INSTANCE_PATH", tempfile.mkdtemp(prefix="mdt-field-"))

from werkzeug.serving import make_server  # noqa: E402

from mdt import create_app  # noqa: E402
from mdt.extensions import db  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PIN = "482916"
INTAKES = 50


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


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    from playwright.sync_api import expect, sync_playwright

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{os.environ['MDT_INSTANCE_PATH']}/field.sqlite3",
            "MDT_ENV": "testing",
            "SESSION_COOKIE_SECURE": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        from mdt.demo.data import DEMO_PASSWORD, load_demo

        upgrade()
        load_demo()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    expect.set_options(timeout=120_000)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 360, "height": 800})
        page = context.new_page()
        page.goto(f"{base}/login")
        page.locator("#email").fill("social@example.org")
        page.locator("#password").fill(DEMO_PASSWORD)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state("networkidle")

        requests, size = measure(page, f"{base}/field")
        print(f"shell, first load: {requests} requests, {size:,} B (headers and bodies)")
        pack = page.evaluate("fetch('/field/pack').then(r => r.text())")
        cases = pack.count('"reference"')
        print(f"pack of the social worker's own cases: {cases} cases, {len(pack.encode()):,} B")

        def set_up():
            page.locator("#setup-pin").fill(PIN)
            page.locator("#setup-pin2").fill(PIN)
            page.locator("#setup-form button[type=submit]").click()
            expect(page.locator("#v-cases")).to_be_visible()

        print(f"setting the PIN (device, PBKDF2, pack, encryption): {timed(set_up):,.0f} ms")
        page.wait_for_function("navigator.serviceWorker.ready.then(r => !!r.active)")
        page.wait_for_timeout(1000)

        context.set_offline(True)
        opens = []
        for _ in range(3):
            requests, size = measure(page, f"{base}/field")

            def unlock():
                page.locator("#unlock-pin").fill(PIN)
                page.locator("#unlock-form button[type=submit]").click()
                expect(page.locator("#v-cases")).to_be_visible()

            opens.append(timed(unlock))
        print(f"shell with no connection: {requests} requests, {size:,} B from the network")
        median = statistics.median(opens)
        print(f"opening with the PIN (PBKDF2-SHA256, 600,000 rounds): median {median:,.0f} ms")

        for n in (100, 1000):
            ms = page.evaluate(
                """async (n) => {
                    const one = (await FieldStore.all('cases'))[0];
                    const many = Array.from({length: n}, (_, i) => Object.assign({}, one, {id: 900000 + i}));
                    const start = performance.now();
                    await FieldStore.replaceCases(many);
                    await FieldStore.all('cases');
                    return performance.now() - start;
                }""",
                n,
            )
            print(f"encrypt, store and read back {n} cases: {ms:,.0f} ms")
        context.set_offline(False)
        page.evaluate("fetch('/field/pack')")  # back to the real pack at the next contact
        context.set_offline(True)

        for i in range(INTAKES):
            page.evaluate("location.hash = '#intake'")
            expect(page.locator("#v-intake")).to_be_visible()
            form = page.locator("#intake-form")
            form.locator("[name=given_name]").fill(f"Bench{i}")
            form.locator("[name=sex]").select_option("female")
            form.locator("[name=source]").select_option("outreach")
            form.locator("button[type=submit]").click()
            expect(page.locator("#v-cases")).to_be_visible()
        expect(page.locator("#sync-status")).to_contain_text(f"{INTAKES} waiting")

        def send():
            context.set_offline(False)
            expect(page.locator("#sync-status")).to_have_text("All sent.")

        print(f"sending {INTAKES} intakes made offline, once the connection returns: {timed(send):,.0f} ms")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
