"""schemathesis over the served OpenAPI document, as an enterprise officer, a grid inspector and a district regulator.

Every operation of /schema/openapi.json, in positive and negative data, with every check schemathesis has: the
document must say what the server enforces, and the server must never answer 5xx. Bounded and reproducible: a fixed
number of examples per operation and mode, Hypothesis derandomized (the same cases on every run), no shrinking.

How requests reach the app: schemathesis sends with `requests` from a worker thread (Hypothesis is synchronous); a
transport adapter hands each request to the real app, which runs on the test's event loop through
`httpx.ASGITransport`. schemathesis' own ASGI client would run the app on a loop of its own, where the database
engine the fixtures opened cannot be used. Probes a check sends itself (`ignored_auth`) go the same way.

SQLite only: the fuzz is about the document and the HTTP layer, the same on both engines; what each operation does
on PostgreSQL the rest of the suite covers, and fuzzing twice would double the fuzz's time.

What is not fuzzed, and why:
- NUL characters in text (`allow_x00` off): the server refuses them everywhere (api/strict.py, 400), which a
  document can only say as a `pattern` on every string, a breaking change for the add-only contract (api/contract.py).
- `max_response_time`: a timed assertion (the house rule: speed is shown by bench/, not by tests).
- positive_data_acceptance lets 422 pass (a domain rule, not the form), 428 where If-Match is listed, and per
  operation the statuses in EXCUSED, each with its reason; every other check applies everywhere.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
from dataclasses import dataclass, field
from typing import Any
from unittest import SkipTest

import httpx
import pytest
import requests
import requests.adapters
import schemathesis
import urllib3
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.generation import GenerationMode
from schemathesis.transport.requests import REQUESTS_TRANSPORT, RequestsTransport

from api.app import create_app
from api.contract import openapi_document
from tests.conftest import login

BASE_URL = "http://testserver"
ROLES = {"officer": "officer1", "inspector": "inspector1", "regulator": "regulator_dinghai"}
# Per operation and generation mode (plus the document's own examples): ~120 operations x 2 modes x this, per role.
MAX_EXAMPLES = 5

# Limits raised for the fuzz (api/limits.py, domain/accounts): off, or beyond what a run sends.
UNLIMITED = {
    "write_limit": 0,
    "signin_address_failures": 1_000_000,
    "signin_address_attempts": 1_000_000,
    "signin_username_attempts": 1_000_000,
}

# The constraints on list items and 0 bounds are lost by Litestar's schema generation (the pattern or length of an
# item of `list[Id]`, `ge=0`) while the server checks them; adding them to the document now is a breaking change for
# the add-only contract checker (the 1.0 snapshot lacks them): for the lead to decide.
LOST_CONSTRAINT = (
    "a list item's pattern or length, or a 0 bound, that the document loses (Litestar) and the server checks"
)
# A schema-valid integer such as 1.0 is a float to msgspec's strict decoding (api/strict.py): JSON types as sent.
INTEGER_AS_FLOAT = "1.0 is an integer to JSON Schema and a float to the strict decoder"
DECIMAL_TEXT = "decimals are strings typed `string` without a pattern in 1.0 (a pattern now is a breaking change)"
JUDGED_BY_BYTES = "the file is judged by its bytes, which no schema describes (415 for anything else)"

# 422 is the catalogue's "well formed, refused by a domain rule" (an unknown industry, a cursor this server did not
# issue, a date range backwards, a public report that says nowhere where): a schema states the form, not the rules,
# so positive_data_acceptance lets 422 pass on every operation. 400 (malformed) on schema-valid data stays a failure.
DOMAIN_RULE = 422
# 428 on an operation whose document lists If-Match: required in fact, optional in the document (the 1.0 document
# lacked the header, and add-only evolution refuses a parameter that becomes required; see api/openapi_docs.py).
IF_MATCH_REQUIRED = 428

# Operation → (further statuses positive_data_acceptance lets pass there, why). Only that check, only those statuses:
# every other check, and every other status, still applies to the operation.
EXCUSED: dict[str, tuple[frozenset[int], str]] = {
    "GET /v1/sync/changes": (frozenset({400}), "`since` is an opaque cursor (400 SYNC_CURSOR_INVALID by contract)"),
    "GET /v1/scan/{token}": (frozenset({400}), LOST_CONSTRAINT),
    "PUT /v1/enterprises/{enterprise_id}/users/{user_id}/posts": (frozenset({400}), LOST_CONSTRAINT),
    "POST /v1/admin/users": (frozenset({400}), LOST_CONSTRAINT),
    "PATCH /v1/admin/users/{user_id}": (frozenset({400}), LOST_CONSTRAINT),
    "POST /v1/criteria/editions": (frozenset({400}), LOST_CONSTRAINT),
    "POST /v1/hazards": (frozenset({400}), LOST_CONSTRAINT),
    "POST /v1/inspections": (frozenset({400}), LOST_CONSTRAINT),
    "POST /v1/random-checks": (frozenset({400}), LOST_CONSTRAINT),
    "PUT /v1/random-checks/{plan_id}/results/{enterprise_id}": (frozenset({400}), LOST_CONSTRAINT),
    "POST /v1/public-reports/{report_id}/transitions": (frozenset({400}), LOST_CONSTRAINT),
    "POST /v1/public/reports": (frozenset({400}), LOST_CONSTRAINT),
    "POST /v1/enterprises/{enterprise_id}/risk-points": (frozenset({400}), LOST_CONSTRAINT),
    "PATCH /v1/risk-points/{risk_point_id}": (frozenset({400}), LOST_CONSTRAINT),
    "POST /v1/public/reports/photos": (frozenset({400}), "the form field deviceId's minimum length is lost likewise"),
    "POST /v1/risk-points/{risk_point_id}/checklist": (frozenset({400}), INTEGER_AS_FLOAT),
    "POST /v1/risk-points/{risk_point_id}/assessments": (frozenset({400}), DECIMAL_TEXT),
    "POST /v1/enterprises/{enterprise_id}/penalties": (frozenset({400}), DECIMAL_TEXT),
    "POST /v1/documents": (frozenset({415}), JUDGED_BY_BYTES),
    "POST /v1/photos": (frozenset({415}), JUDGED_BY_BYTES),
}


class AppOnLoop(requests.adapters.HTTPAdapter):
    """A `requests` adapter that sends each request to the app through httpx, on the loop the app runs on."""

    def __init__(self, client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.client, self.loop = client, loop

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        body = request.body.encode() if isinstance(request.body, str) else request.body
        sent = self.client.request(request.method or "GET", str(request.url), headers=request.headers, content=body)
        answer = asyncio.run_coroutine_threadsafe(sent, self.loop).result(timeout=60)
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(answer.content),
            headers=list(answer.headers.multi_items()),
            status=answer.status_code,
            reason=answer.reason_phrase,
            version=11,
            preload_content=False,
            request_method=request.method,
        )
        return self.build_response(request, raw)


class ThroughTheApp(RequestsTransport):
    """schemathesis' `requests` transport, with the session that reaches the app whenever none is given."""

    def __init__(self, session: requests.Session) -> None:
        super().__init__()
        self._copy_serializers_from(REQUESTS_TRANSPORT)
        self.session = session

    def send(self, case: Any, *, session: requests.Session | None = None, **kwargs: Any) -> Any:
        # Probes (ignored_auth) drop the run's session to shed its credentials; this one carries none.
        return super().send(case, session=session or self.session, **kwargs)


