"""The push ledger's vocabulary, pure: the record kinds of the national 危化 dual-prevention data exchange, the
field-by-field mapping of our rows onto them, the record and batch states with their ONE transition table, and the
retry schedule.

The exchange knows six kinds of record (the names are the exchange's); each of ours gets a stable uuid (uuid5 of
the kind and our key, so a rebuilt ledger names a record the same) and a version that goes up whenever the mapped
payload changes. `MAPPING` is the field table the README prints; `map_*` apply it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

# --- record kinds -----------------------------------------------------------------------------------------------


class Kind(StrEnum):
    """The exchange's record kinds, in the order a platform must receive a batch (parents before children)."""

    RISK_UNIT = "riskUnit"  # 风险分析单元 ≈ our risk point
    RISK_EVENT = "riskEvent"  # 安全风险事件 ≈ a hazard source (危险源) of the point
    CONTROL_MEASURE = "controlMeasure"  # 管控措施 ≈ a control measure of the point
    CHECK_TASK = "checkTask"  # 隐患排查任务 ≈ a checklist item with its cycle
    CHECK_RECORD = "checkRecord"  # 隐患排查记录 ≈ one checklist item's result in one inspection
    DANGER = "danger"  # 隐患 and its governance ≈ a hazard
    RISK_REPORT = (
        "riskReport"  # 安全风险报告 (浙江省工业企业安全风险报告规定): an enterprise's quarter, from the same rows
    )


KIND_ORDER = {kind: position for position, kind in enumerate(Kind)}
_NAMESPACE = uuid.UUID("6f1c1b52-6a43-4f0e-9d59-0b7e1e5c3a10")


