"""Migration 0015: presence as a policy (一扫) — a point's own radius, the phone's GPS accuracy on a scan, the
presence an inspection proved (and the distance measured), and the roll-up count of tasks done with presence proven.

Inspections recorded before are judged once here by the same pure rule the service applies
(`domain.inspections.model.judge_presence`, default policy and the point's radius), so the new figure covers them;
one without a scan stays `none`. Plain SQL both engines share.
"""

from datetime import datetime

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T17:15:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "presence policy: point radius, scan accuracy, inspection presence, tasks done with presence proven"

COLUMNS = {
    ("risk_point", "presence_radius_m"): "REAL NULL",
    ("scan_record", "accuracy_m"): "REAL NULL",
    ("inspection", "presence"): "VARCHAR(8) NOT NULL DEFAULT 'none'",
    ("inspection", "presence_distance_m"): "REAL NULL",
    ("rollup_cell", "tasks_done_present"): "INTEGER NOT NULL DEFAULT 0",
}

_JUDGED = """SELECT i.id AS id, i.started_at AS started_at, i.finished_at AS finished_at, s.server_time AS server_time,
  s.client_time AS client_time, s.lat AS lat, s.lng AS lng, s.accuracy_m AS accuracy_m, p.lat AS point_lat, p.lng AS point_lng,
  p.presence_radius_m AS radius_m
FROM inspection i JOIN scan_record s ON s.id = i.scan_id JOIN risk_point p ON p.id = i.risk_point_id"""


def _time(value):
    return datetime.fromisoformat(value) if isinstance(value, str) else value


async def _judge_recorded(engine) -> None:
    """Judge the inspections recorded before the policy, with the rule the service applies."""
    from domain.inspections.model import DEFAULT_PRESENCE_POLICY, ScanFix, judge_presence, scan_moment

    for row in await engine.run_ddl(_JUDGED) or []:
        scan = ScanFix(
            scan_moment(_time(row["server_time"]), _time(row["client_time"])), row["lat"], row["lng"], row["accuracy_m"]
        )
        verdict = judge_presence(
            scan,
            point_lat=row["point_lat"],
            point_lng=row["point_lng"],
            started_at=_time(row["started_at"]),
            finished_at=_time(row["finished_at"]),
            policy=DEFAULT_PRESENCE_POLICY.for_point(row["radius_m"]),
        )
        distance = "NULL" if verdict.distance_m is None else repr(float(verdict.distance_m))
        # ids are ULIDs and the values enums or floats: nothing here needs quoting beyond the literals
        await engine.run_ddl(
            f"UPDATE inspection SET presence = '{verdict.presence.value}', "
            f"presence_distance_m = {distance} WHERE id = '{row['id']}'"
        )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shuangfang", description=DESCRIPTION)

    async def add():
        engine = engine_finder()
        for (table, column), definition in COLUMNS.items():
            await engine.run_ddl(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
        await _judge_recorded(engine)

    async def drop():
        engine = engine_finder()
        for table, column in reversed(COLUMNS):
            await engine.run_ddl(f"ALTER TABLE {table} DROP COLUMN {column}")

    manager.add_raw(add)
    manager.add_raw_backwards(drop)
    return manager
