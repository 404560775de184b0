"""Each protected kind's pure "derive the row from its chain" (the replay `verify` compares rows with), and the anchor
ledger's own hashing: honest chains give the row the services wrote, chains that break the rules are refused with
the event that breaks them."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.credit.model import derive_listings
from domain.hazards.model import derive_hazards
from domain.history.chain import (
    GENESIS_HASH,
    Anchor,
    Event,
    ReplayFailed,
    anchor_hash,
    link,
    plain,
    verify_ledger,
)
from domain.inspections.model import derive_inspections
from domain.public_reports.model import derive_reports
from domain.safety_code.model import derive_colour
from domain.standardisation.model import derive_grades
from domain.statutory.model import derive_snapshots, figures_sha256

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
OFFICER, PRINCIPAL, OTHER_OFFICER, REGULATOR = "U-OFFICER", "U-PRINCIPAL", "U-OFFICER-2", "U-REGULATOR"


def photo(n: int) -> str:
    return hashlib.sha256(f"photo-{n}".encode()).hexdigest()


def chain(chain_id: str, *steps: tuple[str, str, str, dict[str, Any]] | tuple) -> list[Event]:
    """Link (action, actor, role, payload[, photo hashes]) steps an hour apart, as the store would."""
    events, prev = [], GENESIS_HASH
    for n, (action, actor, role, payload, *photos) in enumerate(steps):
        event = link(
            chain_id, n + 1, action, actor, role, T0 + timedelta(hours=n), payload, photos[0] if photos else (), prev
        )
        events.append(event)
        prev = event.hash
    return events


def reported(**overrides: Any) -> dict[str, Any]:
    return {
        "enterprise_id": "E1",
        "risk_point_id": None,
        "inspection_id": None,
        "scan_id": None,
        "source": "daily",
        "category": "unsafe_condition",
        "professional_type": "safety",
        "title": "护栏缺失",
        "description": "",
        "level": "general",
        "level_confirmed": True,
        "internal_grade": None,
        "major_criterion_id": None,
        "expert_reason": None,
        "governance_type": None,
        "status": "reported",
        "side": "enterprise",
        "reporter_id": OFFICER,
        "reporter_role": "officer",
        "assignee_id": None,
        "rectifier_id": None,
        "responsible_person": "",
        "measures": "",
        "funds": "",
        "stoppage_scope": "",
        "supervised": False,
        "deadline": None,
        "requested_deadline": None,
        "has_after_photos": False,
        "found_at": T0,
        "version": 1,
        "client_id": "c1",
        "lat": None,
        "lng": None,
        "photo_ids": ["P1"],
    } | overrides


DEADLINE = T0 + timedelta(days=7)


def general_hazard_closed() -> list[Event]:
    return chain(
        "H1",
        ("report", OFFICER, "officer", reported(), [photo(1)]),
        (
            "assign",
            PRINCIPAL,
            "principal",
            {
                "assignee_id": OFFICER,
                "measures": "加装护栏",
                "deadline": DEADLINE,
                "from_status": "reported",
                "to_status": "rectifying",
                "version": 2,
            },
        ),
        (
            "submitRectification",
            OFFICER,
            "officer",
            {
                "after_photo_ids": ["P2", "P3"],
                "note": "",
                "from_status": "rectifying",
                "to_status": "awaiting_acceptance",
                "version": 3,
            },
            [photo(2), photo(3)],
        ),
        (
            "accept",
            PRINCIPAL,
            "principal",
            {"note": "", "from_status": "awaiting_acceptance", "to_status": "closed", "version": 4},
        ),
    )


def test_a_general_hazard_replays_through_the_table_into_its_row():
    events = general_hazard_closed()
    row = derive_hazards(events)["H1"]
    assert (row["status"], row["version"], row["assignee_id"], row["rectifier_id"]) == ("closed", 4, OFFICER, OFFICER)
    assert (row["deadline"], row["measures"], row["governance_type"], row["closed_at"]) == (
        DEADLINE,
        "加装护栏",
        "with_deadline",
        events[-1].at,
    )
    assert row["photos"] == [[1, "before", photo(1)], [3, "after", photo(2)], [3, "after", photo(3)]]
    assert (row["chain_seq"], row["chain_hash"]) == (4, events[-1].hash)
    assert plain(row["level"]) == "general" and row["title"] == "护栏缺失"


def test_a_move_the_table_refuses_is_named_by_its_event():
    events = general_hazard_closed()
    # the rectifier accepting their own work: the same links, another actor
    forged = chain(
        "H1",
        *[(e.action, e.actor_id, e.role, e.payload, e.photo_hashes) for e in events[:3]],
        ("accept", OFFICER, "officer", events[3].payload),
    )
    with pytest.raises(ReplayFailed) as refused:
        derive_hazards(forged)
    assert refused.value.seq == 4 and "HAZARD_GUARD_FAILED" in refused.value.reason


def test_an_event_whose_recorded_status_differs_from_the_rules_is_refused():
    events = general_hazard_closed()
    lying = chain(
        "H1",
        *[(e.action, e.actor_id, e.role, e.payload, e.photo_hashes) for e in events[:1]],
        ("assign", PRINCIPAL, "principal", events[1].payload | {"to_status": "closed"}),
    )
    with pytest.raises(ReplayFailed) as refused:
        derive_hazards(lying)
    assert refused.value.seq == 2


def test_a_hazard_chain_must_open_with_its_report_and_photos_must_be_hashed():
    with pytest.raises(ReplayFailed) as refused:
        derive_hazards(chain("H1", ("accept", PRINCIPAL, "principal", {"note": ""})))
    assert refused.value.seq == 1
    events = general_hazard_closed()
    short = chain(
        "H1",
        *[(e.action, e.actor_id, e.role, e.payload, e.photo_hashes) for e in events[:2]],
        (events[2].action, OFFICER, "officer", events[2].payload, [photo(2)]),
    )
    with pytest.raises(ReplayFailed) as refused:
        derive_hazards(short)  # two after-photos named, one hashed
    assert refused.value.seq == 3


def test_an_inspection_row_is_its_record_event_with_the_counts_of_its_results():
    results = [
        {"checklist_item_id": "C1", "ok": True, "note": "", "task_id": None, "hazard_id": None},
        {"checklist_item_id": "C2", "ok": False, "note": "坏", "task_id": None, "hazard_id": "H9"},
    ]
    events = chain(
        "I1",
        (
            "record",
            OFFICER,
            "officer",
            {
                "risk_point_id": "R1",
                "enterprise_id": "E1",
                "scan_id": "S1",
                "started_at": T0,
                "finished_at": T0,
                "client_id": "x",
                "results": results,
            },
        ),
    )
    row = derive_inspections(events)["I1"]
    assert (row["items_checked"], row["items_failed"], row["scan_id"], row["chain_seq"]) == (2, 1, "S1", 1)
    assert "client_id" not in row and "results" not in row
    with pytest.raises(ReplayFailed):
        derive_inspections(chain("I1", ("forge", OFFICER, "officer", {})))


def received() -> dict[str, Any]:
    return {
        "status": "received",
        "title": "",
        "description": "油罐泄漏",
        "given_enterprise_name": "",
        "given_credit_code": "",
        "given_region_code": "330902",
        "routed_by": "region",
        "enterprise_id": None,
        "grid_id": None,
        "region_code": "330902",
        "occurred_at": None,
        "lat": None,
        "lng": None,
        "photo_ids": [],
        "has_contact": False,
        "version": 1,
    }


def test_a_public_report_replays_its_forward_and_dismissal_through_its_table():
    events = chain(
        "PR1",
        ("receive", "public", "public", received()),
        (
            "forward",
            REGULATOR,
            "regulator",
            {
                "from_status": "received",
                "to_status": "received",
                "version": 2,
                "from_region": "330902",
                "to_region": "330903",
                "reason": "属地",
            },
        ),
        (
            "dismiss",
            REGULATOR,
            "regulator",
            {"from_status": "received", "to_status": "dismissed", "version": 3, "reason": "重复举报"},
        ),
    )
    row = derive_reports(events)["PR1"]
    assert (row["status"], row["version"], row["region_code"], row["routed_by"]) == (
        "dismissed",
        3,
        "330903",
        "forwarded",
    )
    assert (row["dismiss_reason"], row["decided_by"], row["decided_at"]) == ("重复举报", REGULATOR, events[2].at)
    refused = chain(
        "PR1",
        ("receive", "public", "public", received()),
        ("accept", OFFICER, "officer", {"from_status": "received", "to_status": "accepted", "version": 2}),
    )
    with pytest.raises(ReplayFailed) as failed:
        derive_reports(refused)  # only a regulator acts on reports
    assert failed.value.seq == 2


def credit_chain(*steps: tuple) -> list[Event]:
    penalty = {
        "penalty_id": "PEN1",
        "decided_on": "2026-01-10",
        "decision_no": "舟应急罚〔2026〕1号",
        "authority": "定海区应急管理局",
        "authority_region_code": "330902",
        "kind": "fine",
        "violation": "accident",
        "execution": "executed",
        "facts": "",
        "amount": "100000",
        "accident_id": "A1",
    }
    candidate = {"listing_id": "L1", "grounds": ["serious_accident"], "penalty_ids": ["PEN1"], "accident_ids": ["A1"]}
    return chain(
        "credit:E1",
        ("recordPenalty", REGULATOR, "regulator", penalty),
        ("computeCandidate", "system", "admin", candidate),
        *steps,
    )


def test_a_listing_replays_its_steps_through_advance_to_its_end_date():
    events = credit_chain(
        (
            "notify",
            REGULATOR,
            "regulator",
            {
                "listing_id": "L1",
                "on": "2026-02-01",
                "text": None,
                "version": 2,
                "from_status": "candidate",
                "to_status": "notified",
                "expires_on": None,
            },
        ),
        (
            "confirm",
            REGULATOR,
            "regulator",
            {
                "listing_id": "L1",
                "on": "2026-03-01",
                "text": "依法列入",
                "version": 3,
                "from_status": "notified",
                "to_status": "confirmed",
                "expires_on": "2029-03-01",
            },
        ),
    )
    row = derive_listings(events)["L1"]
    assert (row["status"], row["decided_on"], row["expires_on"], row["version"]) == (
        "confirmed",
        date(2026, 3, 1),
        date(2029, 3, 1),
        3,
    )
    assert (row["penalty_id"], row["chain_seq"], row["chain_hash"]) == ("PEN1", 4, events[-1].hash)
    skipping = credit_chain(
        (
            "confirm",
            REGULATOR,
            "regulator",
            {"listing_id": "L1", "on": "2026-03-01", "text": "x", "version": 2, "to_status": "confirmed"},
        )
    )
    with pytest.raises(ReplayFailed) as failed:
        derive_listings(skipping)  # a candidate cannot be confirmed before the party was told
    assert failed.value.seq == 3


def test_grades_are_recorded_and_revoked_once_under_the_term_rules():
    record = {
        "grade_id": "G1",
        "grade": "second",
        "certificate_no": "C-1",
        "authority": "市局",
        "valid_from": "2025-01-01",
        "valid_to": "2027-12-31",
    }
    revoke = {"grade_id": "G1", "revoked_on": "2026-10-01", "reason": "事故"}
    events = chain(
        "std:E1", ("recordGrade", REGULATOR, "regulator", record), ("revokeGrade", REGULATOR, "regulator", revoke)
    )
    row = derive_grades(events)["G1"]
    assert (row["valid_to"], row["revoked_on"], row["revoked_by"], row["version"], row["event_seq"]) == (
        date(2027, 12, 31),
        date(2026, 10, 1),
        REGULATOR,
        2,
        1,
    )
    twice = chain(
        "std:E1",
        ("recordGrade", REGULATOR, "regulator", record),
        ("revokeGrade", REGULATOR, "regulator", revoke),
        ("revokeGrade", REGULATOR, "regulator", revoke),
    )
    with pytest.raises(ReplayFailed) as failed:
        derive_grades(twice)
    assert failed.value.seq == 3
    with pytest.raises(ReplayFailed):
        derive_grades(chain("std:E1", ("recordGrade", REGULATOR, "regulator", record | {"valid_to": "2024-01-01"})))


def test_a_snapshot_is_frozen_once_with_figures_matching_their_digest_and_signed_over_them():
    figures = {"closed": 3, "found": 4}
    freeze = {"period": "2026Q3", "figures": figures, "figures_sha256": figures_sha256(figures)}
    sign = {"snapshot_id": "S1", "period": "2026Q3", "figures_sha256": figures_sha256(figures)}
    events = chain(
        "stats:E1", ("freezeStatistics", "system", "admin", freeze), ("signStatistics", PRINCIPAL, "principal", sign)
    )
    row = derive_snapshots(events)["2026Q3"]
    assert (row["figures"], row["signed_by"], row["sign_event_seq"], row["chain_seq"]) == (
        '{"closed":3,"found":4}',
        PRINCIPAL,
        2,
        2,
    )
    with pytest.raises(ReplayFailed):
        derive_snapshots(
            chain("stats:E1", ("freezeStatistics", "system", "admin", freeze | {"figures": {"closed": 9, "found": 4}}))
        )
    with pytest.raises(ReplayFailed):
        derive_snapshots(
            chain(
                "stats:E1",
                ("freezeStatistics", "system", "admin", freeze),
                ("signStatistics", PRINCIPAL, "principal", sign | {"figures_sha256": "0" * 64}),
            )
        )


def test_a_colour_chain_continues_from_each_colour_and_ends_on_the_row_colour():
    first = {"from": None, "to": "yellow", "score": 20, "schemeVersion": 1, "reasons": [], "inputs": {}}
    second = {"from": "yellow", "to": "red", "score": 60, "schemeVersion": 1, "reasons": [], "inputs": {}}
    events = chain("code:E1", ("recolour", "system", "admin", first), ("recolour", "system", "admin", second))
    assert derive_colour(events)[""] == {
        "colour": "red",
        "colour_since": events[1].at,
        "chain_seq": 2,
        "chain_hash": events[1].hash,
    }
    with pytest.raises(ReplayFailed) as failed:
        derive_colour(
            chain(
                "code:E1",
                ("recolour", "system", "admin", first),
                ("recolour", "system", "admin", second | {"from": "blue"}),
            )
        )
    assert failed.value.seq == 2


def ledger(n: int) -> list[Anchor]:
    anchors, prev = [], GENESIS_HASH
    for position in range(1, n + 1):
        digest = anchor_hash(position, f"chain-{position % 3}", position, photo(position), prev)
        anchors.append(Anchor(position, f"chain-{position % 3}", position, photo(position), prev, digest))
        prev = digest
    return anchors


def test_the_anchor_ledger_verifies_whole_and_names_the_first_bad_position():
    anchors = ledger(6)
    assert verify_ledger(anchors) is None
    assert verify_ledger(anchors[3:], after=anchors[2]) is None  # read a page at a time
    assert verify_ledger(anchors[:2] + anchors[3:]) == 3  # a removed entry
    edited = [*anchors[:4], Anchor(5, "chain-2", 5, photo(99), anchors[3].anchor_hash, anchors[4].anchor_hash)]
    assert verify_ledger(edited) == 5  # an entry that no longer hashes
    assert verify_ledger(list(reversed(anchors))) == 1
