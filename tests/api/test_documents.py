"""PDF documents through the real API on both engines: refusals that store nothing, one copy of the same bytes,
scope, and the report attached to a major hazard's evaluation, named by its hash in the chain."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest

from api.dependencies import services_of
from domain.clock import utcnow
from domain.documents.tables import Document, DocumentUpload, HazardDocument
from mobile_contract.errors import CATALOGUE
from tests.api.test_hazards import act, chain_ok, me, report, upload
from tests.conftest import login
from tests.unit import test_document_pdfs as pdfs

CAP = 256 * 1024
MAX_PAGES = 5
_client_ids = itertools.count(1)


@pytest.fixture
def db(db, tmp_path):
    """The shared database fixture, with an evidence folder of this test's own and small caps."""
    settings, engine = db
    return replace(
        settings, photo_dir=tmp_path / "evidence", document_max_bytes=CAP, document_max_pages=MAX_PAGES
    ), engine


async def send(
    client, headers, data: bytes, client_id: str | None = None, name: str = "评估报告.pdf"
) -> httpx.Response:
    """POST /v1/documents with the bytes as the multipart `file` (named .pdf and typed as PDF, whatever they are)."""
    form = {"clientId": client_id or f"doc-{next(_client_ids)}"}
    return await client.post(
        "/v1/documents", files={"file": (name, data, "application/pdf")}, data=form, headers=headers
    )


async def stored(app) -> tuple[set[str], int, int]:
    """Every file under the documents folder (temporary ones too), and the numbers of document and upload rows."""
    root = services_of(app).settings.photo_dir / "documents"
    files = {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()} if root.exists() else set()
    return files, await Document.count().run(), await DocumentUpload.count().run()


def assert_code(response: httpx.Response, code: str) -> None:
    assert response.status_code == CATALOGUE[code].status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code


