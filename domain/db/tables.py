"""Every table of the service, in creation order (the migration app and the engine binding read this)."""

from domain.accounts.tables import AppUser, LoginAttempt, RefreshToken, UserGrid
from domain.org.tables import Enterprise, Grid, Region
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
)
