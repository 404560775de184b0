"""Pure rules of 双随机一公开: the plan's states, the commit–reveal seed, the documented draw and its replay.

The draw (algorithm `sf-random-check-v1`), which anyone can re-run from a published plan (`recompute`):

1. The seed is 32 random bytes, published as 64 lower-case hex characters. At approval only its commitment is
   published: `seedHash = SHA-256(seed bytes)` in hex. At the draw the seed itself is revealed.
2. A score is `HMAC-SHA256(key = seed bytes, message = UTF-8 text)` in lower-case hex.
3. Enterprises, per supervision class A, B, C, D in that order: the n enterprises of the class in the published
   enterprise pool are ordered by (score of `"E|" + enterprise id`, enterprise id) ascending and the first
   `ceil(rate × n)` are picked (the rate is the plan's decimal text for the class, 0 when absent; exact decimal
   arithmetic).
4. Officers, for each picked enterprise in that order: the officers of the published officer pool without a conflict
   — an officer conflicts when the enterprise's `gridId` is one of the officer's `gridIds` (their own grid) or the
   officer is in the enterprise's `lastOfficerIds` (who inspected it last time) — are ordered by (score of
   `"O|" + enterprise id + "|" + officer id`, officer id) ascending and the first two are picked. Fewer than two
   without a conflict: the draw is refused and nothing is revealed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from domain.clock import LOCAL_TIME
from domain.errors import Conflict, DomainError, Forbidden, InvalidInput
from domain.history.chain import Event, bound, replay_error

ALGORITHM = "sf-random-check-v1"
CLASSES = ("A", "B", "C", "D")
OFFICERS_PER_ENTERPRISE = 2
MAX_EXCLUSION_MONTHS = 36


class PlanStatus(StrEnum):
    """draft → approved (seed committed) → drawn (seed revealed, results recorded) → closed."""

    DRAFT = "draft"
    APPROVED = "approved"
    DRAWN = "drawn"
    CLOSED = "closed"


# --- refusals ----------------------------------------------------------------------------------------------------


class PlanInvalid(InvalidInput):
    """A plan breaks a rule: rates, classes, the officer pool."""

    code = "RANDOM_CHECK_PLAN_INVALID"


class ActionNotAllowed(Conflict):
    """The plan's status does not allow this step."""

    code = "RANDOM_CHECK_ACTION_NOT_ALLOWED"


class AlreadyDrawn(Conflict):
    """A plan is drawn once; a second draw is refused."""

    code = "RANDOM_CHECK_ALREADY_DRAWN"


class OfficersTooFew(InvalidInput):
    """A picked enterprise has fewer than two officers without a conflict: the draw is refused, nothing revealed."""

    code = "RANDOM_CHECK_OFFICERS_TOO_FEW"


class ResultInvalid(InvalidInput):
    """A result names a hazard or penalty of another enterprise, or a day outside the check."""

    code = "RANDOM_CHECK_RESULT_INVALID"


class ResultStale(DomainError):
    """The pick changed since the caller read it (If-Match)."""

    code = "RANDOM_CHECK_RESULT_STALE"


class NotAssigned(Forbidden):
    """Only the two drawn officers, or a regulator of the enterprise's region, record its result."""

    code = "RANDOM_CHECK_NOT_ASSIGNED"


# --- the plan's rules --------------------------------------------------------------------------------------------


def dump(value: Any) -> str:
    """The one JSON text of a stored list or object (sorted keys, no spaces), so rows and replays compare equal."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def checked_rates(rates: Mapping[str, Any], classes: Sequence[str]) -> dict[str, str]:
    """Rates per class as decimal text in [0, 1]; only classes A–D, and only those of the plan's class filter."""
    out: dict[str, str] = {}
    for code, value in rates.items():
        if code not in CLASSES:
            raise PlanInvalid("rates are given per class A–D", field="rates", reason="unknown_class", value=code)
        if classes and code not in classes:
            raise PlanInvalid("a rate for a class the plan leaves out", field="rates", reason="class_not_in_plan")
        try:
            rate = Decimal(str(value))
        except InvalidOperation:
            raise PlanInvalid("a rate is a number from 0 to 1", field="rates", reason="not_a_number") from None
        if not rate.is_finite() or rate < 0 or rate > 1:
            raise PlanInvalid("a rate is a number from 0 to 1", field="rates", reason="out_of_range", value=code)
        out[code] = format(rate.normalize(), "f")
    if not any(Decimal(rate) > 0 for rate in out.values()):
        raise PlanInvalid("at least one class needs a rate above 0", field="rates", reason="nothing_to_draw")
    return dict(sorted(out.items()))


