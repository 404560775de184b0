"""The Litestar application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import structlog
from litestar import Litestar, Request, get
from litestar.datastructures import State
from litestar.logging.config import LoggingConfig, StructLoggingConfig, default_structlog_standard_lib_processors
from litestar.middleware.logging import LoggingMiddlewareConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme, Server
from litestar.plugins.structlog import StructlogConfig, StructlogPlugin
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from piccolo.engine.base import Engine

from api.auth import PublicOperations, build_jwt_auth
from api.console import console_router, template_config
from api.console.public_random_checks import PublicRandomCheckPages
from api.dependencies import STATE_KEY, Services, provide
from api.errors import ProblemResponses, problem_details_plugin
from api.idempotency import IdempotencyPlugin
from api.limits import limit_writes
from api.openapi_docs import DocumentedOperations, DocumentedStructs
from api.routes.admin import AdminController
from api.routes.auth import AuthController
from api.routes.codes import CodesController
from api.routes.contract import error_catalogue
from api.routes.credit import CreditController
from api.routes.criteria import CriteriaController
from api.routes.documents import DocumentController
from api.routes.hazards import HazardController
from api.routes.health import alive, ready
from api.routes.inspections import InspectionController
from api.routes.landing import code_landing
from api.routes.notifications import NotificationController, WebhookController
from api.routes.orgs import OrgController
from api.routes.photos import PhotoController
from api.routes.platform_push import PlatformPushController
from api.routes.public_reports import PublicReportController, ReportInboxController
from api.routes.random_checks import PublicRandomCheckController, RandomCheckController
from api.routes.risk import RiskPointController
from api.routes.risk_map import RiskMapController
from api.routes.standardisation import StandardisationController
from api.routes.stats import StatsController
from api.routes.statutory import StatisticsController
from api.routes.supervision import SupervisionController
from api.routes.sync import SyncController
from api.statements import StatementCountPlugin
from api.strict import StrictRequest, refuse_nul_in_url
from domain.accounts.services import AccountService
from domain.codes.printables import Printables
from domain.codes.services import Codes
from domain.config import Settings
from domain.db.engine import bind_engine, build_engine, close_engine, open_engine
from domain.documents.services import Documents
from domain.photos.services import Photos
from mobile_contract import CONTRACT_VERSION
from workers.background import InProcessSchedule, OutboxRelayLoop
from workers.dispatch import Dispatcher
from workers.settings import CRON_JOBS

# JSON bodies are small; endpoints that take files set their own limit.
MAX_JSON_BODY = 1024 * 1024
# Swagger UI 5, vendored from npm (api/static/swagger-ui/README.md): it renders OpenAPI 3.1, offline.
SWAGGER_UI_ASSETS = Path(__file__).parent / "static" / "swagger-ui"


def _stdlib_json_logging() -> LoggingConfig:
    """Litestar's JSON formatting of stdlib records, plus the traceback as text.

    Litestar's default chain hands a record's `exc_info` tuple to the JSON renderer, which cannot encode it, so every
    `log.error(..., exc_info=...)` (each 500 among them) was lost as a "Logging error"; `format_exc_info` first.
    """
    *processors, renderer = default_structlog_standard_lib_processors(as_json=True)
    chain = [*processors, structlog.processors.format_exc_info, renderer]
    return LoggingConfig(formatters={"standard": {"()": structlog.stdlib.ProcessorFormatter, "processors": chain}})


@get("/", include_in_schema=False)
async def home() -> Redirect:
    """The site's root opens the supervision console."""
    return Redirect(path="/console/", status_code=302)


