"""What the demo shows, read back from the seeded database after seeding: printed by `shuangfang demo`.

Everything here is read through the same services the API calls (as an administrator), so the tour tells the
truth about the data a regulator would see, and names the URLs to open.
"""

from __future__ import annotations

from collections import Counter

from domain.access.model import SYSTEM, Actor, Role
from domain.accounts.tables import AppUser
from domain.credit.services import list_candidates, published_listings
from domain.criteria.model import LOCAL_TIME
from domain.criteria.services import list_criteria, list_editions
from domain.hazards.services import demo_reports
from domain.hazards.tables import Hazard
from domain.inspections.services import list_tasks, presence_counts
from domain.safety_code.regions import region_map
from domain.safety_code.tables import SafetyCode
from domain.stats.services import hazard_figures, resolve_scope
from seed import zhoushan
from seed.extensions import extended_client_id
from seed.random_checks import random_check_tour_lines
from seed.supervision import supervision_tour_lines


async def demo_tour() -> str:
    """A few lines on the dynamic colours, the regional map and the blacklist, with where to look."""
    colours = Counter(row["colour"] for row in await SafetyCode.select(SafetyCode.colour).run())
    found = await region_map(actor=SYSTEM)
    districts = [f for f in found.features if f.level == "district"]
    listings = await published_listings(actor=SYSTEM)
    lines = [
        "what the demo shows (sign in as regulator_city or admin):",
        "  safety codes (一码): " + ", ".join(f"{n} {colour}" for colour, n in sorted(colours.items())),
        "    GET /v1/enterprises/{id}/safety-code (reasons), …/safety-code/changes, /v1/enterprises/{id}/code.png",
        "  regional map (一图): " + ", ".join(f"{f.name} {f.colour.value if f.colour else 'none'}" for f in districts),
        "    GET /v1/risk-map/regions (GeoJSON), /v1/risk-map/regions.png, /v1/risk-map/regions/{code}/enterprises",
        f"  blacklist: {len(listings)} listing(s) in force",
    ]
    for listing in listings:
        grounds = "; ".join(f"{g.code} ({g.article})" for g in listing.grounds)
        lines.append(f"    {listing.enterprise_name} until {listing.expires_on}: {grounds}")
    for pending in await list_candidates(actor=SYSTEM):
        # the department that imposed the penalty decides: the city above it is offered nothing to do
        lines.append(
            f"    pending: {pending.enterprise_name} ({pending.status}), decided by the department of region "
            f"{pending.authority_region_code} only (not by the city above it)"
        )
    lines.append("    GET /v1/blacklist, /v1/blacklist/candidates, /v1/enterprises/{id}/credit")
    lines += await _presence_lines()
    lines += await _picture_lines(found)
    lines += await _document_lines()
    lines += await _criteria_lines()
    lines += await _people_lines()
    lines += await _binding_lines()
    lines += await supervision_tour_lines()
    lines += await random_check_tour_lines()
    lines.append("  figures: GET /v1/stats/hazards (+ /items behind each), /v1/stats/standardisation (+ /members)")
    return "\n".join(lines)


async def _picture_lines(found) -> list[str]:
    """How the printed cards and the drawn map come out: every item on a card, every name on the map."""
    from domain.clock import utcnow
    from domain.codes.printables import card_data
    from domain.org.tables import Enterprise
    from domain.printing.card import layout_risk_card
    from domain.printing.region_map import MapArea, layout_region_map, polygons_of
    from domain.risk.services import all_risk_points

    pages = []
    for enterprise in await Enterprise.select(Enterprise.id, Enterprise.name).order_by(Enterprise.id).run():
        for point in await all_risk_points(enterprise["id"]):
            layout = layout_risk_card(card_data(point, enterprise["name"], "", utcnow().date()))
            pages.append((layout.pages, point.name))
    areas = [
        MapArea(f.code if f.level == "grid" else f.name, f.level, f.colour, polygons_of(f.geometry))
        for f in found.features
    ]
    drawn = layout_region_map(areas)
    longest = max(pages, default=(0, ""))
    return [
        f"  pictures: {sum(n == 1 for n, _ in pages)} of {len(pages)} risk cards fit one A5 page, none drops an item"
        + (f" ({longest[1]} runs to {longest[0]} pages)" if longest[0] > 1 else ""),
        "    GET /v1/risk-points/{id}/card.png?page=N (X-Page-Count), …/card.pdf (every page)",
        f"    city map: {len(drawn.labels)} names placed, {len(drawn.unplaced)} without room; districts, towns and grids"
        " each painted in their colour (GET /v1/risk-map/regions.png)",
        "    label sheet (vector PDF, the enterprise's own code first, print date, file name): "
        "GET /v1/enterprises/{id}/qr-sheet.pdf; outlines: PUT /v1/admin/regions/{code}/outline, …/grids/{id}/outline",
    ]


async def _binding_lines() -> list[str]:
    """How much of the record is bound to its chains and anchored, and how to check it."""
    from domain.evidence.binding import bound_counts
    from domain.history.store import counts

    events, anchors = await counts()
    bound = await bound_counts()
    return [
        f"  evidence: {events} chained events, {anchors} anchored in the ledger; rows bound to their chain head: "
        + ", ".join(f"{n} {name}" for name, n in bound.items()),
        "    shuangfang verify (replays every chain and compares each row field by field; exit 1 names the first"
        " broken chain or row field)",
    ]


