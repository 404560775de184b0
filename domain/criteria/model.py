"""Pure rules of the major-hazard criteria library (重大事故隐患判定标准): editions in force, industries, new editions.

An edition (e.g. 工贸企业重大事故隐患判定标准, 应急管理部令第10号) is in force from its effective date until the day
its successor takes effect; each of its items names the industries it applies to. A major hazard may cite an item
only when the item applies to the enterprise's industry and its edition was in force on the (local) day the hazard
was found.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.errors import AlreadyExists, InvalidInput
from domain.org.model import Industry

# The day a hazard was found is the day in Zhoushan (a hazard found at 23:30 local time is found that day).
LOCAL_TIME = ZoneInfo("Asia/Shanghai")
# Editions are named by short stable ids (HC2017, GM2023); items get "<edition id>-<n>" when not given one.
EDITION_ID = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")
MAX_ITEMS = 500
EARLIEST_EFFECTIVE = date(1949, 10, 1)


class CriteriaEditionInvalid(InvalidInput):
    """A new edition breaks a rule of the library; `params["field"]` and `params["reason"]` say which."""

    code = "CRITERIA_EDITION_INVALID"


class CriteriaEditionExists(AlreadyExists):
    """An edition with this id is already in the library (editions are never overwritten)."""

    code = "CRITERIA_EDITION_EXISTS"


class CriterionWrongIndustry(InvalidInput):
    """The cited criterion does not apply to the enterprise's industry."""

    code = "HAZARD_CRITERION_WRONG_INDUSTRY"


class CriterionNotInForce(InvalidInput):
    """The cited criterion's edition was not in force on the day the hazard was found."""

    code = "HAZARD_CRITERION_NOT_IN_FORCE"


@dataclass(frozen=True, slots=True)
class EditionSpan:
    """When an edition is in force: from `effective_from`, until (not including) `effective_until` if superseded."""

    effective_from: date
    effective_until: date | None = None


def in_force(span: EditionSpan, on: date) -> bool:
    """True when the edition applied on that day."""
    return span.effective_from <= on and (span.effective_until is None or on < span.effective_until)


def local_day(at: datetime) -> date:
    """The calendar day in Zhoushan of an instant."""
    return at.astimezone(LOCAL_TIME).date()


def check_citation(
    *, industries: Collection[str], span: EditionSpan, enterprise_industry: str, found_at: datetime, criterion_id: str
) -> None:
    """Refuse a criterion outside the enterprise's industry, or of an edition not in force when the hazard was found."""
    if enterprise_industry not in industries:
        raise CriterionWrongIndustry(
            "the criterion does not apply to the enterprise's industry",
            field="majorCriterionId",
            criterionId=criterion_id,
            industry=enterprise_industry,
            appliesTo=sorted(industries),
        )
    found_on = local_day(found_at)
    if not in_force(span, found_on):
        raise CriterionNotInForce(
            "the criterion's edition was not in force on the day the hazard was found",
            field="majorCriterionId",
            criterionId=criterion_id,
            foundOn=found_on.isoformat(),
            effectiveFrom=span.effective_from.isoformat(),
            effectiveUntil=span.effective_until.isoformat() if span.effective_until else None,
        )


# ---------------------------------------------------------------------------------------------- new editions


@dataclass(frozen=True, slots=True)
class NewCriterion:
    """One item of a new edition, as the admin sends it."""

    item_no: str
    text: str
    industries: tuple[str, ...]
    verbatim: bool = True  # False: the text is a faithful paraphrase, not the regulation's own words
    id: str | None = None
    group: str | None = None  # what the legacy `industry` field shows (default: the first industry)


@dataclass(frozen=True, slots=True)
class NewEdition:
    """An edition of a 重大事故隐患判定标准 with all its items, as the admin sends it."""

    id: str
    standard: str
    edition: str
    effective_from: date
    items: tuple[NewCriterion, ...]
    doc_no: str = ""
    issuer: str = ""
    supersedes_id: str | None = None


