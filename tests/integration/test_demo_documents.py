"""The demo's major hazards carry their evaluation reports as PDFs: kept by hash, named in the chain, shown on tour."""

import hashlib
import json

from domain.documents.model import inspect_pdf
from domain.documents.services import FOLDER
from domain.hazards.services import demo_reports
from domain.history.store import chain_rows
from domain.photos import storage
from seed.tour import demo_tour


async def test_every_seeded_evaluation_carries_a_pdf_named_by_its_hash_in_the_chain_and_the_tour_shows_one(db):
    settings, _ = db
    reports = await demo_reports()
    assert reports and len({report.document_id for report in reports}) == len(reports)
    for report in reports:
        path = storage.original_path(settings.photo_dir / FOLDER, report.sha256)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == report.sha256
        assert inspect_pdf(path, max_pages=settings.document_max_pages).page_count == report.page_count == 1
        evaluations = [
            json.loads(row["payload"])
            for row in await chain_rows(report.hazard_id)
            if row["action"] == "submitEvaluation"
        ]
        assert any(
            p["document_hashes"] == [report.sha256] and p["document_ids"] == [report.document_id] for p in evaluations
        )
    tour = await demo_tour()
    assert f"reports (PDF): {len(reports)} evaluation report(s)" in tour
    assert f"/v1/documents/{reports[0].document_id}/file" in tour
