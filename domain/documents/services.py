"""Use cases of documents (PDF reports): keep an upload, serve it to those in scope, attach it to a workflow step.

Stored like photo originals (`domain.photos.storage`): streamed into `<photo_dir>/documents/incoming/`, judged by
its bytes (`domain.documents.model`), then renamed under its SHA-256 into `<photo_dir>/documents/originals/`, so
the same bytes are kept once and a refused upload leaves no file and no row.

Who may see a document (anyone else gets NotFound, exactly like a missing id): whoever uploaded those bytes (any
DocumentUpload of theirs); anyone whose enterprise scope holds the document's enterprise (the first uploader's) or
the enterprise of any hazard it is attached to; administrators.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from domain.access.model import Actor, Role
from domain.clock import utcnow
from domain.config import Settings
from domain.documents import model, store
from domain.documents.links import LINKS
from domain.documents.store import AttachedDocument
from domain.errors import NotFound
from domain.org.store import any_enterprise_visible
from domain.photos import storage

__all__ = ["AttachedDocument", "DocumentFile", "DocumentIncoming", "DocumentRecord", "Documents"]

FOLDER = "documents"  # under the evidence folder (`photo_dir`), beside the photos and site plans


class DocumentIncoming(storage.Incoming):
    """An upload arriving, like a photo's, refused as a document when it passes the cap."""

    def write(self, chunk: bytes) -> None:
        """Append a chunk; past the cap the upload is refused at once, before the rest is read."""
        if self.size + len(chunk) > self.max_bytes:
            self.size += len(chunk)
            raise model.DocumentTooLarge(f"the document is larger than {self.max_bytes} bytes", maxBytes=self.max_bytes)
        super().write(chunk)


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """A stored document; `filename` is the caller's own upload's name when they sent it, else the first one's."""

    id: str
    sha256: str
    media_type: str
    size_bytes: int
    page_count: int
    pdf_version: str
    filename: str
    uploaded_at: datetime


@dataclass(frozen=True, slots=True)
class DocumentFile:
    """A file to send: where it is, its content type, its entity tag and the name to save it under."""

    path: Path | None
    media_type: str
    etag: str
    filename: str
    url: str | None = None
    """On object storage: a short-lived signed URL to send the client to (then `path` is None)."""


class Documents:
    """Documents for one configuration: the folder, and the size and page caps."""

    def __init__(self, settings: Settings) -> None:
        self.root = settings.photo_dir / FOLDER
        self.objects = storage.object_store(settings, FOLDER)
        self.max_bytes = settings.document_max_bytes
        self.max_pages = settings.document_max_pages

    def incoming(self) -> DocumentIncoming:
        """A place for an upload to stream into, capped at `document_max_bytes`; use it as a context manager."""
        return DocumentIncoming(self.root, self.max_bytes)

    async def accept(
        self,
        *,
        actor: Actor,
        incoming: DocumentIncoming,
        client_id: str,
        filename: str | None = None,
        now: datetime | None = None,
    ) -> tuple[DocumentRecord, bool]:
        """Check and keep an arrived upload; True when new to the caller (same clientId or seen bytes → False)."""
        now = now or utcnow()
        client_key = f"{actor.user_id}:{client_id}"
        if (earlier := await store.upload_by_key(client_key)) is not None:
            incoming.discard()  # a retry: its bytes were judged the first time
            return await _record_of(earlier), False
        incoming.finish()
        inspected = await asyncio.to_thread(model.inspect_pdf, incoming.path, max_pages=self.max_pages)
        existing = await store.document_by_sha256(incoming.sha256)
        seen_before = existing is not None and await _may_see(actor, existing)
        sha256, size_bytes = incoming.sha256, incoming.size
        await asyncio.to_thread(self.objects.keep, incoming, storage.original_key(sha256))
        document, upload, new_upload = await store.insert_document_and_upload(
            client_key=client_key,
            filename=model.clean_filename(filename),
            sha256=sha256,
            media_type=model.MEDIA_TYPE,
            size_bytes=size_bytes,
            page_count=inspected.page_count,
            pdf_version=inspected.pdf_version,
            enterprise_id=actor.enterprise_id,
            user_id=actor.user_id,
            now=now,
        )
        return _record(document, upload), new_upload and not seen_before

    async def add_bytes(
        self, *, actor: Actor, data: bytes, client_id: str, filename: str | None = None, now: datetime | None = None
    ) -> tuple[DocumentRecord, bool]:
        """Accept a document held in memory (seeding, imports): the same checks and storage as an upload."""
        with self.incoming() as incoming:
            incoming.write(data)
            return await self.accept(actor=actor, incoming=incoming, client_id=client_id, filename=filename, now=now)

    async def get(self, *, actor: Actor, document_id: str) -> DocumentRecord:
        """The document's metadata, for a caller who may see it."""
        document = await _visible(actor, document_id)
        return _record(document, await store.first_upload_by(document_id, actor.user_id))

    async def file(self, *, actor: Actor, document_id: str) -> DocumentFile:
        """The PDF as uploaded, byte for byte, for a caller who may see it."""
        record = await self.get(actor=actor, document_id=document_id)
        key = storage.original_key(record.sha256)
        url = await asyncio.to_thread(
            self.objects.signed_url, key, media_type=record.media_type, attachment_name=record.filename
        )
        if url is not None:
            return DocumentFile(None, record.media_type, record.sha256, record.filename, url)
        return DocumentFile(storage.LocalFolder(self.root).path(key), record.media_type, record.sha256, record.filename)


# --- reading and writing rows --------------------------------------------------------------------------------------


def _record(document: store.StoredDocument, upload: store.StoredDocumentUpload | None) -> DocumentRecord:
    return DocumentRecord(
        id=document.id,
        sha256=document.sha256,
        media_type=document.media_type,
        size_bytes=document.size_bytes,
        page_count=document.page_count,
        pdf_version=document.pdf_version,
        filename=(upload or document).filename,
        uploaded_at=upload.uploaded_at if upload else document.created_at,
    )


async def _record_of(upload: store.StoredDocumentUpload) -> DocumentRecord:
    document = await store.document(upload.document_id)
    assert document is not None  # an upload row names a kept document
    return _record(document, upload)


async def _visible(actor: Actor, document_id: str) -> store.StoredDocument:
    document = await store.document(document_id)
    if document is None or not await _may_see(actor, document):
        raise NotFound("no such document", entity="document", id=document_id)
    return document


async def _may_see(actor: Actor, document: store.StoredDocument) -> bool:
    """The module's access rule, cheapest test first."""
    if actor.role is Role.ADMIN or document.uploaded_by == actor.user_id:
        return True
    if await store.has_uploaded(document.id, actor.user_id):
        return True
    held_by = await LINKS.enterprises_holding(document.id)
    enterprise_ids = sorted({document.enterprise_id, *held_by} - {None})
    return await any_enterprise_visible(actor, enterprise_ids)
