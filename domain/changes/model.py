"""The change feed's vocabulary: the kinds of entity it tracks, its operations, and the place a row is keyed by."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

ENTERPRISE, RISK_POINT, HAZARD, TASK = "enterprise", "riskPoint", "hazard", "task"
KINDS = (ENTERPRISE, RISK_POINT, HAZARD, TASK)
UPSERT, REMOVE = "upsert", "remove"
LEFT_SCOPE = "leftScope"
# Tasks whose window ended longer ago than this are history, not work: a snapshot of an enterprise leaves them out.
TASK_HORIZON = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Place:
    """Where an enterprise sits, as the feed's scope keys."""

    enterprise_id: str
    grid_id: str | None
    region_path: str

    def keys(self) -> dict[str, str | None]:
        """The row's scope columns."""
        codes = [code for code in self.region_path.split("/") if code]
        levels = ([*codes, None, None, None])[:3]
        return {
            "enterprise_id": self.enterprise_id,
            "grid_id": self.grid_id,
            "region1": levels[0],
            "region2": levels[1],
            "region3": levels[2],
            "region_path": self.region_path,
        }


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One row of the feed as a reader gets it."""

    seq: int
    kind: str
    entity_id: str
    op: str
    enterprise_id: str
    reason: str | None
