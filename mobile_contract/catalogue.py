"""The error catalogue as the app receives it: `GET /v1/errors` and the committed `mobile_contract/errors.json`."""

from __future__ import annotations

from mobile_contract import CONTRACT_VERSION
from mobile_contract.base import WireOut
from mobile_contract.errors import CATALOGUE, problem_type


class CatalogueEntry(WireOut, kw_only=True):
    """One code as `GET /v1/errors` lists it: the HTTP status it is sent with, its `type` URI and both texts."""

    code: str
    status: int
    type: str
    zh: str
    en: str


class ErrorCatalogue(WireOut, kw_only=True):
    """`GET /v1/errors` (and the committed `errors.json`): every code, so the app can explain errors offline."""

    contract_version: str
    errors: list[CatalogueEntry]


def catalogue_document() -> ErrorCatalogue:
    """The whole catalogue, ordered by code."""
    return ErrorCatalogue(
        contract_version=CONTRACT_VERSION,
        errors=[
            CatalogueEntry(code=code, status=entry.status, type=problem_type(code), zh=entry.zh, en=entry.en)
            for code, entry in sorted(CATALOGUE.items())
        ],
    )
