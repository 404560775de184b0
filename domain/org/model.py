"""Pure rules of the organisation area: credit codes, industries, the region tree."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import InvalidCreditCode

# GB 32100-2015: 18 characters over 31 symbols (no I, O, Z, S, V); the last is a check character.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_CODE_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def credit_code_check_character(first17: str) -> str:
    """The check character of the first 17 characters of a 统一社会信用代码."""
    total = sum(CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(first17, _CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(code: str) -> str:
    """Return the normalised code, or raise `InvalidCreditCode` saying what is wrong."""
    normalised = code.strip().upper()
    if len(normalised) != 18:
        raise InvalidCreditCode("a credit code has 18 characters", reason="length", length=len(normalised))
    if not _CREDIT_CODE_SHAPE.match(normalised):
        raise InvalidCreditCode("a credit code uses digits and the letters of GB 32100 only", reason="characters")
    expected = credit_code_check_character(normalised[:17])
    if normalised[17] != expected:
        raise InvalidCreditCode("the check character does not match", reason="checksum")
    return normalised


class Industry(StrEnum):
    """Industries under supervision, covering Zhoushan's key sectors."""

    HAZARDOUS_CHEMICALS = "hazardous_chemicals"  # 危险化学品 / 石化
    OIL_STORAGE = "oil_storage"  # 油品储运
    SHIPBUILDING = "shipbuilding"  # 船舶修造
    FISHING_VESSELS = "fishing_vessels"  # 渔业船舶
    AQUATIC_PROCESSING = "aquatic_processing"  # 水产品加工（液氨制冷）
    PORT_LOGISTICS = "port_logistics"  # 港口物流
    METALLURGY = "metallurgy"  # 工贸·冶金
    NONFERROUS = "nonferrous"  # 工贸·有色
    BUILDING_MATERIALS = "building_materials"  # 工贸·建材
    MACHINERY = "machinery"  # 工贸·机械
    LIGHT_INDUSTRY = "light_industry"  # 工贸·轻工
    TEXTILES = "textiles"  # 工贸·纺织
    TOBACCO = "tobacco"  # 工贸·烟草
    TRADE = "trade"  # 工贸·商贸
    CONSTRUCTION = "construction"  # 建筑施工
    CROWDED_PLACES = "crowded_places"  # 人员密集场所
    GAS = "gas"  # 城镇燃气
    MINING = "mining"  # 非煤矿山
    FIREWORKS = "fireworks"  # 烟花爆竹
    ROAD_TRANSPORT = "road_transport"  # 道路运输
    OTHER = "other"  # 其他


INDUSTRY_LABELS_ZH: dict[Industry, str] = {
    Industry.HAZARDOUS_CHEMICALS: "危险化学品/石化",
    Industry.OIL_STORAGE: "油品储运",
    Industry.SHIPBUILDING: "船舶修造",
    Industry.FISHING_VESSELS: "渔业船舶",
    Industry.AQUATIC_PROCESSING: "水产品加工（液氨制冷）",
    Industry.PORT_LOGISTICS: "港口物流",
    Industry.METALLURGY: "工贸·冶金",
    Industry.NONFERROUS: "工贸·有色",
    Industry.BUILDING_MATERIALS: "工贸·建材",
    Industry.MACHINERY: "工贸·机械",
    Industry.LIGHT_INDUSTRY: "工贸·轻工",
    Industry.TEXTILES: "工贸·纺织",
    Industry.TOBACCO: "工贸·烟草",
    Industry.TRADE: "工贸·商贸",
    Industry.CONSTRUCTION: "建筑施工",
    Industry.CROWDED_PLACES: "人员密集场所",
    Industry.GAS: "城镇燃气",
    Industry.MINING: "非煤矿山",
    Industry.FIREWORKS: "烟花爆竹",
    Industry.ROAD_TRANSPORT: "道路运输",
    Industry.OTHER: "其他",
}

# Industries the plan names as high-risk by default; an enterprise's own flag can still say otherwise.
HIGH_RISK_INDUSTRIES = frozenset(
    {
        Industry.HAZARDOUS_CHEMICALS,
        Industry.OIL_STORAGE,
        Industry.SHIPBUILDING,
        Industry.FISHING_VESSELS,
        Industry.AQUATIC_PROCESSING,
        Industry.MINING,
        Industry.FIREWORKS,
        Industry.GAS,
    }
)


class EnterpriseStatus(StrEnum):
    """Whether an enterprise is operating."""

    OPERATING = "operating"
    SUSPENDED = "suspended"  # 停产整顿
    CLOSED = "closed"


class RegionLevel(StrEnum):
    """Levels of the administrative tree this service covers."""

    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"  # 区 / 县
    TOWN = "town"  # 乡镇 / 街道


# The parent level each level must hang under, and the digits of its administrative code.
PARENT_LEVEL: dict[RegionLevel, RegionLevel | None] = {
    RegionLevel.PROVINCE: None,
    RegionLevel.CITY: RegionLevel.PROVINCE,
    RegionLevel.DISTRICT: RegionLevel.CITY,
    RegionLevel.TOWN: RegionLevel.DISTRICT,
}
CODE_DIGITS: dict[RegionLevel, int] = {
    RegionLevel.PROVINCE: 6,
    RegionLevel.CITY: 6,
    RegionLevel.DISTRICT: 6,
    RegionLevel.TOWN: 9,
}


def region_path(parent_path: str | None, code: str) -> str:
    """The materialised path of a region under its parent's path."""
    return f"{parent_path or '/'}{code}/"


# Digits a child's code shares with its parent's (GB/T 2260 and the 9-digit town codes).
PARENT_PREFIX_DIGITS: dict[RegionLevel, int] = {RegionLevel.PROVINCE: 2, RegionLevel.CITY: 4, RegionLevel.DISTRICT: 6}


def region_code_fits_parent(code: str, parent_code: str, parent_level: RegionLevel) -> bool:
    """A child's administrative code starts with its parent's significant digits (3309xx under 330900)."""
    digits = PARENT_PREFIX_DIGITS.get(parent_level)
    return digits is not None and code[:digits] == parent_code[:digits]


def region_parent_is_valid(level: RegionLevel, parent_level: RegionLevel | None) -> bool:
    """A city may be a root (the service may start at a city); other levels hang under their parent level."""
    if parent_level is None:
        return level in (RegionLevel.PROVINCE, RegionLevel.CITY)
    return PARENT_LEVEL[level] == parent_level


# --- the records the org store hands out (never rows) --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegionRecord:
    """A node of the region tree."""

    code: str
    name: str
    level: str
    parent_code: str | None
    path: str


@dataclass(frozen=True, slots=True)
class GridRecord:
    """A grid and the town it lies in."""

    id: str
    code: str
    name: str
    region_code: str
    region_path: str = ""


@dataclass(frozen=True, slots=True)
class EnterpriseRecord:
    """An enterprise as stored."""

    id: str
    credit_code: str
    name: str
    industry: str
    above_designated_size: bool
    high_risk: bool
    supervising_department: str
    address: str
    lat: float | None
    lng: float | None
    grid_id: str
    region_code: str
    status: str
    qr_serial: int
    version: int
    created_at: datetime
    updated_at: datetime
    region_path: str = ""


@dataclass(frozen=True, slots=True)
class OutlineRecord:
    """An outline as stored for a region (by code) or a grid (by code)."""

    kind: str
    code: str
    geometry: dict
    created: bool
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PlacedOutline:
    """A stored outline with where it lies: a grid (by id) or a region (by code), and its region's code and path."""

    kind: str
    subject: str
    region_code: str
    region_path: str
    geometry: dict
