"""Photos cannot exhaust memory, nor hide a second image: the decode budget and the MPF rule through the real API."""

from __future__ import annotations

import asyncio
import itertools
import struct
import threading
from dataclasses import replace

import httpx
import pytest
from PIL import Image

from api.dependencies import services_of
from domain.photos import images, storage
from domain.photos.budget import budget_for
from tests.api.test_photos import assert_code, stored, upload
from tests.conftest import login
from tests.unit.test_photo_images import camera_jpeg, encoded, mp_index, multi_picture, scene

SIDE = 2000  # 4 M pixels: 16 MB decoded as RGB, a few KB as a smooth PNG
COST = SIDE * SIDE * 4
RENDER_COST = COST + images.DISPLAY_SIDE * SIDE * 4  # the display copy's first resampling pass too
BUDGET = 30_000_000  # one check (16 MB) or one rendering (28.8 MB) at a time, never two checks
_devices = itertools.count(1)


def large_png(seed: int) -> bytes:
    """A smooth RGB PNG that is small on the wire and SIDE² pixels decoded; each seed other bytes."""
    ramp = Image.linear_gradient("L").resize((SIDE, SIDE))
    return encoded(
        Image.merge("RGB", [ramp, ramp.transpose(Image.Transpose.ROTATE_90), Image.new("L", ramp.size, seed)]), "PNG"
    )


@pytest.fixture
def db(db, tmp_path):
    """The shared database fixture with a photo folder of its own and a budget of one large PNG, waiting 0.2 s."""
    settings, engine = db
    return replace(
        settings, photo_dir=tmp_path / "photos", photo_decode_budget_bytes=BUDGET, photo_decode_wait_s=0.2
    ), engine


@pytest.fixture
def held_decode(monkeypatch):
    """Make the next decode stop inside its reservation until released: (inside, release) events."""
    inside, release = threading.Event(), threading.Event()
    original = images._hash_source

    def paused(image):
        inside.set()
        assert release.wait(10), "the paused decode was never released"
        return original(image)

    monkeypatch.setattr(images, "_hash_source", paused)
    return inside, release


async def public_upload(client: httpx.AsyncClient, data: bytes, client_id: str) -> httpx.Response:
    fields = {"clientId": client_id, "deviceId": f"device-memory-{next(_devices):04d}-abcdef"}
    return await client.post("/v1/public/reports/photos", files={"file": ("p.png", data, "image/png")}, data=fields)


async def test_concurrent_large_pngs_beyond_the_budget_get_503_with_retry_after_and_nothing_is_stored(
    client, app, held_decode
):
    officer = await login(client, "officer1")
    inside, release = held_decode
    before = await stored(app)
    first = asyncio.create_task(upload(client, officer, large_png(1), client_id="large-1"))
    assert await asyncio.to_thread(inside.wait, 10)  # the first decode holds its 16 MB of the 24 MB budget
    others = await asyncio.gather(
        upload(client, officer, large_png(2), client_id="large-2"),
        public_upload(client, large_png(3), client_id="large-3"),
    )
    for response in others:
        assert_code(response, "PHOTO_SERVER_BUSY")
        assert response.headers["retry-after"] == "1"
        assert response.json()["params"]["retryAfterSeconds"] == 1
    files, photos, uploads = await stored(app)
    assert (photos, uploads) == before[1:]  # nothing of the refused two: no row, no file, not even a temp file
    assert list(files - before[0]) == [name for name in files if name.startswith("incoming/")]
    assert len(files - before[0]) == 1  # the held first upload's own, still arriving
    release.set()
    assert (await first).status_code == 201
    files_after, photos_after, _ = await stored(app)
    assert photos_after == photos + 1 and original_count(files_after) == original_count(files) + 1
    await services_of(app).dispatcher.drain()  # its display copy is rendered (28.8 MB): then there is room again
    retried = await upload(client, officer, large_png(2), client_id="large-2")  # the phone's retry
    assert retried.status_code == 201, retried.text
    await services_of(app).dispatcher.drain()
    assert budget_for(BUDGET, 0.2).used_bytes == 0  # every reservation was given back, refused ones too
    assert not [name for name in (await stored(app))[0] if name.startswith("incoming/")]


def original_count(files: set[str]) -> int:
    return sum(1 for name in files if name.startswith("originals"))


async def test_a_png_whose_decode_needs_more_than_the_whole_budget_is_413_without_retry_after(
    client, app, db, monkeypatch
):
    settings, _ = db
    monkeypatch.setattr(services_of(app).photos, "decode_budget", budget_for(COST - 1, settings.photo_decode_wait_s))
    officer = await login(client, "officer1")
    before = await stored(app)
    response = await upload(client, officer, large_png(4))
    assert_code(response, "PHOTO_DECODE_TOO_LARGE")
    assert "retry-after" not in response.headers
    assert response.json()["params"] == {"decode_bytes": COST, "max_decode_bytes": COST - 1}
    assert await stored(app) == before
    assert_code(await public_upload(client, large_png(4), "p-large"), "PHOTO_DECODE_TOO_LARGE")
    small = await upload(client, officer, camera_jpeg(seed=5))  # a phone photo decodes at 1/8: far inside it
    assert small.status_code == 201, small.text


async def test_a_display_copy_that_cannot_be_decoded_now_is_503_and_made_once_there_is_room(client, app, db):
    officer = await login(client, "officer1")
    photo = (await upload(client, officer, large_png(6), client_id="large-6")).json()
    await services_of(app).dispatcher.drain()
    settings, _ = db
    for kind in ("display", "thumb"):  # as if its job had not run yet
        storage.derivative_path(settings.photo_dir, kind, photo["sha256"]).unlink()
    budget = budget_for(settings.photo_decode_budget_bytes, settings.photo_decode_wait_s)
    with budget.reserve(COST):  # another large photo being checked: 16 + 28.8 MB would not fit in 30
        busy = await client.get(f"/v1/photos/{photo['id']}/display", headers=officer)
    assert_code(busy, "PHOTO_SERVER_BUSY")
    assert busy.headers["retry-after"] == "1"
    shown = await client.get(f"/v1/photos/{photo['id']}/display", headers=officer)
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert budget.used_bytes == 0


async def test_a_jpeg_with_another_jpeg_appended_is_hidden_content_and_a_true_mpf_file_is_kept_whole(client, app):
    officer = await login(client, "officer1")
    before = await stored(app)
    appended = camera_jpeg(seed=8) + encoded(scene((160, 120), seed=9), "JPEG")
    refused = await upload(client, officer, appended)
    assert_code(refused, "PHOTO_HIDDEN_CONTENT")
    assert refused.json()["params"]["reason"] == "undeclared_image"
    assert await stored(app) == before

    mpo = multi_picture((160, 120))  # a photo with its gain map, declared by its MPF index
    kept = await upload(client, officer, mpo)
    assert kept.status_code == 201, kept.text
    assert (kept.json()["sizeBytes"], kept.json()["mediaType"]) == (len(mpo), "image/jpeg")
    original = await client.get(f"/v1/photos/{kept.json()['id']}", headers=officer)
    assert original.content == mpo

    _, entries = mp_index(mpo)
    at = entries[1] + 8  # the secondary image's offset, moved by one byte: the index no longer tells the truth
    lying = mpo[:at] + struct.pack("<L", struct.unpack_from("<L", mpo, at)[0] - 1) + mpo[at + 4 :]
    assert_code(await upload(client, officer, lying), "PHOTO_HIDDEN_CONTENT")
    assert_code(await public_upload(client, lying, "p-lying"), "PHOTO_HIDDEN_CONTENT")
