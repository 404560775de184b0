"""Pure rules of safety standardisation (安全生产标准化): grades, their validity, and the regional compliance rate.

A grade (一级 / 二级 / 三级) is valid for 3 years (GB/T 33000-2016 practice) and can be revoked. The regional
compliance rate (达标率) is computed over a dated, frozen list of the enterprises in scope: members holding a grade
valid on the date ÷ members. `is_valid_on` is the one validity rule; the SQL in services.py states the same rule,
and a test checks the two agree on stored grades.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from domain.errors import Conflict, InvalidInput
from domain.history.chain import Event, bound, replay_error

VALIDITY_YEARS = 3


class Grade(StrEnum):
    """The three grades, 一级 the highest."""

    FIRST = "first"  # 一级
    SECOND = "second"  # 二级
    THIRD = "third"  # 三级


GRADE_LABELS_ZH = {Grade.FIRST: "一级", Grade.SECOND: "二级", Grade.THIRD: "三级"}
_RANK = {Grade.FIRST: 1, Grade.SECOND: 2, Grade.THIRD: 3}


class GradeStatus(StrEnum):
    """Where a grade stands on a given day."""

    PENDING = "pending"  # valid from a later day
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


class GradeInputInvalid(InvalidInput):
    """A grade's dates or revocation do not hold together; `params["reason"]` says how."""

    code = "STANDARDISATION_GRADE_INVALID"


class GradeAlreadyRevoked(Conflict):
    """The grade was revoked before; a revocation is recorded once."""

    code = "STANDARDISATION_GRADE_REVOKED"


@dataclass(frozen=True, slots=True)
class GradeTerm:
    """The days a grade speaks for: `valid_from`..`valid_to` inclusive, ended early by `revoked_on` (that day on)."""

    valid_from: date
    valid_to: date
    revoked_on: date | None = None


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (or earlier); 29 February falls on 1 March in a common year, so a grade
    awarded on 29 February still runs to the end of February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def default_valid_to(valid_from: date) -> date:
    """The last valid day of a grade issued on `valid_from`: three years, less a day."""
    return add_years(valid_from, VALIDITY_YEARS) - timedelta(days=1)


def is_valid_on(term: GradeTerm, day: date) -> bool:
    """Valid on `day`: within its dates, and not revoked on or before that day."""
    return term.valid_from <= day <= term.valid_to and (term.revoked_on is None or term.revoked_on > day)


def status_on(term: GradeTerm, day: date) -> GradeStatus:
    """The status a grade shows on `day` (a revocation outranks expiry once it has taken effect)."""
    if term.revoked_on is not None and term.revoked_on <= day:
        return GradeStatus.REVOKED
    if day < term.valid_from:
        return GradeStatus.PENDING
    return GradeStatus.VALID if day <= term.valid_to else GradeStatus.EXPIRED


def check_term(valid_from: date, valid_to: date) -> None:
    """A grade ends after it starts and lasts at most the three years of the rules."""
    if valid_to < valid_from:
        raise GradeInputInvalid("a grade cannot end before it starts", field="validTo", reason="before_valid_from")
    if valid_to > default_valid_to(valid_from):
        raise GradeInputInvalid(
            f"a grade is valid for at most {VALIDITY_YEARS} years",
            field="validTo",
            reason="longer_than_validity",
            latest=default_valid_to(valid_from).isoformat(),
        )


def check_revocation(term: GradeTerm, revoked_on: date, today: date) -> None:
    """A grade is revoked once, on a day within its term and not in the future."""
    if term.revoked_on is not None:
        raise GradeAlreadyRevoked("the grade is already revoked", revoked_on=term.revoked_on.isoformat())
    if revoked_on < term.valid_from or revoked_on > term.valid_to:
        raise GradeInputInvalid("a revocation falls within the grade's term", field="revokedOn", reason="outside_term")
    if revoked_on > today:
        raise GradeInputInvalid("a revocation is recorded once it is decided", field="revokedOn", reason="in_future")


def best_grade(grades: list[tuple[Grade, GradeTerm]], day: date) -> Grade | None:
    """The highest grade valid on `day` among an enterprise's grades, if any."""
    valid = [grade for grade, term in grades if is_valid_on(term, day)]
    return min(valid, key=_RANK.__getitem__) if valid else None


# --- the compliance rate -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScopeCriteria:
    """What put an enterprise on a scope list; `None` means the criterion was not used."""

    region_code: str
    industries: tuple[str, ...] = ()
    above_designated_size: bool | None = None
    high_risk: bool | None = None
    operating_only: bool = True

    def to_json(self) -> dict:
        """The criteria as stored with the list (and hashed into its history event)."""
        return {
            "regionCode": self.region_code,
            "industries": sorted(self.industries),
            "aboveDesignatedSize": self.above_designated_size,
            "highRisk": self.high_risk,
            "operatingOnly": self.operating_only,
        }


def compliance_rate(numerator: int, denominator: int) -> Decimal | None:
    """numerator ÷ denominator to four places (0.7500), or None for an empty list."""
    if denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def narrowest_path(paths: list[str]) -> str | None:
    """The deepest of region paths lying on one line of descent (each a prefix of the next), or None if two are
    side by side: the region a figure may speak for when a scope list, a caller and a request each name one."""
    ordered = sorted(paths, key=len)
    for shorter, longer in itertools.pairwise(ordered):
        if not longer.startswith(shorter):
            return None
    return ordered[-1] if ordered else None


# ---------------------------------------------------------------------------------------------- replay (verify)

_LOCAL_TIME = ZoneInfo("Asia/Shanghai")


def derive_grades(events: Sequence[Event]) -> dict[str, dict[str, Any]]:
    """The grade rows an enterprise's standardisation chain describes, keyed by grade id: recorded (`check_term`),
    then perhaps revoked once (`check_revocation`, on the day of the event), with the seq and hash of the last event
    about each."""
    grades: dict[str, dict[str, Any]] = {}
    for event in events:
        try:
            p = event.payload
            if event.action == "recordGrade":
                valid_from, valid_to = date.fromisoformat(p["valid_from"]), date.fromisoformat(p["valid_to"])
                check_term(valid_from, valid_to)
                grades[p["grade_id"]] = {
                    "grade": str(Grade(p["grade"])),
                    "certificate_no": p["certificate_no"],
                    "authority": p["authority"],
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                    "revoked_on": None,
                    "revocation_reason": None,
                    "recorded_by": event.actor_id,
                    "revoked_by": None,
                    "event_seq": event.seq,
                    "version": 1,
                } | bound(event)
            elif event.action == "revokeGrade":
                grade = grades[p["grade_id"]]
                revoked_on = date.fromisoformat(p["revoked_on"])
                check_revocation(
                    GradeTerm(grade["valid_from"], grade["valid_to"], grade["revoked_on"]),
                    revoked_on,
                    event.at.astimezone(_LOCAL_TIME).date(),
                )
                grades[p["grade_id"]] = (
                    grade
                    | {
                        "revoked_on": revoked_on,
                        "revocation_reason": p["reason"],
                        "revoked_by": event.actor_id,
                        "version": grade["version"] + 1,
                    }
                    | bound(event)
                )
        except Exception as error:
            raise replay_error(event, error) from None
    return grades
