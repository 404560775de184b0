"""双随机: the caller's random-check plans, a new-plan form, and a plan's page with its steps (approve → the seed's
hash published; draw, once → pools, seed and picks published) and a result form per picked enterprise, through the
same services as `/v1/random-checks` (a result carries the pick's version as the API's If-Match)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from api.console.pages._acting import ROLE_NAMES, day_of, form_of, refusal, shown_inline, text_of
from api.console.public_random_checks import STATUS_NAMES
from api.console.render import page, see_other
from domain.access.model import Actor, Role
from domain.errors import DomainError, InvalidInput
from domain.org import services as org
from domain.random_checks import services as random_checks
from domain.random_checks.model import CLASSES

DONE = {"approve": "已批准，种子哈希已公布。", "draw": "已抽取，种子与抽取结果已公开。", "close": "计划已结束。"}
DONE |= {"result": "检查结果已录入。", "created": "计划已创建（草稿）。"}
LABELS = {"status_names": STATUS_NAMES, "role_names": ROLE_NAMES, "classes": CLASSES, "done_names": DONE}


def _region_code(actor: Actor, chosen: str | None) -> str | None:
    if chosen:
        return chosen
    if actor.role == Role.REGULATOR and actor.region_path:
        return actor.region_path.rstrip("/").rsplit("/", 1)[-1]
    return None


async def _list_page(
    actor: Actor, region_code: str | None, *, status_code: int = 200, problem: str | None = None, typed=None
) -> Template:
    plans = await random_checks.list_plans(actor=actor)
    officers = []
    regions = [r for r in await org.list_regions() if r.level in ("city", "district")]
    if region_code and actor.role in (Role.REGULATOR, Role.ADMIN):
        officers = await random_checks.candidate_officers(actor=actor, region_code=region_code)
    return page(
        "console/random_checks.html",
        status_code=status_code,
        actor=actor,
        plans=plans,
        officers=officers,
        region_code=region_code,
        regions=regions,
        problem=problem,
        typed=typed or {},
        **LABELS,
    )


async def _plan_page(
    actor: Actor, plan_id: str, *, status_code: int = 200, problem: str | None = None, done: str | None = None
) -> Template:
    plan = await random_checks.get_plan(actor=actor, plan_id=plan_id)
    return page(
        "console/random_check.html",
        status_code=status_code,
        actor=actor,
        plan=plan,
        problem=problem,
        done=DONE.get(done or ""),
        manages=actor.role in (Role.REGULATOR, Role.ADMIN),
        **LABELS,
    )


class RandomCheckPages(Controller):
    """`/console/random-checks` and `/console/random-checks/{id}` with their forms."""

    path = "/random-checks"

    @get("/")
    async def plans(self, actor: Actor, region: str | None = QueryParameter(default=None)) -> Template:
        """The plans the caller may read and, for regulators and admins, the new-plan form of a region."""
        return await _list_page(actor, _region_code(actor, region))

    @post("/", status_code=303)
    async def create(self, actor: Actor, request: Request) -> Redirect | Template:
        """A draft plan from the form: name, year, period, region, rates per class, exclusions, officers."""
        form = await form_of(request)
        region_code = text_of(form, "region_code", 12)
        try:
            rates = {}
            for code in CLASSES:
                text = text_of(form, f"rate_{code}", 10)
                if text:
                    try:
                        rates[code] = Decimal(text)
                    except InvalidOperation:
                        raise InvalidInput("a rate is a number", field="rates", reason="not_a_number") from None
            year, months = text_of(form, "year", 4), text_of(form, "exclusion_months", 2) or "0"
            if not year.isdigit() or not months.isdigit():
                raise InvalidInput("year and months are numbers", field="year", reason="malformed")
            new = random_checks.NewPlan(
                name=text_of(form, "name", 200),
                year=int(year),
                period=text_of(form, "period", 100),
                region_code=region_code,
                rates=rates,
                officer_ids=[str(v) for v in form.getall("officer_ids", [])],
                classes=[str(v) for v in form.getall("classes", []) if v in CLASSES],
                exclusion_months=int(months),
            )
            if not new.name:
                raise InvalidInput("a plan needs a name", field="name", reason="required")
            plan = await random_checks.create_plan(actor=actor, new=new)
        except DomainError as error:
            if not shown_inline(error):
                raise
            status, message = refusal(error)
            typed = {name: text_of(form, name) for name in form}
            return await _list_page(actor, region_code or None, status_code=status, problem=message, typed=typed)
        return see_other(f"/console/random-checks/{plan.id}?{urlencode({'done': 'created'})}")

    @get("/{plan_id:str}")
    async def plan(self, actor: Actor, plan_id: str, done: str | None = QueryParameter(default=None)) -> Template:
        """A plan: its rules, the seed's hash, the pools, picks and results, and the next step."""
        return await _plan_page(actor, plan_id, done=done)

    @post("/{plan_id:str}/step", status_code=303)
    async def step(self, actor: Actor, request: Request, plan_id: str) -> Redirect | Template:
        """Approve, draw or close."""
        form = await form_of(request)
        action = text_of(form, "action", 10)
        steps = {
            "approve": random_checks.approve_plan,
            "draw": random_checks.draw_plan,
            "close": random_checks.close_plan,
        }
        try:
            if action not in steps:
                raise InvalidInput("no such step", field="action", reason="unknown")
            await steps[action](actor=actor, plan_id=plan_id)
        except DomainError as error:
            if not shown_inline(error):
                raise
            status, message = refusal(error)
            return await _plan_page(actor, plan_id, status_code=status, problem=message)
        return see_other(f"/console/random-checks/{plan_id}?{urlencode({'done': action})}")

    @post("/{plan_id:str}/results/{enterprise_id:str}", status_code=303)
    async def result(self, actor: Actor, request: Request, plan_id: str, enterprise_id: str) -> Redirect | Template:
        """A picked enterprise's result, at the version the form was read at."""
        form = await form_of(request)
        version = text_of(form, "version", 9)
        try:
            if not version.isdigit():
                raise InvalidInput("the form lost its version", field="version", reason="malformed")
            inspected_on = day_of(form, "inspected_on")
            if inspected_on is None:
                raise InvalidInput("the day of the check", field="inspectedOn", reason="required")
            split = lambda name: [part for part in text_of(form, name).replace("，", ",").split(",") if part.strip()]  # noqa: E731
            await random_checks.record_result(
                actor=actor,
                plan_id=plan_id,
                enterprise_id=enterprise_id,
                expected_version=int(version),
                result=random_checks.NewResult(
                    inspected_on=inspected_on,
                    findings=text_of(form, "findings", 4000) or "—",
                    hazard_ids=[part.strip() for part in split("hazard_ids")],
                    penalty_ids=[part.strip() for part in split("penalty_ids")],
                ),
            )
        except DomainError as error:
            if not shown_inline(error):
                raise
            status, message = refusal(error)
            return await _plan_page(actor, plan_id, status_code=status, problem=message)
        return see_other(f"/console/random-checks/{plan_id}?{urlencode({'done': 'result'})}")


CONTROLLERS = [RandomCheckPages]
