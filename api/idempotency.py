"""The `Idempotency-Key` layer (IETF draft "The Idempotency-Key HTTP Header Field") for every mutating request.

Covered: POST, PUT, PATCH and DELETE of a signed-in caller, keyed by (user, method, path, key). Requests without a
user pass through untouched and their header is ignored: sign-in and refresh answer with credentials, which must
not sit in a table in clear text, and public reports have no identity to key by (a device id is the client's own
claim, so keying by it would let anyone who learns one read another's answer); they dedupe by their own clientId.

- No header: the request runs as usual. A header that is not 1–255 printable ASCII characters: 400.
- First request under a key: the record is inserted in flight, the handler runs, and its response is kept before
  it is sent (so a client that saw the answer always finds it kept) if it is final: 2xx to 4xx except the
  statuses and `Retry-After` answers that invite a retry. A 5xx, a crash, a 'try again' or a body over the route's
  limit deletes the record instead, so the retry runs afresh.
- The same key again with the same method, path, query and body: the kept response byte for byte, plus
  `Idempotent-Replayed: true`. With anything else: 422. While the first still runs: 409 with `Retry-After`.
- Records expire after `SF_IDEMPOTENCY_TTL` (24 h); an expired key is a new key. A daily job deletes them.

The body is fingerprinted as it streams to the handler, never buffered here, so a 20 MiB upload is held once; what
the handler leaves unread is read after it, before the response is kept. The handler's own transaction commits
before the response is kept: a process that dies between the two leaves the key in flight until its lease passes,
after which a retry runs again (hazards and photos also dedupe by clientId for exactly this).
"""

from __future__ import annotations

import hashlib
import logging

from litestar.config.app import AppConfig
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.plugins import InitPlugin
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import Principal
from domain.idempotency import services as idempotency
from domain.idempotency.model import StoredResponse, checked_key, is_replayable, replay, request_fingerprint

log = logging.getLogger("shuangfang.idempotency")

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HEADER = b"idempotency-key"
REPLAYED = (b"idempotent-replayed", b"true")


class _FingerprintedBody:
    """The request's `receive`, hashing every chunk on its way to the handler."""

    def __init__(self, receive: Receive, fingerprint: hashlib._Hash, limit: float) -> None:
        self._receive = receive
        self._fingerprint = fingerprint
        self._limit = limit
        self._size = 0
        self._complete = False
        self._gone = False

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            self._size += len(chunk)
            self._fingerprint.update(chunk)
            self._complete = not message.get("more_body", False)
        elif message["type"] == "http.disconnect":
            self._gone = True
        return message

    async def digest(self) -> str | None:
        """The fingerprint of the whole request, reading what is left; None if the body is over the limit or cut off."""
        while not (self._complete or self._gone or self._size > self._limit):
            await self.receive()
        return self._fingerprint.hexdigest() if self._complete and self._size <= self._limit else None


class _HeldResponse:
    """The handler's `send`, holding every message until the response has been kept."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def send(self, message: Message) -> None:
        self.messages.append(message)

    def stored(self) -> StoredResponse | None:
        """The whole response, or None unless it is a start message and body messages that end."""
        types = [message["type"] for message in self.messages]
        if types[:1] != ["http.response.start"] or set(types[1:]) != {"http.response.body"}:
            return None
        start, body = self.messages[0], self.messages[1:]
        if body[-1].get("more_body", False):
            return None
        headers = tuple((bytes(name), bytes(value)) for name, value in start.get("headers", ()))
        return StoredResponse(start["status"], headers, b"".join(message.get("body", b"") for message in body))


def _is_not_covered(scope: Scope) -> bool:
    return scope["method"] not in MUTATING or not isinstance(scope.get("user"), Principal)


async def _send_replay(send: Send, response: StoredResponse) -> None:
    await send({"type": "http.response.start", "status": response.status, "headers": [*response.headers, REPLAYED]})
    await send({"type": "http.response.body", "body": response.body})


class IdempotencyMiddleware(ASGIMiddleware):
    """Replays the kept response to a repeated `Idempotency-Key`; placed after authentication, which names the user."""

    scopes = (ScopeType.HTTP,)
    should_bypass_for_scope = staticmethod(_is_not_covered)

    def __init__(self, *, ttl_s: int) -> None:
        self.ttl_s = ttl_s

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        key = checked_key([value for name, value in scope["headers"] if name.lower() == HEADER])
        if key is None:
            await next_app(scope, receive, send)
            return
        user_id = scope["user"].actor.user_id
        method, path = scope["method"], scope["path"]
        body = _FingerprintedBody(
            receive,
            request_fingerprint(method=method, path=path, query=scope.get("query_string", b"")),
            scope["route_handler"].resolve_request_max_body_size() or float("inf"),
        )
        found = await idempotency.begin(user_id=user_id, method=method, path=path, key=key)
        if isinstance(found, idempotency.Completed):
            request_hash = await body.digest()
            await _send_replay(send, replay(found.response, stored_hash=found.request_hash, request_hash=request_hash))
            return
        await self._run(found, scope, body, send, next_app)

    async def _run(
        self, attempt: idempotency.Attempt, scope: Scope, body: _FingerprintedBody, send: Send, next_app: ASGIApp
    ) -> None:
        held = _HeldResponse()
        try:
            await next_app(scope, body.receive, held.send)
        except BaseException:
            await idempotency.abandon(attempt)
            raise
        response, digest = held.stored(), await body.digest()
        try:
            if response is not None and digest is not None and is_replayable(response):
                await idempotency.finish(attempt, request_hash=digest, response=response, ttl_s=self.ttl_s)
            else:
                await idempotency.abandon(attempt)
        except Exception:
            # The handler has committed or refused by now: its own answer is truer than a 500 about the record,
            # which its lease frees later.
            log.exception("the idempotency record of a finished request was not settled")
        for message in held.messages:
            await send(message)


class IdempotencyPlugin(InitPlugin):
    """Installs the layer innermost: inside authentication, which names the user, and inside the request log."""

    def __init__(self, *, ttl_s: int) -> None:
        self.ttl_s = ttl_s

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        # Plugins run after the app's own hooks (authentication inserts itself first), so listed after the logging
        # plugin this lands last, and replays and refusals are logged like any other answer.
        app_config.middleware.append(IdempotencyMiddleware(ttl_s=self.ttl_s))
        return app_config
