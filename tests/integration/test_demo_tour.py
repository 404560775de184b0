"""Issue 5, acceptance 5: the demo shows dynamic colours, the regional map and a blacklist entry with its basis."""

from seed.tour import demo_tour


async def test_the_demo_tour_shows_colours_of_every_kind_the_district_map_and_the_listing_with_its_basis(db):
    tour = await demo_tour()
    assert "safety codes (一码): 4 blue, 3 red, 2 yellow" in tour
    assert "regional map (一图): 定海区 red, 普陀区 red, 岱山县 yellow, 嵊泗县 blue" in tour
    assert "blacklist: 1 listing(s) in force" in tour
    assert "舟山岑港精细化工有限公司 until " in tour and "accident_concealed (第六条第（四）项)" in tour
