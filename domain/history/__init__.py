"""The hazard history (隐患履历): an append-only, hash-chained log of events per hazard, and its verification."""
