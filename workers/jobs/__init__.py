"""Job functions: `async def job(ctx, ...)`, idempotent, taking ids and re-reading state."""
