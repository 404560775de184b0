"""Photos and documents on an S3-compatible bucket (SF_STORAGE=s3) against a real S3 server (moto's, see conftest):
uploads through the API land in the bucket, downloads are redirects to signed URLs read back with httpx after the
API's own checks, the migrate command moves the demo's photo folder and verifies it, and a tampered object is
found. The local folder's behaviour is covered by tests/api/test_photos.py and test_documents.py."""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace

import httpx
import pytest
from PIL import Image

from api.cli import _sweep_evidence, main
from api.dependencies import services_of
from domain.photos.buckets import SHA256_METADATA, s3_client
from domain.photos.migration import local_files
from domain.photos.storage import derivative_key, object_store, original_key
from domain.photos.sweep import sweep_bucket
from domain.photos.tables import Photo
from tests.api.test_documents import send
from tests.api.test_hazards import distinct_jpeg
from tests.conftest import login
from tests.integration.test_demo_command import free_port
from tests.storage.conftest import on_bucket
from tests.unit import test_document_pdfs as pdfs


@pytest.fixture
def db(db, tmp_path, s3_endpoint):
    """The shared database, with its files kept in a new bucket (uploads arrive in a folder of this test's own)."""
    settings, engine = db
    return on_bucket(replace(settings, photo_dir=tmp_path / "evidence"), s3_endpoint), engine


def keys_in(settings, prefix: str = "") -> list[str]:
    """Every key of the test's bucket below its prefix (and `prefix`)."""
    listed = s3_client(settings).list_objects_v2(Bucket=settings.s3_bucket, Prefix=f"{settings.s3_prefix}/{prefix}")
    return sorted(item["Key"] for item in listed.get("Contents", ()))


async def follow(client, url: str, headers) -> httpx.Response:
    """GET an API download: it must answer 307 to a signed URL of the object store, which is then fetched."""
    redirect = await client.get(url, headers=headers)
    assert redirect.status_code == 307, redirect.text
    assert redirect.headers["cache-control"] == "private, no-store"
    location = redirect.headers["location"]
    assert location.startswith("http://127.0.0.1:") and "X-Amz-Signature=" in location
    async with httpx.AsyncClient() as outside:  # a plain client, no API token: the signature is the permission
        fetched = await outside.get(location)
    assert fetched.status_code == 200, fetched.text
    return fetched


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_photo_and_document_kept_in_the_bucket_and_sent_by_signed_url(client, app, db):
    settings, _ = db
    officer = await login(client, "officer1")
    data = distinct_jpeg()
    sha256 = hashlib.sha256(data).hexdigest()
    uploaded = await client.post(
        "/v1/photos", files={"file": ("p.jpg", data, "image/jpeg")}, data={"clientId": "s3-1"}, headers=officer
    )
    assert uploaded.status_code == 201, uploaded.text
    photo_id = uploaded.json()["id"]

    # the original is an object under its hash, with its hash as metadata; nothing is left on this machine
    head = s3_client(settings).head_object(Bucket=settings.s3_bucket, Key=f"zhoushan/{original_key(sha256)}")
    assert head["Metadata"][SHA256_METADATA] == sha256
    local = [path for path in settings.photo_dir.rglob("*") if path.is_file()]
    assert local == []

    original = await follow(client, f"/v1/photos/{photo_id}", officer)
    assert original.content == data
    assert original.headers["content-type"] == "image/jpeg"

    for kind, side in (("display", 1600), ("thumb", 320)):
        copy = await follow(client, f"/v1/photos/{photo_id}/{kind}", officer)
        with Image.open(io.BytesIO(copy.content)) as image:
            assert image.format == "JPEG" and max(image.size) <= side
        assert f"zhoushan/{derivative_key(kind, sha256)}" in keys_in(settings, kind)

    # the API's checks stay in front: another enterprise's officer gets 404 and no URL
    elsewhere = await client.get(f"/v1/photos/{photo_id}", headers=await login(client, "officer2"))
    assert elsewhere.status_code == 404 and "location" not in elsewhere.headers
    # a client holding the version skips the redirect
    etag = (await client.get(f"/v1/photos/{photo_id}", headers=officer)).headers["etag"]
    assert (await client.get(f"/v1/photos/{photo_id}", headers={**officer, "If-None-Match": etag})).status_code == 304
    # a signed URL altered by one character is refused by the store
    location = (await client.get(f"/v1/photos/{photo_id}", headers=officer)).headers["location"]
    async with httpx.AsyncClient() as outside:
        forged = await outside.get(location.replace(f"/{sha256[:2]}/", f"/{sha256[:2]}x/", 1))
    assert forged.status_code == 403

    # the same bytes again (another clientId): the object is kept as it is, copied onto itself to be young again
    again = await client.post(
        "/v1/photos", files={"file": ("p.jpg", data, "image/jpeg")}, data={"clientId": "s3-2"}, headers=officer
    )
    assert again.status_code == 200 and again.json()["id"] == photo_id
    assert keys_in(settings, "originals/") == [f"zhoushan/{original_key(sha256)}"]

    # the start-up sweep of `serve` lists the bucket: an object no row names goes, the photo's stay
    orphan = "c" * 64
    object_store(settings).put(original_key(orphan), b"left by a crash")
    await _sweep_evidence(settings)
    assert f"zhoushan/{original_key(orphan)}" not in keys_in(settings)
    assert f"zhoushan/{original_key(sha256)}" in keys_in(settings)
    assert (await follow(client, f"/v1/photos/{photo_id}", officer)).content == data

    pdf = pdfs.clean_pdf(pages=2)
    document = await send(client, officer, pdf, client_id="s3-report", name="评估报告.pdf")
    assert document.status_code == 201, document.text
    saved = await follow(client, document.json()["url"], officer)
    assert saved.content == pdf
    assert saved.headers["content-type"] == "application/pdf"
    assert saved.headers["content-disposition"].startswith("attachment;")
    assert "UTF-8''%E8%AF%84" in saved.headers["content-disposition"]
    documents = keys_in(settings, "documents/originals/")
    assert documents == [f"zhoushan/documents/{original_key(hashlib.sha256(pdf).hexdigest())}"]


