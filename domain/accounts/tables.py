"""Piccolo tables of the accounts area."""

from __future__ import annotations

from piccolo.columns import Boolean, Integer, Timestamptz, Varchar
from piccolo.table import Table


class AppUser(Table, tablename="app_user"):
    """A person who signs in, with one role and the binding that role needs."""

    id = Varchar(length=26, primary_key=True)
    username = Varchar(length=64, unique=True)
    name = Varchar(length=100)
    password_hash = Varchar(length=200)
    role = Varchar(length=16)
    enterprise_id = Varchar(length=26, null=True, default=None, index=True)
    region_code = Varchar(length=12, null=True, default=None)
    phone = Varchar(length=32, default="")
    disabled = Boolean(default=False)
    version = Integer(default=1)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class UserGrid(Table, tablename="user_grid"):
    """An inspector's binding to one grid."""

    id = Varchar(length=26, primary_key=True)
    user_id = Varchar(length=26, index=True)
    grid_id = Varchar(length=26, index=True)


class RefreshToken(Table, tablename="refresh_token"):
    """A rotating refresh token, stored as a hash; a reused one revokes its whole family."""

    id = Varchar(length=26, primary_key=True)
    user_id = Varchar(length=26, index=True)
    family_id = Varchar(length=26, index=True)
    token_hash = Varchar(length=64, unique=True)
    device_id = Varchar(length=128, default="")
    issued_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class RevokedFamily(Table, tablename="revoked_family"):
    """A refresh-token family ended because a spent token came back: its access tokens are refused too."""

    # the primary key is what every authenticated request looks up (the access token carries its family id)
    family_id = Varchar(length=26, primary_key=True)
    revoked_at = Timestamptz()


class LoginAttempt(Table, tablename="login_attempt"):
    """One sign-in attempt, kept for lockout and audit; usernames need not exist."""

    id = Varchar(length=26, primary_key=True)
    username = Varchar(length=64, index=True)
    at = Timestamptz(index=True)
    outcome = Varchar(length=16)
    device_id = Varchar(length=128, default="")
    client_ip = Varchar(length=64, default="")


class ConsoleSession(Table, tablename="console_session"):
    """A signed-in browser of the supervision console: the cookie holds a random token, this row its hash."""

    id = Varchar(length=26, primary_key=True)
    user_id = Varchar(length=26, index=True)
    token_hash = Varchar(length=64, unique=True)
    client_ip = Varchar(length=64, default="")
    created_at = Timestamptz()
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