REFUSED = [
    (b"", "DOCUMENT_EMPTY"),
    (pdfs.jpeg_bytes(), "DOCUMENT_NOT_A_PDF"),
    (pdfs.clean_pdf(pages=3)[: len(pdfs.clean_pdf(pages=3)) // 2], "DOCUMENT_CORRUPT"),
    (pdfs.clean_pdf() + b"PK\x03\x04hidden", "DOCUMENT_HIDDEN_CONTENT"),
    (pdfs.open_action_javascript(), "DOCUMENT_ACTIVE_CONTENT"),
    (pdfs.names_tree_javascript(), "DOCUMENT_ACTIVE_CONTENT"),
    (pdfs.embedded_file(), "DOCUMENT_ACTIVE_CONTENT"),
    (pdfs.launch_action(), "DOCUMENT_ACTIVE_CONTENT"),
    (pdfs.encrypted_pdf(), "DOCUMENT_ENCRYPTED"),
    (pdfs.clean_pdf(pages=MAX_PAGES + 1), "DOCUMENT_TOO_MANY_PAGES"),
    (b"%PDF-1.7\n" + b"\x00" * (CAP + 1), "DOCUMENT_TOO_LARGE"),
]


@pytest.mark.parametrize(
    "data, code",
    REFUSED,
    ids=[
        "empty",
        "jpeg_named_pdf",
        "truncated",
        "trailing_zip",
        "open_action_js",
        "names_tree_js",
        "embedded_file",
        "launch",
        "encrypted",
        "too_many_pages",
        "too_large",
    ],
)
async def test_a_refused_upload_answers_its_code_and_leaves_no_row_and_no_file(client, app, data, code):
    officer = await login(client, "officer1")
    before = await stored(app)
    assert_code(await send(client, officer, data), code)
    assert await stored(app) == before and not before[0]


async def test_a_refused_raw_body_leaves_nothing_either(client, app):
    officer = await login(client, "officer1")
    before = await stored(app)
    response = await client.post(
        "/v1/documents",
        params={"clientId": "raw-js"},
        content=pdfs.launch_action(),
        headers=officer | {"Content-Type": "application/pdf"},
    )
    assert_code(response, "DOCUMENT_ACTIVE_CONTENT")
    assert response.json()["params"]["reason"] == "launch"
    assert await stored(app) == before


async def test_an_upload_without_a_client_id_or_without_a_file_is_malformed(client, app):
    officer = await login(client, "officer1")
    before = await stored(app)
    no_id = await client.post("/v1/documents", content=pdfs.clean_pdf(), headers=officer)
    no_file = await client.post("/v1/documents", data={"clientId": "x"}, files={"other": ("a", b"a")}, headers=officer)
    for response in (no_id, no_file):
        assert_code(response, "REQUEST_MALFORMED")
    assert await stored(app) == before


async def test_a_clean_pdf_is_stored_once_under_its_hash_and_downloaded_byte_for_byte(client, app):
    officer, principal = await login(client, "officer1"), await login(client, "principal1")
    data = pdfs.clean_pdf(pages=3)
    sha = hashlib.sha256(data).hexdigest()
    _, documents_before, uploads_before = await stored(app)
    first = await send(client, officer, data, client_id="report-1", name="C:\\报告\\评估报告.pdf")
    assert first.status_code == 201, first.text
    document = first.json()
    assert (document["sha256"], document["sizeBytes"], document["pageCount"], document["mediaType"]) == (
        sha,
        len(data),
        3,
        "application/pdf",
    )
    assert document["filename"] == "评估报告.pdf" and document["url"] == f"/v1/documents/{document['id']}/file"

    retry = await send(client, officer, data, client_id="report-1")
    same_bytes = await send(client, officer, data, client_id="report-2")
    raw = await client.post(
        "/v1/documents",
        params={"clientId": "report-3", "filename": "raw.pdf"},
        content=data,
        headers=principal | {"Content-Type": "application/octet-stream"},
    )
    # the principal of the same enterprise could see it already; another enterprise's officer could not
    elsewhere = await send(client, await login(client, "officer2"), data, client_id="report-4")
    assert [r.status_code for r in (retry, same_bytes, raw, elsewhere)] == [200, 200, 200, 201]
    assert {r.json()["id"] for r in (retry, same_bytes, raw, elsewhere)} == {document["id"]}
    assert raw.json()["filename"] == "raw.pdf"  # each uploader's own label
    files, documents, uploads = await stored(app)
    assert files == {f"originals/{sha[:2]}/{sha[2:4]}/{sha}"}
    assert (documents - documents_before, uploads - uploads_before) == (1, 4)

    metadata = await client.get(f"/v1/documents/{document['id']}", headers=officer)
    assert metadata.status_code == 200 and metadata.json()["sha256"] == sha
    download = await client.get(document["url"], headers=officer)
    assert download.status_code == 200 and download.content == data
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["etag"] == f'"{sha}"' and download.headers["x-content-type-options"] == "nosniff"
    again = await client.get(document["url"], headers=officer | {"If-None-Match": f'"{sha}"'})
    assert again.status_code == 304 and not again.content


async def test_another_enterprise_gets_404_exactly_like_an_unknown_id(client):
    officer = await login(client, "officer1")
    document = (await send(client, officer, pdfs.clean_pdf())).json()
    for username in ("officer2", "principal2"):
        other = await login(client, username)
        for path in (f"/v1/documents/{document['id']}", document["url"]):
            refused, unknown = (
                await client.get(path, headers=other),
                await client.get(path.replace(document["id"], "01J0000000000000000000000X"), headers=other),
            )
            assert refused.status_code == unknown.status_code == 404
            assert refused.json()["code"] == unknown.json()["code"] == "NOT_FOUND"
    # the enterprise's regulator sees it; a regulator of another district does not
    assert (await client.get(document["url"], headers=await login(client, "regulator_dinghai"))).status_code == 200


async def _governing_major_hazard(client, officer, principal, enterprise_id: str) -> dict:
    """A major hazard of the officer's enterprise, reported, planned, approved and fixed: ready for evaluation."""
    now = utcnow()
    hazard = await report(
        client,
        officer,
        enterprise_id=enterprise_id,
        level="major",
        expertReason="储罐区无紧急切断阀，专家判定为重大事故隐患",
        foundAt=now.isoformat(),
    )
    report_pdf = (await send(client, officer, pdfs.clean_pdf(pages=2), name="重大隐患报告.pdf")).json()
    steps = [
        (
            officer,
            {
                "action": "reportToRegulator",
                "currentStateAndCause": "无紧急切断阀",
                "harmAndDifficulty": "泄漏风险高",
                "governancePlanSummary": "加装切断阀",
                "documentIds": [report_pdf["id"]],
                "workersAssemblyNotifiedAt": (now - timedelta(hours=1)).isoformat(),
            },
        ),
        (
            officer,
            {
                "action": "submitPlan",
                "goalsAndTasks": "消除隐患",
                "methodsAndMeasures": "加装切断阀",
                "fundsAndMaterials": "20万元",
                "organisationAndPeople": "设备部",
                "timeLimitAndRequirements": "30日",
                "safetyMeasuresAndEmergencyPlan": "停用储罐",
                "stoppageScope": "罐区局部停产",
                "deadline": (now + timedelta(days=25)).isoformat(),
            },
        ),
        (principal, {"action": "approvePlan"}),
        (officer, {"action": "submitRectification", "afterPhotoIds": [await upload(client, officer)]}),
    ]
    for who, body in steps:
        response = await act(client, who, hazard, body)
        assert response.status_code == 200, (body["action"], response.text)
        hazard = response.json()
    return hazard


def _evaluation(document_ids: list[str]) -> dict:
    return {
        "action": "submitEvaluation",
        "evaluatorKind": "qualified_firm",
        "evaluatorName": "浙江某安全评价有限公司",
        "conclusion": "治理后隐患已消除",
        "documentIds": document_ids,
    }


async def test_an_evaluation_carries_its_pdf_report_named_by_hash_in_the_chain_and_shown_on_the_hazard(client, app):
    officer, principal = await login(client, "officer1"), await login(client, "principal1")
    enterprise_id = (await me(client, officer))["enterpriseId"]
    hazard = await _governing_major_hazard(client, officer, principal, enterprise_id)
    data = pdfs.clean_pdf(pages=4)
    document = (await send(client, officer, data, name="治理效果评估报告.pdf")).json()

    response = await act(client, officer, hazard, _evaluation([document["id"]]))
    assert response.status_code == 200, response.text
    hazard = response.json()
    assert hazard["status"] == "evaluated"
    shown = [(d["action"], d["filename"], d["pageCount"]) for d in hazard["documents"]]
    assert shown == [("reportToRegulator", "重大隐患报告.pdf", 2), ("submitEvaluation", "治理效果评估报告.pdf", 4)]
    evaluation = hazard["documents"][1]
    assert evaluation["sha256"] == hashlib.sha256(data).hexdigest() == document["sha256"]
    assert evaluation["url"] == document["url"]

    history = (await client.get(f"/v1/hazards/{hazard['id']}/history", headers=officer)).json()
    last = history[-1]
    assert last["action"] == "submitEvaluation" and last["seq"] == evaluation["eventSeq"]
    assert last["payload"]["document_ids"] == [document["id"]]
    assert last["payload"]["document_hashes"] == [evaluation["sha256"]]
    assert await chain_ok(hazard["id"])

    # the regulator of the enterprise's district sees the hazard's report and downloads it; the principal too
    for username in ("regulator_dinghai", "principal1"):
        viewer = await login(client, username)
        seen = (await client.get(f"/v1/hazards/{hazard['id']}", headers=viewer)).json()
        assert seen["documents"] == hazard["documents"]
        download = await client.get(evaluation["url"], headers=viewer)
        assert download.status_code == 200 and download.content == data
    # another enterprise sees neither the hazard nor the report
    other = await login(client, "officer2")
    assert (await client.get(evaluation["url"], headers=other)).status_code == 404


@pytest.mark.parametrize("whose", ["other_enterprise", "unknown", "photo", "twice"])
async def test_an_evaluation_naming_a_document_not_of_this_enterprise_is_refused_and_changes_nothing(client, whose):
    officer, principal = await login(client, "officer1"), await login(client, "principal1")
    enterprise_id = (await me(client, officer))["enterpriseId"]
    hazard = await _governing_major_hazard(client, officer, principal, enterprise_id)
    if whose == "other_enterprise":
        ids = [(await send(client, await login(client, "officer2"), pdfs.clean_pdf(pages=5))).json()["id"]]
    elif whose == "unknown":
        ids = ["01J0000000000000000000000X"]
    elif whose == "photo":
        ids = [await upload(client, officer)]  # a photo's id is not a document's
    else:
        ids = [(await send(client, officer, pdfs.clean_pdf(pages=4))).json()["id"]] * 2
    attached = await HazardDocument.count().run()

    response = await act(client, officer, hazard, _evaluation(ids))
    assert_code(response, "HAZARD_INPUT_INVALID")
    assert response.json()["params"]["reason"] == ("duplicate" if whose == "twice" else "unknown")
    after = (await client.get(f"/v1/hazards/{hazard['id']}", headers=officer)).json()
    assert (after["status"], after["version"]) == ("plan_approved", hazard["version"])
    assert await HazardDocument.count().run() == attached


async def test_an_evaluation_needs_a_pdf_or_photos_of_its_report(client):
    officer, principal = await login(client, "officer1"), await login(client, "principal1")
    enterprise_id = (await me(client, officer))["enterpriseId"]
    hazard = await _governing_major_hazard(client, officer, principal, enterprise_id)
    response = await act(client, officer, hazard, _evaluation([]))
    assert_code(response, "HAZARD_GUARD_FAILED")
    assert response.json()["params"]["guard"] == "evaluation_report_attached"


async def test_the_reference_client_uploads_a_report_retries_it_and_reads_a_refusal_by_its_code(app):
    from mobile_contract.client import ApiError, Client
    from tests.conftest import DEMO_PASSWORD

    data = pdfs.clean_pdf(pages=2)
    async with Client("http://testserver", transport=httpx.ASGITransport(app=app), device_id="phone") as phone:
        await phone.login("officer1", DEMO_PASSWORD)
        first, created = await phone.upload_document(data, client_id="client-doc-1", filename="评估报告.pdf")
        again, created_again = await phone.upload_document(data, client_id="client-doc-1")
        assert created and not created_again and again.id == first.id and first.page_count == 2
        assert (await phone.document(first.id)).sha256 == first.sha256
        assert await phone.download_document(first.id) == data
        with pytest.raises(ApiError) as refused:
            await phone.upload_document(pdfs.embedded_file(), client_id="client-doc-2")
        assert (refused.value.status, refused.value.code) == (422, "DOCUMENT_ACTIVE_CONTENT")
        assert refused.value.params["reason"] == "embedded_file"
