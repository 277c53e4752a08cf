"""The language catalogues: one home for every sentence reportgen writes.

- every text marked in the code (as Babel's extractor finds it) is translated in every
  catalogue, with the same placeholders, and no catalogue holds a text the code no longer uses;
- the template reportgen/locale/reportgen.pot is the code's current list of texts;
- reportgen's own reader of the catalogues reads them exactly as Babel does;
- the message language is chosen by option, then environment, then the project's first language;
- a new language is a new catalogue: a copy of reportgen with a Swedish catalogue speaks Swedish.
"""

from __future__ import annotations

import ast
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from projects import HEART, write_project
from reportgen import messages
from reportgen.cli import main
from reportgen.i18n import STRINGS, Strings

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "reportgen"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def _extracted() -> dict[str, tuple[str, ...]]:
    """Every text marked in the code, as `pybabel extract` finds it: msgid -> (msgid, plural)."""
    found = {}
    for _filename, _line, message, _comments, _context in extract_from_dir(
            str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS):
        ids = (message,) if isinstance(message, str) else tuple(message)
        found[ids[0]] = ids
    return found


def _catalogues() -> dict[str, Catalog]:
    paths = sorted(PACKAGE.glob("locale/*/LC_MESSAGES/reportgen.po"))
    assert paths, "no catalogue found"
    return {path.parent.parent.name: read_po(path.open("rb")) for path in paths}


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{[^{}]*\}", text.replace("{{", "").replace("}}", "")))


def test_every_text_of_the_code_is_translated_in_every_catalogue_and_none_is_stale():
    code = _extracted()
    assert len(code) > 350  # the extractor finds the marked texts (a broken mapping would find none)
    for lang, catalogue in _catalogues().items():
        entries = {(m.id if isinstance(m.id, str) else m.id[0]): m for m in catalogue if m.id}
        missing = sorted(set(code) - set(entries))
        stale = sorted(set(entries) - set(code))
        assert not missing, f"{lang}: not in the catalogue (run `make messages`, then translate): {missing}"
        assert not stale, f"{lang}: no longer in the code (run `make messages`): {stale}"
        for msgid, entry in entries.items():
            forms = [entry.string] if isinstance(entry.string, str) else list(entry.string)
            assert all(forms) and not entry.fuzzy, f"{lang}: not translated (or marked fuzzy): {msgid!r}"
            originals = code[msgid]
            for form in forms:
                assert _placeholders(form) == _placeholders(originals[-1]), \
                    f"{lang}: the translation of {msgid!r} has other placeholders: {form!r}"
            assert "Ã" not in "".join(forms), f"{lang}: mojibake (æøå read in the wrong encoding): {forms}"


def test_the_template_lists_the_texts_of_the_code():
    template = read_po((PACKAGE / "locale" / "reportgen.pot").open("rb"))
    assert {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id} == set(_extracted()), \
        "reportgen/locale/reportgen.pot is out of date: run `make messages`"


def test_reportgens_reader_reads_the_catalogues_as_babel_does():
    for lang, catalogue in _catalogues().items():
        babel = {(m.context, m.id if isinstance(m.id, str) else m.id[0]):
                 (m.string if isinstance(m.string, str) else list(m.string)) for m in catalogue if m.id}
        ours = messages.read_catalogue(messages.catalogue_path(lang), lang)
        assert ours.entries == babel


def test_the_reader_handles_escapes_plurals_contexts_and_skips_fuzzy_entries(tmp_path):
    catalogue = Catalog(locale="pl")  # three plural forms
    catalogue.add("a \"quoted\" \\ line\nand a second line", "en \"citeret\" \\ linje\nog en linje mere")
    catalogue.add(("{n} file", "{n} files"), ("{n} plik", "{n} pliki", "{n} plików"))
    catalogue.add("May", "maj", context="month")
    catalogue.add("a guess", "et gæt", flags=["fuzzy"])
    catalogue.add("x" * 150, "y " * 80)  # wrapped over several lines
    path = tmp_path / "pl.po"
    with path.open("wb") as file:
        write_po(file, catalogue, width=40)
    read = messages.read_catalogue(path, "pl")
    assert read.gettext("a \"quoted\" \\ line\nand a second line") == "en \"citeret\" \\ linje\nog en linje mere"
    assert [read.ngettext("{n} file", "{n} files", n) for n in (1, 3, 5)] == ["{n} plik", "{n} pliki", "{n} plików"]
    assert read.pgettext("month", "May") == "maj" and read.gettext("May") == "May"
    assert read.gettext("a guess") == "a guess"
    assert read.gettext("x" * 150) == "y " * 80


