"""Signed QR tokens: round trip, forgery by guessing or bit flips, key rotation, kinds, and garbage input.

The bit-flip sweeps are sized to keep this file near 15 s on two cores. A token is 37 bytes = 296 bits, so per token there
are 296 one-bit flips, C(296, 2) = 43 660 two-bit flips and C(296, 3) ≈ 4.3 million three-bit flips. We try
every one- and two-bit flip of 100 tokens (≈ 4.4 million verifications, spread over worker processes), and for
three bits: every flip whose three bits lie within 24 consecutive bits (a burst, the way print damage or a scan
error corrupts data) for 3 tokens, plus 3 000 random three-bit flips for each of the 100 tokens. Every
three-bit flip of even one token would take longer than the whole file should.

Flips are applied to the decoded bytes and re-encoded. Base32 maps every 5 bits to one character, so flipping
bit b of the bytes is flipping bit b % 5 of character b // 5; the sweeps edit characters directly for speed,
and a test below checks that this equals decode → flip → encode.
"""

import itertools
import multiprocessing
import os
import random
import string
from concurrent.futures import ProcessPoolExecutor
from math import comb

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.codes.tokens import (
    ALPHABET,
    SERIAL_MAX,
    TOKEN_BYTES,
    TOKEN_LENGTH,
    SubjectKind,
    TokenClaims,
    decode,
    encode,
    new_secret,
    sign,
    verify,
)
from domain.ids import new_id

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
INDEX = {char: value for value, char in enumerate(ALPHABET)}
DATA_BITS = TOKEN_BYTES * 8

_seeded = random.Random(20240601)
KEY_A = _seeded.randbytes(32)
KEY_B = _seeded.randbytes(32)
KEYS = {1: KEY_A, 2: KEY_B}


def ulid_from_int(value):
    return "".join(CROCKFORD[(value >> (5 * (25 - position))) & 31] for position in range(26))


def make_tokens(count, seed):
    rng = random.Random(seed)
    tokens = []
    for n in range(count):
        kind = SubjectKind.RISK_POINT if n % 2 == 0 else SubjectKind.ENTERPRISE
        subject_id = ulid_from_int(rng.getrandbits(128))
        key_id = rng.choice([1, 2])
        tokens.append(sign(kind, subject_id, rng.randrange(SERIAL_MAX + 1), KEYS, key_id))
    return tokens


TOKENS = make_tokens(100, seed=7)


def flip(token, bits):
    """The token re-encoded after flipping these bits (0 = top bit of byte 0) of its decoded bytes."""
    chars = list(token)
    for bit in bits:
        position = bit // 5
        chars[position] = ALPHABET[INDEX[chars[position]] ^ (16 >> (bit % 5))]
    return "".join(chars)


def flip_bytes(raw, bits):
    value = int.from_bytes(raw, "big")
    for bit in bits:
        value ^= 1 << (DATA_BITS - 1 - bit)
    return value.to_bytes(TOKEN_BYTES, "big")


# ---------------------------------------------------------------------------------------------------------------
# Workers for the sweeps: module-level so a forked process can run them; each returns (tried, accepted tokens).


def _double_flips(token):
    tried, accepted = 0, []
    for first in range(DATA_BITS):
        once = flip(token, [first])
        for second in range(first + 1, DATA_BITS):
            position = second // 5
            twice = once[:position] + ALPHABET[INDEX[once[position]] ^ (16 >> (second % 5))] + once[position + 1 :]
            tried += 1
            if verify(twice, KEYS) is not None:
                accepted.append(twice)
    return tried, accepted


def _burst_triple_flips(token, span=24):
    tried, accepted = 0, []
    for first in range(DATA_BITS):
        for second, third in itertools.combinations(range(first + 1, min(first + span, DATA_BITS)), 2):
            tried += 1
            candidate = flip(token, (first, second, third))
            if verify(candidate, KEYS) is not None:
                accepted.append(candidate)
    return tried, accepted


