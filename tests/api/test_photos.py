"""Photo evidence through the real API on both engines: upload, dedupe, retries, refusals, derivatives and scope."""

from __future__ import annotations

import asyncio
import hashlib
import io
import itertools
import tracemalloc
from dataclasses import replace
from datetime import UTC, datetime
from unittest.mock import AsyncMock

import httpx
import pytest
from arq import create_pool
from PIL import Image

from api.dependencies import services_of
from domain.access.model import Actor, Role
from domain.hazards.services import near_duplicates
from domain.photos.services import CaptureForm, Photos
from domain.photos.tables import Photo, PhotoUpload
from mobile_contract.errors import CATALOGUE
from tests.api.test_hazards import report
from tests.conftest import login
from tests.unit.test_photo_images import TAKEN, attack_corpus, camera_jpeg, encoded, png_with_alpha, scene, webp
from workers.dispatch import Dispatcher
from workers.queue import redis_settings
from workers.settings import build_worker

CAP = 512 * 1024  # small, so that the over-cap case stays small too
_client_ids = itertools.count(1)


@pytest.fixture
def db(db, tmp_path):
    """The shared database fixture, with a photo folder of this test's own and a small size cap."""
    settings, engine = db
    return replace(settings, photo_dir=tmp_path / "photo-evidence", photo_max_bytes=CAP), engine


async def upload(client, headers, data: bytes, client_id: str | None = None, **fields: str) -> httpx.Response:
    """POST /v1/photos with the bytes as `file` (named .jpg whatever they are) and the text fields."""
    form = {"clientId": client_id or f"photo-{next(_client_ids)}", **fields}
    return await client.post(
        "/v1/photos", files={"file": ("IMG_0001.jpg", data, "image/jpeg")}, data=form, headers=headers
    )


async def stored(app) -> tuple[set[str], int, int]:
    """Every file under the photo folder, and the numbers of Photo and PhotoUpload rows."""
    root = services_of(app).settings.photo_dir
    files = {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()} if root.exists() else set()
    return files, await Photo.count().run(), await PhotoUpload.count().run()


async def derivatives_ready(photo_id: str) -> bool:
    return (await Photo.select(Photo.derivatives_ready).where(Photo.id == photo_id).first().run())["derivatives_ready"]


def assert_code(response: httpx.Response, code: str) -> None:
    assert response.status_code == CATALOGUE[code].status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code


async def test_a_camera_photo_is_kept_byte_for_byte_and_shown_upright_stamped_and_without_metadata(client, app):
    officer = await login(client, "officer1")
    data = camera_jpeg((1200, 900), orientation=6)
    response = await upload(
        client, officer, data, takenAt="2026-11-28T14:00:00+08:00", lat="30.01", lng="122.1", deviceId="phone-7"
    )
    assert response.status_code == 201, response.text
    photo = response.json()
    sha = hashlib.sha256(data).hexdigest()
    assert (photo["sha256"], photo["sizeBytes"], photo["mediaType"]) == (sha, len(data), "image/jpeg")
    assert (photo["width"], photo["height"]) == (900, 1200)  # as the phone showed it: orientation 6 applied
    assert (datetime.fromisoformat(photo["takenAt"]), photo["lat"], photo["lng"], photo["deviceId"]) == (
        datetime(2026, 11, 28, 6, tzinfo=UTC),
        30.01,
        122.1,
        "phone-7",
    )  # the form wins over the EXIF
    assert len(photo["phash"]) == 16 and photo["url"] == f"/v1/photos/{photo['id']}"

    await services_of(app).dispatcher.drain()
    assert await derivatives_ready(photo["id"])
    original = await client.get(photo["url"], headers=officer)
    assert original.status_code == 200 and original.content == data
    assert original.headers["content-type"] == "image/jpeg" and original.headers["etag"] == f'"{sha}"'
    assert "immutable" in original.headers["cache-control"] and original.headers["x-content-type-options"] == "nosniff"
    again = await client.get(photo["url"], headers=officer | {"If-None-Match": f'"{sha}"'})
    assert again.status_code == 304 and not again.content

    display = await client.get(photo["displayUrl"], headers=officer)
    thumb = await client.get(photo["thumbUrl"], headers=officer)
    for copy in (display, thumb):
        assert copy.status_code == 200 and copy.headers["content-type"] == "image/jpeg"
        assert b"Exif" not in copy.content and b"ICC_PROFILE" not in copy.content and b"xmpmeta" not in copy.content
        assert not Image.open(io.BytesIO(copy.content)).getexif()
    shown = Image.open(io.BytesIO(display.content))
    assert shown.size == (900, 1200) and Image.open(io.BytesIO(thumb.content)).size == (240, 320)
    assert shown.getpixel((850, 300))[0] > 150 > shown.getpixel((50, 300))[0]  # the red sky turned to the right
    files, _, _ = await stored(app)
    assert files == {
        f"originals/{sha[:2]}/{sha[2:4]}/{sha}",
        f"display/{sha[:2]}/{sha[2:4]}/{sha}.jpg",
        f"thumb/{sha[:2]}/{sha[2:4]}/{sha}.jpg",
    }


