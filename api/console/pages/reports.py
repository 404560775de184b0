"""举报: the public-report inbox of the caller's scope, one report with its photos, replies and chain, and the
regulator's actions on it (立案 with the enterprise-facing text, 不予立案, 移交, 答复) through the same service as the
API's `ReportInboxController`, with the version read as If-Match.

The whistleblower stays hidden: accepting needs the regulator's own title and description for the enterprise (the
wording rules refuse the reporter's words, and their Chinese messages are shown beside the form, which keeps what
was typed), and the enterprise gets stamped copies of the photos chosen, made by the service.
"""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from api.console.pages._acting import ROLE_NAMES, form_of, people_names, refusal, shown_inline, text_of
from api.console.pages.hazards import CATEGORY_NAMES, LEVEL_NAMES, STATUS_NAMES, STATUS_TONES
from api.console.render import page, see_other
from domain.access.model import Actor
from domain.errors import DomainError, InvalidInput
from domain.org import services as org
from domain.photos.services import Photos
from domain.public_reports import model
from domain.public_reports import services as reports

PAGE_SIZE = 20
REPORT_STATUS_NAMES = {"received": "待处理", "accepted": "已立案", "dismissed": "不予立案"}
REPORT_STATUS_TONES = {"received": "orange", "accepted": "blue", "dismissed": "grey"}
ROUTED_BY_NAMES = {
    "credit_code": "按统一社会信用代码",
    "enterprise_name": "按企业名称",
    "location": "按位置",
    "region": "按举报人所选区域",
    "fallback": "未能匹配，转市级分拣",
    "forwarded": "移交",
}
REPORT_EVENT_NAMES = {
    "receive": "收到举报",
    "accept": "立案",
    "dismiss": "不予立案",
    "reply": "答复举报人",
    "forward": "移交",
}
ACTION_TITLES = {
    "accept": "立案（转为企业隐患）",
    "dismiss": "不予立案",
    "forward": "移交其他区域",
    "reply": "答复举报人",
}
LABELS = {
    "report_status_names": REPORT_STATUS_NAMES,
    "report_status_tones": REPORT_STATUS_TONES,
    "routed_by_names": ROUTED_BY_NAMES,
    "action_titles": ACTION_TITLES,
    "category_names": CATEGORY_NAMES,
    "level_names": LEVEL_NAMES,
    "status_names": STATUS_NAMES,
    "status_tones": STATUS_TONES,
}


def _optional(form: FormMultiDict, name: str) -> str | None:
    return text_of(form, name) or None


def command_of(action: str, form: FormMultiDict) -> model.ReportCommand:
    """The domain command of an action form (the same commands the API builds from its bodies)."""
    reply = _optional(form, "reply")
    match action:
        case model.ReportAction.ACCEPT:
            return model.AcceptReport(
                category=text_of(form, "category", 40) or "unsafe_condition",
                level=text_of(form, "level", 10) or "general",
                enterprise_id=_optional(form, "enterprise_id"),
                title=text_of(form, "title", 200),
                description=text_of(form, "description"),
                major_criterion_id=_optional(form, "major_criterion_id"),
                expert_reason=_optional(form, "expert_reason"),
                photo_ids=tuple(str(p)[:40] for p in form.getall("photo_ids", []) if p),
                reply=reply,
            )
        case model.ReportAction.DISMISS:
            return model.DismissReport(reason=text_of(form, "reason"), reply=reply)
        case model.ReportAction.FORWARD:
            return model.ForwardReport(
                region_code=text_of(form, "region_code", 12), reason=text_of(form, "reason"), reply=reply
            )
        case model.ReportAction.REPLY:
            return model.ReplyToReport(reply=reply or "")
    raise InvalidInput("not an action of this page", field="action", reason="unknown")


