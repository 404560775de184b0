"""Wire type of liveness and readiness (`/health`, `/health/ready`): for load balancers and the app's status line."""

from __future__ import annotations

from mobile_contract.base import WireOut


class Health(WireOut):
    """Status of the service and of what it depends on."""

    status: str
    database: str | None = None
    redis: str | None = None
