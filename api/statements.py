"""The `X-Statements` response header (tests only): how many SQL statements the request ran, auth included."""

from __future__ import annotations

from litestar.config.app import AppConfig
from litestar.plugins import InitPlugin
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from domain.db.statements import counting

HEADER = "x-statements"


def statement_count_middleware(app: ASGIApp) -> ASGIApp:
    """ASGI middleware adding `X-Statements` to each HTTP response: the statements its request ran until then."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        with counting() as count:

            async def send_counted(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = [*message.get("headers", ()), (HEADER.encode(), str(count.value).encode())]
                    message = {**message, "headers": headers}  # type: ignore[assignment]
                await send(message)

            await app(scope, receive, send_counted)

    return middleware


class StatementCountPlugin(InitPlugin):
    """Puts the counting middleware outermost, so the statements of authentication are counted too.

    Listed last among the app's plugins: it runs after every other `on_app_init` that inserts middleware.
    """

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.middleware.insert(0, statement_count_middleware)
        return app_config
