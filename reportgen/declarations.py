"""What each kind of input file holds: its fields, their types and meanings.

One declaration per file kind (group, consolidated texts, archived edition,
project settings). The loader converts files with them; `reportgen schema`
writes them out as JSON Schemas for editors, so the checks and the editor help
cannot drift apart. The rules that relate one field to another live in
`rules` and `rowrules`; finding the files lives in `discovery`.
"""

from __future__ import annotations

import re

from . import model as m
from .dates import parse_month
from .schema import (
    INVALID,
    Bool,
    Choice,
    Context,
    Field,
    Date,
    Int,
    Key,
    ListOf,
    LocalText,
    MapOf,
    MonthField,
    Record,
    Share,
    Str,
    did_you_mean,
)
from .yamlsource import Mapping, Scalar, Sequence, node_kind
from .messages import _, N_, languages

# One text per sample type, written out for the catalogues.
_SAMPLES_SEQUENCED = {
    "germline": N_("Number of germline samples sequenced (WGS analyses)."),
    "somatic": N_("Number of somatic samples sequenced (WGS analyses)."),
    "rna": N_("Number of rna samples sequenced (WGS analyses)."),
}
_WEIGHT_OF = {
    "germline": N_("Genome equivalents per germline analysis."),
    "somatic": N_("Genome equivalents per somatic analysis."),
    "rna": N_("Genome equivalents per rna analysis."),
}
_TARGET_DAYS = {
    "rare": N_("The turnaround target of rare groups, in days: one of bins_days."),
    "cancer": N_("The turnaround target of cancer groups, in days: one of bins_days."),
}

SLUG = r"[a-z0-9]+(-[a-z0-9]+)*"

EDITION = Record(
    {
        "date": Key(Date(N_("The date of this edition of the report."))),
        "status": Key(Choice(["draft", "approved"], N_("draft or approved; drafts are never published."))),
        "changes": Key(LocalText(N_("What changed since the last edition (Markdown).")), required=False),
    },
    m.Edition,
    N_("The edition of the report: its date, status and what changed."),
)

ANALYSES = Record(
    {t: Key(Int(_SAMPLES_SEQUENCED[t])) for t in m.SAMPLE_TYPES},
    m.Analyses,
    N_("WGS analyses by sample type: germline, somatic, rna."),
)

MONTHLY_ROW = Record(
    {
        "month": Key(MonthField(N_("The month, YYYY-MM."))),
        "region": Key(Str(N_("The region key from reportgen.yaml, e.g. hovedstaden."))),
        "indication": Key(Str(N_("The code of one of the group's indications."))),
        "patients": Key(Int(N_("Unique patients (probands) referred for WGS this month."))),
        "analyses": Key(ANALYSES),
        "diagnosed": Key(Int(N_("Patients with a clinically relevant finding."))),
        "answered": Key(Int(N_("Of the patients referred this month, those whose result was sent to the referring "
                               "doctor by statistics.as_of: diagnosed <= answered <= patients.")), required=False),
        "answered_within_days": Key(
            # Any word is taken here, so that the row rule can say which bins reportgen.yaml sets.
            MapOf(Int(N_("Answered patients in this bin.")), r"[A-Za-z0-9_]+",
                  N_("a bin of turnaround.bins_days in reportgen.yaml (e.g. 28) or later"),
                  N_("The answered patients by days from referral to answer: the bins of reportgen.yaml's "
                     "turnaround.bins_days and later; they add up to answered.")),
            required=False),
    },
    lambda answered_within_days=None, **values: m.MonthlyRow(
        **values, answered_within_days=None if answered_within_days is None else tuple(answered_within_days.items())),
    N_("Counts for one month, region and indication."),
)

_ROW_KEYS = ("month", "region", "indication", "patients", "analyses", "diagnosed")
_ROW_KEYS_ANSWERED = _ROW_KEYS + ("answered",)
_ROW_KEYS_BINNED = _ROW_KEYS_ANSWERED + ("answered_within_days",)
_PLAIN_COUNT = re.compile(r"0|[1-9][0-9]{0,8}").fullmatch  # below schema.MAX_NUMBER; longer: the generic path
# Letters only (regions) and at most 3 digits (codes): neither can hold HTML or a CPR-shaped number,
# so skipping their text checks changes nothing.
_PLAIN_REGION = re.compile(r"[a-z]+(-[a-z]+)*").fullmatch
_PLAIN_CODE = re.compile(r"[A-ZÆØÅ]{1,6}[0-9]{0,3}[a-z]?").fullmatch
_PLAIN_BIN = re.compile(r"[1-9][0-9]*|later").fullmatch


