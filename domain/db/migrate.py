"""Apply the committed piccolo migrations to an engine."""

from __future__ import annotations

import contextlib
import io
import os

from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager
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
