"""Locale formatting: the exact strings readers see, in Danish and English."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportgen import formatting
from reportgen.model import Month

NBSP = "\u00a0"

NUMBERS = [
    # value, decimals, Danish, English
    (0, 0, "0", "0"),
    (5, 0, "5", "5"),
    (999, 0, "999", "999"),
    (1500, 0, "1.500", "1,500"),
    (30957, 0, "30.957", "30,957"),
    (1234567, 0, "1.234.567", "1,234,567"),
    (-1500, 0, "-1.500", "-1,500"),
    (12.5, 1, "12,5", "12.5"),
    (12.0, 1, "12,0", "12.0"),
    (12, 2, "12,00", "12.00"),
    (2.5, 0, "3", "3"),  # half away from zero, not to even
    (12.25, 1, "12,3", "12.3"),
    (0.125, 2, "0,13", "0.13"),
    (-0.04, 1, "0,0", "0.0"),  # no negative zero
    (1234.5678, 2, "1.234,57", "1,234.57"),
]

PERCENTS = [
    # fraction, decimals, Danish, English
    (0.125, 1, f"12,5{NBSP}%", "12.5%"),
    (0.0, 1, f"0,0{NBSP}%", "0.0%"),
    (1.0, 0, f"100{NBSP}%", "100%"),
    (0.1015, 1, f"10,2{NBSP}%", "10.2%"),  # 0.1015 * 100 in floats is 10.149999...
    (0.33333, 0, f"33{NBSP}%", "33%"),
    (12.5, 0, f"1.250{NBSP}%", "1,250%"),
]

INTERVALS = [
    # low, high, Danish, English
    (0.102, 0.151, f"10,2–15,1{NBSP}%", "10.2–15.1%"),
    (0.0, 0.0312, f"0,0–3,1{NBSP}%", "0.0–3.1%"),
    (0.5, 1.0, f"50,0–100,0{NBSP}%", "50.0–100.0%"),
]

DATES = [
    (dt.date(2024, 5, 31), "31. maj 2024", "31 May 2024"),
    (dt.date(2024, 1, 1), "1. januar 2024", "1 January 2024"),
    (dt.date(2023, 12, 24), "24. december 2023", "24 December 2023"),
]

MONTHS = [
    (Month(2024, 5), "maj 2024", "May 2024", "maj 24", "May 24"),
    (Month(2024, 1), "januar 2024", "January 2024", "jan. 24", "Jan 24"),
    (Month(2023, 9), "september 2023", "September 2023", "sep. 23", "Sept 23"),
    (Month(2025, 12), "december 2025", "December 2025", "dec. 25", "Dec 25"),
]


@pytest.mark.parametrize("value, decimals, da, en", NUMBERS)
def test_number(value, decimals, da, en):
    assert formatting.number(value, "da", decimals) == da
    assert formatting.number(value, "en", decimals) == en


@pytest.mark.parametrize("fraction, decimals, da, en", PERCENTS)
def test_percent(fraction, decimals, da, en):
    assert formatting.percent(fraction, "da", decimals) == da
    assert formatting.percent(fraction, "en", decimals) == en


def test_percent_default_one_decimal():
    assert formatting.percent(0.125, "da") == f"12,5{NBSP}%"
    assert formatting.percent(0.125, "en") == "12.5%"


@pytest.mark.parametrize("low, high, da, en", INTERVALS)
def test_interval(low, high, da, en):
    assert formatting.interval(low, high, "da") == da
    assert formatting.interval(low, high, "en") == en


def test_interval_matches_percent():
    """An interval reads like two percentages sharing one percent sign."""
    for lang in ("da", "en"):
        low, high = formatting.percent(0.102, lang), formatting.percent(0.151, lang)
        suffix = formatting.percent(0, lang, 0)[1:]
        assert formatting.interval(0.102, 0.151, lang) == low.removesuffix(suffix) + "–" + high


@pytest.mark.parametrize("day, da, en", DATES)
def test_date(day, da, en):
    assert formatting.date(day, "da") == da
    assert formatting.date(day, "en") == en


@pytest.mark.parametrize("m, da, en, da_short, en_short", MONTHS)
def test_month(m, da, en, da_short, en_short):
    assert formatting.month(m, "da") == da
    assert formatting.month(m, "en") == en
    assert formatting.month_short(m, "da") == da_short
    assert formatting.month_short(m, "en") == en_short


@pytest.mark.parametrize("items, da, en", [
    (["a"], "a", "a"),
    (["a", "b"], "a og b", "a and b"),
    (["germline", "somatisk", "RNA"], "germline, somatisk og RNA", "germline, somatisk and RNA"),
])
def test_and_list(items, da, en):
    assert formatting.and_list(items, "da") == da
    assert formatting.and_list(items, "en") == en


@pytest.mark.parametrize("call", [
    lambda: formatting.number(1, "de"),
    lambda: formatting.percent(0.1, "sv"),
])
def test_unknown_language(call):
    with pytest.raises(ValueError, match="unsupported report language .*expected one of: da, en"):
        call()


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_not_a_finite_number(value):
    with pytest.raises(ValueError, match="cannot format"):
        formatting.number(value, "da")


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_whole_numbers_read_back(n):
    """Grouping signs are the only thing added to a whole number."""
    assert int(formatting.number(n, "da").replace(".", "")) == n
    assert int(formatting.number(n, "en").replace(",", "")) == n


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(0, 3))
def test_danish_and_english_differ_only_in_signs(x, decimals):
    da = formatting.number(x, "da", decimals)
    en = formatting.number(x, "en", decimals)
    assert da == en.translate(str.maketrans(",.", ".,"))
    assert abs(float(en.replace(",", "")) - x) <= 0.5 * 10**-decimals + 1e-9 * max(1, abs(x))
