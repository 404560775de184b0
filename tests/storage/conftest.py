"""A real S3-compatible server for the storage tests: moto's server mode, in this process on a free port.

Skipped with a clear message when moto (with its server extra) cannot be imported; with REQUIRE_SERVICES=1 that is a
failure instead.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from dataclasses import replace

import pytest

from domain.config import Settings
from tests.conftest import REQUIRE_SERVICES
from tests.integration.test_demo_command import free_port

_buckets = itertools.count(1)


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """The URL of a moto S3 server running for this module."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as error:
        reason = f"moto[server] is not installed ({error}); pip install -e '.[test]' to run the object-storage tests"
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason} (REQUIRE_SERVICES=1, so this is a failure, not a skip)")
        pytest.skip(reason)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request of the server in the test log
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def on_bucket(settings: Settings, endpoint: str) -> Settings:
    """These settings with `SF_STORAGE=s3` on a new, empty bucket of the moto server."""
    from domain.photos.buckets import s3_client

    s3 = replace(
        settings,
        storage="s3",
        s3_endpoint_url=endpoint,
        s3_bucket=f"evidence-{next(_buckets)}",
        s3_prefix="zhoushan",
        s3_region="us-east-1",
        s3_access_key_id="test-key",
        s3_secret_access_key="test-secret",
        s3_addressing_style="path",
        s3_url_ttl_s=120,
    )
    s3_client(s3).create_bucket(Bucket=s3.s3_bucket)
    return s3
