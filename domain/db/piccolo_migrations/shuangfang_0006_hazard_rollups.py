"""Migration 0006: hazard roll-up cells and the incremental watermark."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T07:06:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "hazard roll-ups"

COUNTS = (
    "found",
    "found_closed",
    "overdue",
    "major_open",
    "closed",
    "closed_with_deadline",
    "closed_on_time",
    "major_closed",
    "tasks_due",
    "tasks_done",
)


def _params(column_class, **extra):
    params = {
        "default": TimestamptzNow() if column_class is Timestamptz else ("" if column_class is Varchar else 0),
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    return params | extra


COLUMNS = {
    ("RollupCell", "rollup_cell"): [
        ("id", Varchar, _params(Varchar, length=120, primary_key=True)),
        ("scope_kind", Varchar, _params(Varchar, length=16)),
        ("scope_id", Varchar, _params(Varchar, length=26)),
        ("scope_path", Varchar, _params(Varchar, length=200, index=True)),
        ("industry", Varchar, _params(Varchar, length=40)),
        ("period_kind", Varchar, _params(Varchar, length=8)),
        ("period_key", Varchar, _params(Varchar, length=8)),
        *[(name, Integer, _params(Integer)) for name in COUNTS],
        ("close_seconds", BigInt, _params(BigInt)),
        ("as_of", Timestamptz, _params(Timestamptz)),
    ],
    ("RollupWatermark", "rollup_watermark"): [
        ("id", Varchar, _params(Varchar, length=16, primary_key=True)),
        ("computed_at", Timestamptz, _params(Timestamptz)),
        ("full_at", Timestamptz, _params(Timestamptz, null=True, default=None)),
    ],
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shuangfang", description=DESCRIPTION)
    for (class_name, tablename), columns in COLUMNS.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
            manager.add_column(
                table_class_name=class_name,
                tablename=tablename,
                column_name=name,
                db_column_name=name,
                column_class_name=column_class.__name__,
                column_class=column_class,
                params=params,
                schema=None,
            )
    return manager
