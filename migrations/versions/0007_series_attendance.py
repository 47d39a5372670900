"""meeting series schedule, attendance, language-neutral agenda details

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 21:50:00

"""
from alembic import op
import sqlalchemy as sa
import mdt.timeutil


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting_series', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dtstart', mdt.timeutil.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('duration_minutes', sa.Integer(), nullable=False, server_default='120'))
        batch_op.add_column(sa.Column('location', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('invited_agency_ids', sa.JSON(), nullable=True))

    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detail_args', sa.JSON(), nullable=True))

    op.create_table('meeting_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_attendance_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_meeting_attendance_member_id_member')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['member.id'], name=op.f('fk_meeting_attendance_recorded_by_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_attendance')),
    sa.UniqueConstraint('meeting_id', 'member_id', name=op.f('uq_meeting_attendance_meeting_id'))
    )


def downgrade():
    op.drop_table('meeting_attendance')
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_column('detail_args')
    with op.batch_alter_table('meeting_series', schema=None) as batch_op:
        batch_op.drop_column('invited_agency_ids')
        batch_op.drop_column('location')
        batch_op.drop_column('duration_minutes')
        batch_op.drop_column('dtstart')
