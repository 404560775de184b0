"""Piccolo table of offline sync: the kept results of batch operations behind `POST /v1/sync/batch` (the change
feed's table belongs to domain/changes)."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class SyncOpResult(Table, tablename="sync_op_result"):
    """The kept outcome of one batch operation of one user, written with the operation's effect."""

    id = Varchar(length=100, primary_key=True)  # "<user id>:<op id>"
    user_id = Varchar(length=26)
    op_id = Varchar(length=64)
    kind = Varchar(length=24)
    fingerprint = Varchar(length=64)  # sha256 of the kind and payload: the same opId with other content is refused
    ok = Integer(default=0)
    resource = Varchar(length=16, null=True, default=None)
    resource_id = Varchar(length=26, null=True, default=None)
    result = Text()  # JSON of the result as first answered (titles are localised when sent)
    created_at = Timestamptz()
