"""Tagged PDF that reads as the page reads: what WeasyPrint's tagging leaves out, added while it renders.

WeasyPrint tags each laid-out line as a span of text, page by page. Read back
from the tags, as a screen reader does, that text differs from the page's; this
module closes each gap with a hook into one step of WeasyPrint:

- line breaking (`split_text_box`): which line ends at a word break, which
  starts after one, and which ends in a hyphen the layout inserted;
- drawing (`Stream.marked`): a layout hyphen is drawn as an artifact, outside
  the tagged text, so the printed page still hyphenates while the tags read
  "rigtige", not "rigti‐ ge"; a word break at a line's end keeps its space
  (a space glyph, no ink): tagged text carries its word breaks explicitly, as
  ISO 32000-1 (14.8.2.5) asks; running heads, page numbers, leader dots and
  blocks hidden from assistive technology (aria-hidden) are artifacts;
- tagging (`_build_box_tree`): footnotes are `Note` elements with unique IDs,
  their numbers `Lbl`; table header cells say their scope; a chart's
  alternative text is its title and description; a link says what it is; an
  element in another language says so (/Lang);
- after tagging (`add_tags`): the pieces of one HTML element on successive
  pages become one element again (a paragraph over a page break is one
  paragraph), and the page-foot notes are read after the main text.

`prepare` flags, in the laid-out document, what the drawing hook needs to know
(artifacts, lines a <br> ends). The hooks are installed only while one document
renders (`tagging_hooks`); `check_weasyprint` refuses a WeasyPrint other than
the one they were written for, rather than producing PDFs that quietly read worse.

It is one module of some 430 lines because the hooks depend on each other's
marks (what `prepare` flags, the drawing hook reads) and on one WeasyPrint
version; kept together, an upgrade of WeasyPrint is checked in one place.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from functools import lru_cache
from io import BytesIO

from .errors import BuildError
from .messages import _

# Attributes set on WeasyPrint's boxes (plain objects; copies of a box keep them).
BREAK = "reportgen_break"  # on a text box ending a line: "space" (a word break) or "hyphen" (inserted)
LEADING_SPACE = "reportgen_leading_space"  # on a text box starting a line: a word break before it was dropped
ARTIFACT = "reportgen_artifact"  # on a box (and its descendants) drawn as an artifact, not tagged

_HOOKED = ("weasyprint.layout.inline.split_text_box", "weasyprint.pdf.stream.Stream.marked",
           "weasyprint.pdf.tags._build_box_tree", "weasyprint.pdf.add_tags")
SVG = "{http://www.w3.org/2000/svg}"


def check_weasyprint() -> None:
    """Fail unless WeasyPrint has the internals the hooks replace."""
    import weasyprint
    import weasyprint.layout.inline as inline
    import weasyprint.pdf as writer
    import weasyprint.pdf.stream as stream
    import weasyprint.pdf.tags as tags

    found = (getattr(inline, "split_text_box", None), getattr(stream.Stream, "marked", None),
             getattr(tags, "_build_box_tree", None), getattr(writer, "add_tags", None))
    major = int(weasyprint.__version__.split(".")[0])
    if None in found or major != 70:
        raise BuildError(_("WeasyPrint {version} is installed; reportgen's accessible tagging hooks into {hooks} of "
                           "WeasyPrint 70; install weasyprint 70.x").format(
            version=weasyprint.__version__, hooks=", ".join(_HOOKED)))


# --- line breaking ------------------------------------------------------------------------


def _split_text_box(original):
    def split_text_box(context, box, available_width, skip, is_line_start=True):
        new_box, resume, preserved_line_break = original(context, box, available_width, skip, is_line_start)
        if new_box is not None:
            setattr(new_box, BREAK, None)  # a copy must not keep the flags of the box it was split from
            setattr(new_box, LEADING_SPACE, False)
            if skip and not box.text.encode()[:skip].decode().strip():
                # The line starts after the space that began this text (the word break
                # before it fell between two lines and two pieces of text): put it back.
                setattr(new_box, LEADING_SPACE, True)
            if resume is not None and not preserved_line_break:
                consumed = box.text.encode()[skip or 0:resume].decode()
                hyphen = box.style["hyphenate_character"]
                if consumed[-1:].isspace() and not new_box.text[-1:].isspace():
                    setattr(new_box, BREAK, "space")
                elif (hyphen and new_box.text.endswith(hyphen)
                      and new_box.text[:-len(hyphen)].replace("\u00ad", "") == consumed.replace("\u00ad", "")):
                    setattr(new_box, BREAK, "hyphen")
        return new_box, resume, preserved_line_break

    return split_text_box


def prepare(document) -> None:
    """Flag, in the laid-out pages, what is drawn but is not text, and the lines a <br> ends.

    Artifacts: margin boxes (running heads, page numbers), leaders (the contents'
    dots) and block-level elements hidden from assistive technology (aria-hidden).
    """
    from weasyprint.formatting_structure import boxes

    def flag(box):
        setattr(box, ARTIFACT, True)
        for child in getattr(box, "children", ()):
            flag(child)

    def walk(box):
        for child in getattr(box, "children", ()):
            child = getattr(child, "_box", child)  # an absolutely positioned box, out of the flow
            element = getattr(child, "element", None)
            hidden = (element is not None and element.get("aria-hidden") == "true"
                      and isinstance(child, boxes.BlockLevelBox))
            if isinstance(child, boxes.MarginBox) or hidden or child.is_leader:
                flag(child)
            elif isinstance(child, boxes.LineBox):
                _line_broken_by_br(child)
                walk(child)
            else:
                walk(child)

    for page in document.pages:
        walk(page._page_box)
        # An artifact is no link either (a leader inside a contents entry would carry one, untagged).
        page.links = [link for link in page.links if not getattr(link[3], ARTIFACT, False)]


def _line_broken_by_br(line) -> None:
    """A line that a <br> ends breaks a word: its last text gets a space, as at any word break."""
    from weasyprint.formatting_structure import boxes

    leaves = []

    def collect(box):
        for child in getattr(box, "children", ()):
            if isinstance(child, boxes.TextBox) or child.element_tag == "br":
                leaves.append(child)
            elif isinstance(child, boxes.InlineBox):
                collect(child)

    collect(line)
    if not leaves or leaves[-1].element_tag != "br":
        return
    for leaf in reversed(leaves[:-1]):
        if isinstance(leaf, boxes.TextBox) and leaf.text.strip():
            if getattr(leaf, BREAK, None) is None and not leaf.text[-1].isspace():
                setattr(leaf, BREAK, "space")
            return


# --- drawing ------------------------------------------------------------------------------


_TJ = re.compile(rb"^\[(.*)\] TJ$", re.S)
_LAST_GLYPH = re.compile(rb"^(.*)<([0-9a-f]*?)([0-9a-f]{4})>(-?[0-9.]*)$", re.S)


@lru_cache(maxsize=16)
def _space_glyph(file_content: bytes, index: int) -> tuple[int, int]:
    """The space's glyph ID in a font and its advance in thousandths of the font size."""
    from fontTools.ttLib import TTFont

    font = TTFont(BytesIO(file_content), fontNumber=index, lazy=True)
    name = font.getBestCmap()[0x20]
    return font.getGlyphID(name), round(font["hmtx"][name][0] * 1000 / font["head"].unitsPerEm)


