"""Signed QR tokens: who a printed code stands for, proven made by us with a truncated HMAC-SHA256.

A token is 37 bytes, written as 60 characters of RFC 4648 base32 (A–Z, 2–7) without padding:

    byte 0        format version (high 4 bits) and subject kind (low 4 bits)
    byte 1        key id (0–255)
    bytes 2–4     serial, big-endian (0–16 777 215)
    bytes 5–20    subject id: the 128 bits of its ULID
    bytes 21–36   HMAC-SHA256(key, domain tag + bytes 0–20), first 16 bytes (128 bits)

Why upper-case base32 rather than base64url: a QR code stores digits, upper-case letters and a few symbols
(including ':' and '/') in alphanumeric mode at 5.5 bits a character, while base64url's lower case and '_'
force byte mode at 8 bits a character. The 60 characters here cost 330 bits against 400 for the 50 of
base64url. With a lower-case URL prefix the two end up at the same QR size (version 5 at level M, as QR mixes
modes); printed as an all-upper-case URL such as HTTPS://AQ.EXAMPLE.CN/Q/<token> (scheme and host ignore
case) the whole code is alphanumeric and drops to version 4, which stays legible on a small card at a
distance. Base32 also has no '-' or '_' for a scanner or a chat app to mangle, and reads aloud unambiguously.
"""

from __future__ import annotations

import functools
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from domain.risk.model import SubjectKind

FORMAT_VERSION = 1
MAC_BYTES = 16
SERIAL_MAX = 2**24 - 1
KEY_ID_MAX = 255
MIN_SECRET_BYTES = 16

