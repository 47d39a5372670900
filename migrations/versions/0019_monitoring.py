"""the monitoring record of recruitment agencies: licence status, aliases, addresses, the people
behind them, dated evidence with scores, and merges that can be undone

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 20:10:00

"""
from alembic import op
import sqlalchemy as sa
import mdt.timeutil


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('intermediary', schema=None) as batch_op:
        batch_op.add_column(sa.Column('licence_status', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('licence_status_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('licence_source', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('aliases', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('addresses', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_intermediary_merged_into_id_intermediary'), 'intermediary', ['merged_into_id'], ['id']
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_intermediary_licence_status'),
            "licence_status IS NULL OR licence_status IN ('licensed', 'suspended', 'revoked', 'blacklisted')",
        )
    op.create_table(
        'intermediary_relation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('intermediary_id', sa.Integer(), nullable=False),
        sa.Column('related_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('owner', 'director', 'agent', 'parent_company', 'other')", name=op.f('ck_intermediary_relation_role')),
        sa.CheckConstraint('intermediary_id <> related_id', name=op.f('ck_intermediary_relation_not_itself')),
        sa.ForeignKeyConstraint(['created_by_id'], ['member.id'], name=op.f('fk_intermediary_relation_created_by_id_member')),
        sa.ForeignKeyConstraint(['intermediary_id'], ['intermediary.id'], name=op.f('fk_intermediary_relation_intermediary_id_intermediary'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['related_id'], ['intermediary.id'], name=op.f('fk_intermediary_relation_related_id_intermediary'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_intermediary_relation')),
        sa.UniqueConstraint('intermediary_id', 'related_id', 'role', name='uq_intermediary_relation'),
    )
    with op.batch_alter_table('intermediary_relation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intermediary_relation_intermediary_id'), ['intermediary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_intermediary_relation_related_id'), ['related_id'], unique=False)
    op.create_table(
        'monitoring_evidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mdt_id', sa.Integer(), nullable=False),
        sa.Column('intermediary_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('observed_on', sa.Date(), nullable=False),
        sa.Column('criterion', sa.String(length=30), nullable=True),
        sa.Column('score', sa.Integer(), nullable=True),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('source', sa.String(length=300), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('licence_review', 'complaint', 'job_ad', 'ngo_report', 'visit', 'consular_check')", name=op.f('ck_monitoring_evidence_kind')),
        sa.CheckConstraint('score IS NULL OR (score >= 1 AND score <= 3)', name=op.f('ck_monitoring_evidence_score')),
        sa.ForeignKeyConstraint(['intermediary_id'], ['intermediary.id'], name=op.f('fk_monitoring_evidence_intermediary_id_intermediary')),
        sa.ForeignKeyConstraint(['mdt_id'], ['mdt.id'], name=op.f('fk_monitoring_evidence_mdt_id_mdt')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['member.id'], name=op.f('fk_monitoring_evidence_recorded_by_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_evidence')),
    )
    with op.batch_alter_table('monitoring_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_evidence_intermediary_id'), ['intermediary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_evidence_mdt_id'), ['mdt_id'], unique=False)
    op.create_table(
        'intermediary_merge',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mdt_id', sa.Integer(), nullable=False),
        sa.Column('kept_id', sa.Integer(), nullable=False),
        sa.Column('merged_id', sa.Integer(), nullable=False),
        sa.Column('moved', sa.JSON(), nullable=False),
        sa.Column('merged_by_id', sa.Integer(), nullable=False),
        sa.Column('merged_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column('undone_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.Column('undone_by_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['kept_id'], ['intermediary.id'], name=op.f('fk_intermediary_merge_kept_id_intermediary')),
        sa.ForeignKeyConstraint(['merged_by_id'], ['member.id'], name=op.f('fk_intermediary_merge_merged_by_id_member')),
        sa.ForeignKeyConstraint(['merged_id'], ['intermediary.id'], name=op.f('fk_intermediary_merge_merged_id_intermediary')),
        sa.ForeignKeyConstraint(['mdt_id'], ['mdt.id'], name=op.f('fk_intermediary_merge_mdt_id_mdt')),
        sa.ForeignKeyConstraint(['undone_by_id'], ['member.id'], name=op.f('fk_intermediary_merge_undone_by_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_intermediary_merge')),
    )
    with op.batch_alter_table('intermediary_merge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intermediary_merge_kept_id'), ['kept_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_intermediary_merge_merged_id'), ['merged_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_intermediary_merge_mdt_id'), ['mdt_id'], unique=False)


def downgrade():
    op.drop_table('intermediary_merge')
    op.drop_table('monitoring_evidence')
    op.drop_table('intermediary_relation')
    with op.batch_alter_table('intermediary', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_intermediary_licence_status'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_intermediary_merged_into_id_intermediary'), type_='foreignkey')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('addresses')
        batch_op.drop_column('aliases')
        batch_op.drop_column('licence_source')
        batch_op.drop_column('licence_status_on')
        batch_op.drop_column('licence_status')
