"""Every table of the service, in creation order (the migration app and the engine binding read this)."""

from domain.accounts.tables import AppUser, ConsoleSession, LoginAttempt, RefreshToken, RevokedFamily, UserGrid
from domain.changes.tables import SyncChange
from domain.credit.tables import BlacklistListing, CreditAccident, CreditGrade, CreditPenalty
from domain.criteria.tables import CriteriaEdition, CriterionIndustry, MajorHazardCriterion
from domain.documents.tables import Document, DocumentUpload, HazardDocument
from domain.escalation.tables import Escalation
from domain.hazards.tables import Hazard, HazardPhoto
from domain.history.tables import ChainAnchor, ChainHeadExport, HistoryEvent
from domain.idempotency.tables import IdempotencyRecord
from domain.inspections.tables import Inspection, InspectionResult, InspectionTask
from domain.notifications.tables import DeliveryAttempt, Notification, WebhookDelivery, WebhookSubscription
from domain.org.tables import Enterprise, Grid, Region, RegionShape
from domain.outbox.tables import CronClaim, JobFailure, OutboxEntry
from domain.photos.tables import Photo, PhotoUpload
from domain.platform_push.tables import PushBatch, PushBatchItem, PushCursor, PushRecord
from domain.posts.tables import UserPost
from domain.public_reports.tables import (
    PublicRateCounter,
    PublicReport,
    PublicReportContact,
    PublicReportPhoto,
    PublicReportReply,
)
from domain.random_checks.tables import RandomCheckDraw, RandomCheckPick, RandomCheckPlan
from domain.risk.tables import ChecklistItem, RiskAssessment, RiskPoint, ScanRecord, SitePlan
from domain.safety_code.tables import SafetyCode, SafetyCodeChange
from domain.standardisation.tables import StandardisationGrade, StandardisationScope, StandardisationScopeMember
from domain.stats.tables import RollupCell, RollupWatermark
from domain.statutory.tables import StatisticsSnapshot
from domain.supervision.tables import SupervisionClassChange, SupervisionClassRow
from domain.sync.tables import SyncOpResult

ALL_TABLES = (
    Region,
    Grid,
    Enterprise,
    AppUser,
    UserGrid,
    RefreshToken,
    LoginAttempt,
    ConsoleSession,
    RevokedFamily,
    RiskPoint,
    RiskAssessment,
    ChecklistItem,
    MajorHazardCriterion,
    CriteriaEdition,
    CriterionIndustry,
    ScanRecord,
    SitePlan,
    Photo,
    PhotoUpload,
    Hazard,
    HazardPhoto,
    Document,
    DocumentUpload,
    HazardDocument,
    HistoryEvent,
    ChainHeadExport,
    ChainAnchor,
    InspectionTask,
    Inspection,
    InspectionResult,
    IdempotencyRecord,
    OutboxEntry,
    JobFailure,
    CronClaim,
    CreditPenalty,
    CreditAccident,
    BlacklistListing,
    CreditGrade,
    WebhookSubscription,
    Notification,
    WebhookDelivery,
    DeliveryAttempt,
    Escalation,
    StandardisationGrade,
    StandardisationScope,
    StandardisationScopeMember,
    StatisticsSnapshot,
    SafetyCode,
    SafetyCodeChange,
    RegionShape,
    RollupCell,
    RollupWatermark,
    PublicReport,
    PublicReportContact,
    PublicReportPhoto,
    PublicReportReply,
    PublicRateCounter,
    SyncChange,
    SyncOpResult,
    UserPost,
    SupervisionClassRow,
    SupervisionClassChange,
    RandomCheckPlan,
    RandomCheckDraw,
    RandomCheckPick,
    PushRecord,
    PushBatch,
    PushBatchItem,
    PushCursor,
)
