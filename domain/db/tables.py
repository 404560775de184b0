"""Every table of the service, in creation order (the migration app and the engine binding read this)."""

from domain.accounts.tables import AppUser, LoginAttempt, RefreshToken, UserGrid
from domain.org.tables import Enterprise, Grid, Region

ALL_TABLES = (Region, Grid, Enterprise, AppUser, UserGrid, RefreshToken, LoginAttempt)
