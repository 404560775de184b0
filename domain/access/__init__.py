"""Roles, the actor, permissions and scope rules: the leaf every area may use."""
