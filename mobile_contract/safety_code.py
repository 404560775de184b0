"""Wire types of the dynamic enterprise safety code (企业安全码) and the regional four-colour map (四色动态风险图)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from mobile_contract.base import WireOut

Colour = Literal["red", "orange", "yellow", "blue"]


class Reason(WireOut):
    """A rule that decided the colour: its code, the value it read, the points it added, the least colour it set."""

    rule: str
    value: str
    points: int
    at_least: Colour | None = None


class SafetyCodeInputs(WireOut):
    """What the scheme read: risk points per level, hazards, inspection tasks of the last 30 days, credit."""

    major_points: int
    large_points: int
    general_points: int
    low_points: int
    open_major_hazards: int
    overdue_major_hazards: int
    overdue_hazards: int
    tasks_due: int
    tasks_done: int
    credit_listed: bool
    credit_grade: str | None = None
    credit_basis: list[str] = []


class SafetyCodeStatus(WireOut):
    """`GET /v1/enterprises/{id}/safety-code`: the dynamic colour, its score and reasons, and when it was computed."""

    enterprise_id: str
    color: Colour
    score: int
    reasons: list[Reason]
    inputs: SafetyCodeInputs
    scheme_version: int
    computed_at: datetime
    color_since: datetime


class SafetyCodeChange(WireOut):
    """One change of colour (the first computation is a change from none)."""

    id: str
    seq: int
    old_color: Colour | None
    new_color: Colour
    score: int
    reasons: list[Reason]
    scheme_version: int
    changed_at: datetime


class SafetyCodeChangePage(WireOut):
    """`GET /v1/enterprises/{id}/safety-code/changes`, newest first."""

    items: list[SafetyCodeChange]
    next_cursor: str | None = None


class ColourCounts(WireOut):
    """Enterprises of each colour within a region."""

    red: int
    orange: int
    yellow: int
    blue: int


class RegionProperties(WireOut):
    """A region's or grid's properties: `level` is city, district, town or grid; `color` null without enterprises."""

    code: str
    name: str
    level: str
    color: Colour | None
    counts: ColourCounts
    enterprises: int
    rule_version: int
    parent_code: str | None = None


class Geometry(WireOut):
    """A GeoJSON geometry in lon/lat (WGS 84 order: longitude first)."""

    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any]


class RegionFeature(WireOut):
    """A GeoJSON Feature; `geometry` is null where no outline is stored."""

    type: Literal["Feature"]
    id: str
    geometry: Geometry | None
    properties: RegionProperties


class MapEnterprise(WireOut):
    """An enterprise behind a map feature's counts, with the colour and score it was counted by."""

    enterprise_id: str
    name: str
    grid_code: str
    region_code: str
    color: Colour
    score: int


class MapEnterprisePage(WireOut):
    """`GET /v1/risk-map/regions/{code}/enterprises[?color=]`: the enterprises counted in a feature, by id; those of
    a colour number exactly the feature's `counts` of that colour."""

    items: list[MapEnterprise]
    next_cursor: str | None = None


class RegionFeatureCollection(WireOut):
    """`GET /v1/risk-map/regions`: a GeoJSON FeatureCollection with the rule and scheme versions and the time."""

    type: Literal["FeatureCollection"]
    features: list[RegionFeature]
    region_code: str | None
    rule_version: int
    scheme_version: int
    generated_at: datetime