@pytest.mark.parametrize(
    "data, media_type", [(png_with_alpha(), "image/png"), (webp(), "image/webp")], ids=["png", "webp"]
)
async def test_png_and_webp_are_kept_and_served_as_what_they_are(client, data, media_type):
    officer = await login(client, "officer1")
    photo = (await upload(client, officer, data)).json()
    assert photo["mediaType"] == media_type and photo["takenAt"] is None
    original = await client.get(photo["url"], headers=officer)
    assert original.content == data and original.headers["content-type"] == media_type


async def test_without_capture_fields_the_exif_time_and_place_are_kept(client):
    photo = (await upload(client, await login(client, "officer1"), camera_jpeg(seed=2))).json()
    assert datetime.fromisoformat(photo["takenAt"]) == TAKEN
    assert photo["lat"] == pytest.approx(30.0502, abs=1e-4) and photo["lng"] == pytest.approx(121.95, abs=1e-4)


async def test_the_same_bytes_are_one_photo_and_the_same_client_id_is_the_same_answer(client, app):
    officer = await login(client, "officer1")
    _, seeded_photos, seeded_uploads = await stored(app)
    data = camera_jpeg(seed=3)
    first = await upload(client, officer, data, client_id="shot-1")
    again = await upload(client, officer, data, client_id="shot-2")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    retried = await upload(client, officer, camera_jpeg(seed=4), client_id="shot-1")  # a retry answers as before
    assert retried.status_code == 200 and retried.json() == first.json()
    files, photos, uploads = await stored(app)
    assert (photos - seeded_photos, uploads - seeded_uploads) == (1, 2) and not any(
        name.startswith("incoming/") for name in files
    )


async def test_another_enterprise_sending_the_same_bytes_sees_only_its_own_capture_data(client):
    data = camera_jpeg(seed=5)
    mine = (await upload(client, await login(client, "officer1"), data, lat="30.2", lng="122.2")).json()
    theirs = await upload(client, await login(client, "officer2"), data, lat="29.9", lng="122.3")
    assert theirs.status_code == 201  # new to them: the answer does not tell them someone else has it
    assert theirs.json()["id"] == mine["id"] and (theirs.json()["lat"], theirs.json()["lng"]) == (29.9, 122.3)


async def test_racing_uploads_of_the_same_bytes_make_one_photo_and_one_upload_per_client_id(client, app):
    officer = await login(client, "officer1")
    _, seeded_photos, seeded_uploads = await stored(app)
    data = camera_jpeg(seed=6)
    answers = await asyncio.gather(*(upload(client, officer, data, client_id=f"race-{n}") for n in range(4)))
    answers += await asyncio.gather(*(upload(client, officer, data, client_id="race-same") for _ in range(3)))
    assert {answer.status_code for answer in answers} <= {200, 201}
    assert len({answer.json()["id"] for answer in answers}) == 1
    _, photos, uploads = await stored(app)
    assert (photos - seeded_photos, uploads - seeded_uploads) == (1, 5)


async def test_every_attack_file_is_refused_with_its_code_and_leaves_nothing_behind(client, app):
    officer = await login(client, "officer1")
    await upload(client, officer, camera_jpeg(seed=7))  # something already stored, which must stay as it is
    await services_of(app).dispatcher.drain()
    before = await stored(app)
    for name, (data, code) in attack_corpus().items():
        response = await upload(client, officer, data)
        assert response.json().get("code") == code, name
        assert_code(response, code)
        assert await stored(app) == before, name


