"""The push ledger's pure rules: stable uuids, version hashes, the batch transition table, what an answer does to a
record, the backoff, the signature, and the mapping of a hazard and a checklist item."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from domain.platform_push.model import (
    BATCH_TRANSITIONS,
    MAPPING,
    BatchEvent,
    BatchState,
    Kind,
    RecordState,
    ResultStatus,
    TransitionNotAllowed,
    map_checklist_item,
    map_hazard,
    map_risk_point,
    map_risk_report,
    mapping_table,
    next_batch_state,
    payload_hash,
    quarter_of,
    record_uuid,
    retry_delay,
    sign,
    state_after_result,
)


def test_a_records_uuid_is_stable_and_kind_specific() -> None:
    assert record_uuid(Kind.DANGER, "01H") == record_uuid(Kind.DANGER, "01H")
    assert record_uuid(Kind.DANGER, "01H") != record_uuid(Kind.RISK_UNIT, "01H")
    assert record_uuid(Kind.DANGER, "01H")[14] == "5"  # a version-5 (name-based) uuid


def test_the_version_hash_ignores_key_order_but_not_values() -> None:
    assert payload_hash({"a": 1, "b": "二"}) == payload_hash({"b": "二", "a": 1})
    assert payload_hash({"a": 1}) != payload_hash({"a": 2})


def test_the_batch_table_is_the_only_way_a_batch_moves() -> None:
    assert next_batch_state(BatchState.SENDING, BatchEvent.ACKNOWLEDGE) is BatchState.ACKNOWLEDGED
    assert next_batch_state(BatchState.SENDING, BatchEvent.FAIL) is BatchState.FAILED
    for state in BatchState:
        for event in BatchEvent:
            if (state, event) not in BATCH_TRANSITIONS:
                with pytest.raises(TransitionNotAllowed):
                    next_batch_state(state, event)


@pytest.mark.parametrize(
    ("status", "sent", "current", "expected"),
    [
        (ResultStatus.ACCEPTED, 1, 1, (RecordState.ACCEPTED, 1)),
        (ResultStatus.DUPLICATE, 2, 2, (RecordState.ACCEPTED, 2)),  # it had it: as good as accepted
        (ResultStatus.STALE, 1, 1, (RecordState.ACCEPTED, None)),  # superseded there, nothing owed, nothing claimed
        (ResultStatus.REJECTED, 3, 3, (RecordState.REJECTED, None)),
        (ResultStatus.ACCEPTED, 1, 2, (None, 1)),  # a newer version was made meanwhile: it stays pending
        (ResultStatus.REJECTED, 1, 2, (None, None)),  # a refusal of an older version says nothing of the new one
    ],
)
def test_what_an_answer_does_to_a_record(status, sent, current, expected) -> None:
    assert state_after_result(status, sent_version=sent, current_version=current) == expected


def test_backoff_doubles_from_30_seconds_to_an_hour() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retry_delay(30) == timedelta(hours=1)


def test_the_signature_is_hmac_sha256_of_the_body() -> None:
    body = b'{"batchId":"b"}'
    assert sign(body, "s") == hmac.new(b"s", body, hashlib.sha256).hexdigest()
    assert sign(body, "s") != sign(body, "t")


def test_a_hazard_and_its_governance_map_field_by_field() -> None:
    found = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    hazard = {
        "id": "H1",
        "enterprise_id": "E1",
        "risk_point_id": "P1",
        "title": "储罐呼吸阀锈蚀",
        "description": "",
        "level": "major",
        "source": "daily",
        "category": "unsafe_condition",
        "governance_type": "with_deadline",
        "found_at": found,
        "deadline": "2026-12-10T00:00:00+00:00",
        "responsible_person": "王安全",
        "measures": "更换",
        "funds": "2万元",
        "status": "awaiting_acceptance",
        "closed_at": None,
    }
    record = map_hazard(hazard, "91330900MA2A000001")
    assert record.kind is Kind.DANGER and record.uuid == record.payload["id"] == record_uuid(Kind.DANGER, "H1")
    assert record.payload["riskUnitId"] == record_uuid(Kind.RISK_UNIT, "P1")
    assert (record.payload["dangerLevel"], record.payload["dangerManageType"], record.payload["dangerState"]) == (
        "1",
        "1",
        "1",
    )
    assert record.payload["registTime"] == "2026-12-01T02:00:00+00:00"
    assert record.payload["dangerManageDeadline"] == "2026-12-10T00:00:00+00:00"
    assert set(record.payload) == {name for name, _, _ in MAPPING[Kind.DANGER]}


def test_a_checklist_item_is_an_inspection_task_with_its_cycle() -> None:
    item = {
        "id": "C1",
        "risk_point_id": "P1",
        "enterprise_id": "E1",
        "content": "检查呼吸阀",
        "basis": "GB 30871",
        "cycle_n": 2,
        "cycle_unit": "week",
        "responsible_post": "罐区班长",
        "active": 1,
    }
    payload = map_checklist_item(item).payload
    assert (payload["checkCycle"], payload["checkCycleUnit"], payload["workDayType"]) == (2, "周", "0")
    assert payload["deleted"] == "0"
    assert set(payload) == {name for name, _, _ in MAPPING[Kind.CHECK_TASK]}


def test_a_risk_point_gives_its_unit_events_and_measures() -> None:
    point = {
        "id": "P1",
        "enterprise_id": "E1",
        "kind": "device",
        "name": "1号储罐",
        "area": "罐区",
        "lat": None,
        "lng": None,
        "responsible_post": "罐区班长",
        "responsible_person": "王安全",
        "hazard_sources": '["汽油", "柴油"]',
        "control_measures": '[{"type": "engineering", "content": "氮封"}]',
        "level": "large",
        "control_level": "company",
        "status": "active",
    }
    records = map_risk_point(point, "91330900MA2A000001")
    assert [r.kind for r in records] == [Kind.RISK_UNIT, Kind.RISK_EVENT, Kind.RISK_EVENT, Kind.CONTROL_MEASURE]
    unit, first_event, _, measure = records
    assert unit.payload["riskLevel"] == "2" and first_event.payload["riskUnitId"] == unit.uuid
    assert measure.payload["riskEventId"] == first_event.uuid and measure.payload["riskMeasureDesc"] == "氮封"
    for record in records:
        assert set(record.payload) == {name for name, _, _ in MAPPING[record.kind]} - {"longitude / latitude"} | (
            {"longitude", "latitude"} if record.kind is Kind.RISK_UNIT else set()
        )


def test_the_mapping_table_names_every_field() -> None:
    table = mapping_table()
    assert table.count("\n") == 1 + sum(len(fields) for fields in MAPPING.values())


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2026-12-31T15:59:59+00:00", ("2026-Q4", "2026-10-01", "2026-12-31")),
        ("2026-12-31T16:00:00+00:00", ("2027-Q1", "2027-01-01", "2027-03-31")),  # Zhoushan's new year
        ("2026-06-30T16:00:00+00:00", ("2026-Q3", "2026-07-01", "2026-09-30")),
    ],
)
def test_the_report_quarter_is_local(instant, expected) -> None:
    label, start, end = quarter_of(datetime.fromisoformat(instant))
    assert (label, start.isoformat(), end.isoformat()) == expected


def test_the_quarterly_risk_report_counts_the_quarter_from_the_same_rows() -> None:
    now = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)
    points = [
        {"name": "1号储罐", "level": "major", "status": "active"},
        {"name": "装卸台", "level": "low", "status": "active"},
        {"name": "旧泵房", "level": "major", "status": "retired"},
        {"name": "新库房", "level": None, "status": "active"},
    ]
    hazards = [  # found in Q4 and still open (major); found in Q3, closed in Q4 (local time); voided
        {"level": "major", "status": "rectifying", "found_at": "2026-10-01T00:00:00+08:00", "closed_at": None},
        {
            "level": "general",
            "status": "closed",
            "found_at": datetime(2026, 9, 30, 15, 59, tzinfo=UTC),
            "closed_at": datetime(2026, 9, 30, 16, 0, tzinfo=UTC),
        },
        {"level": "general", "status": "voided", "found_at": "2026-11-01T00:00:00+00:00", "closed_at": None},
    ]
    results = [
        {"ok": 1, "finished_at": "2026-11-02T00:00:00+00:00"},
        {"ok": 0, "finished_at": "2026-11-03 00:00:00+00:00"},
        {"ok": 0, "finished_at": "2026-09-01T00:00:00+00:00"},
    ]
    report = map_risk_report({"id": "E1", "credit_code": "C"}, points, hazards, results, now)
    assert report.key == "E1:2026-Q4" and report.uuid == record_uuid(Kind.RISK_REPORT, "E1:2026-Q4")
    payload = report.payload
    assert payload["riskUnitTotal"] == 3
    assert payload["riskUnitByLevel"] == {"1": 1, "2": 0, "3": 0, "4": 1, "0": 1}
    assert payload["majorRiskUnits"] == ["1号储罐"]
    assert (payload["dangersFound"], payload["majorDangersFound"], payload["dangersClosed"]) == (2, 1, 1)
    assert (payload["dangersOpen"], payload["majorDangersOpen"]) == (1, 1)
    assert (payload["checksDone"], payload["checksFailed"]) == (2, 1)
    assert (payload["periodStart"], payload["periodEnd"]) == ("2026-10-01", "2026-12-31")


def test_the_wire_names_every_kind() -> None:
    from typing import get_args

    from mobile_contract.platform_push import RecordKind

    assert set(get_args(RecordKind)) == {kind.value for kind in Kind}
