"""The PDFs, read back: pages, contents, footnotes, metadata, fonts, safety, reproducibility.

The shipped project is built once per session (`--format pdf --jobs 2`);
tiny projects from `projects.py` cover what the shipped data cannot show
(long words, long tables, a second build). Safety cases render hand-made
HTML through `render_pdf` with a local server that counts requests.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import io
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from pdfbuild import ROOT, build_pdfs
from projects import CANCER, HEART, write_project
from reportgen.cli import main
from reportgen.errors import BuildError
from reportgen.i18n import Strings
from reportgen.loader import load_project
from reportgen.pdf import HOUSE_FONT_FILES, PdfMetadata, house_font_dir, render_pdf, source_date

ASSETS = ROOT / "templates" / "assets"
EPOCH_PDF_DATE = "D:20231114221320Z"
A4 = (595.28, 841.89)  # points
SIDE_MARGIN = 18 / 25.4 * 72  # the print stylesheet's left and right page margin, in points
T = Strings("da", "da")
LONG_WORD = "Helgenomsekventering" * 10  # 200 characters, no place to break


# --- helpers ------------------------------------------------------------------------


class Pdf:
    """One PDF read back once: pages' text, words with their boxes, the catalog."""

    def __init__(self, path: Path):
        self.path = path
        self.reader = PdfReader(path)

    @functools.cached_property
    def texts(self) -> list[str]:
        return [page.extract_text() for page in self.reader.pages]

    @property
    def catalog(self):
        return self.reader.trailer["/Root"]

    def pages_with(self, text: str) -> list[int]:
        """1-based numbers of the pages whose text contains `text` (whitespace and hyphens ignored)."""
        wanted = squeeze(text)
        return [i + 1 for i, page in enumerate(self.texts) if wanted in squeeze(page)]

    def words(self) -> list[tuple[int, float, float, str]]:
        """(page, xMin, xMax, word) of every word, from poppler's pdftotext -bbox."""
        xhtml = subprocess.run(["pdftotext", "-bbox", str(self.path), "-"], capture_output=True, text=True,
                               check=True).stdout
        words, page = [], 0
        for line in xhtml.splitlines():
            if "<page " in line:
                page += 1
            match = re.search(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*)</word>', line)
            if match:
                words.append((page, float(match.group(1)), float(match.group(2)), match.group(3)))
        return words


def squeeze(text: str) -> str:
    """Text without whitespace, hyphens or soft hyphens: line breaks and hyphenation do not matter."""
    return re.sub(r"[\s\-\u00ad\u2010\u2011]", "", text)


def fonts(reader: PdfReader) -> dict[str, bool]:
    """BaseFont name -> whether its font program is embedded (FontFile2), over every page."""
    found = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            for part in font.get("/DescendantFonts", [font]):
                descriptor = part.get_object().get("/FontDescriptor")
                found[str(font["/BaseFont"])] = bool(descriptor and "/FontFile2" in descriptor.get_object())
    return found


def walk(obj, seen=None):
    """Every dictionary reachable from `obj` (for searching a whole file's structure)."""
    seen = set() if seen is None else seen
    if isinstance(obj, IndirectObject):
        if obj.idnum in seen:
            return
        seen.add(obj.idnum)
        obj = obj.get_object()
    if isinstance(obj, dict):
        yield obj
        for value in obj.values():
            yield from walk(value, seen)
    elif isinstance(obj, list):
        for value in obj:
            yield from walk(value, seen)


# --- the shipped project's PDFs --------------------------------------------------------


@pytest.fixture(scope="session")
def shipped(shipped_pdf_dir):
    """The shipped project's 19 PDFs, built once; (project, {name: Pdf})."""
    project = load_project(ROOT)
    return project, {path.stem: Pdf(path) for path in sorted(shipped_pdf_dir.glob("*.pdf"))}


def test_every_report_has_a_pdf(shipped):
    project, pdfs = shipped
    assert sorted(pdfs) == sorted([g.id for g in project.groups] + ["cancer", "rare"])
    assert len(pdfs) == 19