def test_migrate_moves_the_demo_photos_verifies_them_and_finds_a_tampered_object(
    sqlite_template, seeded_photos, s3_endpoint, tmp_path, monkeypatch, capsys
):
    settings = on_bucket(_settings_of_env(tmp_path, seeded_photos), s3_endpoint)
    _environment(monkeypatch, settings, tmp_path)
    files = list(local_files(seeded_photos))
    originals = [key for key, _ in files if key.startswith("originals/")]
    assert len(originals) >= 5  # the demo's photos (the seed makes no derivatives: they are made on demand)

    assert main(["storage", "migrate", "--to", "s3"]) == 0
    first = capsys.readouterr().out
    assert f": {len(files)} copied" in first and f"{len(files)} verified by SHA-256, 0 failed" in first
    assert keys_in(settings) == sorted(f"zhoushan/{key}" for key, _ in files)

    # resumable and idempotent: a second run copies nothing and checks everything again
    assert main(["storage", "migrate", "--to", "s3"]) == 0
    assert f": 0 copied (0 bytes), {len(files)} already there, 0 replaced" in capsys.readouterr().out

    # someone with write access to the bucket swaps an original's bytes, keeping its name and metadata
    victim = originals[0]
    s3_client(settings).put_object(
        Bucket=settings.s3_bucket,
        Key=f"zhoushan/{victim}",
        Body=b"not the photo",
        Metadata={SHA256_METADATA: victim.rsplit("/", 1)[-1]},
    )
    assert main(["storage", "verify"]) == 1
    found = capsys.readouterr().out
    assert f"MISMATCH: {victim} hashes to {hashlib.sha256(b'not the photo').hexdigest()}" in found
    assert "1 mismatched" in found
    # migrating again puts the folder's bytes back (every object read back and compared again)
    assert main(["storage", "migrate", "--to", "s3"]) == 0
    assert f"{len(files) - 1} already there, 1 replaced, {len(files)} verified by SHA-256, 0 failed" in (
        capsys.readouterr().out
    )


async def test_the_sweep_lists_the_bucket_and_removes_only_unnamed_old_objects(s3_endpoint, tmp_path):
    settings = on_bucket(_settings_of_env(tmp_path, tmp_path / "evidence"), s3_endpoint)
    bucket = object_store(settings)
    named, orphan = "a" * 64, "b" * 64
    for sha256 in (named, orphan):
        bucket.put(original_key(sha256), sha256.encode())
        bucket.put(derivative_key("thumb", sha256), b"thumb")
    documents = object_store(settings, "documents")
    documents.put(original_key(orphan), b"%PDF")  # another store's object: not this sweep's to judge

    async def kept() -> set[str]:
        return {named}

    spared = await sweep_bucket(bucket, kept, grace_s=3600)
    assert spared.removed == [] and spared.spared_young == 2  # written just now: maybe a row is committing

    swept = await sweep_bucket(bucket, kept, grace_s=0)
    assert sorted(swept.removed) == sorted([derivative_key("thumb", orphan), original_key(orphan)])
    assert keys_in(settings) == sorted(
        f"zhoushan/{key}"
        for key in (original_key(named), derivative_key("thumb", named), f"documents/{original_key(orphan)}")
    )


def _settings_of_env(tmp_path, photo_dir):
    from tests.conftest import make_settings

    return make_settings(tmp_path / "var", photo_dir=photo_dir)


def _environment(monkeypatch, settings, tmp_path) -> None:
    """The environment `shuangfang storage …` reads its settings from (as an operator would set it)."""
    values = {
        "SF_VAR_DIR": str(tmp_path / "var"),
        "SF_PHOTO_DIR": str(settings.photo_dir),
        "SF_JWT_SECRET": settings.jwt_secret,
        "SF_QR_KEYS": '{"1": "test-qr-key-0123456789abcdef"}',
        "SF_STORAGE": "s3",
        "SF_S3_ENDPOINT": settings.s3_endpoint_url,
        "SF_S3_BUCKET": settings.s3_bucket,
        "SF_S3_PREFIX": settings.s3_prefix,
        "SF_S3_REGION": settings.s3_region,
        "SF_S3_ACCESS_KEY_ID": settings.s3_access_key_id,
        "SF_S3_SECRET_ACCESS_KEY": settings.s3_secret_access_key,
        "SF_S3_ADDRESSING": settings.s3_addressing_style,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_a_store_that_cannot_be_reached_answers_503_and_keeps_nothing(client, app, db):
    settings, _ = db
    photos = services_of(app).photos
    # the same settings, but an endpoint where nothing listens (a store down or cut off)
    photos.objects = object_store(replace(settings, s3_endpoint_url=f"http://127.0.0.1:{free_port()}"))
    officer = await login(client, "officer1")
    before = await Photo.count().run()
    answer = await client.post(
        "/v1/photos",
        files={"file": ("p.jpg", distinct_jpeg(), "image/jpeg")},
        data={"clientId": "s3-away"},
        headers=officer,
    )
    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "OBJECT_STORE_UNAVAILABLE"
    assert answer.headers["retry-after"] == "10"
    assert await Photo.count().run() == before  # no row
    assert [path for path in settings.photo_dir.rglob("*") if path.is_file()] == []  # and no file left behind
