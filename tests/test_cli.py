"""The command-line interface: users, tokens and demo data."""

from sqlalchemy import func, select

from mdt.cases.models import Case
from mdt.directory.models import Member
from mdt.extensions import db
from mdt.triage.models import TriageItem
from mdt.visits.models import VisitDue


def test_users_create_and_token(runner, client, ctx):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Head@Example.org",
            "--name",
            "Head",
            "--agency",
            "Provincial Office",
            "--kind",
            "social_welfare",
            "--mdt",
            "PCB",
            "--mdt-name",
            "Petchabun",
            "--role",
            "coordinator",
            "--password",
            "a-long-password",
        ]
    )
    assert result.exit_code == 0, result.output
    member = db.session.scalars(select(Member)).one()
    assert member.email == "head@example.org" and member.roles == ["coordinator"]
    again = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "head@example.org",
            "--name",
            "X",
            "--agency",
            "Provincial Office",
            "--password",
            "a-long-password",
        ]
    )
    assert again.exit_code != 0 and "already has an account" in again.output
    result = runner.invoke(args=["tokens", "create", "head@example.org"])
    token = result.output.strip()
    assert result.exit_code == 0 and token.startswith("mdt_")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["email"] == "head@example.org"
    assert runner.invoke(args=["tokens", "create", "nobody@example.org"]).exit_code != 0


def test_short_password_refused(runner, ctx):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@b.org",
            "--name",
            "A",
            "--agency",
            "X",
            "--mdt",
            "PCB",
            "--password",
            "short",
        ]
    )
    assert result.exit_code != 0 and "at least" in result.output.lower()


def test_demo_load(runner, ctx):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Case)) == 43
    minors = [c for c in db.session.scalars(select(Case)) if c.person.is_minor]
    assert len(minors) >= 2
    emails = set(db.session.scalars(select(Member.email)))
    assert {
        "admin@example.org",
        "coordinator@example.org",
        "social@example.org",
        "lawyer@example.org",
        "police@example.org",
        "labour@example.org",
        "volunteer@example.org",
    } <= emails
    # Issue 16: something in the triage queue, and visits due on a few cases.
    assert {i.kind for i in db.session.scalars(select(TriageItem))} == {"intake", "complaint"}
    assert db.session.scalar(select(func.count()).select_from(VisitDue)) > 0
    # Loading again is refused; --if-empty is a no-op; --cases adds synthetic cases.
    assert runner.invoke(args=["demo", "load"]).exit_code != 0
    assert runner.invoke(args=["demo", "load", "--if-empty"]).exit_code == 0
    assert runner.invoke(args=["demo", "load", "--cases", "25"]).exit_code == 0
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Case)) == 68


def test_demo_refused_in_production(database_template, tmp_path, monkeypatch):
    from tests.conftest import make_app

    app = make_app(
        database_template, tmp_path, MDT_ENV="production", SECRET_KEY="x" * 40, MDT_FILES_KEY="ab" * 32
    )
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "production" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Member)) == 0
        db.engine.dispose()


def test_demo_logins_work(runner, client, ctx):
    runner.invoke(args=["demo", "load"])
    r = client.post("/login", data={"email": "coordinator@example.org", "password": "demo-password"})
    assert r.status_code == 302
    html = client.get("/cases").get_data(as_text=True)
    assert "PCB-" in html
