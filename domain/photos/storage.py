"""Where photo files live, written so that no reader sees half a file and no refused upload leaves a trace.

    <photo_dir>/incoming/<id>.part              an upload while it arrives: hashed and counted as it is written
    <photo_dir>/originals/ab/cd/<sha256>        the bytes as uploaded, named by their SHA-256 (so stored once)
    <photo_dir>/display/ab/cd/<sha256>.jpg      derivatives, made again at will from the original
    <photo_dir>/thumb/ab/cd/<sha256>.jpg

An upload becomes an original by a rename inside the same folder tree (atomic, after an fsync), so the original is
either whole or absent; an `Incoming` left without being kept removes its file.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Literal

from domain.ids import new_id
from domain.photos.images import PhotoTooLarge

Kind = Literal["display", "thumb"]


class Incoming:
    """An upload arriving: written to a temporary file in the photo folder, hashed and counted as it comes, capped."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        folder = root / "incoming"
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{new_id()}.part"
        self.max_bytes = max_bytes
        self.size = 0
        self._hash = hashlib.sha256()
        self._file = open(self.path, "xb")  # noqa: SIM115 - closed by finish() or discard()

    def write(self, chunk: bytes) -> None:
        """Append a chunk; past the cap the upload is refused at once, before the rest is read."""
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise PhotoTooLarge(f"the photo is larger than {self.max_bytes} bytes", max_bytes=self.max_bytes)
        self._hash.update(chunk)
        self._file.write(chunk)

    @property
    def sha256(self) -> str:
        """The hex SHA-256 of what has arrived."""
        return self._hash.hexdigest()

    def finish(self) -> None:
        """Everything has arrived: flush it to the disk (a 2xx promises the original survives a power cut)."""
        if not self._file.closed:
            self._file.flush()
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
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    # Two uploads of the same bytes may race here: both renames put identical bytes under one name.
    os.replace(incoming.path, final)
    _sync_folder(final.parent)
    return final


def write_atomically(path: Path, data: bytes) -> None:
    """Write beside and rename, so a reader never sees half a file under the final name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{new_id()}.part")
    try:
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
