"""a person's copy of their data (a PDF made in the background, downloadable once)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 16:30:00

"""
from alembic import op
import sqlalchemy as sa
import mdt.timeutil


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'data_copy',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mdt_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('progress', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=100), nullable=True),
        sa.Column('created_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ready_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.Column('downloaded_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'running', 'ready', 'downloaded', 'expired', 'failed')", name=op.f('ck_data_copy_status')),
        sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_data_copy_case_id_case_file')),
        sa.ForeignKeyConstraint(['mdt_id'], ['mdt.id'], name=op.f('fk_data_copy_mdt_id_mdt')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['member.id'], name=op.f('fk_data_copy_requested_by_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_copy')),
    )
    with op.batch_alter_table('data_copy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_copy_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_copy_mdt_id'), ['mdt_id'], unique=False)


def downgrade():
    op.drop_table('data_copy')
