"""The byte checks of PDF documents, on real PDFs made here (pypdf's writer, Pillow, and by hand)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from domain.documents import model
from domain.documents.model import inspect_pdf

MAX_PAGES = 5


def _written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def clean_pdf(pages: int = 1) -> bytes:
    """A plain PDF of A4 pages, nothing active in it."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "评估报告"})
    return _written(writer)


def _with_open_action(action: dict[str, object]) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    entries = {NameObject(k): (NameObject(v) if v.startswith("/") else TextStringObject(v)) for k, v in action.items()}
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(DictionaryObject(entries))
    return _written(writer)


def open_action_javascript() -> bytes:
    """A PDF that runs a script when opened (/OpenAction → /S /JavaScript)."""
    return _with_open_action({"/S": "/JavaScript", "/JS": "app.alert('hello')"})


def names_tree_javascript() -> bytes:
    """A document-level script in the names tree (/Names /JavaScript)."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript 4 0 R >> >>"
    script = b"<< /Names [(hello) << /S /JavaScript /JS (app.alert('hello');) >>] >>"
    return hand_pdf(catalog, _PAGES, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>", script)


def launch_action() -> bytes:
    """A PDF whose opening launches a program (/S /Launch)."""
    return _with_open_action({"/S": "/Launch", "/F": "calc.exe"})


def embedded_file() -> bytes:
    """A PDF carrying an attached file (/EmbeddedFiles)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("payload.exe", b"MZ\x90\x00not really a program")
    return _written(writer)


