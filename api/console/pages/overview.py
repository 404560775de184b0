"""总览: the caller's region at a glance — the same figures as `/v1/stats/hazards`, `/v1/stats/standardisation` and
`/v1/blacklist`, each a link to the list that reproduces it, and the last twelve months drawn as SVG."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, get
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from api.console.render import page, see_other
from domain.access.model import Actor, Role
from domain.clock import utcnow
from domain.credit import services as credit
from domain.errors import Forbidden, InvalidInput, NotFound
from domain.org import store as org_store
from domain.standardisation import services as standardisation
from domain.stats import services as stats
from domain.stats.model import METRICS, ScopeKind, local_month, metric_value, region_codes_of_path

MonthKey = Annotated[str | None, QueryParameter(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]
RegionCode = Annotated[str | None, QueryParameter(pattern=r"^[0-9]{6}([0-9]{3})?$")]
GridId = Annotated[str | None, QueryParameter(max_length=40, pattern=r"^[0-9A-Za-z]+$")]
FromKey = Annotated[str | None, QueryParameter(name="from", pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]

HAZARD_STATUS_ZH = {
    "reported": "已上报",
    "rectifying": "整改中",
    "awaiting_acceptance": "待验收",
    "closed": "已销号",
    "voided": "已作废",
    "reported_to_regulator": "已报告监管部门",
    "plan_submitted": "治理方案待批",
    "plan_approved": "治理中",
    "evaluated": "效果已评估",
    "resume_applied": "待复查",
    "written_off": "已核销",
}
HAZARD_LEVEL_ZH = {"general": "一般", "major": "重大"}
TASK_STATUS_ZH = {"open": "待排查", "done": "已完成", "missed": "未按期", "cancelled": "已取消"}

# The figures shown, in order: (the API's metric name, label, "count" | "rate" | "days").
HAZARD_FIGURES = (
    ("found", "发现隐患", "count"),
    ("closed", "整改销号", "count"),
    ("closureRate", "整改率", "rate"),
    ("onTimeRate", "按期整改率", "rate"),
    ("overdue", "逾期未整改", "count"),
    ("majorOpen", "重大隐患未销号", "count"),
    ("taskCompletionRate", "排查任务完成率", "rate"),
    ("taskCompletionRateWithPresence", "到岗排查完成率（一扫）", "rate"),
    ("meanDaysToClose", "平均整改天数", "days"),
)
TREND_MONTHS = 12


@dataclass(frozen=True, slots=True)
class Shown:
    """One figure as the page shows it: the API's value text, its parts, and the lists behind them."""

    name: str
    label: str
    kind: str
    value: Decimal | None
    numerator: int
    denominator: int | None
    link: str
    denominator_link: str | None = None

    @property
    def api_value(self) -> str:
        """The value exactly as the API writes it (`data-value`); empty where the API says null."""
        return "" if self.value is None else str(self.value)


def months_between(first: str, last: str) -> list[str]:
    """Every month key from `first` to `last`, inclusive."""
    year, month = int(first[:4]), int(first[5:])
    found: list[str] = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def month_back(key: str, months: int) -> str:
    """The month key `months` before `key`."""
    index = int(key[:4]) * 12 + int(key[5:]) - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def scope_query(scope: stats.Scope) -> dict[str, str]:
    """The query naming a stats scope on the console's links."""
    return {"grid": scope.id} if scope.kind is ScopeKind.GRID else {"region": scope.id}


async def scope_of(actor: Actor, region: str | None, grid: str | None) -> stats.Scope:
    """The scope the caller asked for (or their own), as `/v1/stats/hazards` resolves it."""
    return await stats.resolve_scope(actor, region_code=region, grid_id=grid)


def region_code_of(scope: stats.Scope) -> str:
    """The region a scope lies in (a grid: its town), for the figures kept per region."""
    return scope.id if scope.kind is ScopeKind.REGION else region_codes_of_path(scope.path)[-1]


