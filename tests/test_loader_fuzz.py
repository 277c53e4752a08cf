"""Random damage to a valid file never gives a traceback, a hang or silent acceptance."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects import CANCER, HEART, write_project
from reportgen.errors import InputError
from reportgen.loader import load_project
from reportgen.model import Month

PIECES = [":", ": ", "-", "- ", " ", "  ", "\t", "&a ", "*a", "!!python/object ", "!", '"', "'", "{", "}", "[",
          "]", "#", ",", "|", ">", "%", "@", "`", "\n", "\n  ", "0", "012", "-1", "NO", "on", "~", "null", "<b>",
          "<script>", "x", "æ", "010203-1234", "2024-13", "\x00", "\x07", "\ufeff"]

mutation = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, len(HEART)), st.sampled_from(PIECES)),
    st.tuples(st.just("delete"), st.integers(0, len(HEART)), st.integers(1, 12)),
    st.tuples(st.just("drop_line"), st.integers(0, HEART.count("\n")), st.just(None)),
    st.tuples(st.just("double_line"), st.integers(0, HEART.count("\n")), st.just(None)),
    st.tuples(st.just("bad_byte"), st.integers(0, len(HEART)), st.sampled_from([b"\xff", b"\xe6", b"\xc3"])),
)


def apply(text: str, edits) -> bytes:
    data = text
    raw_bytes = []
    for kind, at, arg in edits:
        at = min(at, len(data))
        if kind == "insert":
            data = data[:at] + arg + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + arg:]
        elif kind in ("drop_line", "double_line"):
            lines = data.split("\n")
            index = min(at, len(lines) - 1)
            if kind == "drop_line":
                del lines[index]
            else:
                lines.insert(index, lines[index])
            data = "\n".join(lines)
        else:
            raw_bytes.append((at, arg))
    encoded = data.encode("utf-8")
    for at, byte in raw_bytes:
        at = min(at, len(encoded))
        encoded = encoded[:at] + byte + encoded[at:]
    return encoded


def assert_model_keeps_the_rules(project) -> None:
    """What the loader accepted must obey docs/format.md's rules, checked here independently."""
    regions = set(project.config.regions)
    for group in project.groups:
        codes = [i.code for i in group.indications]
        assert len(codes) == len(set(codes))
        start = Month(group.in_operation_since.year, group.in_operation_since.month)
        end = Month(group.statistics.as_of.year, group.statistics.as_of.month)
        seen = set()
        for row in group.statistics.monthly:
            total = row.analyses.germline + row.analyses.somatic + row.analyses.rna
            assert min(row.patients, row.diagnosed, row.analyses.germline, row.analyses.somatic, row.analyses.rna) >= 0
            assert row.diagnosed <= row.patients <= total
            assert start <= row.month <= end
            assert row.region in regions and row.indication in codes
            assert (row.month, row.region, row.indication) not in seen
            seen.add((row.month, row.region, row.indication))
        for case in group.cases:
            assert case.indication in codes and case.impact
        for text in [group.summary, group.perspectives] + [c.text for c in group.cases]:
            for value in text.by_lang.values():
                assert "<script" not in value and "010203-1234" not in value


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(mutation, min_size=1, max_size=4))
def test_damaged_file_is_reported_or_valid(tmp_path_factory, edits):
    root = write_project(tmp_path_factory.mktemp("p"), {"hjerte": HEART, "kraeft": CANCER})
    data = apply(HEART, edits)
    (root / "groups/hjerte.yaml").write_bytes(data)
    line_count = data.count(b"\n") + 2
    try:
        project = load_project(root)
    except InputError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.path == "groups/hjerte.yaml"
            assert 1 <= problem.line <= line_count and problem.column >= 1
            assert problem.message and "Traceback" not in problem.message
        return
    assert_model_keeps_the_rules(project)