def _invalid(detail: str, field: str, reason: str, **params) -> CriteriaEditionInvalid:
    return CriteriaEditionInvalid(detail, field=field, reason=reason, **params)


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def item_ids(new: NewEdition) -> list[str]:
    """The id of each item: the one given, else "<edition id>-<position from 1, two digits>"."""
    return [item.id or f"{new.id}-{n:02d}" for n, item in enumerate(new.items, 1)]


def check_new_edition(
    new: NewEdition, *, superseded: EditionSpan | None, known_industries: Iterable[str] = tuple(Industry)
) -> None:
    """Refuse an edition that is not whole: its id, title, dates and every item (number, text, industries)."""
    if not EDITION_ID.match(new.id or ""):
        raise _invalid("an edition id is 2–16 capital letters and digits, starting with a letter", "id", "format")
    if _blank(new.standard):
        raise _invalid("the standard's title is empty", "standard", "empty")
    if _blank(new.edition):
        raise _invalid("the edition label is empty", "edition", "empty")
    if new.effective_from < EARLIEST_EFFECTIVE:
        raise _invalid("the effective date is not plausible", "effectiveFrom", "implausible")
    if new.supersedes_id is not None:
        if superseded is None:
            raise _invalid("no such edition to supersede", "supersedesId", "unknown")
        if superseded.effective_until is not None:
            raise _invalid("that edition is already superseded", "supersedesId", "already_superseded")
        if new.effective_from <= superseded.effective_from:
            raise _invalid(
                "a successor takes effect after the edition it supersedes",
                "effectiveFrom",
                "not_after_superseded",
                supersededFrom=superseded.effective_from.isoformat(),
            )
    if not new.items:
        raise _invalid("an edition has at least one item", "items", "empty")
    if len(new.items) > MAX_ITEMS:
        raise _invalid(f"at most {MAX_ITEMS} items", "items", "too_many")
    known = {str(industry) for industry in known_industries}
    seen_numbers: dict[str, int] = {}
    ids = item_ids(new)
    if len(set(ids)) != len(ids):
        raise _invalid("two items have the same id", "items", "duplicate_id")
    for position, item in enumerate(new.items):
        where = f"items[{position}]"
        if _blank(item.item_no):
            raise _invalid("an item has no number", f"{where}.itemNo", "empty")
        number = item.item_no.strip()
        if number in seen_numbers:
            raise _invalid(
                "two items have the same number",
                f"{where}.itemNo",
                "duplicate",
                itemNo=number,
                first=seen_numbers[number],
            )
        seen_numbers[number] = position
        if _blank(item.text):
            raise _invalid("an item has no text", f"{where}.text", "empty", itemNo=number)
        if not item.industries:
            raise _invalid("an item applies to at least one industry", f"{where}.industries", "empty", itemNo=number)
        if unknown := sorted(set(item.industries) - known):
            raise _invalid("no such industry", f"{where}.industries", "unknown", itemNo=number, values=unknown)
        if len(set(item.industries)) != len(item.industries):
            raise _invalid("an industry is listed twice", f"{where}.industries", "duplicate", itemNo=number)


# --- the records the criteria store hands out (never rows) -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EditionRecord:
    """An edition of a standard with its dates and how many items it holds."""

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


@dataclass(frozen=True, slots=True)
class CriterionRecord:
    """An item of the library with its edition's dates and the industries it applies to."""

    id: str
    standard: str
    edition: str
    edition_id: str
    item_no: str
    text: str
    industry: str
    industries: list[str]
    verbatim: bool
    effective_from: date | None
    effective_until: date | None


@dataclass(frozen=True, slots=True)
class CitedCriterion:
    """What a citation is checked against: the industries of the item and when its edition was in force."""

    id: str
    industries: frozenset[str]
    span: EditionSpan
