"""What the printed artefacts show, as plain frozen data: the services fill these, the renderers draw them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.risk.model import Colour, RiskLevel

# The five kinds of control measure, in the order cards list them (工程技术 first: it removes the hazard,
# PPE and emergency measures only limit the harm). Keys are the codes domain.risk.services stores.
MEASURE_TYPE_LABELS: dict[str, str] = {
    "engineering": "工程技术",
    "management": "管理",
    "training": "培训教育",
    "ppe": "个体防护",
    "emergency": "应急处置",
}


def measure_type_label(kind: str) -> str:
    """The Chinese label of a control-measure type code; a label or unknown text comes back unchanged."""
    return MEASURE_TYPE_LABELS.get(kind, kind)


@dataclass(frozen=True, slots=True)
class RiskCardData:
    """Everything a 岗位风险告知卡 shows; `level` None is a point not yet assessed."""

    point_name: str
    enterprise_name: str
    area: str
    level: RiskLevel | None
    hazard_sources: tuple[str, ...]
    control_measures: tuple[tuple[str, str], ...]  # (type code or label, content)
    emergency_measures: tuple[str, ...]
    emergency_phone: str
    responsible_post: str
    responsible_person: str
    control_level_label: str  # e.g. 公司 / 车间; empty when not assessed
    qr_content: str
    printed_on: date


@dataclass(frozen=True, slots=True)
class Label:
    """One sticker of a label sheet: a colour strip, a title, a subtitle and the QR code."""

    title: str
    subtitle: str
    level: RiskLevel | None
    qr_content: str


@dataclass(frozen=True, slots=True)
class MapPoint:
    """A risk point on the site plan; x and y are fractions (0–1) of the plan's width and height, None if unplaced."""

    name: str
    level: RiskLevel | None
    x: float | None
    y: float | None


@dataclass(frozen=True, slots=True)
class SafetyCodeData:
    """Everything the printed 企业安全码 shows; a dynamic code also says its scheme version and when it was computed."""

    enterprise_name: str
    credit_code: str
    colour: Colour
    qr_content: str
    printed_on: date
    scheme_version: int | None = None
    computed_at: datetime | None = None


def chinese_date(on: date) -> str:
    """A date as Chinese documents print it: 2025年3月1日."""
    return f"{on.year}年{on.month}月{on.day}日"
