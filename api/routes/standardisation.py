"""Safety standardisation: an enterprise's grades, frozen scope lists, and the regional compliance rate with the
members behind each side of it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, TypeVar
from urllib.parse import urlencode

import msgspec
from litestar import Controller, get, post
from litestar.params import Parameter, QueryParameter

from domain.access.model import Actor
from domain.standardisation import services as standardisation
from domain.standardisation.model import ScopeCriteria
from mobile_contract import standardisation as wire

T = TypeVar("T")
MEMBERS_PATH = "/v1/stats/standardisation/members"
RegionCode = Annotated[str | None, QueryParameter(name="regionCode", pattern=r"^[0-9]{6}([0-9]{3})?$")]
ScopeId = Annotated[str | None, QueryParameter(name="scopeId", max_length=40, pattern=r"^[0-9A-Za-z]+$")]
Day = Annotated[date | None, QueryParameter(name="date", description="the day (Zhoushan); default today")]


def presented(record: object, as_type: type[T]) -> T:
    """The wire form of a domain record: the same field names, read from its attributes."""
    return msgspec.convert(record, as_type, from_attributes=True)


def member_links(figure: standardisation.ComplianceFigure) -> wire.RateLinks:
    """The member lists that reproduce a figure's numerator and denominator."""
    query = {"scopeId": figure.scope.id, "regionCode": figure.region_code, "date": figure.on.isoformat()}
    return wire.RateLinks(
        **{part: f"{MEMBERS_PATH}?{urlencode(query | {'part': part})}" for part in ("numerator", "denominator")}
    )


class StandardisationController(Controller):
    """`/v1/enterprises/{id}/standardisation*`, `/v1/stats/standardisation*`."""

    path = "/v1"
    tags = ["standardisation"]

    @get(
        "/enterprises/{enterprise_id:str}/standardisation", summary="An enterprise's grades and the one valid on a day"
    )
    async def grades(self, actor: Actor, enterprise_id: str, on: Day = None) -> wire.EnterpriseStandardisation:
        """The enterprise's safety-standardisation grades (安全生产标准化), and the one valid on a day."""
        view = await standardisation.enterprise_standardisation(actor=actor, enterprise_id=enterprise_id, on=on)
        return presented(view, wire.EnterpriseStandardisation)

    @post("/enterprises/{enterprise_id:str}/standardisation", summary="Record a grade (regulators in scope, admin)")
    async def record(self, actor: Actor, enterprise_id: str, data: wire.GradeCreate) -> wire.StandardisationGrade:
        """Regulators in scope, administrators: a grade with its validity."""
        new = standardisation.NewGrade(**msgspec.structs.asdict(data))
        return presented(
            await standardisation.record_grade(actor=actor, enterprise_id=enterprise_id, new=new),
            wire.StandardisationGrade,
        )

    @post(
        "/enterprises/{enterprise_id:str}/standardisation/{grade_id:str}/revoke",
        status_code=200,
        summary="Revoke a grade from a day on (once; regulators in scope, admin)",
    )
    async def revoke(
        self, actor: Actor, enterprise_id: str, grade_id: str, data: wire.GradeRevoke
    ) -> wire.StandardisationGrade:
        """Regulators in scope, administrators: revoke a grade from a day on (once)."""
        record = await standardisation.revoke_grade(
            actor=actor, enterprise_id=enterprise_id, grade_id=grade_id, revoked_on=data.revoked_on, reason=data.reason
        )
        return presented(record, wire.StandardisationGrade)

    @get("/stats/standardisation", summary="Compliance rate over a frozen scope list, with links to both lists")
    async def rate(
        self,
        actor: Actor,
        region_code: RegionCode = None,
        on: Day = None,
        scope_id: ScopeId = None,
    ) -> wire.StandardisationRate:
        """The standardisation rate over a frozen scope list, with links to the lists behind its numerator and denominator."""
        query = standardisation.RateQuery(scope_id=scope_id, region_code=region_code, on=on)
        figure = await standardisation.compliance(actor=actor, query=query)
        return wire.StandardisationRate(
            scope_id=figure.scope.id,
            scope_name=figure.scope.name,
            as_of=figure.scope.as_of,
            region_code=figure.region_code,
            date=figure.on,
            numerator=figure.numerator,
            denominator=figure.denominator,
            rate=None if figure.rate is None else str(figure.rate),
            links=member_links(figure),
        )

    @get("/stats/standardisation/members", summary="The members behind the numerator or the denominator of a rate")
    async def members(
        self,
        actor: Actor,
        part: wire.RatePart,
        scope_id: ScopeId = None,
        region_code: RegionCode = None,
        on: Day = None,
        cursor: Annotated[str | None, Parameter(max_length=200)] = None,
        limit: Annotated[int | None, Parameter(ge=1, le=1000)] = None,
    ) -> wire.ScopeMemberPage:
        """The enterprises behind a rate's numerator or denominator."""
        query = standardisation.RateQuery(scope_id=scope_id, region_code=region_code, on=on)
        page = await standardisation.compliance_members(
            actor=actor, query=query, numerator=part == "numerator", cursor=cursor, limit=limit
        )
        return wire.ScopeMemberPage(
            scope_id=page.scope_id,
            date=page.on,
            part=part,
            items=[presented(item, wire.ScopeMember) for item in page.items],
            next_cursor=page.next_cursor,
        )

    @post("/stats/standardisation/scopes", summary="Freeze a dated scope list (regulators, admin)")
    async def freeze(self, actor: Actor, data: wire.ScopeCreate) -> wire.Scope:
        """Regulators, administrators: freeze a dated list of enterprises a rate is computed over."""
        criteria = ScopeCriteria(
            region_code=data.region_code,
            industries=tuple(data.industries),
            above_designated_size=data.above_designated_size,
            high_risk=data.high_risk,
            operating_only=data.operating_only,
        )
        scope = await standardisation.freeze_scope(actor=actor, name=data.name, as_of=data.as_of, criteria=criteria)
        return presented(scope, wire.Scope)

    @get("/stats/standardisation/scopes", summary="Frozen scope lists the caller may use, newest first")
    async def scopes(self, actor: Actor) -> list[wire.Scope]:
        """The frozen scope lists the caller may use, newest first."""
        return [presented(scope, wire.Scope) for scope in await standardisation.list_scopes(actor=actor)]

    @get("/stats/standardisation/scopes/{scope_id:str}", summary="One frozen scope list")
    async def scope(self, actor: Actor, scope_id: str) -> wire.Scope:
        """One frozen scope list with its members."""
        return presented(await standardisation.get_scope(actor=actor, scope_id=scope_id), wire.Scope)
