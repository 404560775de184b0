"""The phone's offline queue: work done without coverage, kept in a JSON file, replayed through the batch on return.

Photos are kept as files beside the queue and uploaded first on return (an upload is idempotent by its clientId and
its bytes), because the batch carries no photo bytes; an operation names a photo it needs by `photo_ref(clientId)`
until then, and the reference is swapped for the server's id just before the batch is sent. Operations keep their
`opId` for good: sending them again, in part or whole, changes nothing further on the server.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec

from mobile_contract.client import Client
from mobile_contract.sync import MAX_OPS, Payload, SyncOp, SyncOpResult, op

PHOTO_REF = "localPhoto:"


def photo_ref(client_id: str) -> str:
    """What a queued operation carries in place of a photo id it does not know yet."""
    return PHOTO_REF + client_id


class QueuedPhoto(msgspec.Struct, rename="camel", kw_only=True):
    """A photo taken offline: its file (beside the queue) and what the upload form says of it."""

    client_id: str
    file: str
    taken_at: datetime | None = None
    lat: float | None = None
    lng: float | None = None


class QueueState(msgspec.Struct, rename="camel", kw_only=True):
    """The queue file: photos not yet uploaded, operations not yet answered for good, and what is known of both."""

    photos: list[QueuedPhoto] = []
    ops: list[SyncOp] = []
    photo_ids: dict[str, str] = {}  # clientId → the server's id, once uploaded
    results: dict[str, SyncOpResult] = {}  # opId → the final result


class OfflineQueue:
    """A queue kept in `path` (written whole, atomically, after every change), so a killed app loses nothing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.folder = path.with_suffix(".photos")
        self.state = msgspec.json.decode(path.read_bytes(), type=QueueState) if path.exists() else QueueState()

    def _save(self) -> None:
        draft = self.path.with_suffix(".tmp")
        draft.write_bytes(msgspec.json.encode(self.state))
        os.replace(draft, self.path)

    @property
    def pending(self) -> list[SyncOp]:
        """Operations without a final result yet, in the order queued."""
        return [queued for queued in self.state.ops if queued.op_id not in self.state.results]

    def add_photo(
        self,
        data: bytes,
        *,
        client_id: str,
        taken_at: datetime | None = None,
        lat: float | None = None,
        lng: float | None = None,
    ) -> str:
        """Keep a photo taken offline; the reference an operation uses for it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / f"{client_id}.jpg").write_bytes(data)
        self.state.photos.append(
            QueuedPhoto(client_id=client_id, file=f"{client_id}.jpg", taken_at=taken_at, lat=lat, lng=lng)
        )
        self._save()
        return photo_ref(client_id)

    def add(self, op_id: str, payload: Payload) -> SyncOp:
        """Queue an operation under its opId."""
        queued = op(op_id, payload)
        self.state.ops.append(queued)
        self._save()
        return queued

    async def upload_photos(self, client: Client) -> int:
        """Upload every photo not yet uploaded; how many this call uploaded."""
        uploaded = 0
        for photo in self.state.photos:
            if photo.client_id in self.state.photo_ids:
                continue
            data = (self.folder / photo.file).read_bytes()
            stored, _ = await client.upload_photo(
                data, client_id=photo.client_id, taken_at=photo.taken_at, lat=photo.lat, lng=photo.lng
            )
            self.state.photo_ids[photo.client_id] = stored.id
            self._save()
            uploaded += 1
        return uploaded

    def resolved(self, queued: SyncOp) -> SyncOp:
        """The operation with every photo reference replaced by the uploaded photo's id."""
        return msgspec.structs.replace(queued, payload=_swap_refs(queued.payload, self.state.photo_ids))

    async def replay(self, client: Client, ops: list[SyncOp] | None = None) -> list[SyncOpResult]:
        """Upload the photos, then send `ops` (default: the pending ones) in batches; keep every final result."""
        await self.upload_photos(client)
        chosen = self.pending if ops is None else ops
        results: list[SyncOpResult] = []
        for start in range(0, len(chosen), MAX_OPS):
            answered = await client.sync_batch([self.resolved(q) for q in chosen[start : start + MAX_OPS]])
            for result in answered.results:
                if not result.retryable:
                    self.state.results[result.op_id] = result
            results += answered.results
            self._save()
        return results


def _swap_refs(value: Any, photo_ids: dict[str, str]) -> Any:
    if isinstance(value, str) and value.startswith(PHOTO_REF):
        client_id = value.removeprefix(PHOTO_REF)
        if client_id not in photo_ids:
            raise LookupError(f"the photo {client_id!r} is not uploaded yet")
        return photo_ids[client_id]
    if isinstance(value, list):
        return [_swap_refs(item, photo_ids) for item in value]
    if isinstance(value, dict):
        return {key: _swap_refs(item, photo_ids) for key, item in value.items()}
    return value
