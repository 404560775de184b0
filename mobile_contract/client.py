"""A typed reference client of the mobile contract, on httpx and the contract's own structs.

What a call can raise:

    ApiError                 the server answered 4xx / 5xx: `.status`, `.code` (the problem's stable code), `.problem`
    httpx.TransportError     no answer at all (no network, refused, timed out): the phone keeps the work queued
      ├── httpx.TimeoutException
      └── httpx.NetworkError
    msgspec.ValidationError  a 2xx body that breaks the contract (a server bug, never the phone's to paper over)

Any httpx transport works: `httpx.ASGITransport(app=app)` in tests, the default network transport against a real
server. The client keeps its tokens, and on a 401 refreshes them once and repeats the call.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any, Literal, TypeVar

import httpx
import msgspec

from mobile_contract import CONTRACT_VERSION
from mobile_contract.auth import LoginRequest, RefreshRequest, TokenResponse, User
from mobile_contract.documents import Document
from mobile_contract.errors import Problem
from mobile_contract.hazards import Hazard, HazardCreate, HazardPage, HistoryEvent, TransitionRequest
from mobile_contract.inspections import Inspection, InspectionCreate, TaskPage
from mobile_contract.orgs import Enterprise, EnterprisePage
from mobile_contract.photos import Photo
from mobile_contract.posts import Post, UserPosts, UserPostsUpdate
from mobile_contract.public_reports import (
    AcceptReport,
    PublicPhoto,
    PublicReceipt,
    PublicReport,
    PublicReportCreate,
    PublicReportPage,
    ReportActionRequest,
)
from mobile_contract.risk import ChecklistItem, RiskPoint, RiskPointPage, ScanCard
from mobile_contract.stats import FigureItemPage, HazardStatistics
from mobile_contract.sync import ChangesPage, SyncBatch, SyncBatchResult, SyncOp

T = TypeVar("T")
Language = Literal["zh", "en"]


class ApiError(Exception):
    """The server refused or failed a call; `code` is the problem-details code (None for a body that is not one)."""

    def __init__(self, status: int, problem: Problem | None, text: str = "") -> None:
        self.status = status
        self.problem = problem
        self.code = problem.code if problem else None
        super().__init__(f"{status} {self.code or 'no problem body'}: {problem.detail if problem else text[:200]}")

    @property
    def params(self) -> dict[str, Any]:
        """The problem's `params` (which field, which guard …); empty when there are none."""
        return self.problem.params if self.problem else {}


def qr_token(content: str) -> str:
    """The token a scanned QR carries: its content is `HTTP://HOST/Q/<token>` (or, printed bare, the token)."""
    return content.rstrip("/").rsplit("/", 1)[-1]


def _boundary(client_id: str) -> str:
    # A fixed boundary per clientId keeps a retried upload byte-identical, so an Idempotency-Key replays it.
    return "sf-" + hashlib.sha256(client_id.encode()).hexdigest()[:32]


