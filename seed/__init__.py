"""Seed data: the Zhoushan reference region and a demo data set, loaded through the domain services."""
