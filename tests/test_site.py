"""The website built from the shipped project, in a real browser and through the validators.

The site is built once (HTML only, both languages). Every page is then
opened in headless Chromium: crawled for errors, failed, outside or broken
requests and links; checked by axe-core (WCAG 2.0/2.1 A and AA, and axe's
best practices: every piece of content inside a landmark) and for the
structure the reports promise (the example-data banner opening the main
content, the footer's link to the accessibility statement, the language,
one h1 and no skipped heading level, header cells with a scope, charts with
a text alternative and a data table, no outside resources, relative links);
measured at phone width for sideways scrolling. The Nu HTML Checker
validates every page meanwhile, in a thread of its own. Screenshots of a
group page and a consolidated page, at desktop and phone widths, are saved
in test-artifacts/ for people to look at.
"""

from __future__ import annotations

import concurrent.futures
import io
import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

import webcheck
from projects import CANCER, CONFIG, HEART, write_project
from reportgen.build import build
from reportgen.equity import regional_equity
from reportgen.errors import InputError
from reportgen.i18n import Strings
from reportgen.loader import load_project
from reportgen.render import Document, render_document, templates_dir
from reportgen.suppression import publish_project

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
DESKTOP, PHONE = (1280, 800), (390, 844)
GROUP_PAGE, CONSOLIDATED_PAGE = "neurogenetik.html", "rare.html"

# The structure every page promises, read from the live DOM. Returns facts, not verdicts:
# the test below says what is wrong, in Python.
_STRUCTURE_JS = r"""() => {
  const text = (el) => (el ? el.textContent.replace(/\s+/g, ' ').trim() : null);
  const banner = document.querySelector('.example-banner');
  const bannerBox = banner ? banner.getBoundingClientRect() : null;
  const headings = Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'),
                              (h) => [Number(h.tagName[1]), text(h).slice(0, 60)]);
  const looseTh = Array.from(document.querySelectorAll('th'))
    .filter((th) => !th.hasAttribute('scope') && !th.closest('thead')).map((th) => text(th));
  const charts = Array.from(document.querySelectorAll('svg'), (svg) => {
    const figure = svg.closest('figure.chart');
    const title = svg.querySelector(':scope > title');
    const names = (svg.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean);
    return {
      figure: figure ? figure.id : null,
      role: svg.getAttribute('role'),
      title: text(title),
      labelledBy: names.every((id) => document.getElementById(id)) && names.length > 0,
      table: !!(figure && figure.querySelector('table th[scope=row]')),
    };
  });
  const urls = [];
  for (const el of document.querySelectorAll('[href], [src], [action], [data], [srcset], [poster], [style]')) {
    for (const attr of ['href', 'src', 'action', 'data', 'srcset', 'poster']) {
      if (el.hasAttribute(attr)) urls.push({tag: el.localName, attr: attr, value: el.getAttribute(attr),
                                            rel: el.getAttribute('rel') || ''});
    }
    const style = el.getAttribute('style') || '';
    if (/url\(/i.test(style)) urls.push({tag: el.localName, attr: 'style', value: style, rel: ''});
  }
  for (const use of document.querySelectorAll('use')) {
    const value = use.getAttribute('href') || use.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
    urls.push({tag: 'use', attr: 'xlink:href', value: value, rel: ''});
  }
  return {
    lang: document.documentElement.getAttribute('lang'),
    banner: text(banner),
    bannerShown: !!bannerBox && bannerBox.height > 0 && getComputedStyle(banner).display !== 'none',
    bannerOpensMain: !!banner && document.querySelector('main').firstElementChild === banner,
    footerLinks: Array.from(document.querySelectorAll('body > footer a'),
                            (a) => [text(a), a.getAttribute('href')]),
    headings: headings,
    looseTh: looseTh,
    figures: Array.from(document.querySelectorAll('figure.chart'), (f) => [f.id, !!f.querySelector('svg')]),
    charts: charts,
    urls: urls,
    scripts: document.scripts.length,
  };
}"""

