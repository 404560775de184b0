"""Benchmark `POST /v1/photos` with camera-sized JPEGs against doing the bare image work in one process.

    .venv/bin/python -m bench.photos [--files 40] [--concurrency 4] [--width 4000] [--height 3000]

Makes `files` distinct camera-like JPEGs (noise over gradients, EXIF with orientation and GPS, ~2–4 MB each), starts
the real server (`shuangfang serve`, SQLite and photos in a temporary folder, derivatives made in-process) and
uploads them with `concurrency` clients. Two server figures: *accepted* (every 2xx, i.e. the original checked,
hashed, fsynced and recorded) and *finished* (also every display and thumb copy made). The baseline, measured in
the same run on the same files: read, SHA-256, full decode, resize to the display size and JPEG encode, one file
after another in this process. The ratio of the finished rate to the baseline is the figure that matters
(goal ≥ 0.70): both do at least the same image work, on the same machine. The server decodes at reduced scale
(1/8 to check and hash, 1/2 for the display copy) and spreads decoding over the cores, so a second baseline with
the same 1/2-scale decode is printed too: it shows what the server's own overhead costs.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import os
import random
import shutil
import socket
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import httpx
from PIL import ExifTags, Image, ImageDraw, ImageFilter

from bench.scan import _prepare, _serve

DISPLAY_SIDE = 1600


def make_photos(folder: Path, count: int, size: tuple[int, int]) -> list[Path]:
    """`count` distinct JPEGs that compress like phone photos: sensor noise over soft gradients and shapes."""
    width, height = size
    grain = Image.effect_noise(size, 18).convert("L")
    light = Image.linear_gradient("L").resize(size).filter(ImageFilter.GaussianBlur(4))
    base = Image.merge("RGB", (light, Image.blend(grain, light, 0.7), Image.blend(light, grain, 0.35)))
    paths = []
    for n in range(count):
        rng = random.Random(n)
        image = base.copy()
        draw = ImageDraw.Draw(image)
        for _ in range(12):  # a different scene per file, so every file has its own hash
            x, y = rng.randrange(width), rng.randrange(height)
            draw.rectangle(
                [x, y, x + rng.randrange(50, width // 3), y + rng.randrange(50, height // 3)],
                fill=tuple(rng.randrange(256) for _ in range(3)),
            )
        image = Image.blend(image, base, 0.35)
        exif = Image.Exif()
        exif[ExifTags.Base.Orientation] = 6 if n % 2 else 1
        exif[ExifTags.Base.Make] = "Bench"
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps.update({1: "N", 2: (30.0, 3.0, float(n)), 3: "E", 4: (121.0, 57.0, 0.0)})
        path = folder / f"IMG_{n:04d}.jpg"
        image.save(path, "JPEG", quality=90, exif=exif)
        paths.append(path)
    return paths


def baseline(paths: list[Path], *, draft: bool = False) -> float:
    """Files per second for read + SHA-256 + decode + resize to the display size + JPEG encode, one at a time.

    `draft` decodes at the smallest 1/2^n scale still at least the display size, as the server's derivatives do.
    """
    started = time.perf_counter()
    for path in paths:
        data = path.read_bytes()
        hashlib.sha256(data).hexdigest()
        image = Image.open(io.BytesIO(data))
        if draft:
            image.draft("RGB", (DISPLAY_SIDE, DISPLAY_SIDE * image.height // image.width))
        image.load()
        image.thumbnail((DISPLAY_SIDE, DISPLAY_SIDE), Image.Resampling.LANCZOS)
        image.save(io.BytesIO(), "JPEG", quality=82)
    return len(paths) / (time.perf_counter() - started)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ready_count(database: Path) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as connection:
        return connection.execute("SELECT count(*) FROM photo WHERE derivatives_ready").fetchone()[0]


async def upload_all(base_url: str, paths: list[Path], concurrency: int, database: Path) -> tuple[float, float, int]:
    """(accepted files/s, finished files/s, refused) for uploading every file with `concurrency` clients."""
    queue: asyncio.Queue[Path] = asyncio.Queue()
    for path in paths:
        queue.put_nowait(path)
    refused = 0
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
        login = await client.post("/v1/auth/login", json={"username": "officer1", "password": "Demo@2026"})
        headers = {"Authorization": f"Bearer {login.json()['accessToken']}"}

        async def uploader() -> None:
            nonlocal refused
            while not queue.empty():
                path = queue.get_nowait()
                response = await client.post(
                    "/v1/photos",
                    headers=headers,
                    data={"clientId": path.stem},
                    files={"file": (path.name, path.read_bytes(), "image/jpeg")},
                )
                refused += response.status_code != 201

        started = time.perf_counter()
        await asyncio.gather(*(uploader() for _ in range(concurrency)))
        accepted = time.perf_counter() - started
        while _ready_count(database) < len(paths) - refused:
            await asyncio.sleep(0.05)
        finished = time.perf_counter() - started
    return len(paths) / accepted, len(paths) / finished, refused


def main() -> int:
    """Make the files, run the server and the baseline, print the rates and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--width", type=int, default=4000)
    parser.add_argument("--height", type=int, default=3000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sf-bench-photos-"))
    try:
        (folder / "files").mkdir()
        paths = make_photos(folder / "files", args.files, (args.width, args.height))
        sizes = [path.stat().st_size for path in paths]
        print(
            f"{len(paths)} JPEGs of {args.width}×{args.height}, {min(sizes) / 1e6:.1f}–{max(sizes) / 1e6:.1f} MB "
            f"(mean {sum(sizes) / len(sizes) / 1e6:.1f} MB), on {os.cpu_count()} cores"
        )
        env = dict(os.environ, SF_VAR_DIR=str(folder / "var"), DATABASE_URL="", REDIS_URL="")
        _prepare(env)
        port = _free_port()
        server = _serve([str(Path(sys.executable).with_name("shuangfang")), "serve"], port, env)
        try:
            database = folder / "var" / "shuangfang.sqlite3"
            accepted, finished, refused = asyncio.run(
                upload_all(f"http://127.0.0.1:{port}", paths, args.concurrency, database)
            )
        finally:
            server.terminate()
            server.wait()
        base, quick = baseline(paths), baseline(paths, draft=True)
        print(f"server, accepted (checked, hashed, fsynced, recorded) {accepted:6.2f} files/s   refused {refused}")
        print(
            f"server, finished (also display and thumb made)       {finished:6.2f} files/s   "
            f"with {args.concurrency} concurrent clients"
        )
        print(f"baseline: read + sha256 + decode + resize + encode    {base:6.2f} files/s   one process")
        print(f"the same with a draft (1/2-scale) decode              {quick:6.2f} files/s   one process")
        print(
            f"ratio finished / baseline {finished / base:.2f}   accepted / baseline {accepted / base:.2f}   "
            "(goal ≥ 0.70);  "
            f"finished / draft baseline {finished / quick:.2f}"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
