"""黑名单: the serious-dishonesty listings in force and the candidates of the caller's scope, and the workflow on each
(告知 → 陈述申辩 → 决定列入 / 不予列入, then 信用修复提前移出 and its revocation) through the same service as the
API's `/v1/blacklist/*`. Each listing offers exactly its `allowed_actions` for this actor, which already hold the
deciding-department rule: only the department that imposed the penalty acts on its listing."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from api.console.pages._acting import day_of, form_of, refusal, shown_inline, text_of
from api.console.render import page, see_other
from domain.access.model import Actor, Role
from domain.access.permissions import Action, allowed
from domain.credit import services as credit
from domain.credit.model import ListingAction, region_code_of
from domain.errors import DomainError, InvalidInput, NotFound
from domain.org import services as org

LISTING_STATUS_NAMES = {
    "candidate": "候选（未告知）",
    "notified": "已告知，听取陈述申辩",
    "confirmed": "已列入",
    "dismissed": "不予列入",
    "removed_early": "信用修复提前移出",
    "expired": "期满移出",
}
LISTING_STATUS_TONES = {
    "candidate": "orange",
    "notified": "yellow",
    "confirmed": "red",
    "dismissed": "grey",
    "removed_early": "blue",
    "expired": "grey",
}
# Each action's form: its title, whether it takes a text and what the text is, whether the text is required.
ACTIONS = {
    ListingAction.NOTIFY: ("告知当事人", None, False),
    ListingAction.RESPOND: ("记录陈述申辩", "陈述申辩内容", True),
    ListingAction.CONFIRM: ("决定列入", "决定说明", False),
    ListingAction.DISMISS: ("决定不予列入", "理由", True),
    ListingAction.REMOVE_EARLY: ("信用修复提前移出", "信用修复情况", True),
    ListingAction.REINSTATE: ("撤销提前移出", "隐瞒的事实", True),
}
ACTION_TITLES = {str(action): title for action, (title, _, _) in ACTIONS.items()}


def _own_region(actor: Actor) -> str | None:
    return region_code_of(actor.region_path) if actor.role is Role.REGULATOR else None


async def _page(
    actor: Actor, region: str | None, *, status_code: int = 200, problem: str | None = None, done: str | None = None
) -> Template:
    region = region if region is not None else _own_region(actor)
    published = await credit.published_listings(actor=actor, region_code=region or None)
    regions = await org.list_regions()
    pending = []
    if allowed(actor, Action.REVIEW_BLACKLIST_CANDIDATES):
        # candidates are the regulators' working material, of their own scope: a published region beyond it has none
        try:
            pending = await credit.list_candidates(actor=actor, region_code=region or None)
        except NotFound:
            pending = []
    return page(
        "console/credit.html",
        status_code=status_code,
        actor=actor,
        published=published,
        pending=pending,
        region=region or "",
        regions=regions,
        region_names={r.code: r.name for r in regions},
        problem=problem,
        done=ACTION_TITLES.get(done or ""),
        actions=ACTIONS,
        status_names=LISTING_STATUS_NAMES,
        status_tones=LISTING_STATUS_TONES,
    )


class CreditPages(Controller):
    """`/console/credit` and the listing workflow's forms."""

    path = "/credit"

    @get("/")
    async def listings(
        self, actor: Actor, region: str | None = None, done: str | None = QueryParameter(default=None)
    ) -> Template:
        """Candidates (regulators) and listings in force, under the caller's region unless another is chosen."""
        return await _page(actor, region, done=done)

    @post("/{listing_id:str}/{action:str}", status_code=303)
    async def act(self, actor: Actor, request: Request, listing_id: str, action: str) -> Redirect | Template:
        """One workflow step on a listing: the day it took effect and its statement or reason."""
        form = await form_of(request)
        region = text_of(form, "region", 12) or None
        try:
            if action not in ACTION_TITLES:
                raise InvalidInput("not an action of this page", field="action", reason="unknown")
            await credit.act_on_listing(
                actor=actor,
                listing_id=listing_id,
                action=action,
                on=day_of(form, "on"),
                text=text_of(form, "text") or None,
            )
        except DomainError as error:
            if not shown_inline(error):
                raise
            status, message = refusal(error)
            return await _page(actor, region, status_code=status, problem=message)
        query = {"done": action} | ({"region": region} if region else {})
        return see_other(f"/console/credit?{urlencode(query)}#listing-{listing_id}")


CONTROLLERS = [CreditPages]
