"""Credit jobs: blacklist candidates from the grounds, the daily expiry of listings, and the local credit grades."""

from __future__ import annotations

from typing import Any

from domain.credit.services import compute_candidates, compute_grades, expire_listings


async def compute_blacklist_candidates(ctx: dict[str, Any], *enterprise_ids: str) -> dict[str, int]:
    """Candidates for every penalty that supports a listing (of the named enterprises, or all); idempotent."""
    report = await compute_candidates(enterprise_ids=enterprise_ids or None)
    return {"created": report.created, "updated": report.updated}


async def expire_blacklist_listings(ctx: dict[str, Any]) -> dict[str, int]:
    """Lift the confirmed listings whose 3 years ended by today (Asia/Shanghai); a second run lifts none."""
    return {"lifted": await expire_listings()}


async def compute_credit_grades(ctx: dict[str, Any], *enterprise_ids: str) -> dict[str, int]:
    """Recompute and overwrite the credit grade of every (or the named) enterprise under the default scheme."""
    return {"graded": await compute_grades(enterprise_ids=enterprise_ids or None)}
