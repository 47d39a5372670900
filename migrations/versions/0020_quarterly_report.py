"""the quarterly report as a PDF, made in the background like the de-identified export

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 20:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('data_export', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_data_export_kind'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_data_export_format'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_data_export_kind'), "kind IN ('deidentified', 'quarterly')")
        batch_op.create_check_constraint(batch_op.f('ck_data_export_format'), "format IN ('csv', 'xlsx', 'pdf')")


def downgrade():
    op.execute("DELETE FROM data_export WHERE kind = 'quarterly'")
    with op.batch_alter_table('data_export', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_data_export_kind'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_data_export_format'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_data_export_kind'), "kind IN ('deidentified')")
        batch_op.create_check_constraint(batch_op.f('ck_data_export_format'), "format IN ('csv', 'xlsx')")
        batch_op.drop_column('language')
