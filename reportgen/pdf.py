"""HTML -> PDF with WeasyPrint, reading nothing but the project's own assets.

The renderer may fetch only files inside the assets folder (stylesheet) and
the house font's folder; any other URL, local or remote, fails the build.
Every WeasyPrint warning fails the build too: a missing font or a CSS rule
it cannot honour must never pass silently into a report.

The house font is the only font WeasyPrint can see: it renders with a font
configuration that holds no system font, so margin boxes, charts and
monospace text cannot fall back to one. A character the house font has no
glyph for would print as an empty box; it fails the build instead.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import BuildError
from .messages import _
from .pdf_tags import prepare as prepare_tagging, tagging_hooks

HOUSE_FONT_FAMILY = "DejaVu Sans"
HOUSE_FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf")


def house_font_dir() -> Path:
    """The house font (DejaVu Sans) as shipped with matplotlib, the same font the charts use."""
    import importlib.util

    spec = importlib.util.find_spec("matplotlib")  # found without importing it: no-op builds stay fast
    if spec is None or not spec.submodule_search_locations:
        raise BuildError(_("matplotlib is not installed; it provides the house font (DejaVu Sans)"))
    folder = Path(spec.submodule_search_locations[0]) / "mpl-data" / "fonts" / "ttf"
    check_house_font(folder)
    return folder


def check_house_font(folder: Path) -> None:
    """Fail unless every file of the house font is in `folder`."""
    missing = [name for name in HOUSE_FONT_FILES if not (Path(folder) / name).is_file()]
    if missing:
        raise BuildError(_("the house font {font} is missing ({files} not in {folder}); reinstall "
            "matplotlib, which ships it").format(
            font=HOUSE_FONT_FAMILY, files=", ".join(missing), folder=folder))


@dataclass(frozen=True)
class PdfMetadata:
    title: str
    author: str
    subject: str
    keywords: tuple[str, ...]
    lang: str
    created: dt.datetime


def source_date(fallback: dt.date) -> dt.datetime:
    """The PDF's date: SOURCE_DATE_EPOCH when set (reproducible builds), else the edition date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
        except ValueError:
            raise BuildError(_("SOURCE_DATE_EPOCH is '{epoch}'; expected a whole number of seconds").format(epoch=epoch)) from None
    return dt.datetime(fallback.year, fallback.month, fallback.day, tzinfo=dt.timezone.utc)


# --- what WeasyPrint may read -------------------------------------------------------


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetFetcher(URLFetcher):
        """Serves files from the allowed folders only; every other URL stops the rendering.

        `fetch` never calls the parent's: no request can leave the process.
        """

        def __init__(self, assets_dir: Path, font_dir: Path):
            super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=True)
            self.assets_dir = Path(assets_dir).resolve()
            self.font_dir = Path(font_dir).resolve()
            self.refused: list[str] = []  # "url: why", in the order WeasyPrint asked

        def resolve(self, url: str) -> Path:
            """The file behind `url`, or ValueError saying why it may not be read."""
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise ValueError(_("not a file of the project"))
            path = Path(unquote(parts.path)).resolve()
            if path.is_relative_to(self.assets_dir / "fonts") and path.name in HOUSE_FONT_FILES:
                path = self.font_dir / path.name  # the house font lives in matplotlib's folder
                if not path.is_file():
                    raise ValueError(_("the house font file {name} is missing from {font_dir}").format(name=path.name, font_dir=self.font_dir))
                return path
            if not path.is_relative_to(self.assets_dir):
                raise ValueError(_("outside the assets folder {assets_dir}").format(assets_dir=self.assets_dir))
            if not path.is_file():
                raise ValueError(_("no such file in the assets folder {assets_dir}").format(assets_dir=self.assets_dir))
            return path

        def fetch(self, url, headers=None):
            try:
                path = self.resolve(url)
            except ValueError as exc:
                self.refused.append(f"{url} ({exc})")
                raise
            mime = _MIME.get(path.suffix, "application/octet-stream")
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": mime})

    return AssetFetcher


_MIME = {".css": "text/css", ".ttf": "font/ttf", ".svg": "image/svg+xml", ".png": "image/png"}

