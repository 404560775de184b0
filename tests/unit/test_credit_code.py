"""The 统一社会信用代码 check character (GB 32100-2015)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidCreditCode
from domain.org.model import CREDIT_CODE_ALPHABET, credit_code_check_character, validate_credit_code

# Codes of large companies published in their filings; their check characters were computed by the issuers.
PUBLISHED_CODES = ["91330100716105852F", "9144030071526726XG", "914403001922038216", "91110000802100433B"]


@pytest.mark.parametrize("code", PUBLISHED_CODES)
def test_published_codes_are_accepted(code):
    assert validate_credit_code(code) == code


def test_lower_case_and_surrounding_spaces_are_normalised():
    assert validate_credit_code(" 9144030071526726xg ") == "9144030071526726XG"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91330100716105852", "length"),
        ("91330100716105852FF", "length"),
        ("", "length"),
        ("91330100716105852I", "characters"),  # I is not in the alphabet
        ("9133O100716105852F", "characters"),  # letter O where region digits belong
        ("91330100716105852G", "checksum"),
        ("81330100716105852F", "checksum"),
    ],
)
def test_malformed_codes_are_rejected_with_the_reason(code, reason):
    with pytest.raises(InvalidCreditCode) as caught:
        validate_credit_code(code)
    assert caught.value.params["reason"] == reason


body = st.tuples(
    st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=9, max_size=9),
).map("".join)


@given(body)
def test_every_code_with_its_computed_check_character_is_accepted(first17):
    assert validate_credit_code(first17 + credit_code_check_character(first17))


@given(body, st.integers(min_value=0, max_value=16), st.sampled_from(CREDIT_CODE_ALPHABET))
def test_changing_any_one_character_breaks_the_check(first17, position, replacement):
    code = first17 + credit_code_check_character(first17)
    mutated = code[:position] + replacement + code[position + 1 :]
    if mutated == code or (position in range(2, 8) and not replacement.isdigit()):
        return
    with pytest.raises(InvalidCreditCode):
        validate_credit_code(mutated)


def test_a_region_code_must_start_with_its_parents_digits():
    from domain.org.model import RegionLevel, region_code_fits_parent

    assert region_code_fits_parent("330902", "330900", RegionLevel.CITY)
    assert region_code_fits_parent("330902007", "330902", RegionLevel.DISTRICT)
    assert not region_code_fits_parent("110101001", "330902", RegionLevel.DISTRICT)
    assert not region_code_fits_parent("330802", "330900", RegionLevel.CITY)
