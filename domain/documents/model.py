"""Documents (PDF reports) as bytes: what an upload must be to be kept, judged by its bytes alone.

Pure: these functions read only the path they are given (with pypdf) and touch no database.

Intake (`inspect_pdf`), cheapest check first, each refusal with its own code (the file name and the declared type
are ignored):

1. zero bytes → DocumentEmpty;
2. the file starts with a PDF header (`%PDF-1.x` / `%PDF-2.0`): anything else → DocumentNotPdf (params.detected
   names what it looks like: jpeg, png, zip, html, …);
3. the file ends with `%%EOF` (trailing whitespace and NUL padding allowed): no `%%EOF` at all → DocumentCorrupt
   (reason `truncated`); other bytes after the last one → DocumentHiddenContent (reason `trailing_data`). An
   incremental update (appended objects, xref and trailer) ends with its own `%%EOF`, so it passes; what follows the
   last revision is read by no PDF reader and is not a report;
4. pypdf opens it (tolerant of the small flaws real producers leave): failure → DocumentCorrupt (reason `damaged`);
5. encrypted (a trailer `/Encrypt`, even with an empty user password) → DocumentEncrypted: it could not be checked;
6. no page → DocumentCorrupt (reason `no_pages`); more than the cap → DocumentTooManyPages;
7. every object of the cross-reference table (those in object streams too, unreferenced ones too) and the trailer
   are walked once: a failure to read one → DocumentCorrupt (reason `damaged`); active content →
   DocumentActiveContent with params.reason and params.object: JavaScript (`/JS`, `/JavaScript` in the names tree,
   an action `/S /JavaScript`, so an `/OpenAction` running a script too), additional actions (`/AA`: scripts or
   actions on opening a page or touching a field), launch actions (`/S /Launch`), embedded files (`/EmbeddedFiles`,
   `/EF`, `/Type /EmbeddedFile`, `/FileAttachment` annotations, `/GoToE`), XFA forms, RichMedia, form submission
   and data import (`/SubmitForm`, `/ImportData`). Names are compared after pypdf decodes their `#xx` escapes, so
   `/Java#53cript` is `/JavaScript`. A plain `/OpenAction` to a page (a destination or `/GoTo`) and `/URI` links
   are kept: they run nothing.
"""

from __future__ import annotations

import logging
import mmap
import re
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from domain.errors import InvalidInput

MEDIA_TYPE = "application/pdf"
DEFAULT_FILENAME = "document.pdf"
MAX_FILENAME = 120

_HEADER = re.compile(rb"%PDF-(?:1\.[0-7]|2\.0)")
_EOF = b"%%EOF"
_TAIL_WINDOW = 64 * 1024  # how far back from the end the last %%EOF is looked for (padding beyond it is refused)
_PADDING = b" \t\r\n\f\x00"
# What a refused non-PDF looks like, so the phone can say "this is a photo, not a PDF".
_SIGNATURES = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF8", "gif"),
    (b"RIFF", "webp"),
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0", "ms_office"),
    (b"{\\rtf", "rtf"),
    (b"%!PS", "postscript"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf", "7z"),
    (b"Rar!", "rar"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
)
_MARKUP = (b"<html", b"<!doctype", b"<?xml", b"<svg", b"<script", b"<body")

# Keys whose mere presence makes a document active, with the reason reported.
_ACTIVE_KEYS = {
    "/JS": "javascript",
    "/JavaScript": "javascript",
    "/AA": "additional_actions",
    "/EmbeddedFiles": "embedded_file",
    "/EF": "embedded_file",
    "/XFA": "xfa",
    "/RichMediaContent": "rich_media",
}
# Action types (`/S`) that run something, leave the document or pull data in.
_ACTIVE_ACTIONS = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/GoToE": "embedded_file",
    "/ImportData": "import_data",
    "/SubmitForm": "submit_form",
    "/RichMediaExecute": "rich_media",
}
_ACTIVE_SUBTYPES = {"/FileAttachment": "embedded_file", "/RichMedia": "rich_media"}
_ACTIVE_TYPES = {"/EmbeddedFile": "embedded_file"}

log = logging.getLogger("shuangfang.documents")


class DocumentRefused(InvalidInput):
    """An upload that is not a PDF report we keep; the subclass's code says why."""


class DocumentEmpty(DocumentRefused):
    """The upload has no bytes at all."""

    code = "DOCUMENT_EMPTY"


class DocumentNotPdf(DocumentRefused):
    """The bytes are not a PDF (whatever the name or the declared type say); params['detected'] says what they are."""

    code = "DOCUMENT_NOT_A_PDF"


class DocumentCorrupt(DocumentRefused):
    """A PDF that is truncated, damaged or has no page; params['reason'] is truncated|damaged|no_pages."""

    code = "DOCUMENT_CORRUPT"


class DocumentHiddenContent(DocumentRefused):
    """Bytes after the PDF's last `%%EOF` that no reader shows; params['reason'] is trailing_data."""

    code = "DOCUMENT_HIDDEN_CONTENT"


class DocumentEncrypted(DocumentRefused):
    """An encrypted PDF: its content cannot be checked, and a report is for everyone who may read it."""

    code = "DOCUMENT_ENCRYPTED"


class DocumentTooManyPages(DocumentRefused):
    """More pages than the cap; params carry pages and maxPages."""

    code = "DOCUMENT_TOO_MANY_PAGES"


