"""fsnb/escape.py and the renderers that call it (issue #11), without a lab: hostile strings stay text."""
from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fsnb.i18n import same
from fsnb.lab.hostile import ALL, PAYLOAD
from fsnb.present import cli_run, escape, notebook, report
from fsnb.result import Evidence, Result, Status

pytestmark = pytest.mark.unit


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.handlers = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.handlers += [a for a, _ in attrs if a.startswith("on")]


def _tags(html: str) -> Tags:
    t = Tags()
    t.feed(html)
    return t


def _hostile_result() -> Result:
    return Result("schritt2.log", "schritt2", PAYLOAD, PAYLOAD, Status.FAIL, PAYLOAD, PAYLOAD,
                  [Evidence(PAYLOAD, PAYLOAD, PAYLOAD)], target=PAYLOAD)


@given(st.text())
def test_html_never_opens_a_tag(s):
    t = _tags(escape.html(s))
    assert t.tags == [] and t.handlers == []


@given(st.text())
def test_terminal_and_markdown_carry_no_control_character(s):
    for out in (escape.terminal(s), escape.md(s), escape.md_code(s)):
        assert not any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and c not in "\n\t" for c in out)
    assert "\n" not in escape.md(s) and "\r" not in escape.md(s)
    assert not re.search(r"(?<!\\)\|", escape.md(s)) and "<" not in escape.md(s)


def test_styler_tables_and_evidence_escape_every_cell():
    r = _hostile_result()
    for html in (notebook.styled_html([r]), notebook.evidence_html(r)):
        t = _tags(html)
        assert not {"img", "svg", "script", "iframe"} & set(t.tags) and t.handlers == []
        assert "onerror=" in html          # shown, as text


def test_terminal_table_has_no_escape_sequences():
    class R:   # the shape cli_run.table reads
        target = type("T", (), {"name": PAYLOAD})()
        duration, results, findings, verdicts = 0.1, [_hostile_result()], [], []
    out = cli_run.table(R())
    assert not [c for c in out if unicodedata.category(c) == "Cc" and c != "\n"]
    assert "\\x1b]0;pwned-title\\x07" in out


def test_report_html_and_markdown_keep_hostile_text_as_text():
    data = report.ReportData(PAYLOAD, {"host": PAYLOAD, "fsnb": "x", "target": {"name": PAYLOAD}},
                             {"r1": [_hostile_result()]}, {}, [], [], [("2026", same(PAYLOAD))], [PAYLOAD])
    html = report.html(data)
    t = _tags(html)
    assert not {"img", "script", "iframe"} & set(t.tags) and t.handlers == []
    md = report.markdown(data)
    rows = [l for l in md.splitlines() if l.startswith("| fail |")]
    assert len(rows) == 1 and len(re.findall(r"(?<!\\)\|", rows[0])) == 5
    assert "<img" not in md and "\r" not in md and "\x1b" not in md


def test_exported_notebook_has_no_script_and_a_csp(tmp_path):
    import nbformat

    from fsnb.present.notebook.headless import CSP, export_html
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nb.cells.append(nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": notebook.styled_html([_hostile_result()]),
                              "application/javascript": "alert(1)"})]))
    f = tmp_path / "n.ipynb"
    nbformat.write(nb, str(f))
    text = export_html(f).read_text()
    head = text.split("</head>")[0]
    assert CSP in head and head.index("Content-Security-Policy") < head.index("<style")
    assert "<script" not in text and "cdnjs" not in text and "unpkg" not in text
    assert not {"img", "svg", "script", "iframe"} & set(_tags(text.split("<body")[1]).tags)
    assert all(p.split()[0] for p in ALL)
