"""Every statement on the org area's tables: other modules call these functions and get typed records back."""
