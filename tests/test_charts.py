"""Charts: inline SVG with real text, reproducible bytes, ids unique on a page,
a text alternative and a data table that agree with what is drawn."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import textwrap
from html import unescape

import matplotlib
import pytest

import webcheck
from reportgen import charts
from reportgen.model import Month

MONTHS = [Month(2023, 11), Month(2023, 12), Month(2024, 1), Month(2024, 2)]
SAMPLE_LABELS = {"da": {"germline": "Germline", "somatic": "Somatisk", "rna": "RNA"},
                 "en": {"germline": "Germline", "somatic": "Somatic", "rna": "RNA"}}
SERIES = {"germline": [900, 1200, 0, 1100], "somatic": [300, 250, 200, 0], "rna": [12, 0, 7, 30]}
REGIONS = ["Region Hovedstaden", "Region Sjælland", "Region Syddanmark",
           "Region Midtjylland", "Region Nordjylland"]
RATES = [41.25, 30.5, None, 1234.0, 12.0]
GROUPS = ["Arvelige hjertesygdomme", "Kræft hos børn og unge samt arvelig kræft", "Nyresvigt"]


def monthly(lang="da", key="monthly-analyses", **kwargs):
    return charts.monthly_analyses(key, "WGS-analyser pr. måned", MONTHS, SERIES,
                                   SAMPLE_LABELS[lang], lang, "WGS-analyser", **kwargs)


def regional(lang="da", key="regional-rates"):
    return charts.horizontal_bars(key, "Analyser pr. 100.000 indbyggere", REGIONS, RATES, lang,
                                  "Analyser pr. 100.000 indbyggere",
                                  colours=list(charts.REGION_COLOURS.values()), row_header="Region")


def stacked(lang="da"):
    return charts.stacked_horizontal_bars(
        "group-analyses", "Analyser pr. gruppe", GROUPS,
        {"germline": [1500, 20, 640], "somatic": [0, 900, 35], "rna": [5, 60, 0]},
        SAMPLE_LABELS[lang], lang, "WGS-analyser")


def yields(lang="da"):
    return charts.yields_with_intervals(
        "yields", "Diagnostisk udbytte", GROUPS,
        [(0.25, 0.2, 0.31), None, (0.125, 0.102, 0.151)], lang, "Diagnostisk udbytte", "<5")


def target(lang="da"):
    return charts.target_progress(
        "national-target", "Genomækvivalenter mod målet", MONTHS, [9000.0, 18500.0, 27000.0, 36000.0],
        60000, [(Month(2024, 5), 45000.0), (Month(2024, 8), 61000.0)], lang,
        "Genomækvivalenter i alt", "Nationalt mål", "Fremskrivning", row_header="Måned")


def funnel(lang="da"):
    from reportgen.equity import rate_funnel

    f = rate_funnel([("a", 14, 100_000), ("b", 15, 120_000), ("c", 40, 90_000), ("d", 16, 110_000)], years=1)
    words = {0: "inden for", 1: "over 99,8 %-grænsen", -1: "under"}
    return charts.funnel_plot(
        "funnel-rates", "Patienter pr. 100.000 mod størrelse", ["Region A", "Region B", "Region C", "Region D"],
        [p.size for p in f.points], [p.value for p in f.points], [words[p.direction] for p in f.points],
        [p.direction != 0 for p in f.points], f.centre, f.curve, lang, "Indbyggere", "Pr. 100.000",
        ("Landsniveau", "95 %-grænser", "99,8 %-grænser"), row_header="Region", verdict_header="Placering",
        missing=["Region E"])


ALL = [monthly, regional, stacked, yields, target, funnel]


def texts(svg: str) -> list[str]:
    """The content of every <text> element, unescaped."""
    return [unescape(t) for t in re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)]


def rectangles(svg: str, colour: str) -> list[tuple[float, float, float, float]]:
    """(x0, y0, x1, y1) of every bar of `colour` (clipped to the plot, unlike legend
    swatches), in drawing order."""
    found = []
    for d, attributes in re.findall(r'<path d="([^"]*)"([^>]*)>', svg):
        if f'fill="{colour.lower()}"' not in attributes or "clip-path=" not in attributes:
            continue
        for piece in d.split("M")[1:]:  # one path holds all bars of a colour
            numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", piece)]
            xs, ys = numbers[0::2], numbers[1::2]
            found.append((min(xs), min(ys), max(xs), max(ys)))
    return found


@pytest.fixture(scope="module")
def drawn():
    return {f.__name__: f() for f in ALL}


# --------------------------------------------------------------------------
# Inline SVG


@pytest.mark.parametrize("make", ALL)
def test_svg_is_an_element_to_inline(make, drawn):
    chart = drawn[make.__name__]
    svg = chart.svg
    assert svg.startswith("<svg ") and svg.endswith("</svg>\n")
    for unwanted in ("<?xml", "<!DOCTYPE", "<metadata", "<style", "style=", "<!--",
                     "Matplotlib", "dc:date"):
        assert unwanted not in svg
    root = svg[: svg.index(">") + 1]
    assert not re.search(r"\s(width|height)=", root)
    assert re.search(r'viewBox="0 0 576 [\d.]+"', root)
    assert 'role="img"' in root
    title_id, desc_id = f"{chart.key}-chart-title", f"{chart.key}-chart-desc"
    assert f'aria-labelledby="{title_id} {desc_id}"' in root
    # The title and description are the first children, ids from the key.
    after_root = svg[len(root):].lstrip()
    assert after_root.startswith(f'<title id="{title_id}">{chart.title}</title>')
    assert f'<desc id="{desc_id}">' in after_root.split("<g", 1)[0]


def test_text_stays_text_in_the_chart_font(drawn):
    svg = drawn["stacked"].svg
    assert "font-family=\"'DejaVu Sans', sans-serif\"" in svg
    assert "Arvelige hjertesygdomme" in texts(svg)
    # Glyphs drawn as paths would come with a glyph definition per character.
    assert "DejaVuSans-" not in svg


def test_same_input_same_bytes():
    assert monthly().svg == monthly().svg
    assert regional().svg == regional().svg


def test_same_bytes_in_another_process():
    """Workers of a parallel build must make the very same chart (hash seeds differ)."""
    script = textwrap.dedent("""
        import hashlib, sys
        sys.path.insert(0, "tests")
        from test_charts import monthly
        print(hashlib.sha256(monthly().svg.encode()).hexdigest())
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True, env={"PYTHONHASHSEED": "12345", "PATH": ""},
                            cwd=webcheck.REPO_ROOT)
    assert result.stdout.strip() == hashlib.sha256(monthly().svg.encode()).hexdigest()


