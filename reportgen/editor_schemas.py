"""The JSON Schemas written for editors, completed with the project's own words.

The declarations give the shape of every file (`loader.schema_documents`).
An editor can check more than the shape when the schema also lists what the
project allows: the region keys of reportgen.yaml, and each group's
indication codes. `reportgen schema` writes these documents. Their titles
and descriptions, which editors show on hover, are in the project's first
language: the declarations' English texts, translated here for Danish.

JSON Schema cannot say "one of the codes listed earlier in this file", so
each group's codes are given under a condition that names the group (its
`id`) and its indication codes: the codes are checked while the file's
indications are those the schema was written from. A code added since then
turns that condition off, so the editor never underlines a code the checks
accept; `reportgen check` still reports every wrong code.
"""

from __future__ import annotations

import re

from . import model as m
from .declarations import schema_documents


def project_schema_documents(project: m.Project) -> dict[str, dict]:
    """JSON Schemas (draft 2020-12) for each kind of input file of `project`, whose titles and
    descriptions (the editor's hover help) are in the project's first language."""
    documents = schema_documents()
    if project.config.default_language == "da":
        documents = _translated(documents, DANISH)
    group = documents["group"]
    row = group["properties"]["statistics"]["properties"]["monthly"]["items"]
    row["properties"]["region"]["enum"] = list(project.config.regions)
    if project.config.turnaround is not None:  # the bins of reportgen.yaml, for completion
        bins = row["properties"]["answered_within_days"]
        count = next(iter(bins.pop("patternProperties").values()))
        bins["properties"] = {k: count for k in project.config.turnaround.bin_keys}
        bins["required"] = list(project.config.turnaround.bin_keys)
    if project.config.effects:  # the consequences of reportgen.yaml, for completion
        entry = group["properties"]["effects"]["items"]
        count = entry.pop("additionalProperties")
        entry["properties"].update({k: count for k in project.config.effects})
        entry["required"] = [*entry["required"], *project.config.effects]
        entry["additionalProperties"] = False
    conditions = [_codes_of(g) for g in sorted(project.groups, key=lambda g: g.id)]
    if conditions:
        group["allOf"] = conditions
    return documents


def _codes_of(group: m.Group) -> dict:
    codes = [indication.code for indication in group.indications]
    one_of_them = {"enum": codes}
    any_of_them = {"pattern": f"^({'|'.join(map(_literal, codes))})$"}
    # The condition matches with patterns, not enum or const: editors show the values of every schema
    # that matches a field as its allowed values, and the other groups' ids and codes are not.
    return {
        "if": {
            "required": ["id", "indications"],
            "properties": {
                "id": {"pattern": f"^{_literal(group.id)}$"},
                "indications": {"items": {"properties": {"code": any_of_them}}},
            },
        },
        "then": {
            "properties": {
                "statistics": {"properties": {"monthly": {"items": {"properties": {"indication": one_of_them}}}}},
                "cases": {"items": {"properties": {"indication": one_of_them}}},
            },
        },
    }


def _literal(word: str) -> str:
    """`word` as a regular expression; ids and codes hold letters, digits and hyphens only, none special."""
    assert re.fullmatch(r"[\w-]+", word), word
    return word


def _translated(node, words: dict[str, str]):
    """`node` with every title and description replaced by its translation in `words`."""
    if isinstance(node, dict):
        return {key: words.get(value, value) if key in ("title", "description") and isinstance(value, str)
                else _translated(value, words) for key, value in node.items()}
    if isinstance(node, list):
        return [_translated(item, words) for item in node]
    return node


