"""The migrations create exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from mdt.app import migrations_own
from mdt.extensions import db


def test_models_match_migrations(ctx):
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"include_object": migrations_own}), db.metadata
        )
    assert diff == []


def test_sharing_consents_recorded_before_keep_every_part(tmp_path):
    """0009: a sharing consent stored with no parts named meant every part; it now names them."""
    import json

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from mdt import create_app

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "MDT_ENV": "testing"})
    with app.app_context():
        upgrade(revision="0008")
        db.session.execute(
            text(
                "INSERT INTO mdt (id, name, code, country, timezone, currency, created_at) "
                "VALUES (1, 'M', 'M', 'TH', 'Asia/Bangkok', 'THB', '2026-01-01')"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO agency (id, mdt_id, name, kind, level, created_at) "
                "VALUES (1, 1, 'A', 'ngo', 'province', '2026-01-01')"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO member (id, mdt_id, agency_id, email, name, roles, password_hash, active,"
                " created_at) VALUES (1, 1, 1, 'a@x', 'A', '[]', 'x', 1, '2026-01-01')"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO person (id, mdt_id, given_name, family_name, sex, created_at, contact_safe)"
                " VALUES (1, 1, 'P', '', 'female', '2026-01-01', 0)"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO case_file (id, mdt_id, reference, person_id, stage, source, opened_on,"
                " created_at, updated_at) VALUES (1, 1, 'M-1', 1, 'intake', 'self', '2026-01-01',"
                " '2026-01-01', '2026-01-01')"
            )
        )
        for cid, purpose, agency, scope in (
            (1, "share_with_agency", 1, None),
            (2, "share_with_agency", 1, '["person", "plan"]'),
            (3, "contact_sms", None, None),
        ):
            db.session.execute(
                text(
                    "INSERT INTO consent (id, case_id, purpose, agency_id, given, recorded_on,"
                    " recorded_by_id, scope, risks_acknowledged, created_at) VALUES"
                    " (:id, 1, :purpose, :agency, 1, '2026-01-01', 1, :scope, 0, '2026-01-01')"
                ),
                {"id": cid, "purpose": purpose, "agency": agency, "scope": scope},
            )
        db.session.commit()
        upgrade()
        rows = dict(db.session.execute(text("SELECT id, scope FROM consent")).all())
        assert json.loads(rows[1]) == ["assessment", "episodes", "notes", "person", "plan"]
        assert json.loads(rows[2]) == ["person", "plan"]  # named parts stay as they were
        assert rows[3] is None  # not a sharing consent
        downgrade(revision="0008")
        db.session.remove()
        db.engine.dispose()


def test_expression_indexes_survive_the_migrations(app):
    """SQLite's batch mode copies a table and cannot carry an expression index across: the
    migration that alters ``case_file`` creates it again."""
    from sqlalchemy import inspect, text

    from mdt.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            names = (
                db.session.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'"))
                .scalars()
                .all()
            )
        else:
            names = [i["name"] for i in inspect(db.engine).get_indexes("case_file")]
            names += db.session.execute(text("SELECT indexname FROM pg_indexes")).scalars().all()
    assert "ix_case_mdt_district" in names