def test_the_danish_catalogue_speaks_plain_danish():
    da = messages.catalogue("da")
    assert da.gettext("'{name}' is {value}; expected {expects}") == "'{name}' er {value}; forventede {expects}"
    assert da.gettext("a whole number (0 or more)") == "et helt tal (0 eller mere)"
    assert [da.ngettext("{count} problem", "{count} problems", n) for n in (1, 2)] == \
        ["{count} problem", "{count} problemer"]
    assert Strings("da").footnotes == "Fodnoter" and Strings("en").footnotes == "Notes"
    assert Strings("da").changes == "Ændringer siden sidste udgave"


@pytest.mark.parametrize("option, environ, project, expected", [
    pytest.param("en", {"LANGUAGE": "da"}, ["da"], "en", id="the_option_first"),
    pytest.param(None, {"LANGUAGE": "en"}, ["da"], "en", id="then_LANGUAGE"),
    pytest.param(None, {"LANGUAGE": "sv:en:da"}, ["da"], "en", id="LANGUAGE_a_list_unknown_passed_over"),
    pytest.param(None, {"LANGUAGE": "", "LC_ALL": "en_GB.UTF-8", "LANG": "da_DK.UTF-8"}, ["da"], "en", id="LC_ALL"),
    pytest.param(None, {"LC_MESSAGES": "da_DK.UTF-8", "LANG": "en_US.UTF-8"}, ["en"], "da", id="LC_MESSAGES"),
    pytest.param(None, {"LANG": "en_US.UTF-8"}, ["da"], "en", id="LANG"),
    pytest.param(None, {"LANG": "C.UTF-8", "LC_ALL": "POSIX"}, ["en", "da"], "en", id="C_names_no_language"),
    pytest.param(None, {"LANG": "de_DE.UTF-8"}, ["da", "en"], "da", id="then_the_projects_first_language"),
    pytest.param(None, {}, [], "da", id="else_danish"),
])
def test_the_message_language_is_chosen_by_option_environment_project(option, environ, project, expected):
    assert messages.choose_language(option, project, environ) == expected


@pytest.mark.usefixtures("messages_from_project")
def test_an_english_first_project_gets_english_messages_and_the_environment_overrides(tmp_path, capsys,
                                                                                        monkeypatch):
    write_project(tmp_path, {"hjerte": HEART.replace("patients: 14", "patients: tolv")})
    config = tmp_path / "reportgen.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("languages: [da, en]", "languages: [en, da]"),
                      encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 1
    english = "'statistics.monthly[1].patients' is 'tolv'; expected a whole number (0 or more)"
    assert capsys.readouterr().err.splitlines()[0].endswith(english)
    monkeypatch.setenv("LANG", "da_DK.UTF-8")
    assert main(["check", str(tmp_path)]) == 1
    danish = "'statistics.monthly[1].patients' er 'tolv'; forventede et helt tal (0 eller mere)"
    assert capsys.readouterr().err.splitlines()[0] == f"groups/hjerte.yaml:29:72: {danish}"


SWEDISH = {
    "'{name}' is {value}; expected {expects}": "'{name}' är {value}; förväntade {expects}",
    "a whole number (0 or more)": "ett heltal (0 eller mer)",
    "nothing was built": "inget byggdes",
    "Notes": "Fotnoter",
    "Horizontal bar chart: {x_label}.": "Liggande stapeldiagram: {x_label}.",
    ("{count} problem", "{count} problems"): ("{count} problem", "{count} problem"),
    ("in {files} file", "in {files} files"): ("i {files} fil", "i {files} filer"),
}


