"""Wire types of posts (岗位): the enterprise's posts and the posts a user holds, so tasks reach people.

An enterprise's posts are the responsible posts its checklist items and risk points name; officers and principals
hold any number of them, set by the enterprise's principal or an administrator. `GET /v1/tasks?mine=true` lists the
tasks of the items whose post the caller holds.
"""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from mobile_contract.base import Wire, WireOut

PostName = Annotated[str, Meta(min_length=1, max_length=100)]


class Post(WireOut):
    """A post of an enterprise: its active checklist items and the users who hold it."""

    name: str
    checklist_items: int
    holder_ids: list[str]


class UserPosts(WireOut):
    """The posts a user holds."""

    user_id: str
    enterprise_id: str
    posts: list[str]


class UserPostsUpdate(Wire):
    """`PUT /v1/enterprises/{id}/users/{userId}/posts`: the whole set of posts the user holds from now on (empty: none).

    Each must be a post of the enterprise (422 `POST_UNKNOWN` otherwise, another enterprise's posts included); the
    user must be one of the enterprise's (else 404, like a missing one).
    """

    posts: Annotated[list[PostName], Meta(max_length=20)]
