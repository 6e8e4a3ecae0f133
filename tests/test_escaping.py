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
    assert not re.search(r"(?<!\\)\|", escape.md(s))
    outside_code = re.sub(r"(?<!\\)(`+)(?!`).*?(?<!`)\1(?!`)", " ", escape.md(s))
    assert not re.search(r"(?<!\\)<", outside_code)          # a `<` only escaped or inside a code span


_MD = None


def _rendered(src: str) -> tuple[set, str]:
    """Markdown as a tracker renders it (CommonMark + GFM tables and strikethrough): the inline token kinds and
    the text a reader sees."""
    global _MD
    if _MD is None:
        from markdown_it import MarkdownIt
        _MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    kinds, shown, head = set(), [], False
    for tok in _MD.parse(src):
        head = head and tok.type != "thead_close" or tok.type == "thead_open"     # a table's header is not the text
        for c in [] if head else tok.children or []:
            kinds.add(c.type)
            shown.append(c.content if c.type in ("text", "code_inline") else " ")
    return kinds, "".join(shown)


@given(st.text())
def test_markdown_renders_as_the_text_itself(s):
    """escape.md by Markdown's own means: rendered in a list item and in a table cell, any text is plain text and
    code spans — no link, image, HTML, emphasis, heading — and reads exactly as given (no entity, no backslash;
    a `code` span of the text shows without its backticks)."""
    out, first = escape.md(s), escape.md(s, line_start=True)
    folded = re.sub(r"\r\n|\r|\n", " ⏎ ", s)
    folded = escape.controls(folded)
    expected = re.sub(r"`([^`|]+)`", r"\1", folded)
    norm = lambda x: " ".join(x.split())
    for src, lead in ((f"- {first}\n", ""), (f"- x {out}\n", "x "), (f"| h |\n|---|\n| {out} |\n", "")):
        kinds, shown = _rendered(src)
        assert kinds <= {"text", "code_inline", "softbreak"}, (s, out, kinds)
        assert norm(shown) == norm(lead + expected), (s, out, shown)


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
    assert not re.search(r"(?<!\\)<img", md) and "\r" not in md and "\x1b" not in md    # `\<img` is text
    from markdown_it import MarkdownIt
    kinds = {t.type for tok in MarkdownIt("commonmark").enable("table").parse(md) for t in [tok, *(tok.children or [])]}
    assert not {"html_inline", "html_block", "link_open", "image", "em_open"} & kinds, kinds


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