def test_pages_are_a4_and_counts_sensible(shipped):
    project, pdfs = shipped
    for name, pdf in pdfs.items():
        for page in pdf.reader.pages:
            size = (float(page.mediabox.width), float(page.mediabox.height))
            assert size == pytest.approx(A4, abs=0.5), name
    for category in ("rare", "cancer"):
        members = project.groups_in(category)
        consolidated = len(pdfs[category].reader.pages)
        # cover, contents, the comparison, the clinical effect, the texts, then the groups' key figures, several
        # to a page: at least as long as the longest group report (whose clinical effect takes two pages)
        assert consolidated >= max(len(pdfs[g.id].reader.pages) for g in members), category
    # 13 groups: 23 pages when each group had a page of its own (2 of them the clinical effect)
    assert len(pdfs["rare"].reader.pages) <= 16
    for group in project.groups:
        assert len(pdfs[group.id].reader.pages) >= 6, group.id


def test_cover_comes_first_with_the_banner_and_the_cut_off_note(shipped):
    project, pdfs = shipped
    for group in project.groups:
        cover = pdfs[group.id].texts[0]
        for fact in (group.name.get("da", "da")[0], group.network, T.network, T.edition, T.data_as_of):
            assert squeeze(fact) in squeeze(cover), (group.id, fact)
        assert squeeze(T.example_banner) in squeeze(cover), group.id  # the banner is on the cover, not before it
        assert "1. Opgjort med data til og med" in cover, group.id  # the cut-off note at the cover's foot


def test_contents_on_page_2_point_at_the_right_pages(shipped):
    project, pdfs = shipped
    group_entries = [T.summary, T.key_figures, T.indications, T.statistics, T.diagnostic_yield,
                     T.clinical_effect, T.cases, T.perspectives]
    for name, pdf in pdfs.items():
        contents = pdf.texts[1]
        assert T.contents in contents, name
        entries = re.findall(r"^(\S.*?)\s*\.{3,}\s*(\d+)$", contents, re.MULTILINE)
        titles = [title for title, _ in entries]
        if name not in ("rare", "cancer"):
            assert titles[:len(group_entries)] == group_entries, name
        assert len(entries) >= 6, name
        numbers = [int(number) for _, number in entries]
        assert numbers == sorted(numbers) and numbers[0] >= 3 and numbers[-1] <= len(pdf.texts), name
        for title, number in entries:
            assert int(number) in pdf.pages_with(title), (name, title, number)


def test_running_header_and_page_footer(shipped):
    project, pdfs = shipped
    for group in project.groups:
        pdf = pdfs[group.id]
        total = len(pdf.texts)
        assert "side 1 af" not in pdf.texts[0]  # no footer on the cover
        for number in range(2, total + 1):
            text = pdf.texts[number - 1]
            assert f"side {number} af {total}" in text, (group.id, number)
            if number > 2:
                assert group.name.get("da", "da")[0] in text, (group.id, number)


def test_each_unit_definition_is_a_footnote_on_a_page_showing_the_unit(shipped):
    project, pdfs = shipped
    units = yaml.safe_load((ROOT / "reportgen.yaml").read_text(encoding="utf-8"))["units"]
    without_effects = {g.id for g in project.groups if not g.effects}
    assert without_effects  # a group that records no effects yet: it shows no relatives
    for name, pdf in pdfs.items():
        for key, unit in units.items():
            definition, label = unit["definition"]["da"], unit["label"]["da"]
            pages = pdf.pages_with(definition)
            if key == "relatives" and name in without_effects:
                assert pages == [], (name, key, pages)  # no count of relatives, so no note
                continue
            assert len(pages) == 1, (name, key, pages)  # printed once, where the unit first appears
            assert squeeze(label).lower() in squeeze(pdf.texts[pages[0] - 1]).lower(), (name, key)


def test_footnotes_are_numbered_as_on_the_website(shipped):
    from reportgen.render import Document, render_document, templates_dir
    from reportgen.suppression import publish_project

    project, _ = shipped
    published = publish_project(project)
    for document in (Document("group", "arvelige-hjertesygdomme"), Document("consolidated", "rare")):
        common = dict(root="", lang_prefix="", other_languages=[], pdf_available=False,
                      templates=templates_dir(ROOT))
        web = render_document(project, published, document, "da", **common)
        printed = render_document(project, published, document, "da", medium="print", **common)
        web_notes = re.findall(r'<li id="fn-(\d+)"[^>]*>([^<]*)</li>', web)
        print_notes = re.findall(r'<span class="fn-print" data-number="(\d+)"[^>]*>([^<]*)</span>', printed)
        assert print_notes == web_notes and len(web_notes) >= 5, document


