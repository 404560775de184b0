"""Password hashing with argon2id, off the event loop (a hash costs ~100 ms of CPU by design)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHERS = {
    "default": PasswordHasher(),  # argon2id, 64 MiB, 3 passes: RFC 9106's second recommended option
    "fast": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),  # tests only
}


class Passwords:
    """Hashes and verifies passwords with the configured cost."""

    def __init__(self, cost: str = "default") -> None:
        self._hasher = _HASHERS[cost]
        # Verified against when the username is unknown, so timing does not reveal which usernames exist.
        self._decoy = self._hasher.hash("decoy-password-0")

    async def hash(self, password: str) -> str:
        """The argon2id hash of a password."""
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when the password matches; always spends the same effort."""
        try:
            return await asyncio.to_thread(self._hasher.verify, password_hash or self._decoy, password) and (
                password_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False
