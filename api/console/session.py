"""The console's sign-in: a session cookie (HttpOnly, SameSite, Secure behind TLS) naming a revocable server row.

The browser never holds a bearer token: the cookie is a random token whose hash is a `console_session` row, so
signing out (or disabling the user) ends it at once everywhere. Sign-in goes through the same password check and
lockout as the API (`AccountService.check_password`). Forms are protected by Litestar's CSRF middleware on the
console router (a token in a cookie and in each form's hidden `_csrf_token`).
"""

from __future__ import annotations

from urllib.parse import quote

from litestar import Request

from domain.access.model import Actor, Role
from domain.accounts.services import AccountService
from domain.config import Settings

COOKIE = "sf_console"
CONSOLE_ROLES = frozenset({Role.REGULATOR, Role.INSPECTOR, Role.ADMIN, Role.PRINCIPAL})


class SignInRequired(Exception):
    """No live console session: the browser is sent to the sign-in page."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class ConsoleRefused(Exception):
    """Signed in, but the role has no console (enterprise officers use the phone app)."""


def cookie_is_secure(settings: Settings) -> bool:
    """Secure cookies when the service is served over TLS (its public base URL is https)."""
    return settings.public_base_url.startswith("https://")


def sign_in_url(path: str) -> str:
    """The sign-in page, returning to `path` afterwards."""
    return f"/console/login?next={quote(path, safe='/')}"


def safe_next(value: str | None) -> str:
    """Where to go after signing in: only a console path of this site (never an open redirect)."""
    if value and value.startswith("/console/") and not value.startswith("/console//") and "\\" not in value:
        return value
    return "/console/"


async def provide_actor(request: Request, accounts: AccountService) -> Actor:
    """The console's `actor` dependency: the session cookie's user, re-read on every request like the API's."""
    token = request.cookies.get(COOKIE)
    found = await accounts.console_actor(token) if token else None
    if found is None:
        raise SignInRequired(request.url.path)
    actor, user = found
    if actor.role not in CONSOLE_ROLES:
        raise ConsoleRefused()  # before the layout learns the user: a refused role is shown no menu
    request.state.console_user = user
    return actor
