"""Time `verify` (every chain, the anchor ledger, every bound row replayed and compared) on the demo and on a city's
worth of closed hazards, on SQLite (and PostgreSQL when a server answers).

    .venv/bin/python -m bench.verify [--hazards 20000] [--no-postgres]

The extra hazards are loaded in bulk, as the services would have left them: each a chain of four events (reported,
assigned, rectified with an after-photo hash, accepted) made by the pure workflow (`apply`) and `link`, its anchors
in the ledger and its row bound to its head; a verify that answers OK on them shows the loader wrote what the write
path writes.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.scan import _postgres_url, _prepare
from domain.access.model import Actor, Role
from domain.accounts.tables import AppUser
from domain.clock import utcnow
from domain.config import load_settings
from domain.db.engine import bind_engine, build_engine, close_engine, open_engine
from domain.evidence.services import verify_all
from domain.hazards import model
from domain.hazards.tables import Hazard
from domain.history.chain import GENESIS_HASH, anchor_hash, link
from domain.history.store import seal_anchors
from domain.history.tables import ChainAnchor, HistoryEvent
from domain.ids import new_id

BATCH = 500


async def _actor(username: str) -> Actor:
    row = await AppUser.select().where(AppUser.username == username).first().run()
    return Actor(user_id=row["id"], role=Role(row["role"]), enterprise_id=row["enterprise_id"])


def _hazard(n: int, officer: Actor, principal: Actor, at) -> tuple[dict, list]:
    """One closed general hazard: its row and its four linked events."""
    hazard_id = new_id()
    state = model.open_hazard(
        hazard_id,
        level=model.HazardLevel.GENERAL,
        side=model.Side.ENTERPRISE,
        enterprise_id=officer.enterprise_id,
        reporter_id=officer.user_id,
    )
    row = {
        "id": hazard_id,
        "client_key": f"{officer.user_id}:bench-{n}",
        "enterprise_id": officer.enterprise_id,
        "source": "daily",
        "category": "unsafe_condition",
        "professional_type": "safety",
        "title": f"隐患 {n}",
        "description": "",
        "level": "general",
        "level_confirmed": True,
        "status": "reported",
        "side": "enterprise",
        "reporter_id": officer.user_id,
        "reporter_role": "officer",
        "responsible_person": "",
        "measures": "整改",
        "funds": "",
        "stoppage_scope": "",
        "supervised": False,
        "has_after_photos": False,
        "found_at": at,
        "version": 1,
    }
    payload = {k: row[k] for k in row if k not in ("id", "client_key")} | {
        "measures": "",
        "risk_point_id": None,
        "inspection_id": None,
        "scan_id": None,
        "internal_grade": None,
        "major_criterion_id": None,
        "expert_reason": None,
        "governance_type": None,
        "assignee_id": None,
        "rectifier_id": None,
        "deadline": None,
        "requested_deadline": None,
        "client_id": f"bench-{n}",
        "lat": None,
        "lng": None,
        "photo_ids": [],
    }
    events = [link(hazard_id, 1, "report", officer.user_id, "officer", at, payload, (), GENESIS_HASH)]
    photo = hashlib.sha256(f"bench-photo-{n}".encode()).hexdigest()
    steps = [
        (principal, model.Assign(officer.user_id, "整改", at + timedelta(days=3)), ()),
        (officer, model.SubmitRectification(after_photo_ids=(f"P{n}",)), (photo,)),
        (principal, model.Accept(note=""), ()),
    ]
    for number, (actor, command, photos) in enumerate(steps):
        moment = at + timedelta(minutes=number + 1)
        state, change = model.apply(state, command, actor, moment)
        body = dict(change.payload) | {
            "from_status": str(change.from_status),
            "to_status": str(change.to_status),
            "version": change.version,
        }
        events.append(
            link(
                hazard_id,
                number + 2,
                str(change.action),
                actor.user_id,
                str(actor.role),
                moment,
                body,
                photos,
                events[-1].hash,
            )
        )
    row |= {
        name: getattr(state, name)
        for name in (
            "status",
            "assignee_id",
            "rectifier_id",
            "governance_type",
            "deadline",
            "has_after_photos",
            "version",
        )
    }
    row |= {
        "governance_type": str(state.governance_type),
        "closed_at": events[-1].at,
        "created_at": at,
        "updated_at": events[-1].at,
        "details": "{}",
        "chain_seq": 4,
        "chain_hash": events[-1].hash,
        "after_photo_id": f"P{n}",
        "photo_hash": photo,
    }
    return row, events


async def _load(count: int) -> int:
    """Add `count` closed hazards with their chains, anchors and after-photos; returns the events added."""
    from domain.hazards.tables import HazardPhoto
    from domain.photos.tables import Photo

    officer, principal = await _actor("officer1"), await _actor("principal1")
    at = utcnow() - timedelta(days=30)
    sqlite = ChainAnchor._meta.db.engine_type == "sqlite"
    last = await ChainAnchor.raw(
        "SELECT position, anchor_hash FROM chain_anchor WHERE position IS NOT NULL ORDER BY position DESC LIMIT 1"
    ).run()
    position, prev = (last[0]["position"], last[0]["anchor_hash"]) if last else (0, GENESIS_HASH)
    added = 0
    for start in range(0, count, BATCH):
        hazards, events, anchors, photos, attached = [], [], [], [], []
        for n in range(start, min(count, start + BATCH)):
            row, chain = _hazard(n, officer, principal, at)
            photo_id, photo_hash = row.pop("after_photo_id"), row.pop("photo_hash")
            photo_id = new_id()
            hazards.append(Hazard(**row))
            photos.append(
                Photo(id=photo_id, sha256=photo_hash, enterprise_id=officer.enterprise_id, **_photo_columns(at))
            )
            attached.append(
                HazardPhoto(
                    id=new_id(),
                    hazard_id=row["id"],
                    photo_id=photo_id,
                    stage="after",
                    event_seq=3,
                    position=0,
                    attached_at=at,
                )
            )
            for event in chain:
                record = event.to_record()
                events.append(
                    HistoryEvent(
                        id=new_id(),
                        chain_id=event.chain_id,
                        subject_kind="hazard",
                        seq=event.seq,
                        action=event.action,
                        name="Bench",
                        actor_id=event.actor_id,
                        role=event.role,
                        at=event.at,
                        payload=json.dumps(
                            record["payload"], ensure_ascii=False, sort_keys=True, separators=(",", ":")
                        ),
                        photo_hashes=json.dumps(record["photo_hashes"]),
                        prev_hash=event.prev_hash,
                        hash=event.hash,
                    )
                )
                anchor = {"id": new_id(), "chain_id": event.chain_id, "seq": event.seq, "event_hash": event.hash}
                if sqlite:
                    position += 1
                    digest = anchor_hash(position, event.chain_id, event.seq, event.hash, prev)
                    anchor |= {"position": position, "prev_hash": prev, "anchor_hash": digest}
                    prev = digest
                anchors.append(ChainAnchor(**anchor))
        async with Hazard._meta.db.transaction():
            for table, rows in (
                (Hazard, hazards),
                (Photo, photos),
                (HazardPhoto, attached),
                (HistoryEvent, events),
                (ChainAnchor, anchors),
            ):
                for chunk in range(0, len(rows), BATCH):
                    await table.insert(*rows[chunk : chunk + BATCH]).run()
        added += len(events)
    await seal_anchors()
    return added


def _photo_columns(at) -> dict:
    """The columns a photo row needs beyond its id, hash and enterprise (whatever the photos table holds now)."""
    from domain.photos.tables import Photo

    defaults = {"Varchar": "", "Text": "", "Integer": 0, "BigInt": 0, "Boolean": False, "Timestamptz": at}
    columns = {}
    for column in Photo._meta.columns:
        name = column._meta.name
        if name in ("id", "sha256", "enterprise_id") or column._meta.null:
            continue
        columns[name] = defaults.get(type(column).__name__, "")
    return columns


async def _timed_verify(var_dir: Path) -> tuple[float, object]:
    started = time.perf_counter()
    report = await verify_all(var_dir)
    return time.perf_counter() - started, report


async def _run_engine(env: dict, hazards: int) -> None:
    os.environ.update(env)
    settings = load_settings()
    engine = build_engine(settings)
    bind_engine(engine)
    await open_engine(engine)
    try:
        seconds, report = await _timed_verify(settings.var_dir)
        print(
            f"  demo: {report.chains} chains, {report.events} events, {report.rows} bound rows: {seconds:.2f} s, "
            f"{'OK' if report.ok else 'FAILED: ' + str(report.first_problem())}"
        )
        started = time.perf_counter()
        added = await _load(hazards)
        print(f"  loaded {hazards} closed hazards ({added} events) in {time.perf_counter() - started:.1f} s")
        seconds, report = await _timed_verify(settings.var_dir)
        print(
            f"  city: {report.chains} chains, {report.events} events, {report.anchors} anchors, {report.rows} bound "
            f"rows: {seconds:.2f} s, {'OK' if report.ok else 'FAILED: ' + str(report.first_problem())}"
        )
    finally:
        await close_engine(engine)


def main() -> int:
    """Prepare each engine, load, verify, print the times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=20000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sf-bench-verify-"))
    try:
        engines = [("sqlite", "")]
        if not args.no_postgres:
            url = asyncio.run(_postgres_url())
            engines.append(("postgresql", url)) if url else print("postgresql skipped: no server answers")
        for name, database_url in engines:
            env = dict(os.environ, SF_VAR_DIR=str(folder / name), DATABASE_URL=database_url or "", REDIS_URL="")
            _prepare(env)
            print(f"verify on {name}:")
            asyncio.run(_run_engine(env, args.hazards))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