def test_different_keys_different_ids():
    a, b = monthly(key="first"), monthly(key="second")
    ids_a = set(re.findall(r' id="([^"]+)"', a.svg))
    ids_b = set(re.findall(r' id="([^"]+)"', b.svg))
    assert ids_a and ids_b and not ids_a & ids_b


def test_ids_unique_and_resolved_on_a_page(drawn):
    page_ids: list[str] = []
    for chart in drawn.values():
        ids = re.findall(r' id="([^"]+)"', chart.svg)
        assert all(i.startswith(f"{chart.key}-chart-") for i in ids)
        refs = re.findall(r'(?:xlink:href="#|url\(#)([^")]+)', chart.svg)
        labelled_by = re.search(r'aria-labelledby="([^"]+)"', chart.svg).group(1).split()
        assert set(refs) | set(labelled_by) <= set(ids)  # every reference stays in its chart
        page_ids += ids
    assert len(page_ids) == len(set(page_ids))


def test_settings_restored_after_drawing():
    before = dict(matplotlib.rcParams)
    monthly()
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize("key", ["", "Monthly", "1-chart", "a b", "a_b", 'x"y'])
def test_key_must_make_a_valid_id(key):
    with pytest.raises(ValueError, match="chart key .*expected lower-case letters"):
        monthly(key=key)


