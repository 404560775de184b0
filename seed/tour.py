"""What the demo shows, read back from the seeded database after seeding: printed by `shuangfang demo`.

Everything here is read through the same services the API calls (as an administrator), so the tour tells the
truth about the data a regulator would see, and names the URLs to open.
"""

from __future__ import annotations

from collections import Counter

from domain.accounts.model import SYSTEM
from domain.credit.services import published_listings
from domain.safety_code.regions import region_map
from domain.safety_code.tables import SafetyCode


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
        "  regional map (一图): "
        + ", ".join(f"{f.name} {f.colour.value if f.colour else 'none'}" for f in districts),
        "    GET /v1/risk-map/regions (GeoJSON), /v1/risk-map/regions.png, /v1/risk-map/regions/{code}/enterprises",
        f"  blacklist: {len(listings)} listing(s) in force",
    ]
    for listing in listings:
        grounds = "; ".join(f"{g.code} ({g.article})" for g in listing.grounds)
        lines.append(f"    {listing.enterprise_name} until {listing.expires_on}: {grounds}")
    lines.append("    GET /v1/blacklist, /v1/blacklist/candidates, /v1/enterprises/{id}/credit")
    lines.append("  figures: GET /v1/stats/hazards (+ /items behind each), /v1/stats/standardisation (+ /members)")
    return "\n".join(lines)
