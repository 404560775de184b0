"""Bad input gets a catalogued 4xx problem, never a 500, and a refused write leaves every table as it was.

One table of cases drives one test, on both engines. Ids of seeded records differ per database, so a case names
them (`Ref("E1")` in a body, `{E1}` in a path) and the test fills them in.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest

from api.app import MAX_JSON_BODY
from api.auth import ISSUER
from api.dependencies import services_of
from domain.accounts.tables import AppUser, LoginAttempt
from domain.db.tables import ALL_TABLES
from domain.hazards.tables import Hazard
from domain.org.model import CREDIT_CODE_ALPHABET
from domain.org.tables import Enterprise, Grid
from domain.public_reports.tables import PublicRateCounter, PublicReport
from domain.risk.tables import ChecklistItem, RiskPoint
from mobile_contract.errors import CATALOGUE, problem_type
from seed import zhoushan
from seed.scenario import demo_credit_code
from tests.conftest import login

ABSENT = object()
MALFORMED, RULE = "REQUEST_MALFORMED", "VALIDATION_FAILED"
CREDIT_CODE, EXISTS = "ENTERPRISE_CREDIT_CODE_INVALID", "ALREADY_EXISTS"
UNKNOWN_ID = "01ZZZZZZZZZZZZZZZZZZZZZZZZ"
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Ref:
    """The id of a seeded record (an enterprise key, a grid code or a username), known once the database is."""

    key: str


@dataclass(frozen=True)
class Case:
    """One request the API must refuse, and the catalogued code (or codes) it may refuse it with."""

    method: str
    path: str
    codes: tuple[str, ...]
    auth: str = "admin"  # a demo username, "anonymous", or a kind of forged token (see `forged_token`)
    body: Any = ABSENT  # sent as JSON; ABSENT fields inside are left out
    raw: bytes | None = None  # sent as is
    content_type: str = "application/json"
    params: dict[str, str] | None = None
    headers: dict[str, str] | None = None  # sent beside the case's Authorization


def endpoint(name: str, method: str, path: str, **defaults: Any):
    """Rows for one endpoint: `new_user("weak-password", RULE, body=...)` is row `admin-users-post-weak-password`."""

    def row(what: str, code: str | tuple[str, ...], **fields: Any):
        codes = (code,) if isinstance(code, str) else code
        return pytest.param(Case(method, fields.pop("path", path), codes, **(defaults | fields)), id=f"{name}-{what}")

    return row


NEW_CREDIT_CODE = demo_credit_code("330902", 99)
WRONG_CHECK_CHARACTER = (
    NEW_CREDIT_CODE[:17]
    + CREDIT_CODE_ALPHABET[(CREDIT_CODE_ALPHABET.index(NEW_CREDIT_CODE[17]) + 1) % len(CREDIT_CODE_ALPHABET)]
)
E1_CREDIT_CODE = demo_credit_code("330902", 1)  # the seed numbers enterprises from 1; E1 lies in 定海区

# Requests the API accepts (a control test below proves it); each bad case spoils exactly one thing about one.
REGION = {"code": "330902103", "name": "新设镇", "level": "town", "parentCode": "330902"}
GRID = {"code": "DH-NEW-01", "name": "新网格", "regionCode": "330902001"}
ENTERPRISE = {
    "creditCode": NEW_CREDIT_CODE,
    "name": "舟山新材料有限公司",
    "industry": "machinery",
    "gridId": Ref("DH-CG-01"),
}
ENTERPRISE_CHANGE = {"name": "舟山港兴石化储运股份有限公司", "lat": 30.0, "lng": 122.0}
USER = {
    "username": "officer9",
    "name": "周安全",
    "password": "Safety2026x",
    "role": "officer",
    "enterpriseId": Ref("E1"),
}
USER_CHANGE = {"name": "王安全员", "phone": "13800000000"}
INSPECTOR = {**USER, "role": "inspector", "enterpriseId": ABSENT}
POINT = {
    "kind": "device",
    "name": "3号反应釜",
    "planX": 0.5,
    "planY": 0.5,
    "controlMeasures": [{"type": "ppe", "content": "佩戴防毒面具"}],
}
POINT_CHANGE = {"name": "3号反应釜（改）"}
LEC = {"method": "LEC", "l": 3, "e": 6, "c": "15"}
CHECK_ITEM = {"content": "检查安全阀", "cycleN": 1, "cycleUnit": "month"}
RESULT = {"itemId": Ref("I1"), "ok": True}
INSPECTION = {
    "clientId": "insp-1",
    "riskPointId": Ref("P1"),
    "startedAt": "2026-01-05T09:00:00+08:00",
    "finishedAt": "2026-01-05T09:20:00+08:00",
    "results": [RESULT],
}
HAZARD = {
    "clientId": "hz-1",
    "enterpriseId": Ref("E1"),
    "source": "daily",
    "category": "unsafe_condition",
    "title": "储罐区防火堤排水阀常开",
    "foundAt": "2026-01-05T09:00:00+08:00",
}
ASSIGN = {
    "action": "assign",
    "assigneeId": Ref("officer1"),
    "measures": "关闭排水阀",
    "deadline": "2999-01-01T00:00:00Z",
}
CURRENT = {"If-Match": '"{H1v}"'}  # the seeded hazard's version, filled in like a path
WEBHOOK = {"url": "http://127.0.0.1:9/hook"}  # a local port nobody answers: nothing leaves this machine
GRADE = {
    "grade": "second",
    "certificateNo": "舟AQBⅡ(2026)0999",
    "authority": "舟山市应急管理局",
    "validFrom": "2026-01-01",
}
REVOKE = {"revokedOn": "2026-06-01", "reason": "复评不合格"}
SCOPE = {
    "name": "定海区规上高危企业",
    "asOf": "2026-06-30",
    "regionCode": "330902",
    "aboveDesignatedSize": True,
    "highRisk": True,
}
PENALTY = {
    "decisionNo": "（定）应急罚〔2026〕901号",
    "decidedOn": "2026-01-05",
    "authority": "舟山市定海区应急管理局",
    "authorityRegionCode": "330902",
    "kind": "fine",
    "violation": "other",
    "amount": "20000.00",
}
ACCIDENT = {"occurredOn": "2026-01-05", "grade": "general", "injuries": 1}
SYNC_OP = {"opId": "op-1", "kind": "hazardCreate", "payload": HAZARD}
SYNC_BATCH = {"ops": [SYNC_OP]}
EDITION = {
    "id": "GM2031",
    "standard": "工贸企业重大事故隐患判定标准",
    "edition": "2031",
    "effectiveFrom": "2031-01-01",
    "items": [{"itemNo": "第一条", "text": "喷漆室未设置通风设施的。", "industries": ["machinery"]}],
}
EDITION_ITEM = EDITION["items"][0]
PROTECTED = [
    ("me", "GET", "/v1/me", ABSENT),
    ("enterprises-list", "GET", "/v1/enterprises", ABSENT),
    ("enterprises-get", "GET", "/v1/enterprises/{E1}", ABSENT),
    ("regions-list", "GET", "/v1/regions", ABSENT),
    ("grids-list", "GET", "/v1/grids", ABSENT),
    ("admin-regions-post", "POST", "/v1/admin/regions", REGION),
    ("admin-grids-post", "POST", "/v1/admin/grids", GRID),
    ("admin-enterprises-post", "POST", "/v1/admin/enterprises", ENTERPRISE),
    ("admin-enterprises-patch", "PATCH", "/v1/admin/enterprises/{E1}", ENTERPRISE_CHANGE),
    ("admin-users-post", "POST", "/v1/admin/users", USER),
    ("admin-users-patch", "PATCH", "/v1/admin/users/{officer1}", USER_CHANGE),
    ("admin-users-list", "GET", "/v1/admin/users", ABSENT),
    ("admin-users-get", "GET", "/v1/admin/users/{officer1}", ABSENT),
    ("risk-points-list", "GET", "/v1/enterprises/{E1}/risk-points", ABSENT),
    ("risk-points-post", "POST", "/v1/enterprises/{E1}/risk-points", POINT),
    ("risk-point-get", "GET", "/v1/risk-points/{P1}", ABSENT),
    ("risk-point-patch", "PATCH", "/v1/risk-points/{P1}", POINT_CHANGE),
    ("assessments-post", "POST", "/v1/risk-points/{P1}/assessments", LEC),
    ("checklist-post", "POST", "/v1/risk-points/{P1}/checklist", CHECK_ITEM),
    ("qr-rotate", "POST", "/v1/risk-points/{P1}/qr/rotate", ABSENT),
    ("card-png", "GET", "/v1/risk-points/{P1}/card.png", ABSENT),
    ("qr-sheet", "GET", "/v1/enterprises/{E1}/qr-sheet.pdf", ABSENT),
    ("criteria", "GET", "/v1/criteria", ABSENT),
    ("criteria-editions-list", "GET", "/v1/criteria/editions", ABSENT),
    ("criteria-editions-post", "POST", "/v1/criteria/editions", EDITION),
    ("tasks-list", "GET", "/v1/tasks", ABSENT),
    ("posts-list", "GET", "/v1/enterprises/{E1}/posts", ABSENT),
    ("user-posts-get", "GET", "/v1/enterprises/{E1}/users/{officer1}/posts", ABSENT),
    ("user-posts-put", "PUT", "/v1/enterprises/{E1}/users/{officer1}/posts", {"posts": ["罐区操作工"]}),
    ("hazards-list", "GET", "/v1/hazards", ABSENT),
    ("hazard-get", "GET", "/v1/hazards/{H1}", ABSENT),
    ("hazard-history", "GET", "/v1/hazards/{H1}/history", ABSENT),
    ("webhooks-post", "POST", "/v1/webhooks", WEBHOOK),
    ("webhooks-list", "GET", "/v1/webhooks", ABSENT),
    ("webhook-deliveries", "GET", "/v1/webhooks/deliveries", ABSENT),
    ("notifications-list", "GET", "/v1/notifications", ABSENT),
    ("safety-code-get", "GET", "/v1/enterprises/{E1}/safety-code", ABSENT),
    ("safety-code-changes", "GET", "/v1/enterprises/{E1}/safety-code/changes", ABSENT),
    ("risk-map-regions", "GET", "/v1/risk-map/regions", ABSENT),
    ("risk-map-regions-png", "GET", "/v1/risk-map/regions.png", ABSENT),
    ("risk-map-region-enterprises", "GET", "/v1/risk-map/regions/330902/enterprises", ABSENT),
    ("standardisation-get", "GET", "/v1/enterprises/{E1}/standardisation", ABSENT),
    ("standardisation-post", "POST", "/v1/enterprises/{E1}/standardisation", GRADE),
    ("standardisation-rate", "GET", "/v1/stats/standardisation", ABSENT),
    ("standardisation-scopes-post", "POST", "/v1/stats/standardisation/scopes", SCOPE),
    ("standardisation-scopes-list", "GET", "/v1/stats/standardisation/scopes", ABSENT),
    ("statistics-list", "GET", "/v1/enterprises/{E1}/statistics", ABSENT),
    ("penalties-post", "POST", "/v1/enterprises/{E1}/penalties", PENALTY),
    ("penalties-list", "GET", "/v1/enterprises/{E1}/penalties", ABSENT),
    ("accidents-post", "POST", "/v1/enterprises/{E1}/accidents", ACCIDENT),
    ("accidents-list", "GET", "/v1/enterprises/{E1}/accidents", ABSENT),
    ("credit-get", "GET", "/v1/enterprises/{E1}/credit", ABSENT),
    ("blacklist", "GET", "/v1/blacklist", ABSENT),
    ("blacklist-candidates", "GET", "/v1/blacklist/candidates", ABSENT),
    ("public-reports-list", "GET", "/v1/public-reports", ABSENT),
    ("stats-hazards", "GET", "/v1/stats/hazards", ABSENT),
    ("stats-hazards-items", "GET", "/v1/stats/hazards/items?metric=found&period=2026", ABSENT),
    ("sync-batch", "POST", "/v1/sync/batch", SYNC_BATCH),
    ("sync-changes", "GET", "/v1/sync/changes", ABSENT),
]
FORGED_TOKENS = ["random-string", "wrong-secret", "expired", "alg-none", "wrong-issuer", "unknown-user", "basic-scheme"]

HUGE = b'{"name": "' + b"x" * MAX_JSON_BODY + b'"}'
NOT_UTF8 = b'{"username": "\xff\xfe", "password": "x"}'
DEEPLY_NESTED = b"[" * 100_000 + b"]" * 100_000
NUL = "\u0000"

login_ = endpoint("login", "POST", "/v1/auth/login", auth="anonymous")
refresh = endpoint("refresh", "POST", "/v1/auth/refresh", auth="anonymous")
enterprises = endpoint("enterprises-list", "GET", "/v1/enterprises")
enterprise = endpoint("enterprises-get", "GET", "/v1/enterprises/{E1}")
grids = endpoint("grids-list", "GET", "/v1/grids")
new_region = endpoint("admin-regions-post", "POST", "/v1/admin/regions")
new_grid = endpoint("admin-grids-post", "POST", "/v1/admin/grids")
new_enterprise = endpoint("admin-enterprises-post", "POST", "/v1/admin/enterprises")
change_enterprise = endpoint("admin-enterprises-patch", "PATCH", "/v1/admin/enterprises/{E1}")
new_user = endpoint("admin-users-post", "POST", "/v1/admin/users")
change_user = endpoint("admin-users-patch", "PATCH", "/v1/admin/users/{officer1}")
users = endpoint("admin-users-list", "GET", "/v1/admin/users")
user = endpoint("admin-users-get", "GET", "/v1/admin/users/{officer1}")
new_point = endpoint("risk-points-post", "POST", "/v1/enterprises/{E1}/risk-points", body=POINT, auth="officer1")
change_point = endpoint("risk-point-patch", "PATCH", "/v1/risk-points/{P1}", body=POINT_CHANGE, auth="officer1")
assess = endpoint("assessments-post", "POST", "/v1/risk-points/{P1}/assessments", body=LEC, auth="officer1")
check_item = endpoint("checklist-post", "POST", "/v1/risk-points/{P1}/checklist", body=CHECK_ITEM, auth="officer1")
scan = endpoint("scan", "GET", "/v1/scan/AAAA", auth="officer1")
tasks = endpoint("tasks-list", "GET", "/v1/tasks", auth="officer1")
user_posts = endpoint(
    "user-posts-put",
    "PUT",
    "/v1/enterprises/{E1}/users/{officer1}/posts",
    auth="principal1",
    body={"posts": ["罐区操作工"]},
)
new_inspection = endpoint("inspections-post", "POST", "/v1/inspections", body=INSPECTION, auth="officer1")
site_plan = endpoint(
    "site-plan-put", "PUT", "/v1/enterprises/{E1}/site-plan", auth="officer1", content_type="image/png"
)
new_hazard = endpoint("hazards-post", "POST", "/v1/hazards", body=HAZARD, auth="officer1")
criteria = endpoint("criteria", "GET", "/v1/criteria", auth="officer1")
new_edition = endpoint("criteria-editions-post", "POST", "/v1/criteria/editions", body=EDITION)
hazard_list = endpoint("hazards-list", "GET", "/v1/hazards", auth="officer1")
hazard = endpoint("hazard-get", "GET", "/v1/hazards/{H1}", auth="officer1")
move = endpoint(
    "hazard-transition", "POST", "/v1/hazards/{H1}/transitions", body=ASSIGN, auth="principal1", headers=CURRENT
)
PHOTO_BOUNDARY = "sf-photo-form"
new_photo = endpoint(
    "photos-post", "POST", "/v1/photos", auth="officer1", content_type=f"multipart/form-data; boundary={PHOTO_BOUNDARY}"
)
photo = endpoint("photos-get", "GET", f"/v1/photos/{UNKNOWN_ID}", auth="officer1")
new_document = endpoint(
    "documents-post",
    "POST",
    "/v1/documents",
    auth="officer1",
    content_type=f"multipart/form-data; boundary={PHOTO_BOUNDARY}",
)
document = endpoint("documents-get", "GET", f"/v1/documents/{UNKNOWN_ID}", auth="officer1")
grades = endpoint("standardisation-get", "GET", "/v1/enterprises/{E1}/standardisation", auth="officer1")
new_grade = endpoint("standardisation-post", "POST", "/v1/enterprises/{E1}/standardisation", body=GRADE)
revoke_grade = endpoint(
    "standardisation-revoke", "POST", f"/v1/enterprises/{{E1}}/standardisation/{UNKNOWN_ID}/revoke", body=REVOKE
)
std_rate = endpoint("standardisation-rate", "GET", "/v1/stats/standardisation", auth="regulator_city")
std_members = endpoint("standardisation-members", "GET", "/v1/stats/standardisation/members", auth="regulator_city")
new_scope = endpoint("standardisation-scopes-post", "POST", "/v1/stats/standardisation/scopes", body=SCOPE)
std_scope = endpoint("standardisation-scope-get", "GET", f"/v1/stats/standardisation/scopes/{UNKNOWN_ID}")
snapshots = endpoint("statistics-list", "GET", "/v1/enterprises/{E2}/statistics", auth="officer1")
sign = endpoint("statistics-sign", "POST", f"/v1/enterprises/{{E1}}/statistics/{UNKNOWN_ID}/sign", auth="principal1")
new_webhook = endpoint("webhooks-post", "POST", "/v1/webhooks", body=WEBHOOK)
webhooks = endpoint("webhooks-list", "GET", "/v1/webhooks")
deliveries = endpoint("webhook-deliveries", "GET", "/v1/webhooks/deliveries", auth="regulator_city")
notices = endpoint("notifications-list", "GET", "/v1/notifications", auth="principal1")
webhook_post = endpoint("webhook-actions", "POST", f"/v1/webhooks/{UNKNOWN_ID}/disable")
safety_code = endpoint("safety-code-get", "GET", "/v1/enterprises/{E1}/safety-code", auth="officer1")
code_changes = endpoint("safety-code-changes", "GET", "/v1/enterprises/{E1}/safety-code/changes", auth="officer1")
region_map = endpoint("risk-map-regions", "GET", "/v1/risk-map/regions", auth="regulator_dinghai")
region_enterprises = endpoint(
    "risk-map-region-enterprises", "GET", "/v1/risk-map/regions/330902/enterprises", auth="regulator_dinghai"
)
region_png = endpoint("risk-map-regions-png", "GET", "/v1/risk-map/regions.png", auth="regulator_dinghai")
new_penalty = endpoint(
    "penalties-post", "POST", "/v1/enterprises/{E1}/penalties", body=PENALTY, auth="regulator_dinghai"
)
new_accident = endpoint(
    "accidents-post", "POST", "/v1/enterprises/{E1}/accidents", body=ACCIDENT, auth="regulator_dinghai"
)
credit_of = endpoint("credit-get", "GET", "/v1/enterprises/{E1}/credit", auth="officer1")
blacklist = endpoint("blacklist", "GET", "/v1/blacklist", auth="officer1")
candidates = endpoint("blacklist-candidates", "GET", "/v1/blacklist/candidates", auth="regulator_dinghai")
hazard_stats = endpoint("stats-hazards", "GET", "/v1/stats/hazards", auth="regulator_dinghai")
figure_items = endpoint(
    "stats-hazards-items",
    "GET",
    "/v1/stats/hazards/items",
    auth="regulator_dinghai",
    params={"metric": "found", "period": "2026"},
)
sync_batch = endpoint("sync-batch", "POST", "/v1/sync/batch", body=SYNC_BATCH, auth="officer1")
sync_changes = endpoint("sync-changes", "GET", "/v1/sync/changes", auth="officer1")
listing_step = endpoint(
    "blacklist-actions",
    "POST",
    f"/v1/blacklist/{UNKNOWN_ID}/dismiss",
    body={"reason": "事实不清"},
    auth="regulator_dinghai",
)
PUBLIC_REPORT = {
    "clientId": "r1",
    "deviceId": "bad-input-phone-1",
    "description": "消防通道堵塞",
    "regionCode": "330902",
}
new_public_report = endpoint("public-reports-post", "POST", "/v1/public/reports", auth="anonymous", body=PUBLIC_REPORT)
new_public_photo = endpoint(
    "public-report-photos-post",
    "POST",
    "/v1/public/reports/photos",
    auth="anonymous",
    content_type=f"multipart/form-data; boundary={PHOTO_BOUNDARY}",
)
follow_report = endpoint("public-reports-get", "GET", "/v1/public/reports/ZZZZ-ZZZZ-ZZZZ", auth="anonymous")
report_inbox = endpoint("public-reports-inbox", "GET", "/v1/public-reports", auth="regulator_city")
# {R1}: the seed's report placed in 普陀 and still received (the city's regulator sees it, 定海's does not)
# the regulator's own words for the enterprise, which accepting requires
REPORT_WORDS = {
    "title": "船坞动火作业监护不到位",
    "description": "经核实，动火作业现场未设监护人、未配灭火器材，请立即整改。",
}
report_action = endpoint(
    "public-report-transitions",
    "POST",
    "/v1/public-reports/{R1}/transitions",
    auth="regulator_city",
    headers={"If-Match": '"{R1v}"'},
    body={"action": "accept", "category": "unsafe_condition", "enterpriseId": Ref("E2")} | REPORT_WORDS,
)


def photo_form(file: bytes | None, **fields: str) -> bytes:
    """A multipart/form-data body as a phone sends it: the text fields, then the `file` part."""
    head = f"--{PHOTO_BOUNDARY}\r\nContent-Disposition: form-data; name="
    parts = [f'{head}"{name}"\r\n\r\n{value}\r\n'.encode() for name, value in fields.items()]
    if file is not None:
        parts.append(f'{head}"file"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode() + file + b"\r\n")
    return b"".join(parts) + f"--{PHOTO_BOUNDARY}--\r\n".encode()


CASES = [
    # --- no token on every protected endpoint; forged tokens on a read and on a write ----------------------------
    *[
        endpoint(name, method, path)("without-a-token", "AUTH_REQUIRED", auth="anonymous", body=body)
        for name, method, path, body in PROTECTED
    ],
    *[endpoint("me", "GET", "/v1/me")(f"with-{kind}-token", "AUTH_REQUIRED", auth=kind) for kind in FORGED_TOKENS],
    *[
        new_user(f"with-{kind}-admin-token", "AUTH_REQUIRED", auth=kind, body=USER)
        for kind in ["wrong-secret", "alg-none"]
    ],
    # --- POST /v1/auth/login, /v1/auth/refresh ---------------------------------------------------------------------
    login_("missing-password", MALFORMED, body={"username": "officer1"}),
    login_("username-is-a-number", MALFORMED, body={"username": 1, "password": "x"}),
    login_("unknown-field", MALFORMED, body={"username": "officer1", "password": "Demo@2026", "remember": True}),
    login_("not-json", MALFORMED, raw=b"username=officer1 password=Demo@2026"),
    login_("form-encoded", MALFORMED, raw=b"username=officer1&password=x", content_type=FORM),
    login_("empty-body", MALFORMED, raw=b""),
    login_("json-array", MALFORMED, body=["officer1", "Demo@2026"]),
    login_("json-null", MALFORMED, body=None),
    login_("huge-body", "BODY_TOO_LARGE", raw=HUGE),
    login_("wrong-password", "AUTH_INVALID_CREDENTIALS", body={"username": "officer1", "password": "Demo@2025"}),
    login_("not-utf8", MALFORMED, raw=NOT_UTF8),
    login_("deeply-nested-json", MALFORMED, raw=DEEPLY_NESTED),
    login_(
        "nul-in-username",
        ("AUTH_INVALID_CREDENTIALS", MALFORMED, RULE),
        body={"username": "officer1" + NUL, "password": "x"},
    ),
    refresh("missing-token", MALFORMED, body={}),
    refresh("over-long-token", MALFORMED, body={"refreshToken": "t" * 201}),
    refresh("unknown-token", "AUTH_REFRESH_INVALID", body={"refreshToken": "not-a-token-we-issued"}),
    # --- GET /v1/enterprises, /v1/enterprises/{id}, /v1/grids ------------------------------------------------------
    enterprises("limit-0", MALFORMED, params={"limit": "0"}),
    enterprises("limit-negative", MALFORMED, params={"limit": "-1"}),
    enterprises("limit-not-a-number", MALFORMED, params={"limit": "abc"}),
    enterprises("cursor-not-base64", RULE, params={"cursor": "a"}),
    enterprises("cursor-decodes-to-garbage", RULE, params={"cursor": "_w"}),
    enterprises("unknown-industry", MALFORMED, params={"industry": "piracy"}),
    enterprise("unknown-id", "NOT_FOUND", path=f"/v1/enterprises/{UNKNOWN_ID}"),
    enterprise("out-of-scope", "NOT_FOUND", path="/v1/enterprises/{E2}", auth="officer1"),
    enterprise("nul-id", MALFORMED, path="/v1/enterprises/%00"),
    grids("region-code-not-digits", MALFORMED, params={"regionCode": "abc"}),
    grids("unknown-region", "NOT_FOUND", params={"regionCode": "999999"}),
    grids("region-of-another-district", "NOT_FOUND", auth="regulator_dinghai", params={"regionCode": "330903"}),
    grids("region-of-an-inspector", "NOT_FOUND", auth="inspector1", params={"regionCode": "330902007"}),
    # --- POST /v1/admin/regions ------------------------------------------------------------------------------------
    new_region("by-an-officer", "FORBIDDEN", auth="officer1", body=REGION),
    new_region("missing-name", MALFORMED, body={**REGION, "name": ABSENT}),
    new_region("unknown-level", MALFORMED, body={**REGION, "level": "village"}),
    new_region("over-long-name", MALFORMED, body={**REGION, "name": "镇" * 101}),
    new_region("town-with-six-digits", RULE, body={**REGION, "code": "330904"}),
    new_region("district-with-nine-digits", RULE, body={**REGION, "level": "district", "parentCode": "330900"}),
    new_region("town-under-a-city", RULE, body={**REGION, "code": "330900103", "parentCode": "330900"}),
    new_region("district-under-a-district", RULE, body={**REGION, "code": "330904", "level": "district"}),
    new_region("unknown-parent", RULE, body={**REGION, "code": "330999103", "parentCode": "330999"}),
    new_region("duplicate-code", EXISTS, body={**REGION, "code": "330902001"}),
    new_region("code-outside-its-parent", RULE, body={**REGION, "code": "110101001"}),
    new_region("nul-in-name", (MALFORMED, RULE), body={**REGION, "name": "新" + NUL + "镇"}),
    # --- POST /v1/admin/grids --------------------------------------------------------------------------------------
    new_grid("by-an-officer", "FORBIDDEN", auth="officer1", body=GRID),
    new_grid("missing-region-code", MALFORMED, body={**GRID, "regionCode": ABSENT}),
    new_grid("name-is-null", MALFORMED, body={**GRID, "name": None}),
    new_grid("over-long-code", MALFORMED, body={**GRID, "code": "G" * 33}),
    new_grid("in-a-district", RULE, body={**GRID, "regionCode": "330902"}),
    new_grid("duplicate-code", EXISTS, body={**GRID, "code": "DH-CG-01"}),
    new_grid("nul-in-name", (MALFORMED, RULE), body={**GRID, "name": "网" + NUL + "格"}),
    # --- POST /v1/admin/enterprises --------------------------------------------------------------------------------
    new_enterprise("by-an-officer", "FORBIDDEN", auth="officer1", body=ENTERPRISE),
    new_enterprise("missing-grid", MALFORMED, body={**ENTERPRISE, "gridId": ABSENT}),
    new_enterprise("name-is-an-object", MALFORMED, body={**ENTERPRISE, "name": {"zh": "企业"}}),
    new_enterprise("size-is-yes", MALFORMED, body={**ENTERPRISE, "aboveDesignatedSize": "yes"}),
    new_enterprise("size-is-the-string-true", MALFORMED, body={**ENTERPRISE, "aboveDesignatedSize": "true"}),
    new_enterprise("latitude-is-a-string", MALFORMED, body={**ENTERPRISE, "lat": "30.0"}),
    new_enterprise("latitude-91", MALFORMED, body={**ENTERPRISE, "lat": 91}),
    new_enterprise("over-long-name", MALFORMED, body={**ENTERPRISE, "name": "企" * 201}),
    new_enterprise("unknown-industry", MALFORMED, body={**ENTERPRISE, "industry": "piracy"}),
    new_enterprise("wrong-check-character", CREDIT_CODE, body={**ENTERPRISE, "creditCode": WRONG_CHECK_CHARACTER}),
    new_enterprise("duplicate-credit-code", EXISTS, body={**ENTERPRISE, "creditCode": E1_CREDIT_CODE}),
    new_enterprise("duplicate-in-lower-case", EXISTS, body={**ENTERPRISE, "creditCode": E1_CREDIT_CODE.lower()}),
    new_enterprise("unknown-grid", RULE, body={**ENTERPRISE, "gridId": UNKNOWN_ID}),
    new_enterprise("nul-in-address", (MALFORMED, RULE), body={**ENTERPRISE, "address": "路" + NUL + "1号"}),
    # --- PATCH /v1/admin/enterprises/{id} --------------------------------------------------------------------------
    change_enterprise("by-an-officer", "FORBIDDEN", auth="officer1", body=ENTERPRISE_CHANGE),
    change_enterprise("unknown-id", "NOT_FOUND", path=f"/v1/admin/enterprises/{UNKNOWN_ID}", body=ENTERPRISE_CHANGE),
    change_enterprise("name-is-null", MALFORMED, body={"name": None}),
    change_enterprise("latitude-91", MALFORMED, body={**ENTERPRISE_CHANGE, "lat": 91}),
    change_enterprise("unknown-status", MALFORMED, body={"status": "bankrupt"}),
    change_enterprise("credit-code-is-not-editable", MALFORMED, body={"creditCode": NEW_CREDIT_CODE}),
    change_enterprise("rename-and-move-to-an-unknown-grid", RULE, body={**ENTERPRISE_CHANGE, "gridId": UNKNOWN_ID}),
    # --- POST /v1/admin/users --------------------------------------------------------------------------------------
    new_user("by-an-officer", "FORBIDDEN", auth="officer1", body=USER),
    new_user("missing-password", MALFORMED, body={**USER, "password": ABSENT}),
    new_user("grid-ids-is-a-string", MALFORMED, body={**INSPECTOR, "gridIds": "DH-CG-01"}),
    new_user("unknown-role", MALFORMED, body={**USER, "role": "superuser"}),
    new_user("unknown-field", MALFORMED, body={**USER, "isAdmin": True}),
    new_user("not-utf8", MALFORMED, raw=NOT_UTF8),
    new_user("officer-without-enterprise", RULE, body={**USER, "enterpriseId": ABSENT}),
    new_user("admin-with-grids", RULE, body={**INSPECTOR, "role": "admin", "gridIds": [Ref("DH-CG-01")]}),
    new_user("inspector-with-no-grids", RULE, body={**INSPECTOR, "gridIds": []}),
    new_user("regulator-with-an-enterprise", RULE, body={**USER, "role": "regulator", "regionCode": "330902"}),
    new_user("inspector-with-an-unknown-grid", RULE, body={**INSPECTOR, "gridIds": [Ref("DH-CG-01"), UNKNOWN_ID]}),
    new_user("unknown-enterprise", RULE, body={**USER, "enterpriseId": UNKNOWN_ID}),
    new_user("password-without-digits", RULE, body={**USER, "password": "password"}),
    new_user("username-starting-with-a-digit", RULE, body={**USER, "username": "9officer"}),
    new_user("duplicate-username", EXISTS, body={**USER, "username": "officer1"}),
    new_user("duplicate-username-in-upper-case", EXISTS, body={**USER, "username": "OFFICER1"}),
    # --- PATCH /v1/admin/users/{id} --------------------------------------------------------------------------------
    change_user("by-an-officer", "FORBIDDEN", auth="officer1", body=USER_CHANGE),
    change_user("unknown-id", "NOT_FOUND", path=f"/v1/admin/users/{UNKNOWN_ID}", body=USER_CHANGE),
    change_user("disabled-is-the-string-true", MALFORMED, body={"disabled": "true"}),
    change_user("role-is-not-editable", MALFORMED, body={"role": "admin"}),
    change_user("officer-given-grids", RULE, body={**USER_CHANGE, "gridIds": [Ref("DH-CG-01")]}),
    change_user("admin-given-an-enterprise", RULE, path="/v1/admin/users/{admin}", body={"enterpriseId": Ref("E1")}),
    change_user("inspector-left-without-grids", RULE, path="/v1/admin/users/{inspector1}", body={"gridIds": []}),
    change_user("unknown-enterprise", RULE, body={**USER_CHANGE, "enterpriseId": UNKNOWN_ID}),
    change_user("disable-with-a-weak-password", RULE, body={**USER_CHANGE, "disabled": True, "password": "weakweak"}),
    change_user("nul-in-name", (MALFORMED, RULE), body={"name": "王" + NUL + "安全"}),
    change_user("nul-id", MALFORMED, path="/v1/admin/users/%00", body=USER_CHANGE),
    # --- GET /v1/admin/users, /v1/admin/users/{id}; a method that is not there --------------------------------------
    users("by-an-officer", "FORBIDDEN", auth="officer1"),
    users("malformed-cursor", RULE, params={"cursor": "!!!"}),
    users("unknown-role", MALFORMED, params={"role": "superuser"}),
    user("by-an-officer", "FORBIDDEN", auth="officer1"),
    user("unknown-id", "NOT_FOUND", path=f"/v1/admin/users/{UNKNOWN_ID}"),
    endpoint("admin-users-delete", "DELETE", "/v1/admin/users/{officer1}")("is-not-a-method", "METHOD_NOT_ALLOWED"),
    # --- risk points, assessments, checklists, codes, site plans -----------------------------------------------------
    new_point("missing-name", MALFORMED, body={**POINT, "name": ABSENT}),
    new_point("unknown-kind", MALFORMED, body={**POINT, "kind": "vehicle"}),
    new_point("plan-x-beyond-the-plan", MALFORMED, body={**POINT, "planX": 1.5}),
    new_point("presence-radius-of-zero", MALFORMED, body={**POINT, "presenceRadiusM": 0}),
    new_point("presence-radius-negative", MALFORMED, body={**POINT, "presenceRadiusM": -50}),
    new_point("presence-radius-huge", MALFORMED, body={**POINT, "presenceRadiusM": 10**7}),
    new_point(
        "unknown-measure-type", MALFORMED, body={**POINT, "controlMeasures": [{"type": "prayer", "content": "x"}]}
    ),
    new_point("too-many-hazard-sources", MALFORMED, body={**POINT, "hazardSources": ["x"] * 41}),
    new_point("into-another-enterprise", "NOT_FOUND", auth="officer2"),
    new_point("by-a-regulator", "FORBIDDEN", auth="regulator_city"),
    new_point("nul-in-name", MALFORMED, body={**POINT, "name": "釜" + NUL}),
    new_point("empty-idempotency-key", "IDEMPOTENCY_KEY_INVALID", headers={"Idempotency-Key": ""}),
    new_point("over-long-idempotency-key", "IDEMPOTENCY_KEY_INVALID", headers={"Idempotency-Key": "k" * 256}),
    change_point("unknown-id", "NOT_FOUND", path=f"/v1/risk-points/{UNKNOWN_ID}"),
    change_point("plan-y-below-the-plan", MALFORMED, body={"planY": -0.1}),
    change_point("presence-radius-a-string", MALFORMED, body={"presenceRadiusM": "100"}),
    change_point("by-an-inspector", "FORBIDDEN", auth="inspector1"),
    change_point("of-another-enterprise", "NOT_FOUND", auth="officer2"),
    assess("factor-outside-the-table", "ASSESSMENT_FACTOR_INVALID", body={**LEC, "l": 4}),
    assess("unknown-method", MALFORMED, body={**LEC, "method": "HAZOP"}),
    assess("boolean-factor", MALFORMED, body={**LEC, "l": True}),
    assess("missing-factor", MALFORMED, body={**LEC, "c": ABSENT}),
    assess("scheme-of-another-method", RULE, body={**LEC, "schemeId": "ls-usual"}),
    assess("of-another-enterprise", "NOT_FOUND", auth="officer2"),
    check_item("unknown-cycle-unit", MALFORMED, body={**CHECK_ITEM, "cycleUnit": "decade"}),
    check_item("cycle-of-zero", MALFORMED, body={**CHECK_ITEM, "cycleN": 0}),
    check_item("unknown-criterion", RULE, body={**CHECK_ITEM, "criterionId": "XX-99"}),
    check_item("criterion-of-another-industry", RULE, body={**CHECK_ITEM, "criterionId": "GM2023-07-01"}),
    # --- the criteria library: filters, editions ----------------------------------------------------------------------
    criteria("unknown-industry", RULE, params={"industry": "space_mining"}),
    criteria("day-not-a-date", MALFORMED, params={"on": "2023-02-30"}),
    new_edition("by-an-officer", "FORBIDDEN", auth="officer1"),
    new_edition("without-a-token", "AUTH_REQUIRED", auth="anonymous"),
    new_edition("existing-id", "CRITERIA_EDITION_EXISTS", body={**EDITION, "id": "GM2023"}),
    new_edition("lower-case-id", MALFORMED, body={**EDITION, "id": "gm2031"}),
    new_edition("date-not-a-date", MALFORMED, body={**EDITION, "effectiveFrom": "2031-02-30"}),
    new_edition("no-items", "CRITERIA_EDITION_INVALID", body={**EDITION, "items": []}),
    new_edition(
        "duplicate-item-number", "CRITERIA_EDITION_INVALID", body={**EDITION, "items": [EDITION_ITEM, EDITION_ITEM]}
    ),
    new_edition("empty-text", "CRITERIA_EDITION_INVALID", body={**EDITION, "items": [{**EDITION_ITEM, "text": " "}]}),
    new_edition(
        "unknown-industry",
        "CRITERIA_EDITION_INVALID",
        body={**EDITION, "items": [{**EDITION_ITEM, "industries": ["space_mining"]}]},
    ),
    new_edition("supersedes-unknown", "CRITERIA_EDITION_INVALID", body={**EDITION, "supersedesId": "GM1999"}),
    new_edition(
        "starts-before-what-it-supersedes",
        "CRITERIA_EDITION_INVALID",
        body={**EDITION, "supersedesId": "GM2023", "effectiveFrom": "2020-01-01"},
    ),
    scan("forged-token", "QR_INVALID"),
    scan("accuracy-negative", MALFORMED, params={"accuracy": "-1"}),
    scan("accuracy-not-a-number", MALFORMED, params={"accuracy": "ten"}),
    scan("token-of-the-right-shape-but-unsigned", "QR_INVALID", path="/v1/scan/" + "A" * 60),
    # --- inspection tasks and inspections -------------------------------------------------------------------------
    tasks("limit-0", MALFORMED, params={"limit": "0"}),
    tasks("due-is-maybe", MALFORMED, params={"due": "maybe"}),
    tasks("mine-is-maybe", MALFORMED, params={"mine": "maybe"}),
    tasks("mine-for-an-inspector", "TASKS_MINE_NOT_STAFF", auth="inspector1", params={"mine": "true", "due": "true"}),
    tasks("mine-for-a-regulator", "TASKS_MINE_NOT_STAFF", auth="regulator_city", params={"mine": "true"}),
    # --- posts (岗位): only the enterprise's own, for its own people, set by its principal or an admin -------------
    user_posts("unknown-post", "POST_UNKNOWN", body={"posts": ["不存在的岗位"]}),
    user_posts("another-enterprises-post", "POST_UNKNOWN", body={"posts": ["罐区操作工", "测爆员"]}),
    user_posts("posts-not-a-list", MALFORMED, body={"posts": "罐区操作工"}),
    user_posts("empty-post-name", MALFORMED, body={"posts": [""]}),
    user_posts("post-name-too-long", MALFORMED, body={"posts": ["岗" * 101]}),
    user_posts("without-posts", MALFORMED, body={}),
    user_posts("unknown-field", MALFORMED, body={"posts": [], "role": "admin"}),
    user_posts("another-enterprises-user", "NOT_FOUND", path="/v1/enterprises/{E1}/users/{officer2}/posts"),
    user_posts("another-enterprise", "NOT_FOUND", path="/v1/enterprises/{E2}/users/{officer2}/posts"),
    user_posts("a-regulator-as-holder", "NOT_FOUND", path="/v1/enterprises/{E1}/users/{regulator_city}/posts"),
    user_posts("by-an-officer", "FORBIDDEN", auth="officer1"),
    user_posts("by-an-inspector", "FORBIDDEN", auth="inspector1"),
    tasks("cursor-of-another-list", RULE, params={"cursor": "MDFaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo"}),
    new_inspection("without-a-token", "AUTH_REQUIRED", auth="anonymous"),
    new_inspection("missing-results", MALFORMED, body={**INSPECTION, "results": ABSENT}),
    new_inspection("no-results", MALFORMED, body={**INSPECTION, "results": []}),
    new_inspection("unknown-field", MALFORMED, body={**INSPECTION, "weather": "sunny"}),
    new_inspection("time-without-offset", MALFORMED, body={**INSPECTION, "startedAt": "2026-01-05T09:00:00"}),
    new_inspection("ok-is-the-string-true", MALFORMED, body={**INSPECTION, "results": [{**RESULT, "ok": "true"}]}),
    new_inspection("over-long-client-id", MALFORMED, body={**INSPECTION, "clientId": "c" * 65}),
    new_inspection("nul-in-note", (MALFORMED, RULE), body={**INSPECTION, "results": [{**RESULT, "note": "阀" + NUL}]}),
    new_inspection(
        "unknown-item", "INSPECTION_ITEM_INVALID", body={**INSPECTION, "results": [{**RESULT, "itemId": UNKNOWN_ID}]}
    ),
    new_inspection("item-twice", "INSPECTION_ITEM_INVALID", body={**INSPECTION, "results": [RESULT, RESULT]}),
    new_inspection(
        "hazard-on-a-passed-item",
        "INSPECTION_ITEM_INVALID",
        body={**INSPECTION, "results": [{**RESULT, "hazardTitle": "漏油"}]},
    ),
    new_inspection(
        "finished-before-started",
        "INSPECTION_TIME_INVALID",
        body={**INSPECTION, "finishedAt": "2026-01-05T08:59:59+08:00"},
    ),
    new_inspection(
        "finished-in-the-future", "INSPECTION_TIME_INVALID", body={**INSPECTION, "finishedAt": "2999-01-01T00:00:00Z"}
    ),
    new_inspection("unknown-scan", "INSPECTION_SCAN_INVALID", body={**INSPECTION, "scanId": UNKNOWN_ID}),
    new_inspection("by-an-inspector-without-a-scan", "INSPECTION_SCAN_REQUIRED", auth="inspector1"),
    new_inspection("of-another-enterprises-point", "NOT_FOUND", auth="officer2"),
    new_inspection("by-an-admin", "FORBIDDEN", auth="admin"),
    site_plan("html-named-png", "PHOTO_NOT_AN_IMAGE", raw=b"<html><body>plan</body></html>"),
    site_plan("empty", "PHOTO_NOT_AN_IMAGE", raw=b""),
    site_plan("over-20-mib", "BODY_TOO_LARGE", raw=b"\x89PNG" + b"\0" * (20 * 1024 * 1024 + 1)),
    site_plan("by-a-regulator", "FORBIDDEN", auth="regulator_city", raw=b"\x89PNG"),
    # --- hazards: report, list, read, transitions -------------------------------------------------------------------
    new_hazard("without-a-token", "AUTH_REQUIRED", auth="anonymous"),
    new_hazard("missing-title", MALFORMED, body={**HAZARD, "title": ABSENT}),
    new_hazard("unknown-level", MALFORMED, body={**HAZARD, "level": "catastrophic"}),
    new_hazard("unknown-source", MALFORMED, body={**HAZARD, "source": "rumour"}),
    new_hazard("found-at-without-offset", MALFORMED, body={**HAZARD, "foundAt": "2026-01-05T09:00:00"}),
    new_hazard("photo-ids-is-a-string", MALFORMED, body={**HAZARD, "photoIds": UNKNOWN_ID}),
    new_hazard("unknown-field", MALFORMED, body={**HAZARD, "severity": 5}),
    new_hazard("over-long-title", MALFORMED, body={**HAZARD, "title": "隐" * 201}),
    new_hazard("nul-in-title", (MALFORMED, RULE), body={**HAZARD, "title": "漏" + NUL + "油"}),
    new_hazard("found-in-the-future", "HAZARD_INPUT_INVALID", body={**HAZARD, "foundAt": "2999-01-01T00:00:00Z"}),
    new_hazard("major-without-basis", "HAZARD_INPUT_INVALID", body={**HAZARD, "level": "major"}),
    new_hazard(
        "major-citing-another-industry",
        "HAZARD_CRITERION_WRONG_INDUSTRY",
        body={**HAZARD, "level": "major", "majorCriterionId": "GM2023-07-01"},
    ),
    new_hazard(
        "major-citing-an-edition-not-yet-in-force",
        "HAZARD_CRITERION_NOT_IN_FORCE",
        body={**HAZARD, "level": "major", "majorCriterionId": "HC2017-05", "foundAt": "2017-11-12T09:00:00+08:00"},
    ),
    new_hazard("unknown-photo", "HAZARD_INPUT_INVALID", body={**HAZARD, "photoIds": [UNKNOWN_ID]}),
    new_hazard("unknown-risk-point", "HAZARD_INPUT_INVALID", body={**HAZARD, "riskPointId": UNKNOWN_ID}),
    new_hazard("unknown-scan", "HAZARD_INPUT_INVALID", body={**HAZARD, "scanId": UNKNOWN_ID}),
    new_hazard("inspector-claims-a-daily-check", "HAZARD_INPUT_INVALID", auth="inspector1"),
    new_hazard("into-another-enterprise", "NOT_FOUND", auth="officer2"),
    new_hazard("into-an-unknown-enterprise", "NOT_FOUND", body={**HAZARD, "enterpriseId": UNKNOWN_ID}),
    new_hazard("by-an-admin", "FORBIDDEN", auth="admin"),
    hazard_list("limit-0", MALFORMED, params={"limit": "0"}),
    hazard_list("unknown-level", MALFORMED, params={"level": "catastrophic"}),
    hazard_list("overdue-is-maybe", MALFORMED, params={"overdue": "maybe"}),
    hazard_list("unknown-status", (MALFORMED, RULE), params={"status": "reported,lost"}),
    hazard_list("cursor-decodes-to-garbage", RULE, params={"cursor": "_w"}),
    hazard("unknown-id", "NOT_FOUND", path=f"/v1/hazards/{UNKNOWN_ID}"),
    hazard("of-another-enterprise", "NOT_FOUND", auth="officer2"),
    hazard("history-of-another-enterprise", "NOT_FOUND", path="/v1/hazards/{H1}/history", auth="officer2"),
    move("without-if-match", "IF_MATCH_REQUIRED", headers={}),
    move("if-match-not-a-version", MALFORMED, headers={"If-Match": '"abc"'}),
    move("stale-version", "HAZARD_VERSION_STALE", headers={"If-Match": '"99"'}),
    move("unknown-action", MALFORMED, body={**ASSIGN, "action": "demolish"}),
    move("missing-action", MALFORMED, body={**ASSIGN, "action": ABSENT}),
    move("assign-without-assignee", MALFORMED, body={**ASSIGN, "assigneeId": ABSENT}),
    move("deadline-without-offset", MALFORMED, body={**ASSIGN, "deadline": "2999-01-01T00:00:00"}),
    move("deadline-in-the-past", "HAZARD_GUARD_FAILED", body={**ASSIGN, "deadline": "2020-01-01T00:00:00Z"}),
    move("assignee-of-another-enterprise", "HAZARD_INPUT_INVALID", body={**ASSIGN, "assigneeId": Ref("officer2")}),
    move("accept-before-rectification", "HAZARD_TRANSITION_NOT_ALLOWED", body={"action": "accept"}),
    move(
        "write-off-by-a-principal",
        ("HAZARD_TRANSITION_NOT_ALLOWED", "HAZARD_ROLE_NOT_ALLOWED"),
        body={"action": "writeOff"},
    ),
    move("assign-by-a-regulator", "HAZARD_ROLE_NOT_ALLOWED", auth="regulator_dinghai"),
    move("of-another-enterprise", "NOT_FOUND", auth="officer2"),
    move("unknown-hazard", "NOT_FOUND", path=f"/v1/hazards/{UNKNOWN_ID}/transitions"),
    move("void-without-reason", MALFORMED, body={"action": "void"}),
    move("reused-idempotency-key-is-not-stale", "IDEMPOTENCY_KEY_INVALID", headers={**CURRENT, "Idempotency-Key": ""}),
    # --- webhooks, deliveries, notifications --------------------------------------------------------------------------
    new_webhook("missing-url", MALFORMED, body={**WEBHOOK, "url": ABSENT}),
    new_webhook("unknown-field", MALFORMED, body={**WEBHOOK, "secret": "my-own-secret"}),
    new_webhook("unknown-event-kind", MALFORMED, body={**WEBHOOK, "eventKinds": ["hazard.exploded"]}),
    new_webhook("unknown-audience", MALFORMED, body={**WEBHOOK, "audience": "public"}),
    new_webhook("region-code-with-letters", MALFORMED, body={**WEBHOOK, "regionCode": "33O902"}),
    new_webhook("ftp-url", "WEBHOOK_URL_INVALID", body={"url": "ftp://127.0.0.1/hook"}),
    new_webhook("relative-url", "WEBHOOK_URL_INVALID", body={"url": "/relative/hook"}),
    new_webhook("url-with-credentials", "WEBHOOK_URL_INVALID", body={"url": "http://user:pw@127.0.0.1:9/hook"}),
    new_webhook("url-with-fragment", "WEBHOOK_URL_INVALID", body={"url": "http://127.0.0.1:9/hook#part"}),
    new_webhook("url-port-out-of-range", "WEBHOOK_URL_INVALID", body={"url": "http://127.0.0.1:99999/hook"}),
    new_webhook("nul-in-url", (MALFORMED, RULE, "WEBHOOK_URL_INVALID"), body={"url": "http://127.0.0.1:9/h" + NUL}),
    new_webhook("unknown-region", "NOT_FOUND", body={**WEBHOOK, "regionCode": "339999"}),
    new_webhook("unknown-enterprise", "NOT_FOUND", body={**WEBHOOK, "enterpriseId": UNKNOWN_ID}),
    new_webhook("by-an-officer", "FORBIDDEN", auth="officer1"),
    new_webhook("by-an-inspector", "FORBIDDEN", auth="inspector1"),
    new_webhook(
        "regulator-for-the-enterprise-side",
        "FORBIDDEN",
        auth="regulator_dinghai",
        body={**WEBHOOK, "audience": "enterprise"},
    ),
    new_webhook(
        "regulator-outside-their-region",
        "NOT_FOUND",
        auth="regulator_dinghai",
        body={**WEBHOOK, "regionCode": "330903"},
    ),
    new_webhook(
        "regulator-for-an-enterprise-outside",
        "NOT_FOUND",
        auth="regulator_dinghai",
        body={**WEBHOOK, "enterpriseId": Ref("E2")},
    ),
    webhooks("by-a-principal", "FORBIDDEN", auth="principal1"),
    webhooks("unknown-id", "NOT_FOUND", path=f"/v1/webhooks/{UNKNOWN_ID}"),
    webhook_post("disable-unknown-id", "NOT_FOUND"),
    webhook_post("disable-unknown-id-by-a-regulator", "NOT_FOUND", auth="regulator_dinghai"),
    webhook_post("redrive-unknown-id", "NOT_FOUND", path=f"/v1/webhooks/deliveries/{UNKNOWN_ID}/redrive"),
    deliveries("unknown-status", MALFORMED, params={"status": "lost"}),
    deliveries("limit-0", MALFORMED, params={"limit": "0"}),
    deliveries("cursor-decodes-to-garbage", RULE, params={"cursor": "_w"}),
    deliveries("by-an-officer", "FORBIDDEN", auth="officer1"),
    deliveries("unknown-id", "NOT_FOUND", path=f"/v1/webhooks/deliveries/{UNKNOWN_ID}"),
    notices("by-an-inspector", "FORBIDDEN", auth="inspector1"),
    notices("limit-0", MALFORMED, params={"limit": "0"}),
    # --- the dynamic safety code and the regional four-colour map ----------------------------------------------------
    safety_code("unknown-id", "NOT_FOUND", path=f"/v1/enterprises/{UNKNOWN_ID}/safety-code"),
    safety_code("of-another-enterprise", "NOT_FOUND", auth="officer2"),
    safety_code("outside-an-inspectors-grids", "NOT_FOUND", path="/v1/enterprises/{E2}/safety-code", auth="inspector1"),
    safety_code("nul-id", MALFORMED, path="/v1/enterprises/%00/safety-code"),
    code_changes("limit-0", MALFORMED, params={"limit": "0"}),
    code_changes("limit-not-a-number", MALFORMED, params={"limit": "many"}),
    code_changes("cursor-decodes-to-garbage", RULE, params={"cursor": "_w"}),
    code_changes("unknown-id", "NOT_FOUND", path=f"/v1/enterprises/{UNKNOWN_ID}/safety-code/changes"),
    code_changes("of-another-enterprise", "NOT_FOUND", auth="officer2"),
    region_map("region-code-not-digits", MALFORMED, params={"regionCode": "abc"}),
    region_map("region-code-of-seven-digits", MALFORMED, params={"regionCode": "3309021"}),
    region_map("unknown-region", "NOT_FOUND", params={"regionCode": "999999"}),
    region_map("outside-the-regulators-subtree", "NOT_FOUND", params={"regionCode": "330903"}),
    region_map("above-the-regulators-region", "NOT_FOUND", params={"regionCode": "330900"}),
    region_map("by-an-officer", "FORBIDDEN", auth="officer1"),
    region_map("by-a-principal", "FORBIDDEN", auth="principal2"),
    region_enterprises("unknown-colour", MALFORMED, params={"color": "purple"}),
    region_enterprises("limit-zero", MALFORMED, params={"limit": "0"}),
    region_enterprises("garbled-cursor", RULE, params={"cursor": "_w"}),
    region_enterprises("outside-the-regulators-subtree", "NOT_FOUND", path="/v1/risk-map/regions/330903/enterprises"),
    region_enterprises("a-grid-of-another-district", "NOT_FOUND", path="/v1/risk-map/regions/PT-LH-01/enterprises"),
    region_enterprises("by-an-officer", "FORBIDDEN", auth="officer1"),
    region_png("region-code-not-digits", MALFORMED, params={"regionCode": "33O902"}),
    region_png("outside-the-regulators-subtree", "NOT_FOUND", params={"regionCode": "330921100"}),
    region_png("by-an-officer", "FORBIDDEN", auth="officer2"),
    # --- standardisation: grades, scope lists, the rate and its members; statutory statistics ----------------------
    grades("other-enterprise", "NOT_FOUND", path="/v1/enterprises/{E2}/standardisation"),
    grades("date-not-a-date", MALFORMED, params={"date": "2026-13-01"}),
    new_grade("missing-grade", MALFORMED, body={**GRADE, "grade": ABSENT}),
    new_grade("grade-fourth", MALFORMED, body={**GRADE, "grade": "fourth"}),
    new_grade("unknown-field", MALFORMED, body={**GRADE, "score": 92}),
    new_grade("valid-from-not-a-date", MALFORMED, body={**GRADE, "validFrom": "2026-02-30"}),
    new_grade("empty-certificate", MALFORMED, body={**GRADE, "certificateNo": ""}),
    new_grade("ends-before-it-starts", "STANDARDISATION_GRADE_INVALID", body={**GRADE, "validTo": "2025-12-31"}),
    new_grade("longer-than-three-years", "STANDARDISATION_GRADE_INVALID", body={**GRADE, "validTo": "2029-01-01"}),
    new_grade("certificate-recorded-before", EXISTS, body={**GRADE, "certificateNo": "舟AQBⅡ(2025)0012"}),
    new_grade("by-an-officer", "FORBIDDEN", auth="officer1"),
    new_grade("other-district", "NOT_FOUND", auth="regulator_dinghai", path="/v1/enterprises/{E2}/standardisation"),
    revoke_grade("unknown-grade", "NOT_FOUND"),
    revoke_grade("missing-reason", MALFORMED, body={"revokedOn": "2026-06-01"}),
    revoke_grade("empty-reason", MALFORMED, body={**REVOKE, "reason": ""}),
    std_rate("date-not-a-date", MALFORMED, params={"date": "yesterday"}),
    std_rate("region-code-not-a-code", MALFORMED, params={"regionCode": "33x"}),
    std_rate("other-district", "NOT_FOUND", auth="regulator_dinghai", params={"regionCode": "330903"}),
    std_rate("unknown-scope", "NOT_FOUND", params={"scopeId": UNKNOWN_ID}),
    std_rate("by-an-officer", "FORBIDDEN", auth="officer1"),
    std_members("missing-part", MALFORMED),
    std_members("part-unknown", MALFORMED, params={"part": "both"}),
    std_members("cursor-not-ours", RULE, params={"part": "numerator", "cursor": "!!"}),
    std_members(
        "other-district", "NOT_FOUND", auth="regulator_dinghai", params={"part": "numerator", "regionCode": "330903"}
    ),
    new_scope("as-of-in-the-future", RULE, body={**SCOPE, "asOf": "2999-01-01"}),
    new_scope("unknown-industry", MALFORMED, body={**SCOPE, "industries": ["mars"]}),
    new_scope("other-district", "NOT_FOUND", auth="regulator_dinghai", body={**SCOPE, "regionCode": "330903"}),
    new_scope("unknown-region", "NOT_FOUND", body={**SCOPE, "regionCode": "330999"}),
    new_scope("by-an-inspector", "FORBIDDEN", auth="inspector1"),
    std_scope("unknown", "NOT_FOUND"),
    snapshots("other-enterprise", "NOT_FOUND"),
    sign("unknown-snapshot", "NOT_FOUND"),
    sign("other-enterprise", "NOT_FOUND", path=f"/v1/enterprises/{{E2}}/statistics/{UNKNOWN_ID}/sign"),
    # --- credit: penalties, accidents, the blacklist and its actions -------------------------------------------------
    new_penalty("missing-decision-no", MALFORMED, body={**PENALTY, "decisionNo": ABSENT}),
    new_penalty("empty-decision-no", MALFORMED, body={**PENALTY, "decisionNo": ""}),
    new_penalty("unknown-kind", MALFORMED, body={**PENALTY, "kind": "caning"}),
    new_penalty("unknown-violation", MALFORMED, body={**PENALTY, "violation": "rudeness"}),
    new_penalty("unknown-execution", MALFORMED, body={**PENALTY, "execution": "maybe"}),
    new_penalty("date-not-a-date", MALFORMED, body={**PENALTY, "decidedOn": "2026-13-01"}),
    new_penalty("date-is-a-time", MALFORMED, body={**PENALTY, "decidedOn": "2026-01-05T09:00:00+08:00"}),
    new_penalty("amount-not-a-number", MALFORMED, body={**PENALTY, "amount": "lots"}),
    new_penalty("unknown-field", MALFORMED, body={**PENALTY, "severity": "high"}),
    new_penalty("negative-amount", RULE, body={**PENALTY, "amount": "-1"}),
    new_penalty("fine-without-amount", RULE, body={**PENALTY, "amount": ABSENT}),
    new_penalty("decided-in-the-future", RULE, body={**PENALTY, "decidedOn": "2999-01-01"}),
    new_penalty("for-an-accident-without-one", RULE, body={**PENALTY, "violation": "accident"}),
    new_penalty("for-an-unknown-accident", RULE, body={**PENALTY, "violation": "accident", "accidentId": UNKNOWN_ID}),
    new_penalty("accident-on-a-plain-penalty", RULE, body={**PENALTY, "accidentId": UNKNOWN_ID}),
    new_penalty("false-report-by-a-non-evaluation-body", RULE, body={**PENALTY, "violation": "false_report"}),
    new_penalty("by-an-officer", "FORBIDDEN", auth="officer1"),
    new_penalty("by-a-principal", "FORBIDDEN", auth="principal1"),
    new_penalty("by-an-inspector", "FORBIDDEN", auth="inspector1"),
    new_penalty("outside-the-regulators-region", "NOT_FOUND", path="/v1/enterprises/{E2}/penalties"),
    new_penalty("unknown-enterprise", "NOT_FOUND", path=f"/v1/enterprises/{UNKNOWN_ID}/penalties"),
    new_penalty("authority-region-not-a-code", MALFORMED, body={**PENALTY, "authorityRegionCode": "33O902"}),
    new_penalty(
        "authority-region-unknown", "CREDIT_AUTHORITY_REGION_INVALID", body={**PENALTY, "authorityRegionCode": "339999"}
    ),
    new_penalty(
        "authority-region-above-the-recorder",
        "CREDIT_AUTHORITY_REGION_INVALID",
        body={**PENALTY, "authorityRegionCode": "330900"},
    ),
    new_penalty(
        "authority-region-not-over-the-enterprise",
        "CREDIT_AUTHORITY_REGION_INVALID",
        body={**PENALTY, "authorityRegionCode": "330902001"},
    ),
    new_penalty(
        "authority-region-missing-for-an-admin",
        "CREDIT_AUTHORITY_REGION_INVALID",
        auth="admin",
        body={**PENALTY, "authorityRegionCode": ABSENT},
    ),
    new_accident("unknown-grade", MALFORMED, body={**ACCIDENT, "grade": "catastrophic"}),
    new_accident("negative-deaths", MALFORMED, body={**ACCIDENT, "deaths": -1}),
    new_accident("concealed-is-a-string", MALFORMED, body={**ACCIDENT, "concealed": "yes"}),
    new_accident("missing-date", MALFORMED, body={**ACCIDENT, "occurredOn": ABSENT}),
    new_accident("in-the-future", RULE, body={**ACCIDENT, "occurredOn": "2999-01-01"}),
    new_accident("by-an-officer", "FORBIDDEN", auth="officer1"),
    new_accident("outside-the-regulators-region", "NOT_FOUND", path="/v1/enterprises/{E2}/accidents"),
    credit_of("of-another-enterprise", "NOT_FOUND", auth="officer2"),
    credit_of("penalties-of-another-enterprise", "NOT_FOUND", path="/v1/enterprises/{E1}/penalties", auth="officer2"),
    credit_of("outside-an-inspectors-grids", "NOT_FOUND", path="/v1/enterprises/{E2}/credit", auth="inspector1"),
    blacklist("region-code-not-digits", MALFORMED, params={"regionCode": "33O902"}),
    blacklist("unknown-region", "NOT_FOUND", params={"regionCode": "999999"}),
    candidates("by-an-officer", "FORBIDDEN", auth="officer1"),
    candidates("by-an-inspector", "FORBIDDEN", auth="inspector1"),
    candidates("unknown-region", "NOT_FOUND", params={"regionCode": "999999"}),
    candidates("region-of-another-district", "NOT_FOUND", params={"regionCode": "330903"}),
    candidates("region-above-the-regulator", "NOT_FOUND", params={"regionCode": "330900"}),
    listing_step("unknown-listing", "NOT_FOUND"),
    listing_step("dismiss-without-reason", MALFORMED, body={}),
    listing_step("dismiss-with-empty-reason", MALFORMED, body={"reason": ""}),
    listing_step("unknown-field", MALFORMED, body={"reason": "事实不清", "final": True}),
    listing_step("date-not-a-date", MALFORMED, body={"reason": "事实不清", "on": "tomorrow"}),
    listing_step(
        "respond-with-empty-statement", MALFORMED, path=f"/v1/blacklist/{UNKNOWN_ID}/respond", body={"statement": ""}
    ),
    listing_step("unknown-action", ("NOT_FOUND", "METHOD_NOT_ALLOWED"), path=f"/v1/blacklist/{UNKNOWN_ID}/pardon"),
    # --- hazard roll-ups ---------------------------------------------------------------------------------------------
    hazard_stats("unknown-period-kind", MALFORMED, params={"period": "week"}),
    hazard_stats("region-code-not-digits", MALFORMED, params={"regionCode": "33O902"}),
    hazard_stats("unknown-region", "NOT_FOUND", params={"regionCode": "999999"}),
    hazard_stats("region-outside-scope", "NOT_FOUND", params={"regionCode": "330903"}),
    hazard_stats("two-scopes", RULE, params={"regionCode": "330902", "gridId": "X1"}),
    hazard_stats("unknown-industry", RULE, params={"industry": "nothing"}),
    hazard_stats("from-of-another-kind", RULE, params={"period": "month", "from": "2026-Q1"}),
    hazard_stats("from-not-a-period", MALFORMED, params={"from": "last-year"}),
    figure_items("missing-metric", MALFORMED, params={"period": "2026"}),
    figure_items("unknown-metric", RULE, params={"metric": "nope", "period": "2026"}),
    figure_items("count-has-no-denominator", RULE, params={"metric": "found", "period": "2026", "part": "denominator"}),
    figure_items("unknown-part", MALFORMED, params={"metric": "found", "period": "2026", "part": "half"}),
    figure_items("month-thirteen", RULE, params={"metric": "found", "period": "2026-13"}),
    figure_items("bad-cursor", RULE, params={"metric": "found", "period": "2026", "cursor": "!!"}),
    figure_items("limit-zero", MALFORMED, params={"metric": "found", "period": "2026", "limit": 0}),
    # --- offline sync: a refused batch applies none of its operations (an operation's own refusal is its result) ---
    sync_batch("missing-ops", MALFORMED, body={}),
    sync_batch("no-ops", MALFORMED, body={"ops": []}),
    sync_batch("ops-is-an-object", MALFORMED, body={"ops": SYNC_OP}),
    sync_batch("unknown-field", MALFORMED, body={**SYNC_BATCH, "deviceId": "d1"}),
    sync_batch("op-without-op-id", MALFORMED, body={"ops": [{**SYNC_OP, "opId": ABSENT}]}),
    sync_batch("op-id-with-a-space", MALFORMED, body={"ops": [{**SYNC_OP, "opId": "op 1"}]}),
    sync_batch("over-long-op-id", MALFORMED, body={"ops": [{**SYNC_OP, "opId": "o" * 65}]}),
    sync_batch("nul-in-op-id", (MALFORMED, RULE), body={"ops": [{**SYNC_OP, "opId": "op" + NUL}]}),
    sync_batch("op-without-kind", MALFORMED, body={"ops": [{**SYNC_OP, "kind": ABSENT}]}),
    sync_batch("payload-is-a-list", MALFORMED, body={"ops": [{**SYNC_OP, "payload": [HAZARD]}]}),
    sync_batch("unknown-op-field", MALFORMED, body={"ops": [{**SYNC_OP, "seq": 1}]}),
    sync_batch(
        "201-ops",
        "SYNC_BATCH_TOO_LARGE",
        body={
            "ops": [{**SYNC_OP, "opId": f"op-{n}", "payload": {**HAZARD, "clientId": f"hz-{n}"}} for n in range(201)]
        },
    ),
    sync_changes("without-a-token", "AUTH_REQUIRED", auth="anonymous"),
    sync_changes("forged-cursor", "SYNC_CURSOR_INVALID", params={"since": "not-a-cursor"}),
    sync_changes(
        "cursor-of-the-hazard-list", "SYNC_CURSOR_INVALID", params={"since": "MDFaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo"}
    ),
    sync_changes("over-long-cursor", MALFORMED, params={"since": "c" * 201}),
    sync_changes("limit-0", MALFORMED, params={"limit": "0"}),
    sync_changes("limit-501", MALFORMED, params={"limit": "501"}),
    sync_changes("limit-is-a-word", MALFORMED, params={"limit": "all"}),
    # --- photos ------------------------------------------------------------------------------------------------------
    new_photo("html-named-jpg", "PHOTO_NOT_AN_IMAGE", raw=photo_form(b"<html><body>x</body></html>", clientId="p1")),
    new_photo("empty-file", "PHOTO_EMPTY", raw=photo_form(b"", clientId="p1")),
    new_photo("gif", "PHOTO_UNSUPPORTED_TYPE", raw=photo_form(b"GIF89a" + b"\0" * 20, clientId="p1")),
    new_photo("truncated-jpeg", "PHOTO_CORRUPT", raw=photo_form(b"\xff\xd8\xff\xe0\x00\x10JFIF", clientId="p1")),
    new_photo("missing-file", MALFORMED, raw=photo_form(None, clientId="p1")),
    new_photo("missing-client-id", MALFORMED, raw=photo_form(b"\xff\xd8\xff")),
    new_photo("latitude-91", MALFORMED, raw=photo_form(b"\xff\xd8\xff", clientId="p1", lat="91")),
    new_photo("taken-at-not-a-time", MALFORMED, raw=photo_form(b"\xff\xd8\xff", clientId="p1", takenAt="yesterday")),
    new_photo("broken-multipart", MALFORMED, raw=f"--{PHOTO_BOUNDARY}\r\nnonsense".encode()),
    new_photo("json-body", "UNSUPPORTED_MEDIA_TYPE", body={"clientId": "p1"}, content_type="application/json"),
    new_photo("anonymous", "AUTH_REQUIRED", auth="anonymous", raw=photo_form(b"\xff\xd8\xff", clientId="p1")),
    photo("unknown-id", "NOT_FOUND"),
    photo("unknown-id-display", "NOT_FOUND", path=f"/v1/photos/{UNKNOWN_ID}/display"),
    # --- documents (PDF reports): judged by their bytes (the form names every file p.jpg, image/jpeg) ----------------
    new_document("jpeg", "DOCUMENT_NOT_A_PDF", raw=photo_form(b"\xff\xd8\xff\xe0" + b"\0" * 20, clientId="d1")),
    new_document("empty-file", "DOCUMENT_EMPTY", raw=photo_form(b"", clientId="d1")),
    new_document("no-end", "DOCUMENT_CORRUPT", raw=photo_form(b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\n", clientId="d1")),
    new_document("no-page", "DOCUMENT_CORRUPT", raw=photo_form(b"%PDF-1.7\ntrailer\n<< >>\n%%EOF\n", clientId="d1")),
    new_document("after-the-end", "DOCUMENT_HIDDEN_CONTENT", raw=photo_form(b"%PDF-1.7\n%%EOF\nPK\3\4", clientId="d1")),
    new_document("missing-client-id", MALFORMED, raw=photo_form(b"%PDF-1.7\n%%EOF\n")),
    new_document("unknown-field", MALFORMED, raw=photo_form(b"%PDF-1.7\n%%EOF\n", clientId="d1", deviceId="x")),
    new_document("anonymous", "AUTH_REQUIRED", auth="anonymous", raw=photo_form(b"%PDF-1.7\n%%EOF\n", clientId="d1")),
    document("unknown-id", "NOT_FOUND"),
    document("unknown-id-file", "NOT_FOUND", path=f"/v1/documents/{UNKNOWN_ID}/file"),
    # --- public reports: the reporter's side (no account) and the regulators' inbox -----------------------------------
    new_public_report("missing-description", MALFORMED, body={**PUBLIC_REPORT, "description": ABSENT}),
    new_public_report("empty-description", MALFORMED, body={**PUBLIC_REPORT, "description": ""}),
    new_public_report("unknown-field", MALFORMED, body={**PUBLIC_REPORT, "reporterIp": "1.2.3.4"}),
    new_public_report("missing-device-id", MALFORMED, body={**PUBLIC_REPORT, "deviceId": ABSENT}),
    new_public_report("short-device-id", MALFORMED, body={**PUBLIC_REPORT, "deviceId": "d1"}),
    new_public_report("latitude-91", MALFORMED, body={**PUBLIC_REPORT, "lat": 91, "lng": 122}),
    new_public_report("latitude-is-text", MALFORMED, body={**PUBLIC_REPORT, "lat": "30.0", "lng": 122}),
    new_public_report("lat-without-lng", "PUBLIC_REPORT_INPUT_INVALID", body={**PUBLIC_REPORT, "lat": 30.0}),
    new_public_report("says-nowhere", "PUBLIC_REPORT_UNROUTABLE", body={**PUBLIC_REPORT, "regionCode": ABSENT}),
    new_public_report("unknown-region", "PUBLIC_REPORT_INPUT_INVALID", body={**PUBLIC_REPORT, "regionCode": "330999"}),
    new_public_report("region-code-with-letters", MALFORMED, body={**PUBLIC_REPORT, "regionCode": "3309x2"}),
    new_public_report("credit-code-17-characters", MALFORMED, body={**PUBLIC_REPORT, "enterpriseCreditCode": "9" * 17}),
    new_public_report(
        "photo-not-of-this-device", "PUBLIC_REPORT_INPUT_INVALID", body={**PUBLIC_REPORT, "photoIds": [UNKNOWN_ID]}
    ),
    new_public_report(
        "photo-listed-twice",
        "PUBLIC_REPORT_INPUT_INVALID",
        body={**PUBLIC_REPORT, "photoIds": [UNKNOWN_ID, UNKNOWN_ID]},
    ),
    new_public_report("ten-photos", MALFORMED, body={**PUBLIC_REPORT, "photoIds": [UNKNOWN_ID] * 10}),
    new_public_report("phone-with-letters", MALFORMED, body={**PUBLIC_REPORT, "contact": {"phone": "call me"}}),
    new_public_report("unknown-contact-field", MALFORMED, body={**PUBLIC_REPORT, "contact": {"idCard": "330902"}}),
    new_public_report(
        "occurred-in-the-future",
        "PUBLIC_REPORT_INPUT_INVALID",
        body={**PUBLIC_REPORT, "occurredAt": "2999-01-01T08:00:00+08:00"},
    ),
    new_public_report(
        "occurred-at-without-offset", MALFORMED, body={**PUBLIC_REPORT, "occurredAt": "2026-01-01T08:00:00"}
    ),
    new_public_report("not-json", MALFORMED, body=ABSENT, raw=b"description=fire"),
    new_public_photo(
        "html-named-jpg",
        "PHOTO_NOT_AN_IMAGE",
        raw=photo_form(b"<html>x</html>", clientId="p1", deviceId="bad-input-phone-1"),
    ),
    new_public_photo("empty-file", "PHOTO_EMPTY", raw=photo_form(b"", clientId="p1", deviceId="bad-input-phone-1")),
    new_public_photo("missing-device-id", MALFORMED, raw=photo_form(b"\xff\xd8\xff", clientId="p1")),
    new_public_photo("short-device-id", MALFORMED, raw=photo_form(b"\xff\xd8\xff", clientId="p1", deviceId="d1")),
    new_public_photo("json-body", "UNSUPPORTED_MEDIA_TYPE", body={"clientId": "p1"}, content_type="application/json"),
    follow_report("unknown-receipt", "NOT_FOUND"),
    follow_report("not-a-receipt", "NOT_FOUND", path="/v1/public/reports/%3Cscript%3E"),
    follow_report("over-long", MALFORMED, path="/v1/public/reports/" + "A" * 41),
    report_inbox("as-an-officer", "FORBIDDEN", auth="officer1"),
    report_inbox("as-a-principal", "FORBIDDEN", auth="principal2"),
    report_inbox("unknown-status", MALFORMED, params={"status": "open"}),
    report_inbox("bad-cursor", RULE, params={"cursor": "!!"}),
    report_inbox("without-a-token", "AUTH_REQUIRED", auth="anonymous"),
    report_inbox("unknown-id", "NOT_FOUND", path=f"/v1/public-reports/{UNKNOWN_ID}"),
    report_inbox("other-districts-report", "NOT_FOUND", path="/v1/public-reports/{R1}", auth="regulator_dinghai"),
    report_inbox("enterprise-reads-a-report", "FORBIDDEN", path="/v1/public-reports/{R1}", auth="officer2"),
    report_inbox("enterprise-reads-the-history", "FORBIDDEN", path="/v1/public-reports/{R1}/history", auth="officer2"),
    report_action("without-if-match", "IF_MATCH_REQUIRED", headers={}),
    report_action("stale-version", "PUBLIC_REPORT_VERSION_STALE", headers={"If-Match": '"99"'}),
    report_action("unknown-action", MALFORMED, body={"action": "escalate", "regionCode": "330903"}),
    report_action("forward-without-reason", MALFORMED, body={"action": "forward", "regionCode": "330903"}),
    report_action(
        "forward-region-code-not-digits", MALFORMED, body={"action": "forward", "regionCode": "33O903", "reason": "x"}
    ),
    report_action(
        "forward-to-an-unknown-region",
        "PUBLIC_REPORT_INPUT_INVALID",
        body={"action": "forward", "regionCode": "339999", "reason": "x"},
    ),
    report_action("accept-without-category", MALFORMED, body={"action": "accept", "enterpriseId": Ref("E2")}),
    report_action(
        "accept-without-enterprise",
        "PUBLIC_REPORT_INPUT_INVALID",
        body={"action": "accept", "category": "unsafe_act"} | REPORT_WORDS,
    ),
    report_action(
        "accept-for-an-unknown-enterprise",
        "NOT_FOUND",
        body={"action": "accept", "category": "unsafe_act", "enterpriseId": UNKNOWN_ID} | REPORT_WORDS,
    ),
    report_action(
        "accept-a-photo-not-of-the-report",
        "PUBLIC_REPORT_INPUT_INVALID",
        body={"action": "accept", "category": "unsafe_act", "enterpriseId": Ref("E2"), "photoIds": [UNKNOWN_ID]}
        | REPORT_WORDS,
    ),
    report_action(
        "accept-without-own-words",
        "PUBLIC_REPORT_WORDING_REQUIRED",
        body={"action": "accept", "category": "unsafe_act", "enterpriseId": Ref("E2")},
    ),
    report_action(
        "accept-without-a-description",
        "PUBLIC_REPORT_WORDING_REQUIRED",
        body={
            "action": "accept",
            "category": "unsafe_act",
            "enterpriseId": Ref("E2"),
            "title": "动火监护",
            "description": "   ",
        },
    ),
    report_action(
        "accept-copying-the-reporter",
        "PUBLIC_REPORT_WORDING_COPIED",
        body={
            "action": "accept",
            "category": "unsafe_act",
            "enterpriseId": Ref("E2"),
            "title": "动火监护",
            "description": "现场核实：六横船厂附近船坞晚上有人电焊切割，旁边没有看火人，也没有灭火器。",
        },
    ),
    report_action("dismiss-without-reason", MALFORMED, body={"action": "dismiss", "reason": ""}),
    report_action("by-a-grid-inspector-elsewhere", "NOT_FOUND", auth="inspector1"),
    report_action("by-an-officer", "FORBIDDEN", auth="officer2"),
    report_action("unknown-report", "NOT_FOUND", path=f"/v1/public-reports/{UNKNOWN_ID}/transitions"),
]


async def seeded_ids() -> dict[str, str]:
    """Ids of the demo enterprises (by key), grids (by code) and users (by username) in this database."""
    by_name = {row["name"]: row["id"] for row in await Enterprise.select(Enterprise.name, Enterprise.id).run()}
    ids = {key: by_name[name] for key, name, *_ in zhoushan.ENTERPRISES}
    ids |= {row["code"]: row["id"] for row in await Grid.select(Grid.code, Grid.id).run()}
    ids |= {row["username"]: row["id"] for row in await AppUser.select(AppUser.username, AppUser.id).run()}
    first_point = (
        await RiskPoint.select(RiskPoint.id)
        .where(RiskPoint.enterprise_id == ids["E1"])
        .order_by(RiskPoint.id)
        .first()
        .run()
    )
    ids["P1"] = first_point["id"]
    first_item = (
        await ChecklistItem.select(ChecklistItem.id)
        .where(ChecklistItem.risk_point_id == ids["P1"])
        .order_by(ChecklistItem.id)
        .first()
        .run()
    )
    ids["I1"] = first_item["id"]
    # a general hazard of E1 reported by its officer and still waiting for a decision (the seed makes several)
    reported = (
        await Hazard.select(Hazard.id, Hazard.version)
        .where(
            Hazard.enterprise_id == ids["E1"],
            Hazard.status == "reported",
            Hazard.level == "general",
            Hazard.level_confirmed.eq(True),
            Hazard.reporter_id == ids["officer1"],
        )
        .order_by(Hazard.id)
        .first()
        .run()
    )
    ids["H1"], ids["H1v"] = reported["id"], str(reported["version"])
    waiting = (
        await PublicReport.select(PublicReport.id, PublicReport.version)
        .where(PublicReport.status == "received", PublicReport.region_code == "330903100")
        .first()
        .run()
    )
    ids["R1"], ids["R1v"] = waiting["id"], str(waiting["version"])
    return ids


def resolve(value: Any, ids: dict[str, str]) -> Any:
    """The body with seeded ids filled in and ABSENT fields left out."""
    if isinstance(value, Ref):
        return ids[value.key]
    if isinstance(value, dict):
        return {key: resolve(item, ids) for key, item in value.items() if item is not ABSENT}
    if isinstance(value, list):
        return [resolve(item, ids) for item in value]
    return value


def forged_token(kind: str, *, secret: str, user_id: str) -> str:
    """The admin's token spoiled in one way; every other claim is what the service itself signs."""
    now = int(time.time())
    claims = {"sub": user_id, "iss": ISSUER, "iat": now, "exp": now + 600, "role": "admin"}
    match kind:
        case "random-string":
            return secrets.token_urlsafe(40)
        case "wrong-secret":
            return jwt.encode(claims, "not-the-secret-of-this-service-0123456789", algorithm="HS256")
        case "expired":
            return jwt.encode(claims | {"iat": now - 7200, "exp": now - 3600}, secret, algorithm="HS256")
        case "alg-none":
            return jwt.encode(claims, None, algorithm="none")
        case "wrong-issuer":
            return jwt.encode(claims | {"iss": "not-" + ISSUER}, secret, algorithm="HS256")
        case "unknown-user":
            return jwt.encode(claims | {"sub": UNKNOWN_ID}, secret, algorithm="HS256")
    raise ValueError(kind)


