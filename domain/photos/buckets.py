"""Evidence kept in an S3-compatible bucket (Aliyun OSS, MinIO, AWS S3): the `ObjectStore` of `SF_STORAGE=s3`.

The keys are those of the local folder (`originals/ab/cd/<sha256>`, `display/…/<sha256>.jpg`, documents under
`documents/`), below `SF_S3_PREFIX`. Each object carries its bytes' SHA-256 as user metadata (`x-amz-meta-sha256`),
so a derivative, which is not named by its own hash, can be verified too (`verify_objects`).

Downloads go to the client as a short-lived presigned GET (`signed_url`) after the API has checked who asks; the
bytes never pass through the API process. boto3 is synchronous: callers run these methods in a thread. One client
per process and configuration (boto3 clients are thread-safe; making one costs tens of milliseconds).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import boto3
from boto3.exceptions import S3UploadFailedError
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, ConnectTimeoutError, EndpointConnectionError
from botocore.exceptions import ReadTimeoutError as BotoReadTimeout

from domain.config import Settings
from domain.errors import DomainError
from domain.ids import new_id
from domain.photos.storage import Incoming, refused_when_full

SHA256_METADATA = "sha256"
# Seconds a client is told to wait (Retry-After) when the store cannot be reached (boto3 has retried 3 times).
OBJECT_STORE_RETRY_AFTER_S = 10
_UNREACHABLE = (EndpointConnectionError, ConnectTimeoutError, ConnectionClosedError, BotoReadTimeout)
_CLIENTS: dict[tuple, object] = {}
_CLIENTS_LOCK = threading.Lock()


class ObjectStoreUnavailable(DomainError):
    """The object store cannot be reached (down, unreachable, answering 5xx): nothing of the request was kept."""

    code = "OBJECT_STORE_UNAVAILABLE"


def is_unreachable(error: BaseException) -> bool:
    """True when `error` (or what caused it) says the store is away or failing, not that a request is wrong."""
    current: BaseException | None = error
    for _ in range(8):
        if current is None:
            return False
        if isinstance(current, _UNREACHABLE):
            return True
        if isinstance(current, ClientError):
            return current.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500
        current = current.__cause__ or current.__context__
    return False


@contextmanager
def reachable() -> Iterator[None]:
    """Turn the store being away into `ObjectStoreUnavailable` (503 with Retry-After); other errors stay as they are."""
    try:
        yield
    except (ClientError, S3UploadFailedError, *_UNREACHABLE) as error:
        if is_unreachable(error):
            raise ObjectStoreUnavailable(
                "the photo and document store cannot be reached; nothing was kept, try again later",
                retryAfterSeconds=OBJECT_STORE_RETRY_AFTER_S,
            ) from error
        raise


def s3_client(settings: Settings):
    """The boto3 S3 client of these settings, made once per process."""
    key = (
        settings.s3_endpoint_url,
        settings.s3_region,
        settings.s3_access_key_id,
        settings.s3_secret_access_key,
        settings.s3_addressing_style,
    )
    with _CLIENTS_LOCK:
        if key not in _CLIENTS:
            config = Config(
                signature_version="s3v4",
                s3={"addressing_style": settings.s3_addressing_style},
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,  # a store that does not answer is reported (503) in seconds, not a minute
                read_timeout=30,
                # Checksums only where the API requires them: S3-compatible stores (older MinIO, OSS) refuse the
                # CRC32 trailers boto3 ≥ 1.36 adds by default; integrity is checked by SHA-256 instead.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            )
            _CLIENTS[key] = boto3.session.Session().client(
                "s3",
                endpoint_url=settings.s3_endpoint_url or None,
                region_name=settings.s3_region,
                aws_access_key_id=settings.s3_access_key_id or None,
                aws_secret_access_key=settings.s3_secret_access_key or None,
                config=config,
            )
        return _CLIENTS[key]


def bucket_store(settings: Settings, root: Path, folder: str) -> Bucket:
    """The bucket of these settings, for the photo folder's keys (`folder` ""), or a subfolder's (`documents/`)."""
    if not settings.s3_bucket:
        raise ValueError("SF_STORAGE=s3 needs SF_S3_BUCKET")
    prefix = settings.s3_prefix.strip("/")
    return Bucket(
        s3_client(settings),
        settings.s3_bucket,
        f"{prefix}/{folder}" if prefix else folder,
        root,
        settings.s3_url_ttl_s,
    )


@dataclass(frozen=True, slots=True)
class ListedObject:
    """An object found in a listing: its key below the store's prefix, size and time of writing."""

    key: str
    size: int
    modified_at: datetime


