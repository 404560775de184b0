"""The hash chain behind "nothing is deleted": every change to a hazard is an event linked to the one before it.

Pure standard library on purpose: this module is the evidence format, and must stay readable and re-implementable
by an auditor without the rest of the project.

Hash of an event (version 1)::

    hash = sha256(canonical({"v": 1, "chain_id", "seq", "action", "actor_id", "role", "at",
                             "payload", "photo_hashes", "prev_hash"})).hexdigest()

`v` (CHAIN_VERSION) is itself hashed, so a future change of encoding is a new version next to the old one, never a
silent re-interpretation of old chains: a verifier that meets v=1 must hash it with the v=1 rules below.

Canonical encoding, version 1 (`canonical`):

* JSON, object keys sorted (by code point), no whitespace, UTF-8, non-ASCII kept as is (``ensure_ascii=False``).
* Object keys must be strings (so ``{1: x}`` and ``{"1": x}`` cannot collide by accident).
* ``None``, ``bool``, ``int`` and ``str`` as JSON; tuples and lists as arrays.
* ``Decimal`` as its ``str()`` (``Decimal("1.50")`` -> ``"1.50"``; the digits given are the digits hashed);
  NaN and infinities are refused.
* ``datetime`` must be timezone-aware and is encoded as RFC 3339 UTC with microseconds,
  ``"2026-11-28T12:00:00.000000Z"``; naive datetimes are refused. ``date`` as ``"YYYY-MM-DD"``.
* **Floats are refused**, all of them (a float's text is not stable across languages and NaN has no JSON form).
  Coordinates and measurements travel as strings or Decimals (``"lat": "31.230416"``).
* Anything else (bytes, sets, objects) is refused. Refusals raise `CanonicalError` (a ValueError).

The encoding is deliberately "wire-typed": a Decimal and the string of its digits, or a datetime and its RFC 3339
text, encode the same. An event's payload is therefore stored as its canonical JSON (`Event.payload` only ever holds
str/int/bool/None/list/dict), and the stored form re-hashes to the same value after any JSON round trip.

Verification (`verify_chain`) walks a chain in order and names the first broken link. A chain whose last events were
removed is still internally consistent, so the heads (chain id, seq, hash of the last event) are exported daily
outside the database (`export_heads`); verifying against an exported head detects truncation and a forged tail.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

CHAIN_VERSION = 1
GENESIS_HASH = "0" * 64
HEADS_FORMAT = "shuangfang-chain-heads"

_HEX64 = re.compile(r"[0-9a-f]{64}")
_EVENT_FIELDS = ("chain_id", "seq", "action", "actor_id", "role", "at", "payload", "photo_hashes", "prev_hash", "hash")

# Reasons reported by verify_chain: short, stable strings (they are stored in verification reports).
HASH_MISMATCH = "hash_mismatch"  # the event's fields do not hash to its stored hash: something was edited
PREV_HASH_MISMATCH = "prev_hash_mismatch"  # the event does not point at the hash of the event before it
SEQ_GAP = "seq_gap"  # seq is not the previous seq + 1: an event was deleted, inserted or moved
BAD_GENESIS = "bad_genesis"  # the first event is not seq 1 pointing at the all-zero hash
CHAIN_MISMATCH = "chain_mismatch"  # an event (or the expected head) belongs to another chain
MALFORMED = "malformed"  # a stored event is missing a field or holds a value of the wrong shape
HEAD_MISMATCH = "head_mismatch"  # the event at the exported head's seq has another hash, or events run past it
TRUNCATED = "truncated"  # the chain ends before the exported head's seq


class CanonicalError(ValueError):
    """A value has no canonical encoding (a float, a naive datetime, NaN, a non-string key, an unknown type)."""


class HeadsFileError(ValueError):
    """An exported heads document is malformed or its digest does not match."""


def _utc_text(value: datetime) -> str:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise CanonicalError(f"naive datetime has no canonical form: {value!r}")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _plain(value: Any) -> Any:
    """The JSON-native form of `value` (only dict/list/str/int/bool/None), or CanonicalError."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)  # int subclasses (IntEnum) hash as their number
    if isinstance(value, float):
        raise CanonicalError(f"floats are not accepted in hashed data, pass a string or Decimal: {value!r}")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise CanonicalError(f"non-finite Decimal has no canonical form: {value!r}")
        return str(value)
    if isinstance(value, datetime):
        return _utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalError(f"object keys must be strings: {key!r}")
            out[key] = _plain(item)
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    raise CanonicalError(f"no canonical encoding for {type(value).__name__}")


