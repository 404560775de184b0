"""Backups: a consistent copy of the database, the evidence files and the chain heads, with a manifest to check."""