@pytest.mark.parametrize("draw", [
    lambda: charts.horizontal_bars("x", "T", [], [], "da", "X"),
    lambda: charts.stacked_horizontal_bars("x", "T", [], {"germline": []}, {"germline": "G"}, "da", "X"),
    lambda: charts.yields_with_intervals("x", "T", [], [], "da", "X", "<5"),
    lambda: charts.monthly_analyses("x", "T", [], {"germline": []}, {"germline": "G"}, "da", "Y"),
    lambda: charts.target_progress("x", "T", [], [], 10, None, "da", "Y", "Mål", "P"),
])
def test_nothing_to_draw(draw):
    with pytest.raises(ValueError, match="chart 'x': no (labels|months) to draw"):
        draw()


def test_lengths_must_match():
    with pytest.raises(ValueError, match="'values' has 2 values; expected 5"):
        charts.horizontal_bars("x", "T", REGIONS, [1.0, 2.0], "da", "X")


def test_title_and_labels_are_escaped():
    chart = charts.horizontal_bars("hostile", 'A & B <script>alert(1)</script>',
                                   ['<img src=x onerror=alert(1)>', "$x$ & y"], [1.0, 2.0],
                                   "da", "<b>x</b>")
    assert "<script" not in chart.svg and "<img" not in chart.svg and "<b>" not in chart.svg
    assert "<title id=\"hostile-chart-title\">A &amp; B &lt;script&gt;" in chart.svg
    assert "$x$ & y" in texts(chart.svg)  # a dollar sign is not TeX


# --------------------------------------------------------------------------
# Numbers as readers see them


def test_danish_numbers_on_the_axis(drawn):
    # Totals reach 2,105 (1,500 + 0 + 5 in the first group is 1,505), ticks every 500.
    labels = texts(drawn["stacked"].svg)
    assert {"0", "500", "1.000", "1.500"} <= set(labels)


def test_english_numbers_on_the_axis():
    labels = texts(stacked("en").svg)
    assert {"0", "500", "1,000", "1,500"} <= set(labels)


def test_month_ticks_and_legend(drawn):
    labels = texts(drawn["monthly"].svg)
    assert {"nov. 23", "dec. 23", "jan. 24", "feb. 24"} <= set(labels)
    assert {"Germline", "Somatisk", "RNA", "WGS-analyser"} <= set(labels)
    assert {"Nov 23", "Jan 24", "Somatic"} <= set(texts(monthly("en").svg))


def test_one_series_has_no_legend():
    chart = charts.monthly_analyses("only-germline", "T", MONTHS, {"germline": [1, 2, 3, 4]},
                                    {"germline": "Germline"}, "da", "WGS-analyser")
    assert "Germline" not in texts(chart.svg)


def test_percent_axis(drawn):
    labels = texts(drawn["yields"].svg)
    assert "0\u00a0%" in labels and "25,0\u00a0%" in labels and "12,5\u00a0%" in labels
    assert "30\u00a0%" in labels or "35\u00a0%" in labels


# --------------------------------------------------------------------------
# Tables and text alternatives agree with the drawing


def test_horizontal_bars_table_and_labels(drawn):
    chart = drawn["regional"]
    assert chart.table == charts.ChartTable(
        caption="Analyser pr. 100.000 indbyggere",
        header=("Region", "Analyser pr. 100.000 indbyggere"),
        rows=(("Region Hovedstaden", "41,3"), ("Region Sjælland", "30,5"),
              ("Region Syddanmark", "<5"), ("Region Midtjylland", "1.234,0"),
              ("Region Nordjylland", "12,0")),
    )
    drawn_labels = texts(chart.svg)
    for label, value in chart.table.rows:
        assert label in drawn_labels and value in drawn_labels
    assert "&lt;5</text>" in chart.svg


