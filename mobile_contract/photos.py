"""Photo evidence on the wire: the fields of `POST /v1/photos` (multipart) and the photo it answers with."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import Meta

from mobile_contract.base import Latitude, Longitude, Wire, WireOut
from mobile_contract.hazards import ClientId, Time

DeviceId = Annotated[str, Meta(max_length=128)]


class PhotoUploadFields(Wire):
    """The text parts of `POST /v1/photos` beside the `file` part; the same `clientId` again → the same photo."""

    client_id: ClientId
    taken_at: Time | None = None
    lat: Latitude | None = None
    lng: Longitude | None = None
    device_id: DeviceId = ""


class Photo(WireOut):
    """A stored photo (201 new to the caller, 200 the same bytes or `clientId` again) and where to get its three forms.

    `width` and `height` are upright (EXIF orientation applied); `takenAt`, `lat`, `lng` and `deviceId` are what the
    caller's own upload said, else its EXIF. `url` serves the original byte for byte, `displayUrl` a stamped JPEG of
    at most 1600 px and `thumbUrl` one of 320 px, both without metadata; they are made right after the upload and,
    if asked for sooner, while the phone waits, so they never answer "not ready". `phash` is a 64-bit dHash.
    """

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
    url: str
    thumb_url: str
    display_url: str
