"""Liveness and readiness."""

from __future__ import annotations

import msgspec
from litestar import Response, get
from litestar.datastructures import State

from domain.db.health import database_answers
from workers.queue import redis_answers


class Health(msgspec.Struct):
    """Status of the service and of what it depends on."""

    status: str
    database: str | None = None
    redis: str | None = None


@get("/health", summary="The process is alive", tags=["health"], sync_to_thread=False)
def alive() -> Health:
    return Health(status="ok")


@get("/health/ready", summary="The database (and Redis, when configured) answer", tags=["health"])
async def ready(state: State) -> Response[Health]:
    database = "ok" if await database_answers(state.engine) else "down"
    redis = None
    if state.settings.redis_url:
        redis = "ok" if await redis_answers(state.settings.redis_url) else "down"
    healthy = database == "ok" and redis in (None, "ok")
    body = Health(status="ok" if healthy else "unavailable", database=database, redis=redis)
    return Response(body, status_code=200 if healthy else 503)