# A fontconfig configuration without a single font or font folder: WeasyPrint
# adds the house font from the stylesheet's @font-face rules, and nothing else.
_NO_SYSTEM_FONTS = ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                    "<fontconfig></fontconfig>\n")


@contextmanager
def _house_font_configuration():
    """A WeasyPrint FontConfiguration that knows no system font."""
    from weasyprint.text.fonts import FontConfiguration

    with tempfile.TemporaryDirectory(prefix="reportgen-fonts-") as folder:
        config = Path(folder) / "fonts.conf"
        config.write_text(_NO_SYSTEM_FONTS, encoding="utf-8")
        previous = os.environ.get("FONTCONFIG_FILE")
        os.environ["FONTCONFIG_FILE"] = str(config)  # read once, when the configuration is created
        try:
            font_config = FontConfiguration()
        finally:
            if previous is None:
                del os.environ["FONTCONFIG_FILE"]
            else:
                os.environ["FONTCONFIG_FILE"] = previous
        yield font_config


@lru_cache(maxsize=4)
def _house_font_characters(folder: Path) -> frozenset[int]:
    """Code points every face of the house font has a glyph for."""
    from fontTools.ttLib import TTFont

    faces = [set(TTFont(folder / name, lazy=True)["cmap"].getBestCmap()) for name in HOUSE_FONT_FILES]
    return frozenset(set.intersection(*faces))


