"""Every statement on the photos area's tables: other modules call these functions and get typed records back.

Stores above this area (hazards) compose `sha256_sql` / `phash_sql` into their own statements instead of asking
for photos one by one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime

from domain.db.transactions import transaction
from domain.ids import new_id
from domain.photos.tables import Photo, PhotoUpload


@dataclass(frozen=True, slots=True)
class StoredPhoto:
    """A photo row: the bytes' facts, the first upload's capture account, and the derivatives' state."""

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
    enterprise_id: str | None
    uploaded_by: str
    phash: str
    derivatives_ready: bool
    stamped: bool
    derivatives_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoredUpload:
    """One upload of a photo: who sent it under which client key, and their own capture account."""

    id: str
    client_key: str
    photo_id: str
    user_id: str
    taken_at: datetime | None
    lat: float | None
    lng: float | None
    device_id: str
    uploaded_at: datetime


@dataclass(frozen=True, slots=True)
class UsablePhoto:
    """A photo a step may cite: its id, its bytes' hash and the enterprise it belongs with (None: not yet any)."""

    id: str
    sha256: str
    enterprise_id: str | None


@dataclass(frozen=True, slots=True)
class NewCapture:
    """The capture account an upload carries (time, place, device)."""

    taken_at: datetime | None
    lat: float | None
    lng: float | None
    device_id: str


def _photo(row: dict) -> StoredPhoto:
    return StoredPhoto(**{f.name: row[f.name] for f in fields(StoredPhoto)})


def _upload(row: dict) -> StoredUpload:
    return StoredUpload(**{f.name: row[f.name] for f in fields(StoredUpload)})


async def photo(photo_id: str) -> StoredPhoto | None:
    """One photo by id."""
    row = await Photo.select().where(Photo.id == photo_id).first().run()
    return _photo(row) if row else None


async def photo_by_sha256(sha256: str) -> StoredPhoto | None:
    """The photo of these bytes, if kept already."""
    row = await Photo.select().where(Photo.sha256 == sha256).first().run()
    return _photo(row) if row else None


async def kept_sha256s() -> set[str]:
    """The SHA-256 of every kept photo: the names of the files a row owns (the start-up sweep spares them)."""
    return {row["sha256"] for row in await Photo.select(Photo.sha256).run()}


async def upload_by_key(client_key: str) -> StoredUpload | None:
    """The upload a phone made under this client key, if any."""
    row = await PhotoUpload.select().where(PhotoUpload.client_key == client_key).first().run()
    return _upload(row) if row else None


async def has_uploaded(photo_id: str, user_id: str) -> bool:
    """True when the user sent these bytes (any upload of theirs)."""
    return await PhotoUpload.exists().where(PhotoUpload.photo_id == photo_id, PhotoUpload.user_id == user_id).run()


async def insert_photo_and_upload(
    *,
    client_key: str,
    capture: NewCapture,
    sha256: str,
    media_type: str,
    size_bytes: int,
    width: int,
    height: int,
    phash: str,
    enterprise_id: str | None,
    user_id: str,
    now: datetime,
    stamped: bool = False,
) -> tuple[StoredPhoto, StoredUpload, bool]:
    """The photo row (the first upload of these bytes makes it) and the caller's upload row, in one transaction;
    True when this call made the upload.

    Both inserts yield to the unique constraints (sha256, client_key) instead of failing, so two identical uploads
    racing end with one photo, and a phone's two racing retries with one upload.
    """
    account = {"taken_at": capture.taken_at, "lat": capture.lat, "lng": capture.lng, "device_id": capture.device_id}
    upload_id = new_id()
    async with transaction():
        await (
            Photo.insert(
                Photo(
                    id=new_id(),
                    sha256=sha256,
                    media_type=media_type,
                    size_bytes=size_bytes,
                    width=width,
                    height=height,
                    enterprise_id=enterprise_id,
                    uploaded_by=user_id,
                    phash=phash,
                    derivatives_ready=False,
                    derivatives_at=None,
                    created_at=now,
                    stamped=stamped,
                    **account,
                )
            )
            .on_conflict(target=Photo.sha256, action="DO NOTHING")
            .run()
        )
        kept = await Photo.select().where(Photo.sha256 == sha256).first().run()
        await (
            PhotoUpload.insert(
                PhotoUpload(
                    id=upload_id,
                    client_key=client_key,
                    photo_id=kept["id"],
                    user_id=user_id,
                    uploaded_at=now,
                    **account,
                )
            )
            .on_conflict(target=PhotoUpload.client_key, action="DO NOTHING")
            .run()
        )
        upload = await PhotoUpload.select().where(PhotoUpload.client_key == client_key).first().run()
    if upload["photo_id"] != kept["id"]:
        kept = await Photo.select().where(Photo.id == upload["photo_id"]).first().run()
    return _photo(kept), _upload(upload), upload["id"] == upload_id


