"""A year of hazards for the demo enterprises, in every state of both workflows, made through the services.

Each hazard follows a script of workflow steps dated back from today, so its history is a real hash chain written by
the same code the phones use. Deterministic: the same day gives the same hazards; running it again adds nothing.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from PIL import Image, ImageDraw

from domain.access.model import Actor
from domain.accounts.services import AccountService
from domain.config import Settings
from domain.documents.services import Documents
from domain.hazards import model as m
from domain.hazards.services import NewHazard, create_hazard, transition
from domain.inspections.model import LOCAL_TIME
from domain.org.tables import Enterprise
from domain.photos.services import CaptureForm, Photos
from domain.printing.fonts import cjk_font
from domain.risk.tables import RiskPoint
from seed.documents import evaluation_report_pdf
from seed.inspections import actor_named

# (title, category, description) of hazards typical of each demo industry, after 《重大事故隐患判定标准》 and the
# usual findings of Zhoushan's port storage, shipbuilding and cold-chain enterprises.
FINDINGS = {
    "oil_storage": [
        ("储罐区防火堤排水阀常开", "unsafe_condition", "防火堤雨水排放阀未保持常闭，泄漏时油品可能外溢"),
        ("动火作业未办理作业票", "unsafe_act", "码头管线维修现场动火，未见动火安全作业票及监护人"),
        ("可燃气体报警器未检定", "management_defect", "罐区3台可燃气体检测报警器超过检定有效期"),
        ("静电接地线断开", "unsafe_condition", "装车鹤位静电接地夹损坏，接地线断开"),
        ("消防泵房备用泵无法启动", "unsafe_condition", "备用消防泵试车无法启动，控制柜报故障"),
    ],
    "shipbuilding": [
        ("分段舱内通风不足", "unsafe_condition", "分段舱内涂装作业，未设置强制通风，未检测氧含量"),
        ("高处作业未系安全带", "unsafe_act", "船台脚手架上焊工未系安全带"),
        ("起重机限位器失效", "unsafe_condition", "门式起重机大车行走限位器失效"),
        ("气瓶混放", "unsafe_condition", "氧气瓶与乙炔瓶间距不足5米"),
        ("受限空间作业无监护", "management_defect", "压载舱作业未落实专人监护"),
    ],
}
MAJOR_FINDINGS = {
    "oil_storage": ("罐区未实现紧急切断功能", "构成二级重大危险源的2号、3号储罐未实现紧急切断功能", "HC2017-05"),
    "shipbuilding": ("受限空间作业未检测", "船舶修造受限空间作业未进行气体检测即作业", None),
}


@dataclass(frozen=True, slots=True)
class Cast:
    """The people of one enterprise's scripts."""

    officer: Actor
    principal: Actor
    inspector: Actor | None
    regulator: Actor


PhotoMaker = Callable[[Actor, str, datetime], Awaitable[str]]
Step = tuple[str, Callable[[Cast, datetime], m.Command], int]  # (who, command at that time, days after the last step)


def _assigned(measures: str, days: int) -> Step:
    return ("principal", lambda c, at: m.Assign(c.officer.user_id, measures, at + timedelta(days=days)), 1)


def _submitted(note: str, days: int) -> Step:
    return ("officer", lambda c, at: m.SubmitRectification(("AFTER",), note), days)


def _accepted(by: str, opinion: str, days: int = 1) -> Step:
    return (by, lambda c, at: m.Accept(opinion), days)


