"""The change feed's writer: what changed, recorded in the change's own transaction (the reader is domain/sync)."""