def test_a_new_language_is_a_new_catalogue_not_code(tmp_path):
    """A copy of reportgen with one more catalogue (Swedish, a few texts translated) speaks Swedish:
    in `check`'s messages, chosen by option or environment, and on report pages and charts."""
    copy = tmp_path / "copy"
    shutil.copytree(PACKAGE, copy / "reportgen", ignore=shutil.ignore_patterns("__pycache__"))
    catalogue = Catalog(locale="sv", project="reportgen")
    for msgid, text in SWEDISH.items():
        catalogue.add(msgid, text)
    target = copy / "reportgen" / "locale" / "sv" / "LC_MESSAGES" / "reportgen.po"
    target.parent.mkdir(parents=True)
    with target.open("wb") as file:
        write_po(file, catalogue)
    project = write_project(tmp_path / "project", {"hjerte": HEART.replace("patients: 14", "patients: tolv")})
    environ = {**os.environ, "PYTHONPATH": str(copy)}
    environ.pop("LANGUAGE")

    def check(*options: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "reportgen", "check", str(project), *options],
                              capture_output=True, text=True, env={**environ, **env}, cwd=tmp_path)

    swedish = ["groups/hjerte.yaml:29:72: 'statistics.monthly[1].patients' är 'tolv'; förväntade ett heltal (0 eller mer)",
               "1 problem i 1 fil; inget byggdes"]
    assert check("--messages", "sv").stderr.splitlines() == swedish
    assert check(LANG="sv_SE.UTF-8").stderr.splitlines() == swedish
    assert check().stderr.splitlines()[0].endswith("er 'tolv'; forventede et helt tal (0 eller mere)")
    pages = subprocess.run(
        [sys.executable, "-c",
         "from reportgen.i18n import Strings; from reportgen.charts import wording; "
         "from reportgen.messages import languages; from reportgen import formatting; "
         "print(languages()); print(Strings('sv').footnotes); print(Strings('sv').summary); "
         "print(wording.describe_bars('sv', 'Antal', ['a', 'b'], [1, 2], ['1', '2'], '-')); "
         "print(formatting.number(12345, 'sv'))"],
        capture_output=True, text=True, env=environ, cwd=tmp_path)
    assert pages.stdout.splitlines() == [
        "('da', 'en', 'sv')",
        "Fotnoter",
        "Summary",  # not translated yet: the English text, until a translator adds it
        "Liggande stapeldiagram: Antal. Highest: b, 2; lowest: a, 1.",
        "12\u00a0345",  # the locale's own number format (CLDR, through Babel)
    ], pages.stderr
    assert "sv" not in messages.languages()  # the copy, not this reportgen, learnt Swedish


def test_every_heading_has_a_text_in_the_catalogue():
    # The templates name headings by key (t.summary); each key's English text is a catalogue entry.
    assert set(STRINGS.values()) <= set(_extracted())


# --- the other commands in Danish, by default on a Danish-first project --------------------------------


