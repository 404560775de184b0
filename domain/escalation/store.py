"""Every statement on the escalation area's tables: other modules call these functions and get typed records back."""
