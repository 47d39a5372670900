"""password-reset links and the browsers members have signed in from

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 14:00:00

"""
from alembic import op
import sqlalchemy as sa
import mdt.timeutil


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'password_reset',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('created_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_password_reset_member_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset')),
        sa.UniqueConstraint('digest', name=op.f('uq_password_reset_digest')),
    )
    with op.batch_alter_table('password_reset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_member_id'), ['member_id'], unique=False)
    op.create_table(
        'known_device',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('label', sa.String(length=120), nullable=False),
        sa.Column('first_seen_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_known_device_member_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_known_device')),
    )
    with op.batch_alter_table('known_device', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_known_device_member_id'), ['member_id'], unique=False)


def downgrade():
    op.drop_table('known_device')
    op.drop_table('password_reset')
