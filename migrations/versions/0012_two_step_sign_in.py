"""two-step sign-in: authenticator apps, recovery codes, and who must use them in each MDT

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 14:30:00

"""
from alembic import op
import sqlalchemy as sa
import mdt.timeutil


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mfa_enrolment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('secret', sa.String(length=64), nullable=False),
        sa.Column('enabled_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_step', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_mfa_enrolment_member_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mfa_enrolment')),
        sa.UniqueConstraint('member_id', name=op.f('uq_mfa_enrolment_member_id')),
    )
    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=300), nullable=False),
        sa.Column('used_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_recovery_code_member_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_member_id'), ['member_id'], unique=False)
    with op.batch_alter_table('mdt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mfa_required', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('mdt', schema=None) as batch_op:
        batch_op.drop_column('mfa_required')
    op.drop_table('recovery_code')
    op.drop_table('mfa_enrolment')