async def _criteria_lines() -> list[str]:
    """The criteria editions with their dates and wording marks, and the general hazard whose deadline was extended."""
    items = await list_criteria()
    lines = ["  major-hazard criteria (重大事故隐患判定标准), by industry and edition in force:"]
    for edition in await list_editions():
        own = [item for item in items if item.edition_id == edition.id]
        paraphrased = sum(not item.verbatim for item in own)
        lines.append(
            f"    {edition.id} {edition.standard} ({edition.doc_no}) in force from {edition.effective_from}: "
            f"{edition.item_count} items, {paraphrased} marked not verbatim"
        )
    lines.append(
        "    GET /v1/criteria?industry=machinery&on=2024-01-01, /v1/criteria/editions; "
        "POST /v1/criteria/editions (admin)"
    )
    extended = (
        await Hazard.select(Hazard.id, Hazard.title, Hazard.deadline)
        .where(
            Hazard.client_key.like(f"%:{extended_client_id()}"),
            Hazard.requested_deadline.is_null(),
            Hazard.version >= 4,
        )
        .first()
        .run()
    )
    if extended:
        lines.append(
            f"  general hazard with an extended deadline: {extended['title']}, now due "
            f"{extended['deadline'].astimezone(LOCAL_TIME):%Y-%m-%d} (asked by officer1, approved by principal1)"
        )
        lines.append(f"    GET /v1/hazards/{extended['id']}/history (HazardExtensionRequested, HazardExtensionDecided)")
    return lines


async def _document_lines() -> list[str]:
    """The PDF reports the major hazards' evaluations carry, and where to fetch one."""
    reports = await demo_reports()
    if not reports:
        return []
    first = reports[0]
    return [
        f"  reports (PDF): {len(reports)} evaluation report(s) on major hazards, each named by its hash in the chain",
        f"    {first.hazard_title} ({first.hazard_status}): {first.filename}, {first.page_count} page(s), "
        f"sha256 {first.sha256[:12]}…",
        f"    GET /v1/hazards/{first.hazard_id} (documents), /v1/documents/{first.document_id}/file; "
        "POST /v1/documents (PDF only; scripts, attachments, launch actions and encryption are refused)",
    ]


def _metres(low: float | None, high: float | None) -> str:
    # whole metres: PostgreSQL keeps a fix's lat/lng as REAL, so the decimetres differ between the engines
    if low is None:
        return ""
    return f" ({low:.0f} m)" if round(low) == round(high) else f" ({low:.0f}–{high:.0f} m)"


async def _presence_lines() -> list[str]:
    """Inspections by what their scan proved, and the city's task completion beside completion with presence."""
    counts = await presence_counts(actor=SYSTEM)
    lines = [
        f"  presence (一扫): {sum(c.inspections for c in counts)} inspections: "
        + ", ".join(f"{c.inspections} {c.presence}{_metres(c.nearest_m, c.farthest_m)}" for c in counts)
    ]
    city = await resolve_scope(SYSTEM, region_code="330900")
    figures = await hazard_figures(SYSTEM, city, industry=None, period_kind="year", first=None, last=None)
    for period in figures.periods:
        by_metric = {figure.metric: figure for figure in period.figures}
        plain, proven = by_metric["taskCompletionRate"], by_metric["taskCompletionRateWithPresence"]
        if plain.denominator:
            lines.append(
                f"    city tasks {period.period}: completion {plain.numerator}/{plain.denominator} = "
                f"{plain.value}, with presence proven {proven.numerator}/{proven.denominator} = {proven.value}"
            )
    lines.append(
        "    GET /v1/stats/hazards/items?metric=taskCompletionRateWithPresence&period=<year>&regionCode=330900, "
        "/v1/scan/{token}?lat=&lng=&accuracy="
    )
    return lines


async def _people_lines() -> list[str]:
    """Whose tasks are whose (posts, 岗位), and the whistleblower's report as the enterprise sees it."""
    lines = ["  tasks reach people (岗位): GET /v1/tasks?due=true&mine=true; the scan card's dueTask.mine"]
    for username, posts in zhoushan.DEMO_POSTS.items():
        user = await AppUser.select().where(AppUser.username == username).first().run()
        if user is None:
            continue
        actor = Actor(user_id=user["id"], role=Role(user["role"]), enterprise_id=user["enterprise_id"])
        own = await list_tasks(actor=actor, due=True, mine=True, limit=1000)
        lines.append(f"    {username}: {', '.join(posts)} — {len(own.items)} own task(s) due now")
    reported = await Hazard.select(Hazard.id, Hazard.title).where(Hazard.source == "public_report").first().run()
    if reported:
        lines.append(
            f"  whistleblower hidden: the enterprise's hazard '{reported['title']}' holds the regulator's "
            "words, no place, and a new photo stamped with the enterprise and the acceptance date"
        )
        lines.append(
            f"    GET /v1/hazards/{reported['id']} as officer1; the report itself: GET /v1/public-reports "
            "as regulator_dinghai"
        )
    return lines