def test_horizontal_bars_lengths_and_colours(drawn):
    """Each shown value has one bar in its region's colour, as long as its value says."""
    svg = drawn["regional"].svg
    widths = {}
    for region, colour in zip(REGIONS, charts.REGION_COLOURS.values()):
        bars = rectangles(svg, colour)
        widths[region] = bars[0][2] - bars[0][0] if bars else None
    assert widths["Region Syddanmark"] is None  # suppressed: no bar
    scale = widths["Region Midtjylland"] / 1234.0
    for region, value in zip(REGIONS, RATES):
        if value is not None:
            assert widths[region] == pytest.approx(value * scale, rel=1e-4)


def test_stacked_bars_match_their_table(drawn):
    chart = drawn["stacked"]
    assert chart.table.header == ("", "Germline", "Somatisk", "RNA")
    assert chart.table.rows == (
        ("Arvelige hjertesygdomme", "1.500", "0", "5"),
        ("Kræft hos børn og unge samt arvelig kræft", "20", "900", "60"),
        ("Nyresvigt", "640", "35", "0"),
    )
    scale = None
    for sample_type, colour in charts.SAMPLE_TYPE_COLOURS.items():
        column = ("germline", "somatic", "rna").index(sample_type) + 1
        values = [int(row[column].replace(".", "")) for row in chart.table.rows]
        widths = [x1 - x0 for x0, _, x1, _ in rectangles(chart.svg, colour)]
        assert len(widths) == sum(v > 0 for v in values)  # a zero draws nothing
        scale = scale or widths[0] / values[0]
        assert widths == pytest.approx([v * scale for v in values if v], rel=1e-4)


def test_monthly_bars_match_their_table(drawn):
    chart = drawn["monthly"]
    assert chart.table.rows[0] == ("november 2023", "900", "300", "12")
    assert chart.table.rows[2] == ("januar 2024", "0", "200", "7")
    heights = [y1 - y0 for _, y0, _, y1 in rectangles(chart.svg, charts.SAMPLE_TYPE_COLOURS["germline"])]
    assert heights == pytest.approx([h * heights[0] / 900 for h in (900, 1200, 1100)], rel=1e-4)


def test_yields_table_and_missing(drawn):
    chart = drawn["yields"]
    assert chart.table.rows == (
        ("Arvelige hjertesygdomme", "25,0\u00a0% (20,0–31,0\u00a0%)"),
        ("Kræft hos børn og unge samt arvelig kræft", "<5"),
        ("Nyresvigt", "12,5\u00a0% (10,2–15,1\u00a0%)"),
    )
    assert "<5" in texts(chart.svg)


def test_yields_estimate_must_lie_in_its_interval():
    with pytest.raises(ValueError, match="'Nyresvigt': the estimate 0.5 lies outside"):
        charts.yields_with_intervals("y", "T", ["Nyresvigt"], [(0.5, 0.1, 0.2)], "da", "X", "<5")


def test_target_table_has_actual_and_projected_months(drawn):
    chart = drawn["target"]
    assert chart.table.caption == "Genomækvivalenter mod målet (Nationalt mål: 60.000)"
    assert chart.table.header == ("Måned", "Genomækvivalenter i alt", "Fremskrivning")
    assert chart.table.rows == (
        ("november 2023", "9.000", ""),
        ("december 2023", "18.500", ""),
        ("januar 2024", "27.000", ""),
        ("februar 2024", "36.000", ""),
        ("maj 2024", "", "45.000"),
        ("august 2024", "", "61.000"),
    )
    assert {"Nationalt mål", "Fremskrivning", "60.000"} <= set(texts(chart.svg))