def encrypted_pdf() -> bytes:
    """A PDF encrypted with a user password (RC4, which pypdf writes without extra packages)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret", algorithm="RC4-128")
    return _written(writer)


def jpeg_bytes() -> bytes:
    """A photo, as a phone would send one under a .pdf name."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def hand_pdf(*objects: bytes) -> bytes:
    """A PDF written by hand from the bodies of objects 1…n (1 is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


_CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
_PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"


def hand_page(extra: bytes = b"") -> bytes:
    """A one-page PDF by hand whose page dictionary carries `extra`."""
    return hand_pdf(_CATALOG, _PAGES, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] %s >>" % extra)


def pillow_pdf() -> bytes:
    """A scanned-report PDF as Pillow writes it (an image per page), with fixed dates."""
    buffer = io.BytesIO()
    when = datetime(2026, 11, 1, tzinfo=UTC).timetuple()  # Pillow takes a struct_time
    Image.new("L", (600, 840), 255).save(buffer, "PDF", resolution=72, creationDate=when, modDate=when)
    return buffer.getvalue()


def judge(tmp_path: Path, data: bytes, max_pages: int = MAX_PAGES):
    path = tmp_path / "upload.part"
    path.write_bytes(data)
    return inspect_pdf(path, max_pages=max_pages)


def test_a_plain_pdf_is_accepted_with_its_page_count_and_version(tmp_path):
    inspected = judge(tmp_path, clean_pdf(pages=3))
    assert inspected.page_count == 3 and inspected.pdf_version.startswith(("1.", "2."))


@pytest.mark.parametrize("data", [pillow_pdf(), hand_page()], ids=["pillow", "by_hand"])
def test_pdfs_from_other_writers_are_accepted(tmp_path, data):
    assert judge(tmp_path, data).page_count == 1


def test_an_incremental_update_ending_in_its_own_eof_is_accepted(tmp_path):
    original = clean_pdf(pages=2)
    writer = PdfWriter(io.BytesIO(original), incremental=True)
    writer.add_metadata({"/Subject": "复核后补充"})
    updated = _written(writer)
    assert updated.startswith(original) and updated.count(b"%%EOF") >= 2
    assert judge(tmp_path, updated).page_count == 2


@pytest.mark.parametrize(
    "data, error, params",
    [
        (b"", model.DocumentEmpty, {}),
        (jpeg_bytes(), model.DocumentNotPdf, {"detected": "jpeg"}),
        (b"<html><script>alert(1)</script></html>", model.DocumentNotPdf, {"detected": "markup"}),
        (b"junk before %PDF-1.7\n" + clean_pdf()[9:], model.DocumentNotPdf, {"detected": "pdf_not_at_start"}),
        (clean_pdf()[: len(clean_pdf()) // 2], model.DocumentCorrupt, {"reason": "truncated"}),
        (clean_pdf() + b"PK\x03\x04hidden.zip", model.DocumentHiddenContent, {"reason": "trailing_data"}),
        (clean_pdf() + jpeg_bytes(), model.DocumentHiddenContent, {"reason": "trailing_data"}),
        (b"%PDF-1.7\n garbage that is no PDF at all\n%%EOF\n", model.DocumentCorrupt, {"reason": "damaged"}),
        (hand_pdf(_CATALOG, b"<< /Type /Pages /Kids [] /Count 0 >>"), model.DocumentCorrupt, {"reason": "no_pages"}),
        (encrypted_pdf(), model.DocumentEncrypted, {}),
        (clean_pdf(pages=MAX_PAGES + 1), model.DocumentTooManyPages, {"pages": MAX_PAGES + 1, "maxPages": MAX_PAGES}),
        (open_action_javascript(), model.DocumentActiveContent, {"reason": "javascript"}),
        (names_tree_javascript(), model.DocumentActiveContent, {"reason": "javascript"}),
        (launch_action(), model.DocumentActiveContent, {"reason": "launch"}),
        (embedded_file(), model.DocumentActiveContent, {"reason": "embedded_file"}),
        (
            hand_page(b"/AA << /O << /S /GoTo /D [3 0 R /Fit] >> >>"),
            model.DocumentActiveContent,
            {"reason": "additional_actions"},
        ),
        (
            hand_page(b"/Annots [<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] >>]"),
            model.DocumentActiveContent,
            {"reason": "embedded_file"},
        ),
        # a name spelled with #xx escapes is the same name to a reader
        (
            hand_page(
                b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /Java#53cript /J#53 (x) >> >>]"
            ),
            model.DocumentActiveContent,
            {"reason": "javascript"},
        ),
        (
            hand_page(b"/Annots [<< /Subtype /Widget /A << /S /SubmitForm /F (http://x.invalid) >> >>]"),
            model.DocumentActiveContent,
            {"reason": "submit_form"},
        ),
    ],
    ids=[
        "empty",
        "jpeg",
        "html",
        "prefix",
        "truncated",
        "zip_after_eof",
        "jpeg_after_eof",
        "garbage",
        "no_pages",
        "encrypted",
        "too_many_pages",
        "open_action_js",
        "names_tree_js",
        "launch",
        "embedded_file",
        "page_aa",
        "file_attachment",
        "escaped_name",
        "submit_form",
    ],
)
def test_what_is_not_a_plain_pdf_report_is_refused_with_its_code(tmp_path, data, error, params):
    with pytest.raises(error) as refused:
        judge(tmp_path, data)
    assert refused.value.params.items() >= params.items()
    assert refused.value.code.startswith("DOCUMENT_")


def test_a_link_and_an_open_action_to_a_page_run_nothing_and_are_kept(tmp_path):
    link = b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI (https://example.org) >> >>]"
    assert judge(tmp_path, hand_page(link)).page_count == 1
    go_to = hand_pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>",
        _PAGES,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    )
    assert judge(tmp_path, go_to).page_count == 1


def test_the_page_cap_counts_real_pages_not_the_declared_count(tmp_path):
    lying = hand_pdf(
        _CATALOG,
        b"<< /Type /Pages /Kids [3 0 R] /Count 100000 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    )
    assert judge(tmp_path, lying).page_count == 1


def test_the_made_pdfs_are_what_they_claim(tmp_path):
    # the refusals above must be for the reason named, not because the maker wrote a broken file
    for data in (open_action_javascript(), launch_action(), embedded_file(), names_tree_javascript()):
        assert len(PdfReader(io.BytesIO(data)).pages) == 1
    assert PdfReader(io.BytesIO(encrypted_pdf())).is_encrypted


@pytest.mark.parametrize(
    "name, kept",
    [
        (None, "document.pdf"),
        ("", "document.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\报告\\评估报告.pdf", "评估报告.pdf"),
        ('a"b<c>.pdf', "abc.pdf"),
        ("\x00\x1b.pdf", "pdf"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_file_names_are_labels_cleaned_of_folders_and_control_characters(name, kept):
    assert model.clean_filename(name) == kept
