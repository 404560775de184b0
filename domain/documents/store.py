"""Every statement on the documents area's tables: other modules call these functions and get typed records back."""
