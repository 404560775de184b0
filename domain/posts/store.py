"""Every statement on the posts area's tables: other modules call these functions and get typed records back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.ids import new_id
from domain.posts.tables import UserPost

# --- a fragment for hand-written statements of other areas (the scan card: domain/codes/queries.py) ---------------

POSTS_OF_USER_SQL = "SELECT post FROM user_post WHERE user_id = {}"
"""The posts a user holds (`column IN (<sql>)`); `{}`: the user's id."""


# --- posts held ------------------------------------------------------------------------------------------------------


async def posts_of(user_id: str) -> list[str]:
    """The posts a user holds, by name."""
    rows = await UserPost.select(UserPost.post).where(UserPost.user_id == user_id).order_by(UserPost.post).run()
    return [row["post"] for row in rows]


async def holders_by_post(enterprise_id: str) -> dict[str, list[str]]:
    """Post name → the ids of the users of the enterprise holding it, in user id order."""
    holders: dict[str, list[str]] = {}
    for row in (
        await UserPost.select(UserPost.post, UserPost.user_id)
        .where(UserPost.enterprise_id == enterprise_id)
        .order_by(UserPost.user_id)
        .run()
    ):
        holders.setdefault(row["post"], []).append(row["user_id"])
    return holders


async def replace_posts(
    *, user_id: str, enterprise_id: str, posts: Sequence[str], assigned_by: str, assigned_at: datetime
) -> None:
    """Make the user hold exactly these posts (inside the caller's transaction)."""
    await UserPost.delete().where(UserPost.user_id == user_id).run()
    if posts:
        await UserPost.insert(
            *[
                UserPost(
                    id=new_id(),
                    user_id=user_id,
                    enterprise_id=enterprise_id,
                    post=name,
                    assigned_by=assigned_by,
                    assigned_at=assigned_at,
                )
                for name in posts
            ]
        ).run()