def check_officer_count(officer_ids: Sequence[str]) -> None:
    """A plan names at least two distinct officers (two go to every enterprise)."""
    if len(set(officer_ids)) < OFFICERS_PER_ENTERPRISE:
        raise PlanInvalid("the officer pool needs at least two officers", field="officerIds", reason="too_few")


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day when it has no such day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def local_day(at: datetime) -> date:
    """The Zhoushan day of an instant."""
    return at.astimezone(LOCAL_TIME).date()


# --- the seed ------------------------------------------------------------------------------------------------------


def new_seed() -> str:
    """32 random bytes from the OS, as hex."""
    return secrets.token_hex(32)


def seed_hash(seed_hex: str) -> str:
    """The published commitment: SHA-256 of the seed's bytes, hex."""
    return hashlib.sha256(bytes.fromhex(seed_hex)).hexdigest()


def score(seed_hex: str, message: str) -> str:
    """HMAC-SHA256 of the message under the seed, hex: the order of the draw."""
    return hmac.new(bytes.fromhex(seed_hex), message.encode("utf-8"), hashlib.sha256).hexdigest()


# --- the draw ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PoolEnterprise:
    """An eligible enterprise as published: its class, its grid, who inspected it last time."""

    id: str
    name: str
    class_code: str
    grid_id: str
    last_officer_ids: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "classCode": self.class_code,
            "gridId": self.grid_id,
            "lastOfficerIds": sorted(self.last_officer_ids),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PoolEnterprise:
        return cls(data["id"], data["name"], data["classCode"], data["gridId"], tuple(data["lastOfficerIds"]))


@dataclass(frozen=True, slots=True)
class PoolOfficer:
    """An officer of the pool as published: their role and grids (an inspector's), never their contact details."""

    id: str
    name: str
    role: str
    grid_ids: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "role": self.role, "gridIds": sorted(self.grid_ids)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PoolOfficer:
        return cls(data["id"], data["name"], data["role"], tuple(data["gridIds"]))


@dataclass(frozen=True, slots=True)
class Pick:
    """A picked enterprise and its two officers."""

    enterprise_id: str
    class_code: str
    officer_ids: tuple[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"enterpriseId": self.enterprise_id, "classCode": self.class_code, "officerIds": list(self.officer_ids)}


def conflicts(enterprise: PoolEnterprise, officer: PoolOfficer) -> bool:
    """An officer never checks an enterprise of their own grid, nor one they inspected last time."""
    return enterprise.grid_id in officer.grid_ids or officer.id in enterprise.last_officer_ids


def sample_size(rate: str, n: int) -> int:
    """ceil(rate × n), exactly."""
    return min(n, math.ceil(Decimal(rate) * n))


def draw(
    seed_hex: str, rates: Mapping[str, str], enterprises: Sequence[PoolEnterprise], officers: Sequence[PoolOfficer]
) -> list[Pick]:
    """The picks of a draw (module docstring); `OfficersTooFew` when a picked enterprise lacks two officers."""
    picks: list[Pick] = []
    for code in CLASSES:
        members = [e for e in enterprises if e.class_code == code]
        taken = sorted(members, key=lambda e: (score(seed_hex, "E|" + e.id), e.id))[
            : sample_size(rates.get(code, "0"), len(members))
        ]
        for enterprise in taken:
            free = [o for o in officers if not conflicts(enterprise, o)]
            ordered = sorted(free, key=lambda o: (score(seed_hex, f"O|{enterprise.id}|{o.id}"), o.id))
            if len(ordered) < OFFICERS_PER_ENTERPRISE:
                raise OfficersTooFew(
                    "a picked enterprise has fewer than two officers without a conflict",
                    enterprise_id=enterprise.id,
                    available=len(ordered),
                )
            picks.append(Pick(enterprise.id, code, (ordered[0].id, ordered[1].id)))
    return picks


