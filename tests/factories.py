"""Small model objects built directly, for tests of the derived figures."""

from __future__ import annotations

import datetime as dt

from reportgen.model import (
    Analyses,
    Config,
    Edition,
    Group,
    Indication,
    Month,
    MonthlyRow,
    Project,
    Region,
    Statistics,
    Text,
    Unit,
)

WEIGHTS = {"germline": 1, "somatic": 3, "rna": 1}
REGIONS = {
    "hovedstaden": ("Region Hovedstaden", 1_911_067),
    "sjaelland": ("Region Sjælland", 852_953),
    "syddanmark": ("Region Syddanmark", 1_238_406),
    "midtjylland": ("Region Midtjylland", 1_365_688),
    "nordjylland": ("Region Nordjylland", 593_135),
}
UNIT_TEXTS = {
    "patients": ("Patienter", "Patients", "Unikke patienter henvist til WGS.", "Unique patients referred for WGS."),
    "analyses": ("WGS-analyser", "WGS analyses", "Sekventerede prøver.", "Sequenced samples."),
    "genome_equivalents": ("Genomækvivalenter", "Genome equivalents", "Vægtede analyser.", "Weighted analyses."),
}


def text(da: str, en: str | None = None) -> Text:
    return Text({"da": da, "en": en} if en is not None else {"da": da})


def make_config(
    *,
    weights: dict[str, int] | None = None,
    regions: dict[str, tuple[str, int]] | None = None,
    min_count: int = 5,
    target: int = 60_000,
    languages: tuple[str, ...] = ("da", "en"),
) -> Config:
    return Config(
        title=text("Statusrapporter", "Status reports"),
        languages=languages,
        units={key: Unit(key, text(l_da, l_en), text(d_da, d_en)) for key, (l_da, l_en, d_da, d_en) in UNIT_TEXTS.items()},
        weights=dict(weights or WEIGHTS),
        regions={key: Region(key, name, population) for key, (name, population) in (regions or REGIONS).items()},
        population_source=text("Danmarks Statistik, FOLK1A, 1. januar 2024", "Statistics Denmark, FOLK1A, 1 January 2024"),
        national_target_genome_equivalents=target,
        min_count=min_count,
    )


def row(
    month: str,
    region: str = "hovedstaden",
    indication: str = "I1",
    patients: int = 0,
    germline: int = 0,
    somatic: int = 0,
    rna: int = 0,
    diagnosed: int = 0,
) -> MonthlyRow:
    year, number = (int(part) for part in month.split("-"))
    return MonthlyRow(Month(year, number), region, indication, patients, Analyses(germline, somatic, rna), diagnosed)


def make_group(
    group_id: str = "g1",
    *,
    category: str = "rare",
    since: dt.date = dt.date(2022, 3, 14),
    as_of: dt.date = dt.date(2024, 5, 31),
    indications: tuple[tuple[str, int | None], ...] = (("I1", 120), ("I2", None)),
    rows: tuple[MonthlyRow, ...] = (),
    example_data: bool = True,
    name: Text | None = None,
) -> Group:
    return Group(
        id=group_id,
        category=category,
        name=name or text(f"Gruppe {group_id}", f"Group {group_id}"),
        network="Netværket",
        in_operation_since=since,
        example_data=example_data,
        edition=Edition(dt.date(2024, 6, 28), "approved", None),
        summary=text("Resumé."),
        indications=tuple(Indication(code, text(f"Indikation {code}"), text("Kriterier."), per_year) for code, per_year in indications),
        statistics=Statistics(as_of, "NGC driftsdata", tuple(rows)),
        cases=(),
        perspectives=text("Perspektiver."),
    )


def make_project(groups, config: Config | None = None) -> Project:
    from pathlib import Path

    return Project(root=Path("."), config=config or make_config(), groups=tuple(groups), consolidated={})
