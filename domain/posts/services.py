"""Use cases of posts: an enterprise's posts, the posts a user holds, setting them, and the caller's own posts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.access.model import Actor, Role
from domain.access.permissions import Action, actions_of, allowed, require
from domain.accounts import store as accounts_store
from domain.clock import utcnow
from domain.db.transactions import transaction
from domain.errors import NotFound
from domain.org.scope import require_enterprise
from domain.posts import store
from domain.posts.model import TasksMineNotStaff, TasksNoPost, chosen_posts
from domain.risk import store as risk_store


@dataclass(frozen=True, slots=True)
class PostRecord:
    """A post of an enterprise: how many active checklist items it is responsible for, and who holds it."""

    name: str
    checklist_items: int
    holder_ids: list[str]


@dataclass(frozen=True, slots=True)
class UserPostsRecord:
    """The posts one user holds."""

    user_id: str
    enterprise_id: str
    posts: list[str]


async def list_posts(*, actor: Actor, enterprise_id: str) -> list[PostRecord]:
    """The posts of an enterprise in the caller's scope, by name, with their items and holders."""
    await require_enterprise(actor, enterprise_id)
    counts = await risk_store.post_item_counts(enterprise_id)
    holders = await store.holders_by_post(enterprise_id)
    return [PostRecord(name, counts[name], holders.get(name, [])) for name in sorted(counts)]


async def posts_of(user_id: str) -> list[str]:
    """The posts a user holds, by name."""
    return await store.posts_of(user_id)


async def _check_holder(actor: Actor, enterprise_id: str, user_id: str) -> None:
    """The user must belong to this enterprise in the caller's scope (else not found, like a missing one)."""
    await require_enterprise(actor, enterprise_id)
    if not await accounts_store.is_user_of(user_id, enterprise_id):
        raise NotFound("no such user in this enterprise", entity="user", id=user_id)


async def user_posts(*, actor: Actor, enterprise_id: str, user_id: str) -> UserPostsRecord:
    """The posts a user of an enterprise in the caller's scope holds."""
    await _check_holder(actor, enterprise_id, user_id)
    return UserPostsRecord(user_id, enterprise_id, await posts_of(user_id))


async def set_user_posts(
    *, actor: Actor, enterprise_id: str, user_id: str, posts: list[str], now: datetime | None = None
) -> UserPostsRecord:
    """Replace the posts a user holds (its principal or an administrator); every post must be the enterprise's."""
    require(actor, Action.SET_POSTS)
    now = now or utcnow()
    # users bound to an enterprise are its officers and principals (the accounts service binds no other role)
    await _check_holder(actor, enterprise_id, user_id)
    names = chosen_posts(posts, await risk_store.post_item_counts(enterprise_id))
    async with transaction():
        await store.replace_posts(
            user_id=user_id, enterprise_id=enterprise_id, posts=names, assigned_by=actor.user_id, assigned_at=now
        )
    return UserPostsRecord(user_id, enterprise_id, sorted(names))


async def held_posts(*, user_id: str, role: Role) -> list[str] | None:
    """The posts a user holds, or None for a role that holds none (inspectors, regulators, administrators)."""
    return await store.posts_of(user_id) if Action.HOLD_POSTS in actions_of(role) else None


async def own_posts(actor: Actor) -> list[str]:
    """The caller's posts, for `mine=true`: refused for anyone but enterprise staff, and for staff holding none."""
    if not allowed(actor, Action.HOLD_POSTS):
        raise TasksMineNotStaff("only enterprise staff have tasks of their own", role=actor.role.value)
    held = await store.posts_of(actor.user_id)
    if not held:
        raise TasksNoPost("you hold no post, so no task is yours yet: ask your principal to set your posts")
    return held
