"""Every statement on the accounts area's tables: other modules call these functions and get typed records back."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from domain.access.model import Actor, Role
from domain.accounts.model import StoredRefreshToken, StoredUser, UserRecord
from domain.accounts.tables import AppUser, ConsoleSession, LoginAttempt, RefreshToken, RevokedFamily, UserGrid
from domain.db.sql import Statement
from domain.ids import new_id
from domain.org.store import region_path_sql


def _stored_user(row: dict) -> StoredUser:
    return StoredUser(**{f.name: row[f.name] for f in fields(StoredUser)})


# --- users -----------------------------------------------------------------------------------------------------------


async def user_by_id(user_id: str) -> StoredUser | None:
    """One user by id (disabled ones too)."""
    row = await AppUser.select().where(AppUser.id == user_id).first().run()
    return _stored_user(row) if row else None


async def user_by_username(username: str) -> StoredUser | None:
    """One user by their (lower-case) username."""
    row = await AppUser.select().where(AppUser.username == username).first().run()
    return _stored_user(row) if row else None


async def grid_ids_of(user_id: str) -> tuple[str, ...]:
    """The grids an inspector is bound to, sorted."""
    grids = await UserGrid.select(UserGrid.grid_id).where(UserGrid.user_id == user_id).run()
    return tuple(sorted(grid["grid_id"] for grid in grids))


async def users_page(*, after: str | None, size: int, role: str | None = None) -> list[StoredUser]:
    """Up to `size` users in id order after `after`, optionally of one role."""
    query = AppUser.select().order_by(AppUser.id).limit(size)
    if after:
        query = query.where(AppUser.id > after)
    if role is not None:
        query = query.where(AppUser.role == role)
    return [_stored_user(row) for row in await query.run()]


async def insert_user(values: dict[str, Any]) -> None:
    """Store a new user (inside the caller's transaction)."""
    await AppUser.insert(AppUser(**values)).run()


async def update_user(user_id: str, values: dict[str, Any]) -> None:
    """Set the named fields of a user and bump its version."""
    await (
        AppUser.update(
            {getattr(AppUser, key): value for key, value in values.items()} | {AppUser.version: AppUser.version + 1}
        )
        .where(AppUser.id == user_id)
        .run()
    )


async def replace_grids(user_id: str, grid_ids: list[str]) -> None:
    """Bind a user to exactly these grids."""
    # Bindings are current state, not evidence: replacing them is the change itself.
    await UserGrid.delete().where(UserGrid.user_id == user_id).run()
    if grid_ids:
        await UserGrid.insert(
            *[UserGrid(id=new_id(), user_id=user_id, grid_id=grid_id) for grid_id in sorted(set(grid_ids))]
        ).run()


async def is_active_user_of(user_id: str, enterprise_id: str) -> bool:
    """True when the user exists, is not disabled and belongs to the enterprise (an assignee must be)."""
    return (
        await AppUser.exists()
        .where(AppUser.id == user_id, AppUser.enterprise_id == enterprise_id, AppUser.disabled.eq(False))
        .run()
    )


async def is_user_of(user_id: str, enterprise_id: str) -> bool:
    """True when the user exists and is bound to the enterprise (disabled or not)."""
    row = (
        await AppUser.select(AppUser.id, AppUser.role, AppUser.enterprise_id)
        .where(AppUser.id == user_id, AppUser.enterprise_id == enterprise_id)
        .first()
        .run()
    )
    return row is not None


# --- sign-in attempts ------------------------------------------------------------------------------------------------


async def attempts_since(username: str, since: datetime) -> list[tuple[datetime, str, str]]:
    """(when, outcome, client address) of a username's failed and successful sign-ins after `since`."""
    # refused attempts (locked) are left out: they are never failures, and a locked username may gather many
    rows = (
        await LoginAttempt.select(LoginAttempt.at, LoginAttempt.outcome, LoginAttempt.client_ip)
        .where(LoginAttempt.username == username, LoginAttempt.at > since, LoginAttempt.outcome != "locked")
        .run()
    )
    return [(row["at"], row["outcome"], row["client_ip"]) for row in rows]


async def insert_attempt(*, username: str, at: datetime, outcome: str, device_id: str, client_ip: str) -> None:
    """Record one sign-in attempt."""
    await LoginAttempt.insert(
        LoginAttempt(id=new_id(), username=username, at=at, outcome=outcome, device_id=device_id, client_ip=client_ip)
    ).run()


# --- refresh tokens --------------------------------------------------------------------------------------------------


async def refresh_token_by_hash(token_hash: str) -> StoredRefreshToken | None:
    """The refresh token with this hash."""
    row = await RefreshToken.select().where(RefreshToken.token_hash == token_hash).first().run()
    return StoredRefreshToken(**{f.name: row[f.name] for f in fields(StoredRefreshToken)}) if row else None


async def insert_refresh_token(
    *, user_id: str, family_id: str, token_hash: str, device_id: str, issued_at: datetime, expires_at: datetime
) -> None:
    """Store a new refresh token (its hash)."""
    await RefreshToken.insert(
        RefreshToken(
            id=new_id(),
            user_id=user_id,
            family_id=family_id,
            token_hash=token_hash,
            device_id=device_id,
            issued_at=issued_at,
            expires_at=expires_at,
        )
    ).run()


async def mark_refresh_token_used(token_id: str, now: datetime) -> None:
    """Spend a refresh token."""
    await RefreshToken.update({RefreshToken.used_at: now}).where(RefreshToken.id == token_id).run()


async def revoke_family(family_id: str, now: datetime) -> None:
    """Revoke every live token of a family, refresh and access tokens alike."""
    await (
        RefreshToken.update({RefreshToken.revoked_at: now})
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_null())
        .run()
    )
    await (
        RevokedFamily.insert(RevokedFamily(family_id=family_id, revoked_at=now)).on_conflict(action="DO NOTHING").run()
    )


