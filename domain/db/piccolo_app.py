"""The piccolo app of the service: its tables and its committed migrations."""

import os

from piccolo.conf.apps import AppConfig

from domain.db.tables import ALL_TABLES

APP_CONFIG = AppConfig(
    app_name="shuangfang",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=list(ALL_TABLES),
    migration_dependencies=[],
    commands=[],
)
