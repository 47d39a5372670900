"""consent scope made explicit: a sharing consent recorded before, with no parts named, meant
"every part"; it now names them, because no parts named now means none (beyond the person's
identity). Nothing changes meaning.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

EVERY_PART = ["assessment", "episodes", "notes", "person", "plan"]
consent = sa.table("consent", sa.column("id", sa.Integer), sa.column("purpose", sa.String),
                   sa.column("scope", sa.JSON))


def upgrade():
    bind = op.get_bind()
    ids = [row.id for row in bind.execute(sa.select(consent.c.id, consent.c.scope).where(
        consent.c.purpose == "share_with_agency")) if not row.scope]
    if ids:
        bind.execute(consent.update().where(consent.c.id.in_(ids)).values(scope=EVERY_PART))


def downgrade():
    pass    # the explicit list means what the empty one meant: nothing to undo
