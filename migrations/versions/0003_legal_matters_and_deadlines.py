"""legal matters and deadlines

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 19:57:04.111561

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
import mdt.timeutil


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

RULE_ROWS = [{'code': 'TH-1',
  'pack': 'TH-2026.1',
  'version': 1,
  'jurisdiction': 'TH',
  'matter_kinds': ['labour'],
  'trigger': 'judgment_read',
  'title': 'Appeal from a Labour Court judgment (questions of law)',
  'amount': 15,
  'unit': 'days',
  'offset_days': 0,
  'roll': 'forward',
  'citation': 'Labour Court Procedure Act B.E. 2522 s.54',
  'confidence': 'H',
  'notes': None,
  'active': True},
 {'code': 'TH-2',
  'pack': 'TH-2026.1',
  'version': 1,
  'jurisdiction': 'TH',
  'matter_kinds': ['labour'],
  'trigger': 'appeal_judgment_read',
  'title': 'Further appeal to the Supreme Court in a labour case',
  'amount': 1,
  'unit': 'months',
  'offset_days': 0,
  'roll': 'forward',
  'citation': 'practitioner summary',
  'confidence': 'M',
  'notes': None,
  'active': True},
 {'code': 'TH-3',
  'pack': 'TH-2026.1',
  'version': 1,
  'jurisdiction': 'TH',
  'matter_kinds': ['criminal'],
  'trigger': 'judgment_read',
  'title': 'Criminal appeal from a first-instance judgment',
  'amount': 1,
  'unit': 'months',
  'offset_days': 0,
  'roll': 'forward',
  'citation': 'Criminal Procedure Code s.198',
  'confidence': 'M',
  'notes': None,
  'active': True},
 {'code': 'TH-4',
  'pack': 'TH-2026.1',
  'version': 1,
  'jurisdiction': 'TH',
  'matter_kinds': ['criminal'],
  'trigger': 'appeal_judgment_read',
  'title': 'Criminal appeal to the Supreme Court (Dika)',
  'amount': 1,
  'unit': 'months',
  'offset_days': 0,
  'roll': 'forward',
  'citation': 'Criminal Procedure Code s.216; Supreme Court 806/2525',
  'confidence': 'H',
  'notes': 'A calendar month, not 30 days.',
  'active': True},
 {'code': 'TH-5',
  'pack': 'TH-2026.1',
  'version': 1,
  'jurisdiction': 'TH',
  'matter_kinds': ['criminal'],
  'trigger': 'appeal_received',
  'title': 'Answer to a criminal appeal',
  'amount': 15,
  'unit': 'days',
  'offset_days': 0,
  'roll': 'forward',
  'citation': 'Criminal Procedure Code s.200',
  'confidence': 'M',
  'notes': None,
  'active': True},
 {'code': 'TH-6',
  'pack': 'TH-2026.1',
  'version': 1,
  'jurisdiction': 'TH',
  'matter_kinds': ['criminal'],
  'trigger': 'first_evidence_hearing',
  'title': "Injured person's civil claim inside the criminal case: file before the first evidence "
           'hearing',
  'amount': 0,
  'unit': 'days',
  'offset_days': -1,
  'roll': 'backward',
  'citation': 'Criminal Procedure Code s.44/1',
  'confidence': 'H',
  'notes': None,
  'active': True},
 {'code': 'TH-7',
  'pack': 'TH-2026.1',
  'version': 1,
  'jurisdiction': 'TH',
  'matter_kinds': ['criminal'],
  'trigger': 'indictment',
  'title': "Prosecutor's compensation claim for a trafficked person: with the indictment, or "
           'before the first-instance judgment',
  'amount': 0,
  'unit': 'days',
  'offset_days': 0,
  'roll': 'none',
  'citation': 'Anti-Trafficking in Persons Act B.E. 2551 s.35',
  'confidence': 'H',
  'notes': 'The latest date is the first-instance judgment; ask the prosecutor to file with the '
           'indictment.',
  'active': True},
 {'code': 'TH-8',
  'pack': 'TH-2026.1',
  'version': 1,
  'jurisdiction': 'TH',
  'matter_kinds': ['criminal'],
  'trigger': 'offence_known',
  'title': 'Complaint for a compoundable offence (e.g. fraud): from knowing the offence and the '
           'offender',
  'amount': 3,
  'unit': 'months',
  'offset_days': 0,
  'roll': 'forward',
  'citation': 'Penal Code s.96',
  'confidence': 'H',
  'notes': None,
  'active': True},
 {'code': 'TH-9',
  'pack': 'TH-2026.1',
  'version': 1,
  'jurisdiction': 'TH',
  'matter_kinds': ['criminal'],
  'trigger': 'offence_committed',
  'title': "Prosecution prescription for trafficking (max. 10 years' imprisonment)",
  'amount': 15,
  'unit': 'years',
  'offset_days': 0,
  'roll': 'forward',
  'citation': 'Penal Code s.95 (derived)',
  'confidence': 'M',
  'notes': None,
  'active': True},
 {'code': 'TH-10a',
  'pack': 'TH-2026.1',
  'version': 1,
  'jurisdiction': 'TH',
  'matter_kinds': ['civil', 'labour'],
  'trigger': 'knowledge_of_act',
  'title': 'Civil damages for a wrongful act: from knowing the act and the liable person',
  'amount': 1,
  'unit': 'years',
  'offset_days': 0,
  'roll': 'forward',
  'citation': 'Civil and Commercial Code s.448',
  'confidence': 'H',
  'notes': None,
  'active': True},
 {'code': 'TH-10b',
  'pack': 'TH-2026.1',
  'version': 1,
  'jurisdiction': 'TH',
  'matter_kinds': ['civil', 'labour'],
  'trigger': 'wrongful_act',
  'title': 'Civil damages for a wrongful act: from the act itself',
  'amount': 10,
  'unit': 'years',
  'offset_days': 0,
  'roll': 'forward',
  'citation': 'Civil and Commercial Code s.448',
  'confidence': 'H',
  'notes': None,
  'active': True},
 {'code': 'TH-11',
  'pack': 'TH-2026.1',
  'version': 1,
  'jurisdiction': 'TH',
  'matter_kinds': ['administrative', 'labour'],
  'trigger': 'returned_home',
  'title': 'Request for refund of recruitment service fees',
  'amount': 30,
  'unit': 'days',
  'offset_days': 0,
  'roll': 'forward',
  'citation': 'Employment and Job-Seeker Protection Act s.46 (press release)',
  'confidence': 'M',
  'notes': None,
  'active': True},
 {'code': 'PH-12',
  'pack': 'PH-2026.1',
  'version': 1,
  'jurisdiction': 'PH',
  'matter_kinds': ['labour'],
  'trigger': 'decision_received',
  'title': 'Appeal from a Labour Arbiter to the NLRC',
  'amount': 10,
  'unit': 'days',
  'offset_days': 0,
  'roll': 'forward',
  'citation': 'Labor Code Art. 229; 2011 NLRC Rules VI s.1',
  'confidence': 'H',
  'notes': 'Ten calendar days.',
  'active': True},
 {'code': 'PH-13',
  'pack': 'PH-2026.1',
  'version': 1,
  'jurisdiction': 'PH',
  'matter_kinds': ['labour', 'administrative'],
  'trigger': 'rd_decision_received',
  'title': 'Appeal from a DOLE Regional Director (Art. 129)',
  'amount': 5,
  'unit': 'days',
  'offset_days': 0,
  'roll': 'forward',
  'citation': '2011 NLRC Rules VI s.1',
  'confidence': 'H',
  'notes': 'Five calendar days.',
  'active': True},
 {'code': 'PH-14',
  'pack': 'PH-2026.1',
  'version': 1,
  'jurisdiction': 'PH',
  'matter_kinds': ['labour'],
  'trigger': 'nlrc_decision_received',
  'title': 'Motion for reconsideration of an NLRC decision',
  'amount': 10,
  'unit': 'days',
  'offset_days': 0,
  'roll': 'forward',
  'citation': 'Labor Code Art. 229',
  'confidence': 'H',
  'notes': 'Ten calendar days.',
  'active': True},
 {'code': 'PH-15',
  'pack': 'PH-2026.1',
  'version': 1,
  'jurisdiction': 'PH',
  'matter_kinds': ['labour', 'civil', 'criminal', 'administrative'],
  'trigger': 'reconsideration_denied',
  'title': 'Petition for certiorari (Rule 65) to the Court of Appeals',
  'amount': 60,
  'unit': 'days',
  'offset_days': 0,
  'roll': 'forward',
  'citation': 'Rules of Court Rule 65',
  'confidence': 'H',
  'notes': None,
  'active': True},
 {'code': 'PH-16',
  'pack': 'PH-2026.1',
  'version': 1,
  'jurisdiction': 'PH',
  'matter_kinds': ['labour'],
  'trigger': 'cause_of_action',
  'title': 'Money claims prescription',
  'amount': 3,
  'unit': 'years',
  'offset_days': 0,
  'roll': 'forward',
  'citation': 'Labor Code Art. 306',
  'confidence': 'H',
  'notes': None,
  'active': True},
 {'code': 'PH-17',
  'pack': 'PH-2026.1',
  'version': 1,
  'jurisdiction': 'PH',
  'matter_kinds': ['labour'],
  'trigger': 'dismissal',
  'title': 'Illegal dismissal',
  'amount': 4,
  'unit': 'years',
  'offset_days': 0,
  'roll': 'forward',
  'citation': 'Civil Code Art. 1146',
  'confidence': 'M',
  'notes': None,
  'active': True},
 {'code': 'PH-18a',
  'pack': 'PH-2026.1',
  'version': 1,
  'jurisdiction': 'PH',
  'matter_kinds': ['criminal'],
  'trigger': 'promulgation',
  'title': 'Criminal appeal',
  'amount': 15,
  'unit': 'days',
  'offset_days': 0,
  'roll': 'forward',
  'citation': 'Rules of Court Rule 122 s.6',
  'confidence': 'H',
  'notes': None,
  'active': True},
 {'code': 'PH-18b',
  'pack': 'PH-2026.1',
  'version': 1,
  'jurisdiction': 'PH',
  'matter_kinds': ['criminal'],
  'trigger': 'new_trial_denied',
  'title': 'Criminal appeal: a fresh 15 days from notice of denial of a new-trial or '
           'reconsideration motion',
  'amount': 15,
  'unit': 'days',
  'offset_days': 0,
  'roll': 'forward',
  'citation': 'Rules of Court Rule 122 s.6; Neypes v. CA',
  'confidence': 'H',
  'notes': None,
  'active': True},
 {'code': 'PH-19a',
  'pack': 'PH-2026.1',
  'version': 1,
  'jurisdiction': 'PH',
  'matter_kinds': ['criminal'],
  'trigger': 'illegal_recruitment_committed',
  'title': 'Illegal recruitment prescription',
  'amount': 5,
  'unit': 'years',
  'offset_days': 0,
  'roll': 'forward',
  'citation': 'RA 8042 s.12 as amended by RA 10022',
  'confidence': 'U',
  'notes': None,
  'active': True},
 {'code': 'PH-19b',
  'pack': 'PH-2026.1',
  'version': 1,
  'jurisdiction': 'PH',
  'matter_kinds': ['criminal'],
  'trigger': 'illegal_recruitment_committed',
  'title': 'Illegal recruitment prescription when economic sabotage',
  'amount': 20,
  'unit': 'years',
  'offset_days': 0,
  'roll': 'forward',
  'citation': 'RA 8042 s.12 as amended by RA 10022',
  'confidence': 'U',
  'notes': None,
  'active': True},
 {'code': 'PH-20a',
  'pack': 'PH-2026.1',
  'version': 1,
  'jurisdiction': 'PH',
  'matter_kinds': ['criminal'],
  'trigger': 'trafficking_release',
  'title': 'Trafficking prescription (from release from the situation)',
  'amount': 10,
  'unit': 'years',
  'offset_days': 0,
  'roll': 'forward',
  'citation': 'RA 9208 s.12 as amended',
  'confidence': 'U',
  'notes': None,
  'active': True},
 {'code': 'PH-20b',
  'pack': 'PH-2026.1',
  'version': 1,
  'jurisdiction': 'PH',
  'matter_kinds': ['criminal'],
  'trigger': 'trafficking_release',
  'title': 'Qualified trafficking prescription (from release from the situation)',
  'amount': 20,
  'unit': 'years',
  'offset_days': 0,
  'roll': 'forward',
  'citation': 'RA 9208 s.12 as amended',
  'confidence': 'U',
  'notes': None,
  'active': True}]


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('deadline_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('pack', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('jurisdiction', sa.String(length=2), nullable=False),
    sa.Column('matter_kinds', sa.JSON(), nullable=False),
    sa.Column('trigger', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('offset_days', sa.Integer(), nullable=False),
    sa.Column('roll', sa.String(length=10), nullable=False),
    sa.Column('citation', sa.String(length=300), nullable=False),
    sa.Column('confidence', sa.String(length=1), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("confidence IN ('H', 'M', 'U')", name=op.f('ck_deadline_rule_confidence')),
    sa.CheckConstraint("jurisdiction IN ('TH', 'PH')", name=op.f('ck_deadline_rule_jurisdiction')),
    sa.CheckConstraint("roll IN ('forward', 'backward', 'none')", name=op.f('ck_deadline_rule_roll')),
    sa.CheckConstraint("trigger IN ('judgment_read', 'appeal_judgment_read', 'appeal_received', 'first_evidence_hearing', 'indictment', 'offence_known', 'offence_committed', 'knowledge_of_act', 'wrongful_act', 'returned_home', 'decision_received', 'rd_decision_received', 'nlrc_decision_received', 'reconsideration_denied', 'cause_of_action', 'dismissal', 'promulgation', 'new_trial_denied', 'illegal_recruitment_committed', 'trafficking_release')", name=op.f('ck_deadline_rule_trigger')),
    sa.CheckConstraint("unit IN ('days', 'working_days', 'months', 'years')", name=op.f('ck_deadline_rule_unit')),
    sa.CheckConstraint('amount >= 0 AND amount <= 36500', name=op.f('ck_deadline_rule_amount_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_rule')),
    sa.UniqueConstraint('code', name='uq_deadline_rule_code')
    )
    with op.batch_alter_table('deadline_rule', schema=None) as batch_op:
        batch_op.create_index('ix_deadline_rule_trigger', ['jurisdiction', 'trigger'], unique=False)

    op.create_table('closure_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction', sa.String(length=2), nullable=False),
    sa.Column('court', sa.String(length=200), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('action', sa.String(length=6), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('closed', 'open')", name=op.f('ck_closure_day_action')),
    sa.CheckConstraint("jurisdiction IN ('TH', 'PH')", name=op.f('ck_closure_day_jurisdiction')),
    sa.ForeignKeyConstraint(['created_by_id'], ['member.id'], name=op.f('fk_closure_day_created_by_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closure_day')),
    sa.UniqueConstraint('jurisdiction', 'court', 'day', name='uq_closure_day')
    )
    op.create_table('legal_matter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mdt_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('jurisdiction', sa.String(length=2), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('forum', sa.String(length=200), nullable=True),
    sa.Column('docket_no', sa.String(length=100), nullable=True),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("jurisdiction IN ('TH', 'PH')", name=op.f('ck_legal_matter_jurisdiction')),
    sa.CheckConstraint("kind IN ('labour', 'criminal', 'civil', 'administrative')", name=op.f('ck_legal_matter_kind')),
    sa.CheckConstraint("stage IN ('fact_finding', 'complaint_filed', 'hearings', 'judgment', 'appeal', 'enforcement', 'closed')", name=op.f('ck_legal_matter_stage')),
    sa.ForeignKeyConstraint(['created_by_id'], ['member.id'], name=op.f('fk_legal_matter_created_by_id_member')),
    sa.ForeignKeyConstraint(['mdt_id'], ['mdt.id'], name=op.f('fk_legal_matter_mdt_id_mdt')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_matter'))
    )
    with op.batch_alter_table('legal_matter', schema=None) as batch_op:
        batch_op.create_index('ix_legal_matter_mdt', ['mdt_id', 'updated_at'], unique=False)

    op.create_table('claimant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount_claimed', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('amount_awarded', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('amount_received', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('loan_cancelled', sa.Boolean(), nullable=False),
    sa.Column('collateral_returned', sa.Boolean(), nullable=False),
    sa.Column('debt_relief_note', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('active', 'settled', 'withdrawn', 'won', 'lost')", name=op.f('ck_claimant_status')),
    sa.CheckConstraint('amount_awarded IS NULL OR amount_awarded >= 0', name=op.f('ck_claimant_awarded_positive')),
    sa.CheckConstraint('amount_claimed IS NULL OR amount_claimed >= 0', name=op.f('ck_claimant_claimed_positive')),
    sa.CheckConstraint('amount_received IS NULL OR amount_received >= 0', name=op.f('ck_claimant_received_positive')),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_claimant_case_id_case_file')),
    sa.ForeignKeyConstraint(['matter_id'], ['legal_matter.id'], name=op.f('fk_claimant_matter_id_legal_matter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claimant')),
    sa.UniqueConstraint('matter_id', 'case_id', name='uq_claimant_matter_case')
    )
    with op.batch_alter_table('claimant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claimant_case_id'), ['case_id'], unique=False)

    op.create_table('hearing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('purpose', sa.String(length=300), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('outcome_notes', sa.Text(), nullable=True),
    sa.Column('next_hearing_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('scheduled', 'held', 'adjourned', 'cancelled')", name=op.f('ck_hearing_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['member.id'], name=op.f('fk_hearing_created_by_id_member')),
    sa.ForeignKeyConstraint(['matter_id'], ['legal_matter.id'], name=op.f('fk_hearing_matter_id_legal_matter'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['next_hearing_id'], ['hearing.id'], name=op.f('fk_hearing_next_hearing_id_hearing')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing'))
    )
    with op.batch_alter_table('hearing', schema=None) as batch_op:
        batch_op.create_index('ix_hearing_matter_starts', ['matter_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_hearing_starts', ['starts_at'], unique=False)

    op.create_table('matter_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('judgment_read', 'appeal_judgment_read', 'appeal_received', 'first_evidence_hearing', 'indictment', 'offence_known', 'offence_committed', 'knowledge_of_act', 'wrongful_act', 'returned_home', 'decision_received', 'rd_decision_received', 'nlrc_decision_received', 'reconsideration_denied', 'cause_of_action', 'dismissal', 'promulgation', 'new_trial_denied', 'illegal_recruitment_committed', 'trafficking_release')", name=op.f('ck_matter_event_kind')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['member.id'], name=op.f('fk_matter_event_confirmed_by_id_member')),
    sa.ForeignKeyConstraint(['matter_id'], ['legal_matter.id'], name=op.f('fk_matter_event_matter_id_legal_matter'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['member.id'], name=op.f('fk_matter_event_recorded_by_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matter_event'))
    )
    with op.batch_alter_table('matter_event', schema=None) as batch_op:
        batch_op.create_index('ix_matter_event_matter', ['matter_id', 'occurred_on'], unique=False)

    op.create_table('matter_lawyer',
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['matter_id'], ['legal_matter.id'], name=op.f('fk_matter_lawyer_matter_id_legal_matter'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_matter_lawyer_member_id_member')),
    sa.PrimaryKeyConstraint('matter_id', 'member_id', name=op.f('pk_matter_lawyer'))
    )
    with op.batch_alter_table('matter_lawyer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matter_lawyer_member_id'), ['member_id'], unique=False)

    op.create_table('matter_link',
    sa.Column('low_id', sa.Integer(), nullable=False),
    sa.Column('high_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('low_id < high_id', name=op.f('ck_matter_link_ordered')),
    sa.ForeignKeyConstraint(['high_id'], ['legal_matter.id'], name=op.f('fk_matter_link_high_id_legal_matter'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['low_id'], ['legal_matter.id'], name=op.f('fk_matter_link_low_id_legal_matter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('low_id', 'high_id', name=op.f('pk_matter_link'))
    )
    with op.batch_alter_table('matter_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matter_link_high_id'), ['high_id'], unique=False)

    op.create_table('matter_respondent',
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('intermediary_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['intermediary_id'], ['intermediary.id'], name=op.f('fk_matter_respondent_intermediary_id_intermediary')),
    sa.ForeignKeyConstraint(['matter_id'], ['legal_matter.id'], name=op.f('fk_matter_respondent_matter_id_legal_matter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('matter_id', 'intermediary_id', name=op.f('pk_matter_respondent'))
    )
    with op.batch_alter_table('matter_respondent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matter_respondent_intermediary_id'), ['intermediary_id'], unique=False)

    op.create_table('deadline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('citation', sa.String(length=300), nullable=True),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('trace', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('set_by_hand', sa.Boolean(), nullable=False),
    sa.Column('done_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'done', 'missed')", name=op.f('ck_deadline_status')),
    sa.ForeignKeyConstraint(['done_by_id'], ['member.id'], name=op.f('fk_deadline_done_by_id_member')),
    sa.ForeignKeyConstraint(['event_id'], ['matter_event.id'], name=op.f('fk_deadline_event_id_matter_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['matter_id'], ['legal_matter.id'], name=op.f('fk_deadline_matter_id_legal_matter'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rule_id'], ['deadline_rule.id'], name=op.f('fk_deadline_rule_id_deadline_rule')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline'))
    )
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_deadline_matter', ['matter_id', 'due_on'], unique=False)
        batch_op.create_index('ix_deadline_open_due', ['due_on'], unique=False, postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"))
        batch_op.create_index(batch_op.f('ix_deadline_rule_id'), ['rule_id'], unique=False)

    op.create_table('hearing_attendance',
    sa.Column('hearing_id', sa.Integer(), nullable=False),
    sa.Column('claimant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['claimant_id'], ['claimant.id'], name=op.f('fk_hearing_attendance_claimant_id_claimant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearing.id'], name=op.f('fk_hearing_attendance_hearing_id_hearing'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('hearing_id', 'claimant_id', name=op.f('pk_hearing_attendance'))
    )
    op.create_table('hearing_support',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hearing_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('transport', 'lodging', 'interpreter', 'witness_preparation', 'other')", name=op.f('ck_hearing_support_kind')),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearing.id'], name=op.f('fk_hearing_support_hearing_id_hearing'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['member.id'], name=op.f('fk_hearing_support_owner_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_support'))
    )
    with op.batch_alter_table('hearing_support', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hearing_support_hearing_id'), ['hearing_id'], unique=False)

    op.create_table('deadline_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deadline_id', sa.Integer(), nullable=False),
    sa.Column('old_due_on', sa.Date(), nullable=False),
    sa.Column('new_due_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', mdt.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['member.id'], name=op.f('fk_deadline_change_actor_id_member')),
    sa.ForeignKeyConstraint(['deadline_id'], ['deadline.id'], name=op.f('fk_deadline_change_deadline_id_deadline'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_change'))
    )
    with op.batch_alter_table('deadline_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_change_deadline_id'), ['deadline_id'], unique=False)

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('matter_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deadline_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_notification_matter_id_legal_matter', 'legal_matter',
                                    ['matter_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key('fk_notification_deadline_id_deadline', 'deadline',
                                    ['deadline_id'], ['id'], ondelete='CASCADE')

    # The first rule packs (Thailand and the Philippines), as data admins can then correct.
    # A frozen copy, so later edits of mdt/legal/rulepacks.py do not change this migration.
    rule_table = sa.table(
        'deadline_rule', sa.column('code'), sa.column('pack'), sa.column('version'),
        sa.column('jurisdiction'), sa.column('matter_kinds', sa.JSON), sa.column('trigger'),
        sa.column('title'), sa.column('amount'), sa.column('unit'), sa.column('offset_days'),
        sa.column('roll'), sa.column('citation'), sa.column('confidence'), sa.column('notes'),
        sa.column('active'), sa.column('updated_at', mdt.timeutil.UTCDateTime()))
    now = datetime.now(timezone.utc)
    op.bulk_insert(rule_table, [{**row, "updated_at": now} for row in RULE_ROWS])
    # ### end Alembic commands ###


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint('fk_notification_deadline_id_deadline', type_='foreignkey')
        batch_op.drop_constraint('fk_notification_matter_id_legal_matter', type_='foreignkey')
        batch_op.drop_column('deadline_id')
        batch_op.drop_column('matter_id')
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('deadline_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_change_deadline_id'))

    op.drop_table('deadline_change')
    with op.batch_alter_table('hearing_support', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hearing_support_hearing_id'))

    op.drop_table('hearing_support')
    op.drop_table('hearing_attendance')
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_rule_id'))
        batch_op.drop_index('ix_deadline_open_due', postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"))
        batch_op.drop_index('ix_deadline_matter')
        batch_op.drop_index(batch_op.f('ix_deadline_event_id'))

    op.drop_table('deadline')
    with op.batch_alter_table('matter_respondent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matter_respondent_intermediary_id'))

    op.drop_table('matter_respondent')
    with op.batch_alter_table('matter_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matter_link_high_id'))

    op.drop_table('matter_link')
    with op.batch_alter_table('matter_lawyer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matter_lawyer_member_id'))

    op.drop_table('matter_lawyer')
    with op.batch_alter_table('matter_event', schema=None) as batch_op:
        batch_op.drop_index('ix_matter_event_matter')

    op.drop_table('matter_event')
    with op.batch_alter_table('hearing', schema=None) as batch_op:
        batch_op.drop_index('ix_hearing_starts')
        batch_op.drop_index('ix_hearing_matter_starts')

    op.drop_table('hearing')
    with op.batch_alter_table('claimant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claimant_case_id'))

    op.drop_table('claimant')
    with op.batch_alter_table('legal_matter', schema=None) as batch_op:
        batch_op.drop_index('ix_legal_matter_mdt')

    op.drop_table('legal_matter')
    op.drop_table('closure_day')
    with op.batch_alter_table('deadline_rule', schema=None) as batch_op:
        batch_op.drop_index('ix_deadline_rule_trigger')

    op.drop_table('deadline_rule')
    # ### end Alembic commands ###
