"""retention and erasure: legal holds and de-identification on cases, the retention period per
MDT, erasure requests

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 16:00:00

"""
from alembic import op
import sqlalchemy as sa
import mdt.timeutil


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hold_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('hold_set_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('hold_set_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deidentified_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key('fk_case_file_hold_set_by_id_member', 'member', ['hold_set_by_id'], ['id'])
    # SQLite's batch mode copies the table and cannot carry an expression index across.
    op.execute("CREATE INDEX IF NOT EXISTS ix_case_mdt_district ON case_file (mdt_id, lower(district), stage)")
    with op.batch_alter_table('mdt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_years', sa.Integer(), server_default='5', nullable=False))
    op.create_table(
        'erasure_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mdt_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('refused_because', sa.String(length=20), nullable=True),
        sa.Column('refusal_note', sa.Text(), nullable=True),
        sa.Column('decided_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('done_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'refused', 'done', 'withdrawn')", name=op.f('ck_erasure_request_status')),
        sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_erasure_request_case_id_case_file')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['member.id'], name=op.f('fk_erasure_request_decided_by_id_member')),
        sa.ForeignKeyConstraint(['mdt_id'], ['mdt.id'], name=op.f('fk_erasure_request_mdt_id_mdt')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['member.id'], name=op.f('fk_erasure_request_requested_by_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_request')),
    )
    with op.batch_alter_table('erasure_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erasure_request_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_erasure_request_mdt_id'), ['mdt_id'], unique=False)


def downgrade():
    op.drop_table('erasure_request')
    with op.batch_alter_table('mdt', schema=None) as batch_op:
        batch_op.drop_column('retention_years')
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_constraint('fk_case_file_hold_set_by_id_member', type_='foreignkey')
        batch_op.drop_column('deidentified_at')
        batch_op.drop_column('hold_set_by_id')
        batch_op.drop_column('hold_set_at')
        batch_op.drop_column('hold_reason')
