"""Every statement on the accounts area's tables: other modules call these functions and get typed records back."""