async def _timeline(actor: Actor, report_id: str) -> list[dict]:
    events = await reports.report_history(actor=actor, report_id=report_id)
    names = await people_names({event["actor_id"] for event in events})
    return [
        {
            "seq": event["seq"],
            "title": REPORT_EVENT_NAMES.get(event["action"], event["action"]),
            # the reporter is nobody's name: the chain records the public role only
            "who": names.get(event["actor_id"], "举报人" if event["role"] == "public" else event["actor_id"]),
            "role": ROLE_NAMES.get(event["role"], event["role"]),
            "at": event["at"],
            "notes": [
                (label, str(event["payload"][name]))
                for name, label in (
                    ("reason", "理由"),
                    ("reply", "答复"),
                    ("to_region", "移交至"),
                    ("hazard_id", "隐患"),
                )
                if event["payload"].get(name)
            ],
            "hash": event["hash"],
        }
        for event in events
    ]


async def _detail(
    actor: Actor,
    report_id: str,
    *,
    status_code: int = 200,
    problem: str | None = None,
    done: str | None = None,
    typed: dict | None = None,
) -> Template:
    record = await reports.get_report(actor=actor, report_id=report_id)
    enterprises = await org.list_enterprises(actor=actor, limit=100) if "accept" in record.allowed_actions else None
    regions = await org.list_regions() if "forward" in record.allowed_actions else []
    return page(
        "console/report.html",
        status_code=status_code,
        actor=actor,
        report=record,
        timeline=await _timeline(actor, report_id),
        enterprises=enterprises.items if enterprises else [],
        regions=[r for r in regions if r.code != record.region_code],
        problem=problem,
        done=ACTION_TITLES.get(done or ""),
        typed=typed or {},
        **LABELS,
    )


class ReportPages(Controller):
    """`/console/reports`, `/console/reports/{id}` and its actions."""

    path = "/reports"

    @get("/")
    async def inbox(self, actor: Actor, status: str | None = None, cursor: str | None = None) -> Template:
        """The reports routed to the caller's scope, newest first (no contacts in the list, as in the API)."""
        chosen = status if status in REPORT_STATUS_NAMES else None
        found = await reports.list_reports(actor=actor, status=chosen, cursor=cursor or None, limit=PAGE_SIZE)
        query = {"status": chosen} if chosen else {}
        return page(
            "console/reports.html",
            actor=actor,
            items=found.items,
            chosen=chosen,
            next_url=f"?{urlencode(query | {'cursor': found.next_cursor})}" if found.next_cursor else None,
            first_url=f"?{urlencode(query)}" if cursor else None,
            **LABELS,
        )

    @get("/{report_id:str}")
    async def detail(self, actor: Actor, report_id: str, done: str | None = QueryParameter(default=None)) -> Template:
        """One report: what the reporter said, the photos, the contact (regulators), replies, chain and actions."""
        return await _detail(actor, report_id, done=done)

    @post("/{report_id:str}/act", status_code=303)
    async def act(self, actor: Actor, photos: Photos, request: Request, report_id: str) -> Redirect | Template:
        """Accept, dismiss, forward or reply, with the version the form was read at (the API's If-Match)."""
        form = await form_of(request)
        action = text_of(form, "action", 20)
        version = text_of(form, "version", 9)
        try:
            if not version.isdigit():
                raise InvalidInput("the form lost its version", field="version", reason="malformed")
            record = await reports.act(
                actor=actor,
                report_id=report_id,
                expected_version=int(version),
                command=command_of(action, form),
                photos=photos,
            )
        except DomainError as error:
            if not shown_inline(error):
                raise
            status, message = refusal(error)
            typed = {name: text_of(form, name) for name in form} | {"action": action}
            return await _detail(actor, report_id, status_code=status, problem=message, typed=typed)
        if action == model.ReportAction.FORWARD:
            # the report has left the caller's region: back to the inbox rather than a page they may no longer see
            return see_other(f"/console/reports?{urlencode({'forwarded': record.id})}")
        return see_other(f"/console/reports/{report_id}?{urlencode({'done': action})}")


CONTROLLERS = [ReportPages]
