"""Who sees which enterprise: the pure rule."""

import pytest

from domain.access.model import Actor, EnterprisePlace, Role, can_see_enterprise, check_binding
from domain.accounts.model import is_locked
from domain.errors import InvalidInput

DINGHAI_CENGANG = EnterprisePlace(enterprise_id="E1", grid_id="G1", region_path="/330900/330902/330902007/")
PUTUO_LIUHENG = EnterprisePlace(enterprise_id="E2", grid_id="G2", region_path="/330900/330903/330903100/")


def test_an_officer_sees_only_their_own_enterprise():
    officer = Actor(user_id="u", role=Role.OFFICER, enterprise_id="E1")
    assert can_see_enterprise(officer, DINGHAI_CENGANG)
    assert not can_see_enterprise(officer, PUTUO_LIUHENG)


def test_a_principal_is_scoped_like_an_officer():
    principal = Actor(user_id="u", role=Role.PRINCIPAL, enterprise_id="E2")
    assert can_see_enterprise(principal, PUTUO_LIUHENG)
    assert not can_see_enterprise(principal, DINGHAI_CENGANG)


def test_an_inspector_sees_the_enterprises_of_their_grids_only():
    inspector = Actor(user_id="u", role=Role.INSPECTOR, grid_ids=frozenset({"G1"}))
    assert can_see_enterprise(inspector, DINGHAI_CENGANG)
    assert not can_see_enterprise(inspector, PUTUO_LIUHENG)


def test_an_inspector_without_grids_sees_nothing():
    assert not can_see_enterprise(Actor(user_id="u", role=Role.INSPECTOR), DINGHAI_CENGANG)


def test_a_district_regulator_sees_their_subtree_only():
    regulator = Actor(user_id="u", role=Role.REGULATOR, region_path="/330900/330902/")
    assert can_see_enterprise(regulator, DINGHAI_CENGANG)
    assert not can_see_enterprise(regulator, PUTUO_LIUHENG)


def test_a_region_path_prefix_is_not_confused_with_a_sibling_code():
    # "/3309/" must not match "/330900/": paths end with a slash for this reason.
    regulator = Actor(user_id="u", role=Role.REGULATOR, region_path="/3309/")
    assert not can_see_enterprise(regulator, DINGHAI_CENGANG)


def test_a_city_regulator_and_an_admin_see_everything():
    city = Actor(user_id="u", role=Role.REGULATOR, region_path="/330900/")
    admin = Actor(user_id="u", role=Role.ADMIN)
    for place in (DINGHAI_CENGANG, PUTUO_LIUHENG):
        assert can_see_enterprise(city, place) and can_see_enterprise(admin, place)


@pytest.mark.parametrize(
    ("role", "binding"),
    [
        (Role.OFFICER, {}),
        (Role.OFFICER, {"enterprise_id": "E1", "region_code": "330902"}),
        (Role.INSPECTOR, {"grid_ids": []}),
        (Role.REGULATOR, {"enterprise_id": "E1"}),
        (Role.ADMIN, {"grid_ids": ["G1"]}),
    ],
)
def test_a_role_takes_exactly_its_binding(role, binding):
    arguments = {"enterprise_id": None, "grid_ids": None, "region_code": None} | binding
    with pytest.raises(InvalidInput):
        check_binding(role, **arguments)


def test_five_failures_in_the_window_lock_and_a_success_resets_the_count():
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    window = timedelta(minutes=15)
    failures = [now - timedelta(minutes=m) for m in (1, 2, 3, 4, 5)]
    assert is_locked(failures, last_success_at=None, now=now, limit=5, window=window)
    assert not is_locked(failures[:4], last_success_at=None, now=now, limit=5, window=window)
    assert not is_locked(
        failures, last_success_at=now - timedelta(minutes=2, seconds=30), now=now, limit=5, window=window
    )
    old = [now - timedelta(minutes=m) for m in (16, 17, 18, 19, 20)]
    assert not is_locked(old, last_success_at=None, now=now, limit=5, window=window)
