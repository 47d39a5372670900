"""de-identified exports of the figures' data (made in the background, kept 24 hours)

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 19:30:00

"""
from alembic import op
import sqlalchemy as sa
import mdt.timeutil


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'data_export',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mdt_id', sa.Integer(), nullable=False),
        sa.Column('scope_mdt_id', sa.Integer(), nullable=True),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('format', sa.String(length=5), nullable=False),
        sa.Column('period_from', sa.Date(), nullable=False),
        sa.Column('period_to', sa.Date(), nullable=False),
        sa.Column('k', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('progress', sa.Integer(), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=True),
        sa.Column('generalised', sa.Integer(), nullable=True),
        sa.Column('suppressed', sa.Integer(), nullable=True),
        sa.Column('details', sa.JSON(), nullable=True),
        sa.Column('filename', sa.String(length=100), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('created_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ready_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('deidentified')", name=op.f('ck_data_export_kind')),
        sa.CheckConstraint("format IN ('csv', 'xlsx')", name=op.f('ck_data_export_format')),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'ready', 'failed', 'expired')", name=op.f('ck_data_export_status')
        ),
        sa.CheckConstraint('k >= 2', name=op.f('ck_data_export_k')),
        sa.ForeignKeyConstraint(['mdt_id'], ['mdt.id'], name=op.f('fk_data_export_mdt_id_mdt')),
        sa.ForeignKeyConstraint(['scope_mdt_id'], ['mdt.id'], name=op.f('fk_data_export_scope_mdt_id_mdt')),
        sa.ForeignKeyConstraint(
            ['requested_by_id'], ['member.id'], name=op.f('fk_data_export_requested_by_id_member')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_export')),
    )
    with op.batch_alter_table('data_export', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_export_mdt_id'), ['mdt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_export_requested_by_id'), ['requested_by_id'], unique=False)


def downgrade():
    op.drop_table('data_export')
