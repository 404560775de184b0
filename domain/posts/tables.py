"""Piccolo table of posts (岗位) held by the people of an enterprise."""

from __future__ import annotations

from piccolo.columns import Timestamptz, Varchar
from piccolo.table import Table


class UserPost(Table, tablename="user_post"):
    """One post a user of an enterprise holds; (user_id, post) is unique (migration 0016's index)."""

    id = Varchar(length=26, primary_key=True)
    user_id = Varchar(length=26, index=True)
    enterprise_id = Varchar(length=26, index=True)
    # The post's name as the enterprise's checklist items and risk points name it (e.g. 储罐区操作工).
    post = Varchar(length=100)
    assigned_by = Varchar(length=26)
    assigned_at = Timestamptz()
