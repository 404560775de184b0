"""Authentication with Litestar's JWT support; the user and their scope are re-read on every request."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from litestar.connection import ASGIConnection
from litestar.plugins import ReceiveRoutePlugin
from litestar.routes import BaseRoute, HTTPRoute
from litestar.security.jwt import JWTAuth, Token

from domain.access.model import Actor
from domain.accounts.model import UserRecord
from domain.accounts.store import actor_for
from domain.config import Settings

PUBLIC_PATHS = [
    "^/v1/auth/login$",
    "^/v1/auth/refresh$",
    "^/v1/public/",
    "^/health",
    "^/schema",
    "^/[Qq]/",
    "^/v1/errors$",
    "^/$",
    "^/console",  # the console signs in with its own session cookie (api/console/session.py)
    "^/public/",  # pages published without an account (一公开)
]
ISSUER = "shuangfang"
# The access token's claim naming the refresh-token family it was issued in.
FAMILY_CLAIM = "fam"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: the actor the domain needs and the user the API presents."""

    actor: Actor
    user: UserRecord


async def _retrieve_principal(token: Token, connection: ASGIConnection) -> Principal | None:
    # one indexed statement, every request: disabling a user, changing their binding or revoking the token's
    # refresh-token family (a spent refresh token came back) applies at their next call
    found = await actor_for(token.sub, str(token.extras.get(FAMILY_CLAIM, "")))
    return Principal(actor=found[0], user=found[1]) if found else None


def build_jwt_auth(settings: Settings) -> JWTAuth[Principal, Token]:
    """Bearer-token auth: HS256, short-lived, issuer checked, every path but the public ones."""
    return JWTAuth[Principal, Token](
        retrieve_user_handler=_retrieve_principal,
        token_secret=settings.jwt_secret,
        default_token_expiration=timedelta(seconds=settings.access_token_ttl_s),
        accepted_issuers=[ISSUER],
        exclude=PUBLIC_PATHS,
        description="The `accessToken` of `POST /v1/auth/login`, as `Authorization: Bearer <token>`.",
    )


def issue_access_token(jwt_auth: JWTAuth, user: UserRecord, ttl_s: int, family_id: str = "") -> str:
    """A signed access token naming the user and its refresh-token family; scope is not in the token, so it can never
    be stale, and revoking the family refuses the token at once."""
    return jwt_auth.create_token(
        identifier=user.id,
        token_expiration=timedelta(seconds=ttl_s),
        token_issuer=ISSUER,
        token_extras={"role": user.role.value, FAMILY_CLAIM: family_id},
    )


class PublicOperations(ReceiveRoutePlugin):
    """Marks the operations of `PUBLIC_PATHS` as needing no token in the OpenAPI document (the bearer is global)."""

    def receive_route(self, route: BaseRoute) -> None:
        if isinstance(route, HTTPRoute) and any(re.search(pattern, route.path) for pattern in PUBLIC_PATHS):
            for handler in route.route_handlers:
                handler.security = [{}]  # OpenAPI's "no requirement": callable with no credentials at all
