"""The dynamic enterprise safety code (一码) and the regional four-colour dynamic risk map (一图)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get
from litestar.params import Parameter, QueryParameter

from domain.access.model import Actor
from domain.risk.model import Colour
from domain.safety_code import regions, services
from domain.safety_code.regions import RegionFeature, RegionMap
from domain.safety_code.services import ChangeRecord, SafetyCodeRecord
from mobile_contract import safety_code as wire

PNG = "image/png"
RegionCode = Annotated[str | None, QueryParameter(name="regionCode", pattern=r"^[0-9]{6}([0-9]{3})?$")]


def _reasons(reasons: list[dict]) -> list[wire.Reason]:
    return [wire.Reason(rule=r["rule"], value=r["value"], points=r["points"], at_least=r["atLeast"]) for r in reasons]


def _status(code: SafetyCodeRecord) -> wire.SafetyCodeStatus:
    return wire.SafetyCodeStatus(
        enterprise_id=code.enterprise_id,
        color=code.colour.value,
        score=code.score,
        reasons=_reasons(code.reasons),
        inputs=wire.SafetyCodeInputs(**code.inputs),
        scheme_version=code.scheme_version,
        computed_at=code.computed_at,
        color_since=code.colour_since,
    )


def _change(change: ChangeRecord) -> wire.SafetyCodeChange:
    return wire.SafetyCodeChange(
        id=change.id,
        seq=change.seq,
        old_color=change.old_colour,
        new_color=change.new_colour,
        score=change.score,
        reasons=_reasons(change.reasons),
        scheme_version=change.scheme_version,
        changed_at=change.changed_at,
    )


def _feature(feature: RegionFeature, rule_version: int) -> wire.RegionFeature:
    counts = {colour.value: n for colour, n in feature.counts.items()}
    return wire.RegionFeature(
        type="Feature",
        id=f"{feature.level}:{feature.code}",
        geometry=wire.Geometry(**feature.geometry) if feature.geometry else None,
        properties=wire.RegionProperties(
            code=feature.code,
            name=feature.name,
            level=feature.level,
            parent_code=feature.parent_code,
            color=feature.colour.value if feature.colour else None,
            counts=wire.ColourCounts(**counts),
            enterprises=feature.enterprises,
            rule_version=rule_version,
        ),
    )


def _collection(found: RegionMap) -> wire.RegionFeatureCollection:
    return wire.RegionFeatureCollection(
        type="FeatureCollection",
        features=[_feature(f, found.rule_version) for f in found.features],
        region_code=found.region_code,
        rule_version=found.rule_version,
        scheme_version=found.scheme_version,
        generated_at=found.generated_at,
    )


class RiskMapController(Controller):
    """`/v1/enterprises/{id}/safety-code[/changes]` and `/v1/risk-map/regions[.png]`."""

    path = "/v1"
    tags = ["safety codes and the regional map"]

    @get("/enterprises/{enterprise_id:str}/safety-code", summary="The dynamic safety code: colour, score, reasons")
    async def safety_code(self, actor: Actor, enterprise_id: str) -> wire.SafetyCodeStatus:
        """The enterprise's dynamic safety code: its colour, score and the reasons behind them."""
        return _status(await services.get_safety_code(actor=actor, enterprise_id=enterprise_id))

    @get(
        "/enterprises/{enterprise_id:str}/safety-code/changes", summary="The safety code's colour changes, newest first"
    )
    async def changes(
        self,
        actor: Actor,
        enterprise_id: str,
        cursor: Annotated[str | None, Parameter(max_length=200)] = None,
        limit: Annotated[int | None, Parameter(ge=1, le=1000)] = None,
    ) -> wire.SafetyCodeChangePage:
        """Each change of the safety code's colour, with its reasons, newest first."""
        page = await services.list_changes(actor=actor, enterprise_id=enterprise_id, cursor=cursor, limit=limit)
        return wire.SafetyCodeChangePage(items=[_change(c) for c in page.items], next_cursor=page.next_cursor)

    @get("/risk-map/regions", summary="The four-colour dynamic risk map as a GeoJSON FeatureCollection")
    async def regions(self, actor: Actor, region_code: RegionCode = None) -> wire.RegionFeatureCollection:
        """The four-colour dynamic risk map of a region: a GeoJSON FeatureCollection of its children, each with its colour and colour counts."""
        return _collection(await regions.region_map(actor=actor, region_code=region_code))

    @get(
        "/risk-map/regions/{code:str}/enterprises", summary="The enterprises behind a region's or grid's colour counts"
    )
    async def region_enterprises(
        self,
        actor: Actor,
        code: Annotated[str, Parameter(max_length=32)],
        color: wire.Colour | None = None,
        cursor: Annotated[str | None, Parameter(max_length=200)] = None,
        limit: Annotated[int | None, Parameter(ge=1, le=1000)] = None,
    ) -> wire.MapEnterprisePage:
        """The enterprises of a region or grid, by colour: the list behind the map's counts."""
        page = await regions.region_enterprises(
            actor=actor, code=code, colour=Colour(color) if color else None, cursor=cursor, limit=limit
        )
        items = [
            wire.MapEnterprise(
                enterprise_id=e.enterprise_id,
                name=e.name,
                grid_code=e.grid_code,
                region_code=e.region_code,
                color=e.colour.value,
                score=e.score,
            )
            for e in page.items
        ]
        return wire.MapEnterprisePage(items=items, next_cursor=page.next_cursor)

    @get("/risk-map/regions.png", summary="The four-colour dynamic risk map, drawn", media_type=PNG)
    async def regions_png(self, actor: Actor, region_code: RegionCode = None) -> Response[bytes]:
        """The four-colour dynamic risk map of a region, drawn as a PNG."""
        return Response(await regions.region_map_png(actor=actor, region_code=region_code), media_type=PNG)
