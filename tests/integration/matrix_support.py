"""What the authorization matrix needs besides its table: the demo seed's principals and objects, table snapshots.

Objects come from the seeded database through read-only SQL, one statement per kind, each row carrying what scope is
judged by (its enterprise, grid and region path). Snapshots say whether any table changed, in one statement.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from domain.codes.tokens import SubjectKind
from domain.db.tables import ALL_TABLES
from domain.ids import new_id
from domain.org.tables import Enterprise

# One statement per kind of object: `id` is what the path (or body) carries; `enterprise_id`, `grid_id` and `path`
# (a region path such as /330900/330902/) are what scope is judged by; other columns fill other path parameters.
_OWNED_BY_ENTERPRISE = (
    "SELECT x.id, x.enterprise_id, e.grid_id, e.region_path AS path{extra} FROM {table} x "
    "JOIN enterprise e ON e.id = x.enterprise_id ORDER BY x.id"
)
KIND_SQL: dict[str, str] = {
    "enterprise": "SELECT id, id AS enterprise_id, grid_id, region_path AS path FROM enterprise ORDER BY id",
    "hazard": _OWNED_BY_ENTERPRISE.format(extra=", x.version", table="hazard"),
    "risk_point": _OWNED_BY_ENTERPRISE.format(
        extra=", x.qr_serial, (SELECT min(c.id) FROM checklist_item c WHERE c.risk_point_id = x.id) AS item_id",
        table="risk_point",
    ),
    "photo": _OWNED_BY_ENTERPRISE.format(extra="", table="photo"),
    "document": _OWNED_BY_ENTERPRISE.format(extra="", table="document"),
    "listing": _OWNED_BY_ENTERPRISE.format(extra="", table="blacklist_listing"),
    "grade": _OWNED_BY_ENTERPRISE.format(extra="", table="standardisation_grade"),
    "snapshot": _OWNED_BY_ENTERPRISE.format(extra="", table="statistics_snapshot"),
    "public_report": "SELECT id, enterprise_id, grid_id, region_path AS path, version FROM public_report ORDER BY id",
    "receipt": "SELECT receipt AS id, enterprise_id, grid_id, region_path AS path FROM public_report ORDER BY id",
    "plan": "SELECT id, NULL AS enterprise_id, NULL AS grid_id, region_path AS path, officer_ids "
    "FROM random_check_plan ORDER BY id",
    "pick": "SELECT k.enterprise_id AS id, k.enterprise_id, e.grid_id, p.region_path AS path, p.officer_ids, "
    "k.plan_id, k.version FROM random_check_pick k JOIN random_check_plan p ON p.id = k.plan_id "
    "JOIN enterprise e ON e.id = k.enterprise_id ORDER BY k.id",
    "scope": "SELECT id, NULL AS enterprise_id, NULL AS grid_id, region_path AS path FROM standardisation_scope "
    "ORDER BY id",
    "webhook": "SELECT w.id, w.enterprise_id, NULL AS grid_id, COALESCE(w.region_path, e.region_path) AS path "
    "FROM webhook_subscription w LEFT JOIN enterprise e ON e.id = w.enterprise_id ORDER BY w.id",
    "delivery": "SELECT d.id, w.enterprise_id, NULL AS grid_id, COALESCE(w.region_path, e.region_path) AS path "
    "FROM webhook_delivery d JOIN webhook_subscription w ON w.id = d.subscription_id "
    "LEFT JOIN enterprise e ON e.id = w.enterprise_id ORDER BY d.id",
    "user": "SELECT u.id, u.enterprise_id, NULL AS grid_id, COALESCE(e.region_path, r.path) AS path FROM app_user u "
    "LEFT JOIN enterprise e ON e.id = u.enterprise_id LEFT JOIN region r ON r.code = u.region_code ORDER BY u.id",
    "staff": "SELECT u.id AS id, u.id AS user_id, u.enterprise_id, e.grid_id, e.region_path AS path, "
    "(SELECT min(p.post) FROM user_post p WHERE p.enterprise_id = u.enterprise_id) AS post FROM app_user u JOIN enterprise e ON e.id = u.enterprise_id ORDER BY u.id",
    "grid": "SELECT g.id, NULL AS enterprise_id, g.id AS grid_id, g.region_path AS path, s.geometry FROM grid g "
    "LEFT JOIN region_shape s ON s.kind = 'grid' AND s.subject = g.id ORDER BY g.id",
    "region": "SELECT r.code AS id, NULL AS enterprise_id, NULL AS grid_id, r.path, s.geometry FROM region r "
    "LEFT JOIN region_shape s ON s.kind <> 'grid' AND s.subject = r.code ORDER BY r.path",
    "town": "SELECT code AS id, NULL AS enterprise_id, NULL AS grid_id, path FROM region WHERE level = 'town' "
    "ORDER BY path",
}
# Kinds whose id is not a ULID: what a nonexistent one looks like.
NONEXISTENT = {"region": "339999", "town": "330999999", "receipt": "ZZZZZZZZZZZZ"}
# Kinds an inspector reaches by being named on a 双随机 plan, not by grid.
NAMED_ON_PLAN = {"plan", "pick"}
# Kinds a regulator uses when they belong to an area holding its own (domain/standardisation/services.py).
HELD_FROM_ABOVE = {"scope"}


@dataclass(frozen=True)
class Principal:
    """A caller of the matrix: a demo user (or nobody) and what its scope is made of."""

    label: str
    username: str | None
    role: str = ""
    user_id: str = ""
    enterprise_id: str | None = None
    grid_ids: frozenset[str] = frozenset()
    region_path: str | None = None

    def owns(self, kind: str, row: dict[str, Any]) -> bool:
        """Whether the row is in this caller's scope (the demo's rules: DESIGN.md, "Scope is strict")."""
        if self.role in ("", "admin"):
            return True
        if self.role == "regulator":
            if not row["path"]:
                return False
            # a scope list of an area holding the regulator's is theirs to use too (its members shown in part)
            held = kind in HELD_FROM_ABOVE and self.region_path.startswith(row["path"])
            return held or row["path"].startswith(self.region_path)
        if self.role == "inspector":
            if kind in NAMED_ON_PLAN:
                return self.user_id in json.loads(row["officer_ids"] or "[]")
            return row["grid_id"] in self.grid_ids
        return kind not in NAMED_ON_PLAN and row["enterprise_id"] == self.enterprise_id


@dataclass
class Seed:
    """The demo seed as the matrix sees it: principals by label, object rows by kind."""

    principals: dict[str, Principal]
    rows: dict[str, list[dict[str, Any]]]

    def objects(self, principal: Principal, kind: str) -> dict[str, dict[str, Any] | None]:
        """The caller's own object, another tenant's, and a nonexistent one of the kind (None: the seed has none)."""
        rows = self.rows[kind]
        own = next((row for row in rows if principal.owns(kind, row)), None)
        if principal.username is None:  # anonymous: any object serves, all of them are refused
            other = rows[1] if len(rows) > 1 else None
        else:
            other = next((row for row in rows if not principal.owns(kind, row)), None)
        # a nonexistent object in the same place as the other tenant's: only the object's own id differs
        template = other or own or rows[0]
        missing = {**template, "id": NONEXISTENT.get(kind) or new_id()}
        return {"own": own, "other": other, "missing": missing}


async def load_seed(principal_specs: list[tuple[str, str | None]], codes) -> Seed:
    """Read the principals and every kind's rows from the seeded database (read-only SQL)."""
    principals = {}
    for label, username in principal_specs:
        if username is None:
            principals[label] = Principal(label, None)
            continue
        user = (
            await Enterprise.raw(
                "SELECT u.id, u.role, u.enterprise_id, r.path FROM app_user u "
                "LEFT JOIN region r ON r.code = u.region_code WHERE u.username = {}",
                username,
            ).run()
        )[0]
        grids = await Enterprise.raw("SELECT grid_id FROM user_grid WHERE user_id = {}", user["id"]).run()
        principals[label] = Principal(
            label,
            username,
            role=user["role"],
            user_id=user["id"],
            enterprise_id=user["enterprise_id"],
            grid_ids=frozenset(row["grid_id"] for row in grids),
            region_path=user["path"],
        )
    rows = {kind: [dict(row) for row in await Enterprise.raw(sql).run()] for kind, sql in KIND_SQL.items()}
    # the scan token of a risk point is its printed code, signed by the app's own keys
    rows["token"] = [
        {**row, "id": codes.printed(SubjectKind.RISK_POINT, row["id"], row["qr_serial"]).token}
        for row in rows["risk_point"]
    ]
    return Seed(principals, rows)


