"""Apply the committed piccolo migrations to an engine."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterable

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.base import Engine

from domain.db.engine import bind_engine


class MigrationFailed(RuntimeError):
    """A migration did not apply; the message is piccolo's."""


async def migrate(engine: Engine, *, quiet: bool = True) -> None:
    """Run every migration not yet applied; safe to run again."""
    os.environ["PICCOLO_CONF"] = "domain.db.piccolo_conf"
    bind_engine(engine)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed) if quiet else contextlib.nullcontext():
        result = await ForwardsMigrationManager(app_name="shuangfang").run()
    if not result.success:
        raise MigrationFailed(result.message)


def raw_tables_migration(
    migration_id: str, description: str, tables: dict[str, str], indexes: Iterable[str] = ()
) -> MigrationManager:
    """A migration in plain SQL both engines share: create `tables` (name → CREATE TABLE) and then `indexes` (CREATE
    INDEX statements); going back drops the tables in reverse order, their indexes with them."""
    manager = MigrationManager(migration_id=migration_id, app_name="shuangfang", description=description)

    async def create() -> None:
        engine = engine_finder()
        for statement in [*tables.values(), *indexes]:
            await engine.run_ddl(statement)

    async def drop() -> None:
        engine = engine_finder()
        for name in reversed(tables):
            await engine.run_ddl(f'DROP TABLE "{name}"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
