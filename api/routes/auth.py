"""Sign-in, token refresh and the current user."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.security.jwt import JWTAuth

from api import presenters
from api.auth import Principal, issue_access_token
from api.dependencies import InjectedJWTAuth, InjectedSettings
from api.limits import client_address
from domain.accounts.services import AccountService, Session
from domain.config import Settings
from domain.posts import services as posts
from mobile_contract.auth import LoginRequest, RefreshRequest, TokenResponse, User


def _tokens(settings: Settings, jwt_auth: JWTAuth, session: Session) -> TokenResponse:
    ttl = settings.access_token_ttl_s
    return TokenResponse(
        access_token=issue_access_token(jwt_auth, session.user, ttl, session.family_id),
        refresh_token=session.refresh_token,
        expires_in=ttl,
        user=presenters.user(session.user),
    )


class AuthController(Controller):
    """`/v1/auth` and `/v1/me`."""

    path = "/v1"
    tags = ["auth"]

    @post("/auth/login", status_code=200, summary="Sign in with username and password")
    async def login(
        self,
        data: LoginRequest,
        request: Request,
        accounts: AccountService,
        settings: InjectedSettings,
        jwt_auth: InjectedJWTAuth,
    ) -> TokenResponse:
        """No token needed. Answers an access token (15 min) and a refresh token (30 days). With the default settings, five failures of a username from one address within 15 min lock it for that address (423; other addresses still sign in), fifty from all addresses within an hour lock it everywhere; an address with eight failures within 15 min, or more than 60 attempts a minute, and a username with more than 20 attempts a minute get 429 with `Retry-After`."""
        session = await accounts.login(
            username=data.username,
            password=data.password,
            device_id=data.device_id or "",
            client_ip=client_address(request, settings.trusted_proxies),
        )
        return _tokens(settings, jwt_auth, session)

    @post("/auth/refresh", status_code=200, summary="Rotate a refresh token for new tokens")
    async def refresh(
        self, data: RefreshRequest, accounts: AccountService, settings: InjectedSettings, jwt_auth: InjectedJWTAuth
    ) -> TokenResponse:
        """No token needed. Spends the refresh token for a new pair; presenting a spent one revokes its whole family (sign in again)."""
        return _tokens(settings, jwt_auth, await accounts.refresh(refresh_token=data.refresh_token))

    @get("/me", summary="The signed-in user")
    async def me(self, request: Request[Principal, object, State]) -> User:
        """The caller's user, role and binding, read afresh on every request."""
        record = request.user.user
        return presenters.user(record, posts=await posts.held_posts(user_id=record.id, role=record.role))
