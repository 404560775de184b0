"""Domain records to contract types: the only place that knows both shapes."""

from __future__ import annotations

from domain.accounts.model import Role
from domain.accounts.services import UserRecord
from domain.org.services import EnterpriseRecord, GridRecord, RegionRecord
from mobile_contract import auth as wire_auth
from mobile_contract import orgs as wire_orgs


def user(record: UserRecord) -> wire_auth.User:
    """The user with exactly the binding of their role."""
    return wire_auth.User(
        id=record.id,
        name=record.name,
        role=record.role.value,
        enterprise_id=record.enterprise_id,
        grid_ids=list(record.grid_ids) if record.role is Role.INSPECTOR else None,
        region_code=record.region_code,
    )


def admin_user(record: UserRecord) -> wire_orgs.AdminUser:
    """A user with the fields administrators manage."""
    return wire_orgs.AdminUser(
        id=record.id,
        username=record.username,
        name=record.name,
        role=record.role.value,
        disabled=record.disabled,
        phone=record.phone,
        enterprise_id=record.enterprise_id,
        grid_ids=list(record.grid_ids) if record.role is Role.INSPECTOR else None,
        region_code=record.region_code,
    )


def region(record: RegionRecord) -> wire_orgs.Region:
    """A region node."""
    return wire_orgs.Region(code=record.code, name=record.name, level=record.level, parent_code=record.parent_code)


def grid(record: GridRecord) -> wire_orgs.Grid:
    """A grid."""
    return wire_orgs.Grid(id=record.id, code=record.code, name=record.name, region_code=record.region_code)


def enterprise(record: EnterpriseRecord) -> wire_orgs.Enterprise:
    """An enterprise."""
    return wire_orgs.Enterprise(
        id=record.id,
        credit_code=record.credit_code,
        name=record.name,
        industry=record.industry,
        above_designated_size=record.above_designated_size,
        high_risk=record.high_risk,
        supervising_department=record.supervising_department,
        address=record.address,
        grid_id=record.grid_id,
        region_code=record.region_code,
        status=record.status,
        version=record.version,
        updated_at=record.updated_at,
        lat=record.lat,
        lng=record.lng,
    )
