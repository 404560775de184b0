"""Rendering helpers of the console: the page response, the redirect after a form, and the templates' filters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template

LOCAL_TIME = ZoneInfo("Asia/Shanghai")

COLOUR_NAMES = {"red": "红", "orange": "橙", "yellow": "黄", "blue": "蓝", "green": "绿"}


def page(template: str, *, status_code: int = 200, **context: Any) -> Template:
    """A console page: the template with its context (`request` and `csrf_input` are added by Litestar)."""
    return Template(template_name=template, context=context, status_code=status_code, media_type="text/html")


def see_other(url: str) -> Redirect:
    """The answer to a form that worked: the browser loads `url` with GET (post/redirect/get)."""
    return Redirect(path=url, status_code=303)


def local_time(value: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant as Zhoushan's wall-clock text; '—' for none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.astimezone(LOCAL_TIME).strftime(fmt)


def local_date(value: datetime | date | str | None) -> str:
    """A day as `YYYY-MM-DD` in Zhoushan; '—' for none."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return local_time(value, "%Y-%m-%d")


def colour_name(value: str | None) -> str:
    """`red` → 红 … (the four colours of the risk map and the safety code)."""
    return COLOUR_NAMES.get(str(value or ""), str(value or "—"))


def pct(value: float | None, digits: int = 1) -> str:
    """A rate in [0, 1] as a percentage; '—' where the rate has no denominator."""
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def register_filters(engine: JinjaTemplateEngine) -> None:
    """The template engine's filters (the app's `TemplateConfig.engine_callback`)."""
    engine.engine.filters.update(local_time=local_time, local_date=local_date, colour_name=colour_name, pct=pct)
