"""A general hazard whose deadline was extended: asked for by its assignee, approved with a reason by the principal.

Played on the first of 舟山港兴石化储运's "rectifying" hazards (seed/hazards.py), through the workflow service, so
the request and the decision are links of its history like any other step. Deterministic and idempotent: the
times follow the hazard's own assignment (found at least 3 days ago, so both steps lie in the past), and a hazard
already past its assignment is left alone.
"""

from __future__ import annotations

from datetime import timedelta

from domain.accounts.services import AccountService
from domain.config import Settings
from domain.hazards import model as m
from domain.hazards.services import transition
from domain.hazards.tables import Hazard
from seed.hazards import GENERAL_SCRIPTS
from seed.inspections import actor_named

ENTERPRISE_KEY = "E1"
REASON = "防爆接线盒备件厂家停产，替代型号需重新选型采购"
DECISION = "已核实采购合同及到货计划，同意延期"


def extended_client_id() -> str:
    """The seed client id of the hazard that gets the extension: E1's first "rectifying" play (3 plays a script)."""
    return f"seed-{ENTERPRISE_KEY}-{list(GENERAL_SCRIPTS).index('rectifying') * 3:03d}"


async def seed_extension(settings: Settings) -> str:
    """Ask for and approve a later deadline on one rectifying general hazard; a one-line summary."""
    accounts = AccountService(settings)
    officer, principal = await actor_named(accounts, "officer1"), await actor_named(accounts, "principal1")
    if officer is None or principal is None:
        return "deadline extensions: no demo staff"
    row = await Hazard.select().where(Hazard.client_key == f"{officer.user_id}:{extended_client_id()}").first().run()
    if row is None or row["status"] != "rectifying" or row["version"] != 2 or row["deadline"] is None:
        return "deadline extensions: 0 made"
    asked_at = row["updated_at"] + timedelta(days=1)
    wanted = row["deadline"] + timedelta(days=14)
    asked = await transition(
        actor=officer, hazard_id=row["id"], expected_version=2, command=m.RequestExtension(wanted, REASON), now=asked_at
    )
    await transition(
        actor=principal,
        hazard_id=row["id"],
        expected_version=asked.version,
        command=m.DecideExtension(True, "", DECISION),
        now=asked_at + timedelta(hours=6),
    )
    return f"deadline extensions: 1 general hazard's deadline extended by 14 days ({row['id']})"
