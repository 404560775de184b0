"""Background jobs: arq on Redis when configured, the same functions in-process otherwise."""