class DocumentActiveContent(DocumentRefused):
    """A PDF that carries JavaScript, actions, embedded files or forms; params['reason'] and params['object']."""

    code = "DOCUMENT_ACTIVE_CONTENT"


class DocumentTooLarge(DocumentRefused):
    """The upload is larger than the configured cap; refused while it streams, before it is all read."""

    code = "DOCUMENT_TOO_LARGE"


@dataclass(frozen=True, slots=True)
class InspectedPdf:
    """An accepted PDF: its version (from the header) and its page count."""

    pdf_version: str
    page_count: int


def inspect_pdf(path: Path, *, max_pages: int) -> InspectedPdf:
    """Judge the file at `path` as a PDF report; raise the DocumentRefused that says why it is not kept."""
    with open(path, "rb") as handle:
        size = handle.seek(0, 2)
        if size == 0:
            raise DocumentEmpty("the file is empty")
        handle.seek(0)
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            header = _HEADER.match(data[:16])
            if header is None:
                raise DocumentNotPdf("the file is not a PDF", detected=detected_type(bytes(data[:1024])))
            version = header.group().decode()[5:]
            check_ending(data)
        handle.seek(0)
        return _read(handle, version, max_pages)


def detected_type(head: bytes) -> str:
    """What a file that is not a PDF looks like, by its first bytes."""
    for magic, name in _SIGNATURES:
        if head.startswith(magic):
            return name
    if head[4:8] == b"ftyp":
        return "heic_or_video"
    lowered = head.lstrip().lower()
    if any(lowered.startswith(tag) for tag in _MARKUP):
        return "markup"
    if b"%PDF-" in head:
        return "pdf_not_at_start"  # a polyglot, or a PDF with something put before it
    return "unknown"


def check_ending(data: bytes | mmap.mmap) -> None:
    """The last `%%EOF` ends the file, but for whitespace and NUL padding."""
    start = max(0, len(data) - _TAIL_WINDOW)
    last = data.rfind(_EOF, start)
    if last < 0:
        if data.rfind(_EOF) >= 0:
            raise DocumentHiddenContent("data follows the end of the PDF", reason="trailing_data")
        raise DocumentCorrupt("the PDF is truncated: it has no end (%%EOF)", reason="truncated")
    tail = bytes(data[last + len(_EOF) :])
    if tail.strip(_PADDING):
        raise DocumentHiddenContent("data follows the end of the PDF", reason="trailing_data", trailing_bytes=len(tail))


def _read(handle, pdf_version: str, max_pages: int) -> InspectedPdf:
    try:
        reader = PdfReader(handle, strict=False)
        if reader.is_encrypted:
            raise DocumentEncrypted("the PDF is encrypted")
        page_count = len(reader.pages)
    except DocumentRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError) as error:
        raise DocumentCorrupt(f"the PDF cannot be read: {type(error).__name__}", reason="damaged") from None
    if page_count == 0:
        raise DocumentCorrupt("the PDF has no page", reason="no_pages")
    if page_count > max_pages:
        raise DocumentTooManyPages(
            f"the PDF has {page_count} pages; at most {max_pages}", pages=page_count, maxPages=max_pages
        )
    refuse_active_content(reader)
    return InspectedPdf(pdf_version=pdf_version, page_count=page_count)


def refuse_active_content(reader: PdfReader) -> None:
    """Walk the trailer and every object in the cross-reference table once; refuse the first active thing found."""
    _walk(reader.trailer, 0)
    numbers = sorted(
        {(number, generation) for generation, entries in reader.xref.items() for number in entries}
        | {(number, 0) for number in reader.xref_objStm}
    )
    for number, generation in numbers:
        try:
            found = reader.get_object(IndirectObject(number, generation, reader))
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as error:
            raise DocumentCorrupt(
                f"object {number} cannot be read: {type(error).__name__}", reason="damaged", object=number
            ) from None
        _walk(found, number)


def _walk(root: object, number: int) -> None:
    """Every dictionary and array inside one object (references are not followed: each object is walked once)."""
    pending = [root]
    while pending:
        item = pending.pop()
        if isinstance(item, DictionaryObject):
            for key, value in dict.items(item):
                reason = _ACTIVE_KEYS.get(key) or _active_value(key, value)
                if reason:
                    raise DocumentActiveContent(
                        f"the PDF carries active content ({reason}) in object {number}", reason=reason, object=number
                    )
                if isinstance(value, (DictionaryObject, ArrayObject)):
                    pending.append(value)
        elif isinstance(item, ArrayObject):
            pending.extend(value for value in list.__iter__(item) if isinstance(value, (DictionaryObject, ArrayObject)))


def _active_value(key: str, value: object) -> str | None:
    if not isinstance(value, str):
        return None
    if key == "/S":
        return _ACTIVE_ACTIONS.get(value)
    if key == "/Subtype":
        return _ACTIVE_SUBTYPES.get(value)
    if key == "/Type":
        return _ACTIVE_TYPES.get(value)
    return None


def clean_filename(name: str | None) -> str:
    """A file name fit to show and to send back: no folders, no control characters, not too long; else a default."""
    if not name:
        return DEFAULT_FILENAME
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>:|?*').strip(" .")
    if not base:
        return DEFAULT_FILENAME
    if len(base) > MAX_FILENAME:
        stem, dot, suffix = base.rpartition(".")
        keep_suffix = dot and len(suffix) <= 8
        base = stem[: MAX_FILENAME - len(suffix) - 1] + dot + suffix if keep_suffix else base[:MAX_FILENAME]
    return base
