"""Pure rules of notifications: the signature a receiver checks, the retry schedule, who hears what, escalation steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.escalation.model import STEP_PRINCIPAL, STEP_REGULATOR, hazard_steps, local_day, task_days
from domain.notifications.model import (
    HAZARD_NOTICES,
    RETRY_SCHEDULE_S,
    Audience,
    EventKind,
    SubscriptionFilter,
    WebhookUrlInvalid,
    check_webhook_url,
    hazard_notices,
    is_retryable,
    is_success,
    max_tries,
    retry_delay_s,
    signature,
    signed_headers,
    subscription_hears,
    verify_signature,
)

SECRET = "whsec_test"
BODY = b'{"event":"hazard.major_reported"}'
NOW = 1_700_000_000
# `printf '1700000000.{"event":"hazard.major_reported"}' | openssl dgst -sha256 -hmac whsec_test`
OPENSSL_SIGNATURE = "sha256=d9c56fa6593e86b9000ee91be4447fb59aa6e08473d1249fd11d319313da546f"


def test_the_signature_is_the_hmac_sha256_of_timestamp_dot_body_as_openssl_computes_it():
    assert signature(SECRET, NOW, BODY) == OPENSSL_SIGNATURE


def test_a_receiver_accepts_the_signed_request_within_five_minutes():
    headers = signed_headers(secret=SECRET, kind="hazard.major_reported", delivery_id="D1", timestamp=NOW, body=BODY)
    assert headers["X-Shuangfang-Delivery"] == "D1"
    assert headers["X-Shuangfang-Event"] == "hazard.major_reported"
    for late in (0, 299, -299):
        assert verify_signature(
            SECRET,
            timestamp=headers["X-Shuangfang-Timestamp"],
            body=BODY,
            header=headers["X-Shuangfang-Signature"],
            now=NOW + late,
        )


@pytest.mark.parametrize(
    ("what", "secret", "timestamp", "body", "header", "now"),
    [
        ("a changed body", SECRET, str(NOW), BODY + b" ", OPENSSL_SIGNATURE, NOW),
        ("another secret", "whsec_other", str(NOW), BODY, OPENSSL_SIGNATURE, NOW),
        ("a replay six minutes later", SECRET, str(NOW), BODY, OPENSSL_SIGNATURE, NOW + 360),
        ("a timestamp moved to today", SECRET, str(NOW + 3600), BODY, OPENSSL_SIGNATURE, NOW + 3600),
        ("a timestamp that is not a number", SECRET, "17e8", BODY, OPENSSL_SIGNATURE, NOW),
        ("the hex without its prefix", SECRET, str(NOW), BODY, OPENSSL_SIGNATURE.removeprefix("sha256="), NOW),
        ("an upper-case hex", SECRET, str(NOW), BODY, OPENSSL_SIGNATURE.upper(), NOW),
        ("an empty header", SECRET, str(NOW), BODY, "", NOW),
    ],
)
def test_a_receiver_refuses(what, secret, timestamp, body, header, now):
    assert not verify_signature(secret, timestamp=timestamp, body=body, header=header, now=now), what


def test_the_backoff_schedule_is_ten_seconds_to_six_hours_then_the_dead_letter():
    assert RETRY_SCHEDULE_S == (10, 60, 300, 1800, 7200, 21600)
    assert [retry_delay_s(failures) for failures in range(1, 8)] == [10, 60, 300, 1800, 7200, 21600, None]
    assert max_tries() == 7
    assert sum(RETRY_SCHEDULE_S) / 3600 == pytest.approx(8.6, abs=0.01)


def test_a_schedule_given_as_data_is_followed_exactly():
    fast = (0.01, 0.02)
    assert [retry_delay_s(n, fast) for n in (1, 2, 3)] == [0.01, 0.02, None]
    assert max_tries(fast) == 3
    with pytest.raises(ValueError):
        retry_delay_s(0, fast)


@pytest.mark.parametrize(
    ("status", "success", "retry"),
    [
        (200, True, False),
        (204, True, False),
        (None, False, True),
        (500, False, True),
        (503, False, True),
        (429, False, True),
        (408, False, True),
        (301, False, False),
        (400, False, False),
        (401, False, False),
        (404, False, False),
        (410, False, False),
    ],
)
def test_which_answers_end_a_delivery_and_which_are_tried_again(status, success, retry):
    assert (status is not None and is_success(status)) is success
    assert (not success and is_retryable(status)) is retry


def test_the_notice_table_sends_major_reports_to_the_regulator_and_rejections_to_the_enterprise():
    major = {"level": "major", "level_confirmed": True}
    assert [(n.kind, n.audience) for n in hazard_notices("report", major, "major")] == [
        (EventKind.MAJOR_REPORTED, Audience.REGULATOR)
    ]
    assert hazard_notices("report", {"level": "general"}, "general") == []
    # a level a checklist item proposed waits for a person: the confirmation notifies, not the proposal
    assert hazard_notices("report", {"level": "major", "level_confirmed": False}, "major") == []
    assert [n.kind for n in hazard_notices("confirmLevel", {"level": "major"}, "major")] == [EventKind.MAJOR_REPORTED]
    rejected = hazard_notices("reject", {"from_status": "awaiting_acceptance"}, "general")
    assert [(n.kind, n.audience) for n in rejected] == [(EventKind.ACCEPTANCE_REJECTED, Audience.ENTERPRISE)]
    assert hazard_notices("reject", {"from_status": "plan_submitted"}, "major") == []
    assert {n.audience for n in hazard_notices("writeOff", {}, "major")} == {Audience.REGULATOR, Audience.ENTERPRISE}
    for quiet in ("assign", "submitRectification", "accept", "approvePlan", "void", "submitEvaluation"):
        assert quiet not in HAZARD_NOTICES and hazard_notices(quiet, {"level": "major"}, "major") == []


def test_a_subscription_hears_its_side_kinds_region_subtree_and_enterprise():
    city = SubscriptionFilter(Audience.REGULATOR, frozenset(), "/330900/", None)
    district = SubscriptionFilter(Audience.REGULATOR, frozenset({"hazard.written_off"}), "/330900/330902/", None)
    one = SubscriptionFilter(Audience.ENTERPRISE, frozenset(), None, "E1")
    where = {"enterprise_id": "E1", "region_path": "/330900/330902/330902001/"}
    assert subscription_hears(city, kind="hazard.supervised", audience="regulator", **where)
    assert not subscription_hears(city, kind="hazard.supervised", audience="enterprise", **where)
    assert not subscription_hears(district, kind="hazard.supervised", audience="regulator", **where)
    assert subscription_hears(district, kind="hazard.written_off", audience="regulator", **where)
    assert not subscription_hears(
        district, kind="hazard.written_off", audience="regulator", enterprise_id="E2", region_path="/330900/330903/"
    )
    assert subscription_hears(one, kind="hazard.acceptance_rejected", audience="enterprise", **where)
    assert not subscription_hears(
        one,
        kind="hazard.acceptance_rejected",
        audience="enterprise",
        enterprise_id="E2",
        region_path=where["region_path"],
    )


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/hook",
        "/relative/hook",
        "http://",
        "https://user:pw@example.org/hook",
        "https://example.org/hook#part",
        "https://example.org:99999/hook",
        "https://exa mple.org/",
        "javascript:alert(1)",
        "https://example.org/" + "x" * 2000,
    ],
)
def test_an_endpoint_url_that_is_not_a_plain_absolute_http_url_is_refused(url):
    with pytest.raises(WebhookUrlInvalid):
        check_webhook_url(url)


def test_plain_http_and_https_urls_are_taken_as_given():
    for url in ("https://gov.example.cn/shuangfang/hook?x=1", "http://127.0.0.1:8080/hook"):
        assert check_webhook_url(url) == url


def test_an_overdue_hazard_reaches_the_principal_at_once_and_the_regulator_when_major_or_after_a_week():
    deadline = datetime(2026, 11, 1, tzinfo=UTC)
    assert hazard_steps("general", deadline, deadline) == []
    assert hazard_steps("general", deadline, deadline + timedelta(seconds=1)) == [STEP_PRINCIPAL]
    assert hazard_steps("general", deadline, deadline + timedelta(days=6, hours=23)) == [STEP_PRINCIPAL]
    assert hazard_steps("general", deadline, deadline + timedelta(days=7)) == [STEP_PRINCIPAL, STEP_REGULATOR]
    assert hazard_steps("major", deadline, deadline + timedelta(seconds=1)) == [STEP_PRINCIPAL, STEP_REGULATOR]


def test_missed_task_days_are_whole_zhoushan_days_before_today():
    now = datetime(2026, 11, 29, 17, 0, tzinfo=UTC)  # already 30 November in Zhoushan
    start, end = task_days(now, 7)
    assert local_day(now).isoformat() == "2026-11-30"
    assert end == datetime(2026, 11, 29, 16, 0, tzinfo=UTC) and end - start == timedelta(days=7)
