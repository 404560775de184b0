"""Every statement on the hazards area's tables: other modules call these functions and get typed records back."""
