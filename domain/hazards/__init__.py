"""Hazard investigation and governance (隐患排查治理): levels, the general and major workflows as one table."""
