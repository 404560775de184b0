"""The shipped list of common and breached passwords (data/README.md says what it holds and where it comes from).

Loaded once, on the first password set, into a sorted array of 64-bit digests (2.8 MB, against ~35 MB for a set
of 350,000 strings) and searched by bisection. A password is common when it is on the list, compared in lower case,
or when what is left after taking its trailing digits off is (`Demo2026` is `demo` with a year).
"""

from __future__ import annotations

import gzip
import hashlib
from array import array
from bisect import bisect_left
from functools import cache
from pathlib import Path

LIST_FILE = Path(__file__).parent / "data" / "common-passwords.txt.gz"
# A stem shorter than this is left alone: "ab" + digits is judged as a whole, not refused for the "ab".
MIN_STEM = 4


def _digest(word: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(word, digest_size=8).digest(), "big")


@cache
def _digests() -> array:
    """The list's digests, sorted (read from the file once per process)."""
    words = gzip.decompress(LIST_FILE.read_bytes()).split(b"\n")
    return array("Q", sorted(_digest(word) for word in words if word))


def list_size() -> int:
    """How many passwords the list holds."""
    return len(_digests())


def _listed(word: str) -> bool:
    digests = _digests()
    wanted = _digest(word.encode())
    at = bisect_left(digests, wanted)
    return at < len(digests) and digests[at] == wanted


def is_common(password: str) -> bool:
    """True when the password, in lower case, or its stem without trailing digits, is on the list."""
    lowered = password.lower()
    if _listed(lowered):
        return True
    stem = lowered.rstrip("0123456789")
    return stem != lowered and len(stem) >= MIN_STEM and _listed(stem)
