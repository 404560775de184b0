"""The app served as `shuangfang serve` does, under cProfile, writing the profile when the server stops.

`python -m bench.profiled_serve OUTPUT.prof PORT`: used by `bench.http --profile`. uvicorn re-raises the signal that
stopped it once its graceful shutdown is done, which would kill the process before the profile is written; a
handler of our own is what uvicorn restores before re-raising, so the process returns and writes it.
"""

from __future__ import annotations

import cProfile
import signal
import sys

import uvicorn


def main() -> int:
    """Serve on the port until SIGTERM or SIGINT, then write the profile."""
    output, port = sys.argv[1], int(sys.argv[2])
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, lambda *_: None)
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        uvicorn.run(
            "api.cli:app_from_environment",
            factory=True,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
        )
    finally:
        profiler.disable()
        profiler.dump_stats(output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
