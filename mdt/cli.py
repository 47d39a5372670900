"""Command-line interface: ``flask --app mdt ...``."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from mdt.auth import mfa, passwords
from mdt.auth.services import create_token, hash_password
from mdt.backup.commands import backup_command, restore_command
from mdt.demo.data import DemoRefused, load_demo
from mdt.demo.national import load_national
from mdt.directory.models import Agency, Mdt, Member
from mdt.documents import services as documents
from mdt.extensions import db
from mdt.privacy import audit_export
from mdt.reminders.sending import deliver, sweep
from mdt.reminders.services import sync_all
from mdt.transaction import atomic

SEND_TASK = "workers.tasks.send_reminders"


def register(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(tokens)
    app.cli.add_command(demo)
    app.cli.add_command(reminders)
    app.cli.add_command(mfa_group)
    app.cli.add_command(audit_group)
    app.cli.add_command(files_group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


@click.group(cls=AppGroup, help="Manage member accounts.")
def users():
    pass


@users.command("create", help="Create a member account.")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--agency", "agency_name", required=True, help="Agency name (created if new).")
@click.option("--kind", default="other", help="Agency kind when the agency is new.")
@click.option("--mdt", "mdt_code", default=None, help="MDT code (created if new).")
@click.option("--mdt-name", default=None)
@click.option("--role", "roles", multiple=True, default=("member",))
@click.password_option()
@atomic
def users_create(email, name, agency_name, kind, mdt_code, mdt_name, roles, password):

    weak = passwords.problems(password, email=email, name=name)
    if weak:
        raise click.UsageError(" ".join(weak))
    if mdt_code:
        mdt = db.session.scalars(select(Mdt).where(Mdt.code == mdt_code)).first()
        if mdt is None:
            mdt = Mdt(code=mdt_code, name=mdt_name or mdt_code)
            db.session.add(mdt)
            db.session.flush()
    else:
        mdt = db.session.scalars(select(Mdt).order_by(Mdt.id)).first()
        if mdt is None:
            raise click.UsageError("No MDT yet: pass --mdt CODE --mdt-name NAME.")
    agency = db.session.scalars(
        select(Agency).where(Agency.mdt_id == mdt.id, Agency.name == agency_name)
    ).first()
    if agency is None:
        agency = Agency(mdt_id=mdt.id, name=agency_name, kind=kind, level="province")
        db.session.add(agency)
        db.session.flush()
    if db.session.scalars(select(Member).where(func.lower(Member.email) == email.lower())).first():
        raise click.UsageError(f"{email} already has an account.")
    member = Member(
        mdt_id=mdt.id,
        agency_id=agency.id,
        email=email.lower(),
        name=name,
        roles=sorted(set(roles)),
        password_hash=hash_password(password),
    )
    db.session.add(member)
    click.echo(f"Created {member.email} ({', '.join(member.roles)}) in {agency.name}, {mdt.name}.")


@click.group(cls=AppGroup, help="API tokens.")
def tokens():
    pass


@tokens.command("create", help="Create an API token for EMAIL and print it.")
@click.argument("email")
@click.option("--name", default="cli")
@atomic
def tokens_create(email, name):

    member = db.session.scalars(select(Member).where(func.lower(Member.email) == email.lower())).first()
    if member is None:
        raise click.UsageError(f"No member with email {email}.")
    _token, raw = create_token(member, name)
    click.echo(raw)


@click.group("mfa", cls=AppGroup, help="Two-step sign-in.")
def mfa_group():
    pass


@mfa_group.command(
    "require",
    help="Set who must use two-step sign-in: ROLE is member, coordinator, "
    "lawyer, admin, or agency:KIND (every member of such agencies, e.g. agency:police). "
    "No ROLE: nobody.",
)
@click.argument("roles", nargs=-1)
@click.option("--mdt", "mdt_code", default=None, help="The MDT's code (default: every MDT).")
@atomic
def mfa_require(roles, mdt_code):

    unknown = [r for r in roles if r not in mfa.CHOICES]
    if unknown:
        raise click.UsageError(f"Unknown: {', '.join(unknown)}. Choose from: {', '.join(mfa.CHOICES)}.")
    query = select(Mdt)
    if mdt_code:
        query = query.where(Mdt.code == mdt_code)
    mdts = db.session.scalars(query).all()
    if not mdts:
        raise click.UsageError(f"No MDT with code {mdt_code}.")
    for mdt in mdts:
        mfa.set_required(None, mdt, list(roles))
        click.echo(f"{mdt.code}: {', '.join(mfa.required_for(mdt)) or 'nobody'}")


@mfa_group.command("reset", help="Remove EMAIL's authenticator and recovery codes (a lost phone).")
@click.argument("email")
@atomic
def mfa_reset(email):

    member = db.session.scalars(select(Member).where(func.lower(Member.email) == email.lower())).first()
    if member is None:
        raise click.UsageError(f"No member with email {email}.")
    had = mfa.reset(None, member)
    click.echo(f"{member.email}: " + ("authenticator removed" if had else "had no authenticator"))


@click.group("audit", cls=AppGroup, help="The audit trail.")
def audit_group():
    pass


@audit_group.command("export", help="Write an MDT's audit trail for a period as signed CSV.")
@click.option("--mdt", "mdt_code", required=True)
@click.option("--from", "start", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--to", "end", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
@atomic
def audit_export_command(mdt_code, start, end, out):

    mdt = db.session.scalars(select(Mdt).where(Mdt.code == mdt_code)).first()
    if mdt is None:
        raise click.UsageError(f"No MDT with code {mdt_code}.")
    if start > end:
        raise click.UsageError("--from must be on or before --to.")
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write(audit_export.export(None, mdt, start.date(), end.date()))
    click.echo(f"written to {out}")


@audit_group.command("verify", help="Check the hash chain of an exported audit CSV.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def audit_verify(path):

    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    ok, message = audit_export.verify(text)
    if not ok:
        raise click.ClickException(f"BROKEN: {message}")
    final = text.splitlines()[-1].rsplit("final_hash=", 1)[-1]
    event = audit_export.recorded(final)
    if event is None:
        raise click.ClickException(
            f"The chain holds ({message}), but no export with this final hash was recorded here: the "
            "file was recomputed after a change, or comes from another installation."
        )
    click.echo(f"OK: {message}; matches the export recorded at {event.at.isoformat()}.")


@click.group("files", cls=AppGroup, help="Documents' files: their encryption keys.")
def files_group():
    pass


@files_group.command(
    "rotate-key",
    help=(
        "Re-wrap every file's key under the current MDT_FILES_KEY (the files themselves are not "
        "touched). Set the new key as MDT_FILES_KEY and the old one in MDT_FILES_PREVIOUS_KEYS, "
        "run this, then remove the old key."
    ),
)
@atomic
def files_rotate_key():
    done = documents.rotate_keys()
    click.echo(f"{done} file key(s) re-wrapped under key {documents.master_key().id}.")


@click.group(cls=AppGroup, help="Demo data.")
def demo():
    pass


@demo.command("load", help="Load the demo MDT (only into an empty database, never in production).")
@click.option("--cases", "extra", default=0, type=int, help="Add N synthetic cases (benchmarks).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has data already.")
@click.option("--national", is_flag=True, help="National-size data instead: 77 MDTs, a million cases.")
@click.option("--scale", default=1.0, type=float, help="With --national: shrink (or grow) every count.")
@atomic
def demo_load(extra, if_empty, national, scale):

    if current_app.config["MDT_ENV"] == "production":
        raise click.ClickException("Demo data and demo passwords refuse to load in production mode.")
    try:
        if national:
            summary = load_national(scale, if_empty=if_empty, say=click.echo)
        else:
            summary = load_demo(extra_cases=extra, if_empty=if_empty)
    except DemoRefused as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(summary)


@click.group(cls=AppGroup, help="Reminders: the outbox and its sweep.")
def reminders():
    pass


@reminders.command(
    "sweep",
    help="Run one sweep now: the same code the Celery beat task runs. "
    "Sends in this process unless --enqueue hands the batches to the workers.",
)
@click.option("--enqueue", is_flag=True, help="Hand the batches to the Celery workers.")
@atomic
def reminders_sweep(enqueue: bool):
    totals: dict[str, int] = {}

    def inline(ids, token):
        for k, v in deliver(ids, token).items():
            totals[k] = totals.get(k, 0) + v

    if enqueue:
        # The send task by its name: the CLI and the workers are both adapters over the services.
        celery = current_app.extensions["celery"]
        handed = sweep(dispatch=lambda ids, token: celery.send_task(SEND_TASK, args=[ids, token]))
        click.echo(f"{handed} reminders handed to the workers")
    else:
        handed = sweep(dispatch=inline)
        click.echo(f"{handed} reminders due: " + ", ".join(f"{k} {v}" for k, v in sorted(totals.items())))


@reminders.command("sync", help="Derive every source's reminders again (after an upgrade).")
@atomic
def reminders_sync():

    result = sync_all()
    for kind, counts in result.items():
        click.echo(f"{kind}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
