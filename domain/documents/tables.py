"""Piccolo tables of documents: one row per distinct PDF (by SHA-256), one per upload of it, one per attachment."""

from __future__ import annotations

from piccolo.columns import Integer, Timestamptz, Varchar
from piccolo.table import Table


class Document(Table, tablename="document"):
    """A stored PDF, kept byte for byte under its SHA-256; the same bytes are one document."""

    id = Varchar(length=26, primary_key=True)
    sha256 = Varchar(length=64, unique=True)
    media_type = Varchar(length=32)
    size_bytes = Integer()
    page_count = Integer()
    pdf_version = Varchar(length=8)
    # The first upload's file name (later uploads keep theirs in DocumentUpload).
    filename = Varchar(length=120)
    # The enterprise the first uploader acts for (null for inspectors and regulators).
    enterprise_id = Varchar(length=26, null=True, default=None, index=True)
    uploaded_by = Varchar(length=26, index=True)
    created_at = Timestamptz()


class DocumentUpload(Table, tablename="document_upload"):
    """Who sent which bytes under which client id: the key of an idempotent upload and its access record."""

    id = Varchar(length=26, primary_key=True)
    # "<user id>:<client id>", unique: the same client id from the same user is the same upload.
    client_key = Varchar(length=100, unique=True)
    document_id = Varchar(length=26, index=True)
    user_id = Varchar(length=26, index=True)
    filename = Varchar(length=120)
    uploaded_at = Timestamptz()


class HazardDocument(Table, tablename="hazard_document"):
    """A document attached to a hazard by a workflow step (`action`: the report, the plan, the evaluation, …)."""

    id = Varchar(length=26, primary_key=True)
    hazard_id = Varchar(length=26, index=True)
    document_id = Varchar(length=26, index=True)
    action = Varchar(length=32)
    # The history event that attached it (its seq in the hazard's chain).
    event_seq = Integer()
    position = Integer(default=0)
    attached_at = Timestamptz()
