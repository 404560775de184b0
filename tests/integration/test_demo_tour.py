"""Issue 5, acceptance 5: the demo shows dynamic colours, the regional map and a blacklist entry with its basis."""

from seed.tour import demo_tour


async def test_the_demo_tour_shows_colours_of_every_kind_the_district_map_and_the_listing_with_its_basis(db):
    tour = await demo_tour()
    assert "safety codes (一码): 4 blue, 3 red, 2 yellow" in tour
    assert "regional map (一图): 定海区 red, 普陀区 red, 岱山县 yellow, 嵊泗县 blue" in tour
    assert "blacklist: 1 listing(s) in force" in tour
    assert "舟山岑港精细化工有限公司 until " in tour and "accident_concealed (第六条第（四）项)" in tour


async def test_the_demo_tour_shows_every_presence_value_with_distances_and_both_completion_rates(db):
    tour = await demo_tour()
    # officers scan at 重大 / 较大 points, and show none / far / stale at their 低风险 points; the inspector scans
    assert "presence (一扫): 25 inspections: 19 proven (" in tour and "–180 m)" in tour, tour
    assert "2 far (240 m), 2 stale (15 m), 2 none" in tour, tour  # a stale scan's distance is measured too
    rates = [line for line in tour.splitlines() if line.startswith("    city tasks ")]
    assert rates and all(", with presence proven " in line for line in rates), tour
    assert "taskCompletionRateWithPresence" in tour


async def test_the_demo_tour_shows_every_card_item_laid_out_and_every_map_name_placed(db):
    tour = await demo_tour()
    cards = next(line for line in tour.splitlines() if line.startswith("  pictures: "))
    assert " risk cards fit one A5 page, none drops an item" in cards and "runs to 2 pages" in cards, cards
    assert "city map: 14 names placed, 0 without room" in tour, tour
