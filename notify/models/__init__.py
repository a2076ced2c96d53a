"""Models, one module per aggregate. Importing this package registers every table."""

from notify.models.alert_kinds import ADVISORY_BLOCKS, Advisory, AlertKind, Level
from notify.models.audiences import AudienceGroup, AudienceRule, Recipient
from notify.models.audit import AuditEvent
from notify.models.base import Base
from notify.models.cap import CapImport, CapMessage
from notify.models.daily_reports import (
    DailyReport,
    DailyReportAttachment,
    DutyContact,
    ResponseDay,
    UnitTask,
)
from notify.models.deliveries import Delivery, GatewayEvent, UnmatchedReport
from notify.models.dispatch_plans import DispatchPlan
from notify.models.enterprises import (
    Enterprise,
    EnterpriseContact,
    EnterpriseDuty,
    EnterprisePlan,
    ProductionLine,
    ReductionList,
    ReductionMeasure,
)
from notify.models.integrations import API_SCOPES, WRITE_SCOPES, ApiToken, Integration
from notify.models.jurisdiction import Expert, Jurisdiction, MemberUnit, Township
from notify.models.records import DrillRecord, EffectEvaluation, ResponseSummary, WrittenReport
from notify.models.robots import ROBOT_KINDS, Robot
from notify.models.scheduling import scheduled_jobs
from notify.models.schools import InboundSms, School, SchoolContact, SchoolInstruction, SchoolNotice
from notify.models.screens import Screen, ScreenAlarm, ScreenFeedVersion
from notify.models.site_exports import SiteExportRequest, SiteExportState
from notify.models.timed import DeadlineAlert, PublicationSchedule
from notify.models.tipoffs import Clarification, Reward, Tipoff, TipoffPhoto
from notify.models.users import APPROVER_ROLES, ConsoleSession, LoginFailure, Role, User
from notify.models.warnings import (
    ApprovalForm,
    Consultation,
    Revision,
    Snapshot,
    Warning,
    revision_townships,
)
from notify.models.webhooks import PartnerWebhook

__all__ = [
    "Enterprise",
    "EnterpriseContact",
    "EnterpriseDuty",
    "EnterprisePlan",
    "ProductionLine",
    "ReductionList",
    "ReductionMeasure",
    "ADVISORY_BLOCKS",
    "APPROVER_ROLES",
    "Advisory",
    "AlertKind",
    "ApprovalForm",
    "AudienceGroup",
    "AudienceRule",
    "AuditEvent",
    "Delivery",
    "DispatchPlan",
    "GatewayEvent",
    "Recipient",
    "UnmatchedReport",
    "Base",
    "Consultation",
    "Expert",
    "Jurisdiction",
    "Level",
    "MemberUnit",
    "Revision",
    "Role",
    "Snapshot",
    "Township",
    "User",
    "ConsoleSession",
    "LoginFailure",
    "Warning",
    "revision_townships",
    "Clarification",
    "Reward",
    "Tipoff",
    "TipoffPhoto",
    "ROBOT_KINDS",
    "Robot",
    "scheduled_jobs",
    "InboundSms",
    "School",
    "SchoolContact",
    "SchoolInstruction",
    "SchoolNotice",
    "CapImport",
    "CapMessage",
    "Screen",
    "ScreenAlarm",
    "ScreenFeedVersion",
    "SiteExportRequest",
    "SiteExportState",
    "PartnerWebhook",
    "API_SCOPES",
    "WRITE_SCOPES",
    "ApiToken",
    "Integration",
    "DeadlineAlert",
    "PublicationSchedule",
    "DailyReport",
    "DailyReportAttachment",
    "DutyContact",
    "ResponseDay",
    "UnitTask",
    "DrillRecord",
    "EffectEvaluation",
    "ResponseSummary",
    "WrittenReport",
]