# Elements sticking out of the page at phone width, outside a box that scrolls by itself.
_OVERFLOW_JS = r"""() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const inScroller = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && !inScroller(el)) {
      out.push(el.localName + (el.id ? '#' + el.id : '') + (el.className && el.className.baseVal === undefined
               ? '.' + String(el.className).split(' ')[0] : ''));
    }
  }
  return {scrollWidth: root.scrollWidth, width: width, sticking: out.slice(0, 10)};
}"""


@dataclass
class Site:
    dir: Path
    pages: list[str]  # relative paths of every HTML page, e.g. "index.html", "en/rare.html"
    vnu: concurrent.futures.Future  # the Nu HTML Checker's errors


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("shipped")
    build(REPO, out=out, formats={"html"}, jobs=2, stream=io.StringIO())
    site_dir = out / "site"
    pages = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html"))
    # The Nu HTML Checker (Java) validates every page meanwhile, on the other core.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        vnu = pool.submit(webcheck.vnu, [site_dir / p for p in pages], root=site_dir)
        yield Site(site_dir, pages, vnu)


@pytest.fixture(scope="module")
def browsed(site, browser):
    """Every page opened once: axe-core, the structure, and the width at phone size."""
    results = {}
    with webcheck.serve(site.dir) as base:
        context = browser.new_context(viewport={"width": DESKTOP[0], "height": DESKTOP[1]})
        page = context.new_page()  # one tab for all: a new one per page costs more than the checks
        try:
            for name in site.pages:
                page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
                page.goto(base + name)
                result = page.evaluate(_STRUCTURE_JS)
                result["axe"] = webcheck.axe(page, webcheck.AXE_TAGS_STRICT)
                page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
                result["phone"] = page.evaluate(_OVERFLOW_JS)
                results[name] = result
        finally:
            context.close()
    return results


def test_the_shipped_site_has_every_page(site):
    project = load_project(REPO)
    expected = {f"{g.id}.html" for g in project.groups} | {"rare.html", "cancer.html", "index.html"}
    assert set(site.pages) == expected | {f"en/{name}" for name in expected}
    assert len(site.pages) == 2 * (17 + 3)


def test_crawl_finds_no_errors_failed_or_outside_requests_or_broken_links(site, browser, site_server):
    assert webcheck.crawl(browser, site_server(site.dir), site.dir) == []


def test_every_page_passes_axe_with_best_practices(browsed):
    violations = [f"{name}: {v}" for name, result in browsed.items() for v in result["axe"]]
    assert violations == []


def test_axe_best_practices_catch_content_outside_landmarks(browser):
    """The check above can fail: a notice outside every landmark is what it finds."""
    page = browser.new_page()
    try:
        page.set_content('<!DOCTYPE html><html lang="da"><head><title>Prøve</title></head><body>'
                         '<header><p>Titel</p></header><p class="notice">Eksempeldata</p>'
                         '<main><h1>Rapport</h1></main><footer><p>Udgiver</p></footer></body></html>')
        assert webcheck.axe(page) == []
        assert webcheck.axe(page, webcheck.AXE_TAGS_STRICT) == [
            "region: All page content should be contained by landmarks (.notice)"]
    finally:
        page.close()


def test_every_page_is_valid_html(site):
    assert site.vnu.result(timeout=300) == []


def test_every_page_says_the_figures_are_examples(browsed):
    for name, result in browsed.items():
        lang = "en" if name.startswith("en/") else "da"
        assert result["banner"] == Strings(lang).example_banner, name
        assert result["bannerShown"] and result["bannerOpensMain"], name


def test_every_footer_links_the_accessibility_statement(browsed):
    url = load_project(REPO).config.accessibility_statement
    assert url and url.startswith("https://")
    for name, result in browsed.items():
        lang = "en" if name.startswith("en/") else "da"
        assert [Strings(lang).accessibility_statement, url] in result["footerLinks"], name
    assert ["Tilgængelighedserklæring", url] in browsed["index.html"]["footerLinks"]
    assert ["Accessibility statement", url] in browsed["en/index.html"]["footerLinks"]


