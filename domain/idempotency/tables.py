"""The table behind the `Idempotency-Key` header: the first response to a key, kept for replays."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class IdempotencyRecord(Table, tablename="idempotency_record"):
    """One key of one caller: in flight until the first response is stored, then replayed as stored."""

    # sha256 of (user id, method, path, key): a key is private to its caller and its endpoint.
    id = Varchar(length=64, primary_key=True)
    user_id = Varchar(length=26, index=True)
    method = Varchar(length=8)
    path = Text()
    # sha256 of method, path, query and body: the same key with another request is refused. Empty while in
    # flight: the body is hashed as it streams to the handler. See domain/idempotency/model.py.
    request_hash = Varchar(length=64)
    state = Varchar(length=16)
    status_code = Integer(null=True, default=None)
    content_type = Varchar(length=100, null=True, default=None)
    response_headers = Text(default="{}")
    response_body = Text(null=True, default=None)
    created_at = Timestamptz()
    expires_at = Timestamptz(index=True)
