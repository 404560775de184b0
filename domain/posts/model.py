"""Posts (岗位): who in an enterprise is responsible for which checklist items, so tasks reach people.

Pure rules, no I/O. A checklist item (and a risk point) names its responsible post (e.g. 储罐区操作工, 安全员); an
enterprise's posts are exactly the names its active checklist items and risk points give, so a post is never a
spelling nobody's work refers to. An officer or principal holds any number of them; a principal of the enterprise
or an administrator sets them. A user's own tasks are the tasks of the items whose post they hold.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.errors import InvalidInput

# Who holds posts (the enterprise's own people) and who sets them (its principal, or an administrator): the
# permissions table's HOLD_POSTS and SET_POSTS.
MAX_POSTS = 20  # posts one person holds; more is a data-entry slip, not a job
MAX_LENGTH = 100  # as long as a checklist item's responsible post may be


class PostUnknown(InvalidInput):
    """A post none of the enterprise's checklist items or risk points names (another enterprise's included);
    params.posts lists them."""

    code = "POST_UNKNOWN"


class TasksMineNotStaff(InvalidInput):
    """`mine=true` from an inspector, regulator or administrator: tasks are the enterprise's duty, none is theirs."""

    code = "TASKS_MINE_NOT_STAFF"


class TasksNoPost(InvalidInput):
    """`mine=true` from staff who hold no post: no task is theirs until a post is set (said, not an empty list)."""

    code = "TASKS_NO_POST"


def normal_post(name: str) -> str:
    """A post's name as compared and stored: outer whitespace dropped, inner runs of it made one space."""
    return " ".join(name.split())


def chosen_posts(wanted: Iterable[str], known: Iterable[str]) -> tuple[str, ...]:
    """The posts to hold, normalised, each once, in the order given; refused when one is not the enterprise's."""
    names = tuple(dict.fromkeys(normal_post(name) for name in wanted))
    if len(names) > MAX_POSTS:
        raise InvalidInput(f"at most {MAX_POSTS} posts", field="posts", reason="too_many")
    if any(not name or len(name) > MAX_LENGTH for name in names):
        raise InvalidInput(f"a post is 1 to {MAX_LENGTH} characters", field="posts", reason="length")
    known_names = {normal_post(name) for name in known}
    if unknown := [name for name in names if name not in known_names]:
        raise PostUnknown(
            "no checklist item or risk point of this enterprise names these posts", field="posts", posts=unknown
        )
    return names
