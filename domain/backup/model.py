"""The backup manifest and the rules a restore checks it by (pure: no database, no files).

A backup folder holds

    manifest.json                  this manifest
    database.sqlite3 | database.pgdump   the database: SQLite's online backup, or pg_dump's custom format
    files/photos/...               the evidence folder (photos, derivatives, documents, site plans)
    files/chain-heads/<day>.jsonl  the exported chain heads (one exported just before the copy)
    files/secrets/secrets.json     the generated JWT secret and QR keys, when kept in the var folder: printed codes
                                   must still verify after a restore (keep a backup as safe as the database)

and the manifest names the engine, the tool version, the row count of every table as of the copy, the SHA-256 of
the database file and of every other file, and the chain heads exported with it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

FORMAT = "shuangfang-backup-1"
MANIFEST_NAME = "manifest.json"
FILES_FOLDER = "files"
PHOTOS_FOLDER = "photos"
HEADS_FOLDER = "chain-heads"
SECRETS_FOLDER = "secrets"
SECRETS_FILE = "secrets.json"
DATABASE_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# Uploads still arriving (`<photo_dir>/incoming/*.part`) are no one's evidence yet: never backed up.
SKIPPED_PHOTO_FOLDERS = frozenset({"incoming"})


class ManifestError(Exception):
    """A backup does not match its manifest, or the manifest is not one this version reads."""


class BackupRefused(Exception):
    """A backup or restore would overwrite something: it only writes into an empty place."""


class BackupFailed(Exception):
    """A tool the copy needs (pg_dump, pg_restore) is missing or failed; its own words are in the message."""


@dataclass(frozen=True, slots=True)
class ChainHeadsExport:
    """The heads export taken with the backup: its day, how many chains, and its digest (see history.chain)."""

    day: str
    chains: int
    digest: str


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a backup holds, enough to check a copy of it byte for byte and row for row."""

    engine: str
    tool_version: str
    created_at: str
    database_file: str
    database_sha256: str
    tables: dict[str, int]
    files: dict[str, str]  # path under `files/` -> SHA-256
    chain_heads: ChainHeadsExport
    format: str = FORMAT
    notes: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> bytes:
        """The manifest as sorted, indented JSON (the same manifest always gives the same bytes)."""
        return (json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        """Read a manifest, refusing one of another format or with a field missing."""
        try:
            raw = json.loads(data)
        except ValueError as error:
            raise ManifestError(f"the manifest is not JSON: {error}") from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise ManifestError(
                f"not a {FORMAT} manifest (format {raw.get('format') if isinstance(raw, dict) else '?'})"
            )
        try:
            heads = ChainHeadsExport(**raw.pop("chain_heads"))
            manifest = cls(chain_heads=heads, **raw)
        except (KeyError, TypeError) as error:
            raise ManifestError(f"the manifest lacks or misnames a field: {error}") from None
        if manifest.engine not in DATABASE_NAMES or manifest.database_file != DATABASE_NAMES[manifest.engine]:
            raise ManifestError(f"unknown engine or database file: {manifest.engine} {manifest.database_file}")
        return manifest


def file_problems(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    """Every file the manifest names that is missing or whose SHA-256 differs, and every file it does not name."""
    problems = [f"missing file {path}" for path in sorted(expected.keys() - actual.keys())]
    problems += [
        f"file {path} changed (sha256 {actual[path]}, manifest says {expected[path]})"
        for path in sorted(expected.keys() & actual.keys())
        if actual[path] != expected[path]
    ]
    problems += [f"file {path} is not in the manifest" for path in sorted(actual.keys() - expected.keys())]
    return problems


def count_problems(expected: dict[str, int], actual: dict[str, int]) -> list[str]:
    """Every table whose row count differs from the manifest's, or that one side lacks."""
    problems = [f"table {name} is missing" for name in sorted(expected.keys() - actual.keys())]
    problems += [
        f"table {name} has {actual[name]} rows, the manifest says {expected[name]}"
        for name in sorted(expected.keys() & actual.keys())
        if actual[name] != expected[name]
    ]
    problems += [f"table {name} is not in the manifest" for name in sorted(actual.keys() - expected.keys())]
    return problems


def is_backed_up_photo(relative_parts: tuple[str, ...]) -> bool:
    """A file of the evidence folder belongs in a backup unless it is an upload still arriving."""
    return bool(relative_parts) and relative_parts[0] not in SKIPPED_PHOTO_FOLDERS
