"""Every table of the service, in creation order (the migration app and the engine binding read this)."""

from domain.accounts.tables import AppUser, LoginAttempt, RefreshToken, UserGrid
from domain.org.tables import Enterprise, Grid, Region
from domain.hazards.tables import Hazard, HazardPhoto
from domain.history.tables import ChainHeadExport, HistoryEvent
from domain.idempotency.tables import IdempotencyRecord
from domain.inspections.tables import Inspection, InspectionResult, InspectionTask
from domain.photos.tables import Photo, PhotoUpload
from domain.risk.tables import ChecklistItem, MajorHazardCriterion, RiskAssessment, RiskPoint, ScanRecord, SitePlan

ALL_TABLES = (
    Region,
    Grid,
    Enterprise,
    AppUser,
    UserGrid,
    RefreshToken,
    LoginAttempt,
    RiskPoint,
    RiskAssessment,
    ChecklistItem,
    MajorHazardCriterion,
    ScanRecord,
    SitePlan,
    Photo,
    PhotoUpload,
    Hazard,
    HazardPhoto,
    HistoryEvent,
    ChainHeadExport,
    InspectionTask,
    Inspection,
    InspectionResult,
    IdempotencyRecord,
)
