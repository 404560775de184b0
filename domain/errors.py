"""The one tree of domain errors: each carries a stable code and data, never an HTTP status."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule refused the request; `code` is stable and catalogued in mobile_contract.errors."""

    code = "DOMAIN_ERROR"

    def __init__(self, detail: str = "", **params: Any) -> None:
        super().__init__(detail or self.code)
        self.detail = detail
        self.params = params


class NotFound(DomainError):
    """The thing does not exist, or is outside the caller's scope (the two are indistinguishable on purpose)."""

    code = "NOT_FOUND"


class InvalidInput(DomainError):
    """A value breaks a domain rule (the wire types already checked shapes and types)."""

    code = "VALIDATION_FAILED"


class InvalidCreditCode(InvalidInput):
    """A 统一社会信用代码 with a wrong shape or check character."""

    code = "ENTERPRISE_CREDIT_CODE_INVALID"


class Conflict(DomainError):
    """The request contradicts what is stored (a duplicate key, a stale state)."""

    code = "CONFLICT"


class AlreadyExists(Conflict):
    """A record with the same natural key exists."""

    code = "ALREADY_EXISTS"


class Forbidden(DomainError):
    """The caller is known and the thing is visible, but this role may not do this."""

    code = "FORBIDDEN"


class AuthenticationFailed(DomainError):
    """Wrong username or password, or an unusable refresh token."""

    code = "AUTH_INVALID_CREDENTIALS"


class RefreshTokenInvalid(AuthenticationFailed):
    """The refresh token is unknown, expired, revoked or already used."""

    code = "AUTH_REFRESH_INVALID"


class AccountLocked(DomainError):
    """Too many failed logins in the window: the account refuses even the right password for a while."""

    code = "AUTH_ACCOUNT_LOCKED"


class AccountDisabled(DomainError):
    """An administrator disabled this account."""

    code = "AUTH_ACCOUNT_DISABLED"


class QrInvalid(NotFound):
    """A forged, mutated, revoked or unknown code: answered without touching protected data."""

    code = "QR_INVALID"


class ScanOutOfScope(Forbidden):
    """A genuine code of something outside the caller's scope."""

    code = "SCAN_OUT_OF_SCOPE"


class StorageUnavailable(DomainError):
    """The database cannot be reached for now (restarting, down, unreachable): try again shortly."""

    code = "STORAGE_UNAVAILABLE"