def served_schema(document: dict[str, Any], session: requests.Session, token: str) -> Any:
    """The document as a schemathesis schema whose every request, probes included, goes to the app as the role."""
    schema = schemathesis.openapi.from_dict(document)
    transport = ThroughTheApp(session)

    class SchemaOfTheApp(type(schema)):
        @property
        def transport(self) -> Any:
            return transport

    schema.__class__ = SchemaOfTheApp
    schema.config.generation.update(allow_x00=False)

    # The role's token as schemathesis' own auth, not a header added on the way: a negative case that drops or
    # mangles Authorization then goes out so, and `ignored_auth` knows which credentials to take away.
    @schema.auth()
    class RoleToken:
        def get(self, case: Any, context: Any) -> str:
            return token

        def set(self, case: Any, data: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    return schema


def passing_statuses(operation: Any) -> frozenset[int]:
    """The statuses positive_data_acceptance lets pass on this operation, besides its own (see DOMAIN_RULE)."""
    statuses = {DOMAIN_RULE, *EXCUSED.get(operation.label, (frozenset(), ""))[0]}
    if any(parameter.name.lower() == "if-match" for parameter in operation.iter_parameters()):
        statuses.add(IF_MATCH_REQUIRED)
    return frozenset(statuses)


def checks_for(operation: Any) -> list[Any]:
    """Every check schemathesis has; positive_data_acceptance lets this operation's `passing_statuses` pass."""
    load_all_checks()
    statuses = passing_statuses(operation)
    strict = CHECKS.get_one("positive_data_acceptance")

    def positive_data_acceptance(ctx: Any, response: Any, case: Any) -> bool | None:
        return None if response.status_code in statuses else strict(ctx, response, case)

    return [positive_data_acceptance if check is strict else check for check in CHECKS.get_all() if callable(check)]


@dataclass
class Outcome:
    """What one role's fuzz did."""

    operations: int = 0
    examples: int = 0
    nothing_to_negate: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def fuzz_operation(
    operation: Any,
    mode: GenerationMode,
    checks: list[Any],
    session: requests.Session,
    outcome: Outcome,
) -> None:
    """MAX_EXAMPLES cases of one operation in one mode (and the document's examples), every check on each answer."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,  # the same cases on every run
        phases=[Phase.explicit, Phase.generate],  # no shrinking: bounded time, and a failure shows its case
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        outcome.examples += 1
        case.call_and_validate(base_url=BASE_URL, session=session, checks=checks)

    run()


def fuzz(schema: Any, session: requests.Session) -> Outcome:
    """Every operation in both generation modes (run in a worker thread: Hypothesis blocks)."""
    outcome = Outcome()
    for result in schema.get_all_operations():
        operation = result.ok()
        outcome.operations += 1
        checks = checks_for(operation)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzz_operation(operation, mode, checks, session, outcome)
            except (SkipTest, Unsatisfiable):
                # Free strings only: no value of this operation's inputs can be made invalid.
                outcome.nothing_to_negate.append(operation.label)
            except (Exception, BaseExceptionGroup) as error:  # every failing operation, not only the first
                outcome.failures.append(f"{operation.label} [{mode.value}]: {error}")
    return outcome


def operation_labels(document: dict[str, Any]) -> set[str]:
    """`METHOD /path` of every operation in the document."""
    return {f"{method.upper()} {path}" for path, operations in document["paths"].items() for method in operations}


def test_every_excused_operation_is_in_the_document():
    """An excuse outlives its operation only by mistake: each names an operation the app serves."""
    missing = set(EXCUSED) - operation_labels(openapi_document())
    assert not missing, missing


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)  # SQLite only: see the module's text
@pytest.mark.parametrize("role", list(ROLES))
async def test_the_served_document_holds_under_fuzzing(db, role):
    settings, engine = db
    # The rate limits stay documented (429 passes every check) but off here: a fuzz sends a day's writes a minute.
    application = create_app(dataclasses.replace(settings, **UNLIMITED), engine)
    transport = httpx.ASGITransport(app=application)
    async with application.lifespan(), httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        token = (await login(client, ROLES[role]))["Authorization"].removeprefix("Bearer ")
        document = (await client.get("/schema/openapi.json")).json()
        session = requests.Session()
        session.mount(BASE_URL, AppOnLoop(client, asyncio.get_running_loop()))
        outcome = await asyncio.to_thread(fuzz, served_schema(document, session, token), session)
    print(f"{role}: {outcome.operations} operations, {outcome.examples} examples")
    assert outcome.operations == len(operation_labels(document))
    assert not outcome.failures, "\n\n".join(outcome.failures)