def _font(stream, name: str):
    for font in stream._fonts.values():
        if font.hash == name:
            return font
    return None


def _last_font(items) -> str | None:
    for item in reversed(items):
        text = item.decode() if isinstance(item, bytes) else str(item)
        if text.endswith(" Tf"):
            return text.split()[0].lstrip("/")
    return None


def _text_item(items, last: bool = True) -> int | None:
    positions = [i for i, item in enumerate(items) if isinstance(item, bytes) and _TJ.match(item)]
    return (positions[-1] if last else positions[0]) if positions else None


def _add_space(stream, items) -> None:
    """Append a space glyph (no ink) to the line's last shown text: its word break, in the tagged text."""
    index = _text_item(items)
    font = _font(stream, _last_font(items[:index] if index is not None else ()) or "")
    if index is None or font is None or font.bitmap:
        return
    glyph, width = _space_glyph(font.file_content, font.index)
    if font.to_unicode.setdefault(glyph, " ").strip():
        return  # the font maps that glyph to something else: leave the line as it is
    font.widths.setdefault(glyph, width)
    inner = _TJ.match(items[index]).group(1)
    items[index] = b"[" + inner + b"<%04x>] TJ" % glyph


def _add_leading_space(stream, items) -> None:
    """Prepend a space glyph to the line's first shown text and move back by its width: nothing moves."""
    index = _text_item(items, last=False)
    font = _font(stream, _last_font(items[:index]) or "") if index is not None else None
    if font is None or font.bitmap:
        return
    glyph, width = _space_glyph(font.file_content, font.index)
    if font.to_unicode.setdefault(glyph, " ").strip():
        return
    width = font.widths.setdefault(glyph, width)
    inner = _TJ.match(items[index]).group(1)
    items[index] = b"[<%04x>%d" % (glyph, width) + inner + b"] TJ"


