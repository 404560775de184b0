"""The authorization matrix: every operation of the served OpenAPI × every demo role × {own, another's, nonexistent}.

What it proves, on SQLite and PostgreSQL, from the document the app serves (GET /schema/openapi.json):
1. a read of another tenant's object answers exactly like a read of an id that does not exist: same status, same
   body apart from the problem's `instance` (and the id the caller sent, echoed back);
2. a refused request (any 4xx, reads too) changes no table: every table is snapshotted before and after it, in one
   statement (PostgreSQL: per table its row count and the sum of its rows' xmin; SQLite: per table the rows written,
   counted by triggers in the test's own copy of the database) and the two must be equal;
3. no cell answers 5xx;
4. anonymous callers get 401 on every operation that is not public, and acting on another tenant's object or a
   nonexistent one is never a success; a role the entry does not allow gets 403 on every cell.
Writes on one's own objects may succeed (the point is the refusals); every cell's status is kept in the matrix
printed on failure (or with `-rP`). Where the seed has nothing outside a caller's scope (the city regulator and the
administrator see every enterprise of Zhoushan) the "another tenant's" cell is left out, not faked.

Declared exceptions, each with its reason at its place: a genuine QR code of another area scans as
SCAN_OUT_OF_SCOPE (`other_code`); a regulator uses the standardisation scope lists of an area holding its own
(matrix_support.HELD_FROM_ABOVE); the rate limits' counters count refused attempts too (`ATTEMPT_COUNTERS`).

Objects come from the demo seed by role (tests/integration/matrix_support.py: one SQL statement per kind, scope
judged as DESIGN.md says: an officer's enterprise, an inspector's grids, a regulator's region subtree), never
hard-coded; a nonexistent object is a fresh ULID (or a code / token of the right shape).

Adding an operation: add an entry to `OPERATIONS` under "METHOD /path" exactly as the served document spells it:
`Entry(param, kind, body, roles=...)` where `param` is the path parameter naming the object acted on (None when the
object travels in the body or there is none), `kind` the object's kind (a key of matrix_support.KIND_SQL, or None),
`body` a function of the cell returning the request's keyword arguments (json=, files=, content=...), and `roles`
the demo roles the permission table lets call it (domain/access/permissions.py), when that is clear. An operation
without an entry fails the test ("add a matrix entry for POST /v1/..."), and so does an entry for an operation the
document no longer has.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from PIL import Image

from api.dependencies import services_of
from domain.clock import utcnow
from seed.scenario import demo_credit_code
from tests.conftest import DEMO_PASSWORD, login, settle_jobs
from tests.integration.matrix_support import Principal, Seed, Snapshots, changed_tables, load_seed, nonexistent_token
from tests.unit.test_document_pdfs import clean_pdf

# The demo seed's callers: label -> username (None: no credentials at all).
PRINCIPALS = [
    ("regulator_city", "regulator_city"),
    ("regulator_district", "regulator_dinghai"),
    ("inspector", "inspector1"),
    ("officer", "officer1"),
    ("principal", "principal1"),
    ("admin", "admin"),
    ("anonymous", None),
]
REGULATORS = frozenset({"regulator_city", "regulator_district"})
ENTERPRISE_STAFF = frozenset({"officer", "principal"})
EVERYONE = frozenset(label for label, username in PRINCIPALS if username)
# Fields of a problem-details body that differ from one request to the next by design.
PER_REQUEST_FIELDS = ("instance", "traceId", "requestId", "opId")
# Tables a refused request writes by design: the rate limits' fixed-window counters count attempts, refused ones too
# (a refusal that cost nothing could be repeated without limit). Nothing else may change.
ATTEMPT_COUNTERS = frozenset({"public_rate_counter"})


@dataclass(frozen=True)
class Cell:
    """One request of the matrix: who, on which object (a row of the seed, or a fresh id), with a running number."""

    principal: Principal
    which: str  # own, other, missing, or "-" (the operation names no object)
    row: dict[str, Any]
    seed: Seed
    n: int

    @property
    def id(self) -> str:
        return self.row["id"]

    @property
    def enterprise_id(self) -> str:
        """The enterprise the object belongs to, else the caller's own (or the seed's first)."""
        return self.row.get("enterprise_id") or self.principal.enterprise_id or self.seed.rows["enterprise"][0]["id"]


Body = Callable[[Cell], dict[str, Any]]


@dataclass(frozen=True)
class Entry:
    """How to call one operation: the path parameter naming the object, its kind, a body, the roles allowed."""

    param: str | None = None
    kind: str | None = None
    body: Body | None = None
    roles: frozenset[str] | None = None  # None: not declared (scope, not role, decides)
    public: bool = False
    if_match: bool = False  # send the object's version as If-Match (the operation requires one: 428 without)
    other_code: str | None = None  # another tenant's object answers this documented code, not "nonexistent"
    batch: bool = False  # 200 with one result per operation: the result, not the status, is the answer


def _today() -> str:
    return utcnow().date().isoformat()


def _instant(days: int = 0) -> str:
    return (utcnow() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _jpeg(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (seed % 255, 90, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 150), (240, 240, 240)).save(buffer, "PNG")
    return buffer.getvalue()


def _outline(cell: Cell) -> dict[str, Any]:
    """The object's own outline as the seed drew it (a new one must lie inside its parent's)."""
    if cell.row.get("geometry"):
        return {"json": json.loads(cell.row["geometry"])}
    ring = [[122.0, 30.0], [122.01, 30.0], [122.01, 30.01], [122.0, 30.01], [122.0, 30.0]]
    return {"json": {"type": "Polygon", "coordinates": [ring]}}


# The source a hazard reported by each role comes from (an inspector's rounds, a regulator's enforcement).
SOURCE_BY_ROLE = {"inspector": "grid_inspection", "regulator": "enforcement"}


def _hazard(cell: Cell) -> dict[str, Any]:
    """A new general hazard at a risk point (the cell's object)."""
    return {
        "category": "unsafe_condition",
        "clientId": f"matrix-{cell.n}",
        "enterpriseId": cell.enterprise_id,
        "riskPointId": cell.id,
        "foundAt": _instant(),
        "source": SOURCE_BY_ROLE.get(cell.principal.role, "daily"),
        "title": "矩阵测试隐患",
    }


def _json(make: Callable[[Cell], dict[str, Any]]) -> Body:
    return lambda cell: {"json": make(cell)}


def _reason(_: Cell) -> dict[str, Any]:
    return {"json": {"reason": "授权矩阵测试"}}


ADMIN = frozenset({"admin"})
# From the permission table (domain/access/permissions.py): who supervises, and who also reads the supervision side.
SUPERVISORS = REGULATORS | ADMIN
SUPERVISION_READERS = SUPERVISORS | {"inspector"}

# The table: every operation of the served document. Keep it in the document's order (paths sorted).
OPERATIONS: dict[str, Entry] = {
    "GET /health": Entry(public=True),
    "GET /health/ready": Entry(public=True),
    "POST /v1/admin/enterprises": Entry(
        None,
        "grid",
        _json(
            lambda c: {
                "name": f"矩阵测试企业{c.n}",
                "creditCode": demo_credit_code("330902", 9_000_000 + c.n),
                "gridId": c.id,
                "industry": "oil_storage",
            }
        ),
        roles=ADMIN,
    ),
    "PATCH /v1/admin/enterprises/{enterprise_id}": Entry(
        "enterprise_id", "enterprise", _json(lambda c: {"address": "矩阵测试地址"}), roles=ADMIN
    ),
    "POST /v1/admin/grids": Entry(
        None,
        "town",
        _json(lambda c: {"code": f"MX-{c.n}", "name": f"矩阵网格{c.n}", "regionCode": c.id}),
        roles=ADMIN,
    ),
    "PUT /v1/admin/grids/{grid_id}/outline": Entry("grid_id", "grid", _outline, roles=ADMIN),
    "GET /v1/admin/jobs/failures": Entry(roles=ADMIN),
    "POST /v1/admin/regions": Entry(
        None,
        None,
        _json(lambda c: {"code": "330999", "level": "district", "name": "矩阵区", "parentCode": "330900"}),
        roles=ADMIN,
    ),
    "PUT /v1/admin/regions/{code}/outline": Entry("code", "region", _outline, roles=ADMIN),
    "GET /v1/admin/users": Entry(roles=ADMIN),
    "POST /v1/admin/users": Entry(
        None,
        "enterprise",
        _json(
            lambda c: {
                "username": f"matrix{c.n}",
                "name": "矩阵用户",
                "password": "Matrix#Strong-2026-pass",
                "role": "officer",
                "enterpriseId": c.id,
            }
        ),
        roles=ADMIN,
    ),
    "GET /v1/admin/users/{user_id}": Entry("user_id", "user", roles=ADMIN),
    "PATCH /v1/admin/users/{user_id}": Entry("user_id", "user", _json(lambda c: {"phone": "13800000000"}), roles=ADMIN),
    "POST /v1/auth/login": Entry(
        body=_json(lambda c: {"username": c.principal.username or "officer1", "password": DEMO_PASSWORD}),
        public=True,
    ),
    "POST /v1/auth/refresh": Entry(body=_json(lambda c: {"refreshToken": "matrix-unknown-refresh-token"}), public=True),
    "GET /v1/blacklist": Entry(),
    "GET /v1/blacklist/candidates": Entry(roles=SUPERVISORS),
    "POST /v1/blacklist/{listing_id}/confirm": Entry("listing_id", "listing", _json(lambda c: {"note": "矩阵"})),
    "POST /v1/blacklist/{listing_id}/dismiss": Entry("listing_id", "listing", _reason),
    "POST /v1/blacklist/{listing_id}/notify": Entry("listing_id", "listing", _json(lambda c: {})),
    "POST /v1/blacklist/{listing_id}/reinstate": Entry("listing_id", "listing", _reason),
    "POST /v1/blacklist/{listing_id}/remove-early": Entry("listing_id", "listing", _reason),
    "POST /v1/blacklist/{listing_id}/respond": Entry(
        "listing_id", "listing", _json(lambda c: {"statement": "矩阵测试陈述"})
    ),
    "GET /v1/criteria": Entry(),
    "GET /v1/criteria/editions": Entry(),
    "POST /v1/criteria/editions": Entry(
        body=_json(
            lambda c: {
                "id": f"MX{c.n}",
                "standard": "矩阵测试标准",
                "edition": "2026",
                "effectiveFrom": _today(),
                "items": [{"itemNo": "第一条", "text": "矩阵测试条款。", "industries": ["shipbuilding"]}],
            }
        ),
        roles=ADMIN,
    ),
    "POST /v1/documents": Entry(
        body=lambda c: {
            "files": {"file": ("矩阵.pdf", clean_pdf(), "application/pdf")},
            "data": {"clientId": f"mx{c.n}"},
        }
    ),
    "GET /v1/documents/{document_id}": Entry("document_id", "document"),
    "GET /v1/documents/{document_id}/file": Entry("document_id", "document"),
    "GET /v1/enterprises": Entry(),
    "GET /v1/enterprises/{enterprise_id}": Entry("enterprise_id", "enterprise"),
    "GET /v1/enterprises/{enterprise_id}/accidents": Entry("enterprise_id", "enterprise"),
    "POST /v1/enterprises/{enterprise_id}/accidents": Entry(
        "enterprise_id", "enterprise", _json(lambda c: {"grade": "general", "occurredOn": _today()})
    ),
    "GET /v1/enterprises/{enterprise_id}/code.png": Entry("enterprise_id", "enterprise"),
    "POST /v1/enterprises/{enterprise_id}/code/rotate": Entry("enterprise_id", "enterprise"),
    "GET /v1/enterprises/{enterprise_id}/credit": Entry("enterprise_id", "enterprise"),
    "GET /v1/enterprises/{enterprise_id}/penalties": Entry("enterprise_id", "enterprise"),
    "POST /v1/enterprises/{enterprise_id}/penalties": Entry(
        "enterprise_id",
        "enterprise",
        _json(
            lambda c: {
                "authority": "舟山市应急管理局",
                "decidedOn": _today(),
                "decisionNo": f"舟应急罚〔2026〕矩阵{c.n}号",
                "kind": "warning",
                "violation": "unlicensed",
                # the enterprise's district: the deciding authority's region must hold the enterprise
                "authorityRegionCode": c.row["path"].split("/")[2] if c.row.get("path") else None,
            }
        ),
    ),
    "GET /v1/enterprises/{enterprise_id}/posts": Entry("enterprise_id", "enterprise"),
    "GET /v1/enterprises/{enterprise_id}/platform-push": Entry("enterprise_id", "enterprise", roles=SUPERVISORS),
    "GET /v1/enterprises/{enterprise_id}/qr-sheet.pdf": Entry("enterprise_id", "enterprise"),
    "GET /v1/enterprises/{enterprise_id}/risk-map.png": Entry("enterprise_id", "enterprise"),
    "GET /v1/enterprises/{enterprise_id}/risk-points": Entry("enterprise_id", "enterprise"),
    "POST /v1/enterprises/{enterprise_id}/risk-points": Entry(
        "enterprise_id", "enterprise", _json(lambda c: {"kind": "place", "name": f"矩阵测试点{c.n}"})
    ),
    "GET /v1/enterprises/{enterprise_id}/safety-code": Entry("enterprise_id", "enterprise"),
    "GET /v1/enterprises/{enterprise_id}/safety-code/changes": Entry("enterprise_id", "enterprise"),
    "PUT /v1/enterprises/{enterprise_id}/site-plan": Entry(
        "enterprise_id", "enterprise", lambda c: {"content": _png(), "headers": {"Content-Type": "image/png"}}
    ),
    "GET /v1/enterprises/{enterprise_id}/standardisation": Entry("enterprise_id", "enterprise"),
    "POST /v1/enterprises/{enterprise_id}/standardisation": Entry(
        "enterprise_id",
        "enterprise",
        _json(
            lambda c: {
                "authority": "舟山市应急管理局",
                "certificateNo": f"矩阵{c.n}",
                "grade": "third",
                "validFrom": _today(),
            }
        ),
    ),
    "POST /v1/enterprises/{enterprise_id}/standardisation/{grade_id}/revoke": Entry(
        "grade_id", "grade", _json(lambda c: {"reason": "授权矩阵测试", "revokedOn": _today()})
    ),
    "GET /v1/enterprises/{enterprise_id}/statistics": Entry("enterprise_id", "enterprise"),
    "POST /v1/enterprises/{enterprise_id}/statistics/{snapshot_id}/sign": Entry("snapshot_id", "snapshot"),
    "GET /v1/enterprises/{enterprise_id}/supervision-class": Entry("enterprise_id", "enterprise"),
    "GET /v1/enterprises/{enterprise_id}/users/{user_id}/posts": Entry("user_id", "staff"),
    "PUT /v1/enterprises/{enterprise_id}/users/{user_id}/posts": Entry(
        "user_id", "staff", _json(lambda c: {"posts": [c.row["post"] or "矩阵测试岗"]})
    ),
    "GET /v1/errors": Entry(public=True),
    "GET /v1/grids": Entry(),
    "GET /v1/hazards": Entry(),
    "POST /v1/hazards": Entry(None, "risk_point", _json(_hazard)),
    "GET /v1/hazards/{hazard_id}": Entry("hazard_id", "hazard"),
    "GET /v1/hazards/{hazard_id}/history": Entry("hazard_id", "hazard"),
    "POST /v1/hazards/{hazard_id}/transitions": Entry(
        "hazard_id", "hazard", _json(lambda c: {"action": "void", "reason": "授权矩阵测试"}), if_match=True
    ),
    "POST /v1/inspections": Entry(
        None,
        "risk_point",
        _json(
            lambda c: {
                "clientId": f"matrix-i{c.n}",
                "riskPointId": c.id,
                "startedAt": _instant(),
                "finishedAt": _instant(),
                "results": [{"itemId": c.row.get("item_id") or c.id, "ok": True}],
            }
        ),
    ),
    "GET /v1/me": Entry(),
    "GET /v1/notifications": Entry(roles=EVERYONE - {"inspector"}),
    "POST /v1/photos": Entry(
        body=lambda c: {
            "files": {"file": ("p.jpg", _jpeg(c.n), "image/jpeg")},
            "data": {"clientId": f"matrix-p{c.n}"},
        }
    ),
    "GET /v1/photos/{photo_id}": Entry("photo_id", "photo"),
    "GET /v1/photos/{photo_id}/display": Entry("photo_id", "photo"),
    "GET /v1/photos/{photo_id}/thumb": Entry("photo_id", "photo"),
    "GET /v1/platform-push/rejections": Entry(roles=ADMIN),
    "GET /v1/public-reports": Entry(roles=SUPERVISION_READERS),
    "GET /v1/public-reports/{report_id}": Entry("report_id", "public_report", roles=SUPERVISION_READERS),
    "GET /v1/public-reports/{report_id}/history": Entry("report_id", "public_report", roles=SUPERVISION_READERS),
    "POST /v1/public-reports/{report_id}/transitions": Entry(
        "report_id", "public_report", _json(lambda c: {"action": "reply", "reply": "已收到，正在核查"}), if_match=True
    ),
    "GET /v1/public/random-checks": Entry(public=True),
    "GET /v1/public/random-checks/{plan_id}": Entry("plan_id", "plan", public=True),
    "POST /v1/public/reports": Entry(
        body=_json(
            lambda c: {
                "clientId": f"matrix-r{c.n}",
                "deviceId": f"matrix-device-{c.n}",
                "description": "矩阵测试举报",
                "regionCode": c.seed.rows["town"][0]["id"],
            }
        ),
        public=True,
    ),
    "POST /v1/public/reports/photos": Entry(
        body=lambda c: {
            "files": {"file": ("p.jpg", _jpeg(1000 + c.n), "image/jpeg")},
            "data": {"clientId": f"matrix-rp{c.n}", "deviceId": f"matrix-device-{c.n}"},
        },
        public=True,
    ),
    "GET /v1/public/reports/{receipt}": Entry("receipt", "receipt", public=True),
    "GET /v1/random-checks": Entry(roles=SUPERVISION_READERS),
    "POST /v1/random-checks": Entry(
        None,
        "region",
        _json(
            lambda c: {
                "name": f"矩阵测试抽查{c.n}",
                "officerIds": json.loads(c.seed.rows["plan"][0]["officer_ids"]),
                "rates": {"A": "1"},
                "regionCode": c.id,
                "year": utcnow().year,
            }
        ),
        roles=SUPERVISORS,
    ),
    "GET /v1/random-checks/{plan_id}": Entry("plan_id", "plan", roles=SUPERVISION_READERS),
    "POST /v1/random-checks/{plan_id}/approve": Entry("plan_id", "plan", roles=SUPERVISORS),
    "POST /v1/random-checks/{plan_id}/close": Entry("plan_id", "plan", roles=SUPERVISORS),
    "POST /v1/random-checks/{plan_id}/draw": Entry("plan_id", "plan", roles=SUPERVISORS),
    "PUT /v1/random-checks/{plan_id}/results/{enterprise_id}": Entry(
        "enterprise_id",
        "pick",
        _json(lambda c: {"findings": "矩阵测试检查结果", "inspectedOn": _today()}),
        if_match=True,
    ),
    "GET /v1/regions": Entry(),
    "GET /v1/risk-map/regions": Entry(roles=SUPERVISION_READERS),
    "GET /v1/risk-map/regions.png": Entry(roles=SUPERVISION_READERS),
    "GET /v1/risk-map/regions/{code}/enterprises": Entry("code", "region"),
    "GET /v1/risk-points/{risk_point_id}": Entry("risk_point_id", "risk_point"),
    "PATCH /v1/risk-points/{risk_point_id}": Entry(
        "risk_point_id", "risk_point", _json(lambda c: {"area": "矩阵测试区域"})
    ),
    "GET /v1/risk-points/{risk_point_id}/assessments": Entry("risk_point_id", "risk_point"),
    "POST /v1/risk-points/{risk_point_id}/assessments": Entry(
        "risk_point_id", "risk_point", _json(lambda c: {"method": "LS", "l": "2", "s": "2"})
    ),
    "GET /v1/risk-points/{risk_point_id}/card.pdf": Entry("risk_point_id", "risk_point"),
    "GET /v1/risk-points/{risk_point_id}/card.png": Entry("risk_point_id", "risk_point"),
    "GET /v1/risk-points/{risk_point_id}/checklist": Entry("risk_point_id", "risk_point"),
    "POST /v1/risk-points/{risk_point_id}/checklist": Entry(
        "risk_point_id", "risk_point", _json(lambda c: {"content": "矩阵测试检查项", "cycleN": 1, "cycleUnit": "day"})
    ),
    "GET /v1/risk-points/{risk_point_id}/qr.png": Entry("risk_point_id", "risk_point"),
    "GET /v1/risk-points/{risk_point_id}/qr.svg": Entry("risk_point_id", "risk_point"),
    "POST /v1/risk-points/{risk_point_id}/qr/rotate": Entry("risk_point_id", "risk_point"),
    # A genuine code names its subject and only the server signs one: "not in your area" tells its holder nothing new.
    "GET /v1/scan/{token}": Entry("token", "token", other_code="SCAN_OUT_OF_SCOPE"),
    "GET /v1/stats/hazards": Entry(),
    "GET /v1/stats/hazards/items": Entry(),
    "GET /v1/stats/standardisation": Entry(roles=SUPERVISORS),
    "GET /v1/stats/standardisation/members": Entry(roles=SUPERVISORS),
    "GET /v1/stats/standardisation/scopes": Entry(roles=SUPERVISORS),
    "POST /v1/stats/standardisation/scopes": Entry(
        None,
        "region",
        _json(lambda c: {"asOf": _today(), "name": f"矩阵测试名单{c.n}", "regionCode": c.id}),
        roles=SUPERVISORS,
    ),
    "GET /v1/stats/standardisation/scopes/{scope_id}": Entry("scope_id", "scope", roles=SUPERVISORS),
    "GET /v1/supervision/classes": Entry(roles=SUPERVISION_READERS),
    "POST /v1/sync/batch": Entry(
        None,
        "risk_point",
        _json(lambda c: {"ops": [{"kind": "hazardCreate", "opId": f"matrix-s{c.n}", "payload": _hazard(c)}]}),
        batch=True,
    ),
    "GET /v1/sync/changes": Entry(),
    "GET /v1/tasks": Entry(),
    "GET /v1/webhooks": Entry(roles=SUPERVISORS),
    "POST /v1/webhooks": Entry(
        None,
        "region",
        _json(lambda c: {"url": "http://127.0.0.1:9/matrix", "audience": "regulator", "regionCode": c.id}),
        roles=SUPERVISORS,
    ),
    "GET /v1/webhooks/deliveries": Entry(roles=SUPERVISORS),
    "GET /v1/webhooks/deliveries/{delivery_id}": Entry("delivery_id", "delivery", roles=SUPERVISORS),
    "POST /v1/webhooks/deliveries/{delivery_id}/redrive": Entry("delivery_id", "delivery", roles=SUPERVISORS),
    "GET /v1/webhooks/{webhook_id}": Entry("webhook_id", "webhook", roles=SUPERVISORS),
    "POST /v1/webhooks/{webhook_id}/disable": Entry("webhook_id", "webhook", roles=SUPERVISORS),
    "POST /v1/webhooks/{webhook_id}/enable": Entry("webhook_id", "webhook", roles=SUPERVISORS),
}
# Query parameters some operations require: a valid value each.
REQUIRED_QUERY = {
    "GET /v1/stats/hazards/items": lambda: {"metric": "found", "period": str(utcnow().year)},
    "GET /v1/stats/standardisation/members": lambda: {"part": "numerator"},
}


@pytest.fixture
def db(db):
    """The seeded database, with the per-user write limit out of the way: the matrix sends some 170 writes as one
    user within a minute on a quiet machine, and `SF_WRITE_LIMIT` is not what it tests."""
    settings, engine = db
    if hasattr(settings, "write_limit"):
        settings = dataclasses.replace(settings, write_limit=1_000_000)
    return settings, engine


def served_operations(document: dict[str, Any]) -> list[str]:
    """Every operation of the document as "METHOD /path"."""
    methods = ("get", "put", "post", "patch", "delete")
    return [f"{m.upper()} {path}" for path, ops in document["paths"].items() for m in ops if m in methods]


def coverage_problems(served: list[str]) -> list[str]:
    """An operation without an entry, or an entry without an operation."""
    missing = [f"add a matrix entry for {op}" for op in served if op not in OPERATIONS]
    stale = [
        f"remove the matrix entry for {op}: the served document has no such operation"
        for op in OPERATIONS
        if op not in served
    ]
    return missing + stale


def _without_per_request_fields(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_per_request_fields(v) for k, v in value.items() if k not in PER_REQUEST_FIELDS}
    if isinstance(value, list):
        return [_without_per_request_fields(item) for item in value]
    return value


def _normalised(response: httpx.Response, sent_id: str) -> tuple[int, str, Any]:
    """Status, media type and body with what differs per request by design (instance, the id sent) taken out."""
    media = response.headers.get("content-type", "").split(";")[0]
    text = response.text.replace(sent_id, "{id}") if sent_id else response.text
    if media.endswith("json"):
        return response.status_code, media, _without_per_request_fields(json.loads(text))
    return response.status_code, media, text


class Matrix:
    """Runs the cells of one engine and collects every failing one."""

    def __init__(self, app, client: httpx.AsyncClient, seed: Seed, snapshots: Snapshots) -> None:
        self.app, self.client, self.seed, self.snapshots = app, client, seed, snapshots
        self.headers: dict[str, dict[str, str]] = {}
        self.statuses: dict[str, dict[str, str]] = {}
        self.failures: list[str] = []
        self.numbers = itertools.count(1)
        self.requests = 0
        self.seconds: dict[str, float] = {}
        self.changed_by: dict[str, set[str]] = {}
        self.state: dict[str, tuple] | None = None  # the tables' snapshot, while it is known to hold

    async def sign_in(self) -> None:
        for label, principal in self.seed.principals.items():
            self.headers[label] = await login(self.client, principal.username) if principal.username else {}

    def cells(self, op: str, entry: Entry, principal: Principal) -> list[Cell]:
        if entry.kind is None:
            return [Cell(principal, "-", {"id": ""}, self.seed, next(self.numbers))]
        objects = self.seed.objects(principal, entry.kind)
        if entry.kind == "token":
            objects["missing"] = {**objects["missing"], "id": nonexistent_token(services_of(self.app).codes)}
        return [
            Cell(principal, which, row, self.seed, next(self.numbers))
            for which, row in objects.items()
            if row is not None
        ]

    async def settle(self) -> None:
        """Let the jobs a successful write left in the outbox run, so they write nothing during the next cell."""
        await settle_jobs(self.app)

    async def call(self, op: str, entry: Entry, cell: Cell) -> httpx.Response:
        method, template = op.split(" ", 1)

        def fill(match: re.Match) -> str:
            name = match.group(1)
            return str(cell.row["id"] if name == entry.param else cell.row[name])

        path = re.sub(r"\{(\w+)\}", fill, template)
        kwargs = entry.body(cell) if entry.body else {}
        headers = {**self.headers[cell.principal.label], **kwargs.pop("headers", {})}
        if entry.if_match:
            headers["If-Match"] = f'"{cell.row.get("version", 1)}"'
        params = REQUIRED_QUERY[op]() if op in REQUIRED_QUERY else None
        self.requests += 1
        return await self.client.request(method, path, headers=headers, params=params, **kwargs)

    def fail(self, op: str, cell: Cell, message: str) -> None:
        self.failures.append(f"{op} as {cell.principal.label} on {cell.which}: {message}")

    async def run(self, op: str, entry: Entry) -> None:
        is_write = not op.startswith("GET ")
        for principal in self.seed.principals.values():
            answers: dict[str, tuple[httpx.Response, str]] = {}
            for cell in self.cells(op, entry, principal):
                # the state after the last refusal still holds (nothing ran since); after a success, read it again
                before = self.state or await self.snapshots.take()
                response = await self.call(op, entry, cell)
                answers[cell.which] = response, cell.id
                status = response.status_code
                self.statuses.setdefault(op, {})[f"{principal.label}/{cell.which}"] = str(status)
                self.judge(op, entry, cell, response)
                self.state = None
                if status < 400:
                    await self.settle()
                    if is_write:  # what the snapshots see of a success shows they are not blind
                        self.changed_by.setdefault(op, set()).update(
                            changed_tables(before, await self.snapshots.take())
                        )
                elif status < 500:  # a refusal, of a read too, writes nothing
                    self.state = await self.snapshots.take()
                    changed = [name for name in changed_tables(before, self.state) if name not in ATTEMPT_COUNTERS]
                    if changed:
                        self.fail(op, cell, f"refused with {status} but changed {', '.join(changed)}")
            self.compare_out_of_scope(op, entry, principal, answers)

    def judge(self, op: str, entry: Entry, cell: Cell, response: httpx.Response) -> None:
        status, label = response.status_code, cell.principal.label
        if status >= 500:
            self.fail(op, cell, f"server error {status}: {response.text[:200]}")
        elif entry.public:
            return  # anyone may call it: no 5xx is the rule
        elif cell.principal.username is None:
            if status != 401:
                self.fail(op, cell, f"anonymous got {status}, not 401")
        elif entry.roles is not None and label not in entry.roles:
            if status != 403:
                self.fail(op, cell, f"a role the entry does not allow got {status}, not 403")
        elif cell.which in ("other", "missing") and status < 400 and not entry.batch:
            self.fail(op, cell, f"{status} on an object that is not the caller's")
        elif cell.which in ("other", "missing") and entry.param and status not in (403, 404) and not entry.other_code:
            # 409, 412 or 422 would mean the object's state was looked at before the caller's right to it
            self.fail(op, cell, f"{status} on an object in the path that is not the caller's, not 403 or 404")
        elif cell.which == "other" and entry.other_code and response.json().get("code") != entry.other_code:
            self.fail(op, cell, f"another tenant's object answered {response.text[:200]}, not {entry.other_code}")

    def compare_out_of_scope(self, op: str, entry: Entry, principal: Principal, answers: dict) -> None:
        if entry.public or entry.other_code or "other" not in answers or "missing" not in answers:
            return
        other, missing = _normalised(*answers["other"]), _normalised(*answers["missing"])
        if op.startswith("GET ") or entry.batch:
            if other != missing:
                self.fail_pair(
                    op, principal, f"another tenant's object answers {other!r}, a nonexistent one {missing!r}"
                )
        elif other[0] != missing[0]:
            self.fail_pair(op, principal, f"another tenant's object answers {other!r}, a nonexistent one {missing!r}")

    def fail_pair(self, op: str, principal: Principal, message: str) -> None:
        self.failures.append(f"{op} as {principal.label}: {message[:600]}")

    def report(self) -> str:
        labels = [label for label, _ in PRINCIPALS]
        lines = ["status matrix (role: own/other/missing):"]
        for op, cells in self.statuses.items():
            row = [
                f"{label}:"
                + "/".join(
                    cells.get(f"{label}/{w}", ".") for w in ("own", "other", "missing", "-") if f"{label}/{w}" in cells
                )
                for label in labels
            ]
            lines.append(f"  {op:<70} " + " ".join(row))
        return "\n".join(lines)


async def test_every_operation_answers_every_role_within_its_scope_and_refusals_change_nothing(app, client, db):
    settings, engine = db
    document = (await client.get("/schema/openapi.json")).json()
    served = served_operations(document)
    problems = coverage_problems(served)
    assert not problems, "\n".join(problems)

    cpu_start = time.process_time()
    seed = await load_seed(PRINCIPALS, services_of(app).codes)
    snapshots = Snapshots(engine, settings.database_url)
    matrix = Matrix(app, client, seed, snapshots)
    try:
        await matrix.sign_in()
        # reads first: the writes that succeed change what later cells would read
        ordered = sorted(served, key=lambda op: not op.startswith("GET "))
        for op in ordered:
            started = time.perf_counter()
            await matrix.run(op, OPERATIONS[op])
            matrix.seconds[op] = time.perf_counter() - started
    finally:
        snapshots.close()
    slowest = sorted(matrix.seconds.items(), key=lambda item: -item[1])[:5]
    print(
        f"{matrix.requests} requests, {time.process_time() - cpu_start:.1f} s of CPU in this process; "
        f"{snapshots.taken} snapshots, {snapshots.seconds:.1f} s; slowest operations:"
    )
    print("\n".join(f"  {op} {seconds:.1f} s" for op, seconds in slowest))
    print(matrix.report())
    # the snapshots see a write: a hazard reported on one's own risk point changes the hazard table
    assert "hazard" in matrix.changed_by.get("POST /v1/hazards", set()), matrix.changed_by.get("POST /v1/hazards")
    assert not matrix.failures, f"{len(matrix.failures)} failing cells:\n" + "\n".join(matrix.failures)


def test_a_served_operation_without_an_entry_fails_and_so_does_an_entry_the_document_no_longer_has():
    served = [*OPERATIONS, "POST /v1/brand-new"]
    served.remove("GET /v1/me")
    assert coverage_problems(served) == [
        "add a matrix entry for POST /v1/brand-new",
        "remove the matrix entry for GET /v1/me: the served document has no such operation",
    ]
    assert coverage_problems(list(OPERATIONS)) == []