class Bucket:
    """An S3 bucket (or a prefix of one) holding evidence by key; uploads arrive in `root/incoming/` first."""

    def __init__(self, client, bucket: str, prefix: str, root: Path, url_ttl_s: int) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.root = root
        self.url_ttl_s = url_ttl_s

    def _key(self, key: str) -> str:
        return self.prefix + key

    def head(self, key: str) -> dict | None:
        """The object's headers (size, time, metadata), or None when there is none."""
        try:
            with reachable():
                return self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def keep(self, incoming: Incoming, key: str) -> None:
        """Upload the finished upload under `key` (bytes already there are made young again), then drop the file."""
        incoming.finish()
        try:
            if self.head(key) is None:
                self.put_file(incoming.path, key, incoming.sha256)
                return
            with reachable():
                # Copied onto itself: its time is now, so a sweep's grace spares it until the row naming it commits.
                self.client.copy_object(
                    Bucket=self.bucket,
                    Key=self._key(key),
                    CopySource={"Bucket": self.bucket, "Key": self._key(key)},
                    Metadata={SHA256_METADATA: incoming.sha256},
                    MetadataDirective="REPLACE",
                )
        finally:
            incoming.discard()

    def put_file(self, path: Path, key: str, sha256: str) -> None:
        """Upload a local file under `key`, its SHA-256 as metadata (an object appears whole or not at all)."""
        with reachable():
            self.client.upload_file(
                str(path), self.bucket, self._key(key), ExtraArgs={"Metadata": {SHA256_METADATA: sha256}}
            )

    def put(self, key: str, data: bytes) -> None:
        """Write `data` under `key` in one PUT."""
        sha256 = hashlib.sha256(data).hexdigest()
        with reachable():
            self.client.put_object(
                Bucket=self.bucket, Key=self._key(key), Body=data, Metadata={SHA256_METADATA: sha256}
            )

    def version(self, key: str) -> int | None:
        """The object's time of writing in ns, or None when there is none."""
        found = self.head(key)
        return None if found is None else int(found["LastModified"].timestamp() * 1_000_000_000)

    @contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        """The object downloaded into `root/incoming/` (removed after): Pillow and pypdf read files."""
        folder = self.root / "incoming"
        path = folder / f"{new_id()}.part"
        try:
            with refused_when_full(), reachable():
                folder.mkdir(parents=True, exist_ok=True)
                self.client.download_file(self.bucket, self._key(key), str(path))
            yield path
        finally:
            path.unlink(missing_ok=True)

    def signed_url(self, key: str, *, media_type: str, attachment_name: str | None = None) -> str | None:
        """A presigned GET valid `url_ttl_s` seconds, answering with the type and disposition the API would (signed
        here, without a request to the store)."""
        params = {"Bucket": self.bucket, "Key": self._key(key), "ResponseContentType": media_type}
        params["ResponseContentDisposition"] = "inline" if attachment_name is None else _attachment(attachment_name)
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=self.url_ttl_s)

    def listing(self, folder: str) -> Iterator[ListedObject]:
        """Every object whose key starts with `folder` (e.g. `originals/`), page by page."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self._key(folder))
        with reachable():
            for page in pages:
                for item in page.get("Contents", ()):
                    key = item["Key"].removeprefix(self.prefix)
                    yield ListedObject(key, item["Size"], item["LastModified"].astimezone(UTC))

    def delete(self, key: str) -> None:
        """Remove the object (no error when there is none)."""
        with reachable():
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))


def _attachment(filename: str) -> str:
    """A Content-Disposition saving the file under its name (RFC 6266: an ASCII fallback and the UTF-8 name)."""
    fallback = filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_") or "document"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def sha256_of_file(path: Path) -> str:
    """The hex SHA-256 of a local file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
