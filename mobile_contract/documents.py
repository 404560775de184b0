"""Documents (PDF reports) on the wire: the fields of `POST /v1/documents` and the document it answers with."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import Meta

from mobile_contract.base import Wire, WireOut
from mobile_contract.hazards import ClientId

Filename = Annotated[str, Meta(max_length=255)]


class DocumentUploadFields(Wire):
    """The text parts of a multipart `POST /v1/documents` beside the `file` part (or its query for a raw body).

    The same `clientId` again → the same document; `filename` is only a label (the part's own file name when
    left out): the bytes alone decide whether it is a PDF.
    """

    client_id: ClientId
    filename: Filename | None = None


class Document(WireOut):
    """A stored PDF (201 new to the caller, 200 the same bytes or `clientId` again) and where to download it.

    `url` serves the PDF byte for byte as an attachment; its id goes into a workflow step's `documentIds`
    (`reportDocumentIds` for the evaluation). `sha256` names the bytes, so a hazard's history proves which report.
    """

    id: str
    sha256: str
    media_type: str
    size_bytes: int
    page_count: int
    pdf_version: str
    filename: str
    uploaded_at: datetime
    url: str
