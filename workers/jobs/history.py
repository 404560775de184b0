"""The daily export of every chain's head, outside the chains, so that a cut-off tail is detected."""

from __future__ import annotations

from typing import Any

from domain.history.store import export_chain_heads, seal_anchors


async def export_history_heads(ctx: dict[str, Any]) -> dict[str, Any]:
    """Write today's heads file and row; running it again the same day recomputes and overwrites them."""
    return await export_chain_heads(ctx["settings"].var_dir)


async def seal_chain_anchors(ctx: dict[str, Any]) -> int:
    """Link the anchors committed since the last run into the anchor ledger (PostgreSQL; SQLite seals as it writes)."""
    return await seal_anchors()
