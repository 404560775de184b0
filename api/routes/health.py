"""Liveness and readiness."""

from __future__ import annotations

from litestar import Response, get
from piccolo.engine.base import Engine

from api.dependencies import InjectedSettings
from domain.db.health import database_answers
from mobile_contract.health import Health
from workers.queue import redis_answers


@get("/health", summary="The process is alive", tags=["health"], sync_to_thread=False)
def alive() -> Health:
    """No token needed. 200 while the process serves requests."""
    return Health(status="ok")


@get("/health/ready", summary="The database (and Redis, when configured) answer", tags=["health"])
async def ready(engine: Engine, settings: InjectedSettings) -> Response[Health]:
    """No token needed. 200 when the database (and Redis, when configured) answer; 503 when one is down."""
    database = "ok" if await database_answers(engine) else "down"
    redis = None
    if settings.redis_url:
        redis = "ok" if await redis_answers(settings.redis_url) else "down"
    healthy = database == "ok" and redis in (None, "ok")
    body = Health(status="ok" if healthy else "unavailable", database=database, redis=redis)
    return Response(body, status_code=200 if healthy else 503)
