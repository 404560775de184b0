"""Use cases of the credit area: penalties, accidents, the serious-dishonesty list and the local credit grade."""

from __future__ import annotations

from datetime import date

from domain.clock import utcnow
from domain.credit.model import CreditStanding
from domain.credit.tables import BlacklistListing, CreditGrade
from domain.inspections.model import LOCAL_TIME

LISTED = "confirmed"


def local_today() -> date:
    """Today's date in Zhoushan."""
    return utcnow().astimezone(LOCAL_TIME).date()


async def credit_standing(enterprise_id: str, on: date | None = None) -> CreditStanding:
    """Whether the enterprise is on the serious-dishonesty list on `on` (default today), and its latest grade."""
    day = on or local_today()
    listings = (
        await BlacklistListing.select(BlacklistListing.id, BlacklistListing.expires_on)
        .where(
            BlacklistListing.enterprise_id == enterprise_id,
            BlacklistListing.status == LISTED,
            BlacklistListing.decided_on <= day,
            BlacklistListing.expires_on > day,
        )
        .run()
    )
    grade = await CreditGrade.select().where(CreditGrade.enterprise_id == enterprise_id).first().run()
    basis = tuple(f"listed until {row['expires_on']}" for row in listings)
    if grade is not None:
        basis += (f"grade {grade['grade']} ({grade['scheme_version']}, {grade['points']} points)",)
    return CreditStanding(listed=bool(listings), grade=grade["grade"] if grade else None, basis=basis)
