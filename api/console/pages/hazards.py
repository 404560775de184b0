"""隐患: the hazards of the caller's scope, one hazard's timeline from its chain with its photos, and the regulator's
actions on it (挂牌督办, the extension decision, 核销 or 继续整改, 验收) through the same services as the API.

The actions offered are exactly the hazard's `allowed_actions` for this actor (the workflow table decides, not
this page) among those the console has a form for; each form carries the version read, passed to the service as
the API passes `If-Match`, so a stale form shows the conflict and the hazard as it now stands.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from api.console.pages._acting import (
    ROLE_NAMES,
    day_of,
    end_of_local_day,
    form_of,
    people_names,
    refusal,
    shown_inline,
    text_of,
)
from api.console.render import local_time, page, see_other
from api.routes.photos import DERIVATIVE_CACHE, ORIGINAL_CACHE, send_file
from domain.access.model import Actor, Role
from domain.errors import DomainError, InvalidInput
from domain.hazards import model
from domain.hazards import services as hazards
from domain.org import services as org
from domain.org.scope import require_region
from domain.org.store import regions_under
from domain.photos.services import Photos

PAGE_SIZE = 20

STATUS_NAMES = {
    "reported": "已上报",
    "rectifying": "整改中",
    "awaiting_acceptance": "待验收",
    "closed": "已销号",
    "voided": "已作废",
    "reported_to_regulator": "已报告监管部门",
    "plan_submitted": "治理方案待批",
    "plan_approved": "治理中",
    "evaluated": "治理效果已评估",
    "resume_applied": "申请恢复生产",
    "written_off": "已核销",
}
# The badge colour of each status: red waits on someone now, yellow is under way, blue is done.
STATUS_TONES = {
    "reported": "orange",
    "rectifying": "yellow",
    "awaiting_acceptance": "orange",
    "reported_to_regulator": "orange",
    "plan_submitted": "orange",
    "plan_approved": "yellow",
    "evaluated": "yellow",
    "resume_applied": "orange",
    "closed": "blue",
    "written_off": "blue",
    "voided": "grey",
}
LEVEL_NAMES = {"general": "一般隐患", "major": "重大隐患"}
SOURCE_NAMES = {
    "daily": "日常排查",
    "comprehensive": "综合性排查",
    "specialist": "专业性排查",
    "seasonal": "季节性排查",
    "holiday": "节假日前排查",
    "accident_analogy": "事故类比排查",
    "before_resumption": "复产复工前排查",
    "external_experts": "外聘专家诊断",
    "control_failure": "管控措施失效",
    "grid_inspection": "网格员检查",
    "enforcement": "执法检查",
    "public_report": "群众举报",
    "other": "其他",
}
CATEGORY_NAMES = {"unsafe_condition": "物的不安全状态", "unsafe_act": "人的不安全行为", "management_defect": "管理缺陷"}
STAGE_NAMES = {"before": "发现时", "after": "整改后", "evaluation": "评估报告"}
# What each event of a hazard's chain says, in the words of the workflow.
EVENT_NAMES = {
    "report": "上报隐患",
    "assign": "限期整改（指派）",
    "rectifyOnSpot": "即查即改",
    "submitRectification": "提交整改",
    "accept": "验收销号",
    "reject": "退回",
    "void": "作废",
    "reportToRegulator": "报告监管部门及职代会",
    "submitPlan": "提交治理方案",
    "approvePlan": "批准治理方案",
    "supervise": "挂牌督办",
    "extendDeadline": "申请延期",
    "decideExtension": "延期审批",
    "submitEvaluation": "提交治理效果评估",
    "applyResume": "申请恢复生产",
    "writeOff": "核销",
    "orderContinue": "责令继续整改",
    "confirmLevel": "确认隐患等级",
}
# Payload fields worth a line in the timeline, with their labels (the rest are ids, hashes or bookkeeping).
NOTE_FIELDS = {
    "note": "说明",
    "reason": "理由",
    "measures": "整改措施",
    "deadline": "期限",
    "new_deadline": "申请延至",
    "approved": "决定",
    "current_state_and_cause": "现状及原因",
    "harm_and_difficulty": "危害程度和整改难易",
    "governance_plan_summary": "治理方案",
    "goals_and_tasks": "治理目标和任务",
    "stoppage_scope": "停产停业范围",
    "evaluator_name": "评估单位",
    "conclusion": "评估结论",
    "level": "等级",
    "expert_reason": "专家论证理由",
    "title": "标题",
}


# ---------------------------------------------------------------------------------------------- the actions' forms


def _approved(form: FormMultiDict) -> bool:
    choice = text_of(form, "approved", 10)
    if choice not in ("yes", "no"):
        raise InvalidInput("choose to grant or refuse", field="approved", reason="required")
    return choice == "yes"


def _deadline(form: FormMultiDict, name: str = "deadline"):
    day = day_of(form, name)
    if day is None:
        raise InvalidInput("a deadline is needed", field=name, reason="required")
    return end_of_local_day(day)


# The commands a console user (regulator, inspector, administrator) takes from the page, each built from its form;
# the enterprise's own steps (assign, rectify, plans …) are the phone's and get no form here.
FORMS: dict[str, Callable[[FormMultiDict], Any]] = {
    model.Action.SUPERVISE: lambda f: model.Supervise(deadline=_deadline(f), note=text_of(f, "note")),
    model.Action.DECIDE_EXTENSION: lambda f: model.DecideExtension(
        approved=_approved(f), note=text_of(f, "note"), reason=text_of(f, "reason")
    ),
    model.Action.WRITE_OFF: lambda f: model.WriteOff(note=text_of(f, "note")),
    model.Action.ORDER_CONTINUE: lambda f: model.OrderContinue(reason=text_of(f, "reason")),
    model.Action.ACCEPT: lambda f: model.Accept(note=text_of(f, "note")),
    model.Action.REJECT: lambda f: model.Reject(reason=text_of(f, "reason")),
    model.Action.CONFIRM_LEVEL: lambda f: model.ConfirmLevel(
        level=model.HazardLevel(text_of(f, "level", 10) or "general"),
        major_criterion_id=text_of(f, "major_criterion_id", 40) or None,
        expert_reason=text_of(f, "expert_reason") or None,
    ),
    model.Action.VOID: lambda f: model.Void(reason=text_of(f, "reason")),
}
ACTION_TITLES = {
    "supervise": "挂牌督办",
    "decideExtension": "延期审批",
    "writeOff": "核销（同意恢复生产）",
    "orderContinue": "责令继续整改",
    "accept": "验收通过（销号）",
    "reject": "验收不通过（退回整改）",
    "confirmLevel": "确认隐患等级",
    "void": "作废",
}


# ---------------------------------------------------------------------------------------------- the page's data


@dataclasses.dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One event of the hazard's chain as the page shows it."""

    seq: int
    title: str
    who: str
    role: str
    at: Any
    notes: list[tuple[str, str]]
    photos: list[Any]
    hash: str


