"""Open data: the published figures as JSON and CSV, next to the website.

Per group ``data/<group-id>.json`` and ``data/<group-id>.csv``, and
``data/summary.json`` for all groups, both categories and the nation. They
hold exactly the suppressed figures the reports show (from
`reportgen.suppression`), name the unit in every key, and carry the data
cut-off, the unit definitions and whether the figures are example data.

A hidden person count appears as its marker text ("<5" or "x"), as in the
reports, and a rounded headline figure as "≈" and its rounded value (a
string, so that no one reads it as exact); a figure that does not exist (the yield of 0 patients) as null in
JSON and an empty field in CSV. Monthly entries carry analyses and genome
equivalents only.

Output is deterministic: sorted keys in JSON, a fixed column and row order
in CSV, UTF-8 without ASCII escapes, a trailing newline.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping

from reportgen.footnotes import note_text
from reportgen.model import SAMPLE_TYPES, UNIT_KEYS, Analyses, Config, Group, Project, Text
from reportgen.suppression import (
    ROUNDED_MARKER,
    SECONDARY_MARKER,
    Published,
    PublishedAggregateWindow,
    PublishedCategory,
    PublishedCounts,
    PublishedGroup,
    PublishedNational,
    PublishedProject,
    PublishedAggregateOutcomes,
    PublishedAnswers,
    PublishedEffects,
    PublishedGroupOutcomes,
    PublishedWindow,
    Status,
    primary_marker,
    publish_project,
)

DATA_DIR = "data"
SUMMARY_FILE = "summary.json"
FORMAT_VERSION = 1

# Decimals kept in the files; reports round further for display.
YIELD_DECIMALS = 4
RATE_DECIMALS = 2
EXPECTED_DECIMALS = 1
MONTHS_DECIMALS = 2

CSV_COLUMNS = (
    "group_id",
    "as_of",
    "example_data",
    "period",
    "breakdown",
    "key",
    "patients",
    "diagnosed",
    "analyses",
    *(f"analyses_{t}" for t in SAMPLE_TYPES),
    "genome_equivalents",
    "diagnostic_yield",
    "diagnostic_yield_ci95_low",
    "diagnostic_yield_ci95_high",
    "patients_per_100k_inhabitants",
    "patients_per_100k_inhabitants_per_year",
    "expected_patients",
    "patients_vs_expected",
)
# Answers and turnaround: on the since-start rows of the CSV.
ANSWER_COLUMNS = (
    "answered_patients",
    "pending_patients",
    "answers_not_recorded_patients",
    "diagnosed_among_answered_patients",
    "yield_on_answered",
    "yield_on_answered_ci95_low",
    "yield_on_answered_ci95_high",
    "turnaround_median_bin_days",
    "answered_within_target_share",
    "expected_yield",
)


def _answers(a: PublishedAnswers) -> dict:
    """Answers and turnaround of one place; every key names its unit (patients, a share, days)."""
    y = a.yield_on_answered
    return {
        "answered_patients": published_value(a.answered),
        "pending_patients": published_value(a.pending),
        "answers_not_recorded_patients": published_value(a.unrecorded),
        "diagnosed_among_answered_patients": published_value(a.diagnosed_answered),
        "answers_recorded_share": published_value(a.recorded_share, YIELD_DECIMALS),
        "yield_on_answered": published_value(y.proportion, YIELD_DECIMALS),
        "yield_on_answered_ci95_low": published_value(y.ci_low, YIELD_DECIMALS),
        "yield_on_answered_ci95_high": published_value(y.ci_high, YIELD_DECIMALS),
        "turnaround_median_bin_days": published_value(a.median_bin),
        "answered_within_target_share": published_value(a.share_within_target, YIELD_DECIMALS),
    }


def _effects(e: PublishedEffects | None) -> dict | None:
    """Clinical effect of one place: followed-up patients, each consequence (patients and share of the
    followed up, with a 95 % interval), relatives tested (relatives)."""
    if e is None:
        return None
    doc = {"followed_up_patients": published_value(e.followed_up), "entries": e.entries,
           "relatives_tested_relatives": published_value(e.relatives_tested),
           "relatives_tested_per_cascade_testing_patient": published_value(e.relatives_per_cascade_patient,
                                                                           RATE_DECIMALS)}
    for c in e.consequences:
        doc[f"{c.key}_patients"] = published_value(c.count)
        doc[f"{c.key}_share_of_followed_up"] = published_value(c.share.proportion, YIELD_DECIMALS)
        doc[f"{c.key}_share_of_followed_up_ci95_low"] = published_value(c.share.ci_low, YIELD_DECIMALS)
        doc[f"{c.key}_share_of_followed_up_ci95_high"] = published_value(c.share.ci_high, YIELD_DECIMALS)
    return doc


def _turnaround(config: Config, category: str | None) -> dict | None:
    t = config.turnaround
    if t is None:
        return None
    return {"bins_days": list(t.bins_days), "target_days": t.target_days.get(category) if category else None}


def _group_outcomes(o: PublishedGroupOutcomes | None, config: Config, category: str) -> dict | None:
    if o is None:
        return None
    return {
        "turnaround": _turnaround(config, category),
        "answers_since_start": {
            "total": _answers(o.answers),
            "by_year": [{"year": y, **_answers(a)} for y, a in o.by_year],
            "by_region": [{"region": r, **_answers(a)} for r, a in o.by_region],
            "by_indication": [{"indication": i.code, **_answers(i.answers), "expected_yield": i.expected_yield}
                              for i in o.by_indication],
        },
        "effects": None if o.effects is None else {
            "total": _effects(o.effects),
            "years": list(o.effect_years),
            "diagnosed_in_years_with_effects_patients": published_value(o.diagnosed_in_effect_years),
        },
    }


def _aggregate_outcomes(o: PublishedAggregateOutcomes | None, config: Config, part_key: str,
                        category: str | None) -> dict | None:
    if o is None:
        return None
    return {
        "turnaround": _turnaround(config, category),
        "answers_since_start": _answers(o.answers),
        "effects": _effects(o.effects),
        "by_" + part_key.removesuffix("_id"): [
            {part_key: key, "answers_since_start": _answers(a), "effects": _effects(e)} for key, a, e in o.parts],
    }


def published_value(figure: Published, decimals: int | None = None) -> int | float | str | None:
    """A published figure for open data: its value, its marker ("<5", "x"), or None if it does not exist."""
    if figure.status is Status.UNDEFINED:
        return None
    if figure.value is None:
        return figure.marker
    if figure.is_rounded:  # "≈2670": rounded to privacy.rounding_base (a share: computed from rounded counts)
        return f"{figure.marker}{_rounded(figure.value, decimals)}"
    return _rounded(figure.value, decimals)


def _rounded(value, decimals: int | None):
    if value is None or decimals is None or isinstance(value, int):
        return value
    return round(value, decimals)


def _analyses(analyses: Analyses) -> dict:
    return {"analyses": analyses.total, **{f"analyses_{t}": n for t, n in analyses.by_type().items()}}


def _counts(counts: PublishedCounts) -> dict:
    y = counts.diagnostic_yield
    return {
        "patients": published_value(counts.patients),
        "diagnosed": published_value(counts.diagnosed),
        **_analyses(counts.analyses),
        "genome_equivalents": counts.genome_equivalents,
        "diagnostic_yield": published_value(y.proportion, YIELD_DECIMALS),
        "diagnostic_yield_ci95_low": published_value(y.ci_low, YIELD_DECIMALS),
        "diagnostic_yield_ci95_high": published_value(y.ci_high, YIELD_DECIMALS),
    }


def _text(text: Text) -> dict[str, str]:
    return dict(text.by_lang)


def _units(config: Config) -> dict:
    units = {}
    for key in (*UNIT_KEYS, *(k for k in ("relatives",) if k in config.units)):
        unit = config.units[key]
        units[key] = {"label": _text(unit.label), "definition": _text(unit.definition)}
    units["genome_equivalents"]["weights"] = dict(config.weights)
    return units


def _suppression(config: Config) -> dict:
    return {
        "min_count": config.min_count,
        "primary_marker": primary_marker(config.min_count),
        "secondary_marker": SECONDARY_MARKER,
        "rounded_marker": ROUNDED_MARKER,
        "rounding_base": config.rounding_base,
        "explanation": {lang: note_text("suppression", config, lang)[0] for lang in config.languages},
        "rounded_explanation": {lang: note_text("rounded", config, lang)[0] for lang in config.languages},
    }


def _monthly(series) -> list[dict]:
    return [
        {"month": str(m.month), **_analyses(m.analyses), "genome_equivalents": m.genome_equivalents} for m in series
    ]


def _month(month) -> str | None:
    return None if month is None else str(month)


def _group_window(window: PublishedWindow, group: Group, config: Config) -> dict:
    doc = {
        "first_month": _month(window.first_month),
        "last_month": _month(window.last_month),
        "months_in_operation": _rounded(window.months_in_operation, MONTHS_DECIMALS),
        "total": _counts(window.total),
        "by_region": [
            {
                "region": r.region,
                "region_name": config.regions[r.region].name,
                "population": r.population,
                **_counts(r.counts),
                "patients_per_100k_inhabitants": published_value(r.patients_per_100k, RATE_DECIMALS),
                "patients_per_100k_inhabitants_per_year": published_value(r.patients_per_100k_per_year, RATE_DECIMALS),
            }
            for r in window.by_region
        ],
        "by_indication": [
            {
                "indication": i.code,
                "indication_title": _text(group.indication(i.code).title),
                **_counts(i.counts),
                "expected_patients": _rounded(i.expected_patients, EXPECTED_DECIMALS),
                "patients_vs_expected": published_value(i.patients_vs_expected, YIELD_DECIMALS),
            }
            for i in window.by_indication
        ],
    }
    if window.by_year:
        doc["by_year"] = [{"year": y.year, **_counts(y.counts)} for y in window.by_year]
    return doc


def group_document(group: Group, published: PublishedGroup, config: Config,
                   outcomes: PublishedGroupOutcomes | None = None) -> dict:
    """The open-data document of one group (to be written as JSON)."""
    return {
        "clinical_effect": _group_outcomes(outcomes, config, group.category),
        "format_version": FORMAT_VERSION,
        "group_id": group.id,
        "category": group.category,
        "name": _text(group.name),
        "network": group.network,
        "in_operation_since": group.in_operation_since.isoformat(),
        "as_of": published.as_of.isoformat(),
        "source": group.statistics.source,
        "example_data": group.example_data,
        "units": _units(config),
        "suppression": _suppression(config),
        "since_start": _group_window(published.since_start, group, config),
        "latest_12_months": _group_window(published.latest_12_months, group, config),
        "monthly": _monthly(published.monthly),
    }


def _csv_number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def group_csv(group: Group, published: PublishedGroup, config: Config,
              outcomes: PublishedGroupOutcomes | None = None) -> str:
    """The open-data table of one group: one row per period and breakdown cell, then the monthly series.

    With `outcomes`, the since-start rows carry the answers and turnaround, and rows of breakdown
    `effects` (key empty: the effects years together, as the report shows them) carries the clinical effect.
    """
    doc = group_document(group, published, config, outcomes)
    clinical = doc["clinical_effect"]
    answers = clinical["answers_since_start"] if clinical else None
    effect_columns = ["followed_up_patients", *(f"{k}_patients" for k in config.effects),
                      *(["relatives_tested_relatives"] if "relatives" in config.units else [])]
    # The columns of what the group records: a group without answers or effects keeps the plain table.
    records_answers = outcomes is not None and outcomes.answers.records
    columns = (CSV_COLUMNS + (ANSWER_COLUMNS if records_answers else ())
               + (tuple(effect_columns) if outcomes is not None and outcomes.effects is not None else ()))
    rows: list[dict] = []
    base = {"group_id": group.id, "as_of": doc["as_of"], "example_data": group.example_data}
    for period in ("since_start", "latest_12_months"):
        window = doc[period]
        extra = answers["total"] if answers and period == "since_start" else {}
        rows.append({**base, "period": period, "breakdown": "total", "key": "", **window["total"], **extra})
        for breakdown, entries, key in (
            ("year", window.get("by_year", []), "year"),
            ("region", window["by_region"], "region"),
            ("indication", window["by_indication"], "indication"),
        ):
            found = {e[key]: e for e in answers[f"by_{breakdown}"]} if answers and period == "since_start" else {}
            for entry in entries:
                rows.append({**base, "period": period, "breakdown": breakdown, "key": entry[key], **entry,
                             **found.get(entry[key], {})})
    if clinical and clinical["effects"]:
        effects = clinical["effects"]
        rows.append({**base, "period": "since_start", "breakdown": "effects", "key": "", **effects["total"]})
    for entry in doc["monthly"]:
        rows.append({**base, "period": "since_start", "breakdown": "month", "key": entry["month"], **entry})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: _csv_number(row.get(column)) for column in columns})
    return out.getvalue()


def _aggregate_window(window: PublishedAggregateWindow, parts: str, part_key: str) -> dict:
    return {
        "first_month": _month(window.first_month),
        "last_month": _month(window.last_month),
        "total": _counts(window.total),
        parts: [{part_key: p.key, **_counts(p.counts)} for p in window.parts],
        "by_region": [
            {"region": region, **_analyses(a.analyses), "genome_equivalents": a.genome_equivalents}
            for region, a in window.by_region
        ],
        "by_year": [
            {"year": year, **_analyses(a.analyses), "genome_equivalents": a.genome_equivalents}
            for year, a in window.by_year
        ],
    }


def _date(day) -> str | None:
    return None if day is None else day.isoformat()


def _category(category: PublishedCategory) -> dict:
    return {
        "category": category.category,
        "as_of": _date(category.as_of),
        "as_of_earliest": _date(category.as_of_earliest),
        "since_start": _aggregate_window(category.since_start, "by_group", "group_id"),
        "latest_12_months": _aggregate_window(category.latest_12_months, "by_group", "group_id"),
        "monthly": _monthly(category.monthly),
    }


def _national(national: PublishedNational) -> dict:
    t = national.target
    return {
        "as_of": _date(national.as_of),
        "as_of_earliest": _date(national.as_of_earliest),
        "since_start": _aggregate_window(national.since_start, "by_category", "category"),
        "latest_12_months": _aggregate_window(national.latest_12_months, "by_category", "category"),
        "monthly": _monthly(national.monthly),
        "target": {
            "genome_equivalents_target": t.target,
            "genome_equivalents": t.genome_equivalents,
            "genome_equivalents_remaining": t.remaining,
            "genome_equivalents_share_of_target": round(t.share_of_target, YIELD_DECIMALS),
            "genome_equivalents_per_month_latest_12_months": round(t.per_month, RATE_DECIMALS),
            "genome_equivalents_target_already_reached": t.already_reached,
            "genome_equivalents_target_reached_month": _month(t.reached_in),
        },
    }


def summary_document(project: Project, published: PublishedProject) -> dict:
    """The open-data summary: every group's totals, both categories and the nation."""
    config = project.config
    groups = []
    for group in project.groups:
        pg = published.group(group.id)
        groups.append(
            {
                "group_id": group.id,
                "category": group.category,
                "name": _text(group.name),
                "as_of": pg.as_of.isoformat(),
                "example_data": group.example_data,
                "since_start": _counts(pg.since_start.total),
                "latest_12_months": _counts(pg.latest_12_months.total),
                **({"clinical_effect": {
                    "answers_since_start": _answers(published.outcomes.group(group.id).answers),
                    "effects": _effects(published.outcomes.group(group.id).effects)}}
                   if published.outcomes else {}),
            }
        )
    return {
        "format_version": FORMAT_VERSION,
        "as_of": _date(published.national.as_of),
        "as_of_earliest": _date(published.national.as_of_earliest),
        "example_data": any(g.example_data for g in project.groups),
        "units": _units(config),
        "suppression": _suppression(config),
        "groups": groups,
        "categories": {c.category: _category(c) for c in published.categories},
        "national": _national(published.national),
        **({"clinical_effect": {
            "categories": {c.category: _aggregate_outcomes(published.outcomes.category(c.category), config,
                                                           "group_id", c.category)
                           for c in published.categories},
            "national": _aggregate_outcomes(published.outcomes.national, config, "category", None),
        }} if published.outcomes else {}),
    }


def to_json(document: Mapping) -> str:
    """Deterministic JSON text: sorted keys, UTF-8 characters as they are, a trailing newline."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2, allow_nan=False) + "\n"


def open_data_files(
    project: Project, published: PublishedProject | None = None, *, groups: Iterable[str] | None = None
) -> dict[str, str]:
    """Relative path -> text of every open-data file.

    `groups` limits the per-group files (e.g. to approved groups); the
    summary always holds all groups, as the consolidated reports do.
    """
    if published is None:
        published = publish_project(project)
    if published.unsafe_raw:
        raise ValueError("open data is public: build it from figures published without unsafe_raw")
    wanted = None if groups is None else set(groups)
    files: dict[str, str] = {}
    for group in project.groups:
        if wanted is not None and group.id not in wanted:
            continue
        pg = published.group(group.id)
        outcomes = published.outcomes.group(group.id) if published.outcomes else None
        files[f"{DATA_DIR}/{group.id}.json"] = to_json(group_document(group, pg, project.config, outcomes))
        files[f"{DATA_DIR}/{group.id}.csv"] = group_csv(group, pg, project.config, outcomes)
    files[f"{DATA_DIR}/{SUMMARY_FILE}"] = to_json(summary_document(project, published))
    return files