def test_long_tables_fit_the_page_width(shipped):
    _, pdfs = shipped
    watermark = {T.example_watermark, T.draft_watermark}
    for name, pdf in pdfs.items():
        for page, left, right, word in pdf.words():
            if word in watermark:
                continue
            assert left >= SIDE_MARGIN - 1 and right <= A4[0] - SIDE_MARGIN + 1, (name, page, word, left, right)


def test_the_groups_key_figures_follow_one_another_in_the_consolidated_report(shipped):
    project, pdfs = shipped
    for category in ("rare", "cancer"):
        pdf = pdfs[category]
        pages = []
        for group in project.groups_in(category):
            name = group.name.get("da", "da")[0]
            caption = f"{T.key_figures} – {name}"
            found = pdf.pages_with(caption)
            assert len(found) == 1, (category, group.id, found)
            # the group's heading, note and whole table on that one page, never split
            text = squeeze(pdf.texts[found[0] - 1])
            table = text.split(squeeze(caption), 1)[1]
            assert squeeze(T.diagnostic_yield_ci) in table, (category, group.id)
            pages.extend(found)
        assert pages == sorted(pages), category  # in the order of the groups
        members = len(project.groups_in(category))
        assert pages[-1] - pages[0] + 1 <= -(-members // 2), (category, pages)  # at least two groups a page
        assert squeeze(T.group_key_figures) in squeeze(pdf.texts[pages[0] - 1]), category  # under its heading


def test_charts_are_vector_graphics_with_real_text(shipped):
    _, pdfs = shipped
    for name, pdf in pdfs.items():
        for page in pdf.reader.pages:
            xobjects = page["/Resources"].get("/XObject") or {}
            assert not [x for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image"], name
    # every label of every chart (ticks, axis titles, legend) is text on one page of the PDF
    from reportgen.render import Document, render_document, templates_dir
    from reportgen.suppression import publish_project

    project, _ = shipped
    html = render_document(project, publish_project(project), Document("group", "arvelige-hjertesygdomme"), "da",
                           root="", lang_prefix="", other_languages=[], pdf_available=False,
                           templates=templates_dir(ROOT), medium="print")
    heart = pdfs["arvelige-hjertesygdomme"]
    charts = re.findall(r'<figure class="chart" id="(chart-[a-z-]+)">(.*?)</figure>', html, re.S)
    assert len(charts) == 3  # monthly analyses and the funnel plots of regional rates and yields
    for key, figure in charts:
        labels = re.findall(r"<text[^>]*>([^<]+)</text>", figure.split("</svg>")[0])
        assert len(labels) >= 8, key
        pages = [squeeze(text) for text in heart.texts]
        assert any(all(squeeze(label) in text for label in labels) for text in pages), (key, labels)


def test_metadata_from_the_report_and_source_date_epoch(shipped):
    project, pdfs = shipped
    for name, pdf in pdfs.items():
        info = pdf.reader.metadata
        assert info["/Author"] == project.config.publisher
        assert info["/Creator"] == "reportgen"
        assert info["/Subject"] and "WGS" in info["/Keywords"]
        assert info["/CreationDate"] == info["/ModDate"] == EPOCH_PDF_DATE, name
        assert pdf.catalog["/Lang"] == "da"
        xmp = pdf.catalog["/Metadata"].get_object().get_data().decode()
        assert "<pdfuaid:part>1</pdfuaid:part>" in xmp or 'pdfuaid:part="1"' in xmp
        assert "2023-11-14T22:13:20Z" in xmp
    for group in project.groups:
        assert pdfs[group.id].reader.metadata["/Title"] == f"{T.status_report}: {group.name.get('da', 'da')[0]}"
    assert pdfs["rare"].reader.metadata["/Title"] == project.consolidated["rare"].title.get("da", "da")[0]


def test_tagged_embedded_house_font_no_attachments_no_javascript(shipped):
    _, pdfs = shipped
    for name, pdf in pdfs.items():
        catalog = pdf.catalog
        assert bool(catalog["/MarkInfo"]["/Marked"]), name
        assert "/StructTreeRoot" in catalog, name
        names = catalog.get("/Names", {})
        assert "/EmbeddedFiles" not in names and "/JavaScript" not in names, name
        assert "/OpenAction" not in catalog and "/AA" not in catalog, name
        for found in walk(pdf.reader.trailer):  # nowhere in the file: script, file attachment
            assert "/JS" not in found and found.get("/S") != "/JavaScript", name
            assert found.get("/Type") not in ("/EmbeddedFile", "/Filespec"), name
        used = fonts(pdf.reader)
        assert used and all(used.values()), (name, used)  # every font embedded
        assert all(re.fullmatch(r"/[A-Z]{6}\+DejaVu-Sans(-Bold)?(-Oblique|-Italic)?", f) for f in used), used
        for page in pdf.reader.pages:
            for annotation in page.get("/Annots") or []:
                annotation = annotation.get_object()
                assert annotation["/Subtype"] == "/Link", (name, annotation)
                action = annotation.get("/A") or {}
                assert action.get("/S") in (None, "/URI", "/GoTo"), (name, action)
                assert not str(action.get("/URI", "")).startswith("file:"), (name, action)


def test_qpdf_finds_no_errors_and_no_path_of_the_build_machine(shipped):
    _, pdfs = shipped
    for name, pdf in pdfs.items():
        result = subprocess.run(["qpdf", "--check", str(pdf.path)], capture_output=True, text=True)
        assert result.returncode == 0 and "No syntax or stream encoding errors found" in result.stdout, (
            name, result.stdout, result.stderr)
    for name in ("arvelige-hjertesygdomme", "rare"):
        plain = subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(pdfs[name].path), "-"],
                               capture_output=True, check=True).stdout
        assert str(ROOT).encode() not in plain and b"file://" not in plain, name


