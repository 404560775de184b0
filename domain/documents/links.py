"""What the areas above documents know about a document, told to this area by them (documents may not import them).

A document's access rule depends on the hazards it is attached to; hazards sit above documents in the layering, so
they register the answer here when imported (`domain/hazards/store.py`; the app and the workers import it). Until
then a document is held by no hazard's enterprise (fail closed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass


async def _no_enterprises(document_id: str) -> list[str]:
    return []


@dataclass(slots=True)
class _Links:
    # the enterprises of the hazards the document is attached to (their scope sees the document)
    enterprises_holding: Callable[[str], Awaitable[list[str]]] = _no_enterprises


LINKS = _Links()


def register_attachments(*, enterprises_holding: Callable[[str], Awaitable[list[str]]]) -> None:
    """The area whose records carry documents (hazards) says which enterprises hold a document."""
    LINKS.enterprises_holding = enterprises_holding
