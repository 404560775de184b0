"""Organisations: the region tree, grids and enterprises."""