def record_uuid(kind: Kind, key: str) -> str:
    """The stable uuid of our record `key` of this kind: the same on every machine and every rebuild."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind.value}:{key}"))


def payload_hash(payload: Mapping[str, Any]) -> str:
    """The digest a version is bumped on: canonical JSON, so key order and spacing never make a new version."""
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes that are hashed and signed."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


# --- the mapping, field by field ------------------------------------------------------------------------------

# kind -> [(exchange field, our source, note)]; the README's table is printed from this (see `mapping_table`).
MAPPING: Mapping[Kind, tuple[tuple[str, str, str], ...]] = {
    Kind.RISK_UNIT: (
        ("id", "uuid5(riskUnit, risk_point.id)", "stable"),
        ("companyCode", "enterprise.credit_code", "统一社会信用代码"),
        ("riskUnitName", "risk_point.name", ""),
        ("riskUnitType", "risk_point.kind", "place / device / activity"),
        ("area", "risk_point.area", ""),
        ("riskLevel", "risk_point.level", "major/large/general/low → 1/2/3/4 (重大/较大/一般/低), null unassessed"),
        ("controlLevel", "risk_point.control_level", "company / workshop / team / post"),
        ("chargeDepartment", "risk_point.responsible_post", ""),
        ("chargePerson", "risk_point.responsible_person", ""),
        ("longitude / latitude", "risk_point.lng / lat", "WGS-84"),
        ("deleted", "risk_point.status", "0 active, 1 otherwise"),
    ),
    Kind.RISK_EVENT: (
        ("id", "uuid5(riskEvent, risk_point.id:index)", "one per hazard source, by position"),
        ("riskUnitId", "uuid of the risk unit", ""),
        ("riskEventName", "risk_point.hazard_sources[i]", ""),
        ("deleted", "risk_point.status", "0 active, 1 otherwise"),
    ),
    Kind.CONTROL_MEASURE: (
        ("id", "uuid5(controlMeasure, risk_point.id:index)", "one per control measure, by position"),
        ("riskUnitId", "uuid of the risk unit", "the exchange ties measures to an event; ours are per point"),
        ("riskEventId", "uuid of the point's first risk event", "null when the point lists no hazard source"),
        ("riskMeasureDesc", "control_measures[i].content", ""),
        ("classify1", "control_measures[i].type", "engineering / management / training / protective / emergency"),
        ("controlLevel", "control_measures[i].controlLevel", ""),
        ("deleted", "risk_point.status", "0 active, 1 otherwise"),
    ),
    Kind.CHECK_TASK: (
        ("id", "uuid5(checkTask, checklist_item.id)", ""),
        ("riskUnitId", "uuid of the risk unit", ""),
        ("troubleshootContent", "checklist_item.content", "排查内容"),
        ("basis", "checklist_item.basis", "排查依据"),
        ("checkCycle", "checklist_item.cycle_n", ""),
        ("checkCycleUnit", "checklist_item.cycle_unit", "hour/day/week/month/quarter/year → 小时/天/周/月/季/年"),
        ("workDayType", "constant 0", "work calendar: every day (tasks are generated on every calendar day)"),
        ("workType", "constant 0", "routine (日常)"),
        ("chargePost", "checklist_item.responsible_post", ""),
        ("deleted", "checklist_item.active", "0 active, 1 retired"),
    ),
    Kind.CHECK_RECORD: (
        ("id", "uuid5(checkRecord, inspection_result.id)", ""),
        ("checkTaskId", "uuid of the check task (checklist item)", ""),
        ("checkTime", "inspection.finished_at", "RFC 3339 UTC"),
        ("checkStatus", "inspection_result.ok", "0 normal, 1 a hazard found"),
        ("presence", "inspection.presence", "proven / far / stale / none (scan proof)"),
        ("dangerId", "uuid of the hazard opened", "null when none"),
        ("remark", "inspection_result.note", ""),
    ),
    Kind.DANGER: (
        ("id", "uuid5(danger, hazard.id)", ""),
        ("companyCode", "enterprise.credit_code", ""),
        ("riskUnitId", "uuid of the risk unit", "null when not at a risk point"),
        ("dangerName", "hazard.title", ""),
        ("dangerDesc", "hazard.description", ""),
        ("dangerLevel", "hazard.level", "general → 0 一般, major → 1 重大"),
        ("dangerSrc", "hazard.source", "our source vocabulary (日常排查 …)"),
        ("hazardCategory", "hazard.category", "unsafe_condition / unsafe_act / management_defect"),
        ("dangerManageType", "hazard.governance_type", "on_the_spot → 0 即查即改, with_deadline → 1 限期整改"),
        ("registTime", "hazard.found_at", ""),
        ("dangerManageDeadline", "hazard.deadline", ""),
        ("liablePerson", "hazard.responsible_person", ""),
        ("controlMeasures", "hazard.measures", "治理措施"),
        ("cost", "hazard.funds", "治理资金"),
        (
            "dangerState",
            "hazard.status",
            "reported/rectifying/… → 0 整改中, awaiting_acceptance → 1 待验收, "
            "closed/written_off → 9 已销号, voided → -1 作废",
        ),
        ("checkAcceptTime", "hazard.closed_at", ""),
    ),
    Kind.RISK_REPORT: (
        ("id", "uuid5(riskReport, enterprise.id:2026-Q4)", "one per enterprise and quarter (local time, UTC+8)"),
        ("companyCode", "enterprise.credit_code", ""),
        ("reportPeriod", "the quarter", "e.g. 2026-Q4; the current quarter's report follows every change"),
        ("periodStart / periodEnd", "the quarter's first and last local day", ""),
        ("riskUnitTotal", "active risk points", ""),
        (
            "riskUnitByLevel",
            "active risk points by riskLevel",
            '{"1": 重大, "2": 较大, "3": 一般, "4": 低, "0": 未评估}',
        ),
        ("majorRiskUnits", "names of the active major-level risk points", ""),
        ("dangersFound / majorDangersFound", "hazards found in the quarter (all / major)", ""),
        ("dangersClosed", "hazards closed or written off in the quarter", ""),
        ("dangersOpen / majorDangersOpen", "hazards not closed, written off or voided (all / major)", ""),
        ("checksDone / checksFailed", "checklist results recorded in the quarter (all / failed)", ""),
    ),
}

_RISK_LEVEL = {"major": "1", "large": "2", "general": "3", "low": "4"}
_CYCLE_UNIT = {"hour": "小时", "day": "天", "week": "周", "month": "月", "quarter": "季", "year": "年"}
_DANGER_LEVEL = {"general": "0", "major": "1"}
_MANAGE_TYPE = {"on_the_spot": "0", "with_deadline": "1"}
_FINISHED = frozenset({"closed", "written_off", "voided"})
LOCAL_OFFSET = timedelta(hours=8)  # Asia/Shanghai: UTC+8 all year, no DST
_DANGER_STATE_DONE = {"closed": "9", "written_off": "9", "voided": "-1", "awaiting_acceptance": "1"}


def _when(value: datetime | str | None) -> str | None:
    """An instant as RFC 3339 UTC, whether the driver gave a datetime or (SQLite, raw SQL) its text."""
    if value is None:
        return None
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    if instant.tzinfo is None:  # stored as UTC
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC).isoformat()


def _deleted(active: bool) -> str:
    return "0" if active else "1"


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One record as the ledger keeps it: kind, our key, the enterprise it belongs to, and its mapped payload."""

    kind: Kind
    key: str
    enterprise_id: str
    payload: dict[str, Any]

    @property
    def uuid(self) -> str:
        """Its stable uuid."""
        return record_uuid(self.kind, self.key)


