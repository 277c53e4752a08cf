"""The names of the reports' own headings and labels, for the templates (`t.key`).

Texts written by the networks live in the YAML files; unit definitions live
in reportgen.yaml. Everything else a page says is listed here by name, in
English; its translations are in the language catalogues (reportgen/locale,
see messages.py), so a new language needs a catalogue, not code.
"""

from __future__ import annotations

from .messages import N_, catalogue, languages

STRINGS: dict[str, str] = {
    "skip_to_content": N_("Skip to content"),
    "site_navigation": N_("Navigation"),
    "all_reports": N_("All reports"),
    "language_name": N_("English"),
    "example_banner": N_("Example data: the figures and patient cases in this report a"
        "re invented examples until real data replace them."),
    "example_watermark": N_("EXAMPLE DATA"),
    "draft_banner": N_("Draft: this edition is not approved and must not be published."),
    "draft_watermark": N_("DRAFT"),
    "footer_units": N_(
        "Every count states its unit: patients, WGS analyses or genome equivalents; see the footnotes."),
    "accessibility_statement": N_("Accessibility statement"),
    "page": N_("page"),
    "of": N_("of"),
    "status_report": N_("Status report"),
    "report_title_prefix": N_(
        "Status report: Experience with the national implementation of whole-genome sequencing for"),
    "network": N_("Specialist network"),
    "edition": N_("Edition"),
    "status": N_("Status"),
    "status_approved": N_("Approved"),
    "status_draft": N_("Draft"),
    "data_as_of": N_("Data up to"),
    "in_operation_since": N_("In operation since"),
    "publisher": N_("Publisher"),
    "contents": N_("Contents"),
    "summary": N_("Summary"),
    "key_figures": N_("Key figures"),
    "indications": N_("Indications"),
    "referral_criteria": N_("Referral criteria"),
    "expected_per_year": N_("Expected patients per year"),
    "statistics": N_("Operating statistics"),
    # the section on answers, turnaround and clinical effect
    "clinical_effect": N_("Clinical effect"),
    "answers_and_turnaround": N_("Answers and turnaround"),
    "answered": N_("Answered"),
    "answered_patients": N_("Answered patients"),
    "pending": N_("Pending"),
    "yield_on_answered": N_("Yield on answered"),
    "median_turnaround": N_("Median turnaround"),
    "within_target": N_("Answered within target"),
    "expected_yield": N_("Expected yield"),
    "observed_vs_expected": N_("Observed against expected"),
    "consequences": N_("Consequences for patients"),
    "consequence": N_("Consequence"),
    "followed_up": N_("Followed up"),
    "share_of_followed_up": N_("Share of followed up (95% interval)"),
    "relatives_tested": N_("Relatives tested"),
    "relatives_per_patient": N_("Relatives tested per patient with cascade testing"),
    "not_recorded": N_("not recorded"),
    "regional_equity": N_("Regional equity"),
    "funnel_rates_title": N_("Patients per 100,000 inhabitants per year against region size, latest 12 months"),
    "funnel_yields_title": N_("Yield on answered against answered patients, since the start"),
    "funnel_centre": N_("National level"),
    "funnel_limit_95": N_("95% limits"),
    "funnel_limit_998": N_("99.8% limits"),
    "funnel_verdict": N_("Position"),
    "inhabitants": N_("Inhabitants"),
    "regions_outside": N_("Regions outside the control limits"),
    "by_year": N_("By year"),
    "by_region": N_("By region"),
    "by_indication": N_("By indication"),
    "over_time": N_("Over time"),
    "regional_access": N_("Access across regions"),
    "diagnostic_yield": N_("Diagnostic yield"),
    "diagnostic_yield_ci": N_("Diagnostic yield (95% confidence interval)"),
    "cases": N_("Patient cases"),
    "perspectives": N_("Perspectives"),
    "changes": N_("Changes since the last edition"),
    "footnotes": N_("Notes"),
    "downloads": N_("Data and downloads"),
    "download_pdf": N_("The report as PDF"),
    "download_csv": N_("The figures as CSV"),
    "download_json": N_("The figures as JSON"),
    "download_summary": N_("All groups' figures as JSON"),
    "since_start": N_("Since start"),
    "latest_12_months": N_("Latest 12 months"),
    "measure": N_("Measure"),
    "year": N_("Year"),
    "month": N_("Month"),
    "region": N_("Region"),
    "indication": N_("Indication"),
    "group": N_("Patient group"),
    "category": N_("Category"),
    "total": N_("Total"),
    "germline": N_("Germline"),
    "somatic": N_("Somatic"),
    "rna": N_("RNA"),
    "of_which": N_("of which"),
    "diagnosed": N_("Patients with a clinically relevant finding"),
    "diagnosed_short": N_("With finding"),
    "yield_short": N_("Yield"),
    "ci": N_("95% CI"),
    "expected": N_("Expected"),
    "actual_vs_expected": N_("Actual/expected"),
    "per_100k_per_year": N_("Patients per 100,000 inhabitants per year"),
    "per_100k_short": N_("Per 100,000 per year"),
    "population": N_("Inhabitants"),
    "impact": N_("Impact"),
    "impact_diagnosis": N_("Diagnosis"),
    "impact_treatment": N_("Treatment"),
    "impact_family": N_("Family"),
    "impact_prevention": N_("Prevention"),
    "impact_prognosis": N_("Prognosis"),
    "chart_data": N_("Show the figures behind the chart"),
    "chart_monthly_title": N_("WGS analyses per month by sample type"),
    "chart_regions_title": N_("Patients per 100,000 inhabitants per year, latest 12 months"),
    "chart_groups_title": N_("WGS analyses since start by patient group and sample type"),
    "chart_yields_title": N_("Diagnostic yield since start with 95% confidence interval"),
    "chart_target_title": N_("Genome equivalents in total against the national target"),
    "target_line": N_("National target"),
    "projection": N_("Projection"),
    "categories": N_("Patient groups"),
    "category_rare": N_("Rare and hereditary diseases"),
    "category_cancer": N_("Cancer"),
    "consolidated_report": N_("Consolidated report"),
    "national": N_("National"),
    "national_target": N_("The national target"),
    "comparison": N_("Comparison of the patient groups"),
    "group_key_figures": N_("Key figures of each patient group"),
    "activity_by_region": N_("Activity by region"),
    "activity_by_year": N_("Activity by year"),
    "groups_with_new_edition": N_("Patient groups with a new edition"),
    "read_report": N_("Read the report"),
    "report_in_preparation": N_("A new edition of the report is in preparation."),
    "unit": N_("unit"),
    "texts_in_other_language": N_(
        "Some of the texts in this report are not yet available in English and are shown in their original language."),
    "group_cards_note": N_("Figures for each patient group since the start."),
    "language_fallback": N_("(only available in English)"),
    "no_cases": N_("There are no patient cases yet."),
    "no_rows": N_("There are no operating data yet."),
    "indication_code": N_("Code"),
    "figures_then_and_now": N_("The figures then and now"),
    "figures_then_and_now_caption": N_("Since start, at each edition's data cut-off"),
    "previous_edition": N_("Previous edition"),
    "this_edition": N_("This edition"),
    "new_edition": N_("New edition"),
    "indications_and_cases": N_("Indications and patient cases"),
    "indications_added": N_("Indications added"),
    "indications_removed": N_("Indications removed"),
    "cases_added": N_("Patient cases added"),
    "cases_removed": N_("Patient cases removed"),
    "no_list_changes": N_("The indications and patient cases are the same as in the previous edition."),
}


class Strings:
    """`t.key` in a template: the string in the page's language, in `fallback`'s if reportgen does
    not speak the page's language (and in English where a catalogue lacks a text)."""

    def __init__(self, lang: str, fallback: str | None = None):
        self.lang = lang
        self._catalogue = catalogue(lang if lang in languages() or fallback is None else fallback)

    def __getattr__(self, key: str) -> str:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            text = STRINGS[key]
        except KeyError:
            raise AttributeError(f"no UI string {key!r}") from None
        return self._catalogue.gettext(text)

    def __getitem__(self, key: str) -> str:
        return self.__getattr__(key)