@pytest.mark.usefixtures("messages_from_project")
def test_import_stats_speaks_danish(tmp_path, capsys, monkeypatch):
    write_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    export = ("month,region,group,indication,patients,germline,somatic,rna,diagnosed\n"
              "2024-01,hovedstaden,hjerte,HJ1,14,22,0,0,4\n"
              "2024-05,hovedstaden,hjerte,HJ2,10,12,0,0,3\n")
    (tmp_path / "export.csv").write_text(export, encoding="utf-8")
    assert main(["import-stats", "export.csv", "--dry-run"]) == 0
    assert capsys.readouterr().out == (
        "groups/hjerte.yaml: rækker 0 tilføjet, 1 fjernet, 1 ændret, 1 uændret; "
        "patienter 26 → 24, WGS-analyser 39 → 34, med fund 7 → 7\n"
        "prøvekørsel: 1 gruppefil ville blive ændret; intet blev skrevet\n")
    (tmp_path / "export.csv").write_text(export.replace("14,22", "tolv,22"), encoding="utf-8")
    assert main(["import-stats", "export.csv"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "export.csv:2:5: 'patients' er 'tolv'; forventede et helt tal (0 eller mere)",
        "1 problem i 1 fil; intet blev skrevet"]
    assert main(["import-stats", "export.csv", "--messages", "en"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "export.csv:2:5: 'patients' is 'tolv'; expected a whole number (0 or more)",
        "1 problem in 1 file; nothing was written"]


@pytest.mark.usefixtures("messages_from_project")
def test_new_edition_speaks_danish(tmp_path, capsys, monkeypatch):
    write_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["new-edition", "hjerte", "--date", "2024-01-31", "."]) == 2
    assert capsys.readouterr().err == (
        "reportgen: fejl: --date 2024-01-31 er ikke efter den nuværende udgaves dato "
        "(2024-06-28, i groups/hjerte.yaml); en ny udgave skal have en senere dato\n")
    assert main(["new-edition", "hjerte", "--date", "2025-01-31", "."]) == 0
    assert capsys.readouterr().out == (
        "arkiverede udgaven fra 2024-06-28 i groups/editions/hjerte/2024-06-28.yaml\n"
        "åbnede udgaven fra 2025-01-31 i groups/hjerte.yaml som udkast: beskriv under 'edition.changes', "
        "hvad der er ændret, og sæt 'status: approved', når udgaven er godkendt\n")
    assert "UDKAST: Beskriv her, hvad der er ændret siden udgaven af 2024-06-28" in \
        (tmp_path / "groups" / "hjerte.yaml").read_text(encoding="utf-8")


@pytest.mark.usefixtures("messages_from_project")
def test_build_speaks_danish(tmp_path, capsys):
    write_project(tmp_path, {"hjerte": HEART.replace("region: sjaelland", "region: fyn")})
    assert main(["build", str(tmp_path), "--format", "html", "--jobs", "1"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "groups/hjerte.yaml:30:32: 'region' er 'fyn', som ikke er en region i reportgen.yaml "
        "(hovedstaden, sjaelland)",
        "1 problem i 1 fil; intet blev bygget"]
    write_project(tmp_path)
    assert main(["build", str(tmp_path), "--format", "html", "--lang", "sv"]) == 2
    assert capsys.readouterr().err == "reportgen: fejl: --lang sv: sprogene i reportgen.yaml er da, en\n"


def test_check_on_the_shipped_project_speaks_danish_and_english_on_request(tmp_path):
    shutil.copy2(REPO / "reportgen.yaml", tmp_path / "reportgen.yaml")
    shutil.copytree(REPO / "groups", tmp_path / "groups")
    group = tmp_path / "groups" / "arvelige-hjertesygdomme.yaml"
    group.write_text(group.read_text(encoding="utf-8").replace(
        "expected_patients_per_year: 140", "expected_patients_per_year: ca. 140", 1), encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if k != "LANGUAGE"}

    def check(*options: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "reportgen", "check", *options], cwd=tmp_path,
                              capture_output=True, text=True, env=environ)

    danish = check()
    assert danish.returncode == 1
    assert danish.stderr.splitlines() == [
        "groups/arvelige-hjertesygdomme.yaml:44:33: 'indications[1].expected_patients_per_year' er 'ca. 140'; "
        "forventede et helt tal (0 eller mere)",
        "1 problem i 1 fil; intet blev bygget"]
    english = check("--messages", "en")
    assert english.returncode == 1
    assert english.stderr.splitlines() == [
        "groups/arvelige-hjertesygdomme.yaml:44:33: 'indications[1].expected_patients_per_year' is 'ca. 140'; "
        "expected a whole number (0 or more)",
        "1 problem in 1 file; nothing was built"]


# Modules whose messages are not yet marked for the catalogues, each with why.
KNOWN_UNMARKED = {
}
_PROSE = re.compile(r"[A-Za-z]{2,}[,;:']?\s+[A-Za-z(']")
_MESSAGE_CALLS = {"Problem", "error", "error_at", "ReportgenError", "InputError", "UsageError", "BuildError",
                  "FileError", "LimitError", "ArgumentTypeError", "print", "_say", "TextFinding", "fail", "problem"}


def _literal_text(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):
        return (_literal_text(node.left) or "") + (_literal_text(node.right) or "")
    return None


def test_every_message_is_marked_for_the_catalogues():
    """A sentence written straight into a message (Problem, an error, print) is not in any catalogue, so it
    would stay English: it must be `_("...")` (or ngettext, or a marked N_ text). Catches a new message,
    e.g. from a branch merged since, that was written the old way."""
    unmarked: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = str(path.relative_to(REPO))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            function = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if function not in _MESSAGE_CALLS:
                continue
            for arg in [*node.args, *(k.value for k in node.keywords if k.arg == "message")]:
                text = _literal_text(arg)
                if text and _PROSE.search(text):
                    unmarked.setdefault(name, []).append(f"{name}:{node.lineno}: {text[:60]!r}")
    new = [line for name, lines in unmarked.items() if name not in KNOWN_UNMARKED for line in lines]
    assert not new, "messages not marked for the catalogues (wrap them in _(), see docs/maintainers.md):\n" + \
        "\n".join(new)
    done = sorted(set(KNOWN_UNMARKED) - set(unmarked))
    assert not done, f"every message of {done} is marked now: remove them from KNOWN_UNMARKED"


@pytest.mark.usefixtures("messages_from_project")
@pytest.mark.parametrize("argv, danish, english", [
    pytest.param(["new-edition", "hjerte"], "reportgen new-edition: fejl: disse argumenter mangler: --date",
                 "reportgen new-edition: error: the following arguments are required: --date", id="required"),
    pytest.param(["build", "--jobs", "x"], "reportgen build: fejl: argumentet --jobs/-j: forventede et helt tal, "
                 "ikke 'x'", "reportgen build: error: argument --jobs/-j: expected a whole number, not 'x'",
                 id="not_a_number"),
    pytest.param(["new-edition", "hjerte", "--date", "2024-02-30"],
                 "reportgen new-edition: fejl: argumentet --date: 2024-02-30 er ikke en dato i kalenderen",
                 "reportgen new-edition: error: argument --date: 2024-02-30 is not a date in the calendar",
                 id="our_own_check"),
    pytest.param(["check", "--jobs", "2"], "reportgen: fejl: ukendte argumenter: --jobs",
                 "reportgen: error: unrecognized arguments: --jobs", id="unknown_option"),
])
def test_a_wrong_command_line_is_told_in_the_message_language(capsys, monkeypatch, tmp_path, argv, danish,
                                                                english):
    monkeypatch.chdir(tmp_path)  # no project here: the messages are Danish unless the environment says
    for environ, expected in ((None, danish), ("en", english)):
        if environ:
            monkeypatch.setenv("LANGUAGE", environ)
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2
        assert capsys.readouterr().err.splitlines()[-1] == expected


def test_the_previews_error_page_speaks_the_message_language(tmp_path):
    from reportgen import serve

    write_project(tmp_path, {"hjerte": HEART.replace("patients: 14", "patients: tolv")})
    pages = {}
    for lang in ("da", "en"):
        messages.use(lang)  # as `reportgen serve` sets it for the whole preview
        preview = serve.Preview(tmp_path, port=0, jobs=1, stream=io.StringIO())
        try:
            preview.rebuild()
            pages[lang] = serve.error_page(preview.problems, preview.summary)
        finally:
            messages.use("en")
            preview._cleanup()
    assert '<html lang="da">' in pages["da"]
    assert "<title>Forhåndsvisningen er ikke opdateret: der er fejl i filerne</title>" in pages["da"]
    assert "<h1>Forhåndsvisningen kunne ikke bygges</h1>" in pages["da"]
    assert ("<li><code>groups/hjerte.yaml:29:72: &#x27;statistics.monthly[1].patients&#x27; er &#x27;tolv&#x27;; "
            "forventede et helt tal (0 eller mere)</code></li>") in pages["da"]
    assert "<p>1 problem i 1 fil. Ret filen, og gem den: siden kommer selv tilbage.</p>" in pages["da"]
    assert '<html lang="en">' in pages["en"] and "<h1>The preview could not be built</h1>" in pages["en"]
    assert "<p>1 problem in 1 file. Fix the file and save it: this page comes back by itself.</p>" in pages["en"]