def _random_triple_flips(token, seed, count=3000):
    rng = random.Random(seed)
    tried, accepted = 0, []
    for _ in range(count):
        tried += 1
        candidate = flip(token, rng.sample(range(DATA_BITS), 3))
        if verify(candidate, KEYS) is not None:
            accepted.append(candidate)
    return tried, accepted


def sweep(function, *argument_lists):
    """Run `function` over the arguments in worker processes (fork keeps the keys and tokens), add up results."""
    workers = max(1, min(os.cpu_count() or 1, 8))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        results = list(pool.map(function, *argument_lists, chunksize=4))
    return sum(tried for tried, _ in results), [token for _, accepted in results for token in accepted]


# ---------------------------------------------------------------------------------------------------------------
# Round trip and shape


def test_a_signed_token_verifies_to_the_claims_it_was_signed_with():
    subject_id = new_id()
    token = sign(SubjectKind.RISK_POINT, subject_id, 3, KEYS, 1)
    assert verify(token, KEYS) == TokenClaims(kind=SubjectKind.RISK_POINT, subject_id=subject_id, serial=3, key_id=1)


def test_a_token_is_sixty_upper_case_base32_characters_so_qr_can_use_alphanumeric_mode():
    for token in TOKENS:
        assert len(token) == TOKEN_LENGTH == 60
        assert set(token) <= set(string.ascii_uppercase + "234567")


@pytest.mark.parametrize(
    ("url", "largest_version"),
    [
        ("https://aq.example.cn/q/{}", 5),  # 37 × 37 modules
        ("HTTPS://AQ.EXAMPLE.CN/Q/{}", 4),  # all alphanumeric: 33 × 33 modules
    ],
)
def test_a_code_url_with_a_token_fits_a_small_qr_code_at_medium_error_correction(url, largest_version):
    import qrcode

    for token in TOKENS[:10]:
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
        code.add_data(url.format(token))
        code.make(fit=True)
        assert code.version <= largest_version


def test_signing_is_deterministic_so_a_reprint_of_the_same_serial_is_the_same_code():
    subject_id = new_id()
    assert sign("p", subject_id, 9, KEYS, 2) == sign(SubjectKind.RISK_POINT, subject_id, 9, KEYS, 2)


def test_a_new_serial_gives_a_new_token_and_verify_reports_which_serial_it_carries():
    subject_id = new_id()
    old, new = sign("p", subject_id, 1, KEYS, 1), sign("p", subject_id, 2, KEYS, 1)
    assert old != new
    # Whether serial 1 is revoked is the database's business; verify only proves both are ours.
    assert (verify(old, KEYS).serial, verify(new, KEYS).serial) == (1, 2)


@pytest.mark.parametrize(
    "subject_id", ["00000000000000000000000000", "7ZZZZZZZZZZZZZZZZZZZZZZZZZ", "01ARZ3NDEKTSV4RRFFQ69G5FAV"]
)
@pytest.mark.parametrize("serial", [0, 1, SERIAL_MAX])
def test_the_extreme_ids_and_serials_survive_the_round_trip(subject_id, serial):
    token = sign("e", subject_id, serial, KEYS, 2)
    assert verify(token, KEYS) == TokenClaims(SubjectKind.ENTERPRISE, subject_id, serial, 2)


@given(
    kind=st.sampled_from(SubjectKind),
    id_bits=st.integers(0, 2**128 - 1),
    serial=st.integers(0, SERIAL_MAX),
    key_id=st.integers(0, 255),
    secret=st.binary(min_size=16, max_size=64),
)
def test_any_claims_round_trip_through_a_token(kind, id_bits, serial, key_id, secret):
    subject_id = ulid_from_int(id_bits)
    token = sign(kind, subject_id, serial, {key_id: secret}, key_id)
    assert len(token) == TOKEN_LENGTH
    assert verify(token, {key_id: secret}) == TokenClaims(kind, subject_id, serial, key_id)
    assert decode(token) is not None and encode(decode(token)) == token


# ---------------------------------------------------------------------------------------------------------------
# Guessing


