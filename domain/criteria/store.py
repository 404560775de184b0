"""Every statement on the criteria area's tables: other modules call these functions and get typed records back."""
