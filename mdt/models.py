"""Imports every model so Alembic and the mappers see all tables."""

from mdt.audit.models import AuditEvent  # noqa: F401
from mdt.auth.models import (  # noqa: F401
    ApiToken,
    CalendarFeed,
    KnownDevice,
    MfaEnrolment,
    PasswordReset,
    RecoveryCode,
    ServerState,
    WorkerHeartbeat,
)
from mdt.cases.models import (  # noqa: F401
    Assessment,
    Case,
    CaseAgency,
    CaseAssignment,
    CaseCounter,
    CaseRevision,
    Episode,
    EpisodeIntermediary,
    IntakeDraft,
    Intermediary,
    Note,
    Person,
    PlanItem,
    RiskProfile,
)
from mdt.directory.models import ActionPlanEntry, Agency, Mdt, Member  # noqa: F401
from mdt.documents.models import CourtBundle, CustodyEvent, Document, DocumentVersion  # noqa: F401
from mdt.field.models import FieldDevice  # noqa: F401
from mdt.legal.models import (  # noqa: F401
    Claimant,
    ClosureDay,
    Deadline,
    DeadlineChange,
    DeadlineRule,
    Hearing,
    HearingAttendance,
    HearingSupport,
    LegalMatter,
    MatterEvent,
    MatterLawyer,
    MatterLink,
    MatterRespondent,
)
from mdt.meetings.models import (  # noqa: F401
    ActionItem,
    AgendaItem,
    Meeting,
    MeetingSeries,
    MinutesRevision,
)
from mdt.monitoring.models import IntermediaryMerge, IntermediaryRelation, MonitoringEvidence  # noqa: F401
from mdt.notifications.models import Notification  # noqa: F401
from mdt.privacy.models import DataCopy, ErasureRequest, ReadAlert  # noqa: F401
from mdt.referrals.models import Consent, GrantInstalment, Referral, Service  # noqa: F401
from mdt.reminders.models import Reminder, ReminderPreference  # noqa: F401,E402
from mdt.reports.models import Export  # noqa: F401
from mdt.sms.models import SmsInbound, SmsMessage  # noqa: F401
from mdt.sync.models import SyncChange, SyncConflict  # noqa: F401
from mdt.triage.models import TriageItem  # noqa: F401
from mdt.visits.models import Visit, VisitDue  # noqa: F401
