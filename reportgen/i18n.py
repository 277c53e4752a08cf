"""The wording of the reports' own headings and labels, in Danish and English.

Texts written by the networks live in the YAML files; unit definitions live
in reportgen.yaml. Everything else a page says is here, in one place.
"""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "skip_to_content": {"da": "Gå til indholdet", "en": "Skip to content"},
    "site_navigation": {"da": "Navigation", "en": "Navigation"},
    "all_reports": {"da": "Alle rapporter", "en": "All reports"},
    "language_name": {"da": "Dansk", "en": "English"},
    "example_banner": {
        "da": "Eksempeldata: Tallene og patientcases i denne rapport er opdigtede eksempler, "
              "indtil rigtige data erstatter dem.",
        "en": "Example data: the figures and patient cases in this report are invented examples "
              "until real data replace them.",
    },
    "example_watermark": {"da": "EKSEMPELDATA", "en": "EXAMPLE DATA"},
    "draft_banner": {
        "da": "Udkast: denne udgave er ikke godkendt og må ikke offentliggøres.",
        "en": "Draft: this edition is not approved and must not be published.",
    },
    "draft_watermark": {"da": "UDKAST", "en": "DRAFT"},
    "footer_units": {
        "da": "Alle antal angiver deres enhed: patienter, WGS-analyser eller genomækvivalenter; se fodnoterne.",
        "en": "Every count states its unit: patients, WGS analyses or genome equivalents; see the footnotes.",
    },
    "accessibility_statement": {"da": "Tilgængelighedserklæring", "en": "Accessibility statement"},
    "page": {"da": "side", "en": "page"},
    "of": {"da": "af", "en": "of"},
    "status_report": {"da": "Statusrapport", "en": "Status report"},
    "report_title_prefix": {
        "da": "Statusrapport: Erfaringer med national implementering af helgenomsekventering for",
        "en": "Status report: Experience with the national implementation of whole-genome sequencing for",
    },
    "network": {"da": "Specialistnetværk", "en": "Specialist network"},
    "edition": {"da": "Udgave", "en": "Edition"},
    "status": {"da": "Status", "en": "Status"},
    "status_approved": {"da": "Godkendt", "en": "Approved"},
    "status_draft": {"da": "Udkast", "en": "Draft"},
    "data_as_of": {"da": "Data til og med", "en": "Data up to"},
    "in_operation_since": {"da": "I drift siden", "en": "In operation since"},
    "publisher": {"da": "Udgiver", "en": "Publisher"},
    "contents": {"da": "Indhold", "en": "Contents"},
    "summary": {"da": "Resumé", "en": "Summary"},
    "key_figures": {"da": "Nøgletal", "en": "Key figures"},
    "indications": {"da": "Indikationer", "en": "Indications"},
    "referral_criteria": {"da": "Henvisningskriterier", "en": "Referral criteria"},
    "expected_per_year": {"da": "Forventet antal patienter pr. år", "en": "Expected patients per year"},
    "statistics": {"da": "Driftsstatistik", "en": "Operating statistics"},
    "by_year": {"da": "Fordelt på år", "en": "By year"},
    "by_region": {"da": "Fordelt på region", "en": "By region"},
    "by_indication": {"da": "Fordelt på indikation", "en": "By indication"},
    "over_time": {"da": "Udvikling over tid", "en": "Over time"},
    "regional_access": {"da": "Adgang på tværs af regioner", "en": "Access across regions"},
    "diagnostic_yield": {"da": "Diagnostisk udbytte", "en": "Diagnostic yield"},
    "diagnostic_yield_ci": {"da": "Diagnostisk udbytte (95 %-konfidensinterval)",
                            "en": "Diagnostic yield (95% confidence interval)"},
    "cases": {"da": "Patientcases", "en": "Patient cases"},
    "perspectives": {"da": "Perspektiver", "en": "Perspectives"},
    "changes": {"da": "Ændringer siden sidste udgave", "en": "Changes since the last edition"},
    "footnotes": {"da": "Fodnoter", "en": "Notes"},
    "downloads": {"da": "Data og downloads", "en": "Data and downloads"},
    "download_pdf": {"da": "Rapporten som PDF", "en": "The report as PDF"},
    "download_csv": {"da": "Tallene som CSV", "en": "The figures as CSV"},
    "download_json": {"da": "Tallene som JSON", "en": "The figures as JSON"},
    "download_summary": {"da": "Alle gruppers tal som JSON", "en": "All groups' figures as JSON"},
    "since_start": {"da": "Siden start", "en": "Since start"},
    "latest_12_months": {"da": "Seneste 12 måneder", "en": "Latest 12 months"},
    "measure": {"da": "Opgørelse", "en": "Measure"},
    "year": {"da": "År", "en": "Year"},
    "month": {"da": "Måned", "en": "Month"},
    "region": {"da": "Region", "en": "Region"},
    "indication": {"da": "Indikation", "en": "Indication"},
    "group": {"da": "Patientgruppe", "en": "Patient group"},
    "category": {"da": "Kategori", "en": "Category"},
    "total": {"da": "I alt", "en": "Total"},
    "germline": {"da": "Germline", "en": "Germline"},
    "somatic": {"da": "Somatisk", "en": "Somatic"},
    "rna": {"da": "RNA", "en": "RNA"},
    "of_which": {"da": "heraf", "en": "of which"},
    "diagnosed": {"da": "Patienter med klinisk relevant fund", "en": "Patients with a clinically relevant finding"},
    "diagnosed_short": {"da": "Med fund", "en": "With finding"},
    "yield_short": {"da": "Udbytte", "en": "Yield"},
    "ci": {"da": "95 %-KI", "en": "95% CI"},
    "expected": {"da": "Forventet", "en": "Expected"},
    "actual_vs_expected": {"da": "Faktisk/forventet", "en": "Actual/expected"},
    "per_100k_per_year": {"da": "Patienter pr. 100.000 indbyggere pr. år",
                          "en": "Patients per 100,000 inhabitants per year"},
    "per_100k_short": {"da": "Pr. 100.000 pr. år", "en": "Per 100,000 per year"},
    "population": {"da": "Indbyggere", "en": "Inhabitants"},
    "impact": {"da": "Betydning", "en": "Impact"},
    "impact_diagnosis": {"da": "Diagnose", "en": "Diagnosis"},
    "impact_treatment": {"da": "Behandling", "en": "Treatment"},
    "impact_family": {"da": "Familie", "en": "Family"},
    "impact_prevention": {"da": "Forebyggelse", "en": "Prevention"},
    "impact_prognosis": {"da": "Prognose", "en": "Prognosis"},
    "chart_data": {"da": "Vis tallene bag figuren", "en": "Show the figures behind the chart"},
    "chart_monthly_title": {"da": "WGS-analyser pr. måned fordelt på prøvetype",
                            "en": "WGS analyses per month by sample type"},
    "chart_regions_title": {"da": "Patienter pr. 100.000 indbyggere pr. år, seneste 12 måneder",
                            "en": "Patients per 100,000 inhabitants per year, latest 12 months"},
    "chart_groups_title": {"da": "WGS-analyser siden start fordelt på patientgruppe og prøvetype",
                           "en": "WGS analyses since start by patient group and sample type"},
    "chart_yields_title": {"da": "Diagnostisk udbytte siden start med 95 %-konfidensinterval",
                           "en": "Diagnostic yield since start with 95% confidence interval"},
    "chart_target_title": {"da": "Genomækvivalenter i alt mod det nationale mål",
                           "en": "Genome equivalents in total against the national target"},
    "target_line": {"da": "Nationalt mål", "en": "National target"},
    "projection": {"da": "Fremskrivning", "en": "Projection"},
    "categories": {"da": "Patientgrupper", "en": "Patient groups"},
    "category_rare": {"da": "Sjældne og arvelige sygdomme", "en": "Rare and hereditary diseases"},
    "category_cancer": {"da": "Kræft", "en": "Cancer"},
    "consolidated_report": {"da": "Samlet rapport", "en": "Consolidated report"},
    "national": {"da": "Hele landet", "en": "National"},
    "national_target": {"da": "Det nationale mål", "en": "The national target"},
    "comparison": {"da": "Sammenligning af patientgrupperne", "en": "Comparison of the patient groups"},
    "group_key_figures": {"da": "Nøgletal for hver patientgruppe", "en": "Key figures of each patient group"},
    "activity_by_region": {"da": "Aktivitet fordelt på region", "en": "Activity by region"},
    "activity_by_year": {"da": "Aktivitet fordelt på år", "en": "Activity by year"},
    "groups_with_new_edition": {"da": "Patientgrupper med ny udgave", "en": "Patient groups with a new edition"},
    "read_report": {"da": "Læs rapporten", "en": "Read the report"},
    "report_in_preparation": {"da": "Ny udgave af rapporten er under udarbejdelse.",
                              "en": "A new edition of the report is in preparation."},
    "unit": {"da": "enhed", "en": "unit"},
    "texts_in_other_language": {
        "da": "Nogle af teksterne i denne rapport findes endnu ikke på dansk og vises på originalsproget.",
        "en": "Some of the texts in this report are not yet available in English and are shown in their "
              "original language.",
    },
    "group_cards_note": {"da": "Tal for hver patientgruppe siden start.",
                         "en": "Figures for each patient group since the start."},
    "language_fallback": {"da": "(findes kun på dansk)", "en": "(only available in English)"},
    "no_cases": {"da": "Der er endnu ingen patientcases.", "en": "There are no patient cases yet."},
    "no_rows": {"da": "Der er endnu ingen driftsdata.", "en": "There are no operating data yet."},
    "indication_code": {"da": "Kode", "en": "Code"},
    # The changes since the last edition (templates/edition_changes.html, new_editions.html).
    "figures_then_and_now": {"da": "Tallene ved forrige og denne udgave", "en": "The figures then and now"},
    "figures_then_and_now_caption": {"da": "Siden start, ved hver udgaves dataopgørelse",
                                     "en": "Since start, at each edition's data cut-off"},
    "previous_edition": {"da": "Forrige udgave", "en": "Previous edition"},
    "this_edition": {"da": "Denne udgave", "en": "This edition"},
    "new_edition": {"da": "Ny udgave", "en": "New edition"},
    "indications_and_cases": {"da": "Indikationer og patientcases", "en": "Indications and patient cases"},
    "indications_added": {"da": "Nye indikationer", "en": "Indications added"},
    "indications_removed": {"da": "Udgåede indikationer", "en": "Indications removed"},
    "cases_added": {"da": "Nye patientcases", "en": "Patient cases added"},
    "cases_removed": {"da": "Udgåede patientcases", "en": "Patient cases removed"},
    "no_list_changes": {"da": "Indikationerne og patientcasene er de samme som i forrige udgave.",
                        "en": "The indications and patient cases are the same as in the previous edition."},
}


class Strings:
    """`t.key` in a template: the string in the page's language, the default language as fallback."""

    def __init__(self, lang: str, fallback: str = "da"):
        self.lang = lang
        self.fallback = fallback

    def __getattr__(self, key: str) -> str:
        try:
            entry = STRINGS[key]
        except KeyError:
            raise AttributeError(f"no UI string {key!r}") from None
        return entry.get(self.lang) or entry[self.fallback]

    def __getitem__(self, key: str) -> str:
        return self.__getattr__(key)