def test_every_page_states_its_language(browsed):
    assert {name: r["lang"] for name, r in browsed.items()} == \
        {name: "en" if name.startswith("en/") else "da" for name in browsed}


def test_one_h1_and_no_skipped_heading_level(browsed):
    problems = []
    for name, result in browsed.items():
        levels = [level for level, _ in result["headings"]]
        if levels.count(1) != 1 or levels[0] != 1:
            problems.append(f"{name}: {levels.count(1)} h1 elements; the first heading is h{levels[0]}")
        for (before, _), (level, heading) in zip(result["headings"], result["headings"][1:]):
            if level > before + 1:
                problems.append(f"{name}: h{before} followed by h{level} ('{heading}')")
    assert problems == []


def test_every_header_cell_has_a_scope(browsed):
    assert {name: r["looseTh"] for name, r in browsed.items() if r["looseTh"]} == {}


def test_every_chart_has_a_text_alternative_and_a_data_table(browsed):
    problems, count = [], 0
    for name, result in browsed.items():
        for figure, has_svg in result["figures"]:
            if not has_svg:
                problems.append(f"{name}: figure #{figure} holds no chart")
        for chart in result["charts"]:
            count += 1
            if not (chart["figure"] and chart["role"] == "img" and chart["title"] and chart["labelledBy"]
                    and chart["table"]):
                problems.append(f"{name}: {chart}")
    assert problems == []
    # two per group (monthly analyses, regional rates), one more where the yields of the regions can be
    # compared (a funnel plot), two per consolidated report, one on the index; in two languages
    project = load_project(REPO)
    published = publish_project(project)
    yield_funnels = sum(regional_equity(project.config, published.group(g.id), published.outcomes.group(g.id))
                        .yields is not None for g in project.groups)
    assert yield_funnels >= 15
    assert count == 2 * (17 * 2 + yield_funnels + 2 * 2 + 1)


def test_no_script_and_nothing_loaded_from_outside(browsed):
    statement = load_project(REPO).config.accessibility_statement  # the one link of the site's own that leads out
    problems = []
    for name, result in browsed.items():
        if result["scripts"]:
            problems.append(f"{name}: {result['scripts']} script elements")
        for url in result["urls"]:
            value = url["value"] or ""
            outside = urlsplit(value).scheme not in ("", "mailto", "data") or value.startswith("//") \
                or "url(" in value and any(s in value for s in ("http:", "https:", "//"))
            # A link written in a text may lead out; it is a plain link, made safe by the sanitiser.
            from_text = url["tag"] == "a" and url["attr"] == "href" and url["rel"] == "noopener noreferrer" \
                and value.startswith(("https://", "http://"))
            if outside and not from_text and not (url["tag"] == "a" and value == statement):
                problems.append(f"{name}: <{url['tag']} {url['attr']}=\"{value}\">")
    assert problems == []


def test_links_are_relative_and_lead_to_files(browsed, site):
    """Relative links to files (never to folders): the site works from a sub-folder and from file://."""
    problems = []
    for name, result in browsed.items():
        for url in result["urls"]:
            value = url["value"] or ""
            if url["attr"] == "style" or urlsplit(value).scheme or value.startswith("#"):
                continue
            if value.startswith("/"):
                problems.append(f"{name}: <{url['tag']} {url['attr']}=\"{value}\"> is not relative")
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), urldefrag(value).url))
            if target.startswith("../") or not (site.dir / target).is_file():
                problems.append(f"{name}: <{url['tag']} {url['attr']}=\"{value}\"> leads to no file of the site")
    assert problems == []
    for css in sorted((site.dir / "assets").glob("*.css")):
        for line in css.read_text(encoding="utf-8").splitlines():
            if "url(" in line and any(s in line for s in ('url("/', "url(/", "http:", "https:", "url(//")):
                problems.append(f"{css.name}: {line.strip()}")
    assert problems == []


