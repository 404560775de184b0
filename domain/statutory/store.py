"""Every statement on the statutory area's tables: other modules call these functions and get typed records back."""
