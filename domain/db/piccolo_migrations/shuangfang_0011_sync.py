"""Migration 0011: the change feed (`sync_change`) and the kept results of batch operations (`sync_op_result`)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, BigSerial, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T10:11:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sync change feed and batch operation results"


def _params(column_class, **extra):
    default = {Timestamptz: TimestamptzNow(), Varchar: "", Text: ""}.get(column_class, 0)
    params = {
        "default": default,
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


def _nullable(length):
    return _params(Varchar, length=length, null=True, default=None)


COLUMNS = {
    ("SyncChange", "sync_change"): [
        ("id", BigSerial, _params(BigSerial, primary_key=True)),
        ("seq", BigInt, _params(BigInt, null=True, default=None)),
        ("kind", Varchar, _params(Varchar, length=16)),
        ("entity_id", Varchar, _params(Varchar, length=26)),
        ("op", Varchar, _params(Varchar, length=8)),
        ("reason", Varchar, _nullable(16)),
        ("enterprise_id", Varchar, _params(Varchar, length=26)),
        ("grid_id", Varchar, _nullable(26)),
        ("region1", Varchar, _nullable(12)),
        ("region2", Varchar, _nullable(12)),
        ("region3", Varchar, _nullable(12)),
        ("region_path", Varchar, _params(Varchar, length=200)),
        ("user_id", Varchar, _nullable(26)),
        ("at", Timestamptz, _params(Timestamptz)),
    ],
    ("SyncOpResult", "sync_op_result"): [
        ("id", Varchar, _params(Varchar, length=100, primary_key=True)),
        ("user_id", Varchar, _params(Varchar, length=26)),
        ("op_id", Varchar, _params(Varchar, length=64)),
        ("kind", Varchar, _params(Varchar, length=24)),
        ("fingerprint", Varchar, _params(Varchar, length=64)),
        ("ok", Integer, _params(Integer)),
        ("resource", Varchar, _nullable(16)),
        ("resource_id", Varchar, _nullable(26)),
        ("result", Text, _params(Text)),
        ("created_at", Timestamptz, _params(Timestamptz)),
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
