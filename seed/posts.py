"""Demo posts (岗位): the posts seed/zhoushan.py DEMO_POSTS gives the demo staff, set through the posts service as
an administrator would; a user already holding exactly those is left alone, so seeding again changes nothing."""

from __future__ import annotations

from domain.access.model import SYSTEM
from domain.accounts.tables import AppUser
from domain.posts import services as posts
from seed import zhoushan


async def seed_posts() -> str:
    """Set the demo staff's posts; what was set."""
    changed = 0
    for username, wanted in zhoushan.DEMO_POSTS.items():
        user = await AppUser.select(AppUser.id, AppUser.enterprise_id).where(AppUser.username == username).first().run()
        if user is None or not user["enterprise_id"]:
            continue
        if await posts.posts_of(user["id"]) == sorted(wanted):
            continue
        await posts.set_user_posts(actor=SYSTEM, enterprise_id=user["enterprise_id"], user_id=user["id"], posts=wanted)
        changed += 1
    held = sum(len(names) for names in zhoushan.DEMO_POSTS.values())
    return f"posts: {held} posts held by {len(zhoushan.DEMO_POSTS)} demo staff ({changed} set now)"
