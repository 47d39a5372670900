"""vulnerability risk profiles: a score per indicator, the weighted index and its level

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 20:40:00

"""
from alembic import op
import sqlalchemy as sa
import mdt.timeutil


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'risk_profile',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('scores', sa.JSON(), nullable=False),
        sa.Column('score_index', sa.Integer(), nullable=False),
        sa.Column('level', sa.String(length=6), nullable=False),
        sa.Column('assessed_on', sa.Date(), nullable=False),
        sa.Column('assessed_by_id', sa.Integer(), nullable=False),
        sa.Column('updated_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("level IN ('low', 'medium', 'high')", name=op.f('ck_risk_profile_level')),
        sa.ForeignKeyConstraint(['assessed_by_id'], ['member.id'], name=op.f('fk_risk_profile_assessed_by_id_member')),
        sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_risk_profile_case_id_case_file'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('case_id', name=op.f('pk_risk_profile')),
    )
    with op.batch_alter_table('risk_profile', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_profile_assessed_on'), ['assessed_on'], unique=False)


def downgrade():
    op.drop_table('risk_profile')
