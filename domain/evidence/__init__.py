"""Evidence: the rows each hash chain protects, and `verify`, which replays every chain and compares those rows."""
