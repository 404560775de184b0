"""The error catalogue, served to the app without an account so it can explain every code, even signed out."""

from __future__ import annotations

from litestar import get
from litestar.datastructures import CacheControlHeader

from mobile_contract.catalogue import ErrorCatalogue, catalogue_document

# Built once: the catalogue is code, so it only changes with a deployment.
_CATALOGUE = catalogue_document()


@get(
    "/v1/errors",
    summary="Every error code with its HTTP status and zh-CN / en text (no account needed)",
    tags=["contract"],
    sync_to_thread=False,
    cache_control=CacheControlHeader(public=True, max_age=3600),
)
def error_catalogue() -> ErrorCatalogue:
    """No token needed. Every error `code` the API sends, with its HTTP status, problem `type` and zh-CN / en text, so the app can explain any code offline."""
    return _CATALOGUE