async def hazard_figures(actor: Actor, scope: stats.Scope, first: str, last: str) -> dict[str, tuple[int, int | None]]:
    """Numerator and denominator of every metric summed over the months (counts add up exactly across cells)."""
    result = await stats.hazard_figures(actor, scope, industry=None, period_kind="month", first=first, last=last)
    totals: dict[str, tuple[int, int | None]] = {
        name: (0, None if metric.denominator is None else 0) for name, metric in METRICS.items()
    }
    for period in result.periods:
        for figure in period.figures:
            numerator, denominator = totals[figure.metric]
            totals[figure.metric] = (
                numerator + figure.numerator,
                None if denominator is None else denominator + (figure.denominator or 0),
            )
    return totals


def value_of(name: str, numerator: int, denominator: int | None) -> Decimal | None:
    """A metric's value from its summed parts, by the model's own rule (so a single month is the API's value)."""
    metric = METRICS[name]
    counts = {metric.numerator: numerator}
    if metric.denominator is not None:
        counts[metric.denominator] = denominator or 0
    return metric_value(metric, counts)


def trend_chart(months: list[str], figures: dict[str, dict[str, tuple[int, int | None]]]) -> dict[str, Any]:
    """Bars of found and closed per month and the closure-rate line, laid out for the inline SVG."""
    width, height, left, bottom, top = 760, 260, 44, 40, 20
    plot_h = height - bottom - top
    step = (width - left - 20) / max(len(months), 1)
    found = [figures[m]["found"][0] for m in months]
    closed = [figures[m]["closed"][0] for m in months]
    peak = max([*found, *closed, 1])
    scale = plot_h / peak
    bars, points, labels = [], [], []
    for i, month in enumerate(months):
        x = left + i * step
        for offset, value, css in ((0.15, found[i], "bar-found"), (0.5, closed[i], "bar-closed")):
            bars.append(
                {
                    "x": round(x + step * offset, 1),
                    "y": round(top + plot_h - value * scale, 1),
                    "w": round(step * 0.33, 1),
                    "h": round(value * scale, 1),
                    "css": css,
                    "value": value,
                    "month": month,
                }
            )
        numerator, denominator = figures[month]["closureRate"]
        if denominator:
            rate = numerator / denominator
            points.append((round(x + step / 2, 1), round(top + plot_h - rate * plot_h, 1), month, rate))
        labels.append({"x": round(x + step / 2, 1), "text": month[2:].replace("-", "/")})
    ticks = [
        {"y": round(top + plot_h - plot_h * f, 1), "count": round(peak * f), "rate": f"{f:.0%}"} for f in (0, 0.5, 1)
    ]
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "labels": labels,
        "ticks": ticks,
        "line": " ".join(f"{x},{y}" for x, y, _, _ in points),
        "points": points,
        "axis_y": top + plot_h,
        "left": left,
        "label_y": height - bottom + 18,
    }


