"""The API docs page (`/schema/swagger`): a 3.1-capable renderer served from the repository, and a useful document."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from api.app import SWAGGER_UI_ASSETS
from api.contract import openapi_document, schema_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The OpenAPI document as served (it depends on no setting and no data)."""
    return openapi_document()


@pytest.fixture
async def docs() -> AsyncIterator[httpx.AsyncClient]:
    """The app, never started: the docs page and its assets touch no database."""
    with schema_app() as app:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
            yield http


class _AssetLinks(HTMLParser):
    """Every URL the page makes the browser load: script sources, stylesheets, icons, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href"):
            if found.get(name):
                self.urls.append(found[name] or "")


async def test_the_docs_page_loads_only_local_assets_and_each_answers_with_its_type(docs):
    page = await docs.get("/schema/swagger")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    links = _AssetLinks()
    links.feed(page.text)
    assert len(links.urls) >= 4, links.urls  # the bundle, the preset, the stylesheet, the icon
    expected_types = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
    for url in links.urls:
        assert url.startswith("/schema/assets/"), f"{url}: every asset is served by the app itself (offline, no CDN)"
        asset = await docs.get(url)
        assert asset.status_code == 200, url
        suffix = url[url.rfind(".") :]
        assert asset.headers["content-type"].startswith(expected_types[suffix]), (url, asset.headers["content-type"])
        assert asset.content == (SWAGGER_UI_ASSETS / url.removeprefix("/schema/assets/")).read_bytes()


def test_the_vendored_renderer_is_swagger_ui_5_or_later_with_its_licence():
    bundle = (SWAGGER_UI_ASSETS / "swagger-ui-bundle.js").read_text()
    version = re.search(r'PACKAGE_VERSION:"(\d+)\.(\d+)\.(\d+)"', bundle)
    assert version, "the bundle names its version"
    assert int(version.group(1)) >= 5, "Swagger UI renders OpenAPI 3.1 from version 5 on"
    assert "Apache License" in (SWAGGER_UI_ASSETS / "LICENSE").read_text()
    assert ".".join(version.groups()) in (SWAGGER_UI_ASSETS / "README.md").read_text(), "the README names the version"


def test_the_document_is_openapi_3_1(document):
    assert document["openapi"].startswith("3.1.")
    assert document["info"]["title"] and document["info"]["version"]
