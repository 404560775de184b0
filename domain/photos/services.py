"""Use cases of photo evidence: keep an upload, serve it to those in scope, make its derivatives, find reused photos.

Who may see a photo (anyone else gets NotFound, exactly like a missing id): whoever uploaded those bytes (any
PhotoUpload of theirs); anyone whose enterprise scope holds the photo's enterprise (the uploader's, or that of the
hazard that first took an inspector's photo) or the enterprise of any hazard it is attached to; the regulators and
grid inspectors who see a public report it belongs to; administrators.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from domain.access.model import Actor, Role
from domain.clock import utcnow
from domain.config import Settings
from domain.db.transactions import transaction
from domain.errors import NotFound
from domain.org.store import any_enterprise_visible, enterprise_names
from domain.photos import images, redaction, storage, store
from domain.photos.budget import budget_for
from domain.photos.links import LINKS
from domain.risk.store import risk_point_names

log = logging.getLogger("shuangfang.photos")

DERIVATIVES_JOB = "make_photo_derivatives"


class JobQueue(Protocol):
    """Where follow-up work goes: arq, or tasks in this process (workers.dispatch.Dispatcher is both)."""

    async def enqueue(self, job_name: str, *args: Any, job_id: str | None = None) -> None:
        """Run the named job with these arguments soon; a job id already queued is not queued twice."""


@dataclass(frozen=True, slots=True)
class CaptureForm:
    """What the phone says about an upload: its client id (the retry key) and the capture time, place and device."""

    client_id: str
    taken_at: datetime | None = None
    lat: float | None = None
    lng: float | None = None
    device_id: str = ""


@dataclass(frozen=True, slots=True)
class PhotoRecord:
    """A stored photo; the capture fields are those of the caller's own upload (another uploader's stay theirs)."""

    id: str
    sha256: str
    media_type: str
    size_bytes: int
    width: int
    height: int
    taken_at: datetime | None
    lat: float | None
    lng: float | None
    device_id: str
    phash: str
    uploaded_at: datetime


@dataclass(frozen=True, slots=True)
class PhotoFile:
    """A file to send: where it is (a local path, or a short-lived signed URL on object storage), its content type
    and its entity tag."""

    path: Path | None
    media_type: str
    etag: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    """An after-photo that looks like an earlier photo: the one attached to `hazard_id` as `stage`."""

    photo_id: str
    matches_photo_id: str
    hazard_id: str
    stage: str
    distance: int


class Photos:
    """Photo evidence for one configuration: the photo folder, the caps, and the queue derivatives go to."""

    def __init__(self, settings: Settings, queue: JobQueue | None = None) -> None:
        self.root = settings.photo_dir
        self.objects = storage.object_store(settings)
        self.max_bytes = settings.photo_max_bytes
        self.max_pixels = settings.photo_max_pixels
        self.queue = queue
        # one per process, whatever number of services the requests make: the memory it guards is the process's
        self.decode_budget = budget_for(settings.photo_decode_budget_bytes, settings.photo_decode_wait_s)
        images.limit_pillow(settings.photo_max_pixels)

    def incoming(self) -> storage.Incoming:
        """A place for an upload to stream into, capped at `photo_max_bytes`; use it as a context manager."""
        return storage.Incoming(self.root, self.max_bytes)

    async def accept(
        self, *, actor: Actor, incoming: storage.Incoming, form: CaptureForm, now: datetime | None = None
    ) -> tuple[PhotoRecord, bool]:
        """Check and keep an arrived upload; True when new to the caller (same clientId or seen bytes → False)."""
        now = now or utcnow()
        client_key = f"{actor.user_id}:{form.client_id}"
        if (earlier := await store.upload_by_key(client_key)) is not None:
            incoming.discard()  # a retry: its bytes were judged the first time
            return await _record_of(earlier), False
        incoming.finish()
        inspected = await asyncio.to_thread(
            images.inspect_photo, incoming.path, max_pixels=self.max_pixels, budget=self.decode_budget
        )
        existing = await store.photo_by_sha256(incoming.sha256)
        seen_before = existing is not None and await _may_see(actor, existing)
        size_bytes = incoming.size
        await asyncio.to_thread(self.objects.keep, incoming, storage.original_key(incoming.sha256))
        photo, upload, new_upload = await _insert(
            actor, client_key, _capture(form, inspected), inspected, incoming.sha256, size_bytes, now
        )
        if not photo.derivatives_ready:
            await self._enqueue_derivatives(photo.id)
        return _record(photo, upload), new_upload and not seen_before

    async def add_bytes(
        self, *, actor: Actor, data: bytes, form: CaptureForm, now: datetime | None = None
    ) -> tuple[PhotoRecord, bool]:
        """Accept a photo held in memory (seeding, imports): the same checks and storage as an upload."""
        with self.incoming() as incoming:
            incoming.write(data)
            return await self.accept(actor=actor, incoming=incoming, form=form, now=now)

    async def original(self, *, actor: Actor, photo_id: str) -> PhotoFile:
        """The original as uploaded, byte for byte, for a caller who may see it."""
        photo = await _visible(actor, photo_id)
        if actor.role in (Role.OFFICER, Role.PRINCIPAL) and await LINKS.is_report_photo(photo_id):
            # A whistleblower's original keeps its EXIF (camera, serial, time, place): the enterprise a hazard made
            # from the report is about gets the stamped display and thumbnail copies only, which carry no metadata.
            raise NotFound("no such photo", entity="photo", id=photo_id)
        return await self._file(storage.original_key(photo.sha256), photo.media_type, photo.sha256)

    async def derivative(self, *, actor: Actor, photo_id: str, kind: storage.Kind) -> PhotoFile:
        """The display or thumb copy, made here and now if the job has not made it yet (the phone never waits on it)."""
        photo = await _visible(actor, photo_id)
        key = storage.derivative_key(kind, photo.sha256)
        version = await asyncio.to_thread(self.objects.version, key)
        if version is None:
            await self.make_derivatives(photo_id)
            version = await asyncio.to_thread(self.objects.version, key)
        # Re-made derivatives (a new stamp) get a new tag; the original's hash alone would not change.
        return await self._file(key, "image/jpeg", f"{photo.sha256[:32]}-{kind}-{version}")

    async def _file(self, key: str, media_type: str, etag: str) -> PhotoFile:
        """The object to send: a signed URL on object storage, else the local file."""
        url = await asyncio.to_thread(self.objects.signed_url, key, media_type=media_type)
        if url is not None:
            return PhotoFile(None, media_type, etag, url)
        return PhotoFile(storage.LocalFolder(self.root).path(key), media_type, etag)

    async def make_derivatives(self, photo_id: str) -> bool:
        """Render the display and thumb copies again from the original and mark them ready; False if no such photo."""
        # Read in a transaction: on SQLite the shared reader connection may still hold a snapshot from before the
        # upload committed, while the writer connection always sees the latest (see domain/db/engine.py).
        async with transaction():
            photo = await store.photo(photo_id)
            if photo is None:
                return False
            if photo.derivatives_ready and await asyncio.to_thread(self._derivatives_exist, photo.sha256):
                return True  # made already: making them again would only restamp the same copies
            place, enterprise = await _stamp_context(photo)
        # a copy that carries its stamp already (see keep_enterprise_copy) is not stamped twice
        lines = (
            ()
            if photo.stamped
            else images.stamp_lines(
                taken_at=photo.taken_at,
                uploaded_at=photo.created_at,
                lat=photo.lat,
                lng=photo.lng,
                place=place,
                enterprise=enterprise,
            )
        )
        display, thumb = await asyncio.to_thread(self._render, photo.sha256, lines)
        for kind, data in (("display", display), ("thumb", thumb)):
            await asyncio.to_thread(self.objects.put, storage.derivative_key(kind, photo.sha256), data)
        await store.mark_derivatives_ready(photo_id, utcnow())
        return True

    async def keep_enterprise_copy(
        self, *, actor: Actor, photo_id: str, client_id: str, enterprise_name: str, accepted_at: datetime
    ) -> PhotoRecord:
        """A new photo for the enterprise a public report is about, derived from one of the report's photos: new
        bytes (re-encoded, no metadata) stamped with the enterprise and the acceptance date, kept as the caller's
        upload under `client_id`, with no capture time, place or device. The original stays the regulators'."""
        source = await store.photo(photo_id)
        if source is None:
            raise NotFound("no such photo", entity="photo", id=photo_id)
        lines = redaction.enterprise_stamp(enterprise=enterprise_name, accepted_at=accepted_at)
        data = await asyncio.to_thread(self._redacted, source.sha256, lines)
        client_key = f"{actor.user_id}:{client_id}"
        with self.incoming() as incoming:
            incoming.write(data)
            incoming.finish()
            inspected = await asyncio.to_thread(
                images.inspect_photo, incoming.path, max_pixels=self.max_pixels, budget=self.decode_budget
            )
            sha256, size_bytes = incoming.sha256, incoming.size
            await asyncio.to_thread(self.objects.keep, incoming, storage.original_key(sha256))
        photo, upload, _ = await _insert(
            actor, client_key, CaptureForm(client_id), inspected, sha256, size_bytes, accepted_at, stamped=True
        )
        return _record(photo, upload)

    def _derivatives_exist(self, sha256: str) -> bool:
        return all(
            self.objects.version(storage.derivative_key(kind, sha256)) is not None for kind in ("display", "thumb")
        )

    def _render(self, sha256: str, lines: tuple[str, ...]) -> tuple[bytes, bytes]:
        with self.objects.local_copy(storage.original_key(sha256)) as original:
            return images.render_derivatives(original, lines, budget=self.decode_budget)

    def _redacted(self, sha256: str, lines: tuple[str, ...]) -> bytes:
        with self.objects.local_copy(storage.original_key(sha256)) as original:
            return redaction.redacted_copy(original, lines, budget=self.decode_budget)

    async def _enqueue_derivatives(self, photo_id: str) -> None:
        if self.queue is None:
            return
        try:
            await self.queue.enqueue(DERIVATIVES_JOB, photo_id, job_id=f"{DERIVATIVES_JOB}:{photo_id}")
        except Exception as error:  # the photo is kept either way, and its derivatives are made on first request
            log.error("could not queue the derivatives of photo %s: %r", photo_id, error)


