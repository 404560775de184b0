"""Where photo files live, written so that no reader sees half a file and no refused upload leaves a trace.

    <photo_dir>/incoming/<id>.part              an upload while it arrives: hashed and counted as it is written
    <photo_dir>/originals/ab/cd/<sha256>        the bytes as uploaded, named by their SHA-256 (so stored once)
    <photo_dir>/display/ab/cd/<sha256>.jpg      derivatives, made again at will from the original
    <photo_dir>/thumb/ab/cd/<sha256>.jpg

An upload becomes an original by a rename inside the same folder tree (atomic, after an fsync), so the original is
either whole or absent; an `Incoming` left without being kept removes its file.

Kept files are reached through one interface, `ObjectStore`, by key (`originals/ab/cd/<sha256>`, …): `LocalFolder`
is the layout above; with `SF_STORAGE=s3` the same keys live in an S3-compatible bucket (`domain.photos.buckets`),
and only `incoming/` stays on this machine.

A full disk (ENOSPC, or a quota: EDQUOT) while any of these is written raises `StorageFull` (507), after the partial
file is removed; since every file is written before its rows, the request then commits nothing. A crash between an
original's rename and its row's commit leaves a file no row names: `domain.photos.sweep` removes those at start-up.
"""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Literal, Protocol

from domain.config import Settings
from domain.errors import DomainError
from domain.ids import new_id
from domain.photos.images import PhotoTooLarge

Kind = Literal["display", "thumb"]

# What a write answers when the filesystem (or the account's quota on it) has no room left.
NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})


class StorageFull(DomainError):
    """The evidence folder's disk is full: nothing of the request was kept (no partial file, no row)."""

    code = "STORAGE_FULL"


@contextmanager
def refused_when_full() -> Iterator[None]:
    """Turn the disk's "no space left" into `StorageFull`; any other error of the filesystem stays what it is."""
    try:
        yield
    except OSError as error:
        if error.errno in NO_SPACE:
            raise StorageFull("the evidence folder's disk is full; nothing was kept, try again later") from error
        raise


class Incoming:
    """An upload arriving: written to a temporary file in the photo folder, hashed and counted as it comes, capped."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        folder = root / "incoming"
        self.path = folder / f"{new_id()}.part"
        self.max_bytes = max_bytes
        self.size = 0
        self._hash = hashlib.sha256()
        with refused_when_full():
            folder.mkdir(parents=True, exist_ok=True)
            # Unbuffered: a full disk shows at the write that hits it, not later in a close nobody checks.
            self._file = open(self.path, "xb", buffering=0)  # noqa: SIM115 - closed by finish() or discard()

    def write(self, chunk: bytes) -> None:
        """Append a chunk; past the cap the upload is refused at once, before the rest is read."""
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise PhotoTooLarge(f"the photo is larger than {self.max_bytes} bytes", max_bytes=self.max_bytes)
        self._hash.update(chunk)
        rest = memoryview(chunk)
        with refused_when_full():
            while rest:  # a raw write may take part of the chunk (the disk filling up): the rest goes again
                rest = rest[self._file.write(rest) :]

    @property
    def sha256(self) -> str:
        """The hex SHA-256 of what has arrived."""
        return self._hash.hexdigest()

    def finish(self) -> None:
        """Everything has arrived: flush it to the disk (a 2xx promises the original survives a power cut)."""
        if not self._file.closed:
            with refused_when_full():
                os.fsync(self._file.fileno())
            self._file.close()

    def discard(self) -> None:
        """Forget the upload: its temporary file is removed (a no-op once kept)."""
        self._file.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Incoming:
        return self

    def __exit__(self, *_: object) -> None:
        self.discard()


def original_path(root: Path, sha256: str) -> Path:
    """Where the original with this SHA-256 is kept."""
    return root / "originals" / sha256[:2] / sha256[2:4] / sha256


def derivative_path(root: Path, kind: Kind, sha256: str) -> Path:
    """Where the display or thumb copy of the original with this SHA-256 is kept."""
    return root / kind / sha256[:2] / sha256[2:4] / f"{sha256}.jpg"


def keep_original(incoming: Incoming, root: Path) -> Path:
    """Move a finished upload into place under its hash; identical bytes already there are kept as they are."""
    final = original_path(root, incoming.sha256)
    _keep_at(incoming, final)
    return final


def _keep_at(incoming: Incoming, final: Path) -> None:
    """Move a finished upload to `final` (atomic, durable); identical bytes already there are kept as they are."""
    incoming.finish()
    if final.exists():
        incoming.discard()
        # Fresh again: the start-up sweep spares files younger than its grace, and a row is about to name this one
        # (it may be a crash's leftover that no row named yet).
        os.utime(final)
        return
    with refused_when_full():
        final.parent.mkdir(parents=True, exist_ok=True)
        # Two uploads of the same bytes may race here: both renames put identical bytes under one name.
        os.replace(incoming.path, final)
        _sync_folder(final.parent)


def write_atomically(path: Path, data: bytes) -> None:
    """Write beside and rename, so a reader never sees half a file under the final name."""
    draft = path.with_name(f".{path.name}.{new_id()}.part")
    try:
        with refused_when_full():
            path.parent.mkdir(parents=True, exist_ok=True)
            draft.write_bytes(data)
            os.replace(draft, path)
    finally:
        draft.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Make a rename durable: the folder's entry, not only the file's bytes, must reach the disk."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# --- one interface over where kept evidence lives --------------------------------------------------------------------


def original_key(sha256: str) -> str:
    """The key of the original with this SHA-256, below a store's root (the same layout on disk and in a bucket)."""
    return f"originals/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def derivative_key(kind: Kind, sha256: str) -> str:
    """The key of the display or thumb copy of the original with this SHA-256, beside the original."""
    return f"{kind}/{sha256[:2]}/{sha256[2:4]}/{sha256}.jpg"


