"""Wire types of sign-in and the current user."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta

from mobile_contract.base import Wire, WireOut

Role = Literal["officer", "principal", "inspector", "regulator", "admin"]


class LoginRequest(Wire):
    """`POST /v1/auth/login`."""

    username: Annotated[
        str, Meta(min_length=1, max_length=64, description="The account's user name, as the administrator created it")
    ]
    password: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=128,
            description="The account's password; repeated failures lock the account for a while",
        ),
    ]
    device_id: (
        Annotated[
            str, Meta(max_length=128, description="The phone's own stable id, kept with the session (null: not given)")
        ]
        | None
    ) = None


class RefreshRequest(Wire):
    """`POST /v1/auth/refresh`."""

    refresh_token: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=200,
            description="The refresh token of the last sign-in or refresh; each is good for one use",
        ),
    ]


class User(WireOut):
    """The signed-in user and the binding that sets their scope."""

    id: Annotated[str, Meta(description="The user's id")]
    name: Annotated[str, Meta(description="The user's display name (Chinese)")]
    role: Annotated[
        Role, Meta(description="The user's role; with the binding below it sets what the user may see and do")
    ]
    enterprise_id: Annotated[
        str | None, Meta(description="Officers and principals: the enterprise they work for (null for other roles)")
    ] = None
    grid_ids: Annotated[
        list[str] | None, Meta(description="Inspectors: the grids they patrol (null for other roles)")
    ] = None
    region_code: Annotated[
        str | None,
        Meta(description="Regulators: the code of the region they supervise, with all below it (null for other roles)"),
    ] = None
    # The posts (岗位) an officer or principal holds (`GET /v1/me` only; null for other roles): `GET /v1/tasks?mine=true`
    # lists the tasks of these posts.
    posts: Annotated[
        list[str] | None,
        Meta(description="The posts (岗位) the officer or principal holds (`GET /v1/me` only; null otherwise)"),
    ] = None


class TokenResponse(WireOut):
    """Tokens and the user: `expiresIn` is the access token's lifetime in seconds."""

    access_token: Annotated[
        str, Meta(description="The bearer token to send as `Authorization: Bearer …` on every call")
    ]
    refresh_token: Annotated[
        str,
        Meta(
            description="Trade it at `POST /v1/auth/refresh` for new tokens before or after the access token expires; one use"
        ),
    ]
    expires_in: Annotated[int, Meta(description="The access token's lifetime, in seconds from now")]
    user: Annotated[User, Meta(description="The signed-in user")]
    token_type: Annotated[str, Meta(description="Always `Bearer`")] = "Bearer"