def _note_text(name: str, value: Any) -> str:
    if name == "approved":
        return "同意延期" if value else "不同意延期"
    if name in ("deadline", "new_deadline"):
        return local_time(value)
    if name == "level":
        return LEVEL_NAMES.get(str(value), str(value))
    return str(value)


async def timeline_of(actor: Actor, record: hazards.HazardRecord) -> list[TimelineEntry]:
    """The hazard's chain, oldest first, with who did what when, its notes and the photos it attached."""
    events = await hazards.hazard_history(actor=actor, hazard_id=record.id)
    names = await people_names({event.actor_id for event in events})
    entries = []
    for event in events:
        notes = [
            (label, _note_text(name, event.payload[name]))
            for name, label in NOTE_FIELDS.items()
            if event.payload.get(name) not in (None, "", [])
        ]
        if event.action == "report":
            notes = [("标题", record.title)] + ([("描述", record.description)] if record.description else [])
        entries.append(
            TimelineEntry(
                seq=event.seq,
                title=EVENT_NAMES.get(event.action, event.action),
                who=names.get(event.actor_id, event.actor_id),
                role=ROLE_NAMES.get(event.role, event.role),
                at=event.at,
                notes=notes,
                photos=[p for p in record.photos if p.event_seq == event.seq],
                hash=event.hash,
            )
        )
    return entries


async def _detail(
    actor: Actor, hazard_id: str, *, status_code: int = 200, problem: str | None = None, done: str | None = None
) -> Template:
    record = await hazards.get_hazard(actor=actor, hazard_id=hazard_id)
    offered = [action for action in record.allowed_actions if action in FORMS]
    return page(
        "console/hazard.html",
        status_code=status_code,
        actor=actor,
        hazard=record,
        timeline=await timeline_of(actor, record),
        offered=offered,
        problem=problem,
        done=ACTION_TITLES.get(done or ""),
        **LABELS,
    )


LABELS = {
    "status_names": STATUS_NAMES,
    "status_tones": STATUS_TONES,
    "level_names": LEVEL_NAMES,
    "source_names": SOURCE_NAMES,
    "category_names": CATEGORY_NAMES,
    "stage_names": STAGE_NAMES,
    "action_titles": ACTION_TITLES,
}


def _flag(value: str | None) -> bool | None:
    return {"1": True, "0": False}.get(value or "")