def map_risk_point(point: Mapping[str, Any], credit_code: str) -> list[SourceRecord]:
    """A risk point as its risk unit, one risk event per hazard source and one control measure per measure."""
    key, enterprise_id = point["id"], point["enterprise_id"]
    unit = record_uuid(Kind.RISK_UNIT, key)
    deleted = _deleted(point["status"] == "active")
    sources = json.loads(point["hazard_sources"] or "[]")
    measures = json.loads(point["control_measures"] or "[]")
    records = [
        SourceRecord(
            Kind.RISK_UNIT,
            key,
            enterprise_id,
            {
                "id": unit,
                "companyCode": credit_code,
                "riskUnitName": point["name"],
                "riskUnitType": point["kind"],
                "area": point["area"],
                "riskLevel": _RISK_LEVEL.get(point["level"] or ""),
                "controlLevel": point["control_level"],
                "chargeDepartment": point["responsible_post"],
                "chargePerson": point["responsible_person"],
                "longitude": point["lng"],
                "latitude": point["lat"],
                "deleted": deleted,
            },
        )
    ]
    event_ids = []
    for index, name in enumerate(sources):
        event_key = f"{key}:{index}"
        event_ids.append(record_uuid(Kind.RISK_EVENT, event_key))
        records.append(
            SourceRecord(
                Kind.RISK_EVENT,
                event_key,
                enterprise_id,
                {"id": event_ids[-1], "riskUnitId": unit, "riskEventName": str(name), "deleted": deleted},
            )
        )
    for index, measure in enumerate(measures):
        measure = measure if isinstance(measure, dict) else {"content": str(measure)}
        measure_key = f"{key}:{index}"
        records.append(
            SourceRecord(
                Kind.CONTROL_MEASURE,
                measure_key,
                enterprise_id,
                {
                    "id": record_uuid(Kind.CONTROL_MEASURE, measure_key),
                    "riskUnitId": unit,
                    "riskEventId": event_ids[0] if event_ids else None,
                    "riskMeasureDesc": measure.get("content", ""),
                    "classify1": measure.get("type"),
                    "controlLevel": measure.get("controlLevel", measure.get("control_level")),
                    "deleted": deleted,
                },
            )
        )
    return records


def map_checklist_item(item: Mapping[str, Any]) -> SourceRecord:
    """A checklist item as the exchange's inspection task (content, checkCycle, checkCycleUnit, work calendar)."""
    return SourceRecord(
        Kind.CHECK_TASK,
        item["id"],
        item["enterprise_id"],
        {
            "id": record_uuid(Kind.CHECK_TASK, item["id"]),
            "riskUnitId": record_uuid(Kind.RISK_UNIT, item["risk_point_id"]),
            "troubleshootContent": item["content"],
            "basis": item["basis"],
            "checkCycle": item["cycle_n"],
            "checkCycleUnit": _CYCLE_UNIT.get(item["cycle_unit"], item["cycle_unit"]),
            "workDayType": "0",
            "workType": "0",
            "chargePost": item["responsible_post"],
            "deleted": _deleted(bool(item["active"])),
        },
    )