def test_100000_random_strings_of_the_right_length_and_alphabet_are_all_refused():
    rng = random.Random(1)
    accepted = [
        candidate
        for candidate in ("".join(rng.choices(ALPHABET, k=TOKEN_LENGTH)) for _ in range(100_000))
        if verify(candidate, KEYS) is not None
    ]
    assert accepted == []


def test_100000_random_tokens_with_a_valid_header_and_a_known_key_are_all_refused():
    # Random strings mostly fail on the header or the padding bits; these reach the MAC comparison every time.
    rng = random.Random(2)
    accepted = []
    for _ in range(100_000):
        header = bytes([0x10 | rng.choice([1, 2]), rng.choice([1, 2])])
        candidate = encode(header + rng.randbytes(TOKEN_BYTES - 2))
        if verify(candidate, KEYS) is not None:
            accepted.append(candidate)
    assert accepted == []


# ---------------------------------------------------------------------------------------------------------------
# Bit flips


def test_editing_characters_is_the_same_as_flipping_the_decoded_bytes_and_re_encoding():
    rng = random.Random(3)
    for token in TOKENS:
        raw = decode(token)
        for bit in range(DATA_BITS):
            assert flip(token, [bit]) == encode(flip_bytes(raw, [bit]))
        for size in (2, 3):
            bits = rng.sample(range(DATA_BITS), size)
            assert flip(token, bits) == encode(flip_bytes(raw, bits))


def test_every_one_bit_flip_of_100_tokens_is_refused():
    candidates = [flip(token, [bit]) for token in TOKENS for bit in range(DATA_BITS)]
    assert len(set(candidates)) == len(TOKENS) * DATA_BITS
    assert [candidate for candidate in candidates if verify(candidate, KEYS) is not None] == []


def test_every_two_bit_flip_of_100_tokens_is_refused():
    tried, accepted = sweep(_double_flips, TOKENS)
    assert tried == len(TOKENS) * comb(DATA_BITS, 2)
    assert accepted == []


def test_every_three_bit_burst_within_24_bits_of_3_tokens_is_refused():
    tried, accepted = sweep(_burst_triple_flips, TOKENS[:3])
    assert tried > 3 * 70_000
    assert accepted == []


def test_3000_random_three_bit_flips_of_each_of_100_tokens_are_refused():
    tried, accepted = sweep(_random_triple_flips, TOKENS, range(len(TOKENS)))
    assert tried == 300_000
    assert accepted == []


def test_a_token_whose_unused_last_bits_are_set_is_refused_so_each_token_has_one_spelling():
    token = TOKENS[0]
    for pad in range(1, 16):
        tampered = token[:-1] + ALPHABET[INDEX[token[-1]] | pad]
        if tampered != token:
            assert decode(tampered) is None
            assert verify(tampered, KEYS) is None


# ---------------------------------------------------------------------------------------------------------------
# Keys


def test_a_token_signed_with_a_removed_key_is_refused():
    token = sign("p", new_id(), 1, KEYS, 1)
    assert verify(token, {2: KEY_B}) is None
    assert verify(token, {}) is None


def test_a_token_signed_with_another_secret_under_the_same_key_id_is_refused():
    token = sign("p", new_id(), 1, {1: new_secret()}, 1)
    assert verify(token, KEYS) is None


def test_rotation_old_tokens_verify_while_the_old_key_is_kept_and_new_ones_use_the_new_key():
    subject_id = new_id()
    before = {1: KEY_A}
    old = sign("p", subject_id, 1, before, 1)
    during = {1: KEY_A, 2: KEY_B}
    new = sign("p", subject_id, 1, during, 2)
    assert verify(old, during).key_id == 1
    assert verify(new, during).key_id == 2
    after = {2: KEY_B}
    assert verify(old, after) is None
    assert verify(new, after) == TokenClaims(SubjectKind.RISK_POINT, subject_id, 1, 2)


def test_unusable_secrets_in_the_key_ring_refuse_rather_than_raise():
    token = sign("p", new_id(), 1, KEYS, 1)
    assert verify(token, {1: b"short"}) is None
    assert verify(token, {1: "not bytes at all, even if long"}) is None


# ---------------------------------------------------------------------------------------------------------------
# Kinds


