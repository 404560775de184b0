"""Moving the evidence folder into a bucket, and checking a bucket's objects against their SHA-256.

`shuangfang storage migrate --to s3` copies every kept file of the photo folder (`originals/`, `display/`,
`thumb/`, and the same under `documents/`) to the bucket of the `SF_S3_*` settings under the same key, then reads
each object back and compares its SHA-256 with the local file's. It is resumable and idempotent: an object already
in the bucket whose bytes hash right is left alone (counted "already there"); one whose bytes differ (a broken
earlier run, or tampering) is uploaded again and checked again ("replaced"). Nothing local is removed: the folder
stays until the operator has switched to `SF_STORAGE=s3` and is satisfied.

`shuangfang storage verify` reads every object of the bucket back: an original must hash to its name, any other
object to the SHA-256 it was written with (its `x-amz-meta-sha256`); each mismatch is printed and the command
exits 1. Site plans (`site-plans/`) and uploads in flight (`incoming/`) stay local and are not moved.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from domain.photos.buckets import SHA256_METADATA, Bucket, sha256_of_file
from domain.photos.sweep import named_sha256

# Below the photo folder: the photos' kept files, and the documents' (which have originals only).
MIGRATED_FOLDERS = ("originals", "display", "thumb", "documents/originals")
PARALLEL = 8  # objects copied or read back at once


@dataclass(slots=True)
class MigrationReport:
    """What one run of the migration did, object by object."""

    copied: int = 0
    already_there: int = 0
    replaced: int = 0
    bytes_copied: int = 0
    failed: list[str] = field(default_factory=list)

    @property
    def verified(self) -> int:
        """Objects whose bytes in the bucket were read back and hash as the local file does."""
        return self.copied + self.already_there + self.replaced


@dataclass(slots=True)
class VerifyReport:
    """What a check of the bucket found."""

    checked: int = 0
    mismatched: list[str] = field(default_factory=list)
    unverifiable: list[str] = field(default_factory=list)


def local_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(key, path) of every kept file under the migrated folders of `root`, in key order; temporary files skipped."""
    for folder in MIGRATED_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and named_sha256(path) is not None:
                yield path.relative_to(root).as_posix(), path


def object_sha256(bucket: Bucket, key: str) -> tuple[str, str | None]:
    """(the hex SHA-256 of the object's bytes, read back in chunks; the SHA-256 its metadata names, if any)."""
    answer = bucket.client.get_object(Bucket=bucket.bucket, Key=bucket.prefix + key)
    digest = hashlib.sha256()
    for chunk in answer["Body"].iter_chunks(1024 * 1024):
        digest.update(chunk)
    return digest.hexdigest(), answer.get("Metadata", {}).get(SHA256_METADATA)


def expected_sha256(key: str, metadata_sha256: str | None) -> str | None:
    """What an object must hash to: an original its name; any other object the hash it was written with."""
    name = key.rsplit("/", 1)[-1]
    return name if "/originals/" in f"/{key}" else metadata_sha256


def migrate_to_bucket(root: Path, bucket: Bucket, say: Callable[[str], None] = print) -> MigrationReport:
    """Copy every kept file under `root` to the bucket and verify it there (see the module's docstring); files go
    `PARALLEL` at a time, since each costs a few round trips to the store and little of this machine."""
    report = MigrationReport()
    with ThreadPoolExecutor(PARALLEL) as pool:
        for key, outcome, size in pool.map(lambda item: _migrate_one(bucket, *item), local_files(root)):
            if outcome == "failed":
                say(f"FAILED: {key}: the local file is damaged, or the bucket did not keep its bytes")
                report.failed.append(key)
            elif outcome == "already there":
                report.already_there += 1
            elif outcome == "replaced":
                say(f"replaced {key}: the bucket held other bytes under it")
                report.replaced += 1
                report.bytes_copied += size
            else:
                report.copied += 1
                report.bytes_copied += size
    return report


def _migrate_one(bucket: Bucket, key: str, path: Path) -> tuple[str, str, int]:
    """(key, "copied" | "replaced" | "already there" | "failed", bytes) for one local file."""
    size = path.stat().st_size
    local = sha256_of_file(path)
    if "/originals/" in f"/{key}" and local != path.name:
        return key, "failed", size  # the folder's own copy is damaged: never spread it
    found = bucket.head(key)
    if found is not None and found["ContentLength"] == size and object_sha256(bucket, key)[0] == local:
        return key, "already there", size
    bucket.put_file(path, key, local)
    if object_sha256(bucket, key) != (local, local):
        return key, "failed", size
    return key, "copied" if found is None else "replaced", size


def verify_bucket(bucket: Bucket, say: Callable[[str], None] = print) -> VerifyReport:
    """Read back every object of the migrated folders and compare its SHA-256 with what it must be."""
    report = VerifyReport()
    keys = [listed.key for folder in MIGRATED_FOLDERS for listed in bucket.listing(f"{folder}/")]
    with ThreadPoolExecutor(PARALLEL) as pool:
        for key, (actual, written) in zip(keys, pool.map(lambda key: object_sha256(bucket, key), keys), strict=True):
            expected = expected_sha256(key, written)
            report.checked += 1
            if expected is None:
                say(f"UNVERIFIABLE: {key} carries no SHA-256")
                report.unverifiable.append(key)
            elif actual != expected:
                say(f"MISMATCH: {key} hashes to {actual}, expected {expected}")
                report.mismatched.append(key)
    return report