class _MonthlyRows(ListOf):
    """The monthly rows, with a fast path for rows in the canonical one-line form.

    Ten years of statistics are tens of thousands of rows, and the generic
    Record conversion dominated loading them. A row whose keys are in the usual
    order and whose values are plain, well-formed words and numbers is built
    directly; any other row takes the generic path, so every message is as before.
    """

    def convert(self, node, ctx, name):
        if type(node) is not Sequence:
            return super().convert(node, ctx, name)
        rows = []
        ok = True
        for index, child in enumerate(node.items):
            row = _plain_row(child, ctx)
            if row is None:
                row = self.item.convert(child, ctx, f"{name}[{index + 1}]")
                ok = ok and row is not INVALID
            rows.append(row)
        return tuple(rows) if ok else INVALID


def _plain_row(node, ctx: Context) -> m.MonthlyRow | None:
    if type(node) is not Mapping:
        return None
    keys = tuple(node.items)
    if keys != _ROW_KEYS and keys != _ROW_KEYS_ANSWERED and keys != _ROW_KEYS_BINNED:
        return None
    values = list(node.items.values())
    (__, month), (__, region), (__, code), (__, patients), (__, analyses), (__, diagnosed) = values[:6]
    answered = bins = None
    if len(values) > 6:
        answered = values[6][1]
        if type(answered) is not Scalar or answered.style is not None or not _PLAIN_COUNT(answered.value):
            return None
        answered = int(answered.value)
    if len(values) > 7:
        bins_node = values[7][1]
        if type(bins_node) is not Mapping:
            return None
        bins = []
        for key, (__, count) in bins_node.items.items():
            if type(count) is not Scalar or count.style is not None or not _PLAIN_COUNT(count.value) \
                    or not _PLAIN_BIN(key):
                return None
            bins.append((key, int(count.value)))
        bins = tuple(bins)
    if type(analyses) is not Mapping or tuple(analyses.items) != m.SAMPLE_TYPES:
        return None
    (__, germline), (__, somatic), (__, rna) = analyses.items.values()
    for scalar in (month, region, code, patients, diagnosed, germline, somatic, rna):
        if type(scalar) is not Scalar or scalar.style is not None:
            return None
    month, region, code, patients, diagnosed, germline, somatic, rna = (
        month.value, region.value, code.value, patients.value, diagnosed.value, germline.value, somatic.value,
        rna.value)
    month = parse_month(month)
    if not (month is not None and _PLAIN_REGION(region) and _PLAIN_CODE(code) and _PLAIN_COUNT(patients)
            and _PLAIN_COUNT(diagnosed) and _PLAIN_COUNT(germline) and _PLAIN_COUNT(somatic) and _PLAIN_COUNT(rna)):
        return None
    counts = m.Analyses(int(germline), int(somatic), int(rna))
    row = m.MonthlyRow(month, region, code, int(patients), counts,
                       int(diagnosed), answered, bins)
    ctx.nodes[id(row)], ctx.nodes[id(counts)] = node, analyses
    ctx.keep += (row, counts)
    return row


STATISTICS = Record(
    {
        "as_of": Key(Date(N_("Data cut-off: the last day the statistics cover."))),
        "source": Key(Str(N_("Where the figures come from."))),
        "monthly": Key(_MonthlyRows(MONTHLY_ROW, N_("One row per month, region and indication.")), required=False,
                       default=()),
    },
    m.Statistics,
    N_("Operating statistics."),
)

INDICATION = Record(
    {
        "code": Key(Str(N_("A short code, e.g. HJ1."), pattern=r"[A-ZÆØÅ]{1,6}[0-9]{0,3}[a-z]?",
                        pattern_help=N_("a short code of capital letters and digits, e.g. HJ1"))),
        "title": Key(LocalText(N_("The indication's title."), markdown=False)),
        "criteria": Key(LocalText(N_("Who may be referred (Markdown)."))),
        "expected_patients_per_year": Key(Int(N_("Expected patients per year.")), required=False),
        "expected_yield": Key(Share(N_("The expected diagnostic yield from the approved recommendation, a fraction "
                                       "from 0 to 1 (0.30 for 30 %).")), required=False),
    },
    m.Indication,
    N_("An indication: who may be referred for WGS."),
)