def test_pdffonts_lists_only_the_house_font(shipped):
    _, pdfs = shipped
    for name in ("arvelige-hjertesygdomme", "rare"):
        listing = subprocess.run(["pdffonts", str(pdfs[name].path)], capture_output=True, text=True,
                                 check=True).stdout.splitlines()[2:]
        assert listing and all("DejaVu-Sans" in line and " yes yes yes " in line for line in listing), listing
        assert not any(word in line for line in listing for word in ("Serif", "Mono", "Condensed", "Liberation"))


# --- tiny projects ---------------------------------------------------------------------------


def stress_group(indications: int = 45) -> str:
    """The heart group as a draft, with many indications (a table over two pages) and 200-character words."""
    head, rest = HEART.split("indications:\n")
    statistics = rest.split("statistics:\n")[1].split("  monthly:\n")[0]
    cases = HEART.split("cases:\n")[1]
    rows = []
    listed = []
    for i in range(1, indications + 1):
        title = f"Indikation {LONG_WORD}" if i == 1 else f"Indikation nummer {i}"
        listed.append(f"  - code: MI{i}\n    title: {title}\n    criteria: Kriterier {i}.\n"
                      "    expected_patients_per_year: 10\n")
        region = "hovedstaden" if i % 2 else "sjaelland"
        rows.append(f"    - {{month: 2024-0{1 + i % 5}, region: {region}, indication: MI{i}, patients: {6 + i}, "
                    f"analyses: {{germline: {6 + i}, somatic: 0, rna: 0}}, diagnosed: 2}}\n")
    head = head.replace("  Et kort resumé.\n", f"  Et kort resumé med et langt ord: {LONG_WORD}.\n")
    head = head.replace("  status: approved\n", "  status: draft\n")
    cases = cases.replace("En familie får svar", f"Svar {LONG_WORD}").replace("indication: HJ1", "indication: MI1")
    return (head + "indications:\n" + "".join(listed) + "statistics:\n" + statistics + "  monthly:\n"
            + "".join(rows) + "cases:\n" + cases)


@pytest.fixture(scope="module")
def stress_project(tmp_path_factory):
    """A tiny project with the stress group, built once (drafts included); its root."""
    root = write_project(tmp_path_factory.mktemp("stress"), {"hjerte": stress_group(), "kraeft": CANCER})
    result = build_pdfs(root, root / "build", "--include-drafts")
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture(scope="module")
def stress(stress_project):
    return Pdf(stress_project / "build" / "pdf" / "hjerte.pdf")


def test_a_draft_says_so_on_every_page(stress, shipped):
    assert squeeze(T.draft_banner) in squeeze(stress.texts[0])
    assert squeeze(T.example_banner) in squeeze(stress.texts[0])
    assert all(T.draft_watermark in text for text in stress.texts)
    _, pdfs = shipped  # approved, but example data
    assert all(T.example_watermark in text and T.draft_watermark not in text
               for pdf in pdfs.values() for text in pdf.texts)