def map_inspection_result(result: Mapping[str, Any], inspection: Mapping[str, Any]) -> SourceRecord:
    """One checklist item's result in one inspection as an inspection record."""
    return SourceRecord(
        Kind.CHECK_RECORD,
        result["id"],
        inspection["enterprise_id"],
        {
            "id": record_uuid(Kind.CHECK_RECORD, result["id"]),
            "checkTaskId": record_uuid(Kind.CHECK_TASK, result["checklist_item_id"]),
            "checkTime": _when(inspection["finished_at"]),
            "checkStatus": "0" if result["ok"] else "1",
            "presence": inspection["presence"],
            "dangerId": record_uuid(Kind.DANGER, result["hazard_id"]) if result["hazard_id"] else None,
            "remark": result["note"],
        },
    )


def map_hazard(hazard: Mapping[str, Any], credit_code: str) -> SourceRecord:
    """A hazard and its governance as the exchange's danger record."""
    status = hazard["status"]
    return SourceRecord(
        Kind.DANGER,
        hazard["id"],
        hazard["enterprise_id"],
        {
            "id": record_uuid(Kind.DANGER, hazard["id"]),
            "companyCode": credit_code,
            "riskUnitId": record_uuid(Kind.RISK_UNIT, hazard["risk_point_id"]) if hazard["risk_point_id"] else None,
            "dangerName": hazard["title"],
            "dangerDesc": hazard["description"],
            "dangerLevel": _DANGER_LEVEL.get(hazard["level"], hazard["level"]),
            "dangerSrc": hazard["source"],
            "hazardCategory": hazard["category"],
            "dangerManageType": _MANAGE_TYPE.get(hazard["governance_type"] or ""),
            "registTime": _when(hazard["found_at"]),
            "dangerManageDeadline": _when(hazard["deadline"]),
            "liablePerson": hazard["responsible_person"],
            "controlMeasures": hazard["measures"],
            "cost": hazard["funds"],
            "dangerState": _DANGER_STATE_DONE.get(status, "0"),
            "checkAcceptTime": _when(hazard["closed_at"]),
        },
    )


