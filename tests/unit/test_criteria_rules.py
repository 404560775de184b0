"""The criteria library's rules: when an edition is in force, which citations fit, what a new edition must hold."""

from datetime import UTC, date, datetime

import pytest

from domain.criteria.model import (
    CriteriaEditionInvalid,
    CriterionNotInForce,
    CriterionWrongIndustry,
    EditionSpan,
    NewCriterion,
    NewEdition,
    check_citation,
    check_new_edition,
    in_force,
    item_ids,
    local_day,
)

SPAN = EditionSpan(date(2023, 5, 15), date(2030, 1, 1))


def edition(**changes) -> NewEdition:
    items = (
        NewCriterion("第一项", "未设置紧急切断装置的。", ("machinery",)),
        NewCriterion("第二项", "未设置监测报警装置的。", ("machinery", "shipbuilding"), verbatim=False),
    )
    fields = {
        "id": "GM2030",
        "standard": "工贸企业重大事故隐患判定标准",
        "edition": "2030",
        "effective_from": date(2030, 1, 1),
        "items": items,
    }
    return NewEdition(**(fields | changes))


def test_an_edition_is_in_force_from_its_first_day_until_the_day_before_its_successor_starts():
    assert not in_force(SPAN, date(2023, 5, 14))
    assert in_force(SPAN, date(2023, 5, 15))
    assert in_force(SPAN, date(2029, 12, 31))
    assert not in_force(SPAN, date(2030, 1, 1))
    assert in_force(EditionSpan(date(2017, 11, 13)), date(2099, 1, 1))


def test_the_day_a_hazard_was_found_is_the_day_in_zhoushan():
    # 16:30 UTC on 14 May is 00:30 on 15 May in Zhoushan: the 2023 edition already applied
    assert local_day(datetime(2023, 5, 14, 16, 30, tzinfo=UTC)) == date(2023, 5, 15)
    check_citation(
        industries={"machinery"},
        span=SPAN,
        enterprise_industry="machinery",
        found_at=datetime(2023, 5, 14, 16, 30, tzinfo=UTC),
        criterion_id="GM2023-07-01",
    )
    with pytest.raises(CriterionNotInForce) as refused:
        check_citation(
            industries={"machinery"},
            span=SPAN,
            enterprise_industry="machinery",
            found_at=datetime(2023, 5, 14, 15, 59, tzinfo=UTC),
            criterion_id="GM2023-07-01",
        )
    assert refused.value.params["foundOn"] == "2023-05-14"


def test_a_criterion_of_another_industry_is_refused_naming_the_industries_it_applies_to():
    with pytest.raises(CriterionWrongIndustry) as refused:
        check_citation(
            industries={"hazardous_chemicals", "oil_storage"},
            span=SPAN,
            enterprise_industry="machinery",
            found_at=datetime(2024, 1, 1, tzinfo=UTC),
            criterion_id="HC2017-05",
        )
    assert refused.value.params["appliesTo"] == ["hazardous_chemicals", "oil_storage"]
    assert refused.value.code == "HAZARD_CRITERION_WRONG_INDUSTRY"


def test_a_whole_edition_passes_and_its_items_get_ids_from_the_edition():
    check_new_edition(edition(), superseded=None)
    assert item_ids(edition()) == ["GM2030-01", "GM2030-02"]


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"id": "gm2030"}, "id", "format"),
        ({"standard": " "}, "standard", "empty"),
        ({"edition": ""}, "edition", "empty"),
        ({"effective_from": date(1900, 1, 1)}, "effectiveFrom", "implausible"),
        ({"items": ()}, "items", "empty"),
        (
            {
                "items": (
                    NewCriterion("第一项", "甲。", ("machinery",)),
                    NewCriterion(" 第一项", "乙。", ("machinery",)),
                )
            },
            "items[1].itemNo",
            "duplicate",
        ),
        ({"items": (NewCriterion("第一项", "  ", ("machinery",)),)}, "items[0].text", "empty"),
        ({"items": (NewCriterion("", "甲。", ("machinery",)),)}, "items[0].itemNo", "empty"),
        ({"items": (NewCriterion("第一项", "甲。", ()),)}, "items[0].industries", "empty"),
        ({"items": (NewCriterion("第一项", "甲。", ("machinery", "space_mining")),)}, "items[0].industries", "unknown"),
        ({"items": (NewCriterion("第一项", "甲。", ("machinery", "machinery")),)}, "items[0].industries", "duplicate"),
        (
            {
                "items": (
                    NewCriterion("第一项", "甲。", ("machinery",), id="X-1"),
                    NewCriterion("第二项", "乙。", ("machinery",), id="X-1"),
                )
            },
            "items",
            "duplicate_id",
        ),
        ({"supersedes_id": "GM2023"}, "supersedesId", "unknown"),
    ],
)
def test_an_edition_that_does_not_hold_is_refused_naming_the_field_and_the_reason(changes, field, reason):
    with pytest.raises(CriteriaEditionInvalid) as refused:
        check_new_edition(edition(**changes), superseded=None)
    assert (refused.value.params["field"], refused.value.params["reason"]) == (field, reason)


def test_a_successor_starts_after_the_edition_it_supersedes_which_must_still_be_in_force():
    with pytest.raises(CriteriaEditionInvalid) as refused:
        check_new_edition(
            edition(supersedes_id="GM2023", effective_from=date(2023, 5, 15)), superseded=EditionSpan(date(2023, 5, 15))
        )
    assert refused.value.params["reason"] == "not_after_superseded"
    with pytest.raises(CriteriaEditionInvalid) as refused:
        check_new_edition(edition(supersedes_id="GM2023"), superseded=SPAN)
    assert refused.value.params["reason"] == "already_superseded"
    check_new_edition(edition(supersedes_id="GM2023"), superseded=EditionSpan(date(2023, 5, 15)))
