"""The major-hazard criteria library: editions with effective dates, items with the industries they apply to."""
