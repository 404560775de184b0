"""Every statement on the outbox area's tables: other modules call these functions and get typed records back."""
