"""Redis reachability and the arq connection settings."""

from __future__ import annotations

import asyncio
import logging

from arq.connections import RedisSettings
from redis.asyncio import Redis

log = logging.getLogger("shuangfang.queue")


def redis_settings(url: str) -> RedisSettings:
    """arq's settings for a `redis://` URL, failing fast rather than retrying for a minute."""
    settings = RedisSettings.from_dsn(url)
    settings.conn_retries = 1
    settings.conn_timeout = 2
    return settings


async def redis_answers(url: str, timeout_s: float = 2.0) -> bool:
    """True when Redis answers PING within the timeout."""
    client = Redis.from_url(url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s)
    try:
        return bool(await asyncio.wait_for(client.ping(), timeout_s))
    except Exception as error:  # any failure means "not ready"; the reason goes to the log
        log.warning("redis check failed: %r", error)
        return False
    finally:
        await client.aclose()
