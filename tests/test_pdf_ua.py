"""PDF/UA-1 (ISO 14289-1) read back from the 19 PDFs, and the text a screen reader gets from their tags.

veraPDF, the reference validator, cannot be installed here; its published
PDF/UA-1 rules are the specification. This file checks, with pikepdf, the
machine-checkable rules that apply to these documents (no forms, no optional
content, no encryption, no embedded files), named by veraPDF's rule numbers:

  5       the file says it is PDF/UA-1 (pdfuaid:part 1 in the XMP metadata)
  7.1     content is tagged or an artifact, never both (7.1-1, 7.1-2, 7.1-3);
          structure types are standard (7.1-4); the file is marked (7.1-11),
          has a title in its metadata (7.1-8, 7.1-9) and displays it (7.1-10)
  7.2     tables and lists are well formed (7.2-3 ... 7.2-21); every table
          row has as many cells as its table has columns (7.2-42); the
          language of all text is known (7.2-34: the document's /Lang)
  7.3     every figure has alternative text (7.3-1)
  7.4     headings begin with H1 and never skip a level (7.4.2-1)
  7.5     table header cells say their scope, data cells name their
          headers, and those headers exist in the same table (7.5-1, 7.5-2)
  7.9     footnotes are Note elements, each with an ID, unique (7.9-1, 7.9-2)
  7.18    links are tagged Link with their annotation (7.18.5-1), say what they
          are (/Contents, 7.18.5-2), and pages with annotations have a tab
          order that follows the structure (7.18.3-1)
  7.21    every font is embedded (7.21.4.1-1) and maps its glyphs to Unicode
          (7.21.7-1)

What the rules cannot see, a reader can: `test_the_tags_read_as_the_html_reads`
compares poppler's reading of the tags with the HTML (tests/tagtext.py says
what counts as visible and as the same).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import subprocess
from collections import Counter
from pathlib import Path

import pikepdf
import pytest

import tagtext
from pdfbuild import ROOT
from reportgen.pdf import PdfMetadata, render_pdf

ASSETS = ROOT / "templates" / "assets"

# ISO 32000-1, 14.8.4: the standard structure types.
STANDARD_TYPES = {
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index", "NonStruct",
    "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L", "LI", "Lbl", "LBody", "Table", "TR", "TH", "TD",
    "THead", "TBody", "TFoot", "Span", "Quote", "Note", "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby",
    "RB", "RT", "RP", "Warichu", "WT", "WP", "Figure", "Formula", "Form"}
# Operators that paint: each must stand in tagged content or in an artifact (7.1-3).
PAINTING = {"Tj", "TJ", "'", '"', "f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "sh", "Do", "BI"}


# --- reading the files --------------------------------------------------------------------


class Tagged:
    """One PDF opened with pikepdf: its structure elements (in document order) and its pages."""

    def __init__(self, path: Path):
        self.path = path
        self.pdf = pikepdf.open(path)
        self.root = self.pdf.Root.StructTreeRoot
        self.elements: list[tuple[pikepdf.Dictionary, pikepdf.Dictionary | None]] = []  # (element, parent)
        self.marked: set[tuple[int, int]] = set()  # (page object number, MCID) the tree reaches
        self._walk(self.root)

    def _walk(self, node):
        kids = node.get("/K")
        if kids is None:
            return
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            if isinstance(kid, int):
                self.marked.add((node.Pg.objgen[0], int(kid)))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                self.marked.add(((kid.get("/Pg") or node.Pg).objgen[0], int(kid.MCID)))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                continue
            elif isinstance(kid, pikepdf.Dictionary):
                self.elements.append((kid, None if node is self.root else node))
                self._walk(kid)

    def of_type(self, kind: str) -> list[pikepdf.Dictionary]:
        return [element for element, _ in self.elements if str(element.S) == f"/{kind}"]

    def children(self, element) -> list[pikepdf.Dictionary]:
        kids = element.get("/K")
        kids = kids if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
        return [kid for kid in kids if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]


def kind(element) -> str:
    return str(element.S)[1:]


@pytest.fixture(scope="session")
def tagged(shipped_pdf_dir):
    return {path.stem: Tagged(path) for path in sorted(shipped_pdf_dir.glob("*.pdf"))}


# --- 5 and 7.1: identification, title, marked content -----------------------------------------------


def test_5_and_7_1_the_file_says_it_is_pdf_ua_marked_titled_and_shows_its_title(tagged):
    assert len(tagged) == 19
    for name, doc in tagged.items():
        root = doc.pdf.Root
        assert root.MarkInfo.Marked is True and root.MarkInfo.get("/Suspects") is not True, name
        assert root.ViewerPreferences.DisplayDocTitle is True, name
        assert str(root.Lang) == "da", name
        with doc.pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1", name
            title = xmp.get("dc:title")
        assert title and title == str(doc.pdf.docinfo.Title), name


def _content_ops(doc: Tagged):
    """(page number, page object, operator, operands, marked-content stack) for every operator on every page."""
    for number, page in enumerate(doc.pdf.pages, start=1):
        stack: list[tuple[str, int | None]] = []
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op in ("BMC", "BDC"):
                properties = operands[1] if op == "BDC" else None
                mcid = int(properties.MCID) if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties \
                    else None
                stack.append((str(operands[0]), mcid))
            elif op == "EMC":
                stack.pop()
            yield number, page, op, operands, list(stack)
        assert not stack, (doc.path.name, number)


def test_7_1_content_is_tagged_or_an_artifact_never_both(tagged):
    for name, doc in tagged.items():
        used = set()
        for number, page, op, operands, stack in _content_ops(doc):
            if op in ("BMC", "BDC"):
                tag, mcid = stack[-1]
                outer = stack[:-1]
                if mcid is not None:
                    assert not any(t == "/Artifact" for t, _ in outer), (name, number, "tagged inside an artifact")
                    assert not any(m is not None for _, m in outer), (name, number, "MCID inside MCID")
                    used.add((page.objgen[0], mcid))
                if tag == "/Artifact":
                    assert not any(m is not None for _, m in outer), (name, number, "artifact inside tagged text")
            elif op in PAINTING:
                assert any(t == "/Artifact" or m is not None for t, m in stack), (name, number, op)
        # every piece of tagged content belongs to an element of the tree, and the tree to content
        assert used == doc.marked, (name, sorted(used ^ doc.marked)[:5])


def test_7_1_structure_types_are_standard(tagged):
    for name, doc in tagged.items():
        role_map = doc.root.get("/RoleMap") or {}
        for element, _ in doc.elements:
            found = kind(element)
            assert found in STANDARD_TYPES or str(role_map.get(f"/{found}", ""))[1:] in STANDARD_TYPES, (name, found)


# --- 7.2 and 7.5: tables and lists --------------------------------------------------------------


PARENTS = {"TR": {"Table", "THead", "TBody", "TFoot"}, "THead": {"Table"}, "TBody": {"Table"}, "TFoot": {"Table"},
           "TH": {"TR"}, "TD": {"TR"}, "LI": {"L"}, "LBody": {"LI"}}
CHILDREN = {"Table": {"TR", "THead", "TBody", "TFoot", "Caption"}, "TR": {"TH", "TD"},
            "THead": {"TR"}, "TBody": {"TR"}, "TFoot": {"TR"}, "L": {"L", "LI", "Caption"}, "LI": {"Lbl", "LBody"}}


def test_7_2_tables_and_lists_are_well_formed(tagged):
    counted = Counter()
    for name, doc in tagged.items():
        parents = {element.objgen: parent for element, parent in doc.elements}
        for element, _ in doc.elements:
            found = kind(element)
            counted[found] += 1
            parent = parents[element.objgen]
            if found in PARENTS:
                assert parent is not None and kind(parent) in PARENTS[found], (name, found, parent and kind(parent))
            if found in CHILDREN:
                kids = {kind(kid) for kid in doc.children(element)}
                assert kids <= CHILDREN[found], (name, found, kids - CHILDREN[found])
    assert counted["Table"] >= 19 * 3 and counted["L"] >= 19, counted  # the rules met tables and lists


def _rows(doc: Tagged, table) -> list:
    rows = []
    for kid in doc.children(table):
        if kind(kid) == "TR":
            rows.append(kid)
        elif kind(kid) in ("THead", "TBody", "TFoot"):
            rows.extend(k for k in doc.children(kid) if kind(k) == "TR")
    return rows


def test_7_2_and_7_5_every_row_is_complete_and_every_cell_has_its_headers(tagged):
    for name, doc in tagged.items():
        for table in doc.of_type("Table"):
            rows = _rows(doc, table)
            widths = {sum(int((cell.get("/A") or {}).get("/ColSpan", 1)) for cell in doc.children(row)) for row in rows}
            assert len(widths) == 1, (name, widths)  # 7.2-42: a regular table
            ids = {str(cell.ID) for row in rows for cell in doc.children(row) if kind(cell) == "TH"}
            for row in rows:
                for cell in doc.children(row):
                    attributes = cell.get("/A") or {}
                    if kind(cell) == "TH":
                        assert str(attributes.get("/Scope")) in ("/Row", "/Column"), (name, "TH without scope")
                    else:
                        headers = {str(h) for h in attributes.get("/Headers", [])}
                        assert headers and headers <= ids, (name, headers - ids)  # 7.5-2


# --- 7.3 and 7.4: figures and headings -----------------------------------------------------------


def test_7_3_every_figure_has_alternative_text(tagged):
    figures = 0
    for name, doc in tagged.items():
        for figure in doc.of_type("Figure"):
            figures += 1
            alt = str(figure.get("/Alt", "")) or str(figure.get("/ActualText", ""))
            assert len(alt) > 40 and alt.endswith("."), (name, alt)  # the chart's title and description
    assert figures >= 17 * 2 + 2 * 2  # two charts in every report


def test_7_4_headings_begin_with_h1_and_never_skip_a_level(tagged):
    for name, doc in tagged.items():
        levels = [int(kind(e)[1]) for e, _ in doc.elements if re.fullmatch(r"H[1-6]", kind(e))]
        assert not doc.of_type("H"), name  # numbered headings only, not mixed with H
        assert levels[0] == 1, (name, levels[:3])
        for before, after in zip(levels, levels[1:]):
            assert after <= before + 1, (name, before, after)


# --- 7.9 and 7.18: notes and links ---------------------------------------------------------------


def _destinations(doc: Tagged) -> set[str]:
    names = doc.pdf.Root.get("/Names", {}).get("/Dests")
    return set(pikepdf.NameTree(names).keys()) if names is not None else set()


def _links(doc: Tagged):
    for number, page in enumerate(doc.pdf.pages, start=1):
        for annotation in page.get("/Annots") or []:
            yield number, page, annotation


def test_7_9_footnotes_are_notes_with_unique_ids_that_their_calls_link_to(tagged):
    for name, doc in tagged.items():
        notes = doc.of_type("Note")
        ids = [str(note.get("/ID", "")) for note in notes]
        assert len(notes) >= 5 and all(ids), (name, ids)
        assert len(set(ids)) == len(ids), (name, ids)  # unique in the file
        destinations = _destinations(doc)
        called = {str(annotation.get("/Dest", "")) for _, _, annotation in _links(doc)}
        for note_id in ids:
            assert note_id in destinations and note_id in called, (name, note_id)


def test_7_18_links_are_tagged_say_what_they_are_and_pages_follow_the_structure(tagged):
    for name, doc in tagged.items():
        parent_tree = pikepdf.NumberTree(doc.root.ParentTree)
        links = 0
        for number, page, annotation in _links(doc):
            links += 1
            assert annotation.Subtype == "/Link", (name, number)
            contents = str(annotation.get("/Contents", ""))
            assert contents and contents != str(annotation.get("/Dest", "")), (name, number, contents)
            element = parent_tree[int(annotation.StructParent)]
            assert kind(element) == "Link", (name, number)
            kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
            assert any(isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR" and k.Obj.objgen ==
                       annotation.objgen for k in kids), (name, number)
            assert page.Tabs == "/S", (name, number)
        assert links >= 10, name  # the contents and the footnote calls


# --- 7.21: fonts -----------------------------------------------------------------------------------


def _fonts(resources, seen):
    for font in (resources.get("/Font") or {}).values():
        if font.objgen not in seen:
            seen.add(font.objgen)
            yield font
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.objgen not in seen and "/Resources" in xobject:
            seen.add(xobject.objgen)
            yield from _fonts(xobject.Resources, seen)


def test_7_21_every_font_is_embedded_and_maps_to_unicode(tagged):
    for name, doc in tagged.items():
        seen = set()
        fonts = [font for page in doc.pdf.pages for font in _fonts(page.Resources, seen)]
        assert fonts, name
        for font in fonts:
            assert "/ToUnicode" in font, (name, font.BaseFont)
            for part in font.get("/DescendantFonts", [font]):
                descriptor = part.FontDescriptor
                assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), (name, font.BaseFont)
            cmap = font.ToUnicode.read_bytes().decode("latin-1")
            targets = re.findall(r"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]*)>", cmap)
            assert targets and all(t and t.upper() not in ("FFFD", "0000") for t in targets), (name, font.BaseFont)


# --- languages --------------------------------------------------------------------------------------


def test_a_passage_in_another_language_says_so():
    html = ('<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Test</title>'
            '<link rel="stylesheet" href="assets/report.css"></head><body><main><h1>Prøve</h1>'
            '<p>En dansk sætning.</p><p lang="en">An English sentence.</p>'
            '<p>Dansk med <span lang="de">ein deutsches Wort</span> i.</p></main></body></html>')
    metadata = PdfMetadata(title="Test", author="Nationalt Genom Center", subject="Test", keywords=("WGS",),
                           lang="da", created=dt.datetime(2024, 6, 28, tzinfo=dt.timezone.utc))
    pdf = pikepdf.open(io.BytesIO(render_pdf(html, name="test.pdf", assets_dir=ASSETS, metadata=metadata)))
    assert str(pdf.Root.Lang) == "da"
    languages = {}

    def walk(node):
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                if "/Lang" in kid:
                    languages[str(kid.S)] = str(kid.Lang)
                walk(kid)

    walk(pdf.Root.StructTreeRoot)
    assert languages == {"/P": "en", "/Span": "de"}


# --- what a reader hears -----------------------------------------------------------------------------


@functools.cache
def _shipped():
    """The shipped project and its published figures, loaded and chosen once for every test."""
    from reportgen.loader import load_project
    from reportgen.suppression import publish_project

    project = load_project(ROOT)
    return project, publish_project(project)


@functools.cache
def _html(name: str) -> str:
    from reportgen.render import Document, render_document, templates_dir

    project, published = _shipped()
    document = Document("consolidated" if name in project.consolidated else "group", name)
    return render_document(project, published, document, "da", root="", lang_prefix="", other_languages=[],
                           pdf_available=False, templates=templates_dir(ROOT), medium="print")


def test_the_tags_read_as_the_html_reads(shipped_pdf_dir):
    """All 19 PDFs: poppler's reading of the tags is the HTML's visible text, word for word."""
    for path in sorted(shipped_pdf_dir.glob("*.pdf")):
        flow, notes = tagtext.html_visible(_html(path.stem))
        tree = tagtext.struct_tree(path)
        found = tagtext.pdf_flow(tree)
        assert tagtext.flow_pattern(flow).fullmatch(found), (path.stem, tagtext.first_difference(flow, found))
        assert tagtext.pdf_notes(tree) == notes and len(notes) >= 5, path.stem


def test_the_reader_text_definition_catches_a_split_word(shipped_pdf_dir):
    """The comparison is strict: a hyphen, a lost space or a split word in the tags would fail it."""
    flow, _ = tagtext.html_visible(_html("arvelige-hjertesygdomme"))
    found = tagtext.pdf_flow(tagtext.struct_tree(shipped_pdf_dir / "arvelige-hjertesygdomme.pdf"))
    pattern = tagtext.flow_pattern(flow)
    assert pattern.fullmatch(found)
    word = "helgenomsekventering"
    assert word in found
    for broken in ("helgenom\u2010sekventering", "helgenom sekventering", "helgenom\u00adsekventering"):
        assert not pattern.fullmatch(found.replace(word, broken, 1)), broken
    assert not pattern.fullmatch(found.replace("hjertesygdomme Udgave", "hjertesygdommeUdgave", 1))


def test_no_word_is_split_in_the_tags_or_the_extracted_text_while_print_still_hyphenates(shipped_pdf_dir):
    hyphens = 0
    for path in sorted(shipped_pdf_dir.glob("*.pdf")):
        html = _html(path.stem)
        assert "\u2010" not in html and "\u00ad" not in html  # so every such character is the layout's
        texts = [node.text for node in tagtext.walk(tagtext.struct_tree(path)) if not node.kind]
        assert not [t for t in texts if "\u2010" in t or "\u00ad" in t], path.stem
        extracted = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "\u2010" not in extracted and "\u00ad" not in extracted, path.stem
        for page in pikepdf.open(path).pages:
            stack: list[str] = []
            for operands, operator in pikepdf.parse_content_stream(page, "BMC BDC EMC"):
                if str(operator) == "EMC":
                    stack.pop()
                    continue
                if "/Artifact" in stack and str(operator) == "BDC" and str(operands[1].get("/ActualText", "-")) == "":
                    hyphens += 1
                stack.append(str(operands[0]))
    assert hyphens >= 100  # the printed pages still hyphenate: each such hyphen drawn as an artifact


UNITS = r"(%|patient|WGS|analyse|genomækvivalent|prøve|pr\.)"


def test_a_number_and_its_unit_stay_on_one_line(shipped_pdf_dir):
    """No line of a paragraph, item or cell ends with a number whose unit begins the next line.

    Each printed line is a text item of its own in the tags; a footnote's call is
    an element of its own, so "Patienter²" above "WGS-analyser" in a table is
    no line break inside one text.
    """
    lines = 0
    for path in sorted(shipped_pdf_dir.glob("*.pdf")):
        for node in tagtext.walk(tagtext.struct_tree(path)):
            # each line a Span holding one text item; None where something else stands between
            texts = [child.children[0].text if child.kind == "Span" and len(child.children) == 1
                     and not child.children[0].kind else None for child in node.children]
            lines += sum(text is not None for text in texts)
            for line, following in zip(texts, texts[1:]):
                if line is not None and following is not None:
                    assert not (re.search(r"\d\s*$", line) and re.match(UNITS, following)), (path.stem, line,
                                                                                              following)
    assert lines > 1000
