"""The baseline: a bare Litestar JSON endpoint, served the same way as the real app."""

from litestar import Litestar, get


@get("/bare", sync_to_thread=False)
def bare() -> dict[str, str]:
    """A constant JSON body."""
    return {"status": "ok"}


app = Litestar(route_handlers=[bare])
