"""Photo evidence: upload (streamed to disk as it arrives), the original, and the display and thumb copies."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.response import File
from litestar.status_codes import HTTP_304_NOT_MODIFIED, HTTP_307_TEMPORARY_REDIRECT, HTTP_415_UNSUPPORTED_MEDIA_TYPE

from api.multipart import FORM_ALLOWANCE, STORAGE_FULL_RESPONSE, malformed, stream_form
from domain.access.model import Actor
from domain.photos.images import MEDIA_TYPES, PhotoTooLarge
from domain.photos.services import CaptureForm, PhotoFile, PhotoRecord, Photos
from domain.photos.storage import Incoming
from mobile_contract import photos as wire

# The route's own bound; the configured cap (`SF_PHOTO_MAX_BYTES`, at most 60 MiB) is enforced while the body streams.
UPLOAD_BODY_LIMIT = 64 * 1024 * 1024
# An original never changes under its id (it is named by its hash); a derivative may be re-made with a new stamp.
ORIGINAL_CACHE = "private, max-age=31536000, immutable"
DERIVATIVE_CACHE = "private, max-age=86400"
# What a download answers on object storage (`redirect_to_signed`), documented on each download route.
SIGNED_REDIRECT_RESPONSE = ResponseSpec(
    None,
    description="On object storage (SF_STORAGE=s3): the caller may see it; `Location` is a signed URL of the file "
    "in the bucket, valid a few minutes (follow it without this API's Authorization header)",
)


@dataclass
class _UploadOperation(Operation):
    """The upload's body in the OpenAPI document: the handler streams it itself, so Litestar cannot describe it."""

    def __post_init__(self) -> None:
        text, number = OpenAPIType.STRING, OpenAPIType.NUMBER
        fields = {
            "file": Schema(
                type=text, format=OpenAPIFormat.BINARY, description="JPEG, PNG or WebP, judged by its bytes"
            ),
            "clientId": Schema(type=text, max_length=64, pattern=r"^[0-9A-Za-z_.:-]+$", description="the retry key"),
            "takenAt": Schema(type=text, format=OpenAPIFormat.DATE_TIME, description="RFC 3339 with an offset"),
            "lat": Schema(type=number, minimum=-90, maximum=90),
            "lng": Schema(type=number, minimum=-180, maximum=180),
            "deviceId": Schema(type=text, max_length=128),
        }
        # The text parts decode into a `Wire` struct, which refuses a part it does not know (400).
        form = Schema(
            type=OpenAPIType.OBJECT, properties=fields, required=["file", "clientId"], additional_properties=False
        )
        self.request_body = RequestBody(content={"multipart/form-data": OpenAPIMediaType(schema=form)}, required=True)


async def receive_upload(request: Request, incoming: Incoming) -> CaptureForm:
    """Stream a multipart body: the `file` part into `incoming` (hashed and capped as it comes), the rest as fields."""
    media_type, options = request.content_type
    if media_type != "multipart/form-data" or not options.get("boundary"):
        raise HTTPException("send the photo as multipart/form-data", status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE)
    if (request.content_length or 0) > incoming.max_bytes + FORM_ALLOWANCE:
        raise PhotoTooLarge(f"the photo is larger than {incoming.max_bytes} bytes", max_bytes=incoming.max_bytes)
    fields, _ = await stream_form(request, options["boundary"], incoming)
    try:
        form = msgspec.convert(fields, wire.PhotoUploadFields, strict=False)
    except msgspec.ValidationError as error:
        raise malformed(str(error)) from None
    return CaptureForm(form.client_id, form.taken_at, form.lat, form.lng, form.device_id)


def presented(record: PhotoRecord) -> wire.Photo:
    """A stored photo as the contract shows it, with the addresses of its three forms."""
    url = f"/v1/photos/{record.id}"
    fields = {name: getattr(record, name) for name in PhotoRecord.__dataclass_fields__}
    return wire.Photo(**fields, url=url, thumb_url=f"{url}/thumb", display_url=f"{url}/display")


