"""`shuangfang migrate` on a database whose data predate the change feed backfills the feed once."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path


def migrate(tmp_path: Path, path: Path) -> str:
    env = {**os.environ, "SF_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{path}", "REDIS_URL": ""}
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[2],
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def feed(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT kind, entity_id FROM sync_change ORDER BY kind, entity_id").fetchall()


def test_an_upgraded_database_gets_its_feed_backfilled_by_migrate_and_a_second_migrate_adds_nothing(
    tmp_path, sqlite_template
):
    path = tmp_path / "upgraded.sqlite3"
    shutil.copy(sqlite_template, path)
    seeded = feed(path)
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM sync_change")  # as if the data were written before the feed existed
    first = migrate(tmp_path, path)
    assert "rows backfilled" in first
    backfilled = feed(path)
    assert {kind for kind, _ in backfilled} == {"enterprise", "riskPoint", "hazard", "task"}
    assert set(backfilled) <= set(seeded) and len(set(backfilled)) == len(backfilled)
    assert "backfilled" not in migrate(tmp_path, path)
    assert feed(path) == backfilled
