"""Strict request decoding: JSON bodies keep their JSON types, and no text carries a NUL character.

Litestar converts a handler's arguments with msgspec's lax mode (right for query strings, where everything is
text), which also lets a JSON body say `"true"` for a boolean or `"5"` for a number. Phones must send the types
the contract states, so bodies are re-checked strictly against the handler's `data` type here, in one place.
NUL characters are refused everywhere: PostgreSQL cannot store them, and SQLite would, so the engines would
otherwise disagree.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _refuse(message: str, key: str, source: str) -> ValidationException:
    return ValidationException(detail="Validation failed", extra=[{"message": message, "key": key, "source": source}])


class StrictRequest(Request):
    """A request whose JSON body is checked strictly against the handler's declared body type."""

    async def json(self) -> Any:
        try:
            value = await super().json()
        except (UnicodeDecodeError, RecursionError):
            # Litestar only maps msgspec's DecodeError; bytes that are not UTF-8, or nesting deeper than the
            # decoder's stack, are just as much the client's malformed body.
            raise _refuse("the body is not UTF-8 JSON of a sane depth", "", "body") from None
        if _has_nul(value):
            raise _refuse("text may not contain the NUL character", "", "body")
        data_field = self.route_handler.parsed_fn_signature.parameters.get("data")
        if data_field is not None and value is not None:
            try:
                msgspec.convert(value, data_field.annotation, strict=True)
            except msgspec.ValidationError as error:
                raise _refuse(str(error), "", "body") from None
        return value


async def refuse_nul_in_url(request: Request) -> None:
    """A `before_request` hook: path and query text may not contain NUL either."""
    if "\x00" in request.url.path or "\x00" in request.url.query or "%00" in request.url.query:
        raise _refuse("the URL may not contain the NUL character", "", "url")
