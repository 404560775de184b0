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
from domain.db.transactions import transaction
from domain.documents import model
from domain.documents.tables import Document, DocumentUpload, HazardDocument
from domain.errors import NotFound
from domain.hazards.tables import Hazard
from domain.ids import new_id
from domain.org.store import enterprise_condition
from domain.org.tables import Enterprise
from domain.photos import storage

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

    path: Path
    media_type: str
    etag: str
    filename: str


@dataclass(frozen=True, slots=True)
class AttachedDocument:
    """A document on a hazard, attached by the workflow step `action` (event `event_seq` of its chain)."""

    document_id: str
    sha256: str
    action: str
    event_seq: int
    filename: str
    page_count: int
    size_bytes: int


class Documents:
    """Documents for one configuration: the folder, and the size and page caps."""

    def __init__(self, settings: Settings) -> None:
        self.root = settings.photo_dir / FOLDER
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
        if (earlier := await _upload_by_key(client_key)) is not None:
            incoming.discard()  # a retry: its bytes were judged the first time
            return await _record_of(earlier), False
        incoming.finish()
        inspected = await asyncio.to_thread(model.inspect_pdf, incoming.path, max_pages=self.max_pages)
        existing = await Document.select().where(Document.sha256 == incoming.sha256).first().run()
        seen_before = existing is not None and await _may_see(actor, existing)
        sha256, size_bytes = incoming.sha256, incoming.size
        await asyncio.to_thread(storage.keep_original, incoming, self.root)
        document, upload, new_upload = await _insert(
            actor, client_key, model.clean_filename(filename), inspected, sha256, size_bytes, now
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
        own = (
            await DocumentUpload.select()
            .where(DocumentUpload.document_id == document_id, DocumentUpload.user_id == actor.user_id)
            .order_by(DocumentUpload.uploaded_at)
            .first()
            .run()
        )
        return _record(document, own)

    async def file(self, *, actor: Actor, document_id: str) -> DocumentFile:
        """The PDF as uploaded, byte for byte, for a caller who may see it."""
        record = await self.get(actor=actor, document_id=document_id)
        path = storage.original_path(self.root, record.sha256)
        return DocumentFile(path, record.media_type, record.sha256, record.filename)


# --- attaching to hazards ------------------------------------------------------------------------------------------


async def usable_documents(actor: Actor, document_ids: tuple[str, ...], enterprise_id: str) -> dict[str, dict]:
    """Those of the ids that are documents of this enterprise or uploaded by the actor, by id (others are absent)."""
    if not document_ids:
        return {}
    ids = sorted(set(document_ids))
    rows = (
        await Document.select(Document.id, Document.sha256, Document.enterprise_id, Document.filename)
        .where(Document.id.is_in(ids))
        .run()
    )
    mine = (
        await DocumentUpload.select(DocumentUpload.document_id, DocumentUpload.filename)
        .where(DocumentUpload.document_id.is_in(ids), DocumentUpload.user_id == actor.user_id)
        .run()
    )
    uploaded_by_me = {row["document_id"]: row["filename"] for row in mine}
    return {
        row["id"]: row | {"filename": uploaded_by_me.get(row["id"], row["filename"])}
        for row in rows
        if row["id"] in uploaded_by_me or row["enterprise_id"] == enterprise_id
    }


async def attach_documents(hazard_id: str, documents: list[dict], action: str, event_seq: int, now: datetime) -> None:
    """Record the documents as attached to the hazard by this step (inside the caller's transaction)."""
    for position, document in enumerate(documents):
        await HazardDocument.insert(
            HazardDocument(
                id=new_id(),
                hazard_id=hazard_id,
                document_id=document["id"],
                action=action,
                event_seq=event_seq,
                position=position,
                attached_at=now,
            )
        ).run()


async def documents_of_hazards(hazard_ids: list[str]) -> dict[str, list[AttachedDocument]]:
    """The documents attached to each hazard, in the order of its history."""
    if not hazard_ids:
        return {}
    document = HazardDocument.document_id.join_on(Document.id)
    rows = (
        await HazardDocument.select(
            HazardDocument.hazard_id,
            HazardDocument.document_id,
            HazardDocument.action,
            HazardDocument.event_seq,
            document.sha256.as_alias("sha256"),
            document.filename.as_alias("filename"),
            document.page_count.as_alias("page_count"),
            document.size_bytes.as_alias("size_bytes"),
        )
        .where(HazardDocument.hazard_id.is_in(hazard_ids))
        .order_by(HazardDocument.event_seq)
        .order_by(HazardDocument.position)
        .run()
    )
    attached: dict[str, list[AttachedDocument]] = {}
    for row in rows:
        attached.setdefault(row["hazard_id"], []).append(
            AttachedDocument(
                row["document_id"],
                row["sha256"],
                row["action"],
                row["event_seq"],
                row["filename"],
                row["page_count"],
                row["size_bytes"],
            )
        )
    return attached


@dataclass(frozen=True, slots=True)
class DemoReport:
    """A report attached to a hazard, for the demo's tour."""

    hazard_id: str
    hazard_title: str
    hazard_status: str
    document_id: str
    filename: str
    page_count: int
    sha256: str


async def demo_reports() -> list[DemoReport]:
    """Every evaluation report attached to a hazard, oldest attachment first (the demo tour names one)."""
    hazard = HazardDocument.hazard_id.join_on(Hazard.id)
    document = HazardDocument.document_id.join_on(Document.id)
    rows = (
        await HazardDocument.select(
            HazardDocument.hazard_id,
            HazardDocument.document_id,
            hazard.title.as_alias("title"),
            hazard.status.as_alias("status"),
            document.filename.as_alias("filename"),
            document.page_count.as_alias("page_count"),
            document.sha256.as_alias("sha256"),
        )
        .where(HazardDocument.action == "submitEvaluation")
        .order_by(HazardDocument.attached_at)
        .run()
    )
    return [
        DemoReport(
            row["hazard_id"],
            row["title"],
            row["status"],
            row["document_id"],
            row["filename"],
            row["page_count"],
            row["sha256"],
        )
        for row in rows
    ]


# --- reading and writing rows --------------------------------------------------------------------------------------


async def _insert(
    actor: Actor,
    client_key: str,
    filename: str,
    inspected: model.InspectedPdf,
    sha256: str,
    size_bytes: int,
    now: datetime,
) -> tuple[dict, dict, bool]:
    """The document row (the first upload of these bytes makes it) and the caller's upload row, in one transaction.

    Both inserts yield to the unique constraints (sha256, client_key) instead of failing, so two identical uploads
    racing end with one document, and a phone's two racing retries with one upload.
    """
    upload_id = new_id()
    async with transaction():
        await (
            Document.insert(
                Document(
                    id=new_id(),
                    sha256=sha256,
                    media_type=model.MEDIA_TYPE,
                    size_bytes=size_bytes,
                    page_count=inspected.page_count,
                    pdf_version=inspected.pdf_version,
                    filename=filename,
                    enterprise_id=actor.enterprise_id,
                    uploaded_by=actor.user_id,
                    created_at=now,
                )
            )
            .on_conflict(target=Document.sha256, action="DO NOTHING")
            .run()
        )
        document = await Document.select().where(Document.sha256 == sha256).first().run()
        await (
            DocumentUpload.insert(
                DocumentUpload(
                    id=upload_id,
                    client_key=client_key,
                    document_id=document["id"],
                    user_id=actor.user_id,
                    filename=filename,
                    uploaded_at=now,
                )
            )
            .on_conflict(target=DocumentUpload.client_key, action="DO NOTHING")
            .run()
        )
        upload = await DocumentUpload.select().where(DocumentUpload.client_key == client_key).first().run()
    if upload["document_id"] != document["id"]:
        document = await Document.select().where(Document.id == upload["document_id"]).first().run()
    return document, upload, upload["id"] == upload_id


async def _upload_by_key(client_key: str) -> dict | None:
    return await DocumentUpload.select().where(DocumentUpload.client_key == client_key).first().run()


async def _record_of(upload: dict) -> DocumentRecord:
    return _record(await Document.select().where(Document.id == upload["document_id"]).first().run(), upload)


def _record(document: dict, upload: dict | None) -> DocumentRecord:
    return DocumentRecord(
        id=document["id"],
        sha256=document["sha256"],
        media_type=document["media_type"],
        size_bytes=document["size_bytes"],
        page_count=document["page_count"],
        pdf_version=document["pdf_version"],
        filename=(upload or document)["filename"],
        uploaded_at=upload["uploaded_at"] if upload else document["created_at"],
    )


async def _visible(actor: Actor, document_id: str) -> dict:
    document = await Document.select().where(Document.id == document_id).first().run()
    if document is None or not await _may_see(actor, document):
        raise NotFound("no such document", entity="document", id=document_id)
    return document


async def _may_see(actor: Actor, document: dict) -> bool:
    """The module's access rule, cheapest test first."""
    if actor.role is Role.ADMIN or document["uploaded_by"] == actor.user_id:
        return True
    if (
        await DocumentUpload.exists()
        .where(DocumentUpload.document_id == document["id"], DocumentUpload.user_id == actor.user_id)
        .run()
    ):
        return True
    hazard = HazardDocument.hazard_id.join_on(Hazard.id)
    attached = (
        await HazardDocument.select(hazard.enterprise_id.as_alias("enterprise_id"))
        .where(HazardDocument.document_id == document["id"])
        .run()
    )
    enterprise_ids = sorted({document["enterprise_id"], *(row["enterprise_id"] for row in attached)} - {None})
    return (
        bool(enterprise_ids)
        and await Enterprise.exists().where(Enterprise.id.is_in(enterprise_ids), enterprise_condition(actor)).run()
    )