def canonical(value: Any) -> bytes:
    """The version-1 canonical encoding of `value` (see the module docstring)."""
    plain = _plain(value)
    try:
        text = json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate in a str
        raise CanonicalError(f"text is not valid Unicode: {exc}") from None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_hex64(name: str, value: Any) -> str:
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise CanonicalError(f"{name} must be 64 lowercase hex characters: {value!r}")
    return value


def _check_text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise CanonicalError(f"{name} must be a non-empty string: {value!r}")
    return value


def _check_seq(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise CanonicalError(f"seq must be an integer >= 1: {value!r}")
    return int(value)


def _check_at(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise CanonicalError(f"at is not an RFC 3339 time: {value!r}") from None
    if not isinstance(value, datetime):
        raise CanonicalError(f"at must be a datetime: {value!r}")
    _utc_text(value)  # refuses naive
    return value.astimezone(UTC)


def _event_hash(
    chain_id: str,
    seq: int,
    action: str,
    actor_id: str,
    role: str,
    at: datetime,
    payload: Mapping[str, Any],
    photo_hashes: tuple[str, ...],
    prev_hash: str,
) -> str:
    return sha256_hex(
        canonical(
            {
                "v": CHAIN_VERSION,
                "chain_id": chain_id,
                "seq": seq,
                "action": action,
                "actor_id": actor_id,
                "role": role,
                "at": at,
                "payload": payload,
                "photo_hashes": list(photo_hashes),
                "prev_hash": prev_hash,
            }
        )
    )


@dataclass(frozen=True, slots=True)
class Event:
    """One link. `payload` holds the canonical JSON form of what the caller passed (see `link`)."""

    chain_id: str
    seq: int
    action: str
    actor_id: str
    role: str
    at: datetime
    payload: dict[str, Any] = field(hash=False)
    photo_hashes: tuple[str, ...]
    prev_hash: str
    hash: str

    def to_record(self) -> dict[str, Any]:
        """The storable form (JSON-native); `from_record` of it re-verifies to the same hash."""
        return {
            "chain_id": self.chain_id,
            "seq": self.seq,
            "action": self.action,
            "actor_id": self.actor_id,
            "role": self.role,
            "at": _utc_text(self.at),
            "payload": json.loads(canonical(self.payload)),
            "photo_hashes": list(self.photo_hashes),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Event:
        """An Event from its stored form, as stored: shapes are checked, the hash is NOT (that is verify's job)."""
        missing = [name for name in _EVENT_FIELDS if name not in record]
        if missing:
            raise CanonicalError(f"event record lacks {', '.join(missing)}")
        payload = record["payload"]
        if not isinstance(payload, Mapping):
            raise CanonicalError("payload must be an object")
        photos = record["photo_hashes"]
        if not isinstance(photos, (list, tuple)):
            raise CanonicalError("photo_hashes must be a list")
        return cls(
            chain_id=_check_text("chain_id", record["chain_id"]),
            seq=_check_seq(record["seq"]),
            action=_check_text("action", record["action"]),
            actor_id=_check_text("actor_id", record["actor_id"]),
            role=_check_text("role", record["role"]),
            at=_check_at(record["at"]),
            payload=json.loads(canonical(payload)),
            photo_hashes=tuple(_check_hex64("photo hash", h) for h in photos),
            prev_hash=_check_hex64("prev_hash", record["prev_hash"]),
            hash=_check_hex64("hash", record["hash"]),
        )

    def recomputed_hash(self) -> str:
        return _event_hash(
            self.chain_id,
            self.seq,
            self.action,
            self.actor_id,
            self.role,
            self.at,
            self.payload,
            self.photo_hashes,
            self.prev_hash,
        )


def link(
    chain_id: str,
    seq: int,
    action: str,
    actor_id: str,
    role: str,
    at: datetime,
    payload: Mapping[str, Any],
    photo_hashes: Iterable[str],
    prev_hash: str,
) -> Event:
    """The next event of a chain: seq 1 takes `GENESIS_HASH` as prev_hash, seq n the hash of event n-1.

    Photo hashes keep the order given (the order is part of the evidence). Raises CanonicalError on any value that
    cannot be hashed canonically, so nothing half-formed is ever stored.
    """
    if not isinstance(payload, Mapping):
        raise CanonicalError("payload must be an object")
    if not isinstance(at, datetime):
        raise CanonicalError(f"at must be a datetime: {at!r}")
    if isinstance(photo_hashes, str):
        raise CanonicalError("photo_hashes must be a collection of hashes, not one string")
    seq = _check_seq(seq)
    prev_hash = _check_hex64("prev_hash", prev_hash)
    if seq == 1 and prev_hash != GENESIS_HASH:
        raise CanonicalError("the first event must point at the genesis hash")
    if seq > 1 and prev_hash == GENESIS_HASH:
        raise CanonicalError("only the first event may point at the genesis hash")
    at_utc = _check_at(at)
    photos = tuple(_check_hex64("photo hash", h) for h in photo_hashes)
    stored_payload = json.loads(canonical(payload))
    fields = (
        _check_text("chain_id", chain_id),
        seq,
        _check_text("action", action),
        _check_text("actor_id", actor_id),
        _check_text("role", role),
        at_utc,
        stored_payload,
        photos,
        prev_hash,
    )
    return Event(*fields, hash=_event_hash(*fields))


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The last link of a chain at a moment: exported daily outside the chain."""

    chain_id: str
    seq: int
    hash: str

    @classmethod
    def of(cls, event: Event) -> ChainHead:
        return cls(event.chain_id, event.seq, event.hash)


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """`checked` events passed; on failure `first_broken_seq` is the position (= expected seq) of the first bad link
    and `checked == first_broken_seq - 1`."""

    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str | None = None


def _broken(position: int, reason: str) -> VerifyResult:
    return VerifyResult(ok=False, checked=position - 1, first_broken_seq=position, reason=reason)


def verify_chain(
    events: Iterable[Event | Mapping[str, Any]],
    expected_head: ChainHead | None = None,
    *,
    allow_extension: bool = False,
) -> VerifyResult:
    """Check a chain end to end, in the order given, stopping at the first broken link.

    Events may be `Event`s or stored records (mappings as from `Event.to_record`). Streaming: one event is held at a
    time. With `expected_head`, the event at the head's seq must carry the head's hash; a chain that stops short is
    `truncated`. By default the chain must end exactly at the head (events past it are `head_mismatch`); with
    `allow_extension=True` events appended after the head was exported are accepted — they are then only as safe as
    their own links until the next export covers them.
    """
    chain_id = expected_head.chain_id if expected_head is not None else None
    prev: Event | None = None
    position = 0
    for raw in events:
        position += 1
        try:
            event = raw if isinstance(raw, Event) else Event.from_record(raw)
            recomputed = event.recomputed_hash()
        except (CanonicalError, TypeError, AttributeError):
            return _broken(position, MALFORMED)
        if chain_id is None:
            chain_id = event.chain_id
        if recomputed != event.hash:
            return _broken(position, HASH_MISMATCH)
        if event.chain_id != chain_id:
            return _broken(position, CHAIN_MISMATCH)
        if prev is None:
            if event.seq != 1 or event.prev_hash != GENESIS_HASH:
                return _broken(position, BAD_GENESIS)
        elif event.seq != prev.seq + 1:
            return _broken(position, SEQ_GAP)
        elif event.prev_hash != prev.hash:
            return _broken(position, PREV_HASH_MISMATCH)
        if expected_head is not None:
            if event.seq == expected_head.seq and event.hash != expected_head.hash:
                return _broken(position, HEAD_MISMATCH)
            if event.seq > expected_head.seq and not allow_extension:
                return _broken(position, HEAD_MISMATCH)
        prev = event
    if expected_head is not None and position < expected_head.seq:
        return _broken(position + 1, TRUNCATED)
    return VerifyResult(ok=True, checked=position)


# --- the daily export of heads -------------------------------------------------------------------------------------


def _head_line(head: ChainHead) -> bytes:
    return canonical({"chain_id": head.chain_id, "seq": head.seq, "hash": head.hash}) + b"\n"


def _heads_body(heads: Iterable[ChainHead]) -> bytes:
    ordered = sorted(heads, key=lambda h: h.chain_id)
    seen: set[str] = set()
    lines = [canonical({"format": HEADS_FORMAT, "v": CHAIN_VERSION, "count": len(ordered)}) + b"\n"]
    for head in ordered:
        _check_text("chain_id", head.chain_id)
        _check_seq(head.seq)
        _check_hex64("hash", head.hash)
        if head.chain_id in seen:
            raise HeadsFileError(f"two heads for chain {head.chain_id!r}")
        seen.add(head.chain_id)
        lines.append(_head_line(head))
    return b"".join(lines)


def heads_digest(heads: Iterable[ChainHead]) -> str:
    """The sha256 of the export body: the same for the same set of heads whatever their order. Keep it somewhere
    else again (a print-out, a message to the regulator, a second store) to make the export itself tamper-evident
    against someone able to rewrite the file and its trailer together."""
    return sha256_hex(_heads_body(heads))


def export_heads(heads: Iterable[ChainHead]) -> bytes:
    """A JSON-lines document: a header line, one canonical line per head (sorted by chain id), and a final
    ``{"sha256": ...}`` line over every byte before it."""
    body = _heads_body(heads)
    return body + canonical({"sha256": sha256_hex(body)}) + b"\n"


def parse_heads(data: bytes, expected_digest: str | None = None) -> list[ChainHead]:
    """The heads of an export, after checking its trailer digest (and `expected_digest`, kept elsewhere, if given).
    Raises HeadsFileError on anything off: bad trailer, digest mismatch, wrong header or count, malformed lines."""
    if not data.endswith(b"\n"):
        raise HeadsFileError("heads export must end with a newline")
    cut = data.rfind(b"\n", 0, len(data) - 1) + 1
    if cut == 0:
        raise HeadsFileError("heads export has no body")
    body, trailer_line = data[:cut], data[cut:-1]
    try:
        trailer = json.loads(trailer_line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise HeadsFileError("heads export trailer is not JSON") from None
    if not isinstance(trailer, dict) or set(trailer) != {"sha256"}:
        raise HeadsFileError('heads export trailer must be {"sha256": ...}')
    digest = sha256_hex(body)
    if trailer["sha256"] != digest:
        raise HeadsFileError("heads export digest does not match its content")
    if expected_digest is not None and expected_digest != digest:
        raise HeadsFileError("heads export digest does not match the digest kept elsewhere")
    try:
        header, *rows = (json.loads(line) for line in body.decode("utf-8").splitlines())
    except (UnicodeDecodeError, ValueError):
        raise HeadsFileError("heads export has a line that is not JSON") from None
    if header != {"format": HEADS_FORMAT, "v": CHAIN_VERSION, "count": len(rows)}:
        raise HeadsFileError("heads export header is wrong or its count does not match")
    heads = []
    for row in rows:
        if not isinstance(row, dict) or set(row) != {"chain_id", "seq", "hash"}:
            raise HeadsFileError(f"malformed head line: {row!r}")
        try:
            head = ChainHead(
                _check_text("chain_id", row["chain_id"]), _check_seq(row["seq"]), _check_hex64("hash", row["hash"])
            )
        except CanonicalError as exc:
            raise HeadsFileError(str(exc)) from None
        heads.append(head)
    if _heads_body(heads) != body:  # non-canonical lines, unsorted or duplicate chains
        raise HeadsFileError("heads export is not in canonical form")
    return heads


# --- the anchor ledger ---------------------------------------------------------------------------------------------
#
# Every appended event is anchored: (position, chain_id, seq, event_hash) in one ledger whose entries are chained
# like events are (anchor n points at the hash of anchor n-1, anchor 1 at GENESIS_HASH). A chain's newest anchor must
# be its head, so an event cut from a chain's tail, or a chain rewritten and re-hashed, disagrees with the ledger at
# once; cutting the ledger's own tail too breaks the exported heads (the ledger's head is exported as the chain
# LEDGER_CHAIN_ID) and the rows bound to the cut events.
#
#     anchor_hash = sha256(canonical({"v": 1, "position", "chain_id", "seq", "event_hash", "prev_hash"}))

LEDGER_CHAIN_ID = "~anchor-ledger"  # sorts after every real chain id in the heads export
LEDGER_BROKEN = "ledger_broken"  # an anchor does not hash, does not follow the one before, or a position is missing
NOT_ANCHORED = "not_anchored"  # the chain has events but no anchor
ANCHOR_MISMATCH = "anchor_mismatch"  # the chain's newest anchor is not its head: a tail was cut or rewritten
ANCHORED_CHAIN_GONE = "anchored_chain_gone"  # the ledger anchors a chain that has no events any more


def anchor_hash(position: int, chain_id: str, seq: int, event_hash: str, prev_hash: str) -> str:
    """The hash of one ledger entry (version 1)."""
    return sha256_hex(
        canonical(
            {
                "v": CHAIN_VERSION,
                "position": _check_seq(position),
                "chain_id": chain_id,
                "seq": _check_seq(seq),
                "event_hash": _check_hex64("event_hash", event_hash),
                "prev_hash": _check_hex64("prev_hash", prev_hash),
            }
        )
    )


@dataclass(frozen=True, slots=True)
class Anchor:
    """One sealed ledger entry."""

    position: int
    chain_id: str
    seq: int
    event_hash: str
    prev_hash: str
    anchor_hash: str


def verify_ledger(anchors: Iterable[Anchor], after: Anchor | None = None) -> int | None:
    """The position of the first bad entry of the ledger (in position order, continuing from `after`), or None."""
    prev = after
    for anchor in anchors:
        expected_position = prev.position + 1 if prev else 1
        expected_prev = prev.anchor_hash if prev else GENESIS_HASH
        try:
            recomputed = anchor_hash(anchor.position, anchor.chain_id, anchor.seq, anchor.event_hash, anchor.prev_hash)
        except CanonicalError:
            return expected_position
        if (
            anchor.position != expected_position
            or anchor.prev_hash != expected_prev
            or recomputed != anchor.anchor_hash
        ):
            return expected_position
        prev = anchor
    return None


# --- replaying a chain into the state of its rows ----------------------------------------------------------------


class ReplayFailed(ValueError):
    """An event of an intact chain does not follow the rules that made it (or cannot be read by them)."""

    def __init__(self, seq: int, reason: str) -> None:
        super().__init__(f"event {seq}: {reason}")
        self.seq = seq
        self.reason = reason


def replay_error(event: Event, error: Exception) -> ReplayFailed:
    """`error`, met replaying `event`, as a ReplayFailed naming the event."""
    if isinstance(error, ReplayFailed):
        return error
    return ReplayFailed(event.seq, f"{getattr(error, 'code', type(error).__name__)}: {error}")


def bound(event: Event) -> dict[str, Any]:
    """The binding columns of a row whose last event is `event`."""
    return {"chain_seq": event.seq, "chain_hash": event.hash}


def plain(value: Any) -> Any:
    """A stored value in the form a chain's payload holds it (dates and times as text), for comparing."""
    if isinstance(value, datetime) and (value.tzinfo is None or value.tzinfo.utcoffset(value) is None):
        value = value.replace(tzinfo=UTC)  # a driver that drops the zone of a UTC column
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return str(value)  # an enum member as its text
    return _plain(value)


def parse_time(value: Any) -> datetime | None:
    """A payload's RFC 3339 text back as an aware datetime (None stays None)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
