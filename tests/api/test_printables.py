"""Printed things through the real API: the vector label sheet carries the enterprise's own code, the print date and a
meaningful file name; a risk card too long for one page goes on over pages, each one served, all in one PDF."""

from __future__ import annotations

import io
import re
from datetime import timedelta, timezone
from urllib.parse import quote

import pypdf

from domain.clock import utcnow
from domain.printing import sheet
from domain.printing.model import chinese_date
from domain.printing.qr import qr_matrix
from tests.conftest import login
from tests.unit.test_printing import filled_rects, text_of


def today() -> str:
    return utcnow().astimezone(timezone(timedelta(hours=8))).date().isoformat()


async def officer1_enterprise(client, headers) -> dict:
    listed = (await client.get("/v1/enterprises", headers=headers)).json()["items"]
    return (await client.get(f"/v1/enterprises/{listed[0]['id']}", headers=headers)).json()


async def points_of(client, headers, enterprise_id: str) -> list[dict]:
    response = await client.get(f"/v1/enterprises/{enterprise_id}/risk-points", params={"limit": 100}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    return body["items"] if isinstance(body, dict) else body


def first_qr_on(page) -> list[list[bool]]:
    """The modules of the first sticker's code, read back from the rectangles drawn in the sheet's first cell."""
    cell_w = (sheet.PAGE_WIDTH - 2 * sheet.MARGIN_X) / sheet.COLUMNS
    cell_h = (sheet.GRID_BOTTOM - sheet.GRID_TOP) / sheet.ROWS
    rects = [
        r
        for r in filled_rects(page)
        if r[0] < sheet.MARGIN_X + cell_w and sheet.GRID_TOP < r[1] < sheet.GRID_TOP + cell_h
    ]
    module = min(r[3] for r in rects)
    # every code starts with its finder pattern four modules in from the quiet zone's corner
    left, top = min(r[0] for r in rects) - 4 * module, min(r[1] for r in rects) - 4 * module
    size = round((max(r[0] + r[2] for r in rects) - left) / module) + 4
    grid = [[False] * size for _ in range(size)]
    for x, y, w, _ in rects:
        row, first = round((y - top) / module), round((x - left) / module)
        for column in range(first, first + round(w / module)):
            grid[row][column] = True
    return grid


async def test_the_label_sheet_is_a_vector_pdf_with_the_enterprise_code_the_date_and_a_meaningful_name(client):
    officer = await login(client, "officer1")
    enterprise = await officer1_enterprise(client, officer)
    response = await client.get(f"/v1/enterprises/{enterprise['id']}/qr-sheet.pdf", headers=officer)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    day = today()
    assert response.headers["content-disposition"] == (
        f'attachment; filename="{enterprise["creditCode"]}-qr-sheet-{day}.pdf"; '
        f"filename*=UTF-8''{quote(enterprise['name'], safe='')}-qr-sheet-{day}.pdf"
    )
    response.headers["content-disposition"].encode("ascii")  # a header value must be plain ASCII

    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert b"/Subtype /Image" not in response.content  # text and codes are drawn, not pasted pictures
    first = text_of(reader.pages[0])
    local = utcnow().astimezone(timezone(timedelta(hours=8))).date()
    assert f"印制日期：{chinese_date(local)}" in first and enterprise["creditCode"] in first
    assert "企业安全码" in first and enterprise["name"] in first
    # the first sticker is the enterprise's own code, module for module
    assert first_qr_on(reader.pages[0]) == qr_matrix(enterprise["safetyCode"]["url"])
    points = await points_of(client, officer, enterprise["id"])
    everything = "".join(text_of(page) for page in reader.pages)
    assert points and all(re.sub(r"\s", "", point["name"]) in everything for point in points)


async def test_another_enterprises_sheet_and_card_are_refused(client):
    officer = await login(client, "officer1")
    principal2 = await login(client, "principal2")
    other = await officer1_enterprise(client, principal2)
    refused = await client.get(f"/v1/enterprises/{other['id']}/qr-sheet.pdf", headers=officer)
    assert (refused.status_code, refused.json()["code"]) == (404, "NOT_FOUND")
    point = (await points_of(client, principal2, other["id"]))[0]
    for path in ("card.png", "card.pdf"):
        refused = await client.get(f"/v1/risk-points/{point['id']}/{path}", headers=officer)
        assert refused.status_code == 404, path


async def test_a_card_too_long_for_one_page_goes_on_over_pages_each_served_and_all_in_one_pdf(client):
    officer = await login(client, "officer1")
    enterprise = await officer1_enterprise(client, officer)
    point = (await points_of(client, officer, enterprise["id"]))[0]
    single = await client.get(f"/v1/risk-points/{point['id']}/card.png", headers=officer)
    assert single.status_code == 200 and single.content.startswith(b"\x89PNG")

    long = "作业前确认可燃气体检测合格、办理作业票并落实监护人全程在场；" * 12
    measures = [
        {
            "type": ["engineering", "management", "training", "ppe", "emergency"][n % 5],
            "content": f"第{n}条：{long}"[:500],
        }
        for n in range(40)
    ]
    changed = await client.patch(f"/v1/risk-points/{point['id']}", json={"controlMeasures": measures}, headers=officer)
    assert changed.status_code == 200, changed.text
    first = await client.get(f"/v1/risk-points/{point['id']}/card.png", headers=officer)
    pages = int(first.headers["x-page-count"])
    assert pages > 3
    last = await client.get(f"/v1/risk-points/{point['id']}/card.png", params={"page": pages}, headers=officer)
    assert last.status_code == 200 and last.content.startswith(b"\x89PNG") and last.content != first.content
    past = await client.get(f"/v1/risk-points/{point['id']}/card.png", params={"page": pages + 1}, headers=officer)
    assert (past.status_code, past.json()["code"]) == (404, "NOT_FOUND")
    for bad in ("0", "x", "101"):
        refused = await client.get(f"/v1/risk-points/{point['id']}/card.png", params={"page": bad}, headers=officer)
        assert refused.status_code == 400, bad

    printed = await client.get(f"/v1/risk-points/{point['id']}/card.pdf", headers=officer)
    assert printed.status_code == 200 and printed.headers["content-type"] == "application/pdf"
    assert len(pypdf.PdfReader(io.BytesIO(printed.content)).pages) == pages
    disposition = printed.headers["content-disposition"]
    assert disposition.startswith(f'attachment; filename="risk-point-{point["id"]}-risk-card-{today()}.pdf"')
    assert f"filename*=UTF-8''{quote(point['name'], safe='')}-risk-card-{today()}.pdf" in disposition
