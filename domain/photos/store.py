"""Every statement on the photos area's tables: other modules call these functions and get typed records back."""
