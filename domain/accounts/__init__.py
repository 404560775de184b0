"""Accounts: users, roles and their bindings, sign-in, tokens and scopes."""
