"""The SQL forms of the scope rule (the piccolo condition and the raw subquery) agree with the pure rule, on every engine."""

from domain.access.model import EnterprisePlace, can_see_enterprise
from domain.accounts.services import AccountService
from domain.accounts.tables import AppUser
from domain.org.store import enterprise_condition, visible_enterprises_sql
from domain.org.tables import Enterprise
from seed.random_checks import OFFICERS
from seed.zhoushan import DEMO_USERS


async def test_every_demo_actor_sees_in_sql_exactly_what_the_rule_allows(db):
    settings, _ = db
    accounts = AccountService(settings)
    everything = await Enterprise.select(Enterprise.id, Enterprise.grid_id, Enterprise.region_path).run()
    places = [EnterprisePlace(row["id"], row["grid_id"], row["region_path"]) for row in everything]
    users = await AppUser.select(AppUser.id, AppUser.username).run()
    assert len(users) == len(DEMO_USERS) + len(OFFICERS)
    for user in users:
        actor, _ = await accounts.actor_for(user["id"])
        visible = {row["id"] for row in await Enterprise.select(Enterprise.id).where(enterprise_condition(actor)).run()}
        allowed = {place.enterprise_id for place in places if can_see_enterprise(actor, place)}
        assert visible == allowed, user["username"]
        sql, args = visible_enterprises_sql(actor)
        assert {row["id"] for row in await Enterprise.raw(sql, *args).run()} == allowed, user["username"]
        assert visible, f"{user['username']} should see at least one demo enterprise"
