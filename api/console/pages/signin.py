"""Signing in to and out of the console (the same accounts, password check and lockout as the API)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect, Template

from api.console.render import page, see_other
from api.console.session import COOKIE, cookie_is_secure, safe_next
from api.dependencies import InjectedSettings
from api.limits import client_address
from domain.accounts.services import AccountService
from domain.errors import AccountDisabled, AccountLocked, AuthenticationFailed
from domain.limits.model import SignInRateLimited
from mobile_contract.errors import CATALOGUE, localised_title

FormBody = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class SignInPages(Controller):
    """`/console/login` and `/console/logout`."""

    path = "/"

    @get("/login")
    async def form(self, next_: str | None = QueryParameter(name="next", default=None)) -> Template:
        """The sign-in form."""
        return page("console/login.html", next=safe_next(next_), error=None)

    @post("/login", status_code=303)
    async def sign_in(
        self, request: Request, data: FormBody, accounts: AccountService, settings: InjectedSettings
    ) -> Template | Redirect:
        """Check the password; on success set the session cookie and go where the user was heading."""
        target = safe_next(data.get("next"))
        try:
            _, token = await accounts.open_console_session(
                username=data.get("username", "")[:64],
                password=data.get("password", "")[:256],
                client_ip=client_address(request, settings.trusted_proxies),
            )
        except (AuthenticationFailed, AccountLocked, AccountDisabled, SignInRateLimited) as refused:
            status, message = CATALOGUE[refused.code].status, localised_title(refused.code, "zh")
            return page("console/login.html", status_code=status, next=target, error=message)
        response = see_other(target)
        response.cookies.append(
            Cookie(
                key=COOKIE,
                value=token,
                path="/console",
                httponly=True,
                secure=cookie_is_secure(settings),
                samesite="lax",
                max_age=settings.console_session_ttl_s,
            )
        )
        return response

    @post("/logout", status_code=303)
    async def sign_out(self, request: Request, accounts: AccountService) -> Redirect:
        """End the session server-side and drop the cookie."""
        if token := request.cookies.get(COOKIE):
            await accounts.close_console_session(token)
        response = see_other("/console/login")
        response.delete_cookie(COOKIE, path="/console")
        return response


CONTROLLERS = [SignInPages]
