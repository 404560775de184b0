"""Use cases of the accounts area: sign-in, refresh-token rotation, the actor of a request, user management."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.access.model import Actor, Role, check_binding
from domain.access.permissions import Action, require
from domain.accounts import store
from domain.accounts.model import (
    USERNAME_PATTERN,
    Lockout,
    LoginOutcome,
    StoredUser,
    UserRecord,
    check_password_strength,
)
from domain.accounts.passwords import Passwords
from domain.changes.services import record_scope_changed
from domain.clock import utcnow
from domain.config import Settings
from domain.db.engine import unique_or
from domain.db.paging import Page, clamp_limit, decode_cursor, page_of
from domain.db.transactions import transaction
from domain.errors import (
    AccountDisabled,
    AccountLocked,
    AlreadyExists,
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    RefreshTokenInvalid,
)
from domain.ids import new_id
from domain.limits.counters import Counters, counters_for
from domain.limits.model import Limit, SignInRateLimited, retry_after_s
from domain.org import store as org_store

__all__ = ["AccountService", "Session", "UserRecord", "purge_expired_refresh_tokens"]


@dataclass(frozen=True, slots=True)
class Session:
    """What a successful sign-in or refresh hands back; the API adds the access token."""

    user: UserRecord
    refresh_token: str
    refresh_expires_at: datetime
    family_id: str


class AccountService:
    """Sign-in and user management, configured by the settings."""

    def __init__(self, settings: Settings, counters: Counters | None = None) -> None:
        self.settings = settings
        self.passwords = Passwords(settings.password_hash_cost)
        self.counters = counters or counters_for(settings.redis_url)
        self.lockout = Lockout(
            pair_failures=settings.lockout_failures,
            pair_window=timedelta(seconds=settings.lockout_window_s),
            username_failures=settings.lockout_username_failures,
            username_window=timedelta(seconds=settings.lockout_username_window_s),
        )
        self.address_failures = Limit(
            "signin-address-failures", settings.signin_address_failures, settings.signin_address_window_s
        )
        self.address_attempts = Limit("signin-address", settings.signin_address_attempts, 60)
        self.username_attempts = Limit("signin-username", settings.signin_username_attempts, 60)

    # --- sign-in -----------------------------------------------------------------------------------------------

    async def login(
        self, *, username: str, password: str, device_id: str = "", client_ip: str = "", now: datetime | None = None
    ) -> Session:
        """Check a password, honouring the lockout, and open a session with a new refresh-token family."""
        now = now or utcnow()
        user = await self.check_password(
            username=username, password=password, device_id=device_id, client_ip=client_ip, now=now
        )
        return await self._issue(user, family_id=new_id(), device_id=device_id, now=now)

    async def check_password(
        self, *, username: str, password: str, device_id: str = "", client_ip: str = "", now: datetime | None = None
    ) -> UserRecord:
        """The user whose password this is, honouring the rate limits and the lockout; every attempt that gets past
        the rate limits is recorded."""
        now = now or utcnow()
        key = username.strip().lower()[:64]
        await self._admit(key, client_ip, now)
        if wait := await self._locked(key, client_ip, now):
            await self._record_attempt(key, LoginOutcome.LOCKED, now, device_id, client_ip)
            raise AccountLocked("too many failed sign-ins; try again later", retryAfterSeconds=wait)
        stored = await store.user_by_username(key)
        if not await self.passwords.verify(stored.password_hash if stored else None, password):
            await self._record_attempt(key, LoginOutcome.FAILED, now, device_id, client_ip)
            if self.address_failures.limit > 0:
                await self.counters.hit(self.address_failures, client_ip, now)
            raise AuthenticationFailed("wrong username or password")
        if stored.disabled:
            raise AccountDisabled("this account is disabled")
        await self._record_attempt(key, LoginOutcome.OK, now, device_id, client_ip)
        return await self._user_record(stored)

    async def _admit(self, key: str, address: str, now: datetime) -> None:
        """Refuse (429) before any password work when the address or the username has had its share."""
        if self.address_failures.limit > 0:
            failures, window = await self.counters.peek(self.address_failures, address, now)
            if failures >= self.address_failures.limit:
                raise SignInRateLimited(
                    "too many failed sign-ins from this address; try again later",
                    limit="address-failures",
                    retryAfterSeconds=retry_after_s(window.ends_at, now),
                )
        for limit, limited_key, name in (
            (self.address_attempts, address, "address"),
            (self.username_attempts, key, "username"),
        ):
            if limit.limit > 0:
                count, window = await self.counters.hit(limit, limited_key, now)
                if count > limit.limit:
                    raise SignInRateLimited(
                        f"too many sign-ins for this {name}; try again later",
                        limit=name,
                        retryAfterSeconds=retry_after_s(window.ends_at, now),
                    )

    async def _locked(self, key: str, address: str, now: datetime) -> int | None:
        """Seconds to wait when the username is locked for this address (see `Lockout`), else None."""
        recent = await store.attempts_since(key, now - self.lockout.longest_window)
        wait = self.lockout.locked_for(recent, address=address, now=now)
        return int(wait.total_seconds()) if wait is not None else None

    async def _record_attempt(self, key: str, outcome: LoginOutcome, now: datetime, device_id: str, ip: str) -> None:
        async with transaction():
            await store.insert_attempt(
                username=key, at=now, outcome=outcome.value, device_id=device_id[:128], client_ip=ip[:64]
            )

    async def refresh(self, *, refresh_token: str, now: datetime | None = None) -> Session:
        """Rotate a refresh token: the old one is spent; presenting a spent one revokes its whole family."""
        now = now or utcnow()
        token_hash = _hash_token(refresh_token)
        async with transaction():
            token = await store.refresh_token_by_hash(token_hash)
            if token is None:
                raise RefreshTokenInvalid("unknown refresh token")
            if token.used_at is not None or token.revoked_at is not None:
                # A spent token presented again means it was copied: end every session descended from it.
                await store.revoke_family(token.family_id, now)
                reuse = True
            else:
                reuse = False
                await store.mark_refresh_token_used(token.id, now)
        if reuse:
            raise RefreshTokenInvalid("this refresh token was already used; the session is revoked")
        if token.expires_at <= now:
            raise RefreshTokenInvalid("the refresh token has expired")
        stored = await store.user_by_id(token.user_id)
        if stored is None or stored.disabled:
            raise RefreshTokenInvalid("the account is disabled")
        user = await self._user_record(stored)
        return await self._issue(user, family_id=token.family_id, device_id=token.device_id, now=now)

    async def _issue(self, user: UserRecord, *, family_id: str, device_id: str, now: datetime) -> Session:
        token = secrets.token_urlsafe(32)
        expires_at = now + timedelta(seconds=self.settings.refresh_token_ttl_s)
        async with transaction():
            await store.insert_refresh_token(
                user_id=user.id,
                family_id=family_id,
                token_hash=_hash_token(token),
                device_id=device_id[:128],
                issued_at=now,
                expires_at=expires_at,
            )
        return Session(user=user, refresh_token=token, refresh_expires_at=expires_at, family_id=family_id)

    # --- console sessions (the browser's sign-in; the API's is the token pair above) -------------------------------

    async def open_console_session(
        self, *, username: str, password: str, client_ip: str = "", now: datetime | None = None
    ) -> tuple[UserRecord, str]:
        """Sign a browser in with the same password check and lockout as the API; the token for its cookie."""
        now = now or utcnow()
        user = await self.check_password(
            username=username, password=password, device_id="console", client_ip=client_ip, now=now
        )
        token = secrets.token_urlsafe(32)
        async with transaction():
            await store.insert_console_session(
                user_id=user.id,
                token_hash=_hash_token(token),
                client_ip=client_ip[:64],
                created_at=now,
                expires_at=now + timedelta(seconds=self.settings.console_session_ttl_s),
            )
        return user, token

    async def console_actor(self, token: str, *, now: datetime | None = None) -> tuple[Actor, UserRecord] | None:
        """The actor of a console session's cookie; None when unknown, expired, signed out or the user disabled."""
        user_id = await store.console_session_user(_hash_token(token), now or utcnow())
        return await store.actor_for(user_id) if user_id else None

    async def close_console_session(self, token: str, *, now: datetime | None = None) -> None:
        """Sign a browser out: its cookie opens nothing from now on."""
        async with transaction():
            await store.revoke_console_session(_hash_token(token), now or utcnow())

    # --- the actor of a request --------------------------------------------------------------------------------

    async def actor_for(self, user_id: str) -> tuple[Actor, UserRecord] | None:
        """Re-read the user and their binding in one statement; None when missing or disabled (applies at once)."""
        return await store.actor_for(user_id)

    async def close(self) -> None:
        """Let go of the rate counters' connections (Redis)."""
        await self.counters.close()

    async def _user_record(self, stored: StoredUser) -> UserRecord:
        grid_ids = await store.grid_ids_of(stored.id) if stored.role == Role.INSPECTOR else ()
        return UserRecord(
            id=stored.id,
            username=stored.username,
            name=stored.name,
            role=Role(stored.role),
            enterprise_id=stored.enterprise_id,
            grid_ids=grid_ids,
            region_code=stored.region_code,
            phone=stored.phone,
            disabled=stored.disabled,
        )

    # --- user management ---------------------------------------------------------------------------------------

    async def create_user(
        self,
        *,
        actor: Actor,
        username: str,
        name: str,
        password: str,
        role: Role,
        enterprise_id: str | None = None,
        grid_ids: list[str] | None = None,
        region_code: str | None = None,
        phone: str = "",
    ) -> UserRecord:
        """Create an account with the binding its role needs."""
        require(actor, Action.MANAGE_USERS)
        key = username.strip().lower()
        if not USERNAME_PATTERN.match(key):
            raise InvalidInput(
                "a username is 3–64 letters, digits, '.', '_' or '-', starting with a letter",
                field="username",
                reason="format",
            )
        check_password_strength(password)
        check_binding(role, enterprise_id=enterprise_id, grid_ids=grid_ids, region_code=region_code)
        await _check_binding_targets(enterprise_id=enterprise_id, grid_ids=grid_ids, region_code=region_code)
        password_hash = await self.passwords.hash(password)
        now = utcnow()
        user_id = new_id()
        with unique_or(AlreadyExists("this username is taken", entity="user", username=key)):
            async with transaction():
                await store.insert_user(
                    {
                        "id": user_id,
                        "username": key,
                        "name": name,
                        "password_hash": password_hash,
                        "role": role.value,
                        "enterprise_id": enterprise_id,
                        "region_code": region_code,
                        "phone": phone,
                        "disabled": False,
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                await store.replace_grids(user_id, grid_ids or [])
        return await self.get_user(actor=actor, user_id=user_id)

    async def update_user(self, *, actor: Actor, user_id: str, changes: dict) -> UserRecord:
        """Change a user; disabling revokes their refresh tokens, and every change applies on their next request."""
        require(actor, Action.MANAGE_USERS)
        now = utcnow()
        async with transaction():
            stored = await store.user_by_id(user_id)
            if stored is None:
                raise NotFound("no such user", entity="user", id=user_id)
            role = Role(stored.role)
            current = await self._user_record(stored)
            bound_before = await self.actor_for(user_id)
            check_binding(
                role,
                enterprise_id=changes.get("enterprise_id", current.enterprise_id),
                region_code=changes.get("region_code", current.region_code),
                grid_ids=changes.get("grid_ids", list(current.grid_ids)),
            )
            await _check_binding_targets(
                enterprise_id=changes.get("enterprise_id"),
                grid_ids=changes.get("grid_ids"),
                region_code=changes.get("region_code"),
            )
            values = {
                key: changes[key]
                for key in ("name", "phone", "disabled", "enterprise_id", "region_code")
                if key in changes
            }
            if "password" in changes:
                check_password_strength(changes["password"])
                values["password_hash"] = await self.passwords.hash(changes["password"])
            values["updated_at"] = now
            await store.update_user(user_id, values)
            if "grid_ids" in changes:
                await store.replace_grids(user_id, changes["grid_ids"])
            bound_after = await self.actor_for(user_id)
            if bound_before and bound_after and bound_before[0] != bound_after[0]:
                # the phone must drop what the user no longer sees and learn what they now see
                await record_scope_changed(bound_before[0], bound_after[0], now=now)
            if changes.get("disabled") or "password" in changes:
                await store.revoke_tokens_of(user_id, now)
        return await self.get_user(actor=actor, user_id=user_id)

    async def get_user(self, *, actor: Actor, user_id: str) -> UserRecord:
        """One user (administrators only)."""
        require(actor, Action.MANAGE_USERS)
        stored = await store.user_by_id(user_id)
        if stored is None:
            raise NotFound("no such user", entity="user", id=user_id)
        return await self._user_record(stored)

    async def list_users(
        self, *, actor: Actor, cursor: str | None = None, limit: int | None = None, role: Role | None = None
    ) -> Page[UserRecord]:
        """All users, a page at a time (administrators only)."""
        require(actor, Action.MANAGE_USERS)
        size = clamp_limit(limit)
        rows = await store.users_page(
            after=decode_cursor(cursor), size=size + 1, role=role.value if role is not None else None
        )
        return page_of([await self._user_record(row) for row in rows], size, lambda user: user.id)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _check_binding_targets(
    *, enterprise_id: str | None, grid_ids: list[str] | None, region_code: str | None
) -> None:
    """The enterprise, grids and region a user is bound to must exist."""
    if enterprise_id and not await org_store.enterprise_exists(enterprise_id):
        raise InvalidInput("the enterprise does not exist", field="enterpriseId", reason="unknown")
    if grid_ids:
        found = await org_store.existing_grid_ids(grid_ids)
        if len(found) != len(set(grid_ids)):
            raise InvalidInput("a grid does not exist", field="gridIds", reason="unknown")
    if region_code and not await org_store.region_exists(region_code):
        raise InvalidInput("the region does not exist", field="regionCode", reason="unknown")


async def purge_expired_refresh_tokens(*, now: datetime | None = None) -> int:
    """Delete refresh tokens and console sessions expired for over a day: they can never be used again, and a
    hash is not evidence."""
    cutoff = (now or utcnow()) - timedelta(days=1)
    async with transaction():
        return await store.delete_tokens_expired_before(cutoff)
