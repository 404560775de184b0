"""The hazard history's hash chain: every edit, deletion, reordering, insertion and truncation is detected."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.history.chain import (
    CHAIN_VERSION,
    GENESIS_HASH,
    CanonicalError,
    ChainHead,
    Event,
    HeadsFileError,
    canonical,
    export_heads,
    heads_digest,
    link,
    parse_heads,
    verify_chain,
)

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
CHAIN = "01JDHAZARD00000000000000AA"


def photo(n: int) -> str:
    return hashlib.sha256(f"photo-{n}".encode()).hexdigest()


def build(n: int, chain_id: str = CHAIN) -> list[Event]:
    events: list[Event] = []
    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        event = link(
            chain_id=chain_id,
            seq=seq,
            action=["report", "assign", "rectify", "verify"][seq % 4],
            actor_id=f"01JDUSER{seq:018d}",
            role=["inspector", "enterprise_admin", "regulator"][seq % 3],
            at=T0 + timedelta(minutes=seq),
            payload={
                "note": f"第{seq}次 整改说明",
                "deadline": date(2026, 12, seq % 28 + 1),
                "cost": Decimal("12.50"),
                "tags": ["消防", seq],
                "lat": "31.230416",
                "ok": seq % 2 == 0,
                "nested": {"x": None},
            },
            photo_hashes=(photo(seq), photo(seq + 1000)),
            prev_hash=prev,
        )
        events.append(event)
        prev = event.hash
    return events


def head(events: list[Event]) -> ChainHead:
    return ChainHead.of(events[-1])


# --- canonical encoding ---------------------------------------------------------------------------------------------


def test_canonical_is_sorted_compact_utf8():
    assert canonical({"b": 1, "a": [True, None, "隐患"]}) == '{"a":[true,null,"隐患"],"b":1}'.encode()


def test_canonical_ignores_insertion_order_at_every_depth():
    one = {"a": 1, "b": {"y": [1, {"p": 1, "q": 2}], "x": "s"}}
    two = {"b": {"x": "s", "y": [1, {"q": 2, "p": 1}]}, "a": 1}
    assert canonical(one) == canonical(two)


def test_canonical_datetimes_are_utc_with_microseconds():
    shanghai = timezone(timedelta(hours=8))
    assert canonical(datetime(2026, 11, 28, 20, 0, tzinfo=shanghai)) == b'"2026-11-28T12:00:00.000000Z"'
    assert canonical(T0.replace(microsecond=5)) == b'"2026-11-28T12:00:00.000005Z"'


def test_canonical_refuses_naive_datetimes():
    with pytest.raises(CanonicalError):
        canonical({"at": datetime(2026, 11, 28, 12, 0)})


def test_canonical_decimals_tuples_dates():
    assert canonical({"d": Decimal("1.50"), "t": (1, 2), "day": date(2026, 1, 2)}) == (
        b'{"d":"1.50","day":"2026-01-02","t":[1,2]}'
    )


@pytest.mark.parametrize(
    "bad",
    [
        1.5,
        float("nan"),
        float("inf"),
        Decimal("NaN"),
        Decimal("Infinity"),
        b"x",
        {1, 2},
        {1: "int key"},
        object(),
        "\ud800",
    ],
)
def test_canonical_refuses_values_without_a_stable_form(bad):
    with pytest.raises(CanonicalError):
        canonical({"v": [bad]})


def test_canonical_error_is_a_value_error():
    assert issubclass(CanonicalError, ValueError)


# --- linking and round trips ---------------------------------------------------------------------------------------


def test_fifty_event_chain_verifies():
    events = build(50)
    assert verify_chain(events) == verify_chain(events, head(events))
    result = verify_chain(events, head(events))
    assert result.ok and result.checked == 50 and result.first_broken_seq is None and result.reason is None


def test_stored_records_survive_a_json_round_trip_and_verify():
    events = build(50)
    stored = [json.loads(json.dumps(e.to_record(), ensure_ascii=False)) for e in events]
    assert verify_chain(stored, head(events)).ok
    assert [Event.from_record(r) for r in stored] == events


def test_hash_covers_the_version_and_every_field():
    event = build(1)[0]
    expected = hashlib.sha256(
        canonical(
            {
                "v": CHAIN_VERSION,
                "chain_id": event.chain_id,
                "seq": 1,
                "action": event.action,
                "actor_id": event.actor_id,
                "role": event.role,
                "at": event.at,
                "payload": event.payload,
                "photo_hashes": list(event.photo_hashes),
                "prev_hash": GENESIS_HASH,
            }
        )
    ).hexdigest()
    assert event.hash == expected


def test_link_stores_the_wire_form_of_the_payload():
    event = build(1)[0]
    assert event.payload["cost"] == "12.50" and event.payload["deadline"] == "2026-12-02"


@pytest.mark.parametrize(
    "change",
    [
        {"at": datetime(2026, 1, 1)},
        {"payload": {"lat": 31.2}},
        {"photo_hashes": ("not-a-hash",)},
        {"photo_hashes": photo(1)},
        {"prev_hash": "1" * 64},  # seq 1 must point at genesis
        {"seq": 0},
        {"seq": True},
        {"actor_id": ""},
    ],
)
def test_link_refuses_unhashable_or_misshapen_input(change):
    args = {
        "chain_id": CHAIN,
        "seq": 1,
        "action": "report",
        "actor_id": "u1",
        "role": "inspector",
        "at": T0,
        "payload": {},
        "photo_hashes": (),
        "prev_hash": GENESIS_HASH,
    } | change
    with pytest.raises(CanonicalError):
        link(**args)


# --- every single-field edit ----------------------------------------------------------------------------------------


def edits(event: Event):
    yield "payload", {**event.payload, "note": event.payload["note"] + "。"}
    yield "payload", {**event.payload, "ok": not event.payload["ok"]}
    yield "payload", {k: v for k, v in event.payload.items() if k != "lat"}
    yield "actor_id", event.actor_id + "X"
    yield "role", "regulator" if event.role != "regulator" else "inspector"
    yield "at", event.at + timedelta(microseconds=1)
    yield "action", "void"
    yield "photo_hashes", (photo(9999), event.photo_hashes[1])
    yield "photo_hashes", event.photo_hashes[::-1]
    yield "photo_hashes", event.photo_hashes[:1]
    yield "seq", event.seq + 1
    yield "chain_id", CHAIN[:-1] + "B"
    yield "prev_hash", "f" * 64
    yield "hash", "e" * 64


@pytest.mark.parametrize("index", range(10))
def test_every_single_field_edit_of_every_event_is_detected(index):
    events = build(10)
    for name, value in edits(events[index]):
        tampered = list(events)
        tampered[index] = dataclasses.replace(events[index], **{name: value})
        result = verify_chain(tampered)
        assert (result.ok, result.first_broken_seq, result.reason) == (False, index + 1, "hash_mismatch"), name
        assert result.checked == index
        stored = [e.to_record() for e in tampered]  # the same edit made to the stored rows
        assert verify_chain(stored).first_broken_seq == index + 1, name


def test_an_edit_whose_hash_is_recomputed_breaks_the_next_link():
    events = build(10)
    e = events[4]
    forged = link(
        e.chain_id, e.seq, e.action, e.actor_id, e.role, e.at, {**e.payload, "note": "改"}, e.photo_hashes, e.prev_hash
    )
    result = verify_chain([*events[:4], forged, *events[5:]])
    assert (result.first_broken_seq, result.reason) == (6, "prev_hash_mismatch")


# --- deletion, reordering, insertion, truncation --------------------------------------------------------------------


@pytest.mark.parametrize("index", range(10))
def test_deleting_any_one_event_is_detected(index):
    events = build(10)
    tampered = events[:index] + events[index + 1 :]
    result = verify_chain(tampered, head(events))
    assert not result.ok and result.first_broken_seq == index + 1
    if index == 0:
        assert result.reason == "bad_genesis"
    elif index == 9:
        assert result.reason == "truncated"
        assert verify_chain(tampered).ok  # without the exported head a clean truncation cannot be seen
    else:
        assert result.reason == "seq_gap"


@pytest.mark.parametrize("index", range(9))
def test_swapping_any_two_adjacent_events_is_detected(index):
    events = build(10)
    tampered = list(events)
    tampered[index], tampered[index + 1] = tampered[index + 1], tampered[index]
    result = verify_chain(tampered)
    assert not result.ok and result.first_broken_seq == index + 1
    assert result.reason == ("bad_genesis" if index == 0 else "seq_gap")


@pytest.mark.parametrize("position", range(11))
def test_inserting_a_forged_event_anywhere_is_detected(position):
    events = build(10)
    prev = events[position - 1].hash if position else GENESIS_HASH
    forged = link(CHAIN, position + 1, "void", "01JDINTRUDER", "regulator", T0, {"reason": "伪造"}, (), prev)
    tampered = [*events[:position], forged, *events[position:]]
    assert forged.hash == forged.recomputed_hash()  # a well-formed link on its own
    result = verify_chain(tampered, head(events))
    assert not result.ok
    if position < 10:
        # the forged link itself is fine; the original event after it no longer follows
        alone = verify_chain(tampered)
        assert (alone.first_broken_seq, alone.reason) == (position + 2, "seq_gap")
        # with the head, the forged event sitting at the head's seq is caught one link earlier
        expected = (10, "head_mismatch") if position == 9 else (position + 2, "seq_gap")
        assert (result.first_broken_seq, result.reason) == expected
    else:
        # appended at the end with a correct prev_hash: only the exported head shows it
        assert (result.first_broken_seq, result.reason) == (11, "head_mismatch")
        assert verify_chain(tampered).ok
        assert verify_chain(tampered, head(events), allow_extension=True).ok


def test_rewriting_the_whole_tail_is_caught_only_by_the_exported_head():
    events = build(10)
    rewritten = events[:3]
    for e in events[3:]:
        rewritten.append(
            link(
                e.chain_id,
                e.seq,
                e.action,
                e.actor_id,
                e.role,
                e.at,
                {**e.payload, "note": "改"},
                e.photo_hashes,
                rewritten[-1].hash,
            )
        )
    assert verify_chain(rewritten).ok
    result = verify_chain(rewritten, head(events))
    assert (result.ok, result.first_broken_seq, result.reason) == (False, 10, "head_mismatch")
    # an older exported head covering a rewritten event is also broken
    result = verify_chain(rewritten, ChainHead.of(events[5]), allow_extension=True)
    assert (result.first_broken_seq, result.reason) == (6, "head_mismatch")


@pytest.mark.parametrize("keep", [0, 1, 5, 9])
def test_truncating_the_tail_is_detected_only_with_the_expected_head(keep):
    events = build(10)
    tampered = events[:keep]
    assert verify_chain(tampered).ok
    result = verify_chain(tampered, head(events))
    assert (result.ok, result.checked, result.first_broken_seq, result.reason) == (False, keep, keep + 1, "truncated")
    result = verify_chain(tampered, head(events), allow_extension=True)
    assert result.reason == "truncated"


def test_wrong_genesis_is_detected():
    events = build(3)
    bad = dataclasses.replace(events[0], prev_hash="1" * 64)
    bad = dataclasses.replace(bad, hash=bad.recomputed_hash())
    assert verify_chain([bad]).reason == "bad_genesis"


def test_an_event_from_another_chain_is_detected():
    events, other = build(3), build(3, chain_id=CHAIN[:-1] + "B")
    assert verify_chain([events[0], other[1]]).reason == "chain_mismatch"
    result = verify_chain(other, head(events))
    assert (result.first_broken_seq, result.reason) == (1, "chain_mismatch")


def test_a_malformed_stored_record_is_reported_not_raised():
    stored = [e.to_record() for e in build(3)]
    del stored[1]["role"]
    stored[2]["at"] = "2026-11-28T12:00:00"  # naive
    assert verify_chain(stored).reason == "malformed" and verify_chain(stored).first_broken_seq == 2
    assert verify_chain([stored[0], {**stored[0], "seq": "2"}]).reason == "malformed"


def test_verify_accepts_a_generator():
    events = build(5)
    assert verify_chain(e.to_record() for e in events).checked == 5


# --- the exported heads ---------------------------------------------------------------------------------------------


def heads_sample() -> list[ChainHead]:
    return [ChainHead.of(build(n, chain_id=f"01JDHAZARD{n:016d}")[-1]) for n in (3, 1, 2)]


def test_heads_round_trip_in_canonical_order():
    heads = heads_sample()
    data = export_heads(heads)
    assert parse_heads(data) == sorted(heads, key=lambda h: h.chain_id)
    assert export_heads(reversed(heads)) == data
    assert parse_heads(data, expected_digest=heads_digest(heads)) == parse_heads(data)
    last = json.loads(data.splitlines()[-1])
    assert last == {"sha256": heads_digest(heads)}


def test_empty_heads_export_round_trips():
    assert parse_heads(export_heads([])) == []


def test_any_single_byte_change_to_the_export_is_refused():
    data = export_heads(heads_sample())
    for i in range(len(data)):
        mutated = data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]
        with pytest.raises(HeadsFileError):
            parse_heads(mutated)


def test_a_rewritten_export_with_a_fresh_trailer_is_caught_by_the_digest_kept_elsewhere():
    heads = heads_sample()
    kept = heads_digest(heads)
    forged = export_heads(heads[1:])  # a head dropped, trailer recomputed
    assert parse_heads(forged)
    with pytest.raises(HeadsFileError):
        parse_heads(forged, expected_digest=kept)


@pytest.mark.parametrize("data", [b"", b"\n", b"{}\n", b'not json\n{"sha256":"00"}\n'])
def test_garbage_exports_are_refused(data):
    with pytest.raises(HeadsFileError):
        parse_heads(data)


def test_duplicate_heads_are_refused():
    heads = heads_sample()
    with pytest.raises(HeadsFileError):
        export_heads([heads[0], dataclasses.replace(heads[0], seq=9)])


# --- properties -----------------------------------------------------------------------------------------------------

scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.text(max_size=20)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
payloads = st.dictionaries(st.text(max_size=8), values, max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=payloads)
def test_random_payloads_round_trip_and_verify(payload):
    event = link(CHAIN, 1, "report", "u1", "inspector", T0, payload, (), GENESIS_HASH)
    assert event.payload == payload
    assert json.loads(canonical(payload)) == payload
    stored = json.loads(json.dumps(event.to_record()))
    assert verify_chain([stored], ChainHead.of(event)).ok


@settings(max_examples=150, deadline=None)
@given(payload=payloads, data=st.data())
def test_any_single_byte_mutation_of_the_encoding_changes_the_hash(payload, data):
    encoded = canonical(payload)
    i = data.draw(st.integers(0, len(encoded) - 1))
    new = data.draw(st.integers(0, 255).filter(lambda b: b != encoded[i]))
    mutated = encoded[:i] + bytes([new]) + encoded[i + 1 :]
    assert hashlib.sha256(mutated).hexdigest() != hashlib.sha256(encoded).hexdigest()
    event = link(CHAIN, 1, "report", "u1", "inspector", T0, payload, (), GENESIS_HASH)
    try:
        changed = json.loads(mutated.decode("utf-8"))
    except ValueError:
        return  # no longer valid JSON/UTF-8: it could not even be stored as a payload
    try:
        same_value = canonical(changed) == encoded  # e.g. "\u001f" -> "\u001F" parses to the same text
    except CanonicalError:
        same_value = False  # e.g. "[1,2]" -> "[1.2]", a float now
    if isinstance(changed, dict) and not same_value:  # a different payload: verify must refuse it
        tampered = {**event.to_record(), "payload": changed}
        assert verify_chain([tampered]).reason in {"hash_mismatch", "malformed"}  # malformed: e.g. now a float