def _hyphen_as_artifact(stream, items, hyphen: str) -> bool:
    """Draw a line's inserted hyphen outside its tagged text, as an artifact; True when done.

    `items` is the span's marked content: tag, properties, BDC, graphics state,
    BT, text state, TJ..., ET. The span is moved inside the text object so that it
    can end before the hyphen: BT ... BDC TJ EMC /Artifact BMC /Span <</ActualText ()>> BDC TJ EMC EMC ET.
    """
    import pydyf

    if b"BT" not in items or items[-1] != b"ET" or items.count(b"BT") != 1:
        return False
    index = _text_item(items)
    font = _font(stream, _last_font(items[:index]) or "") if index is not None else None
    if font is None or font.bitmap:
        return False
    match = _LAST_GLYPH.match(_TJ.match(items[index]).group(1))
    if not match or font.to_unicode.get(int(match.group(3), 16)) != hyphen:
        return False
    before, glyphs, last, adjust = match.groups()
    text = before + (b"<" + glyphs + b">" if glyphs else b"")
    begin = items.index(b"BT")
    marked, state, body = items[:3], items[3:begin], items[begin + 1:-1]
    position = index - begin - 1
    # Inside the artifact, an empty ActualText keeps the hyphen out of text extraction too
    # (pdftotext); poppler ignores an ActualText on the artifact's own marked content.
    body[position:position + 1] = ([b"[" + text + b"] TJ"] if text else []) + [
        b"EMC", "/Artifact", b"BMC", "/Span", pydyf.Dictionary({"ActualText": pydyf.String("")}), b"BDC",
        b"[<" + last + b">" + adjust + b"] TJ"]
    items[:] = state + [b"BT"] + marked + body + [b"EMC", b"EMC", b"ET"]
    return True


# The marked contents with an MCID in the page's tags, counted as they are added: counting them
# again for each piece of text made drawing a page quadratic in its text. The tags of one page are
# shared by its streams (a page and its groups), so the count goes with the dict itself.
_counted: list = [None, 0]  # [the page's tags, how many have an MCID]


def _next_mcid(tags: dict, box) -> int:
    """The MCID of `box`, about to be put in `tags` with one: those already with one, counted."""
    if _counted[0] is not tags:
        _counted[:] = [tags, sum(1 for kid in tags.values() if kid["mcid"] is not None)]
    mcid = _counted[1]
    old = tags.get(box)
    _counted[1] = mcid + 1 - (old is not None and old["mcid"] is not None)  # marked again: replaced
    return mcid


def _marked(original):
    import pydyf

    @contextmanager
    def marked(self, box, tag):
        if self._tags is None:
            yield
            return
        if getattr(box, ARTIFACT, False):
            old = self._tags.get(box)
            if old is not None and old["mcid"] is not None and _counted[0] is self._tags:
                _counted[1] -= 1  # marked again, now as an artifact
            self._tags[box] = {"tag": "Artifact", "mcid": None}
            self.begin_marked_content("Artifact")
            try:
                yield
            finally:
                self.end_marked_content()
            return
        mcid = _next_mcid(self._tags, box)
        self._tags[box] = {"tag": tag, "mcid": mcid}
        start = len(self.stream)
        self.begin_marked_content(tag, pydyf.Dictionary({"MCID": mcid}))
        closed = False
        try:
            yield
        finally:
            line_end = getattr(box, BREAK, None)
            items = self.stream[start:]
            if getattr(box, LEADING_SPACE, False):
                _add_leading_space(self, items)
            if line_end == "space":
                _add_space(self, items)
            elif line_end == "hyphen":
                closed = _hyphen_as_artifact(self, items, box.style["hyphenate_character"])
            self.stream[start:] = items
            if not closed:
                self.end_marked_content()

    return marked


# --- tagging ------------------------------------------------------------------------------


def _forget(box, tags) -> None:
    """Take an artifact's boxes out of the page's marked content: they have no structure element."""
    tags.pop(box, None)
    for child in getattr(box, "children", ()):
        _forget(child, tags)


def _unique_id(pdf, wanted: str) -> str:
    """`wanted`, or with a suffix when a note continued on the next page already has it."""
    used = pdf.__dict__.setdefault("reportgen_ids", set())
    candidate, n = wanted, 1
    while candidate in used:
        n += 1
        candidate = f"{wanted}-{n}"
    used.add(candidate)
    return candidate