def send_file(request: Request, found: PhotoFile, cache: str) -> Response:
    """The file with its ETag and caching; 304 when the phone already holds this version (If-None-Match); on object
    storage a redirect to a short-lived signed URL (see `redirect_to_signed`)."""
    etag = f'"{found.etag}"'
    headers = {"ETag": etag, "Cache-Control": cache, "X-Content-Type-Options": "nosniff"}
    wanted = {tag.strip().removeprefix("W/") for tag in request.headers.get("if-none-match", "").split(",")}
    if etag in wanted or "*" in wanted:
        return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
    if found.url is not None:
        return redirect_to_signed(found.url, etag)
    # The sandbox keeps a browser that opens an original from running anything in it, whatever it hides.
    headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return File(found.path, media_type=found.media_type, content_disposition_type="inline", headers=headers)


def redirect_to_signed(url: str, etag: str) -> Response:
    """307 to the object store's signed GET, after this API has checked who asks: the bytes go from the bucket to
    the client without passing through an API process, and the URLs in the contract stay the same. The redirect
    itself is never cached (its URL expires); the tag still lets a client skip it with If-None-Match."""
    headers = {"Location": url, "ETag": etag, "Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}
    return Response(b"", status_code=HTTP_307_TEMPORARY_REDIRECT, headers=headers)


class PhotoController(Controller):
    """`/v1/photos`, `/v1/photos/{id}`, `/v1/photos/{id}/display`, `/v1/photos/{id}/thumb`."""

    path = "/v1/photos"
    tags = ["photos"]

    @post(
        "/",
        summary="Upload a photo (multipart: file, clientId, takenAt?, lat?, lng?, deviceId?); same bytes → same photo",
        request_max_body_size=UPLOAD_BODY_LIMIT,
        operation_class=_UploadOperation,
        responses={
            200: ResponseSpec(wire.Photo, description="The same bytes or the same clientId again"),
            507: STORAGE_FULL_RESPONSE,
        },
    )
    async def upload(self, actor: Actor, photos: Photos, request: Request) -> Response[wire.Photo]:
        """A photo as multipart, streamed to disk and judged by its bytes (JPEG, PNG or WebP); the same bytes or `clientId` again → 200 and the same photo."""
        with photos.incoming() as incoming:
            form = await receive_upload(request, incoming)
            record, created = await photos.accept(actor=actor, incoming=incoming, form=form)
        return Response(presented(record), status_code=201 if created else 200)

    @get(
        "/{photo_id:str}",
        summary="The original, byte for byte",
        media_type="application/octet-stream",
        opt={"response_media_types": tuple(MEDIA_TYPES.values())},  # documented as the types it is sent with
        responses={307: SIGNED_REDIRECT_RESPONSE},
    )
    async def original(self, actor: Actor, photos: Photos, request: Request, photo_id: str) -> Response:
        """The photo as uploaded, byte for byte, in its own type; immutable, so it may be cached forever (ETag, 304)."""
        return send_file(request, await photos.original(actor=actor, photo_id=photo_id), ORIGINAL_CACHE)

    @get(
        "/{photo_id:str}/display",
        summary="The display copy (JPEG, stamped with time, place, enterprise)",
        media_type="image/jpeg",
        responses={307: SIGNED_REDIRECT_RESPONSE},
    )
    async def display(self, actor: Actor, photos: Photos, request: Request, photo_id: str) -> Response:
        """The display copy: a JPEG stamped with the time, place and enterprise of the capture."""
        return send_file(
            request, await photos.derivative(actor=actor, photo_id=photo_id, kind="display"), DERIVATIVE_CACHE
        )

    @get(
        "/{photo_id:str}/thumb",
        summary="The thumbnail (JPEG)",
        media_type="image/jpeg",
        responses={307: SIGNED_REDIRECT_RESPONSE},
    )
    async def thumb(self, actor: Actor, photos: Photos, request: Request, photo_id: str) -> Response:
        """A small JPEG for lists."""
        return send_file(
            request, await photos.derivative(actor=actor, photo_id=photo_id, kind="thumb"), DERIVATIVE_CACHE
        )