# --- reading and writing rows --------------------------------------------------------------------------------------


def _capture(form: CaptureForm, inspected: images.Inspected) -> CaptureForm:
    """The form's capture fields, each missing one taken from the EXIF (a position only as a whole pair)."""
    lat, lng = (form.lat, form.lng) if form.lat is not None and form.lng is not None else (inspected.lat, inspected.lng)
    return CaptureForm(form.client_id, form.taken_at or inspected.taken_at, lat, lng, form.device_id)


async def _insert(
    actor: Actor,
    client_key: str,
    capture: CaptureForm,
    inspected: images.Inspected,
    sha256: str,
    size_bytes: int,
    now: datetime,
    *,
    stamped: bool = False,
) -> tuple[store.StoredPhoto, store.StoredUpload, bool]:
    """The photo row (the first upload of these bytes makes it) and the caller's upload row, in one transaction."""
    return await store.insert_photo_and_upload(
        client_key=client_key,
        capture=store.NewCapture(capture.taken_at, capture.lat, capture.lng, capture.device_id),
        sha256=sha256,
        media_type=inspected.media_type,
        size_bytes=size_bytes,
        width=inspected.width,
        height=inspected.height,
        phash=inspected.phash,
        enterprise_id=actor.enterprise_id,
        user_id=actor.user_id,
        now=now,
        stamped=stamped,
    )


