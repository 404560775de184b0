"""Every statement on the public_reports area's tables: other modules call these functions and get typed records back."""
