"""The backup manifest's rules: it reads back what it wrote, and names every file or table that differs."""

from __future__ import annotations

import pytest

from domain.backup.model import (
    ChainHeadsExport,
    Manifest,
    ManifestError,
    count_problems,
    file_problems,
    is_backed_up_photo,
)

MANIFEST = Manifest(
    engine="sqlite",
    tool_version="0.1.0",
    created_at="2026-12-03T04:00:00+00:00",
    database_file="database.sqlite3",
    database_sha256="ab" * 32,
    tables={"hazard": 3, "photo": 2},
    files={"photos/originals/ab/cd/abcd": "cd" * 32},
    chain_heads=ChainHeadsExport(day="2026-12-03", chains=5, digest="ef" * 32),
)


def test_a_manifest_reads_back_equal_and_writes_the_same_bytes_each_time():
    assert Manifest.from_json(MANIFEST.to_json()) == MANIFEST
    assert MANIFEST.to_json() == Manifest.from_json(MANIFEST.to_json()).to_json()


@pytest.mark.parametrize(
    "data",
    [b"not json", b'{"format": "other"}', b'{"format": "shuangfang-backup-1", "engine": "sqlite"}'],
)
def test_a_manifest_of_another_format_or_with_a_field_missing_is_refused(data):
    with pytest.raises(ManifestError):
        Manifest.from_json(data)


def test_a_manifest_naming_the_wrong_database_file_for_its_engine_is_refused():
    wrong = MANIFEST.to_json().replace(b"database.sqlite3", b"database.pgdump")
    with pytest.raises(ManifestError, match="unknown engine or database file"):
        Manifest.from_json(wrong)


def test_file_problems_name_each_missing_changed_and_unlisted_file():
    expected = {"a": "1", "b": "2", "c": "3"}
    actual = {"a": "1", "b": "9", "d": "4"}
    assert file_problems(expected, actual) == [
        "missing file c",
        "file b changed (sha256 9, manifest says 2)",
        "file d is not in the manifest",
    ]
    assert file_problems(expected, dict(expected)) == []


def test_count_problems_name_each_table_that_differs_or_is_missing():
    assert count_problems({"hazard": 3, "photo": 2}, {"hazard": 4, "extra": 0}) == [
        "table photo is missing",
        "table hazard has 4 rows, the manifest says 3",
        "table extra is not in the manifest",
    ]
    assert count_problems({"hazard": 3}, {"hazard": 3}) == []


def test_uploads_still_arriving_are_not_backed_up():
    assert is_backed_up_photo(("originals", "ab", "cd", "abcd"))
    assert not is_backed_up_photo(("incoming", "01X.part"))
