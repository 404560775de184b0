"""Every statement on the notifications area's tables: other modules call these functions and get typed records back."""
