"""Housekeeping jobs."""

from __future__ import annotations

from typing import Any

from domain.accounts.services import purge_expired_refresh_tokens as purge
from domain.idempotency import services as idempotency


async def purge_expired_refresh_tokens(ctx: dict[str, Any]) -> int:
    """Drop refresh tokens that expired more than a day ago; running it twice changes nothing more."""
    return await purge()


async def purge_expired_idempotency_records(ctx: dict[str, Any]) -> int:
    """Drop idempotency records past their expiry (they already count as absent); running it twice does nothing more."""
    return await idempotency.purge_expired()
