"""The console's pages: each module lists its controllers in `CONTROLLERS`; the router mounts them all."""
