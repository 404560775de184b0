"""Every statement on the documents area's tables: other modules call these functions and get typed records back.

Stores above this area (hazards) compose `attached_documents_sql` into their own statements, so a hazard and its
documents come back in one statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from domain.db.transactions import transaction
from domain.documents.tables import Document, DocumentUpload, HazardDocument
from domain.ids import new_id


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A document row: the PDF's facts and its first upload's name, enterprise and uploader."""

    id: str
    sha256: str
    media_type: str
    size_bytes: int
    page_count: int
    pdf_version: str
    filename: str
    enterprise_id: str | None
    uploaded_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoredDocumentUpload:
    """One upload of a document: who sent it under which client key and file name."""

    id: str
    client_key: str
    document_id: str
    user_id: str
    filename: str
    uploaded_at: datetime


@dataclass(frozen=True, slots=True)
class UsableDocument:
    """A document a step may cite, with what its attachment shows (the first upload's file name)."""

    id: str
    sha256: str
    enterprise_id: str | None
    filename: str
    page_count: int
    size_bytes: int


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


@dataclass(frozen=True, slots=True)
class SubmittedReport:
    """An evaluation report attached to a hazard (the demo's tour names one)."""

    hazard_id: str
    document_id: str
    filename: str
    page_count: int
    sha256: str


def _document(row: dict) -> StoredDocument:
    return StoredDocument(**{f.name: row[f.name] for f in fields(StoredDocument)})


def _upload(row: dict) -> StoredDocumentUpload:
    return StoredDocumentUpload(**{f.name: row[f.name] for f in fields(StoredDocumentUpload)})


async def kept_sha256s() -> set[str]:
    """The SHA-256 of every kept document: the names of the files a row owns (the start-up sweep spares them)."""
    return {row["sha256"] for row in await Document.select(Document.sha256).run()}


async def document(document_id: str) -> StoredDocument | None:
    """One document by id."""
    row = await Document.select().where(Document.id == document_id).first().run()
    return _document(row) if row else None


async def document_by_sha256(sha256: str) -> StoredDocument | None:
    """The document of these bytes, if kept already."""
    row = await Document.select().where(Document.sha256 == sha256).first().run()
    return _document(row) if row else None


async def upload_by_key(client_key: str) -> StoredDocumentUpload | None:
    """The upload a phone made under this client key, if any."""
    row = await DocumentUpload.select().where(DocumentUpload.client_key == client_key).first().run()
    return _upload(row) if row else None


async def first_upload_by(document_id: str, user_id: str) -> StoredDocumentUpload | None:
    """The user's first upload of the document, if they sent it."""
    row = (
        await DocumentUpload.select()
        .where(DocumentUpload.document_id == document_id, DocumentUpload.user_id == user_id)
        .order_by(DocumentUpload.uploaded_at)
        .first()
        .run()
    )
    return _upload(row) if row else None


async def has_uploaded(document_id: str, user_id: str) -> bool:
    """True when the user sent these bytes (any upload of theirs)."""
    return (
        await DocumentUpload.exists()
        .where(DocumentUpload.document_id == document_id, DocumentUpload.user_id == user_id)
        .run()
    )


