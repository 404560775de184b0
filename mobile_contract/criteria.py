"""Wire types of the criteria library's editions: list them, and add one with all its items (administrators)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from msgspec import Meta

from mobile_contract.base import Wire, WireOut

EditionId = Annotated[str, Meta(min_length=2, max_length=16, pattern=r"^[A-Z][A-Z0-9]+$")]
CriterionId = Annotated[str, Meta(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z_-]+$")]
ItemNo = Annotated[str, Meta(max_length=20)]
CriterionText = Annotated[str, Meta(max_length=2000)]
# Values of `Industry` (mobile_contract.orgs); an unknown one is refused with CRITERIA_EDITION_INVALID.
IndustryName = Annotated[str, Meta(max_length=40)]


class CriterionCreate(Wire):
    """One item of a new edition: its number as the document writes it, its text, the industries it applies to."""

    item_no: ItemNo
    text: CriterionText
    industries: Annotated[list[IndustryName], Meta(max_length=30)]
    verbatim: bool = True  # false: the text is a faithful paraphrase, not the regulation's own wording
    id: CriterionId | None = None  # default "<edition id>-<position, two digits>"


class CriteriaEditionCreate(Wire):
    """`POST /v1/criteria/editions`: an edition of a 重大事故隐患判定标准 with all its items; naming
    `supersedesId` closes that edition on this one's `effectiveFrom`."""

    id: EditionId
    standard: Annotated[str, Meta(max_length=200)]
    edition: Annotated[str, Meta(max_length=40)]
    effective_from: date
    items: Annotated[list[CriterionCreate], Meta(max_length=500)]
    doc_no: Annotated[str, Meta(max_length=100)] = ""
    issuer: Annotated[str, Meta(max_length=100)] = ""
    supersedes_id: EditionId | None = None


class CriteriaEdition(WireOut):
    """An edition in the library: in force from `effectiveFrom` until `effectiveUntil` (its successor's start)."""

    id: str
    standard: str
    edition: str
    doc_no: str
    issuer: str
    effective_from: date
    effective_until: date | None
    supersedes_id: str | None
    superseded_by_id: str | None
    item_count: int
