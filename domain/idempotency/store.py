"""Every statement on the idempotency area's tables: other modules call these functions and get typed records back."""