def test_long_words_wrap_inside_the_page(stress):
    assert len(stress.pages_with(LONG_WORD)) >= 3  # summary, the indication's heading and row, the case
    for page, left, right, word in stress.words():
        if word not in (T.example_watermark, T.draft_watermark):
            assert left >= SIDE_MARGIN - 1 and right <= A4[0] - SIDE_MARGIN + 1, (page, word, left, right)


def test_a_long_table_breaks_between_rows_and_repeats_its_header(stress):
    pages = stress.pages_with("Faktisk/forventet")  # a heading only the table by indication has
    assert len(pages) == 2 and pages[1] == pages[0] + 1, pages
    first, second = (squeeze(stress.texts[page - 1]) for page in pages)
    assert squeeze("MI1: Indikation") in first and squeeze("MI10: Indikation nummer 10") in first
    assert squeeze("MI45: Indikation nummer 45") in second and squeeze("MI1: Indikation") not in second
    assert squeeze(f"{T.indication} Patienter") in second  # the header row again, above the rest


def test_two_builds_are_byte_identical_wherever_they_run(stress_project, tmp_path):
    copy = tmp_path / "elsewhere" / "project"
    shutil.copytree(stress_project, copy, ignore=shutil.ignore_patterns("build"))
    result = build_pdfs(copy, tmp_path / "out", "--include-drafts")
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (tmp_path / "out" / "pdf").glob("*.pdf"))
    assert names == ["cancer.pdf", "hjerte.pdf", "kraeft.pdf", "rare.pdf"]
    for name in names:
        one = (stress_project / "build" / "pdf" / name).read_bytes()
        assert one == (tmp_path / "out" / "pdf" / name).read_bytes(), name
        trailer_id = PdfReader(io.BytesIO(one)).trailer["/ID"]
        assert trailer_id[0] == trailer_id[1] and len(trailer_id[0]) == 32


def test_source_date_epoch_sets_the_date_else_the_edition_date(monkeypatch):
    edition = dt.date(2024, 6, 28)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1740830400")
    assert source_date(edition) == dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert source_date(edition) == dt.datetime(2024, 6, 28, tzinfo=dt.timezone.utc)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "tomorrow")
    with pytest.raises(BuildError) as error:
        source_date(edition)
    assert str(error.value) == "SOURCE_DATE_EPOCH is 'tomorrow'; expected a whole number of seconds"


# --- render_pdf on hand-made HTML: what may be read -------------------------------------------


class CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802
        CountingHandler.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"p { color: red }")

    def log_message(self, format, *args):
        pass


@pytest.fixture
def counting_server():
    """A throwaway server on 127.0.0.1; yields its base URL; `CountingHandler.requests` lists what it got."""
    CountingHandler.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


METADATA = PdfMetadata(title="Test", author="Nationalt Genom Center", subject="Test", keywords=("WGS",), lang="da",
                       created=dt.datetime(2024, 6, 28, tzinfo=dt.timezone.utc))


def page(body: str, head: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Test</title>'
            f'<link rel="stylesheet" href="assets/report.css">{head}</head>'
            f"<body><main><h1 class=\"report-title\">Test</h1><p>Tekst.</p>{body}</main></body></html>")


def render(html: str, assets: Path = ASSETS) -> bytes:
    return render_pdf(html, name="test.pdf", assets_dir=assets, metadata=METADATA)


def test_a_web_link_is_a_link_not_a_request(counting_server):
    pdf = PdfReader(io.BytesIO(render(page(f'<p><a href="{counting_server}/side">et link</a></p>'))))
    assert "Tekst." in pdf.pages[0].extract_text()
    uris = [a.get_object()["/A"]["/URI"] for a in pdf.pages[0].get("/Annots") or []]
    assert uris == [f"{counting_server}/side"]
    assert CountingHandler.requests == []


OUTSIDE = [
    pytest.param("", '<img src="{url}" alt="x">', id="img"),
    pytest.param('<link rel="stylesheet" href="{url}">', "", id="stylesheet"),
    pytest.param('<style>body {{ background: url("{url}") }}</style>', "", id="css_url"),
    pytest.param('<style>@import url("{url}");</style>', "", id="css_import"),
    pytest.param('<style>@font-face {{ font-family: X; src: url("{url}") }} p {{ font-family: X }}</style>', "",
                 id="font_face"),
    pytest.param("", '<object data="{url}" type="image/png"></object>', id="object"),
    pytest.param("", '<svg width="10" height="10"><image href="{url}" width="10" height="10"/></svg>', id="svg_image"),
    pytest.param('<link rel="attachment" href="{url}">', "", id="link_attachment"),
    pytest.param("", '<a rel="attachment" href="{url}">bilag</a>', id="a_attachment"),
]