class _PageScan(HTMLParser):
    """What a page prints (text and SVG text, not styles or the head) and what it would attach."""

    SILENT = {"style", "script", "title", "head"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.chars: set[str] = set()
        self.attachments: list[str] = []
        self.silent = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag in self.SILENT:
            self.silent += 1
        attributes = dict(attrs)
        if tag in ("a", "link") and "attachment" in (attributes.get("rel") or "").lower().split():
            self.attachments.append(attributes.get("href") or "")

    def handle_endtag(self, tag):
        if tag in self.SILENT and self.silent:
            self.silent -= 1

    def handle_data(self, data):
        if not self.silent:
            self.chars.update(data)


def characters_without_glyph(html: str, font_dir: Path) -> list[str]:
    """Characters of the page's text that the house font cannot draw, in code point order."""
    covered = _house_font_characters(Path(font_dir))
    return sorted((c for c in _PageScan(html).chars
                   if ord(c) not in covered and not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf")),
                  key=ord)


def _refuse_attachments(html: str, name: str) -> None:
    """A report attaches no file: refused before WeasyPrint could fetch one."""
    attachments = _PageScan(html).attachments
    if attachments:
        raise BuildError(_("{name}: the PDF would carry an attached file ({attachments}); reports attach nothing (is"
            " there a rel=attachment link in a template?)").format(name=name, attachments=attachments[0]))


# --- warnings -------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _capture_warnings():
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    previous = logger.propagate
    logger.propagate = False  # reported by reportgen, not printed by WeasyPrint
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous


# --- rendering --------------------------------------------------------------------------


def _refuse_local_links(document, name: str) -> None:
    """A report links to no file on the build machine, and attaches nothing (the backstop)."""
    links = [(link_type, target) for page in document.pages for link_type, target, *_ in page.links]
    if document.metadata.attachments or any(link_type == "attachment" for link_type, _ in links):
        raise BuildError(_("{name}: the PDF would carry an attached file; reports attach nothing").format(name=name))
    for link_type, target in links:
        if link_type == "external" and urlsplit(target).scheme not in ("http", "https", "mailto"):
            raise BuildError(_("{name}: the PDF would link to {target}; a link in a PDF must be a web address "
                "(https://...) or point inside the report").format(name=name, target=target))


def _check_fonts(document, name: str) -> None:
    """Every font in the PDF is the house font (the font configuration allows no other)."""
    others = sorted({font.family for font in getattr(document, "fonts", {}).values()} - {HOUSE_FONT_FAMILY})
    if others:
        raise BuildError(_("{name}: the PDF uses the font(s) {items}; only the house font {font} may be"
            " used").format(
            name=name, items=", ".join(others), font=HOUSE_FONT_FAMILY))


# The contents' page numbers. With target-counter() WeasyPrint lays the contents page out three
# times (its numbers point forward, to pages not yet made). The stylesheet reserves their place
# with "00" instead, and they are written in once the pages are laid out: each number is
# right-aligned in that place, padded with figure spaces (as wide as a digit). A number that does
# not fit (page 100 and on) falls back on target-counter: one more layout, the same result.
CONTENTS_PLACEHOLDER = "00"
CONTENTS_FALLBACK = ('@media print { .toc a::after { content: leader(".") " " target-counter(attr(href), page) '
                     "!important } }")  # a user stylesheet: it must be !important to win over the author's
FIGURE_SPACE = "\u2007"


def _fill_contents_page_numbers(document) -> bool:
    """Write each contents entry's page number into its placeholder; False if one does not fit."""
    first_page = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            first_page.setdefault(anchor, number)
    placeholders = []
    for page in document.pages:
        for box in page._page_box.descendants():
            if box.element_tag != "a::after" or not (box.element.get("href") or "").startswith("#"):
                continue
            text = box.children[-1] if box.children else None
            if text is not None and getattr(text, "text", "").endswith(CONTENTS_PLACEHOLDER):
                target = unquote(box.element.get("href")[1:])
                placeholders.append((text, str(first_page.get(target, ""))))
    if any(not number or len(number) > len(CONTENTS_PLACEHOLDER) for _, number in placeholders):
        return False
    for text, number in placeholders:
        filled = text.text[:-len(CONTENTS_PLACEHOLDER)] + number.rjust(len(CONTENTS_PLACEHOLDER), FIGURE_SPACE)
        text.text = text.pango_layout.text = filled  # the layout is re-made from its text when drawn
    return True


def render_pdf(html: str, *, name: str, assets_dir: Path, metadata: PdfMetadata) -> bytes:
    """Render one document's HTML to PDF bytes (tagged, PDF/UA-1, only the house font, embedded)."""
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    font_dir = house_font_dir()
    check_house_font(font_dir)  # again: the folder may have changed since it was found
    missing = characters_without_glyph(html, font_dir)
    if missing:
        shown = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in missing[:5])
        raise BuildError(_("{name}: the text contains {shown}, which the house font {font} cannot show;"
            " replace or remove these characters in the group's texts").format(
            name=name, shown=shown, font=HOUSE_FONT_FAMILY))
    _refuse_attachments(html, name)
    fetcher = _fetcher_class()(assets_dir, font_dir)
    # Relative URLs ("assets/report.css") resolve against the assets' parent folder.
    base_url = Path(assets_dir).resolve().parent.as_uri() + "/"
    with _capture_warnings() as warnings, _house_font_configuration() as font_config, tagging_hooks():
        try:
            source = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
            document = source.render(font_config=font_config)
            if not _fill_contents_page_numbers(document):
                document = source.render(font_config=font_config,
                                         stylesheets=[weasyprint.CSS(string=CONTENTS_FALLBACK)])
            prepare_tagging(document)
            _refuse_local_links(document, name)
            meta = document.metadata
            meta.title = metadata.title
            meta.authors = [metadata.author]
            meta.description = metadata.subject
            meta.keywords = list(metadata.keywords)
            meta.lang = metadata.lang
            meta.created = metadata.created.strftime("%Y-%m-%dT%H:%M:%SZ")
            meta.modified = meta.created
            meta.generator = "reportgen"
            meta.attachments = []
            # pdf_identifier=True: the /ID is a hash of the content, the same on every build.
            pdf = document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=True, uncompressed_pdf=False)
        except FatalURLFetchingError as exc:
            if not fetcher.refused:  # an allowed file that could not be read
                fetcher.refused.append(f"{exc} ({exc.__cause__})")
        if fetcher.refused:
            raise BuildError(_("{name}: the PDF tried to read {refused}; only the project's own assets may be read (is "
                "there a link, image or stylesheet in a template or text?)").format(
                name=name, refused=fetcher.refused[0]))
    if warnings:
        raise BuildError(_("{name}: WeasyPrint warned: {warnings}").format(
            name=name, warnings="; ".join(dict.fromkeys(warnings))))
    _check_fonts(document, name)
    return pdf
