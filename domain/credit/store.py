"""Every statement on the credit area's tables: other modules call these functions and get typed records back."""