class OverviewPages(Controller):
    """`/console/` and `/console/stats/items` (the lists behind its figures)."""

    path = "/"

    @get("/")
    async def overview(
        self,
        actor: Actor,
        region: RegionCode = None,
        grid: GridId = None,
        from_key: FromKey = None,
        to: MonthKey = None,
    ) -> Template | Redirect:
        """The figures of the caller's region (or the region an administrator picks) for a month or a period."""
        if actor.role is Role.PRINCIPAL and actor.enterprise_id:
            return see_other(f"/console/enterprises/{actor.enterprise_id}")
        this_month = local_month(utcnow())
        first = from_key or to or this_month
        last = to or from_key or this_month
        if first > last:
            first, last = last, first
        scope = await scope_of(actor, region, grid)
        where = scope_query(scope)
        period = {"from": first, "to": last}
        totals = await hazard_figures(actor, scope, first, last)
        shown = []
        for name, label, kind in HAZARD_FIGURES:
            numerator, denominator = totals[name]
            base = {"figure": name, **period, **where}
            shown.append(
                Shown(
                    name,
                    label,
                    kind,
                    value_of(name, numerator, denominator),
                    numerator,
                    denominator,
                    "/console/stats/items?" + urlencode(base | {"part": "numerator"}),
                    None
                    if denominator is None
                    else "/console/stats/items?" + urlencode(base | {"part": "denominator"}),
                )
            )
        code = region_code_of(scope)
        rate = await standardisation_rate(actor, code)
        listings = await credit.published_listings(actor=actor, region_code=code)
        months = months_between(month_back(this_month, TREND_MONTHS - 1), this_month)
        trend = await stats.hazard_figures(
            actor, scope, industry=None, period_kind="month", first=months[0], last=months[-1]
        )
        by_month = {m: dict.fromkeys(METRICS, (0, 0)) for m in months}
        for item in trend.periods:
            by_month[item.period] = {f.metric: (f.numerator, f.denominator) for f in item.figures}
        regions = await org_store.regions_under("/") if actor.role is Role.ADMIN else []
        return page(
            "console/overview.html",
            actor=actor,
            scope=scope,
            first=first,
            last=last,
            this_month=this_month,
            figures=shown,
            standardisation=rate,
            standardisation_links={
                part: "/console/stats/items?" + urlencode({"figure": "standardisation", "part": part, "region": code})
                for part in ("numerator", "denominator")
            },
            blacklist=len(listings),
            blacklist_link="/console/stats/items?" + urlencode({"figure": "blacklist", "region": code}),
            chart=trend_chart(months, by_month),
            regions=[r for r in regions if r.level in ("city", "district")],
            region=region,
        )

    @get("/stats/items")
    async def items(
        self,
        actor: Actor,
        figure: Annotated[str, QueryParameter(max_length=40, pattern=r"^[A-Za-z]+$")],
        part: Annotated[str, QueryParameter(pattern=r"^(numerator|denominator)$")] = "numerator",
        region: RegionCode = None,
        grid: GridId = None,
        from_key: FromKey = None,
        to: MonthKey = None,
    ) -> Template:
        """The hazards, tasks, enterprises or listings behind one figure of the overview: as many as it says."""
        if figure == "blacklist":
            listings = await credit.published_listings(actor=actor, region_code=region)
            return page(
                "console/stats_items.html",
                actor=actor,
                kind="listing",
                rows=listings,
                title="黑名单（严重失信主体）",
                figure=figure,
                part=part,
            )
        if figure == "standardisation":
            query = standardisation.RateQuery(region_code=region)
            members, cursor = [], None
            while True:
                found = await standardisation.compliance_members(
                    actor=actor, query=query, numerator=part == "numerator", cursor=cursor, limit=1000
                )
                members += found.items
                if not (cursor := found.next_cursor):
                    break
            title = "标准化达标企业" if part == "numerator" else "标准化统计范围内企业"
            return page(
                "console/stats_items.html",
                actor=actor,
                kind="member",
                rows=members,
                title=title,
                figure=figure,
                part=part,
            )
        if figure not in METRICS:
            raise NotFound("no such figure", entity="figure", id=figure)
        this_month = local_month(utcnow())
        first, last = from_key or to or this_month, to or from_key or this_month
        if first > last:
            first, last = last, first
        scope = await scope_of(actor, region, grid)
        rows: list[Any] = []
        for month in months_between(first, last):
            cursor = None
            while True:
                found = await stats.figure_items(
                    actor, scope, metric=figure, part=part, industry=None, period=month, cursor=cursor, limit=1000
                )
                rows += found.items
                if not (cursor := found.next_cursor):
                    break
        names = await org_store.enterprise_names(sorted({row.enterprise_id for row in rows}))
        label = next((label for name, label, _ in HAZARD_FIGURES if name == figure), figure)
        suffix = "" if METRICS[figure].denominator is None else ("（分子）" if part == "numerator" else "（分母）")
        return page(
            "console/stats_items.html",
            actor=actor,
            kind=METRICS[figure].items,
            rows=rows,
            names=names,
            title=f"{label}{suffix}",
            figure=figure,
            part=part,
            scope=scope,
            first=first,
            last=last,
            status_zh=HAZARD_STATUS_ZH | TASK_STATUS_ZH,
            level_zh=HAZARD_LEVEL_ZH,
        )


async def standardisation_rate(actor: Actor, region_code: str) -> standardisation.ComplianceFigure | None:
    """The standardisation rate of the region as `/v1/stats/standardisation` gives it; None where no frozen list
    covers it or the role has no such figure."""
    try:
        return await standardisation.compliance(actor=actor, query=standardisation.RateQuery(region_code=region_code))
    except (NotFound, Forbidden, InvalidInput):
        return None


CONTROLLERS = [OverviewPages]
