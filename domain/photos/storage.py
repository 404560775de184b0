"""Where photo files live, written so that no reader sees half a file and no refused upload leaves a trace.

    <photo_dir>/incoming/<id>.part              an upload while it arrives: hashed and counted as it is written
    <photo_dir>/originals/ab/cd/<sha256>        the bytes as uploaded, named by their SHA-256 (so stored once)
    <photo_dir>/display/ab/cd/<sha256>.jpg      derivatives, made again at will from the original
    <photo_dir>/thumb/ab/cd/<sha256>.jpg

An upload becomes an original by a rename inside the same folder tree (atomic, after an fsync), so the original is
either whole or absent; an `Incoming` left without being kept removes its file.

A full disk (ENOSPC, or a quota: EDQUOT) while any of these is written raises `StorageFull` (507), after the partial
file is removed; since every file is written before its rows, the request then commits nothing. A crash between an
original's rename and its row's commit leaves a file no row names: `domain.photos.sweep` removes those at start-up.
"""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

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
    incoming.finish()
    final = original_path(root, incoming.sha256)
    if final.exists():
        incoming.discard()
        # Fresh again: the start-up sweep spares files younger than its grace, and a row is about to name this one
        # (it may be a crash's leftover that no row named yet).
        os.utime(final)
        return final
    with refused_when_full():
        final.parent.mkdir(parents=True, exist_ok=True)
        # Two uploads of the same bytes may race here: both renames put identical bytes under one name.
        os.replace(incoming.path, final)
        _sync_folder(final.parent)
    return final


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
