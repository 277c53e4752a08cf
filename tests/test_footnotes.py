"""Footnotes: numbered by first use, worded from the settings, in the document's language."""

from __future__ import annotations

import datetime as dt

import pytest

from factories import make_config, text
from reportgen.footnotes import Footnote, Footnotes, note_text

CONFIG = make_config()
AS_OF = dt.date(2024, 5, 31)


def test_numbers_follow_first_use_and_repeat_for_the_same_key():
    notes = Footnotes(CONFIG, "da", as_of=AS_OF)
    assert notes.ref("genome_equivalents") == 1
    assert notes.ref("patients") == 2
    assert notes.ref("genome_equivalents") == 1
    assert notes.ref("suppression") == 3
    assert notes.ref("patients") == 2
    assert [(e.number, e.key) for e in notes.entries()] == [(1, "genome_equivalents"), (2, "patients"), (3, "suppression")]


def test_each_document_numbers_its_own_notes():
    first, second = Footnotes(CONFIG, "da"), Footnotes(CONFIG, "da")
    first.ref("analyses")
    assert second.ref("patients") == 1
    assert second.entries() == [Footnote(1, "patients", "Unikke patienter henvist til WGS.", "da")]


@pytest.mark.parametrize(
    "lang, key, expected",
    [
        ("da", "patients", "Unikke patienter henvist til WGS."),
        ("en", "patients", "Unique patients referred for WGS."),
        ("da", "analyses", "Sekventerede prøver."),
        ("en", "genome_equivalents", "Weighted analyses."),
        ("da", "as_of", "Opgjort med data til og med 31. maj 2024."),
        ("en", "as_of", "Data up to and including 31 May 2024."),
        ("da", "population", "Rater pr. 100.000 indbyggere. Befolkningstal: Danmarks Statistik, FOLK1A, 1. januar 2024."),
        ("en", "population", "Rates per 100,000 inhabitants. Population: Statistics Denmark, FOLK1A, 1 January 2024."),
        (
            "da",
            "suppression",
            "Af hensyn til patienternes anonymitet vises antal personer fra 1 til 4 som »<5«. »x« betyder, at "
            "tallet ikke vises, fordi man ellers kunne regne et skjult tal ud fra totalen; andele og rater, der "
            "bygger på et skjult tal, vises heller ikke.",
        ),
        (
            "en",
            "suppression",
            "To protect patients' anonymity, counts of 1 to 4 persons are shown as “<5”. “x” means that a figure "
            "is not shown because a hidden count could otherwise be worked out from the total; shares and rates "
            "based on a hidden count are not shown either.",
        ),
    ],
)
def test_wording(lang, key, expected):
    notes = Footnotes(CONFIG, lang, as_of=AS_OF)
    number = notes.ref(key)
    assert notes.entries() == [Footnote(number, key, expected, lang)]


def test_unit_notes_use_only_the_configured_definitions():
    config = make_config()
    config.units["patients"].definition.by_lang["da"] = "Ny definition fra reportgen.yaml."
    notes = Footnotes(config, "da")
    notes.ref("patients")
    assert notes.entries()[0].text == "Ny definition fra reportgen.yaml."


def test_suppression_note_takes_its_threshold_from_the_settings():
    text_da, _ = note_text("suppression", make_config(min_count=3), "da")
    assert "fra 1 til 2 som »<3«" in text_da


def test_a_missing_translation_falls_back_to_the_default_language():
    config = make_config()
    config.units["analyses"].definition.by_lang.pop("en")
    notes = Footnotes(config, "en")
    notes.ref("analyses")
    assert notes.entries() == [Footnote(1, "analyses", "Sekventerede prøver.", "da")]


def test_population_source_without_the_document_language():
    config = make_config()
    object.__setattr__(config, "population_source", text("Danmarks Statistik."))
    assert note_text("population", config, "en")[0] == "Rates per 100,000 inhabitants. Population: Danmarks Statistik."


def test_unknown_key_and_missing_cut_off_are_errors():
    notes = Footnotes(CONFIG, "da")
    with pytest.raises(KeyError, match="unknown footnote 'patient'"):
        notes.ref("patient")
    with pytest.raises(ValueError, match="no data cut-off"):
        notes.ref("as_of")
    assert notes.entries() == []