def quarter_of(at: datetime) -> tuple[str, date, date]:
    """The local quarter (Asia/Shanghai, UTC+8) an instant falls in: its label and first and last days."""
    local = at.astimezone(UTC) + LOCAL_OFFSET
    first_month = 3 * ((local.month - 1) // 3) + 1
    start = date(local.year, first_month, 1)
    following = date(local.year + 1, 1, 1) if first_month == 10 else date(local.year, first_month + 3, 1)
    return f"{local.year}-Q{(first_month - 1) // 3 + 1}", start, following - timedelta(days=1)


def _local_day(value: datetime | str | None) -> date | None:
    text = _when(value)
    return None if text is None else (datetime.fromisoformat(text) + LOCAL_OFFSET).date()


def map_risk_report(
    enterprise: Mapping[str, Any],
    risk_points: list[Mapping[str, Any]],
    hazards: list[Mapping[str, Any]],
    results: list[Mapping[str, Any]],
    now: datetime,
) -> SourceRecord:
    """The enterprise's 安全风险报告 of the quarter `now` falls in, computed from the rows the other records map."""
    label, start, end = quarter_of(now)
    key = f"{enterprise['id']}:{label}"

    def within(value: datetime | str | None) -> bool:
        day = _local_day(value)
        return day is not None and start <= day <= end

    active = [point for point in risk_points if point["status"] == "active"]
    by_level = dict.fromkeys(("1", "2", "3", "4", "0"), 0)
    for point in active:
        by_level[_RISK_LEVEL.get(point["level"] or "", "0")] += 1
    found = [hazard for hazard in hazards if within(hazard["found_at"])]
    still_open = [hazard for hazard in hazards if hazard["status"] not in _FINISHED]
    checks = [result for result in results if within(result["finished_at"])]
    return SourceRecord(
        Kind.RISK_REPORT,
        key,
        enterprise["id"],
        {
            "id": record_uuid(Kind.RISK_REPORT, key),
            "companyCode": enterprise["credit_code"],
            "reportPeriod": label,
            "periodStart": start.isoformat(),
            "periodEnd": end.isoformat(),
            "riskUnitTotal": len(active),
            "riskUnitByLevel": by_level,
            "majorRiskUnits": sorted(point["name"] for point in active if point["level"] == "major"),
            "dangersFound": len(found),
            "majorDangersFound": sum(1 for hazard in found if hazard["level"] == "major"),
            "dangersClosed": sum(
                1 for hazard in hazards if hazard["status"] in ("closed", "written_off") and within(hazard["closed_at"])
            ),
            "dangersOpen": len(still_open),
            "majorDangersOpen": sum(1 for hazard in still_open if hazard["level"] == "major"),
            "checksDone": len(checks),
            "checksFailed": sum(1 for result in checks if not result["ok"]),
        },
    )


def mapping_table() -> str:
    """The mapping as a Markdown table (what the README shows)."""
    lines = ["| record | exchange field | from | note |", "|---|---|---|---|"]
    for kind, fields in MAPPING.items():
        for name, source, note in fields:
            lines.append(f"| {kind.value} | `{name}` | {source} | {note} |")
    return "\n".join(lines)


# --- record and batch states --------------------------------------------------------------------------------------


class RecordState(StrEnum):
    """Where a ledger record stands for its current version."""

    PENDING = "pending"  # this version is owed to the platform
    ACCEPTED = "accepted"  # the platform took this version (or had it already)
    REJECTED = "rejected"  # the platform refused this version; its reason is kept until the source changes


class BatchState(StrEnum):
    """Where a batch stands."""

    SENDING = "sending"  # built and being sent
    ACKNOWLEDGED = "acknowledged"  # the platform answered with its batch id and a result per record
    FAILED = "failed"  # no answer (outage, timeout, refused signature): its records wait for the next try


class BatchEvent(StrEnum):
    """What happens to a batch."""

    ACKNOWLEDGE = "acknowledge"
    FAIL = "fail"


class TransitionNotAllowed(RuntimeError):
    """A batch event in a state that does not allow it: a fault of the sender, never the caller's (no HTTP code)."""


# The batch state machine: (state, event) -> next state. Nothing else moves a batch.
BATCH_TRANSITIONS: Mapping[tuple[BatchState, BatchEvent], BatchState] = {
    (BatchState.SENDING, BatchEvent.ACKNOWLEDGE): BatchState.ACKNOWLEDGED,
    (BatchState.SENDING, BatchEvent.FAIL): BatchState.FAILED,
}


def next_batch_state(state: BatchState, event: BatchEvent) -> BatchState:
    """The state after `event`, or `TransitionNotAllowed`."""
    try:
        return BATCH_TRANSITIONS[(state, event)]
    except KeyError:
        raise TransitionNotAllowed(f"batch {state.value}: {event.value} not allowed") from None


class ResultStatus(StrEnum):
    """The platform's answer for one record of a batch."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # it had this (uuid, version) already: as good as accepted
    STALE = "stale"  # it holds a newer version already: this one is superseded, nothing owed for it
    REJECTED = "rejected"


def state_after_result(
    status: ResultStatus, *, sent_version: int, current_version: int
) -> tuple[RecordState | None, int | None]:
    """(new state, version now on the platform) after the platform answered for `sent_version`.

    A newer version made while the batch was out stays pending (None: leave the state), whatever the answer was."""
    delivered = sent_version if status in (ResultStatus.ACCEPTED, ResultStatus.DUPLICATE) else None
    if sent_version != current_version:
        return None, delivered
    if status is ResultStatus.REJECTED:
        return RecordState.REJECTED, None
    return RecordState.ACCEPTED, delivered


# --- retries ----------------------------------------------------------------------------------------------------

RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after `attempts` failed tries: 30 s, 1 min, 2 min, … capped at an hour."""
    return min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_CAP)


def sign(body: bytes, secret: str) -> str:
    """The HMAC-SHA256 signature of a request body, hex (header `X-SF-Signature: sha256=<hex>`)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
