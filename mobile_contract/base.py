"""The base of every wire type: camelCase JSON, unknown fields refused, constraint aliases."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta


class Wire(msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=False, kw_only=True):
    """A request or response body on the wire."""


class WireOut(msgspec.Struct, rename="camel", kw_only=True):
    """A response body; phones must ignore fields they do not know, so responses may grow."""


Id = Annotated[str, Meta(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z_-]+$")]
ShortText = Annotated[str, Meta(min_length=1, max_length=100)]
LongText = Annotated[str, Meta(max_length=300)]
Latitude = Annotated[float, Meta(ge=-90, le=90)]
Longitude = Annotated[float, Meta(ge=-180, le=180)]
# A phone's estimate of its GPS fix's error, in metres.
Accuracy = Annotated[float, Meta(ge=0, le=10_000)]
Limit = Annotated[int, Meta(ge=1, le=1000)]
