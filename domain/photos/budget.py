"""How much decoded pixel memory this process may hold at once, and giving it back to the system afterwards.

A 7070×7070 PNG is 140 KB on the wire and 200 MB decoded: four at once took a server from 0.6 to 1.7 GB. Every
decode first reserves its cost in bytes (`images.decode_cost`) from the one budget of its process; a decode that
does not fit waits up to `wait_s` for others to finish, then is refused as busy (503 with `Retry-After`); a decode
that could never fit, even alone, is refused for good (413). The budget is shared by the threads the decodes run
on, whatever event loop sent them, so it is a `threading.Condition`, not an asyncio one.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from domain.errors import DomainError, InvalidInput

# A decode this large hands its memory back to the system when it ends (smaller ones are not worth the walk).
_TRIM_FROM_BYTES = 16 * 1024 * 1024


class PhotoServerBusy(DomainError):
    """Other large photos are being decoded and this one did not fit in the budget in time; retry after a while."""

    code = "PHOTO_SERVER_BUSY"


class PhotoDecodeTooLarge(InvalidInput):
    """Decoding this image needs more memory than one request may use, whatever else the server is doing."""

    code = "PHOTO_DECODE_TOO_LARGE"


class DecodeBudget:
    """Bytes of decoded pixels the process may hold at once; `reserve(cost)` around every decode."""

    def __init__(self, total_bytes: int, wait_s: float) -> None:
        self.total_bytes = total_bytes
        self.wait_s = wait_s
        self.used_bytes = 0
        self._changed = threading.Condition()

    @contextmanager
    def reserve(self, cost: int) -> Iterator[None]:
        """Hold `cost` bytes of the budget while the block runs; refuses at once or after `wait_s` (see the module)."""
        if cost > self.total_bytes:
            raise PhotoDecodeTooLarge(
                f"decoding this image needs {cost} bytes, more than the {self.total_bytes} one photo may use",
                decode_bytes=cost,
                max_decode_bytes=self.total_bytes,
            )
        with self._changed:
            if not self._changed.wait_for(lambda: self.used_bytes + cost <= self.total_bytes, timeout=self.wait_s):
                raise PhotoServerBusy(
                    "the server is decoding other large photos; try again shortly",
                    retryAfterSeconds=max(1, math.ceil(self.wait_s)),
                )
            self.used_bytes += cost
        try:
            yield
        finally:
            with self._changed:
                self.used_bytes -= cost
                self._changed.notify_all()
            if cost >= _TRIM_FROM_BYTES:
                give_memory_back()


_budgets: dict[tuple[int, float], DecodeBudget] = {}
_budgets_lock = threading.Lock()


def budget_for(total_bytes: int, wait_s: float) -> DecodeBudget:
    """The process's one budget for this configuration (services are made per request; the budget is not)."""
    with _budgets_lock:
        if not _budgets:
            _map_large_blocks()
        return _budgets.setdefault((total_bytes, wait_s), DecodeBudget(total_bytes, wait_s))


def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        return libc if libc is not None and hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:  # not glibc (musl, macOS): nothing to tune
        return None


_libc = _glibc()
_M_MMAP_THRESHOLD = -3
_MMAP_FROM_BYTES = 4 * 1024 * 1024


def _map_large_blocks() -> None:
    """Have glibc map every allocation of 4 MiB or more on its own, so freeing it returns it to the system.

    Pillow keeps pixels in 16 MiB blocks. glibc's threshold for mapping an allocation on its own starts at 128 KiB
    and rises to the size of each mapped block freed, so after the first photo the blocks came from the heap arena
    of whichever thread decoded them, and stayed there: four 7070×7070 PNGs at once peaked at 936 MiB within a
    512 MiB budget and kept 442 MiB afterwards; with the threshold fixed, 516 MiB and 35 MiB (bench/photo_memory.py).
    """
    if _libc is not None:
        _libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_FROM_BYTES)


def give_memory_back() -> None:
    """Return freed heap pages to the system: what smaller allocations of a large decode left in glibc's arenas."""
    if _libc is not None:
        _libc.malloc_trim(0)