# The declarations' help texts (English, as in loader.py) in Danish, for clinicians' editors.
# A test holds that every title and description of the written schemas is here.
DANISH = {
    # the files
    "reportgen group file": "Gruppefil til reportgen: en patientgruppes statusrapport",
    "reportgen consolidated report texts": "Teksterne til en samlet rapport (reportgen)",
    "reportgen project settings": "Projektets indstillinger (reportgen.yaml)",
    "A patient group's status report.": "En patientgruppes statusrapport.",
    "The texts of a consolidated report.": "Teksterne til en samlet rapport.",
    "Project settings.": "Projektets indstillinger.",
    # texts
    "text in the default language": "tekst på standardsproget (det første sprog i reportgen.yaml)",
    "text per language (da, en)": "tekst pr. sprog (da: dansk, en: engelsk)",
    "Markdown text in the default language":
        "Markdown-tekst på standardsproget (det første sprog i reportgen.yaml)",
    "Markdown text per language (da, en)": "Markdown-tekst pr. sprog (da: dansk, en: engelsk)",
    # a group file
    "Equals the file name without .yaml.": "Samme som filens navn uden .yaml.",
    "rare or cancer.": "rare (sjældne og arvelige sygdomme) eller cancer (kræft).",
    "The group's name in every language.": "Gruppens navn på hvert sprog.",
    "The national specialist network writing the report.": "Det nationale specialistnetværk, der skriver rapporten.",
    "The date WGS was first offered to the group.":
        "Datoen, hvor gruppen første gang fik tilbudt helgenomsekventering (ÅÅÅÅ-MM-DD).",
    "true while statistics and cases are examples, not real data.":
        "true, så længe statistik og patientcases er eksempler og ikke rigtige data.",
    "The date of this edition of the report.": "Datoen for denne udgave af rapporten (ÅÅÅÅ-MM-DD).",
    "draft or approved; drafts are never published.":
        "draft (udkast) eller approved (godkendt); udkast offentliggøres aldrig.",
    "What changed since the last edition (Markdown).": "Hvad der er ændret siden sidste udgave (Markdown).",
    "The edition of the report: its date, status and what changed.":
        "Rapportens udgave: dato, status og hvad der er ændret.",
    "Summary (Markdown).": "Resumé (Markdown).",
    "A short code, e.g. HJ1.": "En kort kode af store bogstaver og cifre, fx HJ1.",
    "The indication's title.": "Indikationens titel.",
    "Who may be referred (Markdown).": "Hvem der kan henvises: henvisningskriterierne (Markdown).",
    "Expected patients per year.": "Forventet antal patienter pr. år (et helt tal).",
    "An indication: who may be referred for WGS.": "En indikation: hvem der kan henvises til helgenomsekventering.",
    "The indications.": "Indikationerne; mindst én.",
    "Data cut-off: the last day the statistics cover.": "Opgørelsesdato: den sidste dag, statistikken dækker.",
    "Where the figures come from.": "Hvor tallene kommer fra.",
    "The month, YYYY-MM.": "Måneden, skrevet ÅÅÅÅ-MM.",
    "The region key from reportgen.yaml, e.g. hovedstaden.": "Regionens nøgle fra reportgen.yaml, fx hovedstaden.",
    "The code of one of the group's indications.": "Koden for en af gruppens indikationer.",
    "Unique patients (probands) referred for WGS this month.":
        "Unikke patienter (probander) henvist til helgenomsekventering i måneden.",
    "Number of germline samples sequenced (WGS analyses).": "Antal sekventerede germline-prøver (WGS-analyser).",
    "Number of somatic samples sequenced (WGS analyses).":
        "Antal sekventerede somatiske prøver (tumorprøver; WGS-analyser).",
    "Number of rna samples sequenced (WGS analyses).": "Antal sekventerede RNA-prøver (WGS-analyser).",
    "WGS analyses by sample type: germline, somatic, rna.":
        "WGS-analyser fordelt på prøvetype: germline, somatic, rna.",
    "Patients with a clinically relevant finding.": "Patienter med et klinisk relevant fund.",
    "Counts for one month, region and indication.": "Antal for én måned, én region og én indikation.",
    "One row per month, region and indication.": "Én række pr. måned, region og indikation.",
    "Operating statistics.": "Driftsstatistik; udfyldes af Nationalt Genom Center.",
    "The case's title.": "Patientcasens titel.",
    "The code of the indication this case falls under.": "Koden for den indikation, casen hører under.",
    "What the result changed.":
        "Hvad svaret ændrede: diagnosis (diagnose), treatment (behandling), family (familien), "
        "prevention (forebyggelse), prognosis (prognose).",
    "The anonymised case (Markdown): no names, CPR numbers or dates of birth.":
        "Den anonymiserede case (Markdown): ingen navne, CPR-numre eller fødselsdatoer.",
    "An anonymised patient case.": "En anonymiseret patientcase.",
    "Anonymised patient cases.": "Anonymiserede patientcases.",
    "Perspectives (Markdown).": "Perspektiver (Markdown).",
    "The exact text that looks like an identifier but is not one.":
        "Den præcise tekst, der ligner et CPR-nummer, men ikke er et.",
    "Why this text is not a person's identifier.": "Hvorfor teksten ikke er en persons CPR-nummer.",
    "Text shaped like a CPR number that is known not to be one.":
        "En tekst formet som et CPR-nummer, som vides ikke at være et.",
    "Texts that look like CPR numbers but are not.": "Tekster, der ligner CPR-numre, men ikke er det.",
    # a consolidated report
    "rare or cancer; equals the file name.":
        "rare (sjældne og arvelige sygdomme) eller cancer (kræft); samme som filens navn.",
    "The report's title.": "Rapportens titel.",
    "Summary (Markdown); figures are computed, never typed.":
        "Resumé (Markdown); tallene beregnes, de skrives aldrig ind.",
    "The section's heading.": "Afsnittets overskrift.",
    "The section's text (Markdown).": "Afsnittets tekst (Markdown).",
    "A section of text.": "Et tekstafsnit.",
    "Sections of text.": "Tekstafsnit.",
    # reportgen.yaml
    "The title of the report series.": "Titlen på rapportserien.",
    "Who publishes the reports.": "Hvem der udgiver rapporterne.",
    "Report languages; the first is the default.": "Rapporternes sprog; det første er standardsproget.",
    "The unit's name.": "Enhedens navn.",
    "The unit's standard definition, used as footnote in every report.":
        "Enhedens standarddefinition; bruges som fodnote i alle rapporter.",
    "Genome equivalents per germline analysis.": "Genomækvivalenter pr. germline-analyse.",
    "Genome equivalents per somatic analysis.": "Genomækvivalenter pr. somatisk analyse.",
    "Genome equivalents per rna analysis.": "Genomækvivalenter pr. RNA-analyse.",
    "Weights per sample type.": "Vægte pr. prøvetype.",
    "A count unit.": "En tælleenhed.",
    "The count units: patients, analyses, genome_equivalents and (optional) relatives.":
        "Tælleenhederne: patienter, WGS-analyser, genomækvivalenter og (valgfrit) pårørende.",
    # answers, turnaround and clinical effect
    "A clinical consequence.": "En klinisk konsekvens.",
    "A consequence of reportgen.yaml's effects: followed-up patients with it.":
        "En konsekvens fra effects i reportgen.yaml: antal fulgte patienter med den.",
    "Answered patients in this bin.": "Besvarede patienter i dette interval.",
    "Clinical effect, written by the specialist network.": "Klinisk effekt, skrevet af specialistnetværket.",
    "Days from referral to answer: the upper limit of a bin.":
        "Dage fra henvisning til svar: et intervals øvre grænse.",
    "Diagnosed patients whose course after the answer was followed up.":
        "Diagnosticerede patienter, hvis forløb efter svaret er fulgt op.",
    "How the time from referral to answer is counted.": "Hvordan tiden fra henvisning til svar opgøres.",
    "Of the patients referred this month, those whose result was sent to the referring doctor by "
    "statistics.as_of: diagnosed <= answered <= patients.":
        "Af månedens henviste patienter dem, hvis svar er sendt til den henvisende læge senest "
        "statistics.as_of: diagnosed <= answered <= patients.",
    "Optional: the code of the indication; omitted: the whole group.":
        "Valgfri: indikationens kode; udeladt: hele patientgruppen.",
    "Relatives who had a targeted test (unit: relatives).":
        "Pårørende, der har fået en målrettet test (enhed: pårørende).",
    "The answered patients by days from referral to answer: the bins of reportgen.yaml's turnaround.bins_days "
    "and later; they add up to answered.":
        "De besvarede patienter fordelt på dage fra henvisning til svar: intervallerne i turnaround.bins_days i "
        "reportgen.yaml og later; de summerer til answered.",
    "The bins answers are counted in, in increasing days, e.g. [28, 56, 84]; later answers fall in the bin "
    "'later'.":
        "Intervallerne, svar tælles i, i stigende dage, fx [28, 56, 84]; senere svar tælles under 'later'.",
    "The calendar year the entry is about, e.g. 2023.": "Kalenderåret, registreringen gælder, fx 2023.",
    "The clinical consequences counted under effects: in a group file.":
        "De kliniske konsekvenser, der tælles under effects: i en gruppefil.",
    "The consequence's name.": "Konsekvensens navn.",
    "The expected diagnostic yield from the approved recommendation, a fraction from 0 to 1 (0.30 for 30 %).":
        "Det forventede diagnostiske udbytte fra den godkendte anbefaling, en brøk fra 0 til 1 (0.30 for 30 %).",
    "The turnaround target of cancer groups, in days: one of bins_days.":
        "Målet for svartid for kræftgrupper i dage: en af bins_days.",
    "The turnaround target of rare groups, in days: one of bins_days.":
        "Målet for svartid for grupper med sjældne sygdomme i dage: en af bins_days.",
    "The turnaround target per category.": "Målet for svartid pr. kategori.",
    "What is counted, worded once for every report.": "Hvad der tælles, formuleret én gang for alle rapporter.",
    "What the results meant for patients in one year: followed-up patients, their consequences, relatives "
    "tested.":
        "Hvad svarene betød for patienterne i ét år: fulgte patienter, deres konsekvenser og testede pårørende.",
    "Where the figures come from, e.g. the network's own registration.":
        "Hvor tallene kommer fra, fx netværkets egen registrering.",
    "The region's name.": "Regionens navn.",
    "Inhabitants, for rates per 100,000.": "Indbyggertal, til rater pr. 100.000 indbyggere.",
    "A region.": "En region.",
    "The regions.": "Regionerne.",
    "Source of the population figures.": "Kilden til befolkningstallene.",
    "National target.": "Det nationale mål i genomækvivalenter.",
    "The national target.": "Det nationale mål.",
    "Person counts below this are shown as '<N'.": "Antal personer under denne grænse vises som '<N'.",
    "No reader may narrow a hidden count to fewer values than this.":
        "Ingen læser må kunne indsnævre et skjult antal til færre mulige værdier end dette.",
    "A headline total that must give to protect a hidden count is published rounded to a multiple of this.":
        "En hovedtotal, der må give efter for at beskytte et skjult antal, vises afrundet til et multiplum af dette.",
    "Small-count suppression.": "Skjulning af små antal.",
    "The address of the site's accessibility statement (tilgængelighedserklæring).":
        "Adressen på hjemmesidens tilgængelighedserklæring (begynder med https://).",
    "The accessibility statement that every page's footer links to.":
        "Tilgængelighedserklæringen, som bunden af hver side linker til.",
}