async def insert_document_and_upload(
    *,
    client_key: str,
    filename: str,
    sha256: str,
    media_type: str,
    size_bytes: int,
    page_count: int,
    pdf_version: str,
    enterprise_id: str | None,
    user_id: str,
    now: datetime,
) -> tuple[StoredDocument, StoredDocumentUpload, bool]:
    """The document row (the first upload of these bytes makes it) and the caller's upload row, in one transaction;
    True when this call made the upload.

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
                    media_type=media_type,
                    size_bytes=size_bytes,
                    page_count=page_count,
                    pdf_version=pdf_version,
                    filename=filename,
                    enterprise_id=enterprise_id,
                    uploaded_by=user_id,
                    created_at=now,
                )
            )
            .on_conflict(target=Document.sha256, action="DO NOTHING")
            .run()
        )
        kept = await Document.select().where(Document.sha256 == sha256).first().run()
        await (
            DocumentUpload.insert(
                DocumentUpload(
                    id=upload_id,
                    client_key=client_key,
                    document_id=kept["id"],
                    user_id=user_id,
                    filename=filename,
                    uploaded_at=now,
                )
            )
            .on_conflict(target=DocumentUpload.client_key, action="DO NOTHING")
            .run()
        )
        upload = await DocumentUpload.select().where(DocumentUpload.client_key == client_key).first().run()
    if upload["document_id"] != kept["id"]:
        kept = await Document.select().where(Document.id == upload["document_id"]).first().run()
    return _document(kept), _upload(upload), upload["id"] == upload_id


# --- attaching to hazards --------------------------------------------------------------------------------------------


async def usable_documents(
    document_ids: Iterable[str], *, user_id: str, enterprise_id: str
) -> dict[str, UsableDocument]:
    """Those of the documents of this enterprise or uploaded by the user, by id (others are absent): one statement."""
    ids = sorted(set(document_ids))
    if not ids:
        return {}
    uploaded_by_user = DocumentUpload.select(DocumentUpload.document_id).where(
        DocumentUpload.document_id.is_in(ids), DocumentUpload.user_id == user_id
    )
    rows = (
        await Document.select(
            Document.id,
            Document.sha256,
            Document.enterprise_id,
            Document.filename,
            Document.page_count,
            Document.size_bytes,
        )
        .where(Document.id.is_in(ids), (Document.enterprise_id == enterprise_id) | Document.id.is_in(uploaded_by_user))
        .run()
    )
    return {
        row["id"]: UsableDocument(
            row["id"], row["sha256"], row["enterprise_id"], row["filename"], row["page_count"], row["size_bytes"]
        )
        for row in rows
    }


async def attach_documents(
    hazard_id: str, document_ids: Sequence[str], action: str, event_seq: int, now: datetime
) -> None:
    """Record the documents as attached to the hazard by this step, in one statement (in the caller's transaction)."""
    if not document_ids:
        return
    await HazardDocument.insert(
        *(
            HazardDocument(
                id=new_id(),
                hazard_id=hazard_id,
                document_id=document_id,
                action=action,
                event_seq=event_seq,
                position=position,
                attached_at=now,
            )
            for position, document_id in enumerate(document_ids)
        )
    ).run()


async def submitted_reports() -> list[SubmittedReport]:
    """Every evaluation report attached to a hazard, oldest attachment first."""
    document = HazardDocument.document_id.join_on(Document.id)
    rows = (
        await HazardDocument.select(
            HazardDocument.hazard_id,
            HazardDocument.document_id,
            document.filename.as_alias("filename"),
            document.page_count.as_alias("page_count"),
            document.sha256.as_alias("sha256"),
        )
        .where(HazardDocument.action == "submitEvaluation")
        .order_by(HazardDocument.attached_at)
        .run()
    )
    return [
        SubmittedReport(row["hazard_id"], row["document_id"], row["filename"], row["page_count"], row["sha256"])
        for row in rows
    ]


# --- fragments other stores compose ----------------------------------------------------------------------------------

# the items of one attachment in the JSON array, in the order of `AttachedDocument`'s fields
ATTACHED_KEYS = ("document_id", "sha256", "action", "event_seq", "filename", "page_count", "size_bytes")


def attached_documents_sql(hazard_id: str, *, sqlite: bool) -> str:
    """A scalar subquery: the documents attached to the hazard whose id is the SQL expression `hazard_id`, as a JSON
    array of arrays (`ATTACHED_KEYS`), in the order of its history."""
    columns = "hd.document_id, d.sha256, hd.action, hd.event_seq, d.filename, d.page_count, d.size_bytes"
    source = f"FROM hazard_document hd LEFT JOIN document d ON d.id = hd.document_id WHERE hd.hazard_id = {hazard_id}"
    if sqlite:
        # SQLite 3.40 has no ORDER BY inside an aggregate: it aggregates an ordered subquery in that order
        keys = ", ".join(ATTACHED_KEYS)
        ordered = f"SELECT {columns} {source} ORDER BY hd.event_seq, hd.position"
        return f"(SELECT json_group_array(json_array({keys})) FROM ({ordered}) attached)"
    ordered = "ORDER BY hd.event_seq, hd.position"
    return f"(SELECT COALESCE(json_agg(json_build_array({columns}) {ordered}), '[]'::json) {source})"


def hazards_holding_sql() -> str:
    """A subquery with one `{}` placeholder (a document id): the ids of the hazards the document is attached to."""
    return "SELECT hazard_id FROM hazard_document WHERE document_id = {}"
