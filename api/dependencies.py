"""The services a request may use, built once per app and handed to handlers by Litestar's dependency injection.

`create_app` builds one `Services`; `provide(services)` turns it into the app's `dependencies`, so a handler asks
for what it uses by name and type (`codes: Codes`, `accounts: AccountService`, `settings: Settings`, ...). The app
state holds nothing else: code outside a handler (the authentication hook, tests) reads `services_of(app)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Litestar, Request
from litestar.di import Provide
from litestar.params import Dependency
from litestar.security.jwt import JWTAuth
from piccolo.engine.base import Engine

from domain.access.model import Actor
from domain.accounts.services import AccountService
from domain.codes.printables import Printables
from domain.codes.services import Codes
from domain.config import Settings
from domain.documents.services import Documents
from domain.photos.services import Photos
from workers.background import OutboxRelayLoop
from workers.dispatch import Dispatcher

STATE_KEY = "services"

# Litestar validates an injected value against its parameter's type, and a dataclass field by field on every request
# (failing on JWTAuth's annotations): the two dataclass services are declared as given, unchecked.
InjectedSettings = Annotated[Settings, Dependency(skip_validation=True)]
InjectedJWTAuth = Annotated[JWTAuth, Dependency(skip_validation=True)]


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a handler may be given, one instance of each per app (and so per process)."""

    settings: Settings
    engine: Engine
    accounts: AccountService
    jwt_auth: JWTAuth
    codes: Codes
    printables: Printables
    photos: Photos
    documents: Documents
    dispatcher: Dispatcher
    relay: OutboxRelayLoop


# The services a handler may name as a parameter (the relay is the app's own, not a handler's).
PROVIDED = ("settings", "engine", "accounts", "jwt_auth", "codes", "printables", "photos", "documents", "dispatcher")


def services_of(app: Litestar) -> Services:
    """The app's services, for code that is not a handler (the authentication hook, tests)."""
    return app.state[STATE_KEY]


def _actor(request: Request) -> Actor:
    return request.user.actor


def _constant(value: Any) -> Callable[[], Any]:
    def provide() -> Any:
        return value

    return provide


def provide(services: Services) -> dict[str, Provide]:
    """The app's dependencies: the signed-in caller's `actor` and each service under its field name."""
    provided = {
        name: Provide(_constant(getattr(services, name)), use_cache=True, sync_to_thread=False) for name in PROVIDED
    }
    return {"actor": Provide(_actor, sync_to_thread=False)} | provided
