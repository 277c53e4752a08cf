"""Numbers, percentages and dates formatted for a report language (Babel, CLDR data).

Every figure a reader sees, in tables, running text and chart labels, goes
through this module, so Danish reads "30.957" and "12,5 %" everywhere and
English "30,957" and "12.5%". Babel is imported here and nowhere else.

Rounding is half away from zero on the decimal value as written
(12.25 -> "12,3"), as readers of official statistics expect, not Python's
or Babel's round-half-to-even on the binary float.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import NumberPattern, format_decimal, format_percent, parse_pattern

if TYPE_CHECKING:
    from reportgen.model import Month

# Report language -> CLDR locale, where the language alone is not the one meant. English reports are
# for a European readership: British English gives "31 May 2024", not the American "May 31, 2024".
# Any other language with a message catalogue (reportgen/locale) uses its own CLDR locale.
LOCALES = {"da": "da_DK", "en": "en_GB"}

INTERVAL_DASH = "\u2013"  # en dash, as in "10,2–15,1 %"


@functools.lru_cache(maxsize=None)
def _locale(lang: str) -> Locale:
    from .messages import languages

    if lang not in languages():
        raise ValueError(f"unsupported report language {lang!r}; expected one of: {', '.join(languages())}")
    return Locale.parse(LOCALES.get(lang, lang))


@functools.lru_cache(maxsize=None)
def _percent_affixes(lang: str) -> tuple[str, str]:
    """The text before and after the number in a locale's percentages ("", "\xa0%" in Danish)."""
    prefix, digits, suffix = format_percent(1, locale=_locale(lang)).partition("100")
    if not digits:
        raise ValueError(f"no percent pattern for {lang!r}")
    return prefix, suffix


def _decimal(value: int | float | Decimal) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise TypeError(f"expected a number, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"cannot format {value!r} as a number")
    # str() of a float is its shortest round-tripping decimal form, so 0.1015
    # stays 0.1015 instead of becoming 0.10149999999999999...
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _rounded(value: Decimal, decimals: int) -> Decimal:
    if decimals < 0:
        raise ValueError(f"decimals must be 0 or more, got {decimals}")
    q = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return q.copy_abs() if q == 0 else q  # never "-0,0"


@functools.lru_cache(maxsize=None)
def _pattern(decimals: int) -> NumberPattern:
    """The grouped pattern with `decimals` decimals, parsed once (Babel parses a text pattern on every call)."""
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals else ""))


# A report formats the same figures many times (tables, charts, running text, in every language);
# the cache is keyed on the value (equal Decimals round alike), the language and the decimals.
@functools.lru_cache(maxsize=65536)
def _digits(value: Decimal, lang: str, decimals: int) -> str:
    return format_decimal(_rounded(value, decimals), format=_pattern(decimals),
                          locale=_locale(lang), decimal_quantization=True)


def number(value: int | float, lang: str, decimals: int = 0) -> str:
    """A number with the locale's grouping and decimal signs: "30.957", "12,5" / "30,957", "12.5"."""
    return _digits(_decimal(value), lang, decimals)


def percent(fraction: float, lang: str, decimals: int = 1) -> str:
    """A fraction as a percentage: 0.125 -> "12,5 %" (no-break space) / "12.5%"."""
    prefix, suffix = _percent_affixes(lang)
    return prefix + _digits(_decimal(fraction).scaleb(2), lang, decimals) + suffix


def interval(low: float, high: float, lang: str, decimals: int = 1) -> str:
    """A 95% interval of two fractions: "10,2–15,1 %" / "10.2–15.1%"."""
    prefix, suffix = _percent_affixes(lang)
    return (prefix + _digits(_decimal(low).scaleb(2), lang, decimals) + INTERVAL_DASH
            + _digits(_decimal(high).scaleb(2), lang, decimals) + suffix)


def date(d: dt.date, lang: str) -> str:
    """A date in long form: "31. maj 2024" / "31 May 2024"."""
    return format_date(d, format="long", locale=_locale(lang))


def month(m: Month, lang: str) -> str:
    """A month and year: "maj 2024" / "May 2024"."""
    return format_date(dt.date(m.year, m.month, 1), format="LLLL y", locale=_locale(lang))


def month_short(m: Month, lang: str) -> str:
    """A short month for chart ticks: "maj 24", "jan. 24" / "May 24", "Sept 24"."""
    return format_date(dt.date(m.year, m.month, 1), format="LLL yy", locale=_locale(lang))


def and_list(items: Sequence[str], lang: str) -> str:
    """Items joined as in a sentence: "a, b og c" / "a, b and c"."""
    return format_list(list(items), style="standard", locale=_locale(lang))
