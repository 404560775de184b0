"""Persistence plumbing: the engines, the binding of tables to an engine, the migrations."""