def nonexistent_token(codes) -> str:
    """A genuine signature over a risk point that does not exist."""
    return codes.printed(SubjectKind.RISK_POINT, new_id(), 1).token


TABLES = [table._meta.tablename for table in ALL_TABLES]
# PostgreSQL: per table its row count and the sum of its rows' xmin, one statement. Any committed insert, update or
# delete moves one of the two (a new row version carries a new transaction id), so equal pairs mean no table changed.
PG_SNAPSHOT_SQL = " UNION ALL ".join(
    f"SELECT '{name}' AS t, count(*) AS n, COALESCE(sum(xmin::text::bigint), 0) AS h FROM {name}" for name in TABLES
)
# SQLite has no row versions: triggers in the test's own copy of the database count every row written per table, in
# the writing transaction (a rolled-back write counts nothing), and the snapshot reads the counts in one statement.
SQLITE_TOUCH_TABLE = "matrix_touch"
SQLITE_SNAPSHOT_SQL = f"SELECT name, n FROM {SQLITE_TOUCH_TABLE}"


def _sqlite_touch_script() -> str:
    lines = [f"CREATE TABLE {SQLITE_TOUCH_TABLE} (name TEXT PRIMARY KEY, n INTEGER NOT NULL);"]
    for name in TABLES:
        lines.append(f"INSERT INTO {SQLITE_TOUCH_TABLE} VALUES ('{name}', 0);")
        for event in ("INSERT", "UPDATE", "DELETE"):
            lines.append(
                f"CREATE TRIGGER matrix_{name}_{event.lower()} AFTER {event} ON {name} BEGIN "
                f"UPDATE {SQLITE_TOUCH_TABLE} SET n = n + 1 WHERE name = '{name}'; END;"
            )
    return "\n".join(lines)


