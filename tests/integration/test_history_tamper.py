"""Tampering with stored events is detected by `shuangfang verify`: edits, deletions, reorderings, insertions, cuts.

Each tampering runs in a transaction that verification reads inside and that is rolled back after, so every case
starts from the same honest history; one case per kind is also committed and caught by the real command line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from domain.access.model import Actor, Role
from domain.accounts.tables import AppUser
from domain.clock import utcnow
from domain.evidence.services import verify_all
from domain.hazards import model
from domain.hazards.services import NewHazard, create_hazard, transition
from domain.history.chain import HASH_MISMATCH, HEAD_MISMATCH, PREV_HASH_MISMATCH, SEQ_GAP, TRUNCATED, link
from domain.history.store import chain_rows, export_chain_heads
from domain.history.tables import HistoryEvent

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class Rollback(Exception):
    """Raised to undo a tampering after it was verified."""


async def actor_named(username: str) -> Actor:
    row = await AppUser.select().where(AppUser.username == username).first().run()
    return Actor(user_id=row["id"], role=Role(row["role"]), enterprise_id=row["enterprise_id"])


async def honest_history(chains: int = 3) -> list[str]:
    """A few hazards, each with a chain of three events: reported, assigned, voided."""
    officer, principal = await actor_named("officer1"), await actor_named("principal1")
    ids = []
    for n in range(chains):
        record, _ = await create_hazard(
            actor=officer,
            new=NewHazard(
                client_id=f"tamper-{n}",
                enterprise_id=officer.enterprise_id,
                source="daily",
                category="unsafe_condition",
                title=f"隐患 {n}",
                description="原始记录",
            ),
        )
        now = utcnow()
        record = await transition(
            actor=principal,
            hazard_id=record.id,
            expected_version=1,
            command=model.Assign(assignee_id=officer.user_id, measures="整改措施", deadline=now + timedelta(days=3)),
        )
        record = await transition(
            actor=principal, hazard_id=record.id, expected_version=2, command=model.Void("登记有误")
        )
        ids.append(record.id)
    return ids


async def _sql(statement: str, *args) -> None:
    await HistoryEvent.raw(statement, *args).run()


async def edit_payload(chain: str, seq: int) -> None:
    await _sql(
        "UPDATE history_event SET payload = {} WHERE chain_id = {} AND seq = {}",
        json.dumps({"title": "篡改后的内容"}),
        chain,
        seq,
    )


async def edit_and_rehash(chain: str, seq: int) -> None:
    """A forger who knows the algorithm rewrites an event and its own hash consistently."""
    row = (await chain_rows(chain))[seq - 1]
    forged = link(
        chain, seq, row["action"], row["actor_id"], row["role"], row["at"], {"forged": True}, [], row["prev_hash"]
    )
    await _sql(
        "UPDATE history_event SET payload = {}, hash = {} WHERE chain_id = {} AND seq = {}",
        json.dumps({"forged": True}),
        forged.hash,
        chain,
        seq,
    )


async def delete_event(chain: str, seq: int) -> None:
    await _sql("DELETE FROM history_event WHERE chain_id = {} AND seq = {}", chain, seq)


async def swap_with_next(chain: str, seq: int) -> None:
    await _sql("UPDATE history_event SET seq = -1 WHERE chain_id = {} AND seq = {}", chain, seq)
    await _sql("UPDATE history_event SET seq = {} WHERE chain_id = {} AND seq = {}", seq, chain, seq + 1)
    await _sql("UPDATE history_event SET seq = {} WHERE chain_id = {} AND seq = -1", seq + 1, chain)


async def insert_before(chain: str, seq: int) -> None:
    """Shift seq..end up by one and slip a well-formed event in at seq, linked to the one before."""
    rows = await chain_rows(chain)
    for row in reversed(rows[seq - 1 :]):
        await _sql("UPDATE history_event SET seq = {} WHERE id = {}", row["seq"] + 1, row["id"])
    prev = rows[seq - 2]["hash"] if seq > 1 else "0" * 64
    forged = link(chain, seq, "accept", rows[0]["actor_id"], "officer", rows[0]["at"], {"inserted": True}, [], prev)
    await _sql(
        "INSERT INTO history_event (id, chain_id, subject_kind, seq, action, name, actor_id, role, at, payload,"
        " photo_hashes, prev_hash, hash) VALUES ({}, {}, 'hazard', {}, 'accept', 'HazardAccepted', {}, 'officer', {},"
        " {}, '[]', {}, {})",
        f"FORGED{seq:020d}",
        chain,
        seq,
        rows[0]["actor_id"],
        rows[0]["at"],
        json.dumps({"inserted": True}),
        prev,
        forged.hash,
    )


async def truncate_after(chain: str, seq: int) -> None:
    await _sql("DELETE FROM history_event WHERE chain_id = {} AND seq > {}", chain, seq)


async def delete_chain(chain: str, seq: int) -> None:
    await _sql("DELETE FROM history_event WHERE chain_id = {}", chain)


LENGTH = 3  # report, assign, void
CASES = (
    [(edit_payload, seq, seq, {HASH_MISMATCH}) for seq in range(1, LENGTH + 1)]
    + [(edit_and_rehash, seq, seq + 1, {PREV_HASH_MISMATCH}) for seq in range(1, LENGTH)]
    + [(edit_and_rehash, LENGTH, LENGTH, {HEAD_MISMATCH})]
    + [(delete_event, seq, seq, {SEQ_GAP, "bad_genesis"}) for seq in range(1, LENGTH)]
    + [(delete_event, LENGTH, LENGTH, {TRUNCATED})]
    + [(swap_with_next, seq, seq, {SEQ_GAP, "bad_genesis", HASH_MISMATCH}) for seq in range(1, LENGTH)]
    # a well-linked forgery passes itself; the event it pushed along no longer hashes (its seq is hashed)
    + [(insert_before, seq, seq + 1, {HASH_MISMATCH}) for seq in range(1, LENGTH)]
    + [(insert_before, LENGTH, LENGTH, {HEAD_MISMATCH})]  # at the exported head's seq another hash stands
    + [(truncate_after, seq, seq + 1, {TRUNCATED}) for seq in range(1, LENGTH)]
    + [(delete_chain, 1, 1, {TRUNCATED})]
)


async def test_every_kind_of_tampering_at_every_position_is_detected_and_the_first_broken_link_named(db):
    settings, engine = db
    chains = await honest_history()
    assert [len(await chain_rows(chain)) for chain in chains] == [LENGTH] * len(chains)
    await export_chain_heads(settings.var_dir)
    assert (await verify_all(settings.var_dir)).ok
    for number, (tamper, seq, first_broken, reasons) in enumerate(CASES):
        chain = chains[number % len(chains)]
        with pytest.raises(Rollback):
            async with engine.transaction():
                await tamper(chain, seq)
                report = await verify_all(settings.var_dir)
                raise Rollback
        assert not report.ok, (tamper.__name__, seq)
        assert [(b.chain_id, b.seq) for b in report.broken] == [(chain, first_broken)], (tamper.__name__, seq, report)
        assert report.broken[0].reason in reasons, (tamper.__name__, seq, report.broken)
    assert (await verify_all(settings.var_dir)).ok  # every tampering was undone


async def test_the_command_line_fails_naming_the_chain_and_a_tampered_heads_file_is_caught_too(db):
    settings, _engine = db
    chains = await honest_history(chains=2)
    env = os.environ | {"DATABASE_URL": settings.database_url, "SF_VAR_DIR": str(settings.var_dir)}
    command = [str(Path(sys.executable).parent / "shuangfang"), "verify"]

    def verify():
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    await export_chain_heads(settings.var_dir)
    clean = verify()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "chains" in clean.stdout and clean.stdout.strip().endswith("OK")
    await truncate_after(chains[1], 1)
    cut = verify()
    assert cut.returncode == 1 and f"BROKEN chain {chains[1]}: first broken link at seq 2 (truncated)" in cut.stdout
    heads = next((settings.var_dir / "chain-heads").glob("*.jsonl"))
    heads.write_bytes(heads.read_bytes().replace(b'"seq":3', b'"seq":2', 1))
    forged = verify()
    assert forged.returncode == 1 and "HEADS:" in forged.stdout
