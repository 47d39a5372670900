"""name search at national size (issue 17): trigram indexes on the full name and the summary
(PostgreSQL, pg_trgm), and people by date of birth for the duplicate check

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-01 06:40:00

pg_trgm is a trusted extension (PostgreSQL 13 and later): the owner of the database may create
it. The indexes are built CONCURRENTLY-free here, inside the migration's transaction; on a big
installation build them beforehand with CREATE INDEX CONCURRENTLY under the same names (the
statements below skip an index that exists) to avoid locking writes (docs/deploy.md).
"""

from alembic import op
import sqlalchemy as sa


revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

FULL_NAME = "lower(given_name || ' ' || coalesce(family_name, ''))"


def upgrade():
    op.create_index("ix_person_birth", "person", ["mdt_id", "date_of_birth"], unique=False, if_not_exists=True)
    # A reference typed in the search box, in any case: its own index, so that the search's OR
    # combines indexed arms.
    op.execute("CREATE INDEX IF NOT EXISTS ix_case_reference_lower ON case_file (lower(reference))")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            f"CREATE INDEX IF NOT EXISTS ix_person_full_name_trgm ON person USING gin (({FULL_NAME}) gin_trgm_ops)"
        )
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_case_summary_trgm ON case_file USING gin ((lower(summary)) gin_trgm_ops)"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_case_summary_trgm")
        op.execute("DROP INDEX IF EXISTS ix_person_full_name_trgm")
        # The extension stays: dropping it needs its owner, and other databases' objects may use it.
    op.execute("DROP INDEX IF EXISTS ix_case_reference_lower")
    op.drop_index("ix_person_birth", table_name="person")