GENERAL_SCRIPTS: dict[str, list[Step]] = {
    "closed_with_deadline": [
        _assigned("按措施整改并复查", 7),
        _submitted("已按要求整改", 4),
        _accepted("principal", "复查合格，予以销号"),
    ],
    "closed_on_the_spot": [
        ("officer", lambda c, at: m.RectifyOnSpot(("AFTER",), "现场立即整改"), 0),
        _accepted("principal", "复查合格"),
    ],
    "rejected_then_closed": [
        _assigned("更换损坏部件", 10),
        _submitted("已更换", 3),
        ("principal", lambda c, at: m.Reject("整改照片不清晰，部件型号不符"), 1),
        _submitted("已更换为合格部件", 2),
        _accepted("principal", "复查合格"),
    ],
    "awaiting_acceptance": [_assigned("加装防护并培训", 14), _submitted("已整改，待验收", 2)],
    "rectifying": [_assigned("制定整改方案并实施", 30)],
    "overdue": [_assigned("限期整改", 5)],
    "reported": [],
    "voided": [("officer", lambda c, at: m.Void("重复登记，与前一条为同一隐患"), 0)],
}
INSPECTOR_SCRIPTS: dict[str, list[Step]] = {
    "closed_by_inspector": [
        _assigned("按网格员意见整改", 7),
        _submitted("已整改", 3),
        _accepted("inspector", "网格员复查合格", 2),
    ],
    "awaiting_inspector": [_assigned("按网格员意见整改", 7), _submitted("已整改，请复查", 3)],
}
_REPORT = (
    "officer",
    lambda c, at: m.ReportToRegulator(
        "紧急切断装置缺失，系设计遗留",
        "泄漏后无法快速隔离，整改需停用储罐",
        "加装紧急切断阀并联锁",
        at - timedelta(hours=2),
    ),
    0,
)
_PLAN = (
    "officer",
    lambda c, at: m.SubmitPlan(
        "消除重大事故隐患",
        "加装紧急切断阀并与液位联锁",
        "专项资金30万元已落实",
        "设备部牵头，安全部监督",
        "60日内完成",
        "停用相关储罐，落实应急预案",
        "2号、3号储罐停用",
        at + timedelta(days=60),
    ),
    3,
)
_SUPERVISE = ("regulator", lambda c, at: m.Supervise(at + timedelta(days=90), "挂牌督办"), 2)
_APPROVE = ("principal", lambda c, at: m.ApprovePlan("同意治理方案"), 1)
_FIX = ("officer", lambda c, at: m.SubmitRectification(("AFTER",), "切断阀已安装调试"), 30)
# the evaluation report is a PDF (seed/documents.py), made for each hazard when the step is played
_EVALUATE = (
    "officer",
    lambda c, at: m.SubmitEvaluation("qualified_firm", "浙江某安全评价有限公司", (), "治理后隐患已消除", ("REPORT",)),
    5,
)
_RESUME = ("principal", lambda c, at: m.ApplyResume("申请恢复生产"), 1)
MAJOR_SCRIPTS: dict[str, list[Step]] = {
    "written_off": [
        _REPORT,
        _SUPERVISE,
        _PLAN,
        _APPROVE,
        _FIX,
        _EVALUATE,
        _RESUME,
        ("regulator", lambda c, at: m.WriteOff("复查合格，同意核销"), 5),
    ],
    "continued_then_written_off": [
        _REPORT,
        _PLAN,
        _APPROVE,
        _FIX,
        _EVALUATE,
        _RESUME,
        ("regulator", lambda c, at: m.OrderContinue("联锁未投用，继续治理"), 4),
        _FIX,
        _EVALUATE,
        _RESUME,
        ("regulator", lambda c, at: m.WriteOff("复查合格"), 3),
    ],
    "resume_applied": [_REPORT, _SUPERVISE, _PLAN, _APPROVE, _FIX, _EVALUATE, _RESUME],
    "evaluated": [_REPORT, _PLAN, _APPROVE, _FIX, _EVALUATE],
    "extension_pending": [
        _REPORT,
        _SUPERVISE,
        _PLAN,
        _APPROVE,
        ("officer", lambda c, at: m.RequestExtension(at + timedelta(days=120), "设备供货延迟"), 10),
    ],
    "governing": [_REPORT, _PLAN, _APPROVE],
    "plan_submitted": [_REPORT, _PLAN],
    "reported_to_regulator": [_REPORT],
    "reported": [],
}
# How long ago (days) each script's hazard was found: old enough to have run its course, or recent enough to be open.
_AGES = {
    "rectifying": (3, 20),
    "overdue": (15, 60),
    "awaiting_acceptance": (2, 10),
    "awaiting_inspector": (2, 10),
    "reported": (0, 3),
    "extension_pending": (60, 80),
    "governing": (20, 40),
    "plan_submitted": (4, 8),
    "reported_to_regulator": (1, 3),
    "evaluated": (50, 60),
    "resume_applied": (55, 60),
}
_DEFAULT_AGE = (60, 360)


def scene_jpeg(label: str, rng: random.Random, when: datetime) -> bytes:
    """A field-camera-like picture: a noisy scene with the label painted on, unique per label and time."""
    width, height = 960, 720
    base = (rng.randrange(60, 200), rng.randrange(60, 200), rng.randrange(60, 200))
    image = Image.new("RGB", (width, height), base)
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        colour = tuple(max(0, min(255, c + rng.randrange(-60, 60))) for c in base)
        draw.rectangle((x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 160)), fill=colour)
    # at the top, in local time: the bottom band is where the display copy burns in its stamp
    draw.text((30, 30), f"{label}  {when.astimezone(LOCAL_TIME):%Y-%m-%d %H:%M}", fill="white", font=cjk_font(32))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def photo_maker(settings: Settings) -> PhotoMaker:
    """Photos made and kept through the photo service, as if taken by `actor` at `at`; derivatives come on demand."""
    photos = Photos(settings)
    rng = random.Random(20261129)
    serial = itertools.count()

    async def make(actor: Actor, label: str, at: datetime) -> str:
        form = CaptureForm(client_id=f"seed-photo-{next(serial):05d}", taken_at=at, device_id="seed-camera")
        record, _ = await photos.add_bytes(actor=actor, data=scene_jpeg(label, rng, at), form=form, now=at)
        return record.id

    return make


