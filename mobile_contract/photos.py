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

    client_id: Annotated[
        ClientId,
        Meta(
            description="The phone's own key for this upload, unique per user; sending it again returns the same photo"
        ),
    ]
    taken_at: (
        Annotated[Time, Meta(description="When it was taken, RFC 3339 with an offset (null: the EXIF time, if any)")]
        | None
    ) = None
    lat: (
        Annotated[
            Latitude,
            Meta(description="Where it was taken: WGS 84 latitude in degrees (null: the EXIF position, if any)"),
        ]
        | None
    ) = None
    lng: (
        Annotated[
            Longitude,
            Meta(description="Where it was taken: WGS 84 longitude in degrees (null: the EXIF position, if any)"),
        ]
        | None
    ) = None
    device_id: Annotated[DeviceId, Meta(description="The phone's own stable id (empty: not given)")] = ""


class Photo(WireOut):
    """A stored photo (201 new to the caller, 200 the same bytes or `clientId` again) and where to get its three forms.

    `width` and `height` are upright (EXIF orientation applied); `takenAt`, `lat`, `lng` and `deviceId` are what the
    caller's own upload said, else its EXIF. `url` serves the original byte for byte, `displayUrl` a stamped JPEG of
    at most 1600 px and `thumbUrl` one of 320 px, both without metadata; they are made right after the upload and,
    if asked for sooner, while the phone waits, so they never answer "not ready". `phash` is a 64-bit dHash.
    """

    id: Annotated[str, Meta(description="The photo's id: cite it in `photoIds`")]
    sha256: Annotated[str, Meta(description="The SHA-256 of the original bytes, lowercase hex")]
    media_type: Annotated[str, Meta(description="The original's type: `image/jpeg`, `image/png` or `image/webp`")]
    size_bytes: Annotated[int, Meta(description="The original's size in bytes")]
    width: Annotated[int, Meta(description="Upright width in pixels (EXIF orientation applied)")]
    height: Annotated[int, Meta(description="Upright height in pixels (EXIF orientation applied)")]
    taken_at: Annotated[
        datetime | None,
        Meta(description="When it was taken, RFC 3339 UTC, as the upload or its EXIF said (null: unknown)"),
    ]
    lat: Annotated[
        float | None, Meta(description="WGS 84 latitude in degrees, as the upload or its EXIF said (null: unknown)")
    ]
    lng: Annotated[
        float | None, Meta(description="WGS 84 longitude in degrees, as the upload or its EXIF said (null: unknown)")
    ]
    device_id: Annotated[str, Meta(description="The device id the upload or its EXIF gave (empty: none)")]
    phash: Annotated[str, Meta(description="A 64-bit perceptual hash (dHash), hex, to spot reused photos")]
    uploaded_at: Annotated[datetime, Meta(description="When the server received it, RFC 3339 UTC")]
    url: Annotated[str, Meta(description="The original, byte for byte (a path on this server; send the bearer token)")]
    thumb_url: Annotated[str, Meta(description="A stamped JPEG of at most 320 px, without metadata")]
    display_url: Annotated[str, Meta(description="A stamped JPEG of at most 1600 px, without metadata")]