async def authorization(client: httpx.AsyncClient, app, auth: str, ids: dict[str, str]) -> dict[str, str]:
    """The Authorization header of a case."""
    if auth == "anonymous":
        return {}
    if auth == "basic-scheme":
        return {"Authorization": "Basic YWRtaW46RGVtb0AyMDI2"}  # admin:Demo@2026, in a scheme we do not take
    if auth in FORGED_TOKENS:
        token = forged_token(auth, secret=services_of(app).settings.jwt_secret, user_id=ids["admin"])
        return {"Authorization": f"Bearer {token}"}
    return await login(client, auth)


async def send(client: httpx.AsyncClient, case: Case, ids: dict[str, str], headers: dict[str, str]) -> httpx.Response:
    """The case's request."""
    content = case.raw
    if case.body is not ABSENT:
        content = json.dumps(resolve(case.body, ids)).encode()
    if content is not None:
        headers = {**headers, "Content-Type": case.content_type}
    headers = {**headers, **{name: value.format_map(ids) for name, value in (case.headers or {}).items()}}
    path = case.path.format_map(ids)
    return await client.request(case.method, path, params=case.params, content=content, headers=headers)


async def stored_rows() -> dict[str, list[dict]]:
    """Every row of every table but the sign-in attempts and the public rate counters, which count refused requests
    on purpose (lockout, rate limits)."""
    return {
        table._meta.tablename: await table.select().order_by(table._meta.primary_key).run()
        for table in ALL_TABLES
        if table not in (LoginAttempt, PublicRateCounter)
    }


