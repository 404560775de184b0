"""Pure rules of the credit area: the serious-dishonesty grounds, the listing workflow and the local credit grade."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CreditStanding:
    """What others need to know of an enterprise's credit on a date: listed or not, its grade, and why."""

    listed: bool
    grade: str | None
    basis: tuple[str, ...]
