"""The supervision console (监管控制台): server-rendered pages for regulators, grid inspectors and admins.

The router at `/console` mounts every `CONTROLLERS` list of the modules in `api/console/pages/` (a page is added by
adding a module), provides `actor` from the session cookie (api/console/session.py), checks a CSRF token on every
form, and renders errors as pages: an unknown id and one outside the caller's scope give the same 404 page, as an
unknown path does.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import logging
import pkgutil
from pathlib import Path

from litestar import Request, Response, Router, get
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import ResponseHeader
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.plugins.problem_details import ProblemDetailsException
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from api.console import pages
from api.console.render import page, register_filters, see_other
from api.console.session import ConsoleRefused, SignInRequired, cookie_is_secure, provide_actor, sign_in_url
from domain.access.model import Actor
from domain.config import Settings
from domain.db.outage import STORAGE_RETRY_AFTER_S, is_storage_outage
from domain.errors import DomainError, Forbidden, NotFound
from mobile_contract.errors import CATALOGUE, localised_title

log = logging.getLogger("shuangfang.console")

TEMPLATES = Path(__file__).parent / "templates"
# Everything from this origin, nothing inline but style attributes (the SVG maps and charts), never framed.
SECURITY_HEADERS = [
    ResponseHeader(
        name="Content-Security-Policy",
        value="default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self';"
        " form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
    ResponseHeader(name="Cache-Control", value="no-store"),
]
STATIC = Path(__file__).parent / "static"


def template_config() -> TemplateConfig:
    """Jinja2 over `api/console/templates` (autoescaped), with the console's filters."""
    from litestar.contrib.jinja import JinjaTemplateEngine

    return TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=register_filters)


def page_controllers() -> list[type]:
    """Every controller of every module in api/console/pages (each module lists its own in `CONTROLLERS`)."""
    found: list[type] = []
    for module in sorted(pkgutil.iter_modules(pages.__path__), key=lambda m: m.name):
        found.extend(getattr(importlib.import_module(f"{pages.__name__}.{module.name}"), "CONTROLLERS", []))
    return found


def _not_found(request: Request, _: Exception) -> Response:
    return page("console/404.html", status_code=404)


def _refused(request: Request, _: Exception) -> Response:
    return page("console/403.html", status_code=403)


def _sign_in(request: Request, exc: SignInRequired) -> Response:
    return see_other(sign_in_url(exc.path))


def _domain_error(request: Request, exc: DomainError) -> Response:
    if isinstance(exc, NotFound):
        return _not_found(request, exc)
    if isinstance(exc, Forbidden):
        return _refused(request, exc)
    entry = CATALOGUE.get(exc.code)
    status = entry.status if entry else 422
    message = localised_title(exc.code, "zh") if entry else exc.code
    return page("console/error.html", status_code=status, code=exc.code, message=message, detail=exc.detail)


def _http_error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 404:
        return _not_found(request, exc)
    if exc.status_code == 403:
        return _refused(request, exc)
    if exc.status_code >= 500:
        return _unexpected(request, exc)
    return page(
        "console/error.html", status_code=exc.status_code, code=str(exc.status_code), message="请求有误", detail=""
    )


def _unexpected(request: Request, exc: Exception) -> Response:
    if is_storage_outage(exc):  # the database is away for now (see api/errors.py): a page to come back to, not a bug
        log.warning("console page: storage unavailable: %r", exc)
        unavailable = page(
            "console/error.html",
            status_code=503,
            code="STORAGE_UNAVAILABLE",
            message=localised_title("STORAGE_UNAVAILABLE", "zh"),
            detail="",
        )
        unavailable.headers["Retry-After"] = str(STORAGE_RETRY_AFTER_S)
        return unavailable
    log.error("console page failed", exc_info=exc)
    return page("console/error.html", status_code=500, code="INTERNAL_ERROR", message="系统出错，请稍后再试", detail="")


@get("/{rest:path}", include_in_schema=False)
async def unknown_page(rest: str, actor: Actor) -> None:
    """Any other console path: signed out, the sign-in page (as for any page); else the same 404 page as an unknown
    or out-of-scope id, so nobody learns which pages exist beyond their role."""
    raise NotFoundException()


def console_router(settings: Settings) -> Router:
    """The console's router: its pages, its static assets, its sign-in dependency, CSRF and error pages."""
    csrf = CSRFConfig(
        # Its own key, derived from the service secret, so a CSRF token can never be mistaken for anything else.
        secret=hmac.new(settings.jwt_secret.encode(), b"console-csrf", hashlib.sha256).hexdigest(),
        cookie_name="sf_console_csrf",
        cookie_path="/console",
        cookie_secure=cookie_is_secure(settings),
        cookie_httponly=True,
        cookie_samesite="strict",
    )
    static = create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False)
    return Router(
        path="/console",
        route_handlers=[*page_controllers(), static, unknown_page],
        dependencies={"actor": Provide(provide_actor)},
        middleware=[DefineMiddleware(CSRFMiddleware, config=csrf)],
        exception_handlers={
            SignInRequired: _sign_in,
            ConsoleRefused: _refused,
            DomainError: _domain_error,
            ProblemDetailsException: _http_error,
            HTTPException: _http_error,
            NotFoundException: _not_found,
            PermissionDeniedException: _refused,
            Exception: _unexpected,
        },
        response_headers=SECURITY_HEADERS,
        include_in_schema=False,
    )
