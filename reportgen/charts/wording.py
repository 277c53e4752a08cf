"""The wording of the charts' generated text alternatives, in Danish and English.

Only the kind of chart and its extremes are worded here; everything
domain-specific in them comes from the caller's labels. The phrases are
English here; their translations are in the language catalogues (reportgen/locale).
"""

from __future__ import annotations

from .. import formatting
from ..messages import N_, catalogue, languages
from ..model import Month

PHRASES = {
    "monthly": N_("Stacked bar chart: {y_label} per month from {first} to {last}, by {series}."),
    "monthly_peak": N_(" Most in {month}: {value}."),
    "bars": N_("Horizontal bar chart: {x_label}."),
    "stacked": N_("Stacked horizontal bar chart: {x_label}, by {series}."),
    "stacked_peak": N_(" Most in total: {label}, {value}."),
    "yields": N_("Dot chart with 95% intervals: {x_label}."),
    "extremes": N_(" Highest: {high}, {high_value}; lowest: {low}, {low_value}."),
    "single": N_(" {label}: {value}."),
    "missing": N_(" {count} of {total} shown as {text}."),
    "target": N_("Line chart: {y_label} from {first} to {last}, latest {value}; {target_label}: {target}."),
    "projection": N_(" Dashed: {projection_label} to {month}, {value}."),
    "funnel": N_("Funnel plot: {y_label} of each region against its size; overall level {centre}."),
    "funnel_outside": N_(" Outside the control limits: {names}."),
    "funnel_inside": N_(" Every region shown lies within the control limits."),
    "funnel_missing": N_(" Not shown (hidden figures): {names}."),
}


def phrase(lang: str, name: str, **values: object) -> str:
    if lang not in languages():
        raise ValueError(f"unsupported report language {lang!r}; expected one of: {', '.join(languages())}")
    return catalogue(lang).gettext(PHRASES[name]).format(**values)



def extremes(lang, labels, values, texts) -> str:
    shown = [i for i, v in enumerate(values) if v is not None]
    if not shown:
        return ""
    if len(shown) == 1:
        return phrase(lang, "single", label=labels[shown[0]], value=texts[shown[0]])
    high = max(shown, key=lambda i: (values[i], -i))
    low = min(shown, key=lambda i: (values[i], i))
    return phrase(lang, "extremes", high=labels[high], high_value=texts[high],
                low=labels[low], low_value=texts[low])


def missing(lang, values, missing_text) -> str:
    count = sum(v is None for v in values)
    if not count:
        return ""
    return phrase(lang, "missing", count=formatting.number(count, lang),
                total=formatting.number(len(values), lang), text=missing_text)


def peak(totals) -> int:
    """The index of the highest total (the first, if several are as high)."""
    return max(range(len(totals)), key=lambda i: (totals[i], -i))


def describe_monthly(lang, y_label, months, series_names, totals) -> str:
    top = peak(totals)
    return phrase(lang, "monthly", y_label=y_label, first=formatting.month(months[0], lang),
                  last=formatting.month(months[-1], lang),
                  series=formatting.and_list(series_names, lang)) + phrase(
        lang, "monthly_peak", month=formatting.month(months[top], lang),
        value=formatting.number(totals[top], lang))


def describe_bars(lang, x_label, labels, values, value_texts, missing_text) -> str:
    return (phrase(lang, "bars", x_label=x_label) + extremes(lang, labels, values, value_texts)
            + missing(lang, values, missing_text))


def describe_stacked(lang, x_label, labels, series_names, totals) -> str:
    text = phrase(lang, "stacked", x_label=x_label, series=formatting.and_list(series_names, lang))
    if labels:
        top = peak(totals)
        text += phrase(lang, "stacked_peak", label=labels[top], value=formatting.number(totals[top], lang))
    return text


def describe_yields(lang, x_label, labels, points, cells, missing_text) -> str:
    estimates = [None if p is None else p[0] for p in points]
    return (phrase(lang, "yields", x_label=x_label) + extremes(lang, labels, estimates, cells)
            + missing(lang, points, missing_text))


def describe_target(lang, y_label, months, cumulative, target, target_label, projection_label, ahead) -> str:
    """`ahead` is the projection beyond the last month, as (month index, value) pairs."""
    text = phrase(lang, "target", y_label=y_label, first=formatting.month(months[0], lang),
                  last=formatting.month(months[-1], lang),
                  value=formatting.number(cumulative[-1], lang), target_label=target_label,
                  target=formatting.number(target, lang))
    if ahead:
        text += phrase(lang, "projection", projection_label=projection_label,
                       month=formatting.month(Month.from_index(ahead[-1][0]), lang),
                       value=formatting.number(ahead[-1][1], lang))
    return text


def describe_funnel(lang, y_label, centre_text, outside, missing_labels) -> str:
    """`outside` names the labels outside the limits, each with its verdict."""
    text = phrase(lang, "funnel", y_label=y_label, centre=centre_text)
    text += (phrase(lang, "funnel_outside", names=formatting.and_list(outside, lang)) if outside
             else phrase(lang, "funnel_inside"))
    if missing_labels:
        text += phrase(lang, "funnel_missing", names=formatting.and_list(list(missing_labels), lang))
    return text