CASE = Record(
    {
        "title": Key(LocalText(N_("The case's title."), markdown=False)),
        "indication": Key(Str(N_("The code of the indication this case falls under."))),
        "impact": Key(ListOf(Choice(m.IMPACTS), N_("What the result changed."), min_items=1, unique=True)),
        "text": Key(LocalText(N_("The anonymised case (Markdown): no names, CPR numbers or dates of birth."))),
    },
    m.Case,
    N_("An anonymised patient case."),
)

class _EffectEntry(Field):
    """One entry under `effects:`: fixed fields plus one count per consequence of reportgen.yaml's `effects:`.

    The consequence keys come from the settings (`Context.consequences`), so a
    misspelt one is refused with the nearest known key; the JSON Schema lists
    the fixed fields and allows further counts.
    """

    FIXED = {
        "period": Key(Int(N_("The calendar year the entry is about, e.g. 2023."), minimum=2000, maximum=2100)),
        "indication": Key(Str(N_("Optional: the code of the indication; omitted: the whole group.")), required=False),
        "followed_up": Key(Int(N_("Diagnosed patients whose course after the answer was followed up."))),
        "relatives_tested": Key(Int(N_("Relatives who had a targeted test (unit: relatives).")), required=False),
        "source": Key(Str(N_("Where the figures come from, e.g. the network's own registration."))),
    }
    expects = N_("a set of fields (`key: value` lines)")

    def __init__(self, description: str = ""):
        super().__init__(description)
        self.record = Record(self.FIXED, dict, description)

    def convert(self, node, ctx, name):
        if not isinstance(node, Mapping):
            return ctx.error(node, _("'{name}' should be {expects}, but it is {node_kind}").format(
                name=name, expects=_(self.expects), node_kind=node_kind(node)))
        known = ctx.consequences
        fixed_items, consequences, ok = {}, [], True
        for key_text, (key_node, value_node) in node.items.items():
            if key_text in self.FIXED:
                fixed_items[key_text] = (key_node, value_node)
                continue
            if known is not None and key_text not in known:
                choices = [k for k in (*self.FIXED, *known) if k not in node.items]
                ctx.error(key_node, _("unknown field '{key}' in '{name}'; the consequences counted are those "
                                      "of reportgen.yaml's effects ({consequences})").format(
                    key=key_text, name=name, consequences=", ".join(known) or _("none"))
                          + did_you_mean(key_text, choices))
                ok = False
                continue
            count = Int(_CONSEQUENCE_COUNT).convert(value_node, ctx, f"{name}.{key_text}")
            if count is INVALID:
                ok = False
            else:
                consequences.append((key_text, count))
        part = Mapping(node.line, node.column)
        part.end_line, part.items = node.end_line, fixed_items
        fixed = self.record.convert(part, ctx, name)
        if fixed is INVALID or not ok:
            return INVALID
        missing = [k for k in (known or ()) if k not in dict(consequences)]
        if missing:
            return ctx.error(node, _("'{name}' has no count for {missing}; give each consequence of "
                                     "reportgen.yaml's effects, 0 where there were none").format(
                name=name, missing=", ".join(missing)))
        order = {k: i for i, k in enumerate(known or ())}
        entry = m.EffectEntry(fixed["period"], fixed["indication"], fixed["followed_up"],
                              tuple(sorted(consequences, key=lambda kv: order.get(kv[0], len(order)))),
                              fixed["relatives_tested"], fixed["source"])
        ctx.nodes[id(entry)] = node
        ctx.keep.append(entry)
        return entry

    def json_schema(self):
        schema = self.record.json_schema()
        schema["additionalProperties"] = Int(_CONSEQUENCE_COUNT).json_schema()
        return schema


_CONSEQUENCE_COUNT = N_("A consequence of reportgen.yaml's effects: followed-up patients with it.")