@pytest.mark.parametrize("make, da, en", [
    (monthly,
     "Stablet søjlediagram: WGS-analyser pr. måned fra november 2023 til februar 2024, "
     "fordelt på Germline, Somatisk og RNA. Flest i december 2023: 1.450.",
     "Stacked bar chart: WGS-analyser per month from November 2023 to February 2024, "
     "by Germline, Somatic and RNA. Most in December 2023: 1,450."),
    (regional,
     "Vandret søjlediagram: Analyser pr. 100.000 indbyggere. Højest: Region Midtjylland, 1.234,0; "
     "lavest: Region Nordjylland, 12,0. 1 af 5 vises som <5.",
     "Horizontal bar chart: Analyser pr. 100.000 indbyggere. Highest: Region Midtjylland, 1,234.0; "
     "lowest: Region Nordjylland, 12.0. 1 of 5 shown as <5."),
    (yields,
     "Punktdiagram med 95\u00a0%-intervaller: Diagnostisk udbytte. Højest: Arvelige hjertesygdomme, "
     "25,0\u00a0% (20,0–31,0\u00a0%); lavest: Nyresvigt, 12,5\u00a0% (10,2–15,1\u00a0%). "
     "1 af 3 vises som <5.",
     "Dot chart with 95% intervals: Diagnostisk udbytte. Highest: Arvelige hjertesygdomme, "
     "25.0% (20.0–31.0%); lowest: Nyresvigt, 12.5% (10.2–15.1%). 1 of 3 shown as <5."),
    (target,
     "Kurve: Genomækvivalenter i alt fra november 2023 til februar 2024, senest 36.000; "
     "Nationalt mål: 60.000. Stiplet: Fremskrivning til august 2024, 61.000.",
     "Line chart: Genomækvivalenter i alt from November 2023 to February 2024, latest 36,000; "
     "Nationalt mål: 60,000. Dashed: Fremskrivning to August 2024, 61,000."),
])
def test_text_alternative(make, da, en):
    assert make("da").alt == da
    assert make("en").alt == en


def test_funnel_names_the_region_outside_in_its_table_and_text(drawn):
    chart = drawn["funnel"]
    assert chart.table.header == ("Region", "Indbyggere", "Pr. 100.000", "Placering")
    assert chart.table.rows[2] == ("Region C", "90.000", "44,4", "over 99,8 %-grænsen")
    assert [r[3] for r in chart.table.rows].count("inden for") == 3
    assert chart.alt == ("Tragtdiagram: Pr. 100.000 for hver region mod regionens størrelse; samlet niveau 20,2. "
                         "Uden for kontrolgrænserne: Region C (over 99,8 %-grænsen). "
                         "Ikke vist (skjulte tal): Region E.")
    drawn_texts = texts(chart.svg)
    assert "C" in drawn_texts and "Landsniveau" in drawn_texts and "99,8 %-grænser" in drawn_texts


def test_text_alternative_given_by_the_caller():
    chart = monthly(alt="Custom & short.")
    assert chart.alt == "Custom & short."
    assert '<desc id="monthly-analyses-chart-desc">Custom &amp; short.</desc>' in chart.svg


# --------------------------------------------------------------------------
# Valid HTML5


def test_charts_inlined_in_html5_pass_the_nu_checker(tmp_path, drawn):
    hostile = charts.horizontal_bars("hostile", "A & B <i>", ["<x>", "y & z"], [1.0, None],
                                     "da", "\"q\"")
    figures = "\n".join(
        f"<figure><figcaption>{c.title.replace('&', '&amp;').replace('<', '&lt;')}</figcaption>"
        f"\n{c.svg}</figure>"
        for c in [*drawn.values(), hostile]
    )
    page = tmp_path / "charts.html"
    page.write_text(
        "<!DOCTYPE html>\n<html lang=\"da\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>Charts</title>\n</head>\n<body>\n<h1>Charts</h1>\n"
        f"{figures}\n</body>\n</html>\n",
        encoding="utf-8",
    )
    assert webcheck.vnu([page], root=tmp_path) == []
