"""Fault tests: servers killed, stopped and restarted under load (each on private instances of its own)."""
