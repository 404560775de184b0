"""Demo public reports (12350 / 吹哨人): one naming 岑港 E1 by credit code with a contact and a photo, accepted by
定海's regulator into a hazard; one in 六横镇 with its place and the town chosen, still waiting; one naming E3 by
name, dismissed with a reply. Through the services, with fixed device and client ids, so seeding again changes
nothing. They are seeded before the region outlines (as the hazards are, before the demo webhook exists), so the
second one is routed by the town it names, not by its point."""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta

from PIL import ExifTags, Image, ImageDraw
from PIL.TiffImagePlugin import IFDRational

from domain.accounts.services import AccountService
from domain.clock import utcnow
from domain.config import Settings
from domain.inspections.model import LOCAL_TIME
from domain.org.tables import Enterprise
from domain.photos.services import Photos
from domain.photos.storage import Incoming
from domain.public_reports import model
from domain.public_reports import services as reports
from domain.public_reports.tables import PublicReport
from seed import zhoushan
from seed.inspections import actor_named
from seed.region_shapes import shapes

DEVICE = "seed-public-phone-0001"
SEED_ADDRESS = "seed"


def grid_centre(code: str) -> tuple[float, float]:
    """(lat, lng) of the middle of a demo grid's schematic outline."""
    ring = next(
        geometry["coordinates"][0] for kind, subject, geometry in shapes() if kind == "grid" and subject == code
    )
    corners = ring[:-1]
    return sum(p[1] for p in corners) / len(corners), sum(p[0] for p in corners) / len(corners)


# Where and when the demo reporter's phone says the photo was taken (its EXIF): near E1's tank farm, at night.
REPORTER_PHOTO_PLACE = ((30, 1), (4, 1), (125520, 10000)), ((121, 1), (58, 1), (391200, 10000))


def reporter_jpeg(when: datetime) -> bytes:
    """A phone photo as a reporter sends it: the scene alone, with the place, time and camera in its EXIF — all of
    which the enterprise's stamped copy of it leaves out (compare GET /v1/photos/{id} as a regulator and as officer1)."""
    rng = random.Random(12350)
    width, height = 960, 720
    base = (rng.randrange(60, 200), rng.randrange(60, 200), rng.randrange(60, 200))
    image = Image.new("RGB", (width, height), base)
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        colour = tuple(max(0, min(255, c + rng.randrange(-60, 60))) for c in base)
        draw.rectangle((x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 160)), fill=colour)
    exif = Image.Exif()
    exif[ExifTags.Base.Make], exif[ExifTags.Base.Model] = "DemoPhone", "Reporter 12"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = f"{when.astimezone(LOCAL_TIME):%Y:%m:%d %H:%M:%S}"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    (lat, lng) = REPORTER_PHOTO_PLACE
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLongitudeRef] = "N", "E"
    gps[ExifTags.GPS.GPSLatitude] = tuple(IFDRational(n, d) for n, d in lat)
    gps[ExifTags.GPS.GPSLongitude] = tuple(IFDRational(n, d) for n, d in lng)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, exif=exif)
    return buffer.getvalue()


async def _photo(settings: Settings) -> str:
    photos = Photos(settings)
    data = reporter_jpeg(utcnow() - timedelta(days=2))
    with Incoming(photos.root, photos.max_bytes) as incoming:
        incoming.write(data)
        record, _ = await reports.upload_photo(
            photos=photos, incoming=incoming, client_id="seed-public-photo-1", device_id=DEVICE, address=SEED_ADDRESS
        )
    return record.id


async def seed_public_reports(settings: Settings) -> str:
    """Three public reports and what the regulators did with them."""
    now = utcnow()
    e1 = (
        await Enterprise.select(Enterprise.credit_code)
        .where(Enterprise.name == zhoushan.ENTERPRISES[0][1])
        .first()
        .run()
    )
    if e1 is None:
        return "public reports: no demo enterprises, nothing seeded"
    photo_id = await _photo(settings)
    lat, lng = grid_centre("PT-LH-01")
    made = 0
    for new in (
        reports.NewPublicReport(
            client_id="seed-public-1",
            device_id=DEVICE,
            title="储罐区消防通道被杂物堵塞",
            description="港兴石化储罐区东侧消防通道堆放大量空桶和木托盘，消防车无法通行，已持续一周。",
            enterprise_credit_code=e1["credit_code"],
            photo_ids=(photo_id,),
            occurred_at=now - timedelta(days=2),
            contact_name="林先生",
            contact_phone="13800571234",
        ),
        reports.NewPublicReport(
            client_id="seed-public-2",
            device_id=DEVICE,
            title="船坞夜间动火无人监护",
            description="六横船厂附近船坞晚上有人电焊切割，旁边没有看火人，也没有灭火器。",
            lat=lat,
            lng=lng,
            region_code="330903100",
            occurred_at=now - timedelta(days=1),
        ),
        reports.NewPublicReport(
            client_id="seed-public-3",
            device_id=DEVICE,
            title="冷库氨味",
            description="路过冷链公司闻到氨味，不知道是否泄漏。",
            enterprise_name="舟山海鲜冷链食品有限公司",
        ),
    ):
        _, created = await reports.submit_report(new=new, address=SEED_ADDRESS)
        made += created
    regulator = await actor_named(AccountService(settings), "regulator_dinghai")
    first = (
        await PublicReport.select()
        .where(PublicReport.client_key == model.hashed(DEVICE, "seed-public-1"))
        .first()
        .run()
    )
    third = (
        await PublicReport.select()
        .where(PublicReport.client_key == model.hashed(DEVICE, "seed-public-3"))
        .first()
        .run()
    )
    acted = 0
    if regulator and first and first["status"] == "received":
        # the regulator's own words for the enterprise, and the photo as a new copy stamped with the enterprise and
        # today's date: nothing of the reporter's text, place, time or phone reaches 港兴石化
        await reports.act(
            actor=regulator,
            report_id=first["id"],
            expected_version=first["version"],
            command=model.AcceptReport(
                category="unsafe_condition",
                title="储罐区东侧消防通道堵塞（群众举报）",
                photo_ids=(photo_id,),
                description="经核实：储罐区东侧消防通道堆放空桶和木托盘，影响消防车通行，请立即清理并落实通道管理。",
                reply="已受理并交企业限期整改，感谢您的举报。",
            ),
            photos=Photos(settings),
        )
        acted += 1
    if regulator and third and third["status"] == "received":
        await reports.act(
            actor=regulator,
            report_id=third["id"],
            expected_version=third["version"],
            command=model.DismissReport(
                reason="现场核查：氨制冷系统检测正常，气味来自冷库除霜排水，不构成隐患。",
                reply="经现场核查未发现泄漏，感谢您的关注。",
            ),
        )
        acted += 1
    return f"public reports: {made} received, {acted} decided by the district regulator"
