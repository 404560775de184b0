"""Every statement on the posts area's tables: other modules call these functions and get typed records back."""
