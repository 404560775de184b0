"""The one mapping from errors to RFC 9457 problem details, localised by `Accept-Language`."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec
from litestar.plugins import ReceiveRoutePlugin
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsException, ProblemDetailsPlugin
from litestar.routes import BaseRoute, HTTPRoute

from api.auth import PUBLIC_PATHS
from domain.db.outage import STORAGE_RETRY_AFTER_S, is_storage_outage
from domain.errors import DomainError, StorageUnavailable
from mobile_contract.errors import CATALOGUE, Problem, localised_title, problem_type

log = logging.getLogger("shuangfang.errors")

# The codes Litestar's own HTTP errors (validation, auth, routing, size, rate limits) get. Each is keyed by the status
# the catalogue gives it, so the catalogue stays the one place a code's status is written.
HTTP_ERROR_CODES = (
    "REQUEST_MALFORMED",
    "AUTH_REQUIRED",
    "FORBIDDEN",
    "NOT_FOUND",
    "METHOD_NOT_ALLOWED",
    "CONFLICT",
    "BODY_TOO_LARGE",
    "UNSUPPORTED_MEDIA_TYPE",
    "RATE_LIMITED",
    "SERVICE_UNAVAILABLE",
)
HTTP_STATUS_CODES: dict[int, str] = {CATALOGUE[code].status: code for code in HTTP_ERROR_CODES}


class CodedProblem(ProblemDetailsException):
    """A problem-details exception that knows its catalogue code, localised when rendered."""

    def __init__(self, code: str, detail: str = "", *, params: dict[str, Any] | None = None, errors=None, headers=None):
        entry = CATALOGUE[code]
        super().__init__(detail=detail, status_code=entry.status, headers=headers, type_=problem_type(code))
        self.code = code
        self.params = params or {}
        self.errors = errors

    def to_response(self, request: Request) -> Response:
        """Our fields: type, title, status, detail, code (and params, errors), in the caller's language."""
        language = preferred_language(request)
        title = localised_title(self.code, language)
        body: dict[str, Any] = {
            "type": self.type_,
            "title": title,
            "status": self.status_code,
            "detail": self.detail if (language == "en" and self.detail) else title,
            "code": self.code,
        }
        if self.params:
            body["params"] = self.params
        if self.errors:
            body["errors"] = self.errors
        return Response(
            body,
            status_code=self.status_code,
            headers={**(self.headers or {}), "Content-Language": "zh-CN" if language == "zh" else "en"},
            media_type="application/problem+json",
        )


def domain_error_to_problem(error: DomainError) -> CodedProblem:
    """A domain error keeps its code, its message and its parameters."""
    headers = None
    if retry := error.params.get("retryAfterSeconds"):
        headers = {"Retry-After": str(retry)}
    return CodedProblem(error.code, error.detail, params=error.params, headers=headers)


def http_error_to_problem(error: HTTPException) -> CodedProblem:
    """Litestar's errors (validation, auth, routing, size) get the code of their status."""
    code = HTTP_STATUS_CODES.get(
        error.status_code, "INTERNAL_ERROR" if error.status_code >= 500 else "REQUEST_MALFORMED"
    )
    errors = error.extra if isinstance(error.extra, list) else None
    detail = error.detail if error.status_code < 500 else ""
    return CodedProblem(code, detail, errors=errors, headers=error.headers)


def unexpected_error_to_problem(error: Exception) -> CodedProblem:
    """The database being away is a 503 to retry (STORAGE_UNAVAILABLE); anything else is our bug: logged with its
    trace here, never sent to the client."""
    if is_storage_outage(error):
        log.warning("storage unavailable: %r", error)  # an outage, not a bug: no trace per request while it lasts
        return domain_error_to_problem(StorageUnavailable(retryAfterSeconds=STORAGE_RETRY_AFTER_S))
    log.error("unhandled error", exc_info=error)
    return CodedProblem("INTERNAL_ERROR")


def preferred_language(request: Request) -> str:
    """`zh` or `en` from `Accept-Language` (q-values honoured); Chinese when the header says nothing usable."""
    best, best_q = "zh", -1.0
    for part in request.headers.get("accept-language", "").split(","):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        language = "zh" if tag.startswith("zh") else "en" if tag.startswith("en") else None
        if language and q > best_q:
            best, best_q = language, q
    return best


problem_details_plugin = ProblemDetailsPlugin(
    ProblemDetailsConfig(
        exception_handler=lambda request, exc: (
            exc if isinstance(exc, CodedProblem) else http_error_to_problem(exc)
        ).to_response(request),
        exception_to_problem_detail_map={
            DomainError: domain_error_to_problem,
            HTTPException: http_error_to_problem,
            Exception: unexpected_error_to_problem,
        },
    )
)


def _problem_response(description: str) -> ResponseSpec:
    # No generated examples: they are random, and the committed OpenAPI document must come out the same every time.
    return ResponseSpec(
        Problem, description=description, generate_examples=False, media_type="application/problem+json"
    )


PROBLEM_RESPONSES: dict[int | str, ResponseSpec] = {
    400: _problem_response("REQUEST_MALFORMED: a field is missing, of the wrong type or unknown (see `errors`)"),
    "default": _problem_response(
        "Any other refusal or failure, as problem details whose `code` is in `GET /v1/errors`"
    ),
}


# The rate limits of api/limits.py and domain/accounts, documented on the operations they apply to.
WRITE_LIMITED = _problem_response(
    "WRITE_RATE_LIMITED: this user sent more writes than the window allows; retry after `Retry-After` seconds"
)
SIGNIN_LIMITED = _problem_response(
    "AUTH_SIGNIN_RATE_LIMITED: too many sign-ins from this address or for this username; retry after `Retry-After`"
    " seconds"
)
SIGN_IN_PATH = "/v1/auth/login"


def _rate_limit_responses(path: str, methods: set[str]) -> dict[int | str, ResponseSpec]:
    """429 for the sign-in, and for every authenticated write under `/v1` (the public ones have their own)."""
    if path == SIGN_IN_PATH:
        return {429: SIGNIN_LIMITED}
    writes = methods & {"POST", "PUT", "PATCH", "DELETE"}
    if writes and path.startswith("/v1/") and not any(re.search(pattern, path) for pattern in PUBLIC_PATHS):
        return {429: WRITE_LIMITED}
    return {}


class ProblemResponses(ReceiveRoutePlugin):
    """Documents every operation's errors as the problem details they are (Litestar would describe its own shape)."""

    def receive_route(self, route: BaseRoute) -> None:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                limited = _rate_limit_responses(route.path, set(handler.http_methods))
                handler.responses = {**PROBLEM_RESPONSES, **limited, **(handler.responses or {})}