class Snapshots:
    """Whether any table changed between two points: `take()` returns a fingerprint per table, in one statement."""

    def __init__(self, engine, database_url: str) -> None:
        self.engine = engine
        self.sqlite: sqlite3.Connection | None = None
        if database_url.startswith("sqlite:///"):
            self.sqlite = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
            self.sqlite.execute("PRAGMA busy_timeout = 10000")
            self.sqlite.executescript(_sqlite_touch_script())
        self.taken, self.seconds = 0, 0.0  # how many snapshots, and the time they took (printed by the test)

    async def take(self) -> dict[str, tuple]:
        """Every table's fingerprint as committed now."""
        started = time.perf_counter()
        self.taken += 1
        try:
            if self.sqlite is not None:
                return {name: (n,) for name, n in self.sqlite.execute(SQLITE_SNAPSHOT_SQL)}
            async with self.engine.pool.acquire() as connection:
                rows = await connection.fetch(PG_SNAPSHOT_SQL)
            return {row["t"]: (row["n"], row["h"]) for row in rows}
        finally:
            self.seconds += time.perf_counter() - started

    def close(self) -> None:
        if self.sqlite is not None:
            self.sqlite.close()


def changed_tables(before: dict[str, tuple], after: dict[str, tuple]) -> list[str]:
    """The tables whose snapshot differs."""
    return sorted(name for name in after if before.get(name) != after[name])