def _form_value(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


class Client:
    """One signed-in phone: its tokens, its device id, its language."""

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        device_id: str = "",
        language: Language = "en",
        timeout: float = 30.0,
    ) -> None:
        headers = {"Accept-Language": language, "User-Agent": f"shuangfang-reference-client/{CONTRACT_VERSION}"}
        self.http = httpx.AsyncClient(base_url=base_url, transport=transport, headers=headers, timeout=timeout)
        self.device_id = device_id
        self.tokens: TokenResponse | None = None
        self.refreshes = 0
        self._refreshing = asyncio.Lock()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        await self.http.aclose()

    @property
    def user(self) -> User:
        """The signed-in user, as the last sign-in or refresh told it."""
        if self.tokens is None:
            raise RuntimeError("sign in first")
        return self.tokens.user

    # --- the transport of every call -----------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        into: type[T],
        *,
        body: msgspec.Struct | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        signed: bool = True,
    ) -> tuple[T, httpx.Response]:
        content = None if body is None else msgspec.json.encode(body)
        sent = dict(headers or {})
        if content is not None:
            sent["Content-Type"] = "application/json"
        query = {k: _form_value(v) for k, v in (params or {}).items() if v is not None}
        response = await self._request(method, path, signed=signed, content=content, params=query, headers=sent)
        return msgspec.json.decode(response.content, type=into), response

    async def _request(
        self, method: str, path: str, *, signed: bool, headers: dict[str, str], **kwargs: Any
    ) -> httpx.Response:
        """Send with the access token; a 401 refreshes the tokens once and sends again; 4xx / 5xx raise ApiError."""

        def with_auth() -> dict[str, str]:
            sent = dict(headers)
            if signed and self.tokens is not None:
                sent["Authorization"] = f"Bearer {self.tokens.access_token}"
            return sent

        used = self.tokens
        response = await self.http.request(method, path, headers=with_auth(), **kwargs)
        if response.status_code == 401 and signed and used is not None:
            # One refresh for calls that failed together: a spent refresh token presented again revokes them all.
            async with self._refreshing:
                if self.tokens is used:
                    await self.refresh()
            response = await self.http.request(method, path, headers=with_auth(), **kwargs)
        if response.status_code >= 400:
            raise _error(response)
        return response

    # --- sign-in -------------------------------------------------------------------------------------------------

    async def login(self, username: str, password: str) -> User:
        """Sign in and keep the tokens."""
        body = LoginRequest(username=username, password=password, device_id=self.device_id or None)
        self.tokens, _ = await self._call("POST", "/v1/auth/login", TokenResponse, body=body, signed=False)
        return self.tokens.user

    async def refresh(self) -> User:
        """Rotate the refresh token for new tokens (the client does this by itself on a 401)."""
        if self.tokens is None:
            raise RuntimeError("sign in first")
        body = RefreshRequest(refresh_token=self.tokens.refresh_token)
        self.tokens, _ = await self._call("POST", "/v1/auth/refresh", TokenResponse, body=body, signed=False)
        self.refreshes += 1
        return self.tokens.user

    async def me(self) -> User:
        """`GET /v1/me`."""
        return (await self._call("GET", "/v1/me", User))[0]

    # --- what the phone reads ------------------------------------------------------------------------------------

    async def enterprises(self, *, cursor: str | None = None, limit: int | None = None) -> EnterprisePage:
        """One page of the enterprises in scope."""
        return (await self._call("GET", "/v1/enterprises", EnterprisePage, params={"cursor": cursor, "limit": limit}))[
            0
        ]

    async def enterprise(self, enterprise_id: str) -> Enterprise:
        """`GET /v1/enterprises/{id}`."""
        return (await self._call("GET", f"/v1/enterprises/{enterprise_id}", Enterprise))[0]

    async def risk_points(
        self, enterprise_id: str, *, cursor: str | None = None, limit: int | None = None
    ) -> RiskPointPage:
        """One page of an enterprise's risk points, each with its code (`qr`) for callers in scope."""
        params = {"cursor": cursor, "limit": limit}
        return (await self._call("GET", f"/v1/enterprises/{enterprise_id}/risk-points", RiskPointPage, params=params))[
            0
        ]

    async def risk_point(self, risk_point_id: str) -> RiskPoint:
        """`GET /v1/risk-points/{id}`."""
        return (await self._call("GET", f"/v1/risk-points/{risk_point_id}", RiskPoint))[0]

    async def checklist(self, risk_point_id: str) -> list[ChecklistItem]:
        """A risk point's checklist."""
        return (await self._call("GET", f"/v1/risk-points/{risk_point_id}/checklist", list[ChecklistItem]))[0]

    async def tasks(
        self,
        *,
        due: bool = False,
        risk_point_id: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
        mine: bool = False,
    ) -> TaskPage:
        """One page of inspection tasks in scope (`due`: the open ones due now; `mine`: those of the caller's posts —
        staff only, and ApiError TASKS_NO_POST for staff holding none)."""
        params = {
            "due": "true" if due else None,
            "riskPointId": risk_point_id,
            "cursor": cursor,
            "limit": limit,
            "mine": "true" if mine else None,
        }
        return (await self._call("GET", "/v1/tasks", TaskPage, params=params))[0]

    async def posts(self, enterprise_id: str) -> list[Post]:
        """The enterprise's posts (岗位), each with its checklist items and holders."""
        return (await self._call("GET", f"/v1/enterprises/{enterprise_id}/posts", list[Post]))[0]

    async def set_user_posts(self, enterprise_id: str, user_id: str, posts: list[str]) -> UserPosts:
        """Set the whole set of posts a user of the enterprise holds (its principal or an administrator)."""
        return (
            await self._call(
                "PUT",
                f"/v1/enterprises/{enterprise_id}/users/{user_id}/posts",
                UserPosts,
                body=UserPostsUpdate(posts=posts),
            )
        )[0]

    async def hazards(
        self,
        *,
        status: str | None = None,
        level: str | None = None,
        enterprise_id: str | None = None,
        risk_point_id: str | None = None,
        overdue: bool | None = None,
        open_only: bool = False,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> HazardPage:
        """One page of hazards in scope, newest first."""
        params = {
            "status": status,
            "level": level,
            "enterpriseId": enterprise_id,
            "riskPointId": risk_point_id,
            "overdue": None if overdue is None else str(overdue).lower(),
            "open": "true" if open_only else None,
            "cursor": cursor,
            "limit": limit,
        }
        return (await self._call("GET", "/v1/hazards", HazardPage, params=params))[0]

    async def hazard(self, hazard_id: str) -> Hazard:
        """One hazard with its `version` (the ETag) and the actions open to the caller."""
        return (await self._call("GET", f"/v1/hazards/{hazard_id}", Hazard))[0]

    async def history(self, hazard_id: str) -> list[HistoryEvent]:
        """A hazard's hash-chained events, oldest first."""
        return (await self._call("GET", f"/v1/hazards/{hazard_id}/history", list[HistoryEvent]))[0]

    async def hazard_statistics(
        self,
        *,
        region_code: str | None = None,
        grid_id: str | None = None,
        enterprise_id: str | None = None,
        industry: str | None = None,
        period: str = "month",
        first: str | None = None,
        last: str | None = None,
    ) -> HazardStatistics:
        """`GET /v1/stats/hazards`: the figures of a scope (default: the caller's)."""
        params = {
            "regionCode": region_code,
            "gridId": grid_id,
            "enterpriseId": enterprise_id,
            "industry": industry,
            "period": period,
            "from": first,
            "to": last,
        }
        return (await self._call("GET", "/v1/stats/hazards", HazardStatistics, params=params))[0]

    async def figure_items(
        self,
        *,
        metric: str,
        period: str,
        part: Literal["numerator", "denominator"] = "numerator",
        region_code: str | None = None,
        grid_id: str | None = None,
        enterprise_id: str | None = None,
        industry: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> FigureItemPage:
        """`GET /v1/stats/hazards/items`: one page of the hazards (or tasks) behind a figure."""
        params = {
            "metric": metric,
            "period": period,
            "part": part,
            "regionCode": region_code,
            "gridId": grid_id,
            "enterpriseId": enterprise_id,
            "industry": industry,
            "cursor": cursor,
            "limit": limit,
        }
        return (await self._call("GET", "/v1/stats/hazards/items", FigureItemPage, params=params))[0]

    # --- what the phone does -------------------------------------------------------------------------------------

    async def scan(
        self,
        token: str,
        *,
        client_time: datetime | None = None,
        lat: float | None = None,
        lng: float | None = None,
        accuracy: float | None = None,
    ) -> ScanCard:
        """Open the card of a scanned code; the server records the proof of presence as `scanId` (`accuracy`: the
        GPS fix's error in metres, as the phone reports it)."""
        params = {
            "deviceId": self.device_id or None,
            "clientTime": client_time,
            "lat": lat,
            "lng": lng,
            "accuracy": accuracy,
        }
        return (await self._call("GET", f"/v1/scan/{token}", ScanCard, params=params))[0]

    async def upload_photo(
        self,
        data: bytes,
        *,
        client_id: str,
        taken_at: datetime | None = None,
        lat: float | None = None,
        lng: float | None = None,
        filename: str = "photo.jpg",
        media_type: str = "image/jpeg",
        idempotency_key: str | None = None,
    ) -> tuple[Photo, bool]:
        """Upload a photo; (the photo, whether this call stored it). The same bytes or clientId → the same photo."""
        fields = {
            "clientId": client_id,
            "takenAt": taken_at,
            "lat": lat,
            "lng": lng,
            "deviceId": self.device_id or None,
        }
        headers = {"Content-Type": f"multipart/form-data; boundary={_boundary(client_id)}"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        response = await self._request(
            "POST",
            "/v1/photos",
            signed=True,
            headers=headers,
            data={k: _form_value(v) for k, v in fields.items() if v is not None},
            files={"file": (filename, data, media_type)},
        )
        return msgspec.json.decode(response.content, type=Photo), _made(response)

    async def upload_document(
        self, data: bytes, *, client_id: str, filename: str = "report.pdf", idempotency_key: str | None = None
    ) -> tuple[Document, bool]:
        """Upload a PDF report; (the document, whether this call stored it). The same bytes or clientId → the same
        document. Its id goes into a step's `documentIds`; a refusal names why (`DOCUMENT_*` codes)."""
        headers = {"Content-Type": f"multipart/form-data; boundary={_boundary(client_id)}"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        response = await self._request(
            "POST",
            "/v1/documents",
            signed=True,
            headers=headers,
            data={"clientId": client_id},
            files={"file": (filename, data, "application/pdf")},
        )
        return msgspec.json.decode(response.content, type=Document), _made(response)

    async def document(self, document_id: str) -> Document:
        """A document's metadata (pages, size, hash, name) and its download address."""
        return (await self._call("GET", f"/v1/documents/{document_id}", Document))[0]

    async def download_document(self, document_id: str) -> bytes:
        """The PDF itself, byte for byte."""
        return (await self._request("GET", f"/v1/documents/{document_id}/file", signed=True, headers={})).content

    async def report_hazard(self, new: HazardCreate, *, idempotency_key: str | None = None) -> tuple[Hazard, bool]:
        """Report a hazard; (the hazard, whether this call made it). The same clientId again → the same hazard."""
        hazard, response = await self._call("POST", "/v1/hazards", Hazard, body=new, headers=_key(idempotency_key))
        return hazard, _made(response)

    async def transition(
        self, hazard_id: str, action: TransitionRequest, *, version: int, idempotency_key: str | None = None
    ) -> Hazard:
        """Take a workflow action on the hazard as of `version` (If-Match); a stale version → ApiError 412."""
        headers = {"If-Match": f'"{version}"'} | _key(idempotency_key)
        return (await self._call("POST", f"/v1/hazards/{hazard_id}/transitions", Hazard, body=action, headers=headers))[
            0
        ]

    async def record_inspection(
        self, new: InspectionCreate, *, idempotency_key: str | None = None
    ) -> tuple[Inspection, bool]:
        """Record an inspection; (the inspection, whether this call made it). The same clientId → the same one."""
        inspection, response = await self._call(
            "POST", "/v1/inspections", Inspection, body=new, headers=_key(idempotency_key)
        )
        return inspection, _made(response)

    # --- offline sync --------------------------------------------------------------------------------------------

    async def changes(self, since: str | None = None, *, limit: int | None = None) -> ChangesPage:
        """What changed in scope after the cursor `since` (from the start without one)."""
        return (await self._call("GET", "/v1/sync/changes", ChangesPage, params={"since": since, "limit": limit}))[0]

    async def sync_batch(self, ops: list[SyncOp]) -> SyncBatchResult:
        """Apply queued operations in order: a result per operation, the same every time they are sent again."""
        return (await self._call("POST", "/v1/sync/batch", SyncBatchResult, body=SyncBatch(ops=ops)))[0]

    # --- public reports (12350): the reporter needs no account; the regulators' inbox does -----------------------

    async def report_publicly(self, new: PublicReportCreate) -> tuple[PublicReceipt, bool]:
        """Report a hazard without signing in; (the receipt, whether this call made the report)."""
        receipt, response = await self._call("POST", "/v1/public/reports", PublicReceipt, body=new, signed=False)
        return receipt, response.status_code == 201

    async def upload_public_photo(
        self,
        data: bytes,
        *,
        client_id: str,
        device_id: str,
        filename: str = "photo.jpg",
        media_type: str = "image/jpeg",
    ) -> PublicPhoto:
        """Upload a photo for a public report, without signing in; its id goes into `photoIds`."""
        response = await self._request(
            "POST",
            "/v1/public/reports/photos",
            signed=False,
            headers={"Content-Type": f"multipart/form-data; boundary={_boundary(client_id)}"},
            data={"clientId": client_id, "deviceId": device_id},
            files={"file": (filename, data, media_type)},
        )
        return msgspec.json.decode(response.content, type=PublicPhoto)

    async def follow_public_report(self, receipt: str) -> PublicReceipt:
        """The status and replies of a public report, by its receipt."""
        return (await self._call("GET", f"/v1/public/reports/{receipt}", PublicReceipt, signed=False))[0]

    async def public_reports(
        self, *, status: str | None = None, cursor: str | None = None, limit: int | None = None
    ) -> PublicReportPage:
        """The public reports routed to the caller's region or grids, newest first."""
        params = {"status": status, "cursor": cursor, "limit": limit}
        return (await self._call("GET", "/v1/public-reports", PublicReportPage, params=params))[0]

    async def public_report(self, report_id: str) -> PublicReport:
        """One public report (with the reporter's contact for a regulator)."""
        return (await self._call("GET", f"/v1/public-reports/{report_id}", PublicReport))[0]

    async def act_on_public_report(self, report_id: str, action: ReportActionRequest, *, version: int) -> PublicReport:
        """Accept, dismiss or reply to a public report as of `version` (If-Match); a stale version → ApiError 412."""
        headers = {"If-Match": f'"{version}"'}
        return (
            await self._call(
                "POST", f"/v1/public-reports/{report_id}/transitions", PublicReport, body=action, headers=headers
            )
        )[0]

    async def accept_public_report(
        self,
        report_id: str,
        *,
        version: int,
        category: str,
        title: str,
        description: str,
        level: str = "general",
        enterprise_id: str | None = None,
        photo_ids: list[str] | None = None,
        reply: str | None = None,
        major_criterion_id: str | None = None,
        expert_reason: str | None = None,
    ) -> PublicReport:
        """Make a report a hazard of its enterprise, in the regulator's own `title` and `description` (required:
        the reporter's words never reach the enterprise); chosen photos reach it as new stamped copies."""
        action = AcceptReport(
            category=category,
            title=title,
            description=description,
            level=level,
            enterprise_id=enterprise_id,
            photo_ids=list(photo_ids or []),
            reply=reply,
            major_criterion_id=major_criterion_id,
            expert_reason=expert_reason,
        )
        return await self.act_on_public_report(report_id, action, version=version)


def _key(idempotency_key: str | None) -> dict[str, str]:
    return {"Idempotency-Key": idempotency_key} if idempotency_key else {}


def _made(response: httpx.Response) -> bool:
    # A replay under an Idempotency-Key repeats the first answer's 201 byte for byte, and says it is a replay.
    return response.status_code == 201 and response.headers.get("idempotent-replayed") != "true"


def _error(response: httpx.Response) -> ApiError:
    try:
        problem = msgspec.json.decode(response.content, type=Problem)
    except msgspec.DecodeError:
        problem = None
    return ApiError(response.status_code, problem, response.text)


async def every(fetch: Callable[[str | None], Awaitable[Any]]) -> AsyncIterator[Any]:
    """Every item of a paged listing: `fetch(cursor)` answers a page with `items` and `nextCursor`."""
    cursor = None
    while True:
        page = await fetch(cursor)
        for item in page.items:
            yield item
        if (cursor := page.next_cursor) is None:
            return
