"""Wire types of organisations: regions, grids, enterprises, and their admin requests."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from mobile_contract.auth import Role
from mobile_contract.base import Id, Latitude, Longitude, LongText, ShortText, Wire, WireOut

Industry = Literal[
    "hazardous_chemicals",
    "oil_storage",
    "shipbuilding",
    "fishing_vessels",
    "aquatic_processing",
    "port_logistics",
    "metallurgy",
    "nonferrous",
    "building_materials",
    "machinery",
    "light_industry",
    "textiles",
    "tobacco",
    "trade",
    "construction",
    "crowded_places",
    "gas",
    "mining",
    "fireworks",
    "road_transport",
    "other",
]
EnterpriseStatus = Literal["operating", "suspended", "closed"]
RegionLevel = Literal["province", "city", "district", "town"]
RegionCode = Annotated[str, Meta(pattern=r"^[0-9]{6}([0-9]{3})?$")]
CreditCode = Annotated[str, Meta(min_length=1, max_length=40)]


class Region(WireOut):
    """A node of the administrative tree."""

    code: str
    name: str
    level: RegionLevel
    parent_code: str | None = None


class Grid(WireOut):
    """A supervision grid in a town."""

    id: str
    code: str
    name: str
    region_code: str


class SafetyCode(WireOut):
    """The enterprise safety code (企业安全码); filled in once codes exist."""

    token: str
    url: str
    color: Literal["red", "orange", "yellow", "blue"]


class Enterprise(WireOut):
    """An enterprise in the caller's scope."""

    id: str
    credit_code: str
    name: str
    industry: Industry
    above_designated_size: bool
    high_risk: bool
    supervising_department: str
    address: str
    grid_id: str
    region_code: str
    status: EnterpriseStatus
    version: int
    updated_at: datetime
    lat: float | None = None
    lng: float | None = None
    safety_code: SafetyCode | None = None
    # 分级分类监管: A 重点监管, B 较重点监管, C 一般监管, D 低风险 (None until classified; reasons at
    # `GET /v1/enterprises/{id}/supervision-class`)
    supervision_class: Literal["A", "B", "C", "D"] | None = None


class EnterprisePage(WireOut):
    """`GET /v1/enterprises`."""

    items: list[Enterprise]
    next_cursor: str | None = None


class Outline(Wire):
    """A GeoJSON Polygon or MultiPolygon in lon/lat, longitude first (RFC 7946), as an admin draws a region or grid.

    The server checks it (closed rings of at least four positions, lon/lat ranges, no ring crossing itself, at most
    20,000 positions, inside the parent region's outline when that has one): 422 `REGION_OUTLINE_INVALID` or
    `REGION_OUTLINE_OUTSIDE_PARENT` with the rule and the polygon / ring that failed.
    """

    type: Annotated[str, Meta(max_length=20)]
    coordinates: list[Any]
    bbox: list[float] | None = None  # allowed by RFC 7946; recomputed, never trusted


class RegionCreate(Wire):
    """`POST /v1/admin/regions`."""

    code: RegionCode
    name: ShortText
    level: RegionLevel
    parent_code: RegionCode | None = None
    outline: Outline | None = None


class OutlineStored(WireOut):
    """An outline as stored: whose it is and the checked geometry, as `/v1/risk-map/regions` will serve it."""

    kind: Literal["region", "grid"]
    code: str
    geometry: dict[str, Any]
    created: bool
    updated_at: datetime


class GridCreate(Wire):
    """`POST /v1/admin/grids`."""

    code: Annotated[str, Meta(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z_-]+$")]
    name: ShortText
    region_code: RegionCode


class EnterpriseCreate(Wire):
    """`POST /v1/admin/enterprises`."""

    credit_code: CreditCode
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    industry: Industry
    grid_id: Id
    above_designated_size: bool = False
    high_risk: bool | None = None
    supervising_department: Annotated[str, Meta(max_length=100)] = ""
    address: LongText = ""
    lat: Latitude | None = None
    lng: Longitude | None = None


class EnterpriseUpdate(Wire):
    """`PATCH /v1/admin/enterprises/{id}`: only the fields sent change."""

    name: Annotated[str, Meta(min_length=1, max_length=200)] | UnsetType = UNSET
    industry: Industry | UnsetType = UNSET
    grid_id: Id | UnsetType = UNSET
    above_designated_size: bool | UnsetType = UNSET
    high_risk: bool | UnsetType = UNSET
    supervising_department: Annotated[str, Meta(max_length=100)] | UnsetType = UNSET
    address: LongText | UnsetType = UNSET
    lat: Latitude | UnsetType | None = UNSET
    lng: Longitude | UnsetType | None = UNSET
    status: EnterpriseStatus | UnsetType = UNSET


Password = Annotated[str, Meta(min_length=1, max_length=128)]


class UserCreate(Wire):
    """`POST /v1/admin/users`: the binding must match the role."""

    username: Annotated[str, Meta(min_length=1, max_length=64)]
    name: ShortText
    password: Password
    role: Role
    enterprise_id: Id | None = None
    grid_ids: Annotated[list[Id], Meta(max_length=200)] | None = None
    region_code: RegionCode | None = None
    phone: Annotated[str, Meta(max_length=32)] = ""


class UserUpdate(Wire):
    """`PATCH /v1/admin/users/{id}`: only the fields sent change."""

    name: ShortText | UnsetType = UNSET
    password: Password | UnsetType = UNSET
    disabled: bool | UnsetType = UNSET
    enterprise_id: Id | UnsetType = UNSET
    grid_ids: Annotated[list[Id], Meta(max_length=200)] | UnsetType = UNSET
    region_code: RegionCode | UnsetType = UNSET
    phone: Annotated[str, Meta(max_length=32)] | UnsetType = UNSET


class AdminUser(WireOut):
    """A user as administrators see it."""

    id: str
    username: str
    name: str
    role: Role
    disabled: bool
    phone: str = ""
    enterprise_id: str | None = None
    grid_ids: list[str] | None = None
    region_code: str | None = None


class AdminUserPage(WireOut):
    """`GET /v1/admin/users`."""

    items: list[AdminUser]
    next_cursor: str | None = None


def set_fields(update: msgspec.Struct) -> dict:
    """The fields a partial update actually sent, by their Python names."""
    return {name: value for name in update.__struct_fields__ if (value := getattr(update, name)) is not UNSET}