ALLOWED_IDENTIFIER = Record(
    {
        "value": Key(Str(N_("The exact text that looks like an identifier but is not one."))),
        "reason": Key(Str(N_("Why this text is not a person's identifier."))),
    },
    m.AllowedIdentifier,
    N_("Text shaped like a CPR number that is known not to be one."),
)

GROUP = Record(
    {
        "id": Key(Str(N_("Equals the file name without .yaml."), pattern=SLUG,
                      pattern_help=N_("lower-case letters, digits and hyphens, like the file name"))),
        "category": Key(Choice(m.CATEGORIES, N_("rare or cancer."))),
        "name": Key(LocalText(N_("The group's name in every language."), markdown=False, all_languages=True)),
        "network": Key(Str(N_("The national specialist network writing the report."))),
        "in_operation_since": Key(Date(N_("The date WGS was first offered to the group."))),
        "example_data": Key(Bool(N_("true while statistics and cases are examples, not real data.")),
                            required=False, default=False),
        "edition": Key(EDITION),
        "summary": Key(LocalText(N_("Summary (Markdown)."))),
        "indications": Key(ListOf(INDICATION, N_("The indications."), min_items=1)),
        "statistics": Key(STATISTICS),
        "cases": Key(ListOf(CASE, N_("Anonymised patient cases.")), required=False, default=()),
        "perspectives": Key(LocalText(N_("Perspectives (Markdown)."))),
        "allow_identifiers": Key(ListOf(ALLOWED_IDENTIFIER, N_("Texts that look like CPR numbers but are not.")),
                                 required=False, default=()),
        "effects": Key(ListOf(_EffectEntry(N_("What the results meant for patients in one year: followed-up "
                                              "patients, their consequences, relatives tested.")),
                              N_("Clinical effect, written by the specialist network.")), required=False, default=()),
    },
    lambda **values: m.Group(**values),
    N_("A patient group's status report."),
)

SECTION = Record(
    {
        "title": Key(LocalText(N_("The section's heading."), markdown=False)),
        "text": Key(LocalText(N_("The section's text (Markdown)."))),
    },
    m.Section,
    N_("A section of text."),
)

CONSOLIDATED = Record(
    {
        "category": Key(Choice(m.CATEGORIES, N_("rare or cancer; equals the file name."))),
        "title": Key(LocalText(N_("The report's title."), markdown=False, all_languages=True)),
        "edition": Key(EDITION),
        "summary": Key(LocalText(N_("Summary (Markdown); figures are computed, never typed."))),
        "sections": Key(ListOf(SECTION, N_("Sections of text.")), required=False, default=()),
        "perspectives": Key(LocalText(N_("Perspectives (Markdown)."))),
    },
    lambda **values: m.Consolidated(**values),
    N_("The texts of a consolidated report."),
)

ARCHIVED_COUNTS = Record(
    {
        "patients": Key(Int("Unique patients since start, at the edition's data cut-off.")),
        "analyses": Key(ANALYSES),
        "diagnosed": Key(Int("Patients with a clinically relevant finding since start.")),
    },
    m.ArchivedCounts,
    "Counts since start at the edition's data cut-off (raw; suppressed when shown).",
)

ARCHIVE = Record(
    {
        "group": Key(Str("The group's id; equals the folder name.", pattern=SLUG,
                         pattern_help=N_("lower-case letters, digits and hyphens, like the folder name"))),
        "example_data": Key(Bool("true if the archived figures and texts are examples."), required=False,
                            default=False),
        "edition": Key(EDITION),
        "as_of": Key(Date("The edition's data cut-off.")),
        "since_start": Key(ARCHIVED_COUNTS),
        "indications": Key(ListOf(Record({"code": INDICATION.keys["code"], "title": INDICATION.keys["title"]},
                                         m.ArchivedIndication, "An indication of the edition."),
                                  "The edition's indications.", min_items=1)),
        "cases": Key(ListOf(Record({"title": CASE.keys["title"], "indication": CASE.keys["indication"]},
                                   m.ArchivedCase, "A patient case of the edition."),
                            "The edition's patient cases."), required=False, default=()),
    },
    lambda **values: m.ArchivedEdition(**values),
    "An earlier edition of a group's report, archived by `reportgen new-edition`; not typed by hand.",
)

