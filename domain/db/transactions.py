"""The one transaction helper: every area opens its transactions here, on the engine the tables are bound to."""

from __future__ import annotations

from piccolo.engine.base import Engine

from domain.db import piccolo_conf


def current_engine() -> Engine:
    """The engine `bind_engine` chose for this process."""
    return piccolo_conf.DB


def transaction():
    """A transaction on the bound engine; opened inside another, it joins the outer one."""
    return piccolo_conf.DB.transaction()


def is_sqlite() -> bool:
    """True when the bound engine is the embedded SQLite file (some statements differ by engine)."""
    return piccolo_conf.DB.engine_type == "sqlite"
