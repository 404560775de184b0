"""Every statement on the standardisation area's tables: other modules call these functions and get typed records back."""
