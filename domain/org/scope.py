"""The scope checks that read the org tables (through the store): an enterprise or a region the caller may reach.

Outside the caller's scope each answers exactly like a missing id or code, so no endpoint tells what exists.
"""

from __future__ import annotations

from domain.access.model import Actor, can_see_region
from domain.access.scope import no_such_enterprise, no_such_region
from domain.org import store
from domain.org.model import EnterpriseRecord, RegionRecord


async def require_enterprise(actor: Actor, enterprise_id: str) -> EnterpriseRecord:
    """The enterprise, or `NotFound` whether it is missing or outside the scope."""
    record = await store.visible_enterprise(actor, enterprise_id)
    if record is None:
        raise no_such_enterprise(enterprise_id)
    return record


async def require_published_region(region_code: str) -> RegionRecord:
    """The region of a code, for filtering data published to everyone; `NotFound` when the code is unknown."""
    record = await store.region(region_code)
    if record is None:
        raise no_such_region(region_code)
    return record


async def require_region(actor: Actor, region_code: str) -> RegionRecord:
    """The region, or the same `NotFound` whether the code is unknown or the region is not wholly the caller's."""
    record = await store.region(region_code)
    if record is None or not can_see_region(actor, record.path):
        raise no_such_region(region_code)
    return record