def assert_problem(response: httpx.Response, codes: tuple[str, ...]) -> dict:
    """A catalogued 4xx problem carrying one of the codes, with its catalogued status; returns the body."""
    is_problem = response.headers.get("content-type", "").startswith("application/problem+json")
    code = response.json().get("code") if is_problem else None
    assert (response.status_code, code) in {(CATALOGUE[c].status, c) for c in codes}, (
        f"{response.request.method} {response.request.url} -> {response.status_code} {response.text[:300]}"
    )
    body = response.json()
    assert {"type", "title", "status", "detail", "code"} <= body.keys()
    assert body["status"] == response.status_code
    assert body["type"] == problem_type(code)
    assert body["title"] and body["detail"]
    return body


@pytest.mark.parametrize("case", CASES)
async def test_bad_input_gets_a_catalogued_4xx_problem_and_stores_nothing(case: Case, client, app, request):
    ids = await seeded_ids()
    headers = await authorization(client, app, case.auth, ids)
    before = await stored_rows()

    response = await send(client, case, ids, headers)

    assert_problem(response, case.codes)
    assert await stored_rows() == before


async def test_the_requests_the_bad_cases_spoil_are_accepted(client, app):
    ids = await seeded_ids()
    now = int(time.time())
    claims = {"sub": ids["admin"], "iss": ISSUER, "iat": now, "exp": now + 600}
    signed_right = jwt.encode(claims, services_of(app).settings.jwt_secret, algorithm="HS256")
    assert (await client.get("/v1/me", headers={"Authorization": f"Bearer {signed_right}"})).status_code == 200
    admin = await login(client, "admin")
    for name, method, path, body in PROTECTED:
        response = await send(client, Case(method, path, (), body=body), ids, admin)
        assert response.status_code in (200, 201), f"{name}: {response.text[:300]}"
    officer, principal = await login(client, "officer1"), await login(client, "principal1")
    reported = await send(client, Case("POST", "/v1/hazards", (), body=HAZARD), ids, officer)
    assert reported.status_code == 201, reported.text
    assigned = await send(
        client, Case("POST", "/v1/hazards/{H1}/transitions", (), body=ASSIGN, headers=CURRENT), ids, principal
    )
    assert assigned.status_code == 200, assigned.text
    submitted = await send(client, Case("POST", "/v1/public/reports", (), body=PUBLIC_REPORT), ids, {})
    assert submitted.status_code == 201, submitted.text
    city = await login(client, "regulator_city")
    accept = Case(
        "POST",
        "/v1/public-reports/{R1}/transitions",
        (),
        headers={"If-Match": '"{R1v}"'},
        body={"action": "accept", "category": "unsafe_condition", "enterpriseId": Ref("E2")} | REPORT_WORDS,
    )
    assert (await send(client, accept, ids, city)).status_code == 200


