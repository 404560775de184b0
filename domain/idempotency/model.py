"""The `Idempotency-Key` rules that need no database: valid keys, record ids, request fingerprints, what is kept."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from domain.errors import Conflict, InvalidInput

MAX_KEY_LENGTH = 255
# Statuses that describe the moment rather than the request (a timeout, a race, a lock, a rate limit): a retry
# under the same key must be allowed to run again, so they are never replayed.
TRANSIENT_STATUSES = frozenset({408, 409, 423, 425, 429})


class IdempotencyKeyInvalid(InvalidInput):
    """The header is empty, longer than 255 characters, not printable ASCII, or sent twice."""

    code = "IDEMPOTENCY_KEY_INVALID"


class IdempotencyKeyReused(InvalidInput):
    """The key already answered a request with another method, path, query or body."""

    code = "IDEMPOTENCY_KEY_REUSED"


class IdempotencyRequestInFlight(Conflict):
    """The first request under this key has not finished yet."""

    code = "IDEMPOTENCY_REQUEST_IN_FLIGHT"


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """A response as it was sent: status, raw header pairs and body bytes."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


def checked_key(values: list[bytes]) -> bytes | None:
    """The key of a request's `Idempotency-Key` header values; None when it has none."""
    if not values:
        return None
    if len(values) > 1:
        raise IdempotencyKeyInvalid("send one Idempotency-Key header")
    key = values[0]
    if not 1 <= len(key) <= MAX_KEY_LENGTH or any(not 0x20 <= byte <= 0x7E for byte in key):
        raise IdempotencyKeyInvalid(f"an Idempotency-Key is 1 to {MAX_KEY_LENGTH} printable ASCII characters")
    return key


def record_id(*, user_id: str, method: str, path: str, key: bytes) -> str:
    """sha256 of (user, method, path, key): one caller's key never meets another's, nor another endpoint's."""
    return hashlib.sha256(json.dumps([user_id, method, path, key.decode("ascii")]).encode()).hexdigest()


def request_fingerprint(*, method: str, path: str, query: bytes) -> hashlib._Hash:
    """A sha256 already fed the method, path and query; the caller feeds it the body as it streams."""
    # The JSON array ends unambiguously, so no body can be mistaken for part of the URL.
    return hashlib.sha256(json.dumps([method, path, query.decode("latin-1")]).encode())


def is_replayable(response: StoredResponse) -> bool:
    """A final answer (2xx–4xx) is kept for replays; a server error, or a 'try again', must let a retry run."""
    if not 200 <= response.status < 500 or response.status in TRANSIENT_STATUSES:
        return False
    return not any(name.lower() == b"retry-after" for name, _ in response.headers)


def replay(response: StoredResponse, *, stored_hash: str, request_hash: str | None) -> StoredResponse:
    """The stored response, if this request is the one that produced it."""
    if request_hash != stored_hash:
        raise IdempotencyKeyReused("this Idempotency-Key was used for a different request")
    return response


@dataclass(frozen=True, slots=True)
class Attempt:
    """This request owns the key: it runs, then finishes or abandons the record."""

    record_id: str
    # Identifies this attempt: a late finish of an attempt whose lease passed never touches its successor's row.
    started_at: datetime


@dataclass(frozen=True, slots=True)
class Completed:
    """The key already answered: the fingerprint of the request it answered, and the response it gave."""

    request_hash: str
    response: StoredResponse
