"""agenda per legal matter (issue 17): an agenda item may link to a legal matter (a group
claim's hearing or time limit is one item, not one per claimant), and a meeting remembers how
many proposals the cap left out; the MDT's cases by stage and creation (the agenda's new
intakes since the last meeting)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-01 10:45:00

Expand only: two nullable columns and two indexes; the previous release ignores them. The case
index is built inside the migration's transaction (seconds at 1,000,000 cases, writes to
case_file wait); on a big installation build it beforehand with CREATE INDEX CONCURRENTLY under
the same name (the statement below skips an index that exists), as for 0028 (docs/deploy.md).
"""

from alembic import op
import sqlalchemy as sa


revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("matter_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_agenda_item_matter_id_legal_matter"), "legal_matter", ["matter_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_agenda_item_matter_id"), ["matter_id"], unique=False)
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposals_left_out", sa.Integer(), nullable=True))
    op.create_index(
        "ix_case_mdt_stage_created", "case_file", ["mdt_id", "stage", "created_at"], unique=False, if_not_exists=True
    )


def downgrade():
    op.drop_index("ix_case_mdt_stage_created", table_name="case_file")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_column("proposals_left_out")
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_item_matter_id"))
        batch_op.drop_constraint(batch_op.f("fk_agenda_item_matter_id_legal_matter"), type_="foreignkey")
        batch_op.drop_column("matter_id")