async def revoke_tokens_of(user_id: str, now: datetime) -> None:
    """Revoke every live token and console session of a user."""
    await (
        RefreshToken.update({RefreshToken.revoked_at: now})
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_null())
        .run()
    )
    await (
        ConsoleSession.update({ConsoleSession.revoked_at: now})
        .where(ConsoleSession.user_id == user_id, ConsoleSession.revoked_at.is_null())
        .run()
    )


async def delete_tokens_expired_before(cutoff: datetime) -> int:
    """Delete refresh tokens and console sessions that expired before `cutoff`; returns how many."""
    removed = await RefreshToken.delete().where(RefreshToken.expires_at < cutoff).returning(RefreshToken.id).run()
    sessions = (
        await ConsoleSession.delete().where(ConsoleSession.expires_at < cutoff).returning(ConsoleSession.id).run()
    )
    # an access token outlives its family's revocation by at most its lifetime (minutes), never a day
    families = (
        await RevokedFamily.delete().where(RevokedFamily.revoked_at < cutoff).returning(RevokedFamily.family_id).run()
    )
    return len(removed) + len(sessions) + len(families)


# --- console sessions -----------------------------------------------------------------------------------------------


async def insert_console_session(
    *, user_id: str, token_hash: str, client_ip: str, created_at: datetime, expires_at: datetime
) -> None:
    """Store a new console session (its token's hash)."""
    await ConsoleSession.insert(
        ConsoleSession(
            id=new_id(),
            user_id=user_id,
            token_hash=token_hash,
            client_ip=client_ip,
            created_at=created_at,
            expires_at=expires_at,
        )
    ).run()


_LIVE_CONSOLE_SESSION = Statement(
    "SELECT user_id FROM console_session WHERE token_hash = {} AND revoked_at IS NULL AND expires_at > {}",
    short=True,
)


async def console_session_user(token_hash: str, now: datetime) -> str | None:
    """The user of a live (unrevoked, unexpired) console session, by its token's hash."""
    rows = await _LIVE_CONSOLE_SESSION.rows(token_hash, now)
    return rows[0]["user_id"] if rows else None


async def revoke_console_session(token_hash: str, now: datetime) -> None:
    """End one console session."""
    await (
        ConsoleSession.update({ConsoleSession.revoked_at: now})
        .where(ConsoleSession.token_hash == token_hash, ConsoleSession.revoked_at.is_null())
        .run()
    )


# --- the actor of a request ------------------------------------------------------------------------------------------

# One indexed statement per request: the user by primary key, an inspector's grids by user_grid's user_id index (one
# row per grid), a regulator's region path by region's primary key, and whether the access token's refresh-token
# family was revoked by revoked_family's primary key. Both engines keep it prepared by its text.
_ACTOR = Statement(
    "SELECT u.id, u.username, u.name, u.role, u.enterprise_id, u.region_code, u.phone, u.disabled, g.grid_id,"
    f" CASE WHEN u.role = '{Role.REGULATOR.value}' THEN {region_path_sql('u.region_code')} END AS region_path,"
    " EXISTS (SELECT 1 FROM revoked_family f WHERE f.family_id = {}) AS family_revoked"
    f" FROM app_user u LEFT JOIN user_grid g ON g.user_id = u.id AND u.role = '{Role.INSPECTOR.value}'"
    " WHERE u.id = {} ORDER BY g.grid_id",
    short=True,
)


async def actor_for(user_id: str, family_id: str = "") -> tuple[Actor, UserRecord] | None:
    """The user and their binding in one statement; None when missing, disabled, or signed in through a refresh-token
    family since revoked (`family_id`, from the access token), so changes apply at once."""
    rows = await _ACTOR.rows(family_id, user_id)
    if not rows or rows[0]["disabled"] or rows[0]["family_revoked"]:
        return None
    row = rows[0]
    grid_ids = tuple(found["grid_id"] for found in rows if found["grid_id"] is not None)
    role = Role(row["role"])
    user = UserRecord(
        id=row["id"],
        username=row["username"],
        name=row["name"],
        role=role,
        enterprise_id=row["enterprise_id"],
        grid_ids=grid_ids,
        region_code=row["region_code"],
        phone=row["phone"],
        disabled=bool(row["disabled"]),
    )
    actor = Actor(
        user_id=user.id,
        role=role,
        enterprise_id=user.enterprise_id,
        grid_ids=frozenset(grid_ids),
        region_path=row["region_path"],
    )
    return actor, user


# --- for the overdue sweep (domain/escalation) ----------------------------------------------------------------------


async def active_principals(enterprise_id: str) -> list[tuple[str, str]]:
    """(user id, name) of the enterprise's principals that are not disabled, in id order."""
    rows = (
        await AppUser.select(AppUser.id, AppUser.name)
        .where(AppUser.enterprise_id == enterprise_id, AppUser.role == Role.PRINCIPAL.value, AppUser.disabled.eq(False))
        .order_by(AppUser.id)
        .run()
    )
    return [(row["id"], row["name"]) for row in rows]
