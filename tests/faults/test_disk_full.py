"""The evidence folder's disk full: every write to it answers 507 STORAGE_FULL, leaves no file and commits no row.

The photo folder is a small tmpfs mounted for the test (root only: elsewhere the tests skip, except with
`REQUIRE_SERVICES=1`, where they fail), filled up with a filler file so that only a few pages are left: an upload
starts, writes what fits, meets ENOSPC and must then clean up. Every table is counted before and after each refused
request: nothing of it may remain (the public upload's per-device counter aside, which counts attempts on purpose).
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import os
import random
import subprocess
from pathlib import Path

import httpx
import pytest
from PIL import Image

from api.app import create_app
from domain.db.tables import ALL_TABLES
from domain.public_reports.tables import PublicRateCounter
from tests.api.test_public_reports import WORDS, act, credit_code, device, form, report_id_of, submit
from tests.conftest import REQUIRE_SERVICES, login, settle_jobs
from tests.unit.test_photo_images import camera_jpeg

FOLDER_SIZE = 4 * 1024 * 1024
ROOM_LEFT = 64 * 1024  # what the filler leaves: a big upload writes part of itself before the disk is full
BOUNDARY = "sf-public-form"
# Counts attempts (refused ones too), so that a device cannot probe for free: not a row of the request's work.
ATTEMPT_COUNTERS = {PublicRateCounter._meta.tablename}


def noisy_jpeg(seed: int, size: tuple[int, int] = (900, 700)) -> bytes:
    """A JPEG that does not compress well: several hundred KiB, more than the room left."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def noisy_png(seed: int) -> bytes:
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (600, 400), rng.randbytes(600 * 400 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


class SmallDisk:
    """A tmpfs of a few MiB: the evidence folder, and a filler file that takes all but a little of it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.filler = path / "filler"

    def free_bytes(self) -> int:
        stats = os.statvfs(self.path)
        return stats.f_bavail * stats.f_frsize

    def fill(self, leave: int = ROOM_LEFT) -> None:
        """Take all the free space but `leave` bytes."""
        with self.filler.open("ab") as filler:
            filler.write(b"\0" * max(0, self.free_bytes() - leave))
            filler.flush()
            os.fsync(filler.fileno())
        assert self.free_bytes() <= leave

    def empty(self) -> None:
        self.filler.unlink(missing_ok=True)

    def evidence_files(self) -> set[str]:
        """Every file the app wrote (the filler aside), relative to the folder."""
        return {
            str(path.relative_to(self.path)) for path in self.path.rglob("*") if path.is_file() and path != self.filler
        }


@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0:
        if REQUIRE_SERVICES:
            pytest.fail("mounting a small filesystem needs root (REQUIRE_SERVICES=1: a failure, not a skip)")
        pytest.skip("mounting a small filesystem (tmpfs) needs root")
    folder = tmp_path / "evidence"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={FOLDER_SIZE},mode=0755", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        if REQUIRE_SERVICES:
            pytest.fail(f"could not mount a tmpfs: {mounted.stderr.strip()} (REQUIRE_SERVICES=1)")
        pytest.skip(f"mounting a tmpfs is not permitted here: {mounted.stderr.strip()}")
    try:
        yield SmallDisk(folder)
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture
async def small_disk_app(db, small_disk):
    """The real app on the test database, its photo folder on the small disk, inside its lifespan."""
    settings, engine = db
    application = create_app(dataclasses.replace(settings, photo_dir=small_disk.path), engine)
    started, stop = asyncio.Event(), asyncio.Event()

    async def hold_lifespan() -> None:
        async with application.lifespan():
            started.set()
            await stop.wait()

    holder = asyncio.create_task(hold_lifespan())
    await started.wait()
    yield application
    stop.set()
    await holder


@pytest.fixture
async def small_disk_client(small_disk_app):
    """A client of that app."""
    transport = httpx.ASGITransport(app=small_disk_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def row_counts() -> dict[str, int]:
    return {
        table._meta.tablename: await table.count().run()
        for table in ALL_TABLES
        if table._meta.tablename not in ATTEMPT_COUNTERS
    }


def assert_storage_full(response: httpx.Response) -> None:
    assert response.status_code == 507, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "STORAGE_FULL" and response.json()["status"] == 507


async def test_a_photo_upload_on_a_full_disk_is_507_and_leaves_no_file_and_no_row(small_disk_client, small_disk):
    client = small_disk_client
    officer = await login(client, "officer1")
    small_disk.fill()
    before, files_before = await row_counts(), small_disk.evidence_files()

    photo = noisy_jpeg(1)
    assert len(photo) > 3 * ROOM_LEFT  # part of it fits: the partial file must go
    refused = await client.post(
        "/v1/photos",
        content=form(photo, clientId="full-1"),
        headers=officer | {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    assert_storage_full(refused)
    assert await row_counts() == before
    assert small_disk.evidence_files() == files_before  # no partial upload under incoming/, no original

    # room again: the same upload (same clientId) now succeeds, as a new photo
    small_disk.empty()
    kept = await client.post(
        "/v1/photos",
        content=form(photo, clientId="full-1"),
        headers=officer | {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    assert kept.status_code == 201, kept.text
    assert f"originals/{kept.json()['sha256'][:2]}/{kept.json()['sha256'][2:4]}/{kept.json()['sha256']}" in (
        small_disk.evidence_files()
    )


async def test_a_public_photo_and_a_document_on_a_full_disk_are_507_and_leave_nothing(small_disk_client, small_disk):
    client = small_disk_client
    officer = await login(client, "officer1")
    small_disk.fill()
    before, files_before = await row_counts(), small_disk.evidence_files()

    public = await client.post(
        "/v1/public/reports/photos",
        content=form(noisy_jpeg(2), clientId="p-full", deviceId=device()),
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    assert_storage_full(public)
    document = await client.post(
        "/v1/documents",
        params={"clientId": "doc-full"},
        content=b"%PDF-1.7\n" + random.Random(3).randbytes(400 * 1024),
        headers=officer | {"Content-Type": "application/pdf"},
    )
    assert_storage_full(document)
    plan = await client.put(
        f"/v1/enterprises/{officer_enterprise_id(await client.get('/v1/enterprises', headers=officer))}/site-plan",
        content=noisy_png(4),
        headers=officer | {"Content-Type": "image/png"},
    )
    assert_storage_full(plan)
    assert await row_counts() == before
    assert small_disk.evidence_files() == files_before


def officer_enterprise_id(listing: httpx.Response) -> str:
    assert listing.status_code == 200, listing.text
    return listing.json()["items"][0]["id"]


async def test_accepting_a_report_whose_photo_copy_does_not_fit_makes_no_hazard(
    small_disk_app, small_disk_client, small_disk
):
    client = small_disk_client
    phone = device()
    photo = await client.post(
        "/v1/public/reports/photos",
        content=form(camera_jpeg(size=(1600, 1200), seed=5), clientId="p1", deviceId=phone),
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    assert photo.status_code == 201, photo.text
    made = await submit(
        client, deviceId=phone, enterpriseCreditCode=await credit_code("E1"), photoIds=[photo.json()["id"]]
    )
    assert made.status_code == 201, made.text
    report_id = await report_id_of(made.json()["receipt"])
    dinghai = await login(client, "regulator_dinghai")
    version = (await client.get(f"/v1/public-reports/{report_id}", headers=dinghai)).json()["version"]

    await settle_jobs(small_disk_app)  # the photo's derivatives are made before the disk fills, not during the check
    small_disk.fill(leave=0)
    before, files_before = await row_counts(), small_disk.evidence_files()
    body = {"action": "accept", "category": "unsafe_condition", "photoIds": [photo.json()["id"]]} | WORDS
    refused = await act(client, dinghai, report_id, body, version)
    assert_storage_full(refused)
    assert await row_counts() == before  # no hazard, no event, no outbox entry, no copy's rows
    assert small_disk.evidence_files() == files_before
    assert (await client.get(f"/v1/public-reports/{report_id}", headers=dinghai)).json()["status"] == "received"

    small_disk.empty()  # room again: the same acceptance goes through, once
    accepted = await act(client, dinghai, report_id, body, version)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["hazardId"]
