"""The start-up sweep: files a crash left in an evidence folder without the row that would name them are removed.

An upload's original is renamed into place before its row commits (so a committed row never names a missing
file); a process killed between the two leaves a file that no row names, and one killed mid-upload leaves its
`incoming/*.part`. `shuangfang serve` runs this sweep once before it serves and prints what it removed.

What is removed, under `incoming/`, `originals/`, `display/` and `thumb/` of a folder laid out as
`domain.photos.storage` describes (the photo folder, and the documents folder inside it):
  - temporary files (`*.part`: uploads arriving, derivative drafts), which no row ever names;
  - originals and derivatives named by a SHA-256 that no row of the folder's table has.
A file whose hash a row has is kept, whichever upload first wrote it: files are shared by hash between rows.
Site plans are not swept: an enterprise's earlier plans are kept on purpose, with no row naming them.

Only files older than a grace are removed. With one process (SQLite; `serve` refuses more) nothing is in flight
when the sweep runs, so the grace is 0. On PostgreSQL other processes, here or on other machines, may be between
an original's rename and its row's commit: a file younger than the grace (15 minutes by default, far above the
seconds an upload takes) is left for a later start. Re-keeping bytes that are already there refreshes the
file's time (`storage.keep_original`), so a crash's leftover that a new upload is about to name is young again.
The times compared are the filesystem's (a file's mtime against the machine's time), not the service's clock.

With `SF_STORAGE=s3` the kept files are objects in a bucket: `sweep_bucket` lists the bucket's originals/,
display/ and thumb/ and removes the objects no row names by the same rule (re-keeping refreshes an object's time
by copying it onto itself); `incoming/` is still a local folder, swept by `sweep_folder`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

SWEPT_FOLDERS = ("incoming", "originals", "display", "thumb")
TEMPORARY_SUFFIX = ".part"


@dataclass(frozen=True, slots=True)
class SweepReport:
    """What one sweep of one folder found: the files it removed, and the leftovers it spared as too young."""

    folder: Path
    removed: list[Path] = field(default_factory=list)
    spared_young: int = 0


def leftovers(root: Path) -> list[Path]:
    """Every file under the swept subfolders of `root` (candidates: which of them a row names is decided later)."""
    return [path for name in SWEPT_FOLDERS for path in sorted((root / name).rglob("*")) if path.is_file()]


def named_sha256(path: Path) -> str | None:
    """The SHA-256 a kept file is named by (`<sha>` or `<sha>.jpg`); None for a temporary file."""
    if path.name.endswith(TEMPORARY_SUFFIX) or path.name.startswith("."):
        return None
    return path.name.split(".", 1)[0]


async def sweep_folder(root: Path, kept_sha256s: Callable[[], Awaitable[set[str]]], *, grace_s: float) -> SweepReport:
    """Remove the files under `root` that no row names and that are older than `grace_s` seconds."""
    report = SweepReport(root)
    # Files first, rows second: a row committed while we look is then seen, and spares its file.
    candidates = leftovers(root)
    if not candidates:
        return report
    kept = await kept_sha256s()
    written_before = time.time() - grace_s
    young = 0
    for path in candidates:
        if named_sha256(path) in kept:
            continue
        try:
            if path.stat().st_mtime > written_before:
                young += 1
                continue
            path.unlink()
        except FileNotFoundError:  # finished (kept or discarded) by its own request meanwhile
            continue
        report.removed.append(path)
    return SweepReport(root, report.removed, young)


@dataclass(frozen=True, slots=True)
class BucketSweepReport:
    """What one sweep of a bucket (or a prefix of one) found: the keys it removed, the leftovers spared as young."""

    removed: list[str] = field(default_factory=list)
    spared_young: int = 0


async def sweep_bucket(bucket, kept_sha256s: Callable[[], Awaitable[set[str]]], *, grace_s: float) -> BucketSweepReport:
    """On object storage (`SF_STORAGE=s3`): remove the objects under originals/, display/ and thumb/ that no row
    names and that were written more than `grace_s` seconds ago (by the bucket's clock, as the local sweep goes by
    the filesystem's). `bucket` is a `domain.photos.buckets.Bucket`; uploads arriving stay local (`sweep_folder`)."""

    def listed() -> list:
        return [item for name in SWEPT_FOLDERS if name != "incoming" for item in bucket.listing(f"{name}/")]

    candidates = await asyncio.to_thread(listed)  # objects first, rows second, as on disk
    if not candidates:
        return BucketSweepReport()
    kept = await kept_sha256s()
    written_before = time.time() - grace_s
    removed, young = [], 0
    for item in candidates:
        if item.key.rsplit("/", 1)[-1].split(".", 1)[0] in kept:
            continue
        if item.modified_at.timestamp() > written_before:
            young += 1
            continue
        await asyncio.to_thread(bucket.delete, item.key)
        removed.append(item.key)
    return BucketSweepReport(removed, young)
