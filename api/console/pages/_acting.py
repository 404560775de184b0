"""What the console's workflow pages (隐患, 举报, 黑名单, 标准化) share: reading a form, dates typed by a person, the
Chinese message of a refused action, and the names of the people in a timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from litestar import Request
from litestar.datastructures import FormMultiDict

from api.console.render import LOCAL_TIME
from domain.accounts import store as accounts_store
from domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from mobile_contract.errors import CATALOGUE, localised_title

ROLE_NAMES = {
    "officer": "企业安全员",
    "principal": "企业负责人",
    "inspector": "网格员",
    "regulator": "监管人员",
    "admin": "管理员",
    "public": "举报人",
}
FIELD_NAMES = {"title": "标题", "description": "描述", "text": "说明", "on": "日期"}


async def form_of(request: Request) -> FormMultiDict:
    """The posted form (the CSRF middleware has read the body already; Litestar keeps it)."""
    return await request.form()


def text_of(form: FormMultiDict, name: str, limit: int = 2000) -> str:
    """A text field, trimmed and bounded (a form is typed by a person: no field needs more)."""
    value = form.get(name) or ""
    return str(value).strip()[:limit]


def day_of(form: FormMultiDict, name: str) -> date | None:
    """A `<input type=date>` value, or None when empty; a malformed one is refused like any bad input."""
    text = text_of(form, name, 20)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("not a date", field=name, reason="malformed") from None


def end_of_local_day(day: date) -> datetime:
    """A deadline a person sets as a day means the end of that day in Zhoushan."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=LOCAL_TIME).astimezone(UTC)


def refusal(error: DomainError) -> tuple[int, str]:
    """The status and Chinese message of a refused action, as the API's problem details would carry them."""
    entry = CATALOGUE.get(error.code)
    if entry is None:
        return 422, error.detail or error.code
    message = localised_title(error.code, "zh")
    field = error.params.get("field")
    if isinstance(field, str) and field in FIELD_NAMES:
        message += f"（{FIELD_NAMES[field]}）"
    return entry.status, message


def shown_inline(error: DomainError) -> bool:
    """Refusals the page shows beside its form; unknown or out-of-scope (404) and role refusals (403) get their
    own pages, so they answer exactly as elsewhere."""
    return not isinstance(error, NotFound | Forbidden)


async def people_names(user_ids: set[str]) -> dict[str, str]:
    """Display names of the people a timeline names (a handful per page; the system and the public have none)."""
    names: dict[str, str] = {}
    for user_id in sorted(user_ids):
        user = await accounts_store.user_by_id(user_id)
        if user is not None:
            names[user_id] = user.name
    return names
