"""Migration 0017: criteria editions with effective dates, the industries each criterion applies to, and who asked
for a general hazard's deadline extension.

`criteria_edition` holds each edition of a 重大事故隐患判定标准 (in force from / until); `criterion_industry` one row
per (criterion, industry); `major_hazard_criterion` gains its edition, whether its text is verbatim and its
position. A database upgraded with criteria already loaded gets the two seeded editions (HC2017, GM2023) and the
industries their rows were filed under; the seed then completes the library. `hazard.extension_requester_id` names
who asked for the pending extension (the decider must be someone else). Plain SQL both engines share.
"""

from datetime import UTC, date, datetime

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-02T17:17:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "criteria editions and industries; hazard extension requester"

TABLES = {
    "criteria_edition": """CREATE TABLE criteria_edition (
        id VARCHAR(40) PRIMARY KEY NOT NULL,
        standard VARCHAR(200) NOT NULL DEFAULT '',
        edition VARCHAR(40) NOT NULL DEFAULT '',
        doc_no VARCHAR(100) NOT NULL DEFAULT '',
        issuer VARCHAR(100) NOT NULL DEFAULT '',
        effective_from DATE NOT NULL,
        effective_until DATE NULL DEFAULT NULL,
        supersedes_id VARCHAR(40) NULL DEFAULT NULL,
        superseded_by_id VARCHAR(40) NULL DEFAULT NULL,
        created_by VARCHAR(26) NOT NULL DEFAULT '',
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "criterion_industry": """CREATE TABLE criterion_industry (
        id VARCHAR(90) PRIMARY KEY NOT NULL,
        criterion_id VARCHAR(40) NOT NULL DEFAULT '',
        industry VARCHAR(40) NOT NULL DEFAULT ''
    )""",
}
COLUMNS = (
    "ALTER TABLE major_hazard_criterion ADD COLUMN edition_id VARCHAR(40) NOT NULL DEFAULT ''",
    "ALTER TABLE major_hazard_criterion ADD COLUMN verbatim BOOLEAN NOT NULL DEFAULT TRUE",
    "ALTER TABLE major_hazard_criterion ADD COLUMN position INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE hazard ADD COLUMN extension_requester_id VARCHAR(26) NULL DEFAULT NULL",
)
INDEXES = {
    "criterion_industry_criterion_id": "INDEX criterion_industry_criterion_id ON criterion_industry (criterion_id)",
    "criterion_industry_industry": "INDEX criterion_industry_industry ON criterion_industry (industry)",
    "major_hazard_criterion_edition_id": "INDEX major_hazard_criterion_edition_id ON major_hazard_criterion (edition_id)",
}

# The two editions seeded before this migration, and the industries their rows' old `industry` group meant.
_TRADE = (
    "metallurgy",
    "nonferrous",
    "building_materials",
    "machinery",
    "light_industry",
    "textiles",
    "tobacco",
    "trade",
    "shipbuilding",
    "aquatic_processing",
)
_EDITIONS = {
    "HC2017": (
        "化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）",
        "2017",
        "安监总管三〔2017〕121号",
        "原国家安全生产监督管理总局",
        date(2017, 11, 13),
    ),
    "GM2023": ("工贸企业重大事故隐患判定标准", "2023", "应急管理部令第10号", "应急管理部", date(2023, 5, 15)),
}
_GROUP_INDUSTRIES = {
    "hazardous_chemicals": ("hazardous_chemicals", "oil_storage"),
    "trade_general": _TRADE,
    "dust": _TRADE,
    "confined_space": _TRADE,
    "aquatic_processing": _TRADE,  # the liquid-ammonia refrigeration items apply to any 工贸 enterprise using it
}


async def _run(engine, sql: str, *args) -> None:
    """One statement with `{}` placeholders on either engine (SQLite stores dates and times as ISO text)."""
    if engine.engine_type == "sqlite":
        args = tuple(arg.isoformat() if isinstance(arg, (date, datetime)) else arg for arg in args)
    await engine.run_querystring(QueryString(sql, *args))


async def _backfill(engine) -> None:
    """Give criteria loaded before this migration their edition and industries (nothing to do on a new database)."""
    rows = await engine.run_ddl("SELECT id, industry FROM major_hazard_criterion WHERE edition_id = ''")
    used = sorted({row["id"].split("-")[0] for row in rows} & set(_EDITIONS))
    for edition_id in used:
        standard, edition, doc_no, issuer, effective = _EDITIONS[edition_id]
        await _run(
            engine,
            "INSERT INTO criteria_edition (id, standard, edition, doc_no, issuer, effective_from, "
            "created_at) VALUES ({}, {}, {}, {}, {}, {}, {})",
            edition_id,
            standard,
            edition,
            doc_no,
            issuer,
            effective,
            datetime.now(UTC),
        )
    for row in rows:
        edition_id = row["id"].split("-")[0]
        if edition_id not in used:
            continue
        await _run(engine, "UPDATE major_hazard_criterion SET edition_id = {} WHERE id = {}", edition_id, row["id"])
        for industry in _GROUP_INDUSTRIES.get(row["industry"], (row["industry"],)):
            await _run(
                engine,
                "INSERT INTO criterion_industry (id, criterion_id, industry) VALUES ({}, {}, {})",
                f"{row['id']}:{industry}",
                row["id"],
                industry,
            )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shuangfang", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        for statement in TABLES.values():
            await engine.run_ddl(statement)
        for statement in COLUMNS:
            await engine.run_ddl(statement)
        for statement in INDEXES.values():
            await engine.run_ddl(f"CREATE {statement}")
        await _backfill(engine)

    async def drop():
        engine = engine_finder()
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX {name}")
        for table in TABLES:
            await engine.run_ddl(f"DROP TABLE {table}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
