"""Keyset pagination over time-ordered string ids: stable under inserts, cost independent of the page number."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Generic, TypeVar

from domain.errors import InvalidInput

T = TypeVar("T")
MAX_LIMIT = 100
DEFAULT_LIMIT = 50


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of items and the cursor of the next page, if any."""

    items: list[T]
    next_cursor: str | None


def encode_cursor(last_id: str) -> str:
    """An opaque cursor after the given id."""
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    """The id a cursor points after; a cursor we did not make is an input error."""
    if not cursor:
        return None
    try:
        value = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput("the cursor is not one this service issued", field="cursor", reason="malformed") from None
    if not value.isalnum() or len(value) > 40:
        raise InvalidInput("the cursor is not one this service issued", field="cursor", reason="malformed")
    return value


def clamp_limit(limit: int | None) -> int:
    """The page size, defaulted and capped."""
    if limit is None:
        return DEFAULT_LIMIT
    if limit < 1:
        raise InvalidInput("limit is at least 1", field="limit", reason="range")
    return min(limit, MAX_LIMIT)


def page_of(rows: list[T], limit: int, id_of) -> Page[T]:
    """Cut `limit + 1` fetched rows into a page and its next cursor."""
    if len(rows) > limit:
        rows = rows[:limit]
        return Page(items=rows, next_cursor=encode_cursor(id_of(rows[-1])))
    return Page(items=rows, next_cursor=None)
