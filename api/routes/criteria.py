"""The criteria library's editions: list them; administrators add one with its items."""

from __future__ import annotations

import dataclasses

from litestar import Controller, get, post

from domain.access.model import Actor
from domain.criteria import services as criteria
from domain.criteria.model import NewCriterion, NewEdition
from mobile_contract.criteria import CriteriaEdition, CriteriaEditionCreate


def _new_edition(data: CriteriaEditionCreate) -> NewEdition:
    items = tuple(
        NewCriterion(
            id=item.id, item_no=item.item_no, text=item.text, industries=tuple(item.industries), verbatim=item.verbatim
        )
        for item in data.items
    )
    return NewEdition(
        id=data.id,
        standard=data.standard,
        edition=data.edition,
        effective_from=data.effective_from,
        items=items,
        doc_no=data.doc_no,
        issuer=data.issuer,
        supersedes_id=data.supersedes_id,
    )


def _presented(record: criteria.EditionRecord) -> CriteriaEdition:
    return CriteriaEdition(**dataclasses.asdict(record))


class CriteriaController(Controller):
    """`/v1/criteria/editions` (the items themselves: `GET /v1/criteria`)."""

    path = "/v1/criteria/editions"
    tags = ["criteria"]

    @get("/", summary="Editions of the major-hazard criteria, with the dates they are in force")
    async def list_editions(self) -> list[CriteriaEdition]:
        """The editions of the major-hazard criteria library (重大事故隐患判定标准), each with the dates it is in force."""
        return [_presented(record) for record in await criteria.list_editions()]

    @post("/", summary="Add an edition with all its items (administrators)", status_code=201)
    async def add_edition(self, actor: Actor, data: CriteriaEditionCreate) -> CriteriaEdition:
        """Administrators: a new edition with all its items; editions are never edited, a new one supersedes."""
        return _presented(await criteria.add_edition(actor=actor, new=_new_edition(data)))
