"""Documents (PDF reports): upload (multipart, or the PDF as the raw body), metadata, and the file itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import QueryParameter
from litestar.response import File
from litestar.status_codes import HTTP_304_NOT_MODIFIED

from api.multipart import FORM_ALLOWANCE, STORAGE_FULL_RESPONSE, malformed, stream_form
from api.routes.photos import SIGNED_REDIRECT_RESPONSE, UPLOAD_BODY_LIMIT, redirect_to_signed
from domain.access.model import Actor
from domain.documents.model import DocumentTooLarge
from domain.documents.services import DocumentIncoming, DocumentRecord, Documents
from mobile_contract import documents as wire

# A document never changes under its id (it is named by its hash).
DOCUMENT_CACHE = "private, max-age=31536000, immutable"


@dataclass
class _UploadOperation(Operation):
    """The upload's body in the OpenAPI document: the handler streams it itself, so Litestar cannot describe it."""

    def __post_init__(self) -> None:
        text = OpenAPIType.STRING
        binary = Schema(type=text, format=OpenAPIFormat.BINARY, description="a PDF, judged by its bytes")
        fields = {
            "file": binary,
            "clientId": Schema(type=text, max_length=64, pattern=r"^[0-9A-Za-z_.:-]+$", description="the retry key"),
            "filename": Schema(type=text, max_length=255, description="a label; the part's file name when absent"),
        }
        # The text parts decode into a `Wire` struct, which refuses a part it does not know (400).
        form = Schema(
            type=OpenAPIType.OBJECT, properties=fields, required=["file", "clientId"], additional_properties=False
        )
        self.request_body = RequestBody(
            content={
                "multipart/form-data": OpenAPIMediaType(schema=form),
                "application/pdf": OpenAPIMediaType(schema=binary),
            },
            required=True,
            description="multipart (file, clientId, filename?), or the PDF itself with ?clientId= (&filename=)",
        )


async def receive_document(
    request: Request, incoming: DocumentIncoming, client_id: str | None, filename: str | None
) -> wire.DocumentUploadFields:
    """Stream the body into `incoming` (hashed and capped as it comes): a multipart `file` part, or the raw body."""
    if (request.content_length or 0) > incoming.max_bytes + FORM_ALLOWANCE:
        raise DocumentTooLarge(f"the document is larger than {incoming.max_bytes} bytes", maxBytes=incoming.max_bytes)
    media_type, options = request.content_type
    if media_type == "multipart/form-data" and options.get("boundary"):
        fields = await _receive_form(request, incoming, options["boundary"])
    else:
        # the raw body is the file, whatever its declared type: the bytes decide
        async for chunk in request.stream():
            incoming.write(chunk)
        fields = {name: value for name, value in (("clientId", client_id), ("filename", filename)) if value is not None}
    try:
        return msgspec.convert(fields, wire.DocumentUploadFields, strict=False)
    except msgspec.ValidationError as error:
        raise malformed(str(error)) from None


async def _receive_form(request: Request, incoming: DocumentIncoming, boundary: str) -> dict[str, str]:
    fields, part_filename = await stream_form(request, boundary, incoming)
    if "filename" not in fields and part_filename:
        fields["filename"] = part_filename[:255]
    return fields


def presented(record: DocumentRecord) -> wire.Document:
    """A stored document as the contract shows it, with the address of its file."""
    fields = {name: getattr(record, name) for name in DocumentRecord.__dataclass_fields__}
    return wire.Document(**fields, url=f"/v1/documents/{record.id}/file")


class DocumentController(Controller):
    """`/v1/documents`, `/v1/documents/{id}`, `/v1/documents/{id}/file`."""

    path = "/v1/documents"
    tags = ["documents"]

    @post(
        "/",
        summary="Upload a PDF report (multipart: file, clientId, filename?; or the raw PDF with ?clientId=); "
        "same bytes → same document",
        request_max_body_size=UPLOAD_BODY_LIMIT,
        operation_class=_UploadOperation,
        responses={
            200: ResponseSpec(wire.Document, description="The same bytes or the same clientId again"),
            507: STORAGE_FULL_RESPONSE,
        },
    )
    async def upload(
        self,
        actor: Actor,
        documents: Documents,
        request: Request,
        client_id: Annotated[str | None, QueryParameter(name="clientId", max_length=64)] = None,
        filename: Annotated[str | None, QueryParameter(max_length=255)] = None,
    ) -> Response[wire.Document]:
        """A PDF report (checked: pages, no encryption, scripts or embedded files), as multipart or the raw body; the same bytes or `clientId` again → 200 and the same document."""
        with documents.incoming() as incoming:
            form = await receive_document(request, incoming, client_id, filename)
            record, created = await documents.accept(
                actor=actor, incoming=incoming, client_id=form.client_id, filename=form.filename
            )
        return Response(presented(record), status_code=201 if created else 200)

    @get("/{document_id:str}", summary="A document's metadata: pages, size, hash, name, where to download it")
    async def get_one(self, actor: Actor, documents: Documents, document_id: str) -> wire.Document:
        """A document's metadata: pages, size, SHA-256, name, uploader and its download URL."""
        return presented(await documents.get(actor=actor, document_id=document_id))

    @get(
        "/{document_id:str}/file",
        summary="The PDF, byte for byte (as an attachment)",
        media_type="application/pdf",
        responses={307: SIGNED_REDIRECT_RESPONSE},
    )
    async def download(self, actor: Actor, documents: Documents, request: Request, document_id: str) -> Response:
        """The PDF as uploaded, byte for byte, as an attachment; immutable, so it may be cached forever."""
        found = await documents.file(actor=actor, document_id=document_id)
        etag = f'"{found.etag}"'
        headers = {"ETag": etag, "Cache-Control": DOCUMENT_CACHE, "X-Content-Type-Options": "nosniff"}
        wanted = {tag.strip().removeprefix("W/") for tag in request.headers.get("if-none-match", "").split(",")}
        if etag in wanted or "*" in wanted:
            return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
        if found.url is not None:  # on object storage: the signed URL answers as an attachment too
            return redirect_to_signed(found.url, etag)
        # Saved, not shown in the browser's own viewer; and a viewer that opens it anyway runs nothing.
        headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return File(
            found.path,
            filename=found.filename,
            media_type=found.media_type,
            content_disposition_type="attachment",
            headers=headers,
        )