def create_app(settings: Settings, engine: Engine | None = None) -> Litestar:
    """Build the app for these settings; the engine is opened and closed by the app's lifespan."""
    engine = engine or build_engine(settings)
    bind_engine(engine)
    jwt_auth = build_jwt_auth(settings)
    codes = Codes(settings)
    dispatcher = Dispatcher(settings, engine)
    relay = OutboxRelayLoop(dispatcher)
    services = Services(
        settings=settings,
        engine=engine,
        accounts=AccountService(settings),
        jwt_auth=jwt_auth,
        codes=codes,
        printables=Printables(codes),
        photos=Photos(settings, dispatcher),
        documents=Documents(settings),
        dispatcher=dispatcher,
        relay=relay,
    )
    # Without Redis no worker runs the cron schedule, so this process does (see workers/background.py).
    schedule = InProcessSchedule(dispatcher, CRON_JOBS) if settings.run_schedule and not settings.redis_url else None

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await open_engine(engine)
        relay.start()
        if schedule is not None:
            schedule.start()
        try:
            yield
        finally:
            try:
                await relay.stop()
                if schedule is not None:
                    await schedule.stop()
                await dispatcher.close()  # in-process jobs finish before the engine they use closes
                await services.accounts.close()
            finally:
                await close_engine(engine)

    async def relay_after_writes(request: Request) -> None:
        # A write may have left outbox entries: relay them now rather than at the next timed pass.
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            relay.kick()

    openapi = OpenAPIConfig(
        title="Shuangfang 双防 API",
        version=CONTRACT_VERSION,
        description="The mobile API of the dual-prevention mechanism. Errors are RFC 9457 problem details with a stable `code`.",
        path="/schema",
        use_handler_docstrings=True,  # a handler's docstring is its operation's description
        servers=[Server(url="/")],
        render_plugins=[
            # Served from the repository's copy at /schema/assets: the docs work offline, with no CDN.
            SwaggerRenderPlugin(
                path="/swagger",
                js_url="/schema/assets/swagger-ui-bundle.js",
                css_url="/schema/assets/swagger-ui.css",
                standalone_preset_js_url="/schema/assets/swagger-ui-standalone-preset.js",
                favicon="<link rel='icon' type='image/png' href='/schema/assets/favicon-32x32.png'>",
            )
        ],
        components=Components(
            security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
        ),
    )
    logging = StructlogPlugin(
        StructlogConfig(
            structlog_logging_config=StructLoggingConfig(
                log_exceptions="never", standard_lib_logging_config=_stdlib_json_logging()
            ),
            middleware_logging_config=LoggingMiddlewareConfig(
                # Never log bodies or credentials: passwords, tokens and photos pass through here.
                request_log_fields=("path", "method", "query"),
                response_log_fields=("status_code",),
            ),
        )
    )
    return Litestar(
        route_handlers=[
            AuthController,
            OrgController,
            AdminController,
            RiskPointController,
            CriteriaController,
            CodesController,
            HazardController,
            PhotoController,
            DocumentController,
            InspectionController,
            CreditController,
            WebhookController,
            NotificationController,
            RiskMapController,
            StandardisationController,
            StatisticsController,
            StatsController,
            PublicReportController,
            ReportInboxController,
            RandomCheckController,
            PublicRandomCheckController,
            PublicRandomCheckPages,
            SyncController,
            SupervisionController,
            PlatformPushController,
            alive,
            ready,
            code_landing,
            error_catalogue,
            home,
            console_router(settings),
            create_static_files_router(
                path="/schema/assets",
                directories=[SWAGGER_UI_ASSETS],
                include_in_schema=False,
                opt={"exclude_from_auth": True},
            ),
        ],
        dependencies=provide(services),
        on_app_init=[jwt_auth.on_app_init],
        guards=[limit_writes],  # per-user write limit (api/limits.py): runs after authentication, before the handler
        after_response=relay_after_writes,
        plugins=[
            problem_details_plugin,
            ProblemResponses(),
            PublicOperations(),
            DocumentedOperations(),
            DocumentedStructs(),
            logging,
            IdempotencyPlugin(ttl_s=settings.idempotency_ttl_s),
            # last, so its middleware wraps every other (authentication's statements are counted too)
            *([StatementCountPlugin()] if settings.count_statements else []),
        ],
        openapi_config=openapi,
        template_config=template_config(),
        lifespan=[lifespan],
        state=State({STATE_KEY: services}),  # read through api.dependencies.services_of
        request_max_body_size=MAX_JSON_BODY,
        request_class=StrictRequest,
        before_request=refuse_nul_in_url,
        debug=False,
    )
