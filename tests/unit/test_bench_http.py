"""The pure parts of `bench.http`: reading wrk's result line and judging the issue-14 goals (no server, no timing)."""

from __future__ import annotations

import pytest

from bench.http import GOALS, RESULT_MARK, Latency, Measure, Ratio, evaluate, lua_script, median_measure, parse_wrk

WRK_OUTPUT = f"""Running 10s test @ http://127.0.0.1:8791/v1/scan/abc
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   110.12ms   20.33ms 210.00ms   70.00%
    Req/Sec   290.00     30.00   350.00     75.00%
  2900 requests in 10.00s, 3.10MB read
Requests/sec:    290.00
Transfer/sec:    317.44KB
{RESULT_MARK}{{"requests":2900,"duration_us":10000000,"p50_us":106650,"p99_us":193590,"status":3,"socket":1}}
"""


def _measure(requests_per_s: float, p99_ms: float = 5.0, bad_status: int = 0) -> Measure:
    return Measure(
        requests=int(requests_per_s * 10),
        seconds=10.0,
        requests_per_s=requests_per_s,
        p50_ms=p99_ms / 2,
        p99_ms=p99_ms,
        bad_status=bad_status,
        socket_errors=0,
    )


def test_parse_wrk_reads_the_result_line_in_milliseconds():
    measure = parse_wrk(WRK_OUTPUT)
    assert measure.requests == 2900
    assert measure.seconds == 10.0
    assert measure.requests_per_s == pytest.approx(290.0)
    assert measure.p50_ms == pytest.approx(106.65)
    assert measure.p99_ms == pytest.approx(193.59)
    assert (measure.bad_status, measure.socket_errors, measure.errors) == (3, 1, 4)


def test_parse_wrk_without_a_result_line_says_so():
    with pytest.raises(ValueError, match="WRK_RESULT"):
        parse_wrk("unable to connect to 127.0.0.1:8791 Connection refused\n")


def test_the_lua_script_sets_the_bearer_only_when_signed_in_and_always_reports():
    signed = lua_script("tok.en")
    assert 'wrk.headers["Authorization"] = "Bearer tok.en"' in signed
    assert "Authorization" not in lua_script(None)
    assert RESULT_MARK in signed and "latency:percentile(99)" in signed


def test_the_goals_are_those_of_issue_14():
    assert set(GOALS) == {
        Ratio("scan", "bare", 0.40),
        Latency("scan", 50.0),
        Ratio("me", "health", 0.6),
        Ratio("hazard", "health", 0.4),
        Ratio("page", "health", 0.25),
    }


def test_evaluate_passes_and_misses_each_goal_on_its_own_figures():
    measures = {
        "bare": _measure(10_000),
        "health": _measure(5_000),
        "me": _measure(3_000),  # 0.60: exactly the goal passes
        "hazard": _measure(1_000),  # 0.20 < 0.40
        "page": _measure(1_500),  # 0.30 >= 0.25
        "scan": _measure(4_000, p99_ms=50.0),  # 0.40 passes; p99 must be below 50 ms, not equal
    }
    verdicts = {v.goal: v for v in evaluate(measures)}
    assert {goal: v.mark for goal, v in verdicts.items()} == {
        "scan / bare": "PASS",
        "scan p99": "MISS",
        "me / health": "PASS",
        "hazard / health": "MISS",
        "page / health": "PASS",
    }
    assert verdicts["hazard / health"].measured == "0.20"
    assert verdicts["hazard / health"].wanted == ">= 0.40"
    assert verdicts["scan p99"].measured == "50.0 ms"


def test_a_figure_resting_on_error_answers_is_invalid_and_unmeasured_goals_are_left_out():
    measures = {"health": _measure(5_000), "me": _measure(4_000, bad_status=7)}
    verdicts = evaluate(measures)
    assert [(v.goal, v.passed, v.mark) for v in verdicts] == [("me / health", True, "INVALID")]


def test_median_of_rounds_takes_each_figures_median_and_adds_the_errors():
    rounds = [_measure(100, p99_ms=9.0), _measure(300, p99_ms=1.0, bad_status=1), _measure(200, p99_ms=4.0)]
    median = median_measure(rounds)
    assert median.requests_per_s == 200
    assert median.p99_ms == 4.0
    assert median.bad_status == 1
    assert median.seconds == 30.0
    assert median_measure(rounds[:1]) is rounds[0]
