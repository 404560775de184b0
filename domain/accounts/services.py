"""Use cases of the accounts area: sign-in, refresh-token rotation, the actor of a request, user management."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.access.model import Actor, Role, check_binding
from domain.access.permissions import require_admin
from domain.accounts.model import USERNAME_PATTERN, LoginOutcome, check_password_strength, is_locked
from domain.accounts.passwords import Passwords
from domain.accounts.tables import AppUser, LoginAttempt, RefreshToken, UserGrid
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
from domain.org.tables import Enterprise, Grid, Region


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A user as the API shows it (never with the password hash)."""

    id: str
    username: str
    name: str
    role: Role
    enterprise_id: str | None
    grid_ids: tuple[str, ...]
    region_code: str | None
    phone: str
    disabled: bool


@dataclass(frozen=True, slots=True)
class Session:
    """What a successful sign-in or refresh hands back; the API adds the access token."""

    user: UserRecord
    refresh_token: str
    refresh_expires_at: datetime


class AccountService:
    """Sign-in and user management, configured by the settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.passwords = Passwords(settings.password_hash_cost)

    # --- sign-in -----------------------------------------------------------------------------------------------

    async def login(
        self, *, username: str, password: str, device_id: str = "", client_ip: str = "", now: datetime | None = None
    ) -> Session:
        """Check a password, honouring the lockout, and open a session with a new refresh-token family."""
        now = now or utcnow()
        key = username.strip().lower()[:64]
        if await self._locked(key, now):
            await self._record_attempt(key, LoginOutcome.LOCKED, now, device_id, client_ip)
            raise AccountLocked(
                "too many failed sign-ins; try again later", retryAfterSeconds=self.settings.lockout_window_s
            )
        row = await AppUser.select().where(AppUser.username == key).first().run()
        if not await self.passwords.verify(row["password_hash"] if row else None, password):
            await self._record_attempt(key, LoginOutcome.FAILED, now, device_id, client_ip)
            raise AuthenticationFailed("wrong username or password")
        if row["disabled"]:
            raise AccountDisabled("this account is disabled")
        await self._record_attempt(key, LoginOutcome.OK, now, device_id, client_ip)
        user = await self._user_record(row)
        return await self._issue(user, family_id=new_id(), device_id=device_id, now=now)

    async def _locked(self, key: str, now: datetime) -> bool:
        window = timedelta(seconds=self.settings.lockout_window_s)
        recent = (
            await LoginAttempt.select(LoginAttempt.at, LoginAttempt.outcome)
            .where(LoginAttempt.username == key, LoginAttempt.at > now - window)
            .run()
        )
        successes = [row["at"] for row in recent if row["outcome"] == LoginOutcome.OK]
        return is_locked(
            [row["at"] for row in recent if row["outcome"] == LoginOutcome.FAILED],
            last_success_at=max(successes, default=None),
            now=now,
            limit=self.settings.lockout_failures,
            window=window,
        )

    async def _record_attempt(self, key: str, outcome: LoginOutcome, now: datetime, device_id: str, ip: str) -> None:
        async with transaction():
            await LoginAttempt.insert(
                LoginAttempt(
                    id=new_id(),
                    username=key,
                    at=now,
                    outcome=outcome.value,
                    device_id=device_id[:128],
                    client_ip=ip[:64],
                )
            ).run()

    async def refresh(self, *, refresh_token: str, now: datetime | None = None) -> Session:
        """Rotate a refresh token: the old one is spent; presenting a spent one revokes its whole family."""
        now = now or utcnow()
        token_hash = _hash_token(refresh_token)
        async with transaction():
            row = await RefreshToken.select().where(RefreshToken.token_hash == token_hash).first().run()
            if row is None:
                raise RefreshTokenInvalid("unknown refresh token")
            if row["used_at"] is not None or row["revoked_at"] is not None:
                # A spent token presented again means it was copied: end every session descended from it.
                await (
                    RefreshToken.update({RefreshToken.revoked_at: now})
                    .where(RefreshToken.family_id == row["family_id"], RefreshToken.revoked_at.is_null())
                    .run()
                )
                reuse = True
            else:
                reuse = False
                await RefreshToken.update({RefreshToken.used_at: now}).where(RefreshToken.id == row["id"]).run()
        if reuse:
            raise RefreshTokenInvalid("this refresh token was already used; the session is revoked")
        if row["expires_at"] <= now:
            raise RefreshTokenInvalid("the refresh token has expired")
        user_row = await AppUser.select().where(AppUser.id == row["user_id"]).first().run()
        if user_row is None or user_row["disabled"]:
            raise RefreshTokenInvalid("the account is disabled")
        user = await self._user_record(user_row)
        return await self._issue(user, family_id=row["family_id"], device_id=row["device_id"], now=now)

    async def _issue(self, user: UserRecord, *, family_id: str, device_id: str, now: datetime) -> Session:
        token = secrets.token_urlsafe(32)
        expires_at = now + timedelta(seconds=self.settings.refresh_token_ttl_s)
        async with transaction():
            await RefreshToken.insert(
                RefreshToken(
                    id=new_id(),
                    user_id=user.id,
                    family_id=family_id,
                    token_hash=_hash_token(token),
                    device_id=device_id[:128],
                    issued_at=now,
                    expires_at=expires_at,
                )
            ).run()
        return Session(user=user, refresh_token=token, refresh_expires_at=expires_at)

    # --- the actor of a request --------------------------------------------------------------------------------

    async def actor_for(self, user_id: str) -> tuple[Actor, UserRecord] | None:
        """Re-read the user and their binding; None when missing or disabled, so changes apply at once."""
        row = await AppUser.select().where(AppUser.id == user_id).first().run()
        if row is None or row["disabled"]:
            return None
        user = await self._user_record(row)
        region_path = None
        if user.role is Role.REGULATOR and user.region_code:
            region = await Region.select(Region.path).where(Region.code == user.region_code).first().run()
            region_path = region["path"] if region else None
        actor = Actor(
            user_id=user.id,
            role=user.role,
            enterprise_id=user.enterprise_id,
            grid_ids=frozenset(user.grid_ids),
            region_path=region_path,
        )
        return actor, user

    async def _user_record(self, row: dict) -> UserRecord:
        grid_ids: tuple[str, ...] = ()
        if row["role"] == Role.INSPECTOR:
            grids = await UserGrid.select(UserGrid.grid_id).where(UserGrid.user_id == row["id"]).run()
            grid_ids = tuple(sorted(grid["grid_id"] for grid in grids))
        return UserRecord(
            id=row["id"],
            username=row["username"],
            name=row["name"],
            role=Role(row["role"]),
            enterprise_id=row["enterprise_id"],
            grid_ids=grid_ids,
            region_code=row["region_code"],
            phone=row["phone"],
            disabled=row["disabled"],
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
        require_admin(actor)
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
                await AppUser.insert(
                    AppUser(
                        id=user_id,
                        username=key,
                        name=name,
                        password_hash=password_hash,
                        role=role.value,
                        enterprise_id=enterprise_id,
                        region_code=region_code,
                        phone=phone,
                        disabled=False,
                        version=1,
                        created_at=now,
                        updated_at=now,
                    )
                ).run()
                await _replace_grids(user_id, grid_ids or [])
        return await self.get_user(actor=actor, user_id=user_id)

    async def update_user(self, *, actor: Actor, user_id: str, changes: dict) -> UserRecord:
        """Change a user; disabling revokes their refresh tokens, and every change applies on their next request."""
        require_admin(actor)
        now = utcnow()
        async with transaction():
            row = await AppUser.select().where(AppUser.id == user_id).first().run()
            if row is None:
                raise NotFound("no such user", entity="user", id=user_id)
            role = Role(row["role"])
            current = await self._user_record(row)
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
            await (
                AppUser.update(
                    {getattr(AppUser, key): value for key, value in values.items()}
                    | {AppUser.version: AppUser.version + 1}
                )
                .where(AppUser.id == user_id)
                .run()
            )
            if "grid_ids" in changes:
                await _replace_grids(user_id, changes["grid_ids"])
            bound_after = await self.actor_for(user_id)
            if bound_before and bound_after and bound_before[0] != bound_after[0]:
                # the phone must drop what the user no longer sees and learn what they now see
                await record_scope_changed(bound_before[0], bound_after[0], now=now)
            if changes.get("disabled") or "password" in changes:
                await (
                    RefreshToken.update({RefreshToken.revoked_at: now})
                    .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_null())
                    .run()
                )
        return await self.get_user(actor=actor, user_id=user_id)

    async def get_user(self, *, actor: Actor, user_id: str) -> UserRecord:
        """One user (administrators only)."""
        require_admin(actor)
        row = await AppUser.select().where(AppUser.id == user_id).first().run()
        if row is None:
            raise NotFound("no such user", entity="user", id=user_id)
        return await self._user_record(row)

    async def list_users(
        self, *, actor: Actor, cursor: str | None = None, limit: int | None = None, role: Role | None = None
    ) -> Page[UserRecord]:
        """All users, a page at a time (administrators only)."""
        require_admin(actor)
        size = clamp_limit(limit)
        query = AppUser.select().order_by(AppUser.id).limit(size + 1)
        if after := decode_cursor(cursor):
            query = query.where(AppUser.id > after)
        if role is not None:
            query = query.where(AppUser.role == role.value)
        rows = await query.run()
        return page_of([await self._user_record(row) for row in rows], size, lambda user: user.id)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _replace_grids(user_id: str, grid_ids: list[str]) -> None:
    # Bindings are current state, not evidence: replacing them is the change itself.
    await UserGrid.delete().where(UserGrid.user_id == user_id).run()
    if grid_ids:
        await UserGrid.insert(
            *[UserGrid(id=new_id(), user_id=user_id, grid_id=grid_id) for grid_id in sorted(set(grid_ids))]
        ).run()


async def _check_binding_targets(
    *, enterprise_id: str | None, grid_ids: list[str] | None, region_code: str | None
) -> None:
    """The enterprise, grids and region a user is bound to must exist."""
    if enterprise_id and not await Enterprise.exists().where(Enterprise.id == enterprise_id).run():
        raise InvalidInput("the enterprise does not exist", field="enterpriseId", reason="unknown")
    if grid_ids:
        found = await Grid.select(Grid.id).where(Grid.id.is_in(list(set(grid_ids)))).run()
        if len(found) != len(set(grid_ids)):
            raise InvalidInput("a grid does not exist", field="gridIds", reason="unknown")
    if region_code and not await Region.exists().where(Region.code == region_code).run():
        raise InvalidInput("the region does not exist", field="regionCode", reason="unknown")


async def purge_expired_refresh_tokens(*, now: datetime | None = None) -> int:
    """Delete refresh tokens expired for over a day: they can never be used, and a hash is not evidence."""
    cutoff = (now or utcnow()) - timedelta(days=1)
    async with transaction():
        removed = await RefreshToken.delete().where(RefreshToken.expires_at < cutoff).returning(RefreshToken.id).run()
    return len(removed)
