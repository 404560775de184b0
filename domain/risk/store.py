"""Every statement on the risk area's tables: other modules call these functions and get typed records back."""
