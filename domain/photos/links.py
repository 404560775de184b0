"""What the areas above photos know about a photo, told to this area by them (photos may not import them).

A photo's access rule and its stamp depend on what carries it: the hazards it is attached to, the public report it
came with. Those areas sit above photos in the layering, so they register their answers here when they are imported
(`domain/hazards/store.py`, `domain/public_reports/store.py`; the app and the workers import both). Until an area has
registered, its answers fail closed: a photo is attached to nothing and its original is withheld.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from domain.access.model import Actor


@dataclass(frozen=True, slots=True)
class Attachment:
    """Where a photo was first attached: the enterprise and risk point of the record that took it."""

    enterprise_id: str | None
    risk_point_id: str | None


async def _no_enterprises(photo_id: str) -> list[str]:
    return []


async def _no_attachment(photo_id: str) -> Attachment | None:
    return None


async def _no_report(actor: Actor, photo_id: str) -> bool:
    return False


async def _withheld(photo_id: str) -> bool:
    return True


@dataclass(slots=True)
class _Links:
    # the enterprises of the records the photo is attached to (their scope sees the photo)
    enterprises_holding: Callable[[str], Awaitable[list[str]]] = _no_enterprises
    # where it was first attached (its stamp names that place)
    first_attachment: Callable[[str], Awaitable[Attachment | None]] = _no_attachment
    # the actor sees a report the photo came with
    on_visible_report: Callable[[Actor, str], Awaitable[bool]] = _no_report
    # the photo came with a public report: its original (EXIF and all) is not the enterprise's to see
    is_report_photo: Callable[[str], Awaitable[bool]] = _withheld


LINKS = _Links()


def register_attachments(
    *,
    enterprises_holding: Callable[[str], Awaitable[list[str]]],
    first_attachment: Callable[[str], Awaitable[Attachment | None]],
) -> None:
    """The area whose records carry photos (hazards) says which enterprises hold a photo and where it first went."""
    LINKS.enterprises_holding = enterprises_holding
    LINKS.first_attachment = first_attachment


def register_reports(
    *, on_visible_report: Callable[[Actor, str], Awaitable[bool]], is_report_photo: Callable[[str], Awaitable[bool]]
) -> None:
    """The public-reports area says who sees a report's photos and which photos came with a report."""
    LINKS.on_visible_report = on_visible_report
    LINKS.is_report_photo = is_report_photo
