"""Every statement on the inspections area's tables: other modules call these functions and get typed records back."""
