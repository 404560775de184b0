"""Every statement on the sync area's tables: other modules call these functions and get typed records back."""
