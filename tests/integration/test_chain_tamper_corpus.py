"""Issue 13, acceptance 1: a tamper corpus on copies of the demo database. `verify` catches every tampering with the
events, the anchor ledger or a protected row, and names it (the chain and event seq, or the row and field).

Each case tampers inside a transaction that verification reads inside and that is rolled back after, so every case
starts from the same honest demo; the command line is run on a committed tampering too.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from domain.access.model import Actor, Role
from domain.accounts.tables import AppUser
from domain.clock import utcnow
from domain.evidence.services import VerifyReport, verify_all
from domain.hazards import model
from domain.hazards.services import transition
from domain.hazards.tables import Hazard
from domain.history.chain import (
    ANCHOR_MISMATCH,
    BAD_GENESIS,
    HASH_MISMATCH,
    NOT_ANCHORED,
    PREV_HASH_MISMATCH,
    SEQ_GAP,
    link,
)
from domain.history.store import chain_rows
from domain.history.tables import HistoryEvent

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class Rollback(Exception):
    """Raised to undo a tampering after it was verified."""


async def _sql(statement: str, *args) -> list[dict]:
    return await HistoryEvent.raw(statement, *args).run()


async def _one(statement: str, *args) -> dict:
    rows = await _sql(statement, *args)
    assert rows, statement
    return rows[0]


async def actor_named(username: str) -> Actor:
    row = await AppUser.select().where(AppUser.username == username).first().run()
    return Actor(user_id=row["id"], role=Role(row["role"]), enterprise_id=row["enterprise_id"])


async def long_hazard_chain() -> str:
    """A demo hazard whose chain has at least four events."""
    row = await _one(
        "SELECT chain_id FROM history_event WHERE subject_kind = 'hazard' GROUP BY chain_id"
        " HAVING MAX(seq) >= 4 ORDER BY chain_id LIMIT 1"
    )
    return row["chain_id"]


async def fresh_transition() -> tuple[str, int]:
    """Move a demo hazard now, after the seed exported the heads: its newest event is covered only by its anchor."""
    officer, principal = await actor_named("officer1"), await actor_named("principal1")
    row = (
        await Hazard.select()
        .where(
            Hazard.status == "reported",
            Hazard.level == "general",
            Hazard.enterprise_id == officer.enterprise_id,
            Hazard.level_confirmed.eq(True),
        )
        .first()
        .run()
    )
    assert row is not None, "the demo holds a reported general hazard of officer1's enterprise"
    record = await transition(
        actor=principal,
        hazard_id=row["id"],
        expected_version=row["version"],
        command=model.Assign(assignee_id=officer.user_id, measures="整改措施", deadline=utcnow() + timedelta(days=5)),
    )
    return record.id, record.version


@dataclass(frozen=True)
class Found:
    """What verify must name: a chain and seq with one of some reasons, or a row and field (None: the row)."""

    chain: str | None = None
    seq: int | None = None
    reasons: frozenset[str] = frozenset()
    kind: str | None = None
    key: str | None = None
    field: str | None = "-"


def assert_named(report: VerifyReport, found: Found, case: str) -> None:
    assert not report.ok, case
    if found.chain is not None:
        assert [(b.chain_id, b.seq) for b in report.broken] == [(found.chain, found.seq)], (case, report.broken)
        assert report.broken[0].reason in found.reasons, (case, report.broken)
        assert not report.mismatches, (case, report.mismatches)
    else:
        assert not report.broken and report.ledger_problem is None, (case, report.broken, report.ledger_problem)
        named = [(m.kind, str(m.key), m.field) for m in report.mismatches]
        assert named == [(found.kind, found.key, found.field)], (case, named)
    assert report.first_problem(), case


# --- the tamperings: each changes the database and says what verify must name ----------------------------------------


async def edit_a_payload() -> Found:
    chain = await long_hazard_chain()
    await _sql(
        "UPDATE history_event SET payload = {} WHERE chain_id = {} AND seq = 2", json.dumps({"measures": "篡改"}), chain
    )
    return Found(chain, 2, frozenset({HASH_MISMATCH}))


async def delete_the_newest_event() -> Found:
    hazard_id, version = await fresh_transition()
    await _sql("DELETE FROM history_event WHERE chain_id = {} AND seq = {}", hazard_id, version)
    # the seed's export does not cover it: the anchor ledger catches the cut at once
    return Found(hazard_id, version, frozenset({ANCHOR_MISMATCH}))


async def delete_a_middle_event() -> Found:
    chain = await long_hazard_chain()
    await _sql("DELETE FROM history_event WHERE chain_id = {} AND seq = 2", chain)
    return Found(chain, 2, frozenset({SEQ_GAP}))


async def swap_two_events() -> Found:
    chain = await long_hazard_chain()
    await _sql("UPDATE history_event SET seq = -1 WHERE chain_id = {} AND seq = 2", chain)
    await _sql("UPDATE history_event SET seq = 2 WHERE chain_id = {} AND seq = 3", chain)
    await _sql("UPDATE history_event SET seq = 3 WHERE chain_id = {} AND seq = -1", chain)
    return Found(chain, 2, frozenset({SEQ_GAP, HASH_MISMATCH, PREV_HASH_MISMATCH, BAD_GENESIS}))


async def _insert_forged(chain: str, seq: int, prev_hash: str, template: dict) -> None:
    forged = link(
        chain, seq, "accept", template["actor_id"], template["role"], template["at"], {"note": "伪造"}, [], prev_hash
    )
    await _sql(
        "INSERT INTO history_event (id, chain_id, subject_kind, seq, action, name, actor_id, role, at, payload,"
        " photo_hashes, prev_hash, hash) VALUES ({}, {}, 'hazard', {}, 'accept', 'HazardAccepted', {}, {}, {},"
        " {}, '[]', {}, {})",
        f"FORGED{seq:020d}",
        chain,
        seq,
        template["actor_id"],
        template["role"],
        template["at"],
        json.dumps({"note": "伪造"}),
        prev_hash,
        forged.hash,
    )


async def insert_a_forged_event_at_the_end() -> Found:
    """A forger who knows the algorithm appends a well-linked event: the chain verifies, the ledger never saw it."""
    hazard_id, version = await fresh_transition()
    last = (await chain_rows(hazard_id))[-1]
    await _insert_forged(hazard_id, version + 1, last["hash"], last)
    return Found(hazard_id, version + 1, frozenset({NOT_ANCHORED}))


async def insert_a_forged_event_in_the_middle() -> Found:
    chain = await long_hazard_chain()
    rows = await chain_rows(chain)
    for row in reversed(rows[1:]):
        await _sql("UPDATE history_event SET seq = {} WHERE id = {}", row["seq"] + 1, row["id"])
    await _insert_forged(chain, 2, rows[0]["hash"], rows[0])
    return Found(chain, 3, frozenset({HASH_MISMATCH}))  # the forgery links; the event it pushed along does not


async def rewrite_a_whole_chain_and_rehash_it() -> Found:
    """Every event re-linked with a changed payload, and the daily export gone: internally whole, disowned by its
    anchors from the first event on."""
    chain = await long_hazard_chain()
    await _sql("DELETE FROM chain_head_export")
    prev = "0" * 64
    for row in await chain_rows(chain):
        payload = json.loads(row["payload"]) | ({"title": "改写"} if row["seq"] == 1 else {})
        forged = link(
            chain,
            row["seq"],
            row["action"],
            row["actor_id"],
            row["role"],
            row["at"],
            payload,
            json.loads(row["photo_hashes"]),
            prev,
        )
        await _sql(
            "UPDATE history_event SET payload = {}, prev_hash = {}, hash = {} WHERE id = {}",
            json.dumps(forged.payload, ensure_ascii=False),
            prev,
            forged.hash,
            row["id"],
        )
        prev = forged.hash
    return Found(chain, 1, frozenset({ANCHOR_MISMATCH}))


async def _hazard_where(condition: str) -> dict:
    return await _one(f"SELECT id, status, level, deadline FROM hazard WHERE {condition} ORDER BY id LIMIT 1")


async def close_an_overdue_hazard_directly() -> Found:
    row = await _hazard_where("status = 'rectifying' AND deadline IS NOT NULL")
    await _sql("UPDATE hazard SET status = 'closed' WHERE id = {}", row["id"])
    return Found(kind="hazard", key=row["id"], field="status")


async def move_a_deadline_directly() -> Found:
    row = await _hazard_where("deadline IS NOT NULL")
    await _sql("UPDATE hazard SET deadline = {} WHERE id = {}", row["deadline"] + timedelta(days=30), row["id"])
    return Found(kind="hazard", key=row["id"], field="deadline")


async def lower_a_level_directly() -> Found:
    row = await _hazard_where("level = 'major'")
    await _sql("UPDATE hazard SET level = 'general' WHERE id = {}", row["id"])
    return Found(kind="hazard", key=row["id"], field="level")


async def remove_a_photo_directly() -> Found:
    photo = await _one("SELECT id, hazard_id FROM hazard_photo ORDER BY id LIMIT 1")
    await _sql("DELETE FROM hazard_photo WHERE id = {}", photo["id"])
    return Found(kind="hazard", key=photo["hazard_id"], field="photos")


async def swap_a_photo_directly() -> Found:
    photo = await _one("SELECT id, hazard_id, photo_id FROM hazard_photo ORDER BY id LIMIT 1")
    other = await _one("SELECT id FROM photo WHERE id <> {} ORDER BY id LIMIT 1", photo["photo_id"])
    await _sql("UPDATE hazard_photo SET photo_id = {} WHERE id = {}", other["id"], photo["id"])
    return Found(kind="hazard", key=photo["hazard_id"], field="photos")


async def delete_a_hazard_row() -> Found:
    row = await _hazard_where("status = 'reported'")
    await _sql("DELETE FROM hazard_photo WHERE hazard_id = {}", row["id"])
    await _sql("DELETE FROM hazard WHERE id = {}", row["id"])
    return Found(kind="hazard", key=row["id"], field=None)


async def shorten_a_blacklist_listing() -> Found:
    row = await _one("SELECT id, expires_on FROM blacklist_listing WHERE status = 'confirmed' ORDER BY id LIMIT 1")
    await _sql(
        "UPDATE blacklist_listing SET expires_on = {} WHERE id = {}", row["expires_on"] - timedelta(days=400), row["id"]
    )
    return Found(kind="blacklistListing", key=row["id"], field="expires_on")


async def hide_a_failed_inspection_item() -> Found:
    row = await _one("SELECT id, items_failed FROM inspection ORDER BY id LIMIT 1")
    await _sql("UPDATE inspection SET items_failed = {} WHERE id = {}", row["items_failed"] + 1, row["id"])
    return Found(kind="inspection", key=row["id"], field="items_failed")


async def dismiss_a_public_report_directly() -> Found:
    row = await _one("SELECT id FROM public_report WHERE status = 'received' ORDER BY id LIMIT 1")
    await _sql("UPDATE public_report SET status = 'dismissed' WHERE id = {}", row["id"])
    return Found(kind="publicReport", key=row["id"], field="status")


async def extend_a_standardisation_grade() -> Found:
    row = await _one("SELECT id, valid_to FROM standardisation_grade ORDER BY id LIMIT 1")
    await _sql(
        "UPDATE standardisation_grade SET valid_to = {} WHERE id = {}", row["valid_to"] + timedelta(days=365), row["id"]
    )
    return Found(kind="standardisationGrade", key=row["id"], field="valid_to")


async def improve_a_statistics_snapshot() -> Found:
    row = await _one("SELECT id, period_key FROM statistics_snapshot ORDER BY id LIMIT 1")
    await _sql("UPDATE statistics_snapshot SET figures = {} WHERE id = {}", '{"closed":999}', row["id"])
    return Found(kind="statisticsSnapshot", key=row["period_key"], field="figures")


async def paint_a_safety_code_blue() -> Found:
    row = await _one("SELECT enterprise_id FROM safety_code WHERE colour <> 'blue' ORDER BY enterprise_id LIMIT 1")
    await _sql("UPDATE safety_code SET colour = 'blue' WHERE enterprise_id = {}", row["enterprise_id"])
    return Found(kind="safetyCode", key=f"code:{row['enterprise_id']}", field="colour")


async def edit_an_anchor() -> Found:
    await _sql("UPDATE chain_anchor SET event_hash = {} WHERE position = 2", "f" * 64)
    return Found(kind="ledger")


CASES: list[Callable[[], Awaitable[Found]]] = [
    edit_a_payload,
    delete_the_newest_event,
    delete_a_middle_event,
    swap_two_events,
    insert_a_forged_event_at_the_end,
    insert_a_forged_event_in_the_middle,
    rewrite_a_whole_chain_and_rehash_it,
    close_an_overdue_hazard_directly,
    move_a_deadline_directly,
    lower_a_level_directly,
    remove_a_photo_directly,
    swap_a_photo_directly,
    delete_a_hazard_row,
    shorten_a_blacklist_listing,
    hide_a_failed_inspection_item,
    dismiss_a_public_report_directly,
    extend_a_standardisation_grade,
    improve_a_statistics_snapshot,
    paint_a_safety_code_blue,
    edit_an_anchor,
]


async def test_the_untouched_demo_verifies_ok_with_every_protected_row_bound(db):
    settings, _ = db
    report = await verify_all(settings.var_dir)
    assert report.ok, (report.broken, report.mismatches[:5], report.ledger_problem, report.heads_problem)
    assert report.rows > 100 and report.anchors == report.events and report.first_problem() is None
    unbound = await _sql("SELECT id FROM hazard WHERE chain_seq IS NULL OR chain_hash IS NULL")
    assert unbound == []


@pytest.mark.parametrize("tamper", CASES, ids=[case.__name__ for case in CASES])
async def test_each_tampering_of_the_demo_is_caught_and_named(db, tamper):
    settings, engine = db
    with pytest.raises(Rollback):
        async with engine.transaction():
            found = await tamper()
            report = await verify_all(settings.var_dir)
            raise Rollback
    if found.kind == "ledger":
        assert not report.ok and report.ledger_problem and "position 2" in report.ledger_problem, report.ledger_problem
    else:
        assert_named(report, found, tamper.__name__)
    assert (await verify_all(settings.var_dir)).ok  # the tampering was undone


async def test_the_command_line_exits_0_when_untouched_and_1_naming_the_row_when_tampered(db):
    settings, _ = db
    env = os.environ | {"DATABASE_URL": settings.database_url, "SF_VAR_DIR": str(settings.var_dir), "REDIS_URL": ""}
    command = [str(Path(sys.executable).parent / "shuangfang"), "verify"]

    def verify() -> subprocess.CompletedProcess:
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)

    clean = verify()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "bound rows" in clean.stdout and clean.stdout.strip().endswith("OK")
    found = await close_an_overdue_hazard_directly()
    tampered = verify()
    assert tampered.returncode == 1, tampered.stdout + tampered.stderr
    assert f"ROW hazard {found.key} field status: the row says 'closed'" in tampered.stdout
    assert f"FIRST: hazard {found.key} field status" in tampered.stdout


async def test_a_chain_deleted_whole_is_named_by_its_export_then_its_anchors_then_its_row(db):
    settings, engine = db
    row = await _hazard_where("status = 'reported'")
    steps = [
        "DELETE FROM history_event WHERE chain_id = {}",  # the seed exported its head: named as cut
        "DELETE FROM chain_head_export WHERE id <> {}",  # no export: its anchors still name it
        "DELETE FROM chain_anchor WHERE chain_id = {}",  # no anchors either: the ledger has a gap, the row no chain
    ]
    reports = []
    for done in range(1, len(steps) + 1):
        with pytest.raises(Rollback):
            async with engine.transaction():
                for statement in steps[:done]:
                    await _sql(statement, row["id"])
                reports.append(await verify_all(settings.var_dir))
                raise Rollback
    exported, anchored, bare = reports
    assert [(b.chain_id, b.seq, b.reason) for b in exported.broken] == [(row["id"], 1, "truncated")]
    assert [(b.chain_id, b.seq, b.reason) for b in anchored.broken] == [(row["id"], 1, "anchored_chain_gone")]
    assert bare.ledger_problem and not bare.broken
    assert [(m.kind, m.key, m.field, m.in_row) for m in bare.mismatches] == [("hazard", row["id"], None, "row")]
    assert "has no chain" in bare.mismatches[0].describe()


def test_migrate_anchors_and_binds_an_upgraded_database_once_and_it_then_verifies(tmp_path, sqlite_template):
    path = tmp_path / "upgraded.sqlite3"
    shutil.copy(sqlite_template, path)
    with sqlite3.connect(path) as connection:  # as if the data were written before the binding existed
        connection.execute("DELETE FROM chain_anchor")
        connection.execute("DELETE FROM chain_head_export")  # exported before the ledger existed: no ledger head
        for table in (
            "hazard",
            "inspection",
            "public_report",
            "blacklist_listing",
            "standardisation_grade",
            "statistics_snapshot",
            "safety_code",
        ):
            connection.execute(f"UPDATE {table} SET chain_seq = NULL, chain_hash = NULL")
    env = {**os.environ, "SF_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{path}", "REDIS_URL": ""}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "api.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            cwd=Path(__file__).parents[2],
        )

    first = run("migrate")
    assert first.returncode == 0 and "events anchored" in first.stdout and "rows bound" in first.stdout, first.stderr
    again = run("migrate")
    assert again.returncode == 0 and "anchored" not in again.stdout
    verified = run("verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
