"""Piccolo tables of photo evidence: one row per distinct file (addressed by its SHA-256), one per upload of it."""

from __future__ import annotations

from piccolo.columns import Boolean, Integer, Real, Timestamptz, Varchar
from piccolo.table import Table


class Photo(Table, tablename="photo"):
    """A stored original, kept byte for byte under its SHA-256; the same bytes are one photo."""

    id = Varchar(length=26, primary_key=True)
    sha256 = Varchar(length=64, unique=True)
    media_type = Varchar(length=32)
    size_bytes = Integer()
    width = Integer()
    height = Integer()
    # What the phone said about the capture (the first upload's account; later uploads are in PhotoUpload).
    taken_at = Timestamptz(null=True, default=None)
    lat = Real(null=True, default=None)
    lng = Real(null=True, default=None)
    device_id = Varchar(length=128, default="")
    # The enterprise the uploader acts for (null for inspectors and regulators until the photo is attached).
    enterprise_id = Varchar(length=26, null=True, default=None, index=True)
    uploaded_by = Varchar(length=26, index=True)
    # 64-bit difference hash (hex) of the normalised image: near-duplicates differ in few bits.
    phash = Varchar(length=16, default="")
    derivatives_ready = Boolean(default=False)
    # The original carries its stamp already (a copy derived for an enterprise from a public report's photo):
    # its display copy is not stamped a second time.
    stamped = Boolean(default=False)
    derivatives_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class PhotoUpload(Table, tablename="photo_upload"):
    """Who sent which bytes under which client id: the key of an idempotent upload and its access record."""

    id = Varchar(length=26, primary_key=True)
    # "<user id>:<client id>", unique: the same client id from the same user is the same upload.
    client_key = Varchar(length=100, unique=True)
    photo_id = Varchar(length=26, index=True)
    user_id = Varchar(length=26, index=True)
    taken_at = Timestamptz(null=True, default=None)
    lat = Real(null=True, default=None)
    lng = Real(null=True, default=None)
    device_id = Varchar(length=128, default="")
    uploaded_at = Timestamptz()