def test_pages_open_from_the_file_system(site, browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto((site.dir / "en" / GROUP_PAGE).as_uri())
        page.evaluate("() => document.fonts.ready")
        styled = page.evaluate("""() => ({
          header: getComputedStyle(document.querySelector('.site-header')).backgroundColor,
          font: document.fonts.check('16px "DejaVu Sans"'),
          sheets: document.styleSheets.length,
        })""")
        assert styled == {"header": "rgb(31, 78, 121)", "font": True, "sheets": 3}
        page.click("text=Dansk")
        assert page.url == (site.dir / GROUP_PAGE).as_uri()
    finally:
        context.close()


def test_no_page_scrolls_sideways_on_a_phone(browsed):
    wide = {name: r["phone"] for name, r in browsed.items()
            if r["phone"]["scrollWidth"] > r["phone"]["width"] or r["phone"]["sticking"]}
    assert wide == {}


def test_screenshots_at_desktop_and_phone_width(site, browser, site_server):
    """For people to look at (test-artifacts/); axe also checks these pages at phone width."""
    base = site_server(site.dir)
    context = browser.new_context()
    try:
        page = context.new_page()
        for name in (GROUP_PAGE, CONSOLIDATED_PAGE):
            page.goto(base + name)
            for label, (width, height) in (("desktop", DESKTOP), ("phone", PHONE)):
                path = webcheck.screenshot(page, ARTIFACTS / f"{Path(name).stem}-{label}.png", width, height)
                assert path.stat().st_size > 10_000
            # At phone width: scrolling boxes must be reachable by keyboard.
            assert webcheck.axe(page, webcheck.AXE_TAGS_STRICT) == []
    finally:
        context.close()


# --- draft editions ------------------------------------------------------------------


def _draft(text: str) -> str:
    return text.replace("  status: approved", "  status: draft", 1)


def test_a_draft_edition_is_left_out_and_nothing_links_to_it(tmp_path):
    root = write_project(tmp_path, {"hjerte": _draft(HEART), "kraeft": CANCER})
    build(root, out=root / "build", formats={"html"}, jobs=1, stream=io.StringIO())
    site_dir = root / "build" / "site"
    assert sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html")) == [
        "cancer.html", "en/cancer.html", "en/index.html", "en/kraeft.html", "en/rare.html",
        "index.html", "kraeft.html", "rare.html"]
    for name in ("index.html", "rare.html", "en/index.html", "en/rare.html"):
        page = (site_dir / name).read_text(encoding="utf-8")
        assert "hjerte.html" not in page, name
    index = (site_dir / "index.html").read_text(encoding="utf-8")
    assert "<h3>Arvelige hjertesygdomme</h3>" in index
    assert '<p class="not-published">Ny udgave af rapporten er under udarbejdelse.</p>' in index
    assert not (site_dir / "data" / "hjerte.csv").exists()


def test_an_edition_turned_draft_disappears_from_an_incremental_build(tmp_path):
    root = write_project(tmp_path)
    site_dir = root / "build" / "site"
    build(root, out=root / "build", formats={"html"}, jobs=1, stream=io.StringIO())
    assert 'href="hjerte.html"' in (site_dir / "rare.html").read_text(encoding="utf-8")
    (root / "groups" / "hjerte.yaml").write_text(_draft(HEART), encoding="utf-8")
    build(root, out=root / "build", formats={"html"}, jobs=1, stream=io.StringIO())
    assert not (site_dir / "hjerte.html").exists()
    for name in ("index.html", "rare.html", "en/index.html", "en/rare.html"):
        assert "hjerte.html" not in (site_dir / name).read_text(encoding="utf-8"), name