async def mark_derivatives_ready(photo_id: str, at: datetime) -> None:
    """The display and thumb copies of the photo are made (in a transaction: on SQLite the one writer connection)."""
    async with transaction():
        await Photo.update({Photo.derivatives_ready: True, Photo.derivatives_at: at}).where(Photo.id == photo_id).run()


async def usable_photos(photo_ids: Iterable[str], *, user_id: str, enterprise_id: str) -> dict[str, UsablePhoto]:
    """Those of the photos the user uploaded or that belong with the enterprise already, by id (one statement)."""
    ids = sorted(set(photo_ids))
    if not ids:
        return {}
    uploaded_by_user = PhotoUpload.select(PhotoUpload.photo_id).where(
        PhotoUpload.photo_id.is_in(ids), PhotoUpload.user_id == user_id
    )
    rows = (
        await Photo.select(Photo.id, Photo.sha256, Photo.enterprise_id)
        .where(Photo.id.is_in(ids), (Photo.enterprise_id == enterprise_id) | Photo.id.is_in(uploaded_by_user))
        .run()
    )
    return {row["id"]: UsablePhoto(row["id"], row["sha256"], row["enterprise_id"]) for row in rows}


async def adopt_photos(photo_ids: Iterable[str], enterprise_id: str) -> None:
    """Photos that belong with no enterprise yet (an inspector's) now belong with this one (in the caller's
    transaction): their scope follows the evidence they became."""
    ids = sorted(set(photo_ids))
    if ids:
        await (
            Photo.update({Photo.enterprise_id: enterprise_id})
            .where(Photo.id.is_in(ids), Photo.enterprise_id.is_null())
            .run()
        )


async def phashes(photo_ids: Iterable[str]) -> list[tuple[str, str]]:
    """(photo id, 64-bit dHash as hex) of those of the photos that exist."""
    ids = sorted(set(photo_ids))
    if not ids:
        return []
    rows = await Photo.select(Photo.id, Photo.phash).where(Photo.id.is_in(ids)).run()
    return [(row["id"], row["phash"]) for row in rows]


# --- fragments other stores compose ----------------------------------------------------------------------------------


def sha256_sql(photo_id: str) -> str:
    """A scalar subquery: the SHA-256 of the photo whose id is the SQL expression `photo_id`."""
    return f"(SELECT sha256 FROM photo WHERE id = {photo_id})"


def phash_sql(photo_id: str) -> str:
    """A scalar subquery: the dHash of the photo whose id is the SQL expression `photo_id`."""
    return f"(SELECT phash FROM photo WHERE id = {photo_id})"


async def uploaded_sha256s(photo_ids: Iterable[str], *, user_id: str) -> dict[str, str]:
    """Photo id → SHA-256, of those of the photos this user uploaded (another's photo is left out, like a missing
    one)."""
    ids = list(photo_ids)
    if not ids:
        return {}
    rows = (
        await PhotoUpload.select(PhotoUpload.photo_id, PhotoUpload.photo_id.join_on(Photo.id).sha256.as_alias("sha256"))
        .where(PhotoUpload.photo_id.is_in(ids), PhotoUpload.user_id == user_id)
        .run()
    )
    return {row["photo_id"]: row["sha256"] for row in rows}
