"""The emulator's rate limits: token bucket with a burst, fixed window, and optional headers.

The limiters' arithmetic is specified on given instants (no clock involved); the HTTP tests
check what a client sees, with limits slow enough that a test's few requests cannot refill them.
"""

from __future__ import annotations

import pytest
from emulator_support import api_client

from relate_pipeline.emulator import EmulatorAdminError
from relate_pipeline.emulator.cli import main
from relate_pipeline.emulator.faults import FixedWindow, TokenBucket, limit_headers


EMULATOR = dict(seed=3, days=1, end_date="2026-05-20", meetings_per_day=2, contacts=5, organizations=2)


def _statuses(fresh_emulator, count):
    with api_client(fresh_emulator) as client:
        return [client.get("/notes") for _ in range(count)]


def test_a_token_bucket_lets_its_burst_through_then_refuses():
    bucket = TokenBucket(rate=2, burst=3, now=0.0)
    assert [bucket.take(0.0) for _ in range(4)] == [0.0, 0.0, 0.0, 0.5]


def test_a_token_bucket_refills_at_its_rate_up_to_its_burst():
    bucket = TokenBucket(rate=2, burst=3, now=0.0)
    for _ in range(3):
        bucket.take(0.0)
    assert bucket.take(0.5) == 0.0 and bucket.take(0.5) > 0
    assert [bucket.take(100.0) for _ in range(4)][-1] > 0


def test_a_fixed_window_allows_its_quota_per_whole_second_and_resets_at_the_next():
    window = FixedWindow(rate=3)
    assert [window.take(10.2) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert window.take(10.6) == pytest.approx(0.4)
    assert window.take(11.0) == 0.0


def test_headers_announce_the_policy_and_what_is_left():
    bucket = TokenBucket(rate=10, burst=10, now=0.0)
    bucket.take(0.0)
    headers = limit_headers(bucket)
    assert headers["RateLimit-Policy"] == "10;w=1;burst=10"
    assert headers["RateLimit-Remaining"] == headers["X-RateLimit-Remaining"] == "9"
    assert headers["RateLimit-Limit"] == headers["X-RateLimit-Limit"] == "10"


def test_a_burst_of_one_refuses_the_second_request_at_once(fresh_emulator):
    fresh_emulator.admin.set_faults(rate_limit=0.2, rate_limit_burst=1)
    assert [r.status_code for r in _statuses(fresh_emulator, 3)] == [200, 429, 429]


def test_a_larger_burst_is_let_through_before_the_first_429(fresh_emulator):
    fresh_emulator.admin.set_faults(rate_limit=0.2, rate_limit_burst=4)
    assert [r.status_code for r in _statuses(fresh_emulator, 5)] == [200] * 4 + [429]


def test_a_fixed_window_refuses_beyond_its_quota_with_retry_after(fresh_emulator):
    fresh_emulator.admin.set_faults(rate_limit=2, rate_limit_kind="fixed_window")
    responses = _statuses(fresh_emulator, 8)
    refused = [r for r in responses if r.status_code == 429]
    assert len(refused) >= 8 - 2 * 2  # the 8 requests span at most two windows
    assert all(r.headers["Retry-After"] == "1" for r in refused)


def test_rate_limit_headers_are_sent_only_when_switched_on(fresh_emulator):
    fresh_emulator.admin.set_faults(rate_limit=0.2, rate_limit_burst=5)
    assert "RateLimit-Policy" not in _statuses(fresh_emulator, 1)[0].headers
    fresh_emulator.admin.set_faults(rate_limit_headers=True)
    ok, = _statuses(fresh_emulator, 1)
    assert ok.headers["RateLimit-Policy"] == "0.2;w=1;burst=5"
    assert int(ok.headers["X-RateLimit-Remaining"]) < 5


def test_a_429_carries_the_headers_too(fresh_emulator):
    fresh_emulator.admin.set_faults(rate_limit=0.2, rate_limit_burst=1, rate_limit_headers=True)
    refused = _statuses(fresh_emulator, 2)[1]
    assert refused.status_code == 429
    assert refused.headers["RateLimit-Remaining"] == "0" and "RateLimit-Reset" in refused.headers


def test_null_switches_limiting_off(fresh_emulator):
    fresh_emulator.admin.set_faults(rate_limit=0.2, rate_limit_burst=1)
    fresh_emulator.admin.set_faults(rate_limit=None)
    assert {r.status_code for r in _statuses(fresh_emulator, 5)} == {200}


@pytest.mark.parametrize(
    ("setting", "value"),
    [("rate_limit", 0), ("rate_limit", -1), ("rate_limit_burst", 0), ("rate_limit_kind", "leaky"),
     ("rate_limit_headers", "yes")],
)
def test_a_bad_rate_setting_is_refused_naming_it(fresh_emulator, setting, value):
    with pytest.raises(EmulatorAdminError) as caught:
        fresh_emulator.admin.set_faults(**{setting: value})
    assert caught.value.status == 422 and setting in str(caught.value)


@pytest.mark.parametrize("flag", [["--rate-limit", "0"], ["--rate-limit", "-3"], ["--rate-limit-burst", "0"]])
def test_a_non_positive_rate_flag_exits_with_a_message_naming_it(flag, capsys):
    assert main([*flag]) == 2
    assert flag[0] in capsys.readouterr().err


def test_start_up_flags_set_the_limit(make_emulator):
    process = make_emulator(days=1, meetings_per_day=1, contacts=2, organizations=1, rate_limit=5,
                            rate_limit_kind="fixed_window", rate_limit_headers=True)
    faults = process.admin.faults()
    assert (faults["rate_limit"], faults["rate_limit_kind"], faults["rate_limit_headers"]) == (5.0, "fixed_window", True)