def _build_box_tree(original):
    import pydyf

    def build_box_tree(box, parent, pdf, page_number, nums, annotations, tags):
        if getattr(box, ARTIFACT, False):
            _forget(box, tags)
            return
        for element in original(box, parent, pdf, page_number, nums, annotations, tags):
            source = getattr(box, "element", None)
            tag = getattr(box, "element_tag", None) or ""
            if source is not None and tag not in ("html", "body"):
                pdf.__dict__.setdefault("reportgen_sources", {})[element.number] = (id(source), tag)
            if source is not None and element["S"] != "/LI" and tag not in ("html", "body"):
                classes = (source.get("class") or "").split()
                if "fn-print" in classes and "::" not in tag:
                    element["S"] = "/Note"
                    element["ID"] = pydyf.String(_unique_id(pdf, source.get("id") or "note"))
                elif tag.endswith("::footnote-marker"):
                    element["S"] = "/Lbl"
                elif element["S"] == "/TH":
                    scope = source.get("scope")
                    element["A"]["Scope"] = "/Row" if scope == "row" else "/Column"
                elif element["S"] == "/Figure" and source.tag == f"{SVG}svg":
                    parts = [(source.find(f"{SVG}{name}").text or "").strip() for name in ("title", "desc")
                             if source.find(f"{SVG}{name}") is not None]
                    if any(parts):
                        element["Alt"] = pydyf.String(". ".join(p.rstrip(".") for p in parts if p) + ".")
                annotation = getattr(box, "link_annotation", None)
                if annotation is not None and element["S"] == "/Link":
                    # What a reader announces for the link: its label, else its text (WeasyPrint puts the target).
                    label = source.get("aria-label") or " ".join("".join(source.itertext()).split())
                    if label:
                        annotation["Contents"] = pydyf.String(label)
                lang = source.get("lang")
                if lang and "::" not in tag and source.tag != "html":
                    element["Lang"] = pydyf.String(lang)
            yield element

    return build_box_tree


# Elements never joined across pages: a table continued on the next page is tagged as a table
# of its own, with its header row repeated (WeasyPrint numbers its header cells per page).
_NOT_JOINED = {"/Table", "/THead", "/TBody", "/TFoot", "/TR", "/TH", "/TD", "/Figure", "/Link", "/Note"}


def _join_page_fragments(pdf) -> None:
    """One structure element per HTML element: join the pieces WeasyPrint tags page by page.

    WeasyPrint builds the tags of each page on its own, so a paragraph that runs
    onto the next page becomes two paragraphs (and a word hyphenated at the page's
    foot, two words), a section two sections. Consecutive siblings made from the
    same element are joined into the first, depth first.
    """
    sources = pdf.__dict__.get("reportgen_sources", {})

    def resolve(kid):
        if isinstance(kid, bytes) and kid.endswith(b" R"):
            return pdf.objects[int(kid.split()[0])]
        return None

    def is_element(kid) -> bool:
        target = resolve(kid)
        return target is not None and "S" in target

    def joinable(element) -> bool:
        return (element["S"] not in _NOT_JOINED and element.number in sources
                and all(is_element(kid) for kid in element["K"]))

    def join(container, anywhere: bool = False) -> None:
        """Join consecutive pieces; `anywhere`: also pieces apart (the pages' notes stand between them)."""
        kept, previous, first = [], None, {}
        for kid in container["K"]:
            element = resolve(kid)
            if anywhere and element is not None and element.number in sources:
                previous = first.setdefault((sources[element.number], element["S"]), element)
            if (element is not None and previous is not None and previous is not element
                    and joinable(element) and joinable(previous)
                    and sources[element.number] == sources[previous.number] and element["S"] == previous["S"]):
                for grandchild in element["K"]:
                    resolve(grandchild)["P"] = previous.reference
                    previous["K"].append(grandchild)
                continue
            kept.append(kid)
            previous = element if element is not None and "S" in element else None
        container["K"][:] = kept
        for kid in kept:
            element = resolve(kid)
            if element is not None and "K" in element and "S" in element:
                join(element)

    # The document's children are the pages' pieces of <main>, the notes at each page's foot
    # and the cover's banner: <main> becomes one part, read before the notes (as on the web,
    # where the notes close the page).
    for kid in resolve(pdf.catalog["StructTreeRoot"])["K"]:
        join(resolve(kid), anywhere=True)


def _add_tags(original):
    def add_tags(pdf, document, pdf_version, page_streams):
        original(pdf, document, pdf_version, page_streams)
        _join_page_fragments(pdf)

    return add_tags


@contextmanager
def tagging_hooks():
    """Install the hooks into WeasyPrint for one rendering (layout and writing), then remove them."""
    check_weasyprint()
    import weasyprint.layout.inline as inline
    import weasyprint.pdf.stream as stream
    import weasyprint.pdf.tags as tags

    import weasyprint.pdf as writer

    saved = inline.split_text_box, stream.Stream.marked, tags._build_box_tree, writer.add_tags
    inline.split_text_box = _split_text_box(saved[0])
    stream.Stream.marked = _marked(saved[1])
    tags._build_box_tree = _build_box_tree(saved[2])
    writer.add_tags = _add_tags(saved[3])
    try:
        yield
    finally:
        inline.split_text_box, stream.Stream.marked, tags._build_box_tree, writer.add_tags = saved
        _counted[:] = [None, 0]
