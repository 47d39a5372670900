"""intake drafts: one per intake, several per member (a new intake no longer opens the last one)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 17:00:00

"""
from alembic import op
import sqlalchemy as sa
import mdt.timeutil


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

old = sa.table('intake_draft', sa.column('member_id', sa.Integer), sa.column('data', sa.JSON),
               sa.column('saved_at', mdt.timeutil.UTCDateTime(timezone=True)))


def upgrade():
    bind = op.get_bind()
    rows = [dict(r._mapping) for r in bind.execute(sa.select(old.c.member_id, old.c.data, old.c.saved_at))]
    op.drop_table('intake_draft')
    new = op.create_table(
        'intake_draft',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('created_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column('saved_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_intake_draft_member_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_draft')),
    )
    with op.batch_alter_table('intake_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_draft_member_id'), ['member_id'], unique=False)
    if rows:
        op.bulk_insert(new, [{**r, 'created_at': r['saved_at']} for r in rows])


def downgrade():
    bind = op.get_bind()
    table = sa.table('intake_draft', sa.column('member_id', sa.Integer), sa.column('data', sa.JSON),
                     sa.column('saved_at', mdt.timeutil.UTCDateTime(timezone=True)), sa.column('id', sa.Integer))
    newest = {}
    for r in bind.execute(sa.select(table.c.member_id, table.c.data, table.c.saved_at).order_by(table.c.id)):
        newest[r.member_id] = dict(r._mapping)
    op.drop_table('intake_draft')
    back = op.create_table(
        'intake_draft',
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('saved_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_intake_draft_member_id_member')),
        sa.PrimaryKeyConstraint('member_id', name=op.f('pk_intake_draft')),
    )
    if newest:
        op.bulk_insert(back, list(newest.values()))
