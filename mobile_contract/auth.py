"""Wire types of sign-in and the current user."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta

from mobile_contract.base import Wire, WireOut

Role = Literal["officer", "principal", "inspector", "regulator", "admin"]


class LoginRequest(Wire):
    """`POST /v1/auth/login`."""

    username: Annotated[str, Meta(min_length=1, max_length=64)]
    password: Annotated[str, Meta(min_length=1, max_length=128)]
    device_id: Annotated[str, Meta(max_length=128)] | None = None


class RefreshRequest(Wire):
    """`POST /v1/auth/refresh`."""

    refresh_token: Annotated[str, Meta(min_length=1, max_length=200)]


class User(WireOut):
    """The signed-in user and the binding that sets their scope."""

    id: str
    name: str
    role: Role
    enterprise_id: str | None = None
    grid_ids: list[str] | None = None
    region_code: str | None = None
    # The posts (岗位) an officer or principal holds (`GET /v1/me` only; null for other roles): `GET /v1/tasks?mine=true`
    # lists the tasks of these posts.
    posts: list[str] | None = None


class TokenResponse(WireOut):
    """Tokens and the user: `expiresIn` is the access token's lifetime in seconds."""

    access_token: str
    refresh_token: str
    expires_in: int
    user: User
    token_type: str = "Bearer"
