"""Jobs of photo evidence."""

from __future__ import annotations

from typing import Any

from arq.worker import Retry

from domain.photos.budget import PhotoServerBusy
from domain.photos.services import Photos


async def make_photo_derivatives(ctx: dict[str, Any], photo_id: str) -> bool:
    """Render the photo's display and thumb copies from its original and mark them ready; running it again redoes it."""
    try:
        return await Photos(ctx["settings"]).make_derivatives(photo_id)
    except PhotoServerBusy as busy:  # other large photos hold the decode budget: try again after a while
        raise Retry(defer=busy.params["retryAfterSeconds"]) from busy
