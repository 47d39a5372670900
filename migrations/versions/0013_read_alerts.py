"""alerts about unusual reading, and an index to find the reads of a period

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 15:00:00

"""
from alembic import op
import sqlalchemy as sa
import mdt.timeutil


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'read_alert',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mdt_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('created_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column('since', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column('cases', sa.Integer(), nullable=False),
        sa.Column('outside', sa.Integer(), nullable=False),
        sa.Column('case_ids', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['mdt_id'], ['mdt.id'], name=op.f('fk_read_alert_mdt_id_mdt')),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_read_alert_member_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_read_alert')),
    )
    with op.batch_alter_table('read_alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_read_alert_mdt_id'), ['mdt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_read_alert_member_id'), ['member_id'], unique=False)
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('read_alert_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_notification_read_alert_id_read_alert', 'read_alert', ['read_alert_id'], ['id'], ondelete='CASCADE')
    op.create_index('ix_audit_event_at', 'audit_event', ['at'], unique=False)


def downgrade():
    op.drop_index('ix_audit_event_at', table_name='audit_event')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint('fk_notification_read_alert_id_read_alert', type_='foreignkey')
        batch_op.drop_column('read_alert_id')
    op.drop_table('read_alert')
