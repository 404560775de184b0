"""Credit: penalties and accidents of an enterprise, the serious-dishonesty list (blacklist) and its workflow, the
enterprise's credit (listing status and grade)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, TypeVar

import msgspec
from litestar import Controller, get, post
from litestar.params import QueryParameter

from domain.access.model import Actor
from domain.credit import services as credit
from domain.credit.model import ListingAction
from mobile_contract import credit as wire

T = TypeVar("T")
RegionCode = Annotated[str | None, QueryParameter(name="regionCode", max_length=12, pattern=r"^[0-9]+$")]


def presented(record: object, as_type: type[T]) -> T:
    """The wire form of a domain record: the same field names, read from its attributes."""
    return msgspec.convert(record, as_type, from_attributes=True)


async def _act(
    actor: Actor, listing_id: str, action: ListingAction, *, on: date | None = None, text: str | None = None
) -> wire.Listing:
    record = await credit.act_on_listing(actor=actor, listing_id=listing_id, action=action, on=on, text=text)
    return presented(record, wire.Listing)


class CreditController(Controller):
    """`/v1/blacklist/*`, `/v1/enterprises/{id}/penalties|accidents|credit`."""

    path = "/v1"
    tags = ["credit"]

    @get("/blacklist", summary="Listings in force (published, so visible to every signed-in role), under a region")
    async def published(self, actor: Actor, region_code: RegionCode = None) -> wire.ListingPage:
        """Serious-dishonesty listings in force under a region, visible to every signed-in role (published by law)."""
        records = await credit.published_listings(actor=actor, region_code=region_code)
        return wire.ListingPage(items=[presented(r, wire.Listing) for r in records])

    @get("/blacklist/candidates", summary="Pending listings (computed or notified) in the regulator's scope")
    async def candidates(self, actor: Actor, region_code: RegionCode = None) -> wire.ListingPage:
        """Regulators: listings computed or notified but not yet decided, in their scope."""
        records = await credit.list_candidates(actor=actor, region_code=region_code)
        return wire.ListingPage(items=[presented(r, wire.Listing) for r in records])

    @post("/blacklist/{listing_id:str}/notify", summary="Record that the party was told (regulators)", status_code=200)
    async def notify(self, actor: Actor, listing_id: str, data: wire.ListingNotify) -> wire.Listing:
        """Regulators: record that the party was told of the intended listing; its statement period starts."""
        return await _act(actor, listing_id, ListingAction.NOTIFY, on=data.on)

    @post(
        "/blacklist/{listing_id:str}/respond",
        summary="The party's statement (its staff or a regulator)",
        status_code=200,
    )
    async def respond(self, actor: Actor, listing_id: str, data: wire.ListingRespond) -> wire.Listing:
        """The party's statement against the listing, by its staff or a regulator on its behalf."""
        return await _act(actor, listing_id, ListingAction.RESPOND, text=data.statement)

    @post(
        "/blacklist/{listing_id:str}/confirm",
        summary="Decide the listing: 3 years from the day (regulators)",
        status_code=200,
    )
    async def confirm(self, actor: Actor, listing_id: str, data: wire.ListingConfirm) -> wire.Listing:
        """Regulators: decide to list, for three years from the decision's day."""
        return await _act(actor, listing_id, ListingAction.CONFIRM, on=data.on, text=data.note)

    @post(
        "/blacklist/{listing_id:str}/dismiss", summary="Decide not to list, with a reason (regulators)", status_code=200
    )
    async def dismiss(self, actor: Actor, listing_id: str, data: wire.ListingReasoned) -> wire.Listing:
        """Regulators: decide not to list, with the reason kept."""
        return await _act(actor, listing_id, ListingAction.DISMISS, on=data.on, text=data.reason)

    @post(
        "/blacklist/{listing_id:str}/remove-early",
        summary="Early removal through credit repair, 12 months on",
        status_code=200,
    )
    async def remove_early(self, actor: Actor, listing_id: str, data: wire.ListingReasoned) -> wire.Listing:
        """Regulators: remove a listing early after credit repair, at least 12 months after it began."""
        return await _act(actor, listing_id, ListingAction.REMOVE_EARLY, on=data.on, text=data.reason)

    @post(
        "/blacklist/{listing_id:str}/reinstate",
        summary="Revoke an early removal obtained by hiding facts",
        status_code=200,
    )
    async def reinstate(self, actor: Actor, listing_id: str, data: wire.ListingReasoned) -> wire.Listing:
        """Regulators: revoke an early removal obtained by hiding facts; the listing is in force again."""
        return await _act(actor, listing_id, ListingAction.REINSTATE, on=data.on, text=data.reason)

    @post("/enterprises/{enterprise_id:str}/penalties", summary="Record an administrative penalty (regulators)")
    async def record_penalty(self, actor: Actor, enterprise_id: str, data: wire.PenaltyCreate) -> wire.Penalty:
        """Regulators in scope: an administrative penalty of the enterprise, which feeds its credit and listing candidates."""
        new = credit.NewPenalty(**msgspec.structs.asdict(data))
        return presented(await credit.record_penalty(actor=actor, enterprise_id=enterprise_id, new=new), wire.Penalty)

    @get("/enterprises/{enterprise_id:str}/penalties", summary="The enterprise's penalties, newest first")
    async def penalties(self, actor: Actor, enterprise_id: str) -> list[wire.Penalty]:
        """The enterprise's administrative penalties, newest first."""
        records = await credit.list_penalties(actor=actor, enterprise_id=enterprise_id)
        return [presented(r, wire.Penalty) for r in records]

    @post("/enterprises/{enterprise_id:str}/accidents", summary="Record a production-safety accident (regulators)")
    async def record_accident(self, actor: Actor, enterprise_id: str, data: wire.AccidentCreate) -> wire.Accident:
        """Regulators in scope: a production-safety accident of the enterprise, which feeds its credit and listing candidates."""
        new = credit.NewAccident(**msgspec.structs.asdict(data))
        return presented(await credit.record_accident(actor=actor, enterprise_id=enterprise_id, new=new), wire.Accident)

    @get("/enterprises/{enterprise_id:str}/accidents", summary="The enterprise's accidents, newest first")
    async def accidents(self, actor: Actor, enterprise_id: str) -> list[wire.Accident]:
        """The enterprise's production-safety accidents, newest first."""
        records = await credit.list_accidents(actor=actor, enterprise_id=enterprise_id)
        return [presented(r, wire.Accident) for r in records]

    @get("/enterprises/{enterprise_id:str}/credit", summary="Listed today or not, the listings, the credit grade")
    async def credit_of(self, actor: Actor, enterprise_id: str) -> wire.Credit:
        """Whether the enterprise is listed today, its listings and its credit grade."""
        return presented(await credit.enterprise_credit(actor=actor, enterprise_id=enterprise_id), wire.Credit)