def report_maker(settings: Settings) -> Callable[[Actor, NewHazard, m.SubmitEvaluation, datetime], Awaitable[str]]:
    """The PDF evaluation report of a seeded hazard, kept through the document service like an upload."""
    documents = Documents(settings)

    async def make(actor: Actor, new: NewHazard, evaluation: m.SubmitEvaluation, at: datetime) -> str:
        found = await Enterprise.select(Enterprise.name).where(Enterprise.id == new.enterprise_id).first().run()
        data = evaluation_report_pdf(
            enterprise=found["name"],
            hazard=new.title,
            evaluator=evaluation.evaluator_name,
            conclusion=evaluation.conclusion,
            when=at,
        )
        client_id = f"seed-report-{new.client_id}-{at:%Y%m%d}"
        record, _ = await documents.add_bytes(
            actor=actor, data=data, client_id=client_id, filename="治理效果评估报告.pdf", now=at
        )
        return record.id

    return make


async def _run(
    cast: Cast,
    reporter: Actor,
    new: NewHazard,
    script: list[Step],
    found: datetime,
    today: datetime,
    photo: PhotoMaker,
    report: Callable[..., Awaitable[str]] | None = None,
) -> int:
    """Report the hazard and play its script; a step that would fall after today is left for the future."""
    before = await photo(reporter, new.title, found)
    record, created = await create_hazard(actor=reporter, new=dataclasses.replace(new, photo_ids=(before,)), now=found)
    if not created:
        return 0
    at, steps = found, 0
    for who, make, days in script:
        at = at + timedelta(days=days, hours=1)
        if at > today:
            break
        actor = getattr(cast, who)
        command = make(cast, at)
        for name in ("after_photo_ids", "report_document_ids"):
            if getattr(command, name, None):
                label = "整改后" if name == "after_photo_ids" else "评估报告"
                command = dataclasses.replace(command, **{name: (await photo(actor, f"{label} {new.title}", at),)})
        if getattr(command, "document_ids", None) and report is not None:
            command = dataclasses.replace(command, document_ids=(await report(actor, new, command, at),))
        record = await transition(
            actor=actor, hazard_id=record.id, expected_version=record.version, command=command, now=at
        )
        steps += 1
    return steps + 1


async def seed_hazards(
    settings: Settings, enterprises: dict[str, tuple[str, str]], today: datetime, photo: PhotoMaker
) -> str:
    """Hazards for each demo enterprise `{key: (enterprise id, industry)}` with staff; returns a one-line summary."""
    accounts = AccountService(settings)
    rng = random.Random(20261128)
    regulator = await actor_named(accounts, "regulator_dinghai")
    inspector = await actor_named(accounts, "inspector1")
    staff = {"E1": ("officer1", "principal1"), "E2": ("officer2", "principal2")}
    hazards = events = 0
    report = report_maker(settings)
    for key, (officer_name, principal_name) in staff.items():
        officer, principal = await actor_named(accounts, officer_name), await actor_named(accounts, principal_name)
        if officer is None or principal is None or key not in enterprises:
            continue
        enterprise_id, industry = enterprises[key]
        points = [
            row["id"]
            for row in await RiskPoint.select(RiskPoint.id)
            .where(RiskPoint.enterprise_id == enterprise_id, RiskPoint.status == "active")
            .order_by(RiskPoint.id)
            .run()
        ]
        regional = regulator if key == "E1" else await actor_named(accounts, "regulator_city")
        cast = Cast(officer, principal, inspector if key == "E1" else None, regional)
        plays = [(name, script, officer, "daily") for name, script in GENERAL_SCRIPTS.items() for _ in range(3)]
        plays += [
            (name, script, officer, "daily")
            for name in ("closed_with_deadline", "closed_on_the_spot")
            for script in [GENERAL_SCRIPTS[name]]
            for _ in range(6)
        ]
        if cast.inspector:
            plays += [
                (name, script, inspector, "grid_inspection")
                for name, script in INSPECTOR_SCRIPTS.items()
                for _ in range(2)
            ]
        majors = [(name, script, officer, "daily") for name, script in MAJOR_SCRIPTS.items()]
        for n, (name, script, reporter, source) in enumerate(plays + majors):
            low, high = _AGES.get(name, _DEFAULT_AGE)
            found = today - timedelta(days=rng.randint(low, high), hours=rng.randint(0, 8))
            major = n >= len(plays)
            if major:
                title, description, criterion = MAJOR_FINDINGS[industry]
                category = "unsafe_condition"
            else:
                title, category, description = rng.choice(FINDINGS[industry])
                criterion = None
            new = NewHazard(
                client_id=f"seed-{key}-{n:03d}",
                enterprise_id=enterprise_id,
                source=source,
                category=category,
                title=title,
                description=description,
                level="major" if major else "general",
                major_criterion_id=criterion,
                expert_reason=None if criterion else ("专家组论证判定为重大事故隐患" if major else None),
                found_at=found,
                risk_point_id=rng.choice(points) if points else None,
            )
            written = await _run(cast, reporter, new, script, found, today, photo, report)
            hazards += written > 0
            events += written
    return f"hazards: {hazards} created with {events} history events"