@pytest.mark.parametrize("head, body", OUTSIDE)
def test_a_local_file_is_never_read(head, body):
    url = "file:///etc/passwd"
    with pytest.raises(BuildError) as error:
        render(page(body.format(url=url), head.format(url=url)))
    message = str(error.value)
    assert message.startswith("test.pdf: the PDF ")
    assert url in message


@pytest.mark.parametrize("head, body", OUTSIDE)
def test_a_local_server_gets_no_request(head, body, counting_server):
    url = f"{counting_server}/x.css"
    with pytest.raises(BuildError) as error:
        render(page(body.format(url=url), head.format(url=url)))
    assert url in str(error.value)
    assert CountingHandler.requests == []


def test_the_refusal_message_says_what_to_do():
    with pytest.raises(BuildError) as error:
        render(page('<img src="file:///etc/passwd" alt="x">'))
    assert str(error.value) == (
        f"test.pdf: the PDF tried to read file:///etc/passwd (outside the assets folder {ASSETS}); only the "
        "project's own assets may be read (is there a link, image or stylesheet in a template or text?)")


def test_an_attachment_from_the_assets_is_refused_too():
    with pytest.raises(BuildError, match=r"would carry an attached file .*report\.css"):
        render(page('<a rel="attachment" href="assets/report.css">bilag</a>'))


def test_a_relative_link_to_a_local_file_is_refused():
    with pytest.raises(BuildError, match=r"would link to file:///.*/templates/other\.html; a link in a PDF must"):
        render(page('<p><a href="other.html">en anden rapport</a></p>'))