def test_a_risk_point_token_does_not_verify_as_an_enterprise_token_and_its_claims_say_which_it_is():
    subject_id = new_id()
    point = sign(SubjectKind.RISK_POINT, subject_id, 1, KEYS, 1)
    enterprise = sign(SubjectKind.ENTERPRISE, subject_id, 1, KEYS, 1)
    assert point != enterprise
    assert verify(point, KEYS).kind is SubjectKind.RISK_POINT
    assert verify(enterprise, KEYS).kind is SubjectKind.ENTERPRISE
    assert verify(point, KEYS, kind="e") is None
    assert verify(point, KEYS, kind=SubjectKind.RISK_POINT) is not None
    assert verify(enterprise, KEYS, kind=SubjectKind.RISK_POINT) is None


# ---------------------------------------------------------------------------------------------------------------
# Garbage


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        " ",
        "=" * TOKEN_LENGTH,
        "重大风险告知卡" * 9,
        "重" * TOKEN_LENGTH,
        "🚧" * TOKEN_LENGTH,
        "A" * TOKEN_LENGTH,
        "A" * (TOKEN_LENGTH - 1),
        "A" * (TOKEN_LENGTH + 1),
        "0" * TOKEN_LENGTH,  # Crockford digits outside RFC 4648 base32
        "A" * 10_000_000,
        TOKENS[0].lower(),
        TOKENS[0] + "====",
        TOKENS[0] + "\n",
        " " + TOKENS[0][1:],
        TOKENS[0][:-1],
        TOKENS[0][:30] + "\x00" + TOKENS[0][31:],
        TOKENS[0][:30] + "Ａ" + TOKENS[0][31:],  # a full-width A
        f"https://aq.example.cn/q/{TOKENS[0]}",
        None,
        42,
        TOKENS[0].encode(),
        ["not", "a", "token"],
    ],
    ids=lambda value: repr(value)[:24],
)
def test_garbage_is_refused_without_raising(garbage):
    assert verify(garbage, KEYS) is None


@settings(max_examples=300)
@given(st.one_of(st.text(), st.text(alphabet=ALPHABET, min_size=TOKEN_LENGTH, max_size=TOKEN_LENGTH), st.binary()))
def test_arbitrary_text_is_refused_without_raising(garbage):
    assert verify(garbage, KEYS) is None


# ---------------------------------------------------------------------------------------------------------------
# Signing refuses bad arguments: these are programming errors, not user input


@pytest.mark.parametrize(
    ("kind", "subject_id", "serial", "keys", "key_id"),
    [
        ("x", "01ARZ3NDEKTSV4RRFFQ69G5FAV", 1, KEYS, 1),
        ("p", "01arz3ndektsv4rrffq69g5fav", 1, KEYS, 1),  # ids are stored upper case
        ("p", "01ARZ3NDEKTSV4RRFFQ69G5FA", 1, KEYS, 1),
        ("p", "01ARZ3NDEKTSV4RRFFQ69G5FAI", 1, KEYS, 1),  # I is not Crockford
        ("p", "81ARZ3NDEKTSV4RRFFQ69G5FAV", 1, KEYS, 1),  # more than 128 bits
        ("p", "01ARZ3NDEKTSV4RRFFQ69G5FAV", -1, KEYS, 1),
        ("p", "01ARZ3NDEKTSV4RRFFQ69G5FAV", SERIAL_MAX + 1, KEYS, 1),
        ("p", "01ARZ3NDEKTSV4RRFFQ69G5FAV", True, KEYS, 1),
        ("p", "01ARZ3NDEKTSV4RRFFQ69G5FAV", 1, KEYS, 3),  # the active key is missing
        ("p", "01ARZ3NDEKTSV4RRFFQ69G5FAV", 1, {256: KEY_A}, 256),
        ("p", "01ARZ3NDEKTSV4RRFFQ69G5FAV", 1, {1: b"too short"}, 1),
    ],
)
def test_signing_refuses_bad_arguments(kind, subject_id, serial, keys, key_id):
    with pytest.raises(ValueError):
        sign(kind, subject_id, serial, keys, key_id)
