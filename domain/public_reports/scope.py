"""Who sees which public report: a regulator their region's subtree, an inspector their grids, an admin all.

Enterprise roles see none: a report is about them, not for them (the reporter's identity is protected). Also the
rule by which a regulator may open a report's photos (called from `domain.photos.services`).
"""

from __future__ import annotations

from piccolo.columns.combination import WhereRaw

from domain.access.model import Actor, Role
from domain.access.permissions import Action, allowed
from domain.access.scope import like_prefix
from domain.public_reports.tables import PublicReport, PublicReportPhoto


def report_condition(actor: Actor):
    """A piccolo condition on `PublicReport` keeping the reports the actor may see."""
    match actor.role:
        case Role.ADMIN:
            return WhereRaw("1 = 1")
        case Role.REGULATOR if actor.region_path:
            return PublicReport.region_path.like(like_prefix(actor.region_path))
        case Role.INSPECTOR if actor.grid_ids:
            return PublicReport.grid_id.is_in(sorted(actor.grid_ids))
    return WhereRaw("1 = 0")


async def is_report_photo(photo_id: str) -> bool:
    """True when the photo came with a public report (its original may carry the reporter's camera and place)."""
    return await PublicReportPhoto.exists().where(PublicReportPhoto.photo_id == photo_id).run()


async def photo_on_visible_report(actor: Actor, photo_id: str) -> bool:
    """True when the photo belongs to a public report the actor may see."""
    if not allowed(actor, Action.READ_PUBLIC_REPORTS):
        return False
    reports = PublicReport.select(PublicReport.id).where(report_condition(actor))
    return (
        await PublicReportPhoto.exists()
        .where(PublicReportPhoto.photo_id == photo_id, PublicReportPhoto.report_id.is_in(reports))
        .run()
    )