async def _record_of(upload: store.StoredUpload) -> PhotoRecord:
    photo = await store.photo(upload.photo_id)
    assert photo is not None  # an upload row names a kept photo
    return _record(photo, upload)


def _record(photo: store.StoredPhoto, upload: store.StoredUpload) -> PhotoRecord:
    return PhotoRecord(
        id=photo.id,
        sha256=photo.sha256,
        media_type=photo.media_type,
        size_bytes=photo.size_bytes,
        width=photo.width,
        height=photo.height,
        taken_at=upload.taken_at,
        lat=_metre(upload.lat),
        lng=_metre(upload.lng),
        device_id=upload.device_id,
        phash=photo.phash,
        uploaded_at=upload.uploaded_at,
    )


def _metre(degrees: float | None) -> float | None:
    # REAL columns keep about a metre on PostgreSQL: show 30.01, not the 30.010000228881836 it reads back as.
    return None if degrees is None else round(degrees, 5)


async def _visible(actor: Actor, photo_id: str) -> store.StoredPhoto:
    photo = await store.photo(photo_id)
    if photo is None or not await _may_see(actor, photo):
        raise NotFound("no such photo", entity="photo", id=photo_id)
    return photo


async def _may_see(actor: Actor, photo: store.StoredPhoto) -> bool:
    """The module's access rule, cheapest test first."""
    if actor.role is Role.ADMIN or photo.uploaded_by == actor.user_id:
        return True
    if await store.has_uploaded(photo.id, actor.user_id):
        return True
    held_by = await LINKS.enterprises_holding(photo.id)
    enterprise_ids = sorted({photo.enterprise_id, *held_by} - {None})
    if await any_enterprise_visible(actor, enterprise_ids):
        return True
    # a public report's photo: its regulators and grid inspectors (never the enterprise, until a hazard carries it)
    return await LINKS.on_visible_report(actor, photo.id)


async def _stamp_context(photo: store.StoredPhoto) -> tuple[str, str]:
    """(place, enterprise name) for the stamp: the risk point and enterprise of the first hazard it is attached to."""
    attached = await LINKS.first_attachment(photo.id)
    enterprise_id = photo.enterprise_id or (attached.enterprise_id if attached else None)
    point_id = attached.risk_point_id if attached else None
    enterprise = (await enterprise_names([enterprise_id])).get(enterprise_id, "") if enterprise_id else ""
    place = (await risk_point_names([point_id])).get(point_id, "") if point_id else ""
    return place, enterprise
