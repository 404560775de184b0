"""Does the database answer?"""

from __future__ import annotations

import asyncio
import logging

from piccolo.engine.base import Engine

log = logging.getLogger("shuangfang.health")


async def database_answers(engine: Engine, timeout_s: float = 2.0) -> bool:
    """True when a trivial query returns within the timeout."""
    try:
        await asyncio.wait_for(engine.run_ddl("SELECT 1"), timeout_s)
    except Exception as error:  # any failure means "not ready"; the reason goes to the log
        log.warning("database check failed: %r", error)
        return False
    return True