def test_with_include_drafts_the_draft_is_built_marked_and_linked(tmp_path):
    root = write_project(tmp_path, {"hjerte": _draft(HEART), "kraeft": CANCER})
    build(root, out=root / "build", formats={"html"}, jobs=1, include_drafts=True, stream=io.StringIO())
    site_dir = root / "build" / "site"
    for name in ("index.html", "rare.html", "en/index.html", "en/rare.html"):
        assert 'href="hjerte.html"' in (site_dir / name).read_text(encoding="utf-8"), name
    assert Strings("da").draft_banner in (site_dir / "hjerte.html").read_text(encoding="utf-8")

    project = load_project(root)
    published = publish_project(project)

    def render(document, include_drafts):
        return render_document(project, published, document, "da", root="", lang_prefix="", other_languages=[],
                               pdf_available=False, templates=templates_dir(root), include_drafts=include_drafts)

    index, rare = Document("index", "index"), Document("consolidated", "rare")
    assert 'href="hjerte.html"' not in render(index, False) + render(rare, False)
    assert '<h3><a href="hjerte.html">Arvelige hjertesygdomme</a></h3>' in render(index, True)
    assert '<th scope="row"><a href="hjerte.html">Arvelige hjertesygdomme</a></th>' in render(rare, True)
    page = render(Document("group", "hjerte"), True)
    assert f'<p class="draft-banner" role="note">{Strings("da").draft_banner}</p>' in page


def test_a_draft_consolidated_report_is_not_linked_from_the_index(tmp_path):
    root = write_project(tmp_path)
    path = root / "groups" / "consolidated" / "rare.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: approved", "status: draft"),
                    encoding="utf-8")
    project = load_project(root)
    index = render_document(project, publish_project(project), Document("index", "index"), "da", root="",
                            lang_prefix="", other_languages=[], pdf_available=False,
                            templates=templates_dir(root))
    assert 'href="rare.html"' not in index
    assert 'href="cancer.html"' in index


# --- texts in another language ----------------------------------------------------------------


def test_a_text_missing_in_english_is_marked_danish_and_the_page_says_so(tmp_path):
    root = write_project(tmp_path)  # HJ1's title and the texts are written in Danish only
    project = load_project(root)
    page = render_document(project, publish_project(project), Document("group", "hjerte"), "en", root="../",
                           lang_prefix="en/", other_languages=[], pdf_available=False,
                           templates=templates_dir(root))
    assert f'<p class="lang-note">{Strings("en").texts_in_other_language}</p>' in page
    assert '<h3 id="ind-HJ1">HJ1: <span lang="da">Kardiomyopati</span></h3>' in page
    assert '<dd><span lang="da">Netværket for arvelige hjertesygdomme</span></dd>' in page
    assert '<div lang="da"><p>Et kort resumé.</p>' in page
    danish = render_document(project, publish_project(project), Document("group", "hjerte"), "da", root="",
                             lang_prefix="", other_languages=[], pdf_available=False,
                             templates=templates_dir(root))
    assert "lang-note" not in danish and 'lang="da"' not in danish.split("<body>")[1]


# --- the accessibility statement --------------------------------------------------------------


def _index(root, lang="da"):
    project = load_project(root)
    return render_document(project, publish_project(project), Document("index", "index"), lang, root="",
                           lang_prefix="", other_languages=[], pdf_available=False, templates=templates_dir(root))


def test_the_footer_links_the_accessibility_statement_set_in_reportgen_yaml(tmp_path):
    config = CONFIG + "accessibility_statement:\n  url: https://www.was.digst.dk/eksempel-dk\n"
    root = write_project(tmp_path / "with", config=config)
    assert '<p><a href="https://www.was.digst.dk/eksempel-dk">Tilgængelighedserklæring</a></p>' in _index(root)
    assert '<p><a href="https://www.was.digst.dk/eksempel-dk">Accessibility statement</a></p>' in \
        _index(root, "en")
    without = write_project(tmp_path / "without")
    assert "was.digst.dk" not in _index(without) and "Tilgængelighedserklæring" not in _index(without)


def test_the_accessibility_statement_is_an_https_address(tmp_path):
    config = CONFIG + "accessibility_statement:\n  url: www.was.digst.dk/eksempel-dk\n"
    root = write_project(tmp_path, config=config)
    with pytest.raises(InputError) as caught:
        load_project(root)
    line = config.splitlines().index("  url: www.was.digst.dk/eksempel-dk") + 1
    assert [str(p) for p in caught.value.problems] == [
        f"reportgen.yaml:{line}:8: 'accessibility_statement.url' is 'www.was.digst.dk/eksempel-dk'; "
        "expected an address starting with https://"]
