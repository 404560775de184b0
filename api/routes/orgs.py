"""Enterprises and the region tree, as the caller's scope allows."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, put
from litestar.params import Parameter, QueryParameter

from api import presenters
from domain.access.model import Actor
from domain.codes.services import Codes
from domain.org import services
from domain.org.model import Industry
from domain.posts import services as posts
from domain.supervision import services as supervision
from mobile_contract.orgs import Enterprise, EnterprisePage, Grid, Region, SafetyCode
from mobile_contract.orgs import Industry as WireIndustry
from mobile_contract.posts import Post, UserPosts, UserPostsUpdate


def _class_code(record: supervision.ClassRecord | None) -> str | None:
    return record.supervision_class.value if record else None


def user_posts(record: posts.UserPostsRecord) -> UserPosts:
    """The wire form of a user's posts."""
    return UserPosts(user_id=record.user_id, enterprise_id=record.enterprise_id, posts=record.posts)


class OrgController(Controller):
    """`/v1/enterprises`, `/v1/regions`, `/v1/grids`."""

    path = "/v1"
    tags = ["organisations"]

    @get("/enterprises", summary="Enterprises in the caller's scope")
    async def list_enterprises(
        self,
        actor: Actor,
        cursor: Annotated[str | None, Parameter(max_length=200)] = None,
        limit: Annotated[int | None, Parameter(ge=1, le=1000)] = None,
        industry: WireIndustry | None = None,
    ) -> EnterprisePage:
        """Enterprises in the caller's scope (an officer or principal: their own), in pages."""
        page = await services.list_enterprises(
            actor=actor, cursor=cursor, limit=limit, industry=Industry(industry) if industry else None
        )
        classes = await supervision.current_classes([item.id for item in page.items])
        items = [
            presenters.enterprise(item, supervision_class=_class_code(classes.get(item.id))) for item in page.items
        ]
        return EnterprisePage(items=items, next_cursor=page.next_cursor)

    @get("/enterprises/{enterprise_id:str}", summary="One enterprise in the caller's scope")
    async def get_enterprise(self, actor: Actor, codes: Codes, enterprise_id: str) -> Enterprise:
        """One enterprise; out of scope answers exactly like an unknown id (404)."""
        record = await services.get_enterprise(actor=actor, enterprise_id=enterprise_id)
        code, colour = await codes.safety_code(record.id, record.qr_serial)
        classes = await supervision.current_classes([record.id])
        return presenters.enterprise(
            record,
            SafetyCode(token=code.token, url=code.url, color=colour.value),
            supervision_class=_class_code(classes.get(record.id)),
        )

    @get("/enterprises/{enterprise_id:str}/posts", summary="The enterprise's posts (岗位): items and holders of each")
    async def list_posts(self, actor: Actor, enterprise_id: str) -> list[Post]:
        """The enterprise's posts (岗位), each with its checklist items and the users who hold it."""
        return [
            Post(name=p.name, checklist_items=p.checklist_items, holder_ids=p.holder_ids)
            for p in await posts.list_posts(actor=actor, enterprise_id=enterprise_id)
        ]

    @get(
        "/enterprises/{enterprise_id:str}/users/{user_id:str}/posts", summary="The posts a user of the enterprise holds"
    )
    async def get_user_posts(self, actor: Actor, enterprise_id: str, user_id: str) -> UserPosts:
        """The posts a user of the enterprise holds."""
        return user_posts(await posts.user_posts(actor=actor, enterprise_id=enterprise_id, user_id=user_id))

    @put(
        "/enterprises/{enterprise_id:str}/users/{user_id:str}/posts",
        summary="Set the posts a user holds (the enterprise's principal or an administrator)",
    )
    async def set_user_posts(self, actor: Actor, enterprise_id: str, user_id: str, data: UserPostsUpdate) -> UserPosts:
        """The enterprise's principal or an administrator: replace the posts the user holds."""
        record = await posts.set_user_posts(actor=actor, enterprise_id=enterprise_id, user_id=user_id, posts=data.posts)
        return user_posts(record)

    @get("/regions", summary="The region tree")
    async def list_regions(self) -> list[Region]:
        """The region tree (city → districts → towns) with codes and names."""
        return [presenters.region(item) for item in await services.list_regions()]

    @get("/grids", summary="Grids in the caller's scope, optionally of one region's subtree")
    async def list_grids(
        self,
        actor: Actor,
        region_code: Annotated[str | None, QueryParameter(name="regionCode", pattern=r"^[0-9]{6}([0-9]{3})?$")] = None,
    ) -> list[Grid]:
        """The grids in the caller's scope, optionally of one region's subtree."""
        return [presenters.grid(item) for item in await services.list_grids(actor=actor, region_code=region_code)]