def recompute(published: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The picks of a published plan (`GET /v1/public/random-checks/{id}`), from its seed, rates and pools alone;
    the revealed seed is checked against the hash published before the draw."""
    seed = published["seed"]
    if seed_hash(seed) != published["seedHash"]:
        raise ValueError("the revealed seed does not match the published hash")
    pools = published["pools"]
    enterprises = [PoolEnterprise.from_json(e) for e in pools["enterprises"]]
    officers = [PoolOfficer.from_json(o) for o in pools["officers"]]
    return [pick.to_json() for pick in draw(seed, published["rates"], enterprises, officers)]


# --- replaying the chains ------------------------------------------------------------------------------------------


def derive_plans(events: Sequence[Event]) -> dict[str, dict[str, Any]]:
    """The plan row a plan's chain describes, keyed by plan id: created, approved with a seed hash, drawn (the
    revealed seed must match the hash, and the picks must be what the published pools and seed give), closed."""
    plans: dict[str, dict[str, Any]] = {}
    for event in events:
        try:
            p = event.payload
            if event.action == "createPlan":
                plans[p["plan_id"]] = {
                    "name": p["name"],
                    "year": p["year"],
                    "period": p["period"],
                    "region_code": p["region_code"],
                    "industries": dump(p["industries"]),
                    "classes": dump(p["classes"]),
                    "rates": dump(checked_rates(p["rates"], p["classes"])),
                    "exclusion_months": p["exclusion_months"],
                    "officer_ids": dump(p["officer_ids"]),
                    "status": PlanStatus.DRAFT.value,
                    "created_by": event.actor_id,
                    "approved_by": None,
                    "seed_hash": None,
                    "drawn_by": None,
                    "pools": None,
                    "picks": None,
                    "closed_by": None,
                    "version": 1,
                } | bound(event)
                continue
            plan = plans[p["plan_id"]]
            if event.action == "approvePlan":
                if plan["status"] != PlanStatus.DRAFT:
                    raise ActionNotAllowed("only a draft is approved")
                change = {"status": PlanStatus.APPROVED.value, "approved_by": event.actor_id}
                change["seed_hash"] = p["seed_hash"]
            elif event.action == "drawPlan":
                if plan["status"] != PlanStatus.APPROVED:
                    raise AlreadyDrawn("only an approved plan is drawn, once")
                if seed_hash(p["seed"]) != plan["seed_hash"]:
                    raise ValueError("the revealed seed does not match the committed hash")
                enterprises = [PoolEnterprise.from_json(e) for e in p["pools"]["enterprises"]]
                officers = [PoolOfficer.from_json(o) for o in p["pools"]["officers"]]
                picks = [pick.to_json() for pick in draw(p["seed"], json.loads(plan["rates"]), enterprises, officers)]
                if picks != p["picks"]:
                    raise ValueError("the picks are not what the published pools and seed give")
                change = {
                    "status": PlanStatus.DRAWN.value,
                    "seed": p["seed"],
                    "drawn_by": event.actor_id,
                    "pools": dump(p["pools"]),
                    "picks": dump(p["picks"]),
                }
            elif event.action == "closePlan":
                if plan["status"] not in (PlanStatus.APPROVED, PlanStatus.DRAWN):
                    raise ActionNotAllowed("only an approved or drawn plan is closed")
                change = {"status": PlanStatus.CLOSED.value, "closed_by": event.actor_id}
            else:
                raise ValueError(f"unknown action {event.action}")
            plans[p["plan_id"]] = plan | change | {"version": plan["version"] + 1} | bound(event)
        except Exception as error:
            raise replay_error(event, error) from None
    return plans


def derive_picks(events: Sequence[Event]) -> dict[str, dict[str, Any]]:
    """The pick rows a plan's results chain describes, keyed by enterprise id: picked at the draw, then each result
    recorded (a later one replaces the earlier, one version up)."""
    picks: dict[str, dict[str, Any]] = {}
    for event in events:
        try:
            p = event.payload
            if event.action == "picked":
                for position, pick in enumerate(p["picks"]):
                    if len(set(pick["officerIds"])) != OFFICERS_PER_ENTERPRISE:
                        raise ValueError("a pick names two distinct officers")
                    picks[pick["enterpriseId"]] = {
                        "plan_id": p["plan_id"],
                        "class_code": pick["classCode"],
                        "officer_ids": dump(pick["officerIds"]),
                        "position": position,
                        "inspected_on": None,
                        "findings": None,
                        "hazard_ids": dump([]),
                        "penalty_ids": dump([]),
                        "recorded_by": None,
                        "version": 1,
                    } | bound(event)
            elif event.action == "recordResult":
                pick = picks[p["enterprise_id"]]
                picks[p["enterprise_id"]] = (
                    pick
                    | {
                        "inspected_on": date.fromisoformat(p["inspected_on"]),
                        "findings": p["findings"],
                        "hazard_ids": dump(p["hazard_ids"]),
                        "penalty_ids": dump(p["penalty_ids"]),
                        "recorded_by": event.actor_id,
                        "version": pick["version"] + 1,
                    }
                    | bound(event)
                )
            else:
                raise ValueError(f"unknown action {event.action}")
        except Exception as error:
            raise replay_error(event, error) from None
    return picks
