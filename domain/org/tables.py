"""Piccolo tables of the organisation area."""

from __future__ import annotations

from piccolo.columns import Boolean, Integer, Real, Text, Timestamptz, Varchar
from piccolo.table import Table


class Region(Table, tablename="region"):
    """A node of the administrative tree (city, district or county, town or subdistrict), keyed by its code."""

    code = Varchar(length=12, primary_key=True)
    name = Varchar(length=100)
    level = Varchar(length=16)
    parent_code = Varchar(length=12, null=True, default=None, index=True)
    # Materialised path of codes, e.g. "/330900/330902/330902001/": a subtree is one prefix match.
    path = Varchar(length=200, index=True)
    created_at = Timestamptz()


class Grid(Table, tablename="grid"):
    """A supervision grid (网格) inside a town; inspectors are bound to grids."""

    id = Varchar(length=26, primary_key=True)
    code = Varchar(length=32, unique=True)
    name = Varchar(length=100)
    region_code = Varchar(length=12, index=True)
    region_path = Varchar(length=200, index=True)
    created_at = Timestamptz()


class Enterprise(Table, tablename="enterprise"):
    """A production or business unit under supervision."""

    id = Varchar(length=26, primary_key=True)
    credit_code = Varchar(length=18, unique=True)
    name = Varchar(length=200)
    industry = Varchar(length=40, index=True)
    above_designated_size = Boolean(default=False)
    high_risk = Boolean(default=False)
    supervising_department = Varchar(length=100, default="")
    address = Varchar(length=300, default="")
    lat = Real(null=True, default=None)
    lng = Real(null=True, default=None)
    grid_id = Varchar(length=26, index=True)
    region_code = Varchar(length=12, index=True)
    region_path = Varchar(length=200, index=True)
    status = Varchar(length=16, default="operating")
    # Serial of the enterprise safety code; rotating it retires the printed code.
    qr_serial = Integer(default=1)
    version = Integer(default=1)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class RegionShape(Table, tablename="region_shape"):
    """The drawn outline of a region or grid: a GeoJSON geometry in lon/lat (schematic in the demo)."""

    # "region:<code>" or "grid:<grid id>"
    id = Varchar(length=40, primary_key=True)
    kind = Varchar(length=16)
    subject = Varchar(length=26, index=True)
    geometry = Text()
    source = Varchar(length=100, default="")
    updated_at = Timestamptz()
