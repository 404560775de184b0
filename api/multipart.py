"""One streaming reader of multipart/form-data uploads: the file part goes straight to its sink, the rest are fields.

Litestar's own form parsing would buffer the file (in memory, then a spool file elsewhere); this writes each chunk
once, to where the original will be kept, and the sink stops the read as soon as its cap is passed.
"""

from __future__ import annotations

from typing import Protocol

from litestar import Request
from litestar.exceptions import ValidationException
from litestar.openapi.datastructures import ResponseSpec
from multipart import MultipartSegment, ParserError, ParserLimitReached, PushMultipartParser

from mobile_contract.errors import Problem

# Room for the boundaries, part headers and text fields around the file.
FORM_ALLOWANCE = 64 * 1024
MAX_FIELD_BYTES = 1024
MAX_PARTS = 8

# Every operation that writes to the photo / document folder can meet a full disk: documented on each of them.
STORAGE_FULL_RESPONSE = ResponseSpec(
    Problem,
    description="STORAGE_FULL: the server's disk is full; nothing of the request was kept (no file, no row)",
    generate_examples=False,
    media_type="application/problem+json",
)


class Sink(Protocol):
    """Where the file part's bytes go (hashed and capped as they come)."""

    def write(self, data: bytes) -> None: ...


def malformed(message: str) -> ValidationException:
    """The 400 REQUEST_MALFORMED of a form that cannot be read."""
    return ValidationException(detail="Validation failed", extra=[{"message": message, "key": "", "source": "body"}])


def _text(value: bytearray, name: str) -> str:
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        raise malformed(f"the field {name!r} is not UTF-8") from None
    if "\x00" in text:
        raise malformed("text may not contain the NUL character")
    return text


async def stream_form(request: Request, boundary: str, sink: Sink) -> tuple[dict[str, str], str | None]:
    """Read the body: the `file` part into `sink`, every other part as a short UTF-8 field; (fields, file's name)."""
    fields: dict[str, str] = {}
    segment: MultipartSegment | None = None
    text = bytearray()
    part_filename: str | None = None
    has_file = False
    try:
        with PushMultipartParser(boundary, max_segment_count=MAX_PARTS) as parser:
            async for chunk in request.stream():
                for event in parser.parse(chunk):
                    if isinstance(event, MultipartSegment):
                        segment, text = event, bytearray()
                        if segment.name in fields or (segment.name == "file" and has_file):
                            raise malformed(f"the part {segment.name!r} is sent twice")
                        if segment.name == "file":
                            has_file, part_filename = True, segment.filename
                    elif event is None:
                        if segment.name != "file":
                            fields[segment.name] = _text(text, segment.name)
                    elif segment.name == "file":
                        sink.write(event)
                    elif len(text) + len(event) <= MAX_FIELD_BYTES:
                        text += event
                    else:
                        raise malformed(f"the field {segment.name!r} is longer than {MAX_FIELD_BYTES} bytes")
    except (ParserError, ParserLimitReached) as error:
        raise malformed(f"not a valid multipart/form-data body: {error}") from None
    if not has_file:
        raise malformed("the part 'file' is missing")
    return fields, part_filename
