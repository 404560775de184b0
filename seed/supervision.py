"""分级分类监管 in the demo: every demo enterprise classified under the rules edition, and the tour's lines on it.

The classes follow from the seeded data alone (no class is set by hand): E1 and E2 (open major hazards, red codes)
and E4 (listed, red) are A; E3 (a 重大 risk point, above size) is B; E5, E6, E8 and E9 are C; E7 (an industry
department's small fishing company, blue) is D.
"""

from __future__ import annotations

from collections import Counter

from domain.access.model import SYSTEM
from domain.org import store as org_store
from domain.supervision.model import CLASS_LABELS_ZH, EDITION
from domain.supervision.services import classify_missing, list_classes, reclassify_all


async def seed_supervision() -> str:
    """Classify every enterprise (those the outbox jobs have not classified yet, then all again: a no-op when
    nothing changed since); idempotent."""
    new = await classify_missing(await org_store.all_enterprise_ids())
    report = await reclassify_all()
    return (
        f"supervision classes: {report.enterprises} enterprises classified under {EDITION} "
        f"({new} first classified, {report.changed} changed)"
    )


async def supervision_tour_lines() -> list[str]:
    """The classes of the demo city, and those behind on their on-site visits."""
    page = await list_classes(actor=SYSTEM, limit=100)
    counts = Counter(view.record.supervision_class for view in page.items)
    behind = [view for view in page.items if view.visits.behind]
    lines = [
        f"  supervision classes (分级分类监管, rules {EDITION}): "
        + ", ".join(f"{n} {cls.value} {CLASS_LABELS_ZH[cls]}" for cls, n in sorted(counts.items())),
        "    behind on on-site visits this year: "
        + (
            "; ".join(
                f"{v.enterprise.name} {v.record.supervision_class.value} {v.visits.done}/{v.visits.owed_to_date}"
                for v in behind
            )
            or "none"
        ),
        "    GET /v1/enterprises/{id}/supervision-class (reasons, visits), /v1/supervision/classes?class=A&behind=true,"
        " /console/supervision",
    ]
    return lines
