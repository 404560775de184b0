"""Every statement on the safety_code area's tables: other modules call these functions and get typed records back."""