async def test_a_body_over_the_cap_is_refused_413_while_it_streams_and_leaves_nothing(client, app):
    officer = await login(client, "officer1")
    big = camera_jpeg(seed=8)[:-2] + b"\0" * CAP + b"\xff\xd9"
    before = await stored(app)
    assert_code(await upload(client, officer, big), "PHOTO_TOO_LARGE")

    async def chunks():  # no Content-Length: the cap is enforced on the bytes as they arrive
        yield b'--b\r\nContent-Disposition: form-data; name="clientId"\r\n\r\nbig\r\n'
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n'
        for _ in range(2 * CAP // 65536):
            yield b"\xff" * 65536
        yield b"\r\n--b--\r\n"

    streamed = await client.post(
        "/v1/photos", content=chunks(), headers=officer | {"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert_code(streamed, "PHOTO_TOO_LARGE")
    assert await stored(app) == before


BAD_FORMS = {
    "no-file": {"clientId": "a", "file": None},
    "no-client-id": {},
    "client-id-with-space": {"clientId": "has space"},
    "lat-not-a-number": {"clientId": "a", "lat": "north"},
    "lat-91": {"clientId": "a", "lat": "91"},
    "taken-at-without-offset": {"clientId": "a", "takenAt": "2026-11-28 14:00:00"},
    "unknown-field": {"clientId": "a", "colour": "red"},
    "over-long-device-id": {"clientId": "a", "deviceId": "d" * 129},
    "nul-in-client-id": {"clientId": "a\x00"},
}


async def test_a_wrong_form_is_a_400_problem_and_stores_nothing(client, app):
    officer = await login(client, "officer1")
    before = await stored(app)
    for name, fields in BAD_FORMS.items():
        parts = [(field, (None, value)) for field, value in fields.items() if value is not None]
        if "file" not in fields:
            parts.append(("file", ("a.jpg", camera_jpeg(), "image/jpeg")))
        response = await client.post("/v1/photos", files=parts, headers=officer)
        assert response.status_code == 400, name
        assert_code(response, "REQUEST_MALFORMED")
    assert await stored(app) == before


async def test_a_json_body_or_two_files_are_refused(client):
    officer = await login(client, "officer1")
    assert_code(await client.post("/v1/photos", json={"clientId": "a"}, headers=officer), "UNSUPPORTED_MEDIA_TYPE")
    twice = [("file", ("a.jpg", camera_jpeg(), "image/jpeg")), ("file", ("b.jpg", camera_jpeg(seed=1), "image/jpeg"))]
    assert_code(
        await client.post("/v1/photos", data={"clientId": "a"}, files=twice, headers=officer), "REQUEST_MALFORMED"
    )


async def test_only_the_uploader_and_those_who_see_its_enterprise_or_hazard_get_a_photo(client):
    officer, officer2 = await login(client, "officer1"), await login(client, "officer2")
    photo = (await upload(client, officer, camera_jpeg(seed=9))).json()
    for username in ("officer1", "inspector1", "regulator_dinghai", "regulator_city", "admin"):
        headers = await login(client, username)
        for url in (photo["url"], photo["displayUrl"], photo["thumbUrl"]):
            assert (await client.get(url, headers=headers)).status_code == 200, (username, url)
    for url in (photo["url"], photo["displayUrl"], photo["thumbUrl"], "/v1/photos/01ZZZZZZZZZZZZZZZZZZZZZZZZ"):
        assert_code(await client.get(url, headers=officer2), "NOT_FOUND")  # exactly like a missing photo

    inspector = await login(client, "inspector1")
    evidence = (await upload(client, inspector, camera_jpeg(seed=10))).json()
    assert_code(await client.get(evidence["url"], headers=officer), "NOT_FOUND")  # an inspector's, not yet attached
    enterprise_id = (await client.get("/v1/me", headers=officer)).json()["enterpriseId"]
    await report(client, inspector, enterprise_id=enterprise_id, source="grid_inspection", photoIds=[evidence["id"]])
    assert (await client.get(evidence["url"], headers=officer)).status_code == 200


async def test_a_display_copy_asked_for_before_its_job_ran_is_made_at_once(client, app, db):
    settings, _ = db
    officer_id = (await client.get("/v1/me", headers=await login(client, "officer1"))).json()["id"]
    actor = Actor(user_id=officer_id, role=Role.OFFICER)
    record, _ = await Photos(settings).add_bytes(actor=actor, data=camera_jpeg(seed=11), form=CaptureForm("no-job"))
    assert not await derivatives_ready(record.id)
    display = await client.get(f"/v1/photos/{record.id}/display", headers=await login(client, "officer1"))
    assert display.status_code == 200 and Image.open(io.BytesIO(display.content)).size == (480, 640)
    assert await derivatives_ready(record.id)


async def test_after_photos_like_a_before_photo_or_another_hazards_photo_are_near_duplicates(client):
    officer = await login(client, "officer1")
    enterprise_id = (await client.get("/v1/me", headers=officer)).json()["enterpriseId"]

    async def photo_of(image: Image.Image, **options) -> str:
        return (await upload(client, officer, encoded(image, "JPEG", **options))).json()["id"]

    before = await photo_of(scene(seed=12), quality=92)
    elsewhere = await photo_of(scene(seed=13), quality=92)
    hazard = await report(client, officer, enterprise_id=enterprise_id, photoIds=[before])
    await report(client, officer, enterprise_id=enterprise_id, photoIds=[elsewhere])
    resaved = await photo_of(scene(seed=12).resize((480, 360)), quality=60)  # the before-photo, sent again
    reused = await photo_of(scene(seed=13), quality=70)  # another hazard's photo
    fresh = await photo_of(scene(seed=14))
    found = await near_duplicates([resaved, reused, fresh], hazard["id"])
    assert {(m.photo_id, m.matches_photo_id, m.stage) for m in found} == {
        (resaved, before, "before"),
        (reused, elsewhere, "before"),
    }
    assert all(m.distance <= 4 for m in found)
    assert await near_duplicates([], hazard["id"]) == []

    # The fix sent with the re-shot before-photo carries the flag, in the hazard and in its hash-chained event.
    fixed = await client.post(
        f"/v1/hazards/{hazard['id']}/transitions",
        headers=officer | {"If-Match": '"1"'},
        json={"action": "rectifyOnSpot", "afterPhotoIds": [resaved, fresh]},
    )
    assert fixed.status_code == 200, fixed.text
    flags = fixed.json()["details"]["rectifyOnSpot"]["near_duplicates"]
    assert [(f["photo_id"], f["matches_photo_id"], f["stage"]) for f in flags] == [(resaved, before, "before")]
    history = (await client.get(f"/v1/hazards/{hazard['id']}/history", headers=officer)).json()
    assert history[-1]["payload"]["near_duplicates"] == flags


async def test_the_in_process_dispatcher_runs_a_job_id_once_at_a_time_and_drains(db):
    settings, engine = db
    runs = []

    async def job(ctx, n):
        runs.append((n, ctx["settings"] is settings))
        await asyncio.sleep(0.01)

    dispatcher = Dispatcher(settings, engine, jobs=[job])
    await dispatcher.enqueue("job", 1, job_id="same")
    await dispatcher.enqueue("job", 2, job_id="same")  # still running: not queued twice
    await dispatcher.enqueue("job", 3)
    await dispatcher.close()
    assert sorted(runs) == [(1, True), (3, True)]
    with pytest.raises(KeyError):
        await dispatcher.enqueue("no_such_job")


@pytest.mark.redis
async def test_with_redis_the_derivatives_job_goes_through_arq_once_per_photo(db, redis_url):
    settings, engine = db
    settings = replace(settings, redis_url=redis_url)
    officer = Actor(user_id="01M8REDISOFFICER0000000000", role=Role.OFFICER)
    dispatcher = Dispatcher(settings, engine)
    record, _ = await Photos(settings, dispatcher).add_bytes(
        actor=officer, data=camera_jpeg(seed=15), form=CaptureForm("r")
    )
    await dispatcher.enqueue("make_photo_derivatives", record.id, job_id=f"make_photo_derivatives:{record.id}")
    await dispatcher.close()
    pool = await create_pool(redis_settings(redis_url))
    try:
        assert len(await pool.queued_jobs()) == 1  # the second enqueue under the same job id was dropped
    finally:
        await pool.aclose()
    worker = build_worker(settings, engine, burst=True, handle_signals=False, cron_jobs=[], poll_delay=0.05)
    await worker.main()
    await worker.close()
    assert worker.jobs_complete == 1 and worker.jobs_failed == 0
    assert await derivatives_ready(record.id)


async def test_an_upload_streams_to_disk_without_holding_the_file_in_memory(client, app, monkeypatch):
    officer = await login(client, "officer1")
    monkeypatch.setattr(services_of(app).photos, "max_bytes", 4 * 1024 * 1024)
    # no derivative decoding in the same process
    monkeypatch.setattr(services_of(app).dispatcher, "enqueue", AsyncMock())
    await services_of(app).relay.stop()  # nor a relay pass: only the upload's own allocations are traced
    noise = Image.merge("RGB", [Image.effect_noise((1400, 1040), 90).convert("L") for _ in range(3)])
    data = encoded(noise, "JPEG", quality=95)  # ~1.7 MB of entropy-coded data
    head = b'--b\r\nContent-Disposition: form-data; name="clientId"\r\n\r\nbig-one\r\n'
    head += b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n'

    async def body():
        yield head
        for start in range(0, len(data), 16_384):
            yield data[start : start + 16_384]
        yield b"\r\n--b--\r\n"

    tracemalloc.start()
    try:
        headers = officer | {"Content-Type": "multipart/form-data; boundary=b"}
        response = await client.post("/v1/photos", content=body(), headers=headers)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 201 and response.json()["sizeBytes"] == len(data) > 1_500_000
    assert peak < len(data) / 4, peak  # the file never sits in Python memory: ~0.2 MB whatever its size