class ObjectStore(Protocol):
    """Where kept evidence lives, by key (`original_key`, `derivative_key`): a local folder or an S3 bucket.

    Uploads always arrive in a local `Incoming` (hashed, capped, inspected from disk); `keep` moves one in. Every
    method blocks: callers run them in a thread.
    """

    root: Path
    """The local folder uploads arrive in (`<root>/incoming/`), and on the local store where objects live too."""

    def keep(self, incoming: Incoming, key: str) -> None:
        """Move a finished upload in under `key`; identical bytes already there are kept as they are (made young)."""

    def put(self, key: str, data: bytes) -> None:
        """Write `data` under `key` whole (a reader never sees half of it)."""

    def version(self, key: str) -> int | None:
        """A number that changes when the object is written again (its time in ns); None when there is none."""

    def local_copy(self, key: str) -> AbstractContextManager[Path]:
        """A local file holding the object's bytes for as long as the context lasts."""

    def signed_url(self, key: str, *, media_type: str, attachment_name: str | None = None) -> str | None:
        """A short-lived URL a client may GET the object from directly (saved as `attachment_name` when given, else
        shown inline); None: the API sends the bytes itself."""


class LocalFolder:
    """Evidence kept in a folder of this machine (the embedded default): the layout of this module's docstring."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        """Where the object with this key lies."""
        return self.root / key

    def keep(self, incoming: Incoming, key: str) -> None:
        """Rename the finished upload into place (see `keep_original`)."""
        _keep_at(incoming, self.root / key)

    def put(self, key: str, data: bytes) -> None:
        """Write beside and rename."""
        write_atomically(self.root / key, data)

    def version(self, key: str) -> int | None:
        """The file's modification time in ns."""
        try:
            return (self.root / key).stat().st_mtime_ns
        except FileNotFoundError:
            return None

    @contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        """The file itself."""
        yield self.root / key

    def signed_url(self, key: str, *, media_type: str, attachment_name: str | None = None) -> str | None:
        """None: the API sends the file."""
        return None


def object_store(settings: Settings, folder: str = "") -> ObjectStore:
    """The store `SF_STORAGE` names, for the photo folder or a subfolder of it (`documents`): kept per process."""
    root = settings.photo_dir / folder if folder else settings.photo_dir
    if settings.storage == "local":
        return LocalFolder(root)
    if settings.storage != "s3":
        raise ValueError(f"SF_STORAGE must be local or s3, not {settings.storage!r}")
    from domain.photos.buckets import bucket_store  # boto3 is imported only when a bucket is used

    return bucket_store(settings, root, f"{folder}/" if folder else "")
