"""Measure the memory of checking and rendering large photos at once: RSS before, at the peak, and after.

    .venv/bin/python -m bench.photo_memory [--photos 4] [--side 7070] [--mode RGB] [--rounds 2]

Makes `--photos` distinct PNGs of side × side pixels (a smooth picture: ~140 KB each at 7070², just under the
50 MP cap), then, in a fresh child process each time, runs the intake check (`inspect_photo`) and the derivatives
(`render_derivatives`) of all of them at once on threads, as the API's `asyncio.to_thread` calls do, `--rounds`
times. The child reports its RSS before, its peak RSS (VmHWM) and its RSS after the work (the memory it kept).
With the decode budget in place, the photos that could not start within the wait are counted as busy (503).

Measured here (2 shared cores, four RGB 7070² PNGs of 159 KiB, two rounds; the default 512 MiB budget):
before the budget, peak 1,776 MiB and 706 MiB kept; with it and the fixed mmap threshold, peak 515 MiB and
35 MiB kept (`--no-trim`, without malloc_trim: 522 and 35; without the threshold, trim alone: 585 and 67).
"""

from __future__ import annotations

import argparse
import inspect as _inspect
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def _rss_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_photos(folder: Path, count: int, side: int, mode: str) -> list[Path]:
    """Distinct smooth PNGs (a gradient with a different tint each): tiny files that decode to side² pixels."""
    from PIL import Image

    paths = []
    ramp = Image.linear_gradient("L").resize((side, side))
    for index in range(count):
        bands = [ramp, ramp.transpose(Image.Transpose.ROTATE_90), Image.new("L", (side, side), 40 * index)]
        if mode == "L":
            image = ramp.point(lambda value, shift=index: (value + 7 * shift) % 256)
        else:
            image = Image.merge("RGB", bands)
            if mode == "RGBA":
                image.putalpha(200)
        path = folder / f"large-{index}.png"
        image.save(path, optimize=False, compress_level=9)
        paths.append(path)
    return paths


def child(paths: list[str], rounds: int) -> dict:
    """In this process: every photo checked and rendered at once, `rounds` times; the RSS figures."""
    from domain.photos import images

    images.limit_pillow(50_000_000)
    budgeted = "budget" in _inspect.signature(images.inspect_photo).parameters
    budget = None
    if os.environ.get("SF_BENCH_NO_TRIM"):
        from domain.photos import budget as budget_module

        budget_module.give_memory_back = lambda: None
    if budgeted:
        from domain.config import Settings
        from domain.photos.budget import budget_for

        settings = Settings()
        budget = budget_for(settings.photo_decode_budget_bytes, settings.photo_decode_wait_s)
    before = _rss_mib("VmRSS")
    outcomes: dict[str, int] = {}

    def one(path: str) -> str:
        try:
            if budgeted:
                images.inspect_photo(Path(path), max_pixels=50_000_000, budget=budget)
                images.render_derivatives(Path(path), ("bench",), budget=budget)
            else:
                images.inspect_photo(Path(path), max_pixels=50_000_000)
                images.render_derivatives(Path(path), ("bench",))
        except Exception as error:
            return getattr(error, "code", type(error).__name__)
        return "ok"

    started = time.perf_counter()
    for _ in range(rounds):
        with ThreadPoolExecutor(max_workers=len(paths)) as pool:
            for outcome in pool.map(one, paths):
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
    seconds = time.perf_counter() - started
    time.sleep(0.5)
    return {
        "budgeted": budgeted,
        "before_mib": round(before),
        "peak_mib": round(_rss_mib("VmHWM")),
        "after_mib": round(_rss_mib("VmRSS")),
        "seconds": round(seconds, 1),
        "outcomes": outcomes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=4)
    parser.add_argument("--side", type=int, default=7070)
    parser.add_argument("--mode", choices=("L", "RGB", "RGBA"), default="RGB")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-trim", action="store_true", help="without malloc_trim after each large decode")
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(child(args.child, args.rounds)))
        return
    with tempfile.TemporaryDirectory() as folder:
        paths = make_photos(Path(folder), args.photos, args.side, args.mode)
        sizes = [path.stat().st_size // 1024 for path in paths]
        print(f"{args.photos} PNGs of {args.side}×{args.side} {args.mode}, {sizes} KiB, {args.rounds} round(s) at once")
        command = [
            sys.executable,
            "-m",
            "bench.photo_memory",
            "--rounds",
            str(args.rounds),
            "--child",
            *map(str, paths),
        ]
        env = os.environ | ({"SF_BENCH_NO_TRIM": "1"} if args.no_trim else {})
        result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout)
    print(json.dumps(result))
    print(
        f"RSS before {result['before_mib']} MiB, peak {result['peak_mib']} MiB, after {result['after_mib']} MiB "
        f"({result['seconds']} s; {result['outcomes']})"
    )


if __name__ == "__main__":
    main()
