"""Tiny project trees written into tmp_path, for tests that need real files."""

from __future__ import annotations

from pathlib import Path

CONFIG = """\
title:
  da: Statusrapporter
  en: Status reports
publisher: Nationalt Genom Center
languages: [da, en]
units:
  patients:
    label: {da: Patienter, en: Patients}
    definition: {da: "Unikke patienter henvist til WGS.", en: "Unique patients referred for WGS."}
  analyses:
    label: {da: WGS-analyser, en: WGS analyses}
    definition: {da: "Sekventerede prøver.", en: "Sequenced samples."}
  genome_equivalents:
    label: {da: Genomækvivalenter, en: Genome equivalents}
    definition: {da: "Vægtede analyser.", en: "Weighted analyses."}
    weights: {germline: 1, somatic: 3, rna: 1}
regions:
  hovedstaden: {name: Region Hovedstaden, population: 1911067}
  sjaelland: {name: Region Sjælland, population: 852953}
population_source: {da: "Danmarks Statistik", en: "Statistics Denmark"}
national_target: {genome_equivalents: 60000}
privacy:
  min_count: 5
"""

# Line numbers matter: the bad-input table asserts exact lines and columns.
HEART = """\
id: hjerte
category: rare
name:
  da: Arvelige hjertesygdomme
  en: Hereditary heart diseases
network: Netværket for arvelige hjertesygdomme
in_operation_since: 2024-01-15
example_data: true
edition:
  date: 2024-06-28
  status: approved
  changes: |
    Nye tal.
summary: |
  Et kort resumé.
indications:
  - code: HJ1
    title: Kardiomyopati
    criteria: |
      Børn og voksne med mistanke.
    expected_patients_per_year: 120
  - code: HJ2
    title: Arytmi
    criteria: Patienter med arytmi.
statistics:
  as_of: 2024-05-31
  source: NGC driftsdata
  monthly:
    - {month: 2024-01, region: hovedstaden, indication: HJ1, patients: 14, analyses: {germline: 22, somatic: 0, rna: 0}, diagnosed: 4}
    - {month: 2024-02, region: sjaelland, indication: HJ1, patients: 3, analyses: {germline: 7, somatic: 0, rna: 1}, diagnosed: 1}
    - {month: 2024-05, region: hovedstaden, indication: HJ2, patients: 9, analyses: {germline: 9, somatic: 0, rna: 0}, diagnosed: 2}
cases:
  - title: En familie får svar
    indication: HJ1
    impact: [diagnosis, family]
    text: |
      En dreng i skolealderen fik en diagnose.

      Familien blev tilbudt udredning.
perspectives: |
  Perspektiver.
"""

CANCER = """\
id: kraeft
category: cancer
name: {da: Kræft hos børn, en: Cancer in children}
network: Netværket for kræft hos børn
in_operation_since: 2024-03-01
edition: {date: 2024-06-28, status: approved}
summary: Resumé.
indications:
  - {code: KB1, title: Solide tumorer, criteria: Alle børn., expected_patients_per_year: 60}
statistics:
  as_of: 2024-05-31
  source: NGC driftsdata
  monthly:
    - {month: 2024-03, region: hovedstaden, indication: KB1, patients: 6, analyses: {germline: 6, somatic: 6, rna: 4}, diagnosed: 3}
    - {month: 2024-04, region: sjaelland, indication: KB1, patients: 2, analyses: {germline: 2, somatic: 2, rna: 1}, diagnosed: 1}
cases: []
perspectives: Perspektiver.
"""

CONSOLIDATED = """\
category: {category}
title: {{da: Samlet rapport {category}, en: Consolidated report {category}}}
edition: {{date: 2024-06-28, status: approved}}
summary: Samlet resumé.
sections:
  - title: Arbejdsgruppens bemærkninger
    text: Bemærkninger.
perspectives: Perspektiver.
"""


def write_project(root: Path, groups: dict[str, str] | None = None, config: str = CONFIG) -> Path:
    """Write a valid two-group project under `root` (groups may be replaced or added)."""
    files = {"reportgen.yaml": config}
    for name, text in (groups if groups is not None else {"hjerte": HEART, "kraeft": CANCER}).items():
        files[f"groups/{name}.yaml"] = text
    for category in ("rare", "cancer"):
        files[f"groups/consolidated/{category}.yaml"] = CONSOLIDATED.format(category=category)
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
