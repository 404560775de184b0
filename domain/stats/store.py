"""Every statement on the stats area's tables: other modules call these functions and get typed records back."""
