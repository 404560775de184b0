"""Piccolo's configuration module (`PICCOLO_CONF=domain.db.piccolo_conf`): the engine and the app registry.

`DB` is rebound by `domain.db.engine.bind_engine`, so the migration runner and the service always talk to the
same engine; only piccolo's own command line, used while writing migrations, builds one from the environment.
"""

from __future__ import annotations

from typing import Any

from piccolo.conf.apps import AppRegistry

APP_REGISTRY = AppRegistry(apps=["domain.db.piccolo_app"])


def __getattr__(name: str) -> Any:
    if name != "DB":
        raise AttributeError(name)
    from domain.config import load_settings
    from domain.db.engine import build_engine

    global DB
    DB = build_engine(load_settings())
    return DB
