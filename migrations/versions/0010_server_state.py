"""server-side state: web sessions and sign-in counters on the embedded default (Redis holds them
in production)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 13:30:00

"""
from alembic import op
import sqlalchemy as sa

import mdt.timeutil


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'server_state',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('tag', sa.String(length=60), nullable=True),
        sa.Column('expires_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_server_state')),
    )
    with op.batch_alter_table('server_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_server_state_tag'), ['tag'], unique=False)
        batch_op.create_index(batch_op.f('ix_server_state_expires_at'), ['expires_at'], unique=False)


def downgrade():
    op.drop_table('server_state')
