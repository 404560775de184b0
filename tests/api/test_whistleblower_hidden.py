"""Issue 13, acceptance 3: a public report accepted with a photo carrying real GPS EXIF leaves nothing of the
reporter — text, coordinates, device, contact, capture or occurrence time — in any field, file, feed change or
notification an enterprise login (officer and principal) can reach.

The enterprise's reach is found, not listed by hand: every GET path of the served OpenAPI document, with its ids
filled from the answers (the enterprise, its hazards, their photos, risk points, codes, users, webhooks, pages of
lists and of the sync feed), every photo file it can download, and every table row tied to the enterprise.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import secrets
from datetime import datetime

import httpx
from PIL import ExifTags, Image, ImageDraw
from PIL.TiffImagePlugin import IFDRational

from api.dependencies import services_of
from domain.accounts.tables import AppUser
from domain.clock import utcnow
from domain.db.tables import ALL_TABLES
from domain.history.tables import HistoryEvent
from domain.notifications.tables import Notification
from domain.org.tables import Enterprise
from domain.photos import storage
from domain.photos.tables import Photo
from domain.public_reports.services import device_user
from domain.public_reports.tables import (
    PublicRateCounter,
    PublicReport,
    PublicReportContact,
    PublicReportPhoto,
    PublicReportReply,
)
from seed import zhoushan
from tests.conftest import login

BOUNDARY = "sf-whistle-form"
ENTERPRISE_USERS = ("officer1", "principal1")

# --- what the reporter gave, each distinctive enough that finding it anywhere is a leak ------------------------------
DEVICE_ID = "whistle-phone-" + secrets.token_hex(6)
REPORTER_TITLE = "夜班叉车堵死东门消防通道"
REPORTER_DESCRIPTION = "我是夜班装卸工，凌晨两点看到叉车把东门消防通道堵死了，已经第三天，班长说别管。"
REPORTER_FRAGMENTS = ("夜班装卸工", "凌晨两点", "班长说别管", "堵死东门")
CONTACT_NAME = "吹哨人乙某"
CONTACT_PHONE = "13977770123"
REPORT_POINT = (30.071234, 121.981357)  # where the reporter stood (the report's lat, lng)
OCCURRED_AT = "2026-11-27T02:13:47+08:00"
OCCURRED_FORMS = ("2026-11-27T02:13:47", "2026-11-27 02:13:47", "2026-11-26T18:13:47", "2026-11-26 18:13:47")
# the photo's EXIF: 30° 4' 20.8848" N, 121° 58' 44.8860" E, taken 2026-11-27 03:41:29 +08:00 by a serial-numbered camera
GPS_LAT = ((30, 1), (4, 1), (208848, 10000))
GPS_LNG = ((121, 1), (58, 1), (448860, 10000))
PHOTO_POINT = (30 + 4 / 60 + 20.8848 / 3600, 121 + 58 / 60 + 44.886 / 3600)
CAPTURE_EXIF = "2026:11:27 03:41:29"
CAPTURE_FORMS = (
    "2026:11:27 03:41:29",
    "2026-11-27T03:41:29",
    "2026-11-27 03:41:29",
    "2026-11-26T19:41:29",
    "2026-11-26 19:41:29",
    "2026:11:27",
)
CAMERA_SERIAL = "WB-SN-884213"
CAMERA_MODEL = "WhistleCam X9"
# the DMS seconds as EXIF rational text and as decimals, in the forms a serialiser might write them
GPS_TEXT = ("208848/10000", "448860/10000", "20.8848", "44.886", "4' 20", "58' 44")

# what the regulator writes for the enterprise instead
OWN_TITLE = "东门消防通道占用（监管核实）"
OWN_DESCRIPTION = "经现场核实，东门消防通道存在车辆占用情况，请立即清理并落实消防通道日常管理制度。"


def gps_jpeg() -> bytes:
    """A phone photo: light scene, EXIF with GPS, capture time, camera make, model and serial, and a description."""
    image = Image.new("RGB", (1400, 1000), (222, 226, 230))
    draw = ImageDraw.Draw(image)
    for i in range(12):
        draw.rectangle((60 + i * 105, 300, 130 + i * 105, 620), fill=(180 - i * 9, 120 + i * 6, 90))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "WhistleCorp"
    exif[ExifTags.Base.Model] = CAMERA_MODEL
    exif[ExifTags.Base.ImageDescription] = "fire lane blocked"
    exif[ExifTags.Base.Orientation] = 1
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[ExifTags.Base.DateTimeOriginal] = CAPTURE_EXIF
    details[ExifTags.Base.OffsetTimeOriginal] = "+08:00"
    details[ExifTags.Base.BodySerialNumber] = CAMERA_SERIAL
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = tuple(IFDRational(n, d) for n, d in GPS_LAT)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = tuple(IFDRational(n, d) for n, d in GPS_LNG)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=exif, comment=b"taken by the night-shift loader")
    return buffer.getvalue()


def form(file: bytes, **fields: str) -> bytes:
    head = f"--{BOUNDARY}\r\nContent-Disposition: form-data; name="
    parts = [f'{head}"{name}"\r\n\r\n{value}\r\n'.encode() for name, value in fields.items()]
    parts.append(f'{head}"file"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode() + file + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


# --- finding leaks ---------------------------------------------------------------------------------------------------

_DECIMAL = re.compile(r"-?\d{1,3}\.\d{4,}")


def leaks(text: str, secrets_: tuple[str, ...]) -> list[str]:
    """The reporter's strings in `text`, and any decimal within ~5 m of one of the reporter's coordinates."""
    found = [secret for secret in secrets_ if secret in text]
    for number in _DECIMAL.findall(text):
        value = abs(float(number))
        if any(abs(value - coordinate) < 0.00005 for coordinate in (*REPORT_POINT, *PHOTO_POINT)):
            found.append(number)
    return found


def carries_metadata(data: bytes) -> list[str]:
    """What metadata an image carries (EXIF, ICC, XMP, comments); empty when it is pixels only."""
    with Image.open(io.BytesIO(data)) as image:
        found = [key for key in ("exif", "icc_profile", "xmp", "comment", "XML:com.adobe.xmp") if image.info.get(key)]
        if image.getexif():
            found.append("getexif")
    return found


def bottom_band_is_darker(data: bytes) -> bool:
    """A stamp darkens a band along the bottom: its brightness is well below the middle's on a light photo."""
    with Image.open(io.BytesIO(data)) as image:
        grey = image.convert("L")
        width, height = grey.size
        band = grey.crop((0, height - max(8, height // 40), width, height))
        middle = grey.crop((0, height // 10, width, height // 4))
        mean = lambda part: sum(part.getdata()) / (part.width * part.height)  # noqa: E731
        return mean(band) < 0.75 * mean(middle)


def _singular(word: str) -> str:
    word = word.replace("-", "_")
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") else word


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def harvest(body, context: str, found: dict[str, set[str]]) -> None:
    """Ids in an answer, by the path parameter they fill: `xId` keys, and `id` of the resource the context names."""
    if isinstance(body, dict):
        for key, value in body.items():
            if isinstance(value, str) and value:
                if key == "id":
                    found.setdefault(f"{context}_id", set()).add(value)
                elif key.endswith("Id"):
                    found.setdefault(_snake(key), set()).add(value)
                elif key == "token":
                    found.setdefault("token", set()).add(value)
                elif key == "code" and context == "region":
                    found.setdefault("code", set()).add(value)
            elif isinstance(value, list) and key.endswith("Ids"):
                found.setdefault(_snake(key[:-1]), set()).update(v for v in value if isinstance(v, str))
            elif isinstance(value, (dict, list)):
                inner = context if key in ("items", "data", "payload", "changes") else _singular(_snake(key))
                harvest(value, inner, found)
    elif isinstance(body, list):
        for item in body:
            harvest(item, context, found)


def path_context(template: str) -> str:
    literal = [part for part in template.split("/") if part and not part.startswith("{") and "." not in part]
    return _singular(literal[-1]) if literal else ""


# Paths an enterprise login cannot reach with what it may know: the reporter's own receipt page (public, by the
# reporter's secret receipt; what it shows is the status and replies, checked in test_public_reports).
UNREACHABLE = {"/v1/public/reports/{receipt}"}
PER_TEMPLATE = 60  # ids tried per path template: the accepted hazard's and its photos' first, then others


async def crawl(
    client: httpx.AsyncClient, headers: dict, known: dict[str, set[str]], first: set[str]
) -> dict[str, httpx.Response]:
    """GET every path of the served OpenAPI document the ids found so far can fill, pages followed, until no new id
    turns up; the answers by path (errors included: their bodies are scanned too)."""
    document = (await client.get("/schema/openapi.json")).json()
    operations = {path: item["get"] for path, item in document["paths"].items() if "get" in item}
    answers: dict[str, httpx.Response] = {}
    grew = True
    while grew:
        grew = False
        for template, operation in sorted(operations.items()):
            if template in UNREACHABLE:
                continue
            names = re.findall(r"{(\w+)}", template)
            choices = [sorted(known.get(name, ()), key=lambda v: (v not in first, v))[:PER_TEMPLATE] for name in names]
            # the largest page each list allows, as its schema says
            query = {
                p["name"]: p["schema"]["maximum"]
                for p in operation.get("parameters", [])
                if p["name"] == "limit" and "maximum" in p.get("schema", {})
            }
            for combo in itertools.product(*choices):
                path = template
                for name, value in zip(names, combo, strict=True):
                    path = path.replace("{" + name + "}", value)
                if path in answers:
                    continue
                cursor, page = None, 0
                while True:
                    params = query | ({"cursor": cursor} if cursor else {})
                    if template == "/v1/sync/changes" and cursor:
                        params = query | {"since": cursor}
                    response = await client.get(path, headers=headers, params=params)
                    answers[path if not page else f"{path}#page{page}"] = response
                    before = sum(len(v) for v in known.values())
                    if response.headers.get("content-type", "").startswith("application/json"):
                        body = response.json()
                        harvest(body, path_context(template), known)
                        cursor = body.get("nextCursor") if isinstance(body, dict) else None
                        if template == "/v1/sync/changes" and isinstance(body, dict):
                            cursor = body.get("nextCursor") if body.get("hasMore") else None
                    else:
                        cursor = None
                    grew |= sum(len(v) for v in known.values()) > before
                    page += 1
                    if not cursor or page > 50:
                        break
    return answers


# --- the test -------------------------------------------------------------------------------------------------------


async def _tied_rows(values: set[str], report_id: str) -> dict[str, list[dict]]:
    """Every row of every table holding one of `values` (the enterprise, its hazard, photos, staff), except the
    regulators' own records of the report (its tables, its chain, the regulators' notifications)."""
    regulators_only = {PublicReport, PublicReportContact, PublicReportPhoto, PublicReportReply, PublicRateCounter}
    tied: dict[str, list[dict]] = {}
    for table in ALL_TABLES:
        if table in regulators_only:
            continue
        for row in await table.select().run():
            if table is HistoryEvent and row["chain_id"] == report_id:
                continue
            if table is Notification and row["audience"] == "regulator":
                continue
            if any(isinstance(v, str) and any(value in v for value in values) for v in row.values()):
                tied.setdefault(table._meta.tablename, []).append(row)
    return tied


async def test_nothing_of_the_whistleblower_reaches_any_field_file_feed_or_notification_of_the_enterprise(client, app):
    # the reporter: a photo with real GPS EXIF, then the report, with contact, place and time
    photo_bytes = gps_jpeg()
    uploaded = await client.post(
        "/v1/public/reports/photos",
        content=form(photo_bytes, clientId="wb-photo-1", deviceId=DEVICE_ID),
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    assert uploaded.status_code == 201, uploaded.text
    original = uploaded.json()
    e1_name = next(name for key, name, *_ in zhoushan.ENTERPRISES if key == "E1")
    e1 = await Enterprise.select(Enterprise.id, Enterprise.credit_code).where(Enterprise.name == e1_name).first().run()
    made = await client.post(
        "/v1/public/reports",
        json={
            "clientId": "wb-report-1",
            "deviceId": DEVICE_ID,
            "title": REPORTER_TITLE,
            "description": REPORTER_DESCRIPTION,
            "enterpriseCreditCode": e1["credit_code"],
            "lat": REPORT_POINT[0],
            "lng": REPORT_POINT[1],
            "occurredAt": OCCURRED_AT,
            "photoIds": [original["id"]],
            "contact": {"name": CONTACT_NAME, "phone": CONTACT_PHONE},
        },
    )
    assert made.status_code == 201, made.text
    receipt = made.json()["receipt"]
    report = await PublicReport.select().where(PublicReport.receipt == receipt.replace("-", "")).first().run()
    regulator = await login(client, "regulator_dinghai")

    # the regulator's copy of the original keeps its evidence: the GPS, the time, the camera (so the checks can fail)
    kept = await client.get(f"/v1/photos/{original['id']}", headers=regulator)
    assert kept.status_code == 200 and kept.content == photo_bytes
    with Image.open(io.BytesIO(kept.content)) as image:
        assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude][2] == IFDRational(208848, 10000)

    accepted_from = utcnow()
    accepted = await client.post(
        f"/v1/public-reports/{report['id']}/transitions",
        headers=regulator | {"If-Match": '"1"'},
        json={
            "action": "accept",
            "category": "unsafe_condition",
            "title": OWN_TITLE,
            "description": OWN_DESCRIPTION,
            "photoIds": [original["id"]],
            "reply": "已受理，感谢举报",
        },
    )
    assert accepted.status_code == 200, accepted.text
    hazard_id = accepted.json()["hazardId"]
    await services_of(app).dispatcher.drain()

    # the hazard: the regulator's words, no place, found when accepted, a new photo (new id, new hash), stamped
    officer = await login(client, "officer1")
    hazard = (await client.get(f"/v1/hazards/{hazard_id}", headers=officer)).json()
    assert (hazard["title"], hazard["description"]) == (OWN_TITLE, OWN_DESCRIPTION)
    assert hazard.get("lat") is None and hazard.get("lng") is None
    assert datetime.fromisoformat(hazard["foundAt"]) >= accepted_from.replace(microsecond=0)
    [copy] = hazard["photos"]
    assert copy["id"] != original["id"] and copy["sha256"] != original["sha256"]
    copy_row = await Photo.select().where(Photo.id == copy["id"]).first().run()
    assert (copy_row["taken_at"], copy_row["lat"], copy_row["lng"], copy_row["device_id"]) == (None, None, None, "")
    assert copy_row["stamped"] is True and copy_row["enterprise_id"] == e1["id"]
    staff = {row["id"] for row in await AppUser.select(AppUser.id).where(AppUser.enterprise_id == e1["id"]).run()}

    secrets_ = (
        REPORTER_TITLE,
        REPORTER_DESCRIPTION,
        *REPORTER_FRAGMENTS,
        CONTACT_NAME,
        CONTACT_PHONE,
        DEVICE_ID,
        device_user(DEVICE_ID),
        receipt,
        receipt.replace("-", ""),
        report["id"],
        report["client_key"],
        original["id"],
        original["sha256"],
        CAMERA_SERIAL,
        CAMERA_MODEL,
        "WhistleCorp",
        "night-shift",
        "fire lane",
        *OCCURRED_FORMS,
        *CAPTURE_FORMS,
        *GPS_TEXT,
    )
    assert leaks(json.dumps(report, default=str, ensure_ascii=False), secrets_)  # the detector finds what is there

    copy_paths = {f"/v1/photos/{copy['id']}", f"/v1/photos/{copy['id']}/display", f"/v1/photos/{copy['id']}/thumb"}
    for username in ENTERPRISE_USERS:
        headers = await login(client, username)
        me = (await client.get("/v1/me", headers=headers)).json()
        known = {
            "enterprise_id": {e1["id"]},
            "hazard_id": {hazard_id},
            "photo_id": {copy["id"]},
            "user_id": {me["id"], *staff},
            "report_id": {report["id"]},
        }
        answers = await crawl(client, headers, known, first={hazard_id, copy["id"], e1["id"]})
        # the crawl reached what matters: the hazard, its history, the photo files, the feed, the notifications
        for path in (
            f"/v1/hazards/{hazard_id}",
            f"/v1/hazards/{hazard_id}/history",
            "/v1/sync/changes",
            "/v1/notifications",
            *copy_paths,
        ):
            assert answers[path].status_code == 200, (username, path, answers[path].text[:200])
        assert hazard_id in answers["/v1/sync/changes"].text or any(
            hazard_id in r.text for p, r in answers.items() if p.startswith("/v1/sync/changes#")
        )
        for path in (
            f"/v1/public-reports/{report['id']}",
            f"/v1/public-reports/{report['id']}/history",
            "/v1/public-reports",
        ):
            assert answers[path].status_code in (403, 404), path
        assert len(answers) > 60, sorted(answers)
        for path, response in answers.items():
            kind = response.headers.get("content-type", "")
            text = (
                response.text
                if kind.startswith(("application/json", "text/", "application/problem"))
                else (response.content.decode("latin-1"))
            )
            assert not leaks(text, secrets_), (username, path, leaks(text, secrets_))
            if path.split("#")[0] in copy_paths:
                assert not carries_metadata(response.content), (path, carries_metadata(response.content))
        # the copy and its display copy carry the enterprise's stamp (burned in once, not twice over)
        assert bottom_band_is_darker(answers[f"/v1/photos/{copy['id']}"].content)
        # the report's own photo is not the enterprise's in any form
        for path in (
            f"/v1/photos/{original['id']}",
            f"/v1/photos/{original['id']}/display",
            f"/v1/photos/{original['id']}/thumb",
        ):
            assert (await client.get(path, headers=headers)).status_code == 404, path

    # the files behind the enterprise's photo: no metadata, none of the reporter's bytes
    root = services_of(app).settings.photo_dir
    for path in (
        storage.original_path(root, copy["sha256"]),
        storage.derivative_path(root, "display", copy["sha256"]),
        storage.derivative_path(root, "thumb", copy["sha256"]),
    ):
        data = path.read_bytes()
        assert not carries_metadata(data) and not leaks(data.decode("latin-1"), secrets_), path

    # every table row tied to the enterprise, its hazard, its photo or its staff
    tied = await _tied_rows({e1["id"], hazard_id, copy["id"], *staff}, report["id"])
    assert {"hazard", "photo", "hazard_photo", "history_event"} <= set(tied), sorted(tied)
    for table, rows in tied.items():
        for row in rows:
            text = json.dumps(row, default=str, ensure_ascii=False)
            assert not leaks(text, secrets_), (table, leaks(text, secrets_), text[:300])
