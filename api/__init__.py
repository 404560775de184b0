"""The HTTP face of the service: a Litestar app with thin handlers over the domain services."""