async def _list_actor(actor: Actor, region_code: str | None) -> Actor:
    """The caller, narrowed to one region of theirs for the region filter: a regulator's scope is their region's
    subtree, so the same scope rule over a deeper region lists exactly that district's or town's hazards."""
    if not region_code or actor.role not in (Role.REGULATOR, Role.ADMIN):
        return actor
    region = await require_region(actor, region_code)
    return Actor(user_id=actor.user_id, role=Role.REGULATOR, region_path=region.path)


class HazardPages(Controller):
    """`/console/hazards`, `/console/hazards/{id}` and its actions."""

    path = "/hazards"

    @get("/")
    async def list_page(
        self,
        actor: Actor,
        status: str | None = None,
        level: str | None = None,
        overdue: str | None = None,
        enterprise: str | None = None,
        region: str | None = None,
        cursor: str | None = None,
    ) -> Template:
        """Hazards of the caller's scope, newest first, filtered as the API's list is, a page at a time."""
        filters = hazards.HazardFilter(
            statuses=(status,) if status and status != "open" else (),
            level=level if level in LEVEL_NAMES else None,
            enterprise_id=enterprise or None,
            overdue=_flag(overdue),
            open_only=status == "open",
        )
        lister = await _list_actor(actor, region)
        found = await hazards.list_hazards(actor=lister, filters=filters, cursor=cursor or None, limit=PAGE_SIZE)
        chosen = {"status": status, "level": level, "overdue": overdue, "enterprise": enterprise, "region": region}
        query = {name: value for name, value in chosen.items() if value}
        enterprises = await org.list_enterprises(actor=actor, limit=100)
        regions = await regions_under(actor.region_path) if actor.role is Role.REGULATOR and actor.region_path else []
        if actor.role is Role.ADMIN:
            regions = await org.list_regions()
        return page(
            "console/hazards.html",
            actor=actor,
            items=found.items,
            next_url=f"?{urlencode(query | {'cursor': found.next_cursor})}" if found.next_cursor else None,
            first_url=f"?{urlencode(query)}" if cursor else None,
            chosen=chosen,
            enterprises=enterprises.items,
            regions=regions,
            **LABELS,
        )

    @get("/{hazard_id:str}")
    async def detail(self, actor: Actor, hazard_id: str, done: str | None = QueryParameter(default=None)) -> Template:
        """One hazard: its facts, photos, the actions open to the caller now, and its timeline."""
        return await _detail(actor, hazard_id, done=done)

    @post("/{hazard_id:str}/act", status_code=303)
    async def act(self, actor: Actor, request: Request, hazard_id: str) -> Redirect | Template:
        """Take one workflow action with the version the form was read at (the API's If-Match)."""
        form = await form_of(request)
        action = text_of(form, "action", 40)
        version = text_of(form, "version", 9)
        try:
            if action not in FORMS:
                raise InvalidInput("not an action of this page", field="action", reason="unknown")
            if not version.isdigit():
                raise InvalidInput("the form lost its version", field="version", reason="malformed")
            await hazards.transition(
                actor=actor, hazard_id=hazard_id, expected_version=int(version), command=FORMS[action](form)
            )
        except DomainError as error:
            if not shown_inline(error):
                raise
            status, message = refusal(error)
            return await _detail(actor, hazard_id, status_code=status, problem=message)
        return see_other(f"/console/hazards/{hazard_id}?{urlencode({'done': action})}")


class PhotoPages(Controller):
    """`/console/photos/{id}[/thumb|/display]`: the API's photo files for the signed-in console user, through the same
    Photos service and scope rule (who may not see a photo gets the same 404 as for a missing one)."""

    path = "/photos"

    @get("/{photo_id:str}")
    async def original(self, actor: Actor, photos: Photos, request: Request, photo_id: str) -> Response:
        """The original, byte for byte."""
        return send_file(request, await photos.original(actor=actor, photo_id=photo_id), ORIGINAL_CACHE)

    @get("/{photo_id:str}/thumb")
    async def thumb(self, actor: Actor, photos: Photos, request: Request, photo_id: str) -> Response:
        """The thumbnail (JPEG)."""
        found = await photos.derivative(actor=actor, photo_id=photo_id, kind="thumb")
        return send_file(request, found, DERIVATIVE_CACHE)

    @get("/{photo_id:str}/display")
    async def display(self, actor: Actor, photos: Photos, request: Request, photo_id: str) -> Response:
        """The display copy (JPEG, stamped with time, place and enterprise)."""
        found = await photos.derivative(actor=actor, photo_id=photo_id, kind="display")
        return send_file(request, found, DERIVATIVE_CACHE)


CONTROLLERS = [HazardPages, PhotoPages]
