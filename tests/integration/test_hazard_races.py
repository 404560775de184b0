"""Two transitions racing on the same version: the version check in the UPDATE lets exactly one win, every time."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from domain.clock import utcnow
from domain.errors import DomainError
from domain.hazards import model
from domain.hazards.services import NewHazard, StaleVersion, create_hazard, transition, verify_hazard_chain
from domain.history.store import ChainRaced
from domain.history.tables import HistoryEvent
from tests.integration.test_history_tamper import actor_named

RACES = 200


async def test_of_two_transitions_with_the_same_version_never_both_succeed(db):
    officer, principal = await actor_named("officer1"), await actor_named("principal1")
    decided_by_update = 0
    for n in range(RACES):
        hazard, _ = await create_hazard(
            actor=officer,
            new=NewHazard(
                client_id=f"race-{n}",
                enterprise_id=officer.enterprise_id,
                source="daily",
                category="unsafe_condition",
                title="竞争",
                description="",
            ),
        )
        assign = model.Assign(officer.user_id, "整改", utcnow() + timedelta(days=2))
        results = await asyncio.gather(
            transition(actor=principal, hazard_id=hazard.id, expected_version=1, command=assign),
            transition(actor=officer, hazard_id=hazard.id, expected_version=1, command=model.Void("重复")),
            return_exceptions=True,
        )
        won = [r for r in results if not isinstance(r, BaseException)]
        lost = [r for r in results if isinstance(r, BaseException)]
        assert len(won) == 1 and len(lost) == 1, (n, results)
        assert isinstance(lost[0], (StaleVersion, ChainRaced)), lost[0]
        assert won[0].version == 2
        # the loser read version 1 too, and only the UPDATE's own check stopped it
        decided_by_update += isinstance(lost[0], DomainError) and "current" not in lost[0].params
        assert await HistoryEvent.count().where(HistoryEvent.chain_id == hazard.id) == 2
        assert await verify_hazard_chain(hazard.id)
    print(f"{decided_by_update} of {RACES} races were decided by the UPDATE itself")
    assert decided_by_update > 0
