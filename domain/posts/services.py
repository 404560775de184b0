"""Use cases of posts: an enterprise's posts, the posts a user holds, setting them, and the caller's own posts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from piccolo.query.functions.aggregate import Count

from domain.access.model import Actor, Role
from domain.access.permissions import require_role
from domain.access.scope import require_enterprise
from domain.accounts.tables import AppUser
from domain.clock import utcnow
from domain.db.transactions import transaction
from domain.errors import NotFound
from domain.ids import new_id
from domain.posts.model import HOLDERS, SETTERS, TasksMineNotStaff, TasksNoPost, chosen_posts
from domain.posts.tables import UserPost
from domain.risk.tables import ChecklistItem, RiskPoint


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


async def _item_counts(enterprise_id: str) -> dict[str, int]:
    """Each post the enterprise's active items and points name, with its number of active checklist items."""
    items = (
        await ChecklistItem.select(ChecklistItem.responsible_post.as_alias("post"), Count(alias="n"))
        .where(
            ChecklistItem.enterprise_id == enterprise_id,
            ChecklistItem.active.eq(True),
            ChecklistItem.responsible_post != "",
        )
        .group_by(ChecklistItem.responsible_post)
        .run()
    )
    points = (
        await RiskPoint.select(RiskPoint.responsible_post)
        .where(RiskPoint.enterprise_id == enterprise_id, RiskPoint.status == "active", RiskPoint.responsible_post != "")
        .distinct()
        .run()
    )
    counts = {row["post"]: int(row["n"]) for row in items}
    for row in points:
        counts.setdefault(row["responsible_post"], 0)
    return counts


async def list_posts(*, actor: Actor, enterprise_id: str) -> list[PostRecord]:
    """The posts of an enterprise in the caller's scope, by name, with their items and holders."""
    await require_enterprise(actor, enterprise_id)
    counts = await _item_counts(enterprise_id)
    holders: dict[str, list[str]] = {}
    for row in (
        await UserPost.select(UserPost.post, UserPost.user_id)
        .where(UserPost.enterprise_id == enterprise_id)
        .order_by(UserPost.user_id)
        .run()
    ):
        holders.setdefault(row["post"], []).append(row["user_id"])
    return [PostRecord(name, counts[name], holders.get(name, [])) for name in sorted(counts)]


async def posts_of(user_id: str) -> list[str]:
    """The posts a user holds, by name."""
    rows = await UserPost.select(UserPost.post).where(UserPost.user_id == user_id).order_by(UserPost.post).run()
    return [row["post"] for row in rows]


async def _holder(actor: Actor, enterprise_id: str, user_id: str) -> dict:
    """The user, who must belong to this enterprise in the caller's scope (else not found, like a missing one)."""
    await require_enterprise(actor, enterprise_id)
    user = (
        await AppUser.select(AppUser.id, AppUser.role, AppUser.enterprise_id)
        .where(AppUser.id == user_id, AppUser.enterprise_id == enterprise_id)
        .first()
        .run()
    )
    if user is None:
        raise NotFound("no such user in this enterprise", entity="user", id=user_id)
    return user


async def user_posts(*, actor: Actor, enterprise_id: str, user_id: str) -> UserPostsRecord:
    """The posts a user of an enterprise in the caller's scope holds."""
    await _holder(actor, enterprise_id, user_id)
    return UserPostsRecord(user_id, enterprise_id, await posts_of(user_id))


async def set_user_posts(
    *, actor: Actor, enterprise_id: str, user_id: str, posts: list[str], now: datetime | None = None
) -> UserPostsRecord:
    """Replace the posts a user holds (its principal or an administrator); every post must be the enterprise's."""
    require_role(actor, *SETTERS)
    now = now or utcnow()
    # users bound to an enterprise are its officers and principals (the accounts service binds no other role)
    await _holder(actor, enterprise_id, user_id)
    names = chosen_posts(posts, await _item_counts(enterprise_id))
    async with transaction():
        await UserPost.delete().where(UserPost.user_id == user_id).run()
        if names:
            await UserPost.insert(
                *[
                    UserPost(
                        id=new_id(),
                        user_id=user_id,
                        enterprise_id=enterprise_id,
                        post=name,
                        assigned_by=actor.user_id,
                        assigned_at=now,
                    )
                    for name in names
                ]
            ).run()
    return UserPostsRecord(user_id, enterprise_id, sorted(names))


async def held_posts(*, user_id: str, role: Role) -> list[str] | None:
    """The posts a user holds, or None for a role that holds none (inspectors, regulators, administrators)."""
    return await posts_of(user_id) if role in HOLDERS else None


async def own_posts(actor: Actor) -> list[str]:
    """The caller's posts, for `mine=true`: refused for anyone but enterprise staff, and for staff holding none."""
    if actor.role not in HOLDERS:
        raise TasksMineNotStaff("only enterprise staff have tasks of their own", role=actor.role.value)
    held = await posts_of(actor.user_id)
    if not held:
        raise TasksNoPost("you hold no post, so no task is yours yet: ask your principal to set your posts")
    return held
