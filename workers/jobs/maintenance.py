"""Housekeeping jobs."""

from __future__ import annotations

from typing import Any

from domain.accounts.services import purge_expired_refresh_tokens as purge


async def purge_expired_refresh_tokens(ctx: dict[str, Any]) -> int:
    """Drop refresh tokens that expired more than a day ago; running it twice changes nothing more."""
    return await purge()
