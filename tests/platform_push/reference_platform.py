"""A reference provincial platform for the push tests: the third party, as a small Litestar app reached through
httpx.ASGITransport. It checks each batch's HMAC signature, keeps each (uuid, version) once, answers a pair it holds
with `duplicate` and an older version than it holds with `stale`, and can be told to be away (503), to lose its
answer after storing a batch, to refuse given records with a reason, or to run a hook while a batch is in hand."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from litestar import Litestar, Request, post
from litestar.response import Response


@dataclass
class ReferencePlatform:
    """The platform's state and its switches; `app` serves it."""

    secret: str
    outages: int = 0  # the next this many batches answer 503 without storing anything
    lose_answers: int = 0  # the next this many batches are stored, then answered 503 (the answer is lost)
    refuse: dict[str, str] = field(default_factory=dict)  # uuid -> the reason it refuses that record for
    during_batch: Callable[[dict[str, Any]], Awaitable[None]] | None = None  # runs once a batch is in hand
    held: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)  # uuid -> version -> data
    stored: list[tuple[str, int]] = field(default_factory=list)  # every (uuid, version) stored, in order
    batches: list[dict[str, Any]] = field(default_factory=list)  # every batch that passed the signature check
    bad_signatures: int = 0

    def __post_init__(self) -> None:
        @post("/exchange/batches", status_code=200)
        async def receive(request: Request) -> Response:
            return await self._receive(request)

        self.app = Litestar(route_handlers=[receive])

    def client(self) -> httpx.AsyncClient:
        """An HTTP client whose requests reach this platform."""
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://platform.test")

    def newest(self, uuid: str) -> int | None:
        """The newest version held of a record."""
        versions = self.held.get(uuid)
        return max(versions) if versions else None

    async def _receive(self, request: Request) -> Response:
        body = await request.body()
        expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(request.headers.get("x-sf-signature", ""), expected):
            self.bad_signatures += 1
            return Response({"error": "bad signature"}, status_code=401)
        if self.outages:
            self.outages -= 1
            return Response({"error": "maintenance"}, status_code=503)
        batch = json.loads(body)
        self.batches.append(batch)
        if self.during_batch is not None:
            hook, self.during_batch = self.during_batch, None
            await hook(batch)
        results = [self._take(record) for record in batch["records"]]
        if self.lose_answers:
            self.lose_answers -= 1
            return Response({"error": "gateway timeout"}, status_code=503)
        return Response({"platformBatchId": f"ZJ-{len(self.batches):05d}", "results": results})

    def _take(self, record: dict[str, Any]) -> dict[str, Any]:
        uuid, version = record["uuid"], record["version"]
        answer: dict[str, Any] = {"uuid": uuid, "version": version}
        if uuid in self.refuse:
            return answer | {"status": "rejected", "reason": self.refuse[uuid]}
        versions = self.held.setdefault(uuid, {})
        if version in versions:
            return answer | {"status": "duplicate"}
        if versions and version < max(versions):
            return answer | {"status": "stale"}
        versions[version] = record["data"]
        self.stored.append((uuid, version))
        return answer | {"status": "accepted"}