UNIT = Record(
    {
        "label": Key(LocalText(N_("The unit's name."), markdown=False, all_languages=True)),
        "definition": Key(LocalText(N_("The unit's standard definition, used as footnote in every report."),
                                    markdown=False, all_languages=True)),
        "weights": Key(Record({t: Key(Int(_WEIGHT_OF[t])) for t in m.SAMPLE_TYPES},
                              dict, N_("Weights per sample type.")), required=False),
    },
    dict,
    N_("A count unit."),
)

REGION = Record(
    {
        "name": Key(Str(N_("The region's name."))),
        "population": Key(Int(N_("Inhabitants, for rates per 100,000."), minimum=1)),
    },
    dict,
    N_("A region."),
)

CONFIG = Record(
    {
        "title": Key(LocalText(N_("The title of the report series."), markdown=False)),
        "publisher": Key(Str(N_("Who publishes the reports.")), required=False, default="Nationalt Genom Center"),
        "languages": Key(ListOf(Choice(list(languages())), N_("Report languages; the first is the default."),
                                min_items=1, unique=True)),
        "units": Key(Record({**{k: Key(UNIT) for k in m.UNIT_KEYS},
                             **{k: Key(UNIT, required=False) for k in m.OPTIONAL_UNIT_KEYS}}, dict,
                            N_("The count units: patients, analyses, genome_equivalents and (optional) relatives."))),
        "regions": Key(MapOf(REGION, SLUG, N_("a lower-case key such as hovedstaden"), N_("The regions."))),
        "population_source": Key(LocalText(N_("Source of the population figures."), markdown=False)),
        "national_target": Key(Record({"genome_equivalents": Key(Int(N_("National target."), minimum=1))}, dict,
                                      N_("The national target."))),
        "turnaround": Key(Record({
            "bins_days": Key(ListOf(Int(N_("Days from referral to answer: the upper limit of a bin."), minimum=1),
                                    N_("The bins answers are counted in, in increasing days, e.g. [28, 56, 84]; "
                                       "later answers fall in the bin 'later'."), min_items=1, unique=True)),
            "target_days": Key(Record({c: Key(Int(_TARGET_DAYS[c], minimum=1), required=False)
                                       for c in m.CATEGORIES}, dict, N_("The turnaround target per category."))),
        }, dict, N_("How the time from referral to answer is counted.")), required=False),
        "effects": Key(MapOf(Record({
            "label": Key(LocalText(N_("The consequence's name."), markdown=False, all_languages=True)),
            "definition": Key(LocalText(N_("What is counted, worded once for every report."), markdown=False,
                                        all_languages=True)),
        }, dict, N_("A clinical consequence.")), r"[a-z][a-z0-9]*(_[a-z0-9]+)*",
            N_("a lower-case key with underscores, such as changed_treatment"),
            N_("The clinical consequences counted under effects: in a group file.")), required=False),
        "privacy": Key(Record({
            "min_count": Key(Int(N_("Person counts below this are shown as '<N'."), minimum=1, maximum=100)),
            "min_range": Key(Int(N_("No reader may narrow a hidden count to fewer values than this."), minimum=2,
                                 maximum=100), required=False, default=3),
            "rounding_base": Key(Int(N_("A headline total that must give to protect a hidden count is published "
                                     "rounded to a multiple of this."), minimum=2, maximum=1000),
                                 required=False, default=5),
        }, dict, N_("Small-count suppression."))),

        "accessibility_statement": Key(Record(
            {"url": Key(Str(N_("The address of the site's accessibility statement (tilgængelighedserklæring)."),
                            pattern=r"https://\S+", pattern_help=N_("an address starting with https://")))},
            dict, N_("The accessibility statement that every page's footer links to.")), required=False),
    },
    dict,
    N_("Project settings."),
)

SCHEMAS = {"group": GROUP, "consolidated": CONSOLIDATED, "reportgen": CONFIG}


def schema_documents() -> dict[str, dict]:
    """JSON Schemas (draft 2020-12) for each kind of input file."""
    titles = {"group": N_("reportgen group file"), "consolidated": N_("reportgen consolidated report texts"),
              "reportgen": N_("reportgen project settings")}
    return {
        name: {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": titles[name],
               **record.json_schema()}
        for name, record in SCHEMAS.items()
    }