LANGUAGE_CASES = {
    "me-without-a-token",
    "login-json-array",
    "admin-users-post-duplicate-username",
    "admin-enterprises-post-wrong-check-character",
}


@pytest.mark.parametrize("case", [param for param in CASES if param.id in LANGUAGE_CASES])
async def test_the_same_problem_reads_in_english_or_chinese_under_one_code(case: Case, client, app):
    ids = await seeded_ids()
    headers = await authorization(client, app, case.auth, ids)
    bodies = {}
    for accept, language in [
        ("en", "en"),
        ("zh-CN", "zh"),
        ("zh-CN;q=0.5, en-GB;q=0.9", "en"),
        ("en;q=0.1, zh;q=0.8", "zh"),
        (";;q=x,,*;q=abc", "zh"),  # nothing usable: Chinese, and still no 500
    ]:
        response = await send(client, case, ids, {**headers, "Accept-Language": accept})
        body = assert_problem(response, case.codes)
        entry = CATALOGUE[body["code"]]
        assert body["title"] == (entry.en if language == "en" else entry.zh), accept
        assert response.headers["content-language"] == ("en" if language == "en" else "zh-CN"), accept
        bodies[accept] = body
    assert len({(body["code"], body["status"], body["type"]) for body in bodies.values()}) == 1
    assert bodies["en"]["title"] != bodies["zh-CN"]["title"]