def test_texts_with_local_urls_are_refused_by_the_loader(tmp_path, capsys, counting_server):
    bad = HEART.replace("  Et kort resumé.\n", (
        "  Et kort resumé.\n\n"
        '  <img src="file:///etc/passwd">\n'
        f'  <link rel="attachment" href="{counting_server}/a">\n'
        f"  ![billede]({counting_server}/b.png)\n"
        "  [adgangskoder](file:///etc/passwd)\n"))
    root = write_project(tmp_path, {"hjerte": bad, "kraeft": CANCER})
    assert main(["check", str(root)]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert errors[0].startswith('groups/hjerte.yaml:17:3: raw HTML (<img src="file:///etc/passwd">) in the text;')
    assert errors[1].startswith('groups/hjerte.yaml:18:3: raw HTML (<link rel="attachment" href="')
    assert errors[2] == "groups/hjerte.yaml:19:3: an image (![...](...)); images are not supported in report texts"
    assert errors[3] == ("groups/hjerte.yaml:20:3: a link starting with 'file:'; links may only start with "
                         "https://, http:// or mailto:")
    assert errors[4] == "4 problems in 1 file; nothing was built"
    assert main(["build", str(root), "--format", "pdf", "--jobs", "1", "--out", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out" / "pdf").exists()
    assert CountingHandler.requests == []


# --- fonts ------------------------------------------------------------------------------


def test_a_missing_house_font_fails_the_build(tmp_path, monkeypatch):
    incomplete = tmp_path / "fonts"
    incomplete.mkdir()
    for name in HOUSE_FONT_FILES[:-1]:
        shutil.copy(house_font_dir() / name, incomplete)
    monkeypatch.setattr("reportgen.pdf.house_font_dir", lambda: incomplete)
    with pytest.raises(BuildError) as error:
        render(page(""))
    assert str(error.value) == (
        f"the house font DejaVu Sans is missing ({HOUSE_FONT_FILES[-1]} not in {incomplete}); "
        "reinstall matplotlib, which ships it")


def test_a_font_file_that_cannot_be_fetched_fails_the_build(tmp_path, monkeypatch):
    incomplete = tmp_path / "fonts"
    incomplete.mkdir()
    for name in HOUSE_FONT_FILES[1:]:
        shutil.copy(house_font_dir() / name, incomplete)
    monkeypatch.setattr("reportgen.pdf.house_font_dir", lambda: incomplete)
    monkeypatch.setattr("reportgen.pdf.check_house_font", lambda folder: None)  # reach the fetcher
    monkeypatch.setattr("reportgen.pdf.characters_without_glyph", lambda html, folder: [])
    with pytest.raises(BuildError, match=r"the house font file DejaVuSans\.ttf is missing from "):
        render(page(""))


def test_an_unknown_font_in_the_stylesheet_fails_the_build(tmp_path):
    assets = tmp_path / "assets"
    shutil.copytree(ASSETS, assets)
    css = assets / "report.css"
    css.write_text(css.read_text(encoding="utf-8").replace("fonts/DejaVuSans.ttf", "fonts/HouseSans.ttf"),
                   encoding="utf-8")
    with pytest.raises(BuildError, match=r"tried to read file://.*/assets/fonts/HouseSans\.ttf \(no such file in"):
        render(page(""), assets=assets)


def test_monospace_text_and_margin_boxes_use_the_house_font():
    html = page("<p><code>kode</code> <pre>blok</pre> <em><strong>fed kursiv</strong></em></p>",
                head='<style>@page { @bottom-left { content: "sidefod"; font-family: serif } }</style>')
    used = fonts(PdfReader(io.BytesIO(render(html))))
    assert used and all(re.fullmatch(r"/[A-Z]{6}\+DejaVu-Sans(-Bold)?(-Oblique|-Italic)?", f) for f in used), used


def test_a_character_the_house_font_lacks_fails_the_build():
    with pytest.raises(BuildError) as error:
        render(page("<p>Genom 漢字 og ✓</p>"))
    assert str(error.value) == (
        "test.pdf: the text contains '字' (U+5B57), '漢' (U+6F22), which the house font DejaVu Sans cannot show; "
        "replace or remove these characters in the group's texts")


# --- layout: the contents' page numbers ------------------------------------------------------


@pytest.fixture
def page_layouts(monkeypatch):
    """A list that grows by one each time WeasyPrint lays out a page."""
    import weasyprint.layout.page as layout_page

    calls = []
    original = layout_page.make_page
    monkeypatch.setattr(layout_page, "make_page", lambda *args: calls.append(args[4]) or original(*args))
    return calls


def test_each_page_is_laid_out_once(shipped, page_layouts):
    """The contents' page numbers are written in after layout: no repagination (target-counter made 3 of page 2)."""
    from reportgen.render import Document, render_document, templates_dir
    from reportgen.suppression import publish_project

    project, pdfs = shipped
    html = render_document(project, publish_project(project), Document("group", "arvelige-hjertesygdomme"), "da",
                           root="", lang_prefix="", other_languages=[], pdf_available=False,
                           templates=templates_dir(ROOT), medium="print")
    pages = len(PdfReader(io.BytesIO(render(html))).pages)
    assert page_layouts == list(range(1, pages + 1)) and pages >= 6


def contents_page(sections: int) -> str:
    entries = "".join(f'<li><a href="#s{i}">Afsnit {i}</a></li>' for i in range(1, sections + 1))
    body = "".join(f'<section id="s{i}" style="break-before: page"><h2>Afsnit {i}</h2></section>'
                   for i in range(1, sections + 1))
    return page(f'<nav class="toc"><h2>Indhold</h2><ol>{entries}</ol></nav>{body}')


def test_contents_numbers_are_right_aligned_in_their_place(page_layouts):
    pdf = PdfReader(io.BytesIO(render(contents_page(3))))
    text = pdf.pages[0].extract_text()
    assert re.findall(r"Afsnit (\d)\s*\.{3,}\s*(\d+)", text) == [("1", "2"), ("2", "3"), ("3", "4")]
    assert len(page_layouts) == len(pdf.pages) == 4  # the contents on page 1, a page for each section


def test_contents_numbers_that_do_not_fit_fall_back_on_target_counter(monkeypatch, page_layouts):
    monkeypatch.setattr("reportgen.pdf.CONTENTS_PLACEHOLDER", "0")  # room for one digit: page 10 does not fit
    pdf = PdfReader(io.BytesIO(render(contents_page(10))))
    numbers = re.findall(r"Afsnit (\d+)\s*\.{3,}\s*(\d+)", pdf.pages[0].extract_text())
    assert numbers == [(str(i), str(i + 1)) for i in range(1, 11)]
    assert len(page_layouts) > len(pdf.pages)  # laid out again, as WeasyPrint does for target-counter
