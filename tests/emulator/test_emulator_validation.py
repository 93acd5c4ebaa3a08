"""The pure normalisations behind the documented rules, and the workspace knobs' own checks."""

from __future__ import annotations

import datetime as dt

import pytest

from relate_pipeline.emulator.timefmt import iso_local, iso_utc
from relate_pipeline.emulator.validation import is_email, normalize_domain, normalize_phone
from relate_pipeline.emulator.workspace import WorkspaceConfig


@pytest.mark.parametrize("raw", ["+821012345678", "01012345678", "010-1234-5678", "+82 10-1234-5678", "+82 (0)10 1234 5678",
                                 "010 1234 5678"])
def test_korean_mobile_formats_normalize_to_one_e164_number(raw):
    assert normalize_phone(raw) == "+821012345678"


def test_seoul_landline_keeps_its_area_code():
    assert normalize_phone("02-123-4567") == "+8221234567"


def test_text_without_enough_digits_is_not_a_phone_number():
    assert normalize_phone("ext. 12") is None


@pytest.mark.parametrize("raw, host", [("relate.so", "relate.so"), ("https://www.Relate.so/pricing", "relate.so"),
                                       ("RELATE.KR", "relate.kr"), ("http://user@relate.so:8080", "relate.so")])
def test_domains_normalize_to_a_lowercase_host(raw, host):
    assert normalize_domain(raw) == host


@pytest.mark.parametrize("raw", ["relate", "not a domain", "", "http://", 42])
def test_values_without_a_dotted_host_are_not_domains(raw):
    assert normalize_domain(raw) is None


@pytest.mark.parametrize("raw, valid", [("paul@atreid.es", True), ("Paul.Atreides@Atreid.ES", True), ("paul@", False),
                                        ("paul atreides@atreid.es", False), ("paul@atreid", False)])
def test_email_validity(raw, valid):
    assert is_email(raw) is valid


def test_utc_timestamps_have_milliseconds_and_z():
    assert iso_utc(dt.datetime(2026, 5, 16, 2, 0, 0, 123456, tzinfo=dt.timezone.utc)) == "2026-05-16T02:00:00.123Z"


def test_local_timestamps_carry_the_offset():
    moment = dt.datetime(2026, 5, 16, 2, 0, tzinfo=dt.timezone.utc)
    assert (iso_local(moment, 540), iso_local(moment, -300), iso_local(moment, 330)) == (
        "2026-05-16T11:00:00.000+09:00", "2026-05-15T21:00:00.000-05:00", "2026-05-16T07:30:00.000+05:30")


@pytest.mark.parametrize("knob, value", [("days", 0), ("organizations", 0), ("contacts", -1), ("late_fraction", 1.5)])
def test_out_of_range_knob_is_rejected_naming_it(knob, value):
    with pytest.raises(ValueError, match=knob):
        WorkspaceConfig(**{knob: value})