_BODY_BYTES = 1 + 1 + 3 + 16
TOKEN_BYTES = _BODY_BYTES + MAC_BYTES
TOKEN_LENGTH = -(-TOKEN_BYTES * 8 // 5)
# 37 bytes fill 59.2 characters: the last character carries 4 bits that must be zero, so each claim set has
# exactly one spelling and a token string can serve as a lookup key.
_PAD_BITS = TOKEN_LENGTH * 5 - TOKEN_BYTES * 8

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_TOKEN_SHAPE = re.compile(f"[A-Z2-7]{{{TOKEN_LENGTH}}}", re.ASCII)
# int(text, 32) reads the base32hex digits 0–9a–v, so translating our alphabet onto them decodes in C.
_TO_BASE32HEX = bytes.maketrans(ALPHABET.encode(), b"0123456789abcdefghijklmnopqrstuv")

# Tags the MAC input so a key shared by mistake with another use can never yield a valid token there or here.
_DOMAIN_TAG = b"shuangfang/qr-token/v1\x00"

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # the alphabet of domain.ids
_ULID_SHAPE = re.compile("[0-7][0-9A-HJKMNP-TV-Z]{25}", re.ASCII)
_CROCKFORD_TO_BASE32HEX = str.maketrans(_CROCKFORD, "0123456789abcdefghijklmnopqrstuv")


_KIND_CODES = {SubjectKind.RISK_POINT: 1, SubjectKind.ENTERPRISE: 2}
_KINDS_BY_CODE = {code: kind for kind, code in _KIND_CODES.items()}


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a genuine token says; whether its serial is still current is for the caller to check."""

    kind: SubjectKind
    subject_id: str
    serial: int
    key_id: int


def new_secret() -> bytes:
    """A fresh signing secret: 32 random bytes (keep it in configuration under a new key id)."""
    return secrets.token_bytes(32)


def _ulid_to_bytes(subject_id: str) -> bytes:
    if not isinstance(subject_id, str) or not _ULID_SHAPE.fullmatch(subject_id):
        raise ValueError(f"subject id must be a 26-character upper-case Crockford ULID, got {subject_id!r}")
    return int(subject_id.translate(_CROCKFORD_TO_BASE32HEX), 32).to_bytes(16, "big")


def _bytes_to_ulid(raw: bytes) -> str:
    value = int.from_bytes(raw, "big")
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_CROCKFORD[digit])
    return "".join(reversed(chars))


def encode(raw: bytes) -> str:
    """Write token bytes as the canonical base32 text (exposed for tests that tamper with the bytes)."""
    if len(raw) != TOKEN_BYTES:
        raise ValueError(f"a token is {TOKEN_BYTES} bytes, got {len(raw)}")
    value = int.from_bytes(raw, "big") << _PAD_BITS
    chars = []
    for _ in range(TOKEN_LENGTH):
        value, digit = divmod(value, 32)
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def decode(token: object) -> bytes | None:
    """The bytes of a canonically written token, or None for anything else (exposed for tests)."""
    # The length test comes first so a megabyte of garbage costs nothing to refuse.
    if not isinstance(token, str) or len(token) != TOKEN_LENGTH or not _TOKEN_SHAPE.fullmatch(token):
        return None
    value = int(token.encode("ascii").translate(_TO_BASE32HEX), 32)
    if value & ((1 << _PAD_BITS) - 1):
        return None
    return (value >> _PAD_BITS).to_bytes(TOKEN_BYTES, "big")


@functools.lru_cache(maxsize=16)
def _keyed(secret: bytes) -> hmac.HMAC:
    # Keying HMAC and absorbing the tag once per key halves the cost of refusing a forged token.
    return hmac.new(secret, _DOMAIN_TAG, "sha256")


def _mac(secret: bytes, body: bytes) -> bytes:
    mac = _keyed(secret).copy()
    mac.update(body)
    return mac.digest()[:MAC_BYTES]


def sign(
    kind: SubjectKind | str,
    subject_id: str,
    serial: int,
    keys: Mapping[int, bytes],
    active_key_id: int,
) -> str:
    """A token for the subject at this serial, signed with the active key; raises ValueError on bad arguments."""
    kind = SubjectKind(kind)
    if isinstance(serial, bool) or not isinstance(serial, int) or not 0 <= serial <= SERIAL_MAX:
        raise ValueError(f"serial must be an int in 0..{SERIAL_MAX}, got {serial!r}")
    if isinstance(active_key_id, bool) or not isinstance(active_key_id, int) or not 0 <= active_key_id <= KEY_ID_MAX:
        raise ValueError(f"key id must be an int in 0..{KEY_ID_MAX}, got {active_key_id!r}")
    secret = keys.get(active_key_id)
    if secret is None:
        raise ValueError(f"the active key id {active_key_id} is not among the keys")
    if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"key {active_key_id} must be at least {MIN_SECRET_BYTES} random bytes")
    body = (
        bytes(((FORMAT_VERSION << 4) | _KIND_CODES[kind], active_key_id))
        + serial.to_bytes(3, "big")
        + _ulid_to_bytes(subject_id)
    )
    return encode(body + _mac(secret, body))


def verify(token: object, keys: Mapping[int, bytes], kind: SubjectKind | str | None = None) -> TokenClaims | None:
    """The claims of a token we made with one of `keys` (and of `kind`, if given); None for anything else."""
    raw = decode(token)
    if raw is None:
        return None
    header, key_id = raw[0], raw[1]
    if header >> 4 != FORMAT_VERSION:
        return None
    token_kind = _KINDS_BY_CODE.get(header & 0x0F)
    if token_kind is None:
        return None
    secret = keys.get(key_id)
    if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
        return None
    body = raw[:_BODY_BYTES]
    if not hmac.compare_digest(_mac(secret, body), raw[_BODY_BYTES:]):
        return None
    if kind is not None and token_kind != kind:
        return None
    return TokenClaims(
        kind=token_kind,
        subject_id=_bytes_to_ulid(raw[5:_BODY_BYTES]),
        serial=int.from_bytes(raw[2:5], "big"),
        key_id=key_id,
    )
